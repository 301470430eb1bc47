"""One command, one unit of work: a command that fails part-way (here: its audit append) leaves no
trace — not its change, not the audit entries written before the failure. And the draft state
machine refuses wrong moves naming the draft's status and what it allows."""

import pytest
from sqlalchemy import func, select

from core.errors import Conflict
from prefill.store import ConsentDecisionRow, DraftRow, EditRow, StatusRow, SubmissionRow


class AuditDown(RuntimeError):
    pass


def fail_on(svc, monkeypatch, action: str, nth: int = 1) -> None:
    """Make the audit log's `nth` append of `action` raise (after the command has written its change)."""
    real = svc.audit.append
    seen = {"n": 0}

    def append(s, **kw):
        if kw["action"] == action:
            seen["n"] += 1
            if seen["n"] == nth:
                raise AuditDown(f"audit log unavailable at {action} #{nth}")
        return real(s, **kw)

    monkeypatch.setattr(svc.audit, "append", append)


def count(svc, row_type, *where) -> int:
    with svc.state.session() as s:
        return s.scalar(select(func.count()).select_from(row_type).where(*where))


def test_submit_rolls_back_whole_when_its_audit_entry_fails(svc, scenario, h, monkeypatch):
    sc = scenario("retirement")
    me, view, _ = h.full_flow(svc, sc, submit=False)
    d = view.draft_id
    entries = svc.verify_audit().entries
    fail_on(svc, monkeypatch, "submit")
    with pytest.raises(AuditDown):
        svc.submit(me, d)
    monkeypatch.undo()
    after = svc.draft(me, d)
    assert after.status == "confirmed" and after.tracking_no is None and after.submitted_at is None
    assert count(svc, SubmissionRow, SubmissionRow.draft_id == d) == 0
    assert count(svc, StatusRow) == 0
    assert svc.verify_audit().entries == entries and svc.verify_audit().ok
    assert svc.submit(me, d).tracking_no  # nothing half-done blocks the retry


def test_confirm_rolls_back_when_its_audit_entry_fails(svc, scenario, h, monkeypatch):
    sc = scenario("retirement")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    fail_on(svc, monkeypatch, "confirm")
    with pytest.raises(AuditDown):
        svc.confirm(me, view.draft_id)
    monkeypatch.undo()
    after = svc.draft(me, view.draft_id)
    assert after.status == "open" and after.confirmed_at is None and all(
        f.editable for f in after.fields if f.state != "authoritative")
    assert not svc.audit.entries(draft_id=view.draft_id, action="confirm")


def test_prefill_keeps_no_reads_and_no_values_when_a_later_read_fails(svc, scenario, h, monkeypatch):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    svc.grant_all(me, d)
    before = svc.draft(me, d)
    fail_on(svc, monkeypatch, "read", nth=2)  # the first read is already logged in the transaction
    with pytest.raises(AuditDown):
        svc.prefill(me, d)
    monkeypatch.undo()
    after = svc.draft(me, d)
    assert not after.prefilled and after.prefill_rate == 0 and after.fields == before.fields
    assert svc.audit.entries(draft_id=d, action="read") == []
    assert svc.prefill(me, d).prefill_rate > 0.5


def test_edit_many_and_grant_all_are_all_or_nothing(svc, scenario, h, monkeypatch):
    sc = scenario("retirement")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    sources = svc.consent_request(me, d).your_sources
    assert len(sources) > 1
    fail_on(svc, monkeypatch, "consent_grant", nth=len(sources))
    with pytest.raises(AuditDown):
        svc.grant_all(me, d)
    monkeypatch.undo()
    assert count(svc, ConsentDecisionRow, ConsentDecisionRow.draft_id == d) == 0
    assert {i.status for i in svc.consent_request(me, d).items if i.decided_by == "you"} == {"pending"}

    fail_on(svc, monkeypatch, "edit", nth=2)
    with pytest.raises(AuditDown):
        svc.edit_many(me, d, {"retirement_type": "正常退休", "contact_phone": "13900001111"})
    monkeypatch.undo()
    assert count(svc, EditRow, EditRow.draft_id == d) == 0
    with svc.state.session() as s:
        row = s.get(DraftRow, d)
        assert row.version == 1 and row.values["retirement_type"]["value"] is None


def test_wrong_moves_name_the_status_and_what_it_allows(svc, scenario, h):
    sc = scenario("retirement")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    d = view.draft_id
    with pytest.raises(Conflict) as err:
        svc.reopen(me, d)
    assert "the draft is open" in err.value.message and "it can go to confirmed" in err.value.message
    with pytest.raises(Conflict) as err:
        svc.submit(me, d)
    assert err.value.message.endswith("(the draft is open; from open it can go to confirmed) (请先核对并确认后再提交)")
    svc.confirm(me, d)
    with pytest.raises(Conflict) as err:
        svc.edit(me, d, "contact_phone", "13900001111")
    assert "the draft is confirmed; changes are allowed only while it is open" in err.value.message
    assert err.value.message.endswith("(撤回确认后再修改)")  # the UI's Chinese wording stays last
    with pytest.raises(Conflict) as err:
        svc.confirm(me, d)
    assert "from confirmed it can go to open or submitted" in err.value.message
    svc.submit(me, d)
    with pytest.raises(Conflict, match="already submitted") as err:
        svc.submit(me, d)
    assert "the draft is submitted; from submitted it can go to nowhere, it is final" in err.value.message
