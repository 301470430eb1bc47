"""The audit log: complete, append-only (no API, triggers), hash-chained (tampering detected)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError


def test_every_read_edit_confirm_submit_and_decision_is_logged(svc, scenario, h):
    sc = scenario("newborn")
    me, view, sub = h.full_flow(svc, sc)
    entries = svc.audit.entries(draft_id=view.draft_id)
    actions = [e.action for e in entries]
    for action in ("draft_start", "consent_grant", "read", "edit", "confirm", "submit"):
        assert action in actions, action
    edits = [e for e in entries if e.action == "edit"]
    assert len(edits) == len(svc.history(me, view.draft_id))
    for e in entries:
        assert e.actor and e.at and e.hash and e.prev_hash
    for e in (e for e in entries if e.action == "read"):
        assert e.source and e.fields and e.purpose.startswith("newborn:") and e.subject_id and e.owner_id == me.subject
    sources_read = {e.source for e in entries if e.action == "read"}
    assert sources_read == {"population", "e_licence", "social_insurance"}
    assert svc.verify_audit().ok


def test_access_log_shows_who_read_what_for_what(svc, scenario, h):
    sc = scenario("newborn")
    me, view, _ = h.full_flow(svc, sc, confirm=False)
    other = next(p for p in (sc.subjects["father"], sc.subjects["mother"]) if p != me.subject)
    log = svc.my_access_log(h.citizen(other))
    reads = [e for e in log if e.action == "read" and e.about_you]
    assert reads and all(e.who.startswith("申请人") and e.purpose and e.source_label for e in reads)
    assert any("公民身份号码" in e.fields for e in reads)
    assert all(e.draft_id is None for e in reads), "the other person does not get the applicant's draft id"


def test_update_and_delete_are_refused_by_the_database(svc, scenario, h):
    h.full_flow(svc, scenario("retirement"), confirm=False)
    with svc.state.engine.connect() as conn:
        for stmt in ("UPDATE prefill_audit_log SET actor = 'x' WHERE id = 1", "DELETE FROM prefill_audit_log WHERE id = 1"):
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(stmt))
    assert not hasattr(svc.audit, "update") and not hasattr(svc.audit, "delete")
    assert svc.verify_audit().ok


def test_tampering_is_detected(svc, scenario, h):
    h.full_flow(svc, scenario("retirement"), confirm=False)
    report = svc.verify_audit()
    assert report.ok and report.entries > 5
    with svc.state.engine.begin() as conn:  # an attacker with raw database access drops the triggers
        conn.execute(text("DROP TRIGGER prefill_audit_no_update"))
        conn.execute(text("DROP TRIGGER prefill_audit_no_delete"))
        conn.execute(text("UPDATE prefill_audit_log SET purpose = 'nothing to see' WHERE id = 3"))
    bad = svc.verify_audit()
    assert not bad.ok and bad.first_bad_id == 3
    with svc.state.engine.begin() as conn:
        conn.execute(text("DELETE FROM prefill_audit_log WHERE id >= 3"))
    cut = svc.verify_audit()
    assert not cut.ok and "missing" in cut.reason
