"""Pre-fill: provenance on every filled value, states, edits keeping old and new values, 纠错."""

import pytest

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from prefill.engine import prefill_rate


@pytest.mark.parametrize("one_thing", ["newborn", "after_death", "school_enrollment", "start_business",
                                       "open_transport_company", "self_employed_operator_change"])
def test_every_filled_value_carries_provenance(svc, scenario, h, one_thing):
    sc = scenario(one_thing)
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    filled = [f for f in view.fields if f.state in ("authoritative", "prefilled")]
    assert filled and view.prefill_rate >= 0.75
    for f in filled:
        p = f.provenance
        assert p is not None and p.source and p.record_id and p.fetched_at.endswith("Z") and p.subject_role
        assert f.has_value and f.display
        assert (f.correction_path is not None) == (f.state == "authoritative")
        assert f.editable == (f.state != "authoritative")
    for f in view.fields:
        if f.state == "to_be_entered":
            assert f.provenance is None and not f.has_value
    reads = svc.audit.entries(draft_id=view.draft_id, action="read")
    read_records = {r for e in reads for r in e.detail["records"]}
    assert {f.provenance.record_id for f in filled if f.provenance.source != "population" or
            f.key not in ("applicant_relation", "guardian_relation")} <= read_records | {None}


def test_identifiers_are_masked_on_screen(svc, scenario, h):
    sc = scenario("retirement")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    raw = svc.raw_values(me, view.draft_id)
    fields = {f.key: f for f in view.fields}
    assert raw["id_number"] not in fields["id_number"].display and "********" in fields["id_number"].display
    assert raw["contact_phone"] not in (fields["contact_phone"].display or "")
    assert raw["bank_account"] not in fields["bank_account"].display
    assert fields["name"].display == raw["name"]


def test_edits_keep_old_and_new_values_and_respect_read_only(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    svc.grant_all(me, d)
    before = svc.prefill(me, d)
    with pytest.raises(Conflict, match="纠错"):
        svc.edit(me, d, "id_number", "11010519491231002X")
    with pytest.raises(InvalidInput, match="contact_phone"):
        svc.edit(me, d, "contact_phone", "12345")
    with pytest.raises(NotFound):
        svc.edit(me, d, "shoe_size", "42")
    after = svc.edit(me, d, "contact_phone", "13900001111")
    fields = {f.key: f for f in after.fields}
    assert fields["contact_phone"].state == "edited" and fields["contact_phone"].provenance is None
    svc.edit(me, d, "retirement_type", "正常退休")
    hist = svc.history(me, d)
    assert [e.key for e in hist] == ["contact_phone", "retirement_type"]
    assert hist[0].old_state == "prefilled" and hist[0].new_state == "edited" and hist[0].actor == me.actor
    assert hist[0].new_display == "139****1111" and hist[0].old_display != hist[0].new_display
    assert hist[1].old_display is None and hist[1].new_state == "entered"
    again = {f.key: f for f in svc.prefill(me, d).fields}
    assert again["contact_phone"].display == "139****1111", "a re-fill never overwrites the person's entry"
    assert before.prefill_rate > after.prefill_rate


def test_report_error_on_a_registry_value(svc, scenario, h):
    sc = scenario("retirement")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    rep = svc.report_error(me, view.draft_id, "birth_date", "出生日期与本人户口簿不一致")
    assert rep.source_label == "人口库（公安户籍）" and rep.status
    with pytest.raises(InvalidInput):
        svc.report_error(me, view.draft_id, "birth_date", "")
    with pytest.raises(Conflict):
        svc.report_error(me, view.draft_id, "retirement_type", "不是共享数据")
    assert svc.audit.entries(draft_id=view.draft_id, action="correction_report")


def test_enterprise_choice_and_rate_helper(svc, scenario, h):
    sc = scenario("credit_repair")
    me = h.citizen(sc.applicant_id)
    with pytest.raises(InvalidInput):
        svc.start_draft(me, "credit_repair", {"spaceship": "E00001"})
    d = svc.start_draft(me, "credit_repair", {"enterprise": sc.subjects["enterprise"]}).draft_id
    svc.grant_all(me, d)
    view = svc.prefill(me, d)
    assert {s.role: s.resolved for s in view.subjects} == {"self": True, "enterprise": True}
    assert prefill_rate(svc.form("credit_repair"), {}) == 0.0
    # An enterprise the applicant does not represent (here: none with that id) cannot be applied for.
    with pytest.raises(Forbidden, match="representative"):
        svc.start_draft(me, "credit_repair", {"enterprise": "E99999"})


def test_raw_values_leave_out_another_adults_data(svc, scenario, h):
    sc = scenario("newborn")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    other_role = "mother" if me.subject == sc.subjects["father"] else "father"
    mine = svc.raw_values(me, view.draft_id)
    assert f"{other_role}_id_number" not in mine
    assert mine["child_name"] and mine["child_ethnicity"], "the child's data and typed values are there"
    assert svc.all_values(view.draft_id)[f"{other_role}_id_number"]


def test_registry_value_failing_the_form_rules_is_rejected_and_left_editable(svc, scenario, h, monkeypatch):
    """Regression: the engine validated shared-data values without not_future / not_past, so a birth
    date in the future from the registry became an authoritative, read-only value the person could
    neither fix nor confirm. It now fails validation and stays editable, and the review flags it."""
    import dataclasses
    import datetime as dt

    from prefill.engine import normalise_registry_value
    from prefill.sources import SourceValue

    field = svc.form("newborn").field("child_birth_date")
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert normalise_registry_value(field, future) == (future, False)  # accepted as valid before the fix
    assert normalise_registry_value(field, "2025/3/4") == ("2025-03-04", True)

    licences = svc.sources["e_licence"]

    class FutureBirthDate:  # the e-licence library with a mistyped birth certificate
        name, label, fields = licences.name, licences.label, licences.fields

        def fetch(self, subject_id, fields, *, purpose):
            record = licences.fetch(subject_id, fields, purpose=purpose)
            values = dict(record.values)
            if "birth_cert.birth_date" in values:
                values["birth_cert.birth_date"] = SourceValue(future, values["birth_cert.birth_date"].record_id)
            return dataclasses.replace(record, values=values)

    monkeypatch.setitem(svc.sources, "e_licence", FutureBirthDate())
    sc = scenario("newborn")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    f = {x.key: x for x in view.fields}["child_birth_date"]
    assert f.state == "prefilled" and f.editable and f.provenance.source == "e_licence"
    assert f.correction_path is None
    problems = {p.key: p.message for p in svc.review(me, view.draft_id).problems}
    assert "future" in problems["child_birth_date"]
    fixed = svc.edit(me, view.draft_id, "child_birth_date", "2025-03-04")
    assert {x.key: x for x in fixed.fields}["child_birth_date"].state == "edited"
