"""The HTTP API through FastAPI's TestClient on the fast stack."""

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.deps import hash_key
from app.main import create_app
from core.identity import SessionIds


@pytest.fixture
def client(fast_assistant, settings):
    app = create_app(settings, assistant=fast_assistant, mount_ui=False)
    with TestClient(app) as c:
        yield c


def test_answer_contract(client):
    r = client.post("/v1/answer", json={"question": "户口迁移一件事要带什么材料", "session_id": None, "lang": None})
    assert r.status_code == 200
    body = r.json()
    assert body["one_thing"]["id"] == "hukou_migration"
    assert body["citations"] and all({"source_id", "title", "quote"} <= set(c) for c in body["citations"])
    # Source ids contain '#', so a client must percent-encode them in the path.
    src = client.get(f"/v1/sources/{quote(body['citations'][0]['source_id'], safe='')}").json()
    assert body["citations"][0]["quote"] in src["text"]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"question": ""}, "question"),
        ({"question": "x" * 5000}, "question"),
        ({"question": 12}, "question"),
        ({}, "question"),
        ({"question": "退休", "lang": "fr"}, "lang"),
        ({"question": "退休", "extra": 1}, "extra"),
        ({"question": "退休", "session_id": "s" * 100}, "session_id"),
    ],
)
def test_bad_input_is_a_clear_422(client, payload, field):
    r = client.post("/v1/answer", json=payload)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and field in (err.get("field") or "") + err["message"]


def test_malformed_json(client):
    r = client.post("/v1/answer", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "JSON" in r.json()["error"]["message"]


def test_stream_ends_with_answer_object(client):
    with client.stream("POST", "/v1/answer/stream", json={"question": "退休一件事要多久"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        raw = "".join(r.iter_text())
    events = [e for e in raw.split("\n\n") if e.strip()]
    assert events[0].startswith("event: delta")
    last = events[-1]
    assert last.startswith("event: answer")
    obj = json.loads(last.split("data: ", 1)[1])
    assert obj["one_thing"]["id"] == "retirement"


def test_catalogue(client):
    items = client.get("/v1/one-things").json()
    assert len(items) == 27 and items[0]["id"] == "newborn"
    one = client.get("/v1/one-things/start_business").json()
    assert one["merged_form_id"] == "start_business_form" and one["faqs"]
    r = client.get("/v1/one-things/nope")
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]


def test_feedback_goes_to_knowledge_gaps(client, fast_assistant):
    ans = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()
    r = client.post("/v1/feedback", json={"rating": "差评", "session_id": ans["session_id"], "answer_id": ans["answer_id"],
                                          "comment": "没说清楚"})
    assert r.status_code == 200 and r.json()["status"] == "recorded"
    gaps = fast_assistant.conversations.knowledge_gaps()
    assert any(g["kind"] == "差评" and "退休" in g["question"] for g in gaps)
    assert client.post("/v1/feedback", json={"rating": "meh", "session_id": ans["session_id"]}).status_code == 422
    assert client.post("/v1/feedback", json={"rating": "好评"}).status_code == 422


def test_chat_completions(client):
    r = client.post("/v1/chat/completions", json={"model": "yijianshi", "messages": [{"role": "user", "content": "企业开办一件事要多久"}]})
    body = r.json()
    assert r.status_code == 200 and body["object"] == "chat.completion"
    assert "来源" in body["choices"][0]["message"]["content"] and body["citations"]
    assert client.post("/v1/chat/completions", json={"messages": []}).status_code == 422


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json()["answer"] is True
    spec = client.get("/openapi.json").json()
    assert "/v1/answer" in spec["paths"] and "/v1/chat/completions" in spec["paths"]


def test_security_headers(client):
    r = client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "SAMEORIGIN"


def test_api_keys_are_checked_against_hashes(fast_assistant, settings):
    s = settings.model_copy(update={"api_keys": [hash_key("secret-key-1")]})
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        assert c.post("/v1/answer", json={"question": "退休"}).status_code == 401
        assert c.post("/v1/answer", json={"question": "退休"}, headers={"X-API-Key": "wrong"}).status_code == 401
        ok = c.post("/v1/answer", json={"question": "退休一件事"}, headers={"Authorization": "Bearer secret-key-1"})
        assert ok.status_code == 200


def test_rate_limit(fast_assistant, settings):
    s = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        codes = [c.post("/v1/answer", json={"question": "退休一件事"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_unavailable_pipeline_is_a_503_not_a_traceback(settings):
    s = settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"})  # nothing listens there
    with TestClient(create_app(s, mount_ui=False)) as c:
        r = c.post("/v1/answer", json={"question": "退休一件事"})
        assert r.status_code == 503
        assert "not ready" in r.json()["error"]["message"]
        assert c.get("/healthz").json()["status"] == "degraded"


def test_handoff_puts_the_conversation_in_the_staff_queue(client, fast_assistant):
    ans = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()
    r = client.post("/v1/handoff", json={"session_id": ans["session_id"], "reason": "想问人工"})
    assert r.status_code == 200 and r.json()["status"] == "handoff"
    queue = fast_assistant.conversations.list_conversations(status="handoff")
    stored = SessionIds.conversation_id(ans["session_id"])  # what staff know it by
    assert any(c["id"] == stored for c in queue)
    draft = fast_assistant.suggest(stored)  # drafts a reply to the question, not to the 转人工 marker
    assert draft.one_thing.id == "retirement"
    assert client.post("/v1/handoff", json={"session_id": "no-such-session"}).status_code == 404


def test_personal_numbers_in_a_question_are_refused_and_never_stored(client, fast_assistant):
    ans = client.post("/v1/answer", json={"question": "帮我查一下110105199001011234这个人的社保记录"}).json()
    assert ans["refused"] and ans["handoff"]["reason"] == "personal_data_request"
    turns = fast_assistant.conversations.transcript(SessionIds.conversation_id(ans["session_id"]))
    assert all("110105199001011234" not in t["text"] and "110105199001011234" not in str(t["payload"]) for t in turns)


def test_an_api_client_receives_the_clerks_reply(client):
    """Issue 15, item 13: after 转人工 an app polls (or streams) what the clerk writes."""
    first = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()
    sid = first["session_id"]
    assert client.post("/v1/handoff", json={"session_id": sid}).status_code == 200
    assert client.get(f"/v1/sessions/{sid}/staff-replies").json() == []
    bot = client.app.state.services.assistant
    bot.conversations.take_over(SessionIds.conversation_id(sid), "clerk")
    bot.conversations.staff_reply(SessionIds.conversation_id(sid), "clerk", "您好，退休一件事一般在达到退休年龄前办理。")
    replies = client.get(f"/v1/sessions/{sid}/staff-replies").json()
    assert [r["seq"] for r in replies] == [1] and replies[0]["role"] == "staff" and "clerk" not in str(replies)
    assert client.get(f"/v1/sessions/{sid}/staff-replies", params={"after": 1}).json() == []
    with client.stream("GET", f"/v1/sessions/{sid}/staff-replies/stream", params={"wait": 1}) as r:
        raw = "".join(r.iter_text())
    assert "event: staff" in raw and "退休年龄" in raw
    assert client.get("/v1/sessions/nope-no-such/staff-replies").status_code == 404


def test_the_next_answer_carries_the_clerks_replies_not_yet_delivered(client):
    """Issue 15, item 13: an app that never polls /staff-replies still gets what the clerk wrote,
    in the answer to the citizen's next message, each reply once."""
    sid = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()["session_id"]
    assert client.post("/v1/handoff", json={"session_id": sid}).status_code == 200
    store, cid = client.app.state.services.assistant.conversations, SessionIds.conversation_id(sid)
    store.take_over(cid, "clerk")
    store.staff_reply(cid, "clerk", "您好，退休一件事一般当天可办结。")
    store.staff_reply(cid, "clerk", "请带身份证和社保卡。")
    held = client.post("/v1/answer", json={"question": "好的，还要带什么？", "session_id": sid}).json()
    assert held["handoff"]["reason"] == "taken_over"
    assert [(r["seq"], r["text"], r["role"]) for r in held["staff_replies"]] == [
        (1, "您好，退休一件事一般当天可办结。", "staff"), (2, "请带身份证和社保卡。", "staff")]
    assert "clerk" not in str(held["staff_replies"]), "the clerk's name is not disclosed"
    again = client.post("/v1/answer", json={"question": "谢谢", "session_id": sid}).json()
    assert again["staff_replies"] == [], "each reply is delivered once"
    store.staff_reply(cid, "clerk", "不客气。")
    store.hand_back(cid)
    back = client.post("/v1/answer", json={"question": "退休一件事要多久", "session_id": sid}).json()
    assert back["handoff"] is None and [r["seq"] for r in back["staff_replies"]] == [3]
    # Other conversations, and a first answer, carry none; the stored answer turns do not copy them.
    assert client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()["staff_replies"] == []
    assert all("staff_replies" not in (t["payload"] or {}) for t in store.transcript(cid))
    # The field is in the OpenAPI schema, with an example.
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    field = schema["AnswerOut"]["properties"]["staff_replies"]
    assert field["items"]["$ref"].endswith("/StaffReplyOut") and field["examples"][0][0]["role"] == "staff"
