"""Issue 15 item 9: consent in 办 for other people's and enterprises' data.

Only a representative the market-entity register names may start an enterprise's form; an approval
request names who asks (masked) and why; a draft never tells the applicant whether an ID number they
typed belongs to anyone before that person answers.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import Forbidden
from core.masking import mask_name
from prefill.sources import EnterpriseRow, PersonRow

UNREGISTERED_ID = "11010519491231002X"  # a valid check digit; nobody in the seeded register


def _representatives(svc) -> set[str]:
    with svc.shared.session() as s:
        rows = s.scalars(select(EnterpriseRow)).all()
        return {r.legal_rep_id for r in rows} | {(r.data or {}).get("administrator_id") for r in rows}


def _id_number(svc, person_id: str) -> str:
    with svc.shared.session() as s:
        return s.get(PersonRow, person_id).id_number


def test_only_a_registered_representative_may_start_an_enterprise_form(svc, scenario, h):
    reps = _representatives(svc)
    with svc.shared.session() as s:
        nobody = next(p.id for p in s.scalars(select(PersonRow).order_by(PersonRow.id)) if p.id not in reps)
    for one_thing in ("employee_recruitment", "start_business", "credit_repair"):
        with pytest.raises(Forbidden, match="representative") as refused:
            svc.start_draft(h.citizen(nobody), one_thing)
        assert refused.value.status == 403
    assert not svc.audit.entries(action="draft_start", subject_or_owner=nobody)  # nothing was created
    # A personal form is open to anyone.
    assert svc.start_draft(h.citizen(nobody), "house_transfer_utilities").draft_id

    sc = scenario("employee_recruitment")
    boss = h.citizen(sc.applicant_id)
    assert svc.start_draft(boss, "employee_recruitment").draft_id
    assert svc.audit.entries(action="representative_check", subject_or_owner=sc.applicant_id)
    # Naming an enterprise they do not represent: the same refusal whether it exists or not.
    with svc.shared.session() as s:
        foreign = next(r.id for r in s.scalars(select(EnterpriseRow).order_by(EnterpriseRow.id))
                       if sc.applicant_id not in (r.legal_rep_id, (r.data or {}).get("administrator_id")))
    messages = []
    for enterprise in (foreign, "E99999"):
        with pytest.raises(Forbidden) as refused:
            svc.start_draft(boss, "employee_recruitment", {"enterprise": enterprise})
        messages.append(refused.value.message)
    assert messages[0] == messages[1]


def test_an_approval_request_names_the_requester_masked_and_the_purpose(svc, scenario, h):
    sc = scenario("house_transfer_utilities")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, sc.one_thing_id).draft_id
    svc.grant_all(me, d)
    # The buyer is asked before anything was pre-filled: the request still says who asks.
    svc.edit(me, d, "buyer_id_number", _id_number(svc, sc.subjects["buyer"]))
    with svc.shared.session() as s:
        name = s.get(PersonRow, sc.applicant_id).name
    asks = [a for a in svc.pending_approvals(h.citizen(sc.subjects["buyer"])) if a.draft_id == d]
    assert asks
    for ask in asks:
        assert ask.applicant_display == mask_name(name) != name and ask.applicant_display != "申请人"
        assert ask.purpose == svc.form(sc.one_thing_id).purpose and ask.purpose


def _shape(view) -> tuple:
    """What the applicant can see of a draft, minus ids, times and the masked number itself."""
    subjects = [(x.role, x.resolved, x.decided_by, x.display is not None) for x in view.subjects]
    items = [(i.role, i.source, i.status, i.decided_by, i.decided_by_display, i.subject_display is not None)
             for i in view.consent.items]
    fields = [(f.key, f.state, f.has_value) for f in view.fields if f.key != "buyer_id_number"]
    return subjects, items, fields, view.consent.your_sources, view.counts


def test_a_typed_id_number_reveals_nothing_before_the_person_answers(svc, scenario, h):
    sc = scenario("house_transfer_utilities")
    me = h.citizen(sc.applicant_id)
    real, fake = (svc.start_draft(me, sc.one_thing_id).draft_id for _ in range(2))
    for d in (real, fake):
        svc.grant_all(me, d)
        svc.prefill(me, d)
    log_before = len(svc.my_access_log(me))
    seen = {}
    for d, number in ((real, _id_number(svc, sc.subjects["buyer"])), (fake, UNREGISTERED_ID)):
        seen[d] = [_shape(svc.edit(me, d, "buyer_id_number", number)), _shape(svc.prefill(me, d)),
                   _shape(svc.draft(me, d))]
    assert seen[real] == seen[fake]
    buyer_view = {x.role: x for x in svc.draft(me, real).subjects}["buyer"]
    assert not buyer_view.resolved and buyer_view.decided_by == "other" and buyer_view.display
    # My own data-use record does not show that the number found someone either.
    new = svc.my_access_log(me)[: len(svc.my_access_log(me)) - log_before]
    assert not [e for e in new if e.action == "identity_lookup"]

    # Once the buyer answers, the applicant sees the outcome.
    buyer = h.citizen(sc.subjects["buyer"])
    for ask in [a for a in svc.pending_approvals(buyer) if a.draft_id == real]:
        svc.approve(buyer, real, ask.source, True)
    after = {x.role: x for x in svc.prefill(me, real).subjects}["buyer"]
    assert after.resolved and after.decided_by == "other"
    assert {f.key: f for f in svc.draft(me, real).fields}["buyer_name"].has_value
