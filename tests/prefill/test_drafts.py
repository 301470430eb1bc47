"""Review, explicit confirmation (409 before it), fan-out to departments, tracking, authorisation."""

import re

import pytest

from core.errors import Conflict, Forbidden, InvalidInput, NotFound


def test_review_groups_by_section_and_department(svc, scenario, h):
    sc = scenario("newborn")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    rev = svc.review(me, view.draft_id)
    form = svc.form("newborn")
    assert [g.key for g in rev.by_section] == [s.key for s in form.sections]
    assert [g.key for g in rev.by_department] == form.departments
    for g in rev.by_section + rev.by_department:
        assert g.edit_label == "修改" and g.edit_target.startswith("section:")
    raw = svc.all_values(view.draft_id)  # a field an earlier choice made unneeded (ask_when) is left out
    for g in rev.by_department:
        assert {i.key for i in g.items} == {f.key for f in form.fields_for(g.key, raw)}
    assert rev.ready_to_confirm and not rev.problems


def test_confirmation_gates_submission(svc, scenario, h):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    svc.grant_all(me, d)
    svc.prefill(me, d)
    with pytest.raises(Conflict) as err:
        svc.submit(me, d)
    assert err.value.status == 409
    rev = svc.review(me, d)
    assert not rev.ready_to_confirm and {p.key for p in rev.problems} == {"retirement_type", "only_child_award"}
    with pytest.raises(InvalidInput, match="retirement_type: is required"):
        svc.confirm(me, d)
    h.fill_to_be_entered(svc, me, d)
    view = svc.confirm(me, d)
    assert view.status == "confirmed" and all(not f.editable for f in view.fields)
    with pytest.raises(Conflict):
        svc.edit(me, d, "contact_phone", "13900001111")
    with pytest.raises(Conflict):
        svc.prefill(me, d)
    assert svc.reopen(me, d).status == "open"
    svc.edit(me, d, "contact_phone", "13900001111")
    svc.confirm(me, d)
    sub = svc.submit(me, d)
    assert re.fullmatch(r"YJS-\d{8}-[A-Z2-9]{6}", sub.tracking_no)
    with pytest.raises(Conflict, match="already submitted"):
        svc.submit(me, d)
    with pytest.raises(Conflict):
        svc.reopen(me, d)


@pytest.mark.parametrize("one_thing", ["newborn", "employee_recruitment", "after_death"])
def test_fan_out_gives_each_department_exactly_its_fields(svc, scenario, h, one_thing):
    sc = scenario(one_thing)
    me, _, sub = h.full_flow(svc, sc)
    form = svc.form(one_thing)
    raw = svc.all_values(sub.draft_id)
    assert [d.department for d in sub.departments] == form.departments
    assert all(d.status == "待受理" for d in sub.departments)
    for dept in form.departments:
        p = svc.department_payload(h.STAFF, sub.tracking_no, dept)
        expected = {f.key for f in form.fields_for(dept, raw)}
        assert set(p.fields) == expected == set(p.labels) == set(p.provenance)
        assert p.department == dept and p.tracking_no == sub.tracking_no and p.applicant_id == me.subject
        for key, value in p.fields.items():
            assert value == raw[key], "department copies carry full values"
    assert svc.audit.entries(action="payload_read", draft_id=sub.draft_id)


def test_staff_advance_department_status(svc, scenario, h):
    sc = scenario("hukou_migration")
    me, _, sub = h.full_flow(svc, sc)
    dept = sub.departments[0].department
    with pytest.raises(Forbidden):
        svc.update_status(me, sub.tracking_no, dept, "已受理")
    with pytest.raises(Conflict):
        svc.update_status(h.STAFF, sub.tracking_no, dept, "已办结")
    with pytest.raises(InvalidInput):
        svc.update_status(h.STAFF, sub.tracking_no, dept, "done")
    with pytest.raises(NotFound):
        svc.update_status(h.STAFF, sub.tracking_no, "月球部门", "已受理")
    for status in ("已受理", "办理中", "已办结"):
        svc.update_status(h.STAFF, sub.tracking_no, dept, status, note="ok")
    view = svc.track(me, sub.tracking_no)
    assert view.departments[0].status == "已办结" and not view.finished
    for d in view.departments[1:]:
        svc.update_status(h.STAFF, sub.tracking_no, d.department, "已受理")
        svc.update_status(h.STAFF, sub.tracking_no, d.department, "已办结")
    assert svc.track(me, sub.tracking_no.lower()).finished
    changes = svc.audit.entries(action="status_change", draft_id=sub.draft_id)
    assert changes and all(e.actor == "staff:clerk" for e in changes)


def test_a_citizen_never_reaches_another_citizens_data(svc, scenario, h):
    a_sc, b_sc = scenario("retirement", 0), scenario("retirement", 1)
    a, b = h.citizen(a_sc.applicant_id), h.citizen(b_sc.applicant_id)
    _, view, sub = h.full_flow(svc, a_sc)
    d = view.draft_id
    for call in (lambda: svc.draft(b, d), lambda: svc.review(b, d), lambda: svc.history(b, d),
                 lambda: svc.consent_request(b, d), lambda: svc.prefill(b, d), lambda: svc.edit(b, d, "contact_phone", "13900001111"),
                 lambda: svc.confirm(b, d), lambda: svc.submit(b, d), lambda: svc.document(b, d),
                 lambda: svc.track(b, sub.tracking_no), lambda: svc.decide_consent(b, d, "population", True),
                 lambda: svc.raw_values(b, d)):
        with pytest.raises(NotFound):
            call()
    assert svc.my_drafts(b) == [] and svc.my_submissions(b) == []
    assert all(e.draft_id != d for e in svc.my_access_log(b))
    assert any(e.draft_id == d for e in svc.my_access_log(a))
    with pytest.raises(Forbidden):
        svc.draft(h.STAFF, d)
    assert svc.track(h.STAFF, sub.tracking_no).tracking_no == sub.tracking_no
