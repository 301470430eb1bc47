"""Consent first: refusal means manual entry and no read; reads need a grant; family members decide
for their own data; consent codes for 帮办代办 are short-lived, single-use and audited."""

import datetime as dt

import pytest

from core.errors import ConsentRequired, Forbidden, InvalidInput, NotFound, RateLimited
from prefill.consent import ConsentCodes


def _reads(svc, draft_id, source=None):
    return [e for e in svc.audit.entries(draft_id=draft_id, action="read") if source is None or e.source == source]


def test_consent_request_lists_sources_fields_purpose_and_departments(svc, scenario, h):
    sc = scenario("retirement")
    view = svc.start_draft(h.citizen(sc.applicant_id), "retirement")
    req = view.consent
    assert req.purpose and set(req.departments) == set(svc.form("retirement").departments)
    assert set(req.your_sources) == {"population", "e_licence", "social_insurance", "housing_fund"}
    for item in req.items:
        assert item.fields and item.departments and item.status == "pending" and item.decided_by == "you"
    assert not _reads(svc, view.draft_id), "nothing is read before consent"
    assert view.prefill_rate == 0


def test_refused_source_means_manual_entry_and_no_read(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    for source in ("population", "e_licence", "social_insurance"):
        svc.decide_consent(me, d, source, True)
    req = svc.decide_consent(me, d, "housing_fund", False)
    assert {i.status for i in req.items if i.source == "housing_fund"} == {"refused"}
    view = svc.prefill(me, d)
    fields = {f.key: f for f in view.fields}
    for key in ("housing_fund_account", "housing_fund_balance"):
        assert fields[key].state == "to_be_entered" and fields[key].display is None and fields[key].editable
    assert fields["name"].state == "authoritative"
    assert _reads(svc, d, "population") and not _reads(svc, d, "housing_fund")
    refusals = svc.audit.entries(draft_id=d, action="consent_refuse")
    assert refusals and refusals[0].source == "housing_fund"


def test_withdrawn_consent_clears_values_on_the_next_prefill(svc, scenario, h):
    sc = scenario("social_security_card")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, sc.one_thing_id).draft_id
    svc.grant_all(me, d)
    assert {f.key: f for f in svc.prefill(me, d).fields}["bank_account"].has_value
    svc.decide_consent(me, d, "social_insurance", False)
    after = {f.key: f for f in svc.prefill(me, d).fields}
    assert not after["bank_account"].has_value and after["bank_account"].state == "to_be_entered"


def test_reading_without_a_grant_is_impossible(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    kw = dict(draft_id=d, owner_id=me.subject, role="self", subject_id=me.subject, grantor_id=me.subject,
              source="population", actor=me.actor, purpose="test")
    with pytest.raises(ConsentRequired):
        svc.gate.read(fields=["name"], **kw)
    svc.decide_consent(me, d, "population", True)
    assert svc.gate.read(fields=["name"], **kw).get("name")
    with pytest.raises(ConsentRequired, match="does not cover"):
        svc.gate.read(fields=["name", "death_date"], **kw)  # a field the form never asked for
    with pytest.raises(ConsentRequired):  # someone else's grant does not count for this person
        svc.gate.read(fields=["name"], **{**kw, "grantor_id": "P99999"})
    assert len(_reads(svc, d, "population")) == 1


def test_family_members_data_needs_their_own_grant(svc, scenario, h):
    sc = scenario("newborn")
    me = h.citizen(sc.applicant_id)
    other = sc.subjects["mother"] if sc.applicant_id == sc.subjects["father"] else sc.subjects["father"]
    other_role = "mother" if other == sc.subjects["mother"] else "father"
    d = svc.start_draft(me, "newborn").draft_id
    req = svc.grant_all(me, d)
    waiting = [i for i in req.items if i.role == other_role]
    assert waiting and all(i.status == "awaiting_other" and i.decided_by == "other" for i in waiting)
    fields = {f.key: f for f in svc.prefill(me, d).fields}
    assert fields[f"{other_role}_id_number"].state == "to_be_entered"
    assert fields["child_name"].state == "authoritative", "the newborn's data is read under the parent's guardianship"
    assert not [e for e in _reads(svc, d) if e.subject_id == other and e.source != "population" or
                (e.subject_id == other and "relations" not in e.fields)]

    with pytest.raises(NotFound):  # a stranger cannot approve, and learns nothing
        svc.approve(h.citizen("P00150"), d, "population", True)
    pending = svc.pending_approvals(h.citizen(other))
    assert {p.source for p in pending} >= {"population"} and all(p.draft_id == d for p in pending)
    assert pending[0].purpose and pending[0].departments and "*" in pending[0].applicant_display
    for p in pending:
        svc.approve(h.citizen(other), d, p.source, True)
    assert svc.pending_approvals(h.citizen(other)) == []
    fields = {f.key: f for f in svc.prefill(me, d).fields}
    assert fields[f"{other_role}_id_number"].state == "authoritative"
    assert {e.subject_id for e in _reads(svc, d)} >= {other, me.subject, sc.subjects["child"]}
    grant = svc.audit.entries(draft_id=d, action="consent_grant")
    assert any(e.actor == f"citizen:{other}" for e in grant)


def test_by_id_number_role_asks_the_person_identified(svc, scenario, h):
    sc = scenario("house_transfer_utilities")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, sc.one_thing_id).draft_id
    svc.grant_all(me, d)
    from prefill.sources import PersonRow

    with svc.shared.session() as s:
        buyer_id_number = s.get(PersonRow, sc.subjects["buyer"]).id_number
    with pytest.raises(InvalidInput, match="buyer_id_number"):
        svc.edit(me, d, "buyer_id_number", buyer_id_number[:-1] + ("0" if buyer_id_number[-1] != "0" else "1"))
    svc.edit(me, d, "buyer_id_number", buyer_id_number)
    buyer = h.citizen(sc.subjects["buyer"])
    asks = svc.pending_approvals(buyer)
    assert asks and {a.source for a in asks} == {"population", "social_insurance"}
    log = svc.my_access_log(buyer)
    assert any(e.action == "identity_lookup" and e.about_you for e in log)
    for a in asks:
        svc.approve(buyer, d, a.source, a.source == "population")
    fields = {f.key: f for f in svc.prefill(me, d).fields}
    assert fields["buyer_name"].state == "authoritative" and fields["buyer_phone"].state == "to_be_entered"


def test_consent_code_is_six_digits_single_use_and_audited(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    code = svc.issue_consent_code(me)
    assert len(code.code) == 6 and code.code.isdigit()
    assert svc.redeem_consent_code(h.STAFF, code.code) == me.subject
    with pytest.raises(Forbidden):
        svc.redeem_consent_code(h.STAFF, code.code)
    clerk = h.citizen(me.subject, via="clerk")
    d = svc.start_draft(clerk, "retirement").draft_id
    svc.decide_consent(clerk, d, "population", True)
    actors = {e.actor for e in svc.audit.entries(draft_id=d)}
    assert actors == {"staff:clerk for citizen:" + me.subject}
    log = svc.my_access_log(me)
    assert any("窗口工作人员 clerk" in e.who for e in log)
    with pytest.raises(Forbidden):
        svc.issue_consent_code(clerk)  # only the citizen themselves
    with pytest.raises(Forbidden):
        svc.redeem_consent_code(me, "123456")  # only staff
    with pytest.raises(InvalidInput):
        svc.redeem_consent_code(h.STAFF, "12ab56")


def test_consent_code_expires_and_guessing_is_limited(svc, scenario, h):
    sc = scenario("retirement")
    now = [dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)]
    codes = ConsentCodes(svc.state, svc.audit, "k" * 32, ttl_s=600, max_failures=3, clock=lambda: now[0])
    code = codes.issue(h.citizen(sc.applicant_id)).code
    now[0] += dt.timedelta(minutes=11)
    with pytest.raises(Forbidden):
        codes.redeem(h.STAFF, code)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(Forbidden):
        codes.redeem(h.STAFF, wrong)
    with pytest.raises(Forbidden):
        codes.redeem(h.STAFF, wrong)
    with pytest.raises(RateLimited):
        codes.redeem(h.STAFF, wrong)
    assert len(svc.audit.entries(action="consent_code_rejected")) == 3


def test_withdrawal_clears_every_value_of_that_source_including_the_relation(svc, scenario, h):
    """Issue 15, item 10: guardian_relation (school_enrollment) survived a withdrawn population grant."""
    sc = scenario("school_enrollment")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, sc.one_thing_id).draft_id
    svc.grant_all(me, d)
    before = {f.key: f for f in svc.prefill(me, d).fields}
    from_population = [k for k, f in before.items() if f.has_value and f.provenance and f.provenance.source == "population"]
    assert "guardian_relation" in from_population
    svc.decide_consent(me, d, "population", False)
    cleared = {f.key: f for f in svc.draft(me, d).fields}
    assert [k for k in from_population if cleared[k].has_value] == [], "cleared at once"
    again = {f.key: f for f in svc.prefill(me, d).fields}
    assert [k for k in from_population if again[k].has_value] == [], "and not back on the next pre-fill"


def test_grant_all_never_reverses_an_explicit_refusal(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    svc.decide_consent(me, d, "housing_fund", False)
    req = svc.grant_all(me, d)
    status = {i.source: i.status for i in req.items}
    assert status["housing_fund"] == "refused"
    assert status["population"] == "granted"
