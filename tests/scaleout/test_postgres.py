"""Scale-out is a configuration change: sessions, drafts, submissions and the append-only audit log
work on PostgreSQL through the same code as on SQLite (one URL setting each)."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from assistant.state import ConversationStore
from core.identity import Principal

pytestmark = pytest.mark.integration


def test_conversations_on_postgres_survive_a_new_store(postgres):
    url = postgres()
    a = ConversationStore(url)
    conv = a.load(None)
    conv.state["active_one_thing"] = "retirement"
    a.append(conv, "user", "退休一件事要多久")
    a.add_feedback(rating="差评", conversation_id=conv.id, answer_id=None, question="退休一件事要多久")
    b = ConversationStore(url)  # another API worker on the same database
    again = b.load(conv.id)
    assert again.state["active_one_thing"] == "retirement" and again.history[0]["text"] == "退休一件事要多久"
    assert any(g["kind"] == "差评" for g in b.knowledge_gaps())


def test_prefill_on_postgres_end_to_end_with_append_only_audit(postgres):
    from prefill.seed import scenarios_from_meta
    from prefill.service import PrefillService
    from prefill.sources import SharedDataDB

    shared, state = postgres(), postgres()
    secret = "pg-test-" + "s" * 32
    svc = PrefillService(shared_data_url=shared, state_url=state, secret=secret, seed_people=60, seed_enterprises=12)
    svc.warm_up()
    sc = next(s for s in scenarios_from_meta(SharedDataDB(shared).meta())
              if s.one_thing_id == "retirement" and set(s.subjects.values()) <= {s.applicant_id})
    me = Principal("citizen", sc.applicant_id)
    draft = svc.start_draft(me, "retirement").draft_id
    svc.grant_all(me, draft)
    view = svc.prefill(me, draft)
    assert any(f.provenance for f in view.fields)
    samples = {"date": "2025-01-02", "phone": "13800138000", "bank_card": "6222021234567890128", "text": "说明"}
    todo = {f.key: (f.options[0] if f.type == "enum" else samples.get(f.type, "说明"))
            for f in view.fields if f.state == "to_be_entered" and f.required}
    if todo:
        svc.edit_many(me, draft, todo)
    svc.confirm(me, draft)
    sub = svc.submit(me, draft)

    other = PrefillService(shared_data_url=shared, state_url=state, secret=secret)  # a second worker
    other.warm_up()
    assert other.track(me, sub.tracking_no).tracking_no == sub.tracking_no
    assert other.verify_audit().ok
    engine = create_engine(state)
    for stmt in ("UPDATE prefill_audit_log SET actor = 'x'", "DELETE FROM prefill_audit_log"):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(stmt))
    assert other.verify_audit().ok
