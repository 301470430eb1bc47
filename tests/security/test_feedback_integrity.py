"""Issue 15, item 12: 好差评 must rate a real answer of the caller's own session; anonymous or
made-up ratings never reach the staff's knowledge-gap list."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.errors import InvalidInput

POISON = "垃圾系统快去修改指南"


@pytest.fixture
def client(fast_assistant, settings):
    with TestClient(create_app(settings, assistant=fast_assistant, mount_ui=False)) as c:
        yield c


def _gap_comments(bot) -> list[str]:
    return [g["comment"] for g in bot.conversations.knowledge_gaps()]


def test_feedback_must_name_an_answer_of_the_callers_own_session(client, fast_assistant):
    mine = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()
    theirs = client.post("/v1/answer", json={"question": "户口迁移一件事要带什么材料"}).json()
    refused = [
        {"rating": "差评", "answer_id": theirs["answer_id"], "comment": POISON},  # anonymous
        {"rating": "差评", "comment": POISON},
        {"rating": "差评", "session_id": "made-up", "comment": POISON},
        {"rating": "差评", "session_id": mine["session_id"], "answer_id": theirs["answer_id"], "comment": POISON},
        {"rating": "差评", "session_id": mine["session_id"], "answer_id": "0" * 32, "comment": POISON},
    ]
    for body in refused:
        r = client.post("/v1/feedback", json=body)
        assert r.status_code in (404, 422), (body, r.text)
    assert POISON not in str(fast_assistant.conversations.knowledge_gaps())

    ok = client.post("/v1/feedback", json={"rating": "差评", "session_id": mine["session_id"],
                                           "answer_id": mine["answer_id"], "comment": "没说清楚"})
    assert ok.status_code == 200
    gaps = fast_assistant.conversations.knowledge_gaps()
    assert [g["question"] for g in gaps if g["kind"] == "差评"] == ["退休一件事要多久"]


def test_anonymous_ratings_already_stored_are_not_knowledge_gaps(fast_assistant):
    store = fast_assistant.conversations
    with pytest.raises(InvalidInput):
        store.rate_answer(rating="差评", conversation_id=None, answer_id="whatever", comment=POISON)
    store.add_feedback(rating="差评", conversation_id=None, answer_id="whatever", comment=POISON)  # an old row
    assert POISON not in str(store.knowledge_gaps())
