"""The staff help-desk API (/v1/staff): authorisation, the hand-off workflow, audit, gaps, tickets."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.identity import hash_password

ID_NUMBER = "110105199001011234"


@pytest.fixture
def app(fast_assistant, settings):
    s = settings.model_copy(update={"staff_accounts": {"clerk2": hash_password("second-clerk-pw")}})
    return create_app(s, assistant=fast_assistant, mount_ui=False)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _login(client, user="clerk", password="clerk-demo") -> dict:
    r = client.post("/v1/auth/staff-login", json={"user": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def staff(client):
    return _login(client)


@pytest.fixture
def handed_off(client):
    """A citizen asked about retirement, then pressed 转人工; their (signed) session id."""
    ans = client.post("/v1/answer", json={"question": "退休一件事要准备什么材料"}).json()
    assert client.post("/v1/handoff", json={"session_id": ans["session_id"]}).status_code == 200
    return ans["session_id"]


def _conversation_id(client, staff, index: int = 0) -> str:
    """The id staff know a conversation by: from the queue (newest first), never the citizen's session id."""
    return client.get("/v1/staff/conversations", headers=staff).json()[index]["id"]


ROUTES = [
    ("get", "/v1/staff/conversations", None),
    ("get", "/v1/staff/conversations/x", None),
    ("post", "/v1/staff/conversations/x/take-over", None),
    ("get", "/v1/staff/conversations/x/suggestion", None),
    ("post", "/v1/staff/conversations/x/reply", {"text": "您好"}),
    ("post", "/v1/staff/conversations/x/hand-back", None),
    ("get", "/v1/staff/knowledge-gaps", None),
    ("post", "/v1/staff/tickets/route", {"message": "路灯坏了"}),
    ("get", "/v1/staff/audit", None),
]


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_staff_routes_need_a_staff_sign_in(client, app, method, path, body):
    r = client.request(method, path, json=body)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    citizen = {"Authorization": f"Bearer {app.state.services.signer.issue('citizen', 'P0001')}"}
    r = client.request(method, path, json=body, headers=citizen)
    assert r.status_code == 403 and "staff" in r.json()["error"]["message"]
    r = client.request(method, path, json=body, headers={"Authorization": "Bearer forged.token"})
    assert r.status_code == 401


def test_hand_off_workflow_is_audited(client, staff, handed_off, fast_assistant):
    citizen_sid = handed_off
    queue = client.get("/v1/staff/conversations", headers=staff).json()
    sid = queue[0]["id"]  # the conversation as staff know it
    assert queue[0]["status"] == "handoff"
    assert queue[0]["preview"] == "退休一件事要准备什么材料"  # the question, not the 转人工 marker
    assert [c["id"] for c in client.get("/v1/staff/conversations?status=handoff", headers=staff).json()] == [sid]

    conv = client.get(f"/v1/staff/conversations/{sid}", headers=staff).json()
    assert conv["status"] == "handoff" and conv["turns"][0]["text"] == "退休一件事要准备什么材料"
    assert conv["one_thing"]["id"] == "retirement" and conv["one_thing"]["materials"]

    sug = client.get(f"/v1/staff/conversations/{sid}/suggestion", headers=staff).json()
    assert sug["one_thing"]["id"] == "retirement" and sug["citations"] and not sug["refused"]

    r = client.post(f"/v1/staff/conversations/{sid}/reply", json={"text": "您好"}, headers=staff)
    assert r.status_code == 409 and "take" in r.json()["error"]["message"]

    r = client.post(f"/v1/staff/conversations/{sid}/take-over", headers=staff)
    assert r.json() == {"conversation_id": sid, "status": "staff", "assigned_to": "clerk"}
    held = client.post("/v1/answer", json={"question": "要多久能办好？", "session_id": citizen_sid}).json()
    assert held["handoff"]["reason"] == "taken_over"

    other = _login(client, "clerk2", "second-clerk-pw")
    r = client.post(f"/v1/staff/conversations/{sid}/take-over", headers=other)
    assert r.status_code == 409 and "clerk" in r.json()["error"]["message"]
    assert client.post(f"/v1/staff/conversations/{sid}/reply", json={"text": "x"}, headers=other).status_code == 409

    reply = sug["answer"] + "\n如有疑问请再联系我们。"
    r = client.post(f"/v1/staff/conversations/{sid}/reply", json={"text": reply}, headers=staff)
    assert r.status_code == 200
    turns = fast_assistant.conversations.transcript(sid)
    assert turns[-1]["role"] == "staff" and turns[-1]["text"] == reply and turns[-1]["payload"]["staff"] == "clerk"

    assert client.post(f"/v1/staff/conversations/{sid}/hand-back", headers=staff).json()["status"] == "bot"
    back = client.post("/v1/answer", json={"question": "退休一件事要多久", "session_id": citizen_sid}).json()
    assert back["handoff"] is None and back["one_thing"]["id"] == "retirement"

    log = client.get(f"/v1/staff/audit?conversation_id={sid}", headers=staff).json()
    mine = [e["action"] for e in reversed(log) if e["staff_user"] == "clerk"]
    assert mine == ["view", "suggest", "take_over", "reply", "hand_back"]
    assert log[[e["action"] for e in log].index("reply")]["detail"] == {"chars": len(reply)}  # counts, not text


def test_unknown_conversation_and_bad_input(client, staff):
    for method, path in [("get", "/v1/staff/conversations/nope"), ("post", "/v1/staff/conversations/nope/take-over"),
                         ("get", "/v1/staff/conversations/nope/suggestion")]:
        r = client.request(method, path, headers=staff)
        assert r.status_code == 404 and "nope" in r.json()["error"]["message"]
    r = client.post("/v1/staff/conversations/nope/reply", json={"text": ""}, headers=staff)
    assert r.status_code == 422 and r.json()["error"]["field"] == "text"
    r = client.post("/v1/staff/tickets/route", json={"message": "x" * 5000}, headers=staff)
    assert r.status_code == 422
    assert client.get("/v1/staff/conversations?status=nonsense", headers=staff).status_code == 422


def test_staff_sees_personal_numbers_masked(client, staff):
    client.post("/v1/answer", json={"question": f"我的身份证号是{ID_NUMBER}，退休一件事要准备什么材料"})
    queue = client.get("/v1/staff/conversations", headers=staff).text
    conv = client.get(f"/v1/staff/conversations/{_conversation_id(client, staff)}", headers=staff).text
    assert ID_NUMBER not in queue and ID_NUMBER not in conv and "110105********1234" in conv


def test_knowledge_gaps_grouped_by_topic(client, staff):
    ans = client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()
    client.post("/v1/feedback", json={"rating": "差评", "session_id": ans["session_id"], "answer_id": ans["answer_id"],
                                      "comment": f"没说清楚，我的身份证号是{ID_NUMBER}"})
    assert client.post("/v1/answer", json={"question": "明天北京天气怎么样"}).json()["refused"]
    # (A request for someone's ID number is refused too, but it is no gap in the guides.)
    assert client.post("/v1/answer", json={"question": f"告诉我邻居的身份证号是不是{ID_NUMBER}"}).json()["refused"]
    groups = client.get("/v1/staff/knowledge-gaps", headers=staff).json()
    retire = next(g for g in groups if g["topic"] == "one_thing:retirement")
    assert retire["label"] == "退休一件事" and retire["bad"] == 1
    assert retire["comments"] == ["没说清楚，我的身份证号是110105********1234"]
    assert "退休一件事要多久" in retire["questions"]
    assert sum(g["refused"] for g in groups) == 1
    body = str(groups)
    assert ID_NUMBER not in body and "邻居" not in body


def test_ticket_routing_without_a_model_says_how_to_train(client, staff):
    r = client.post("/v1/staff/tickets/route", json={"message": "小区门口的路灯坏了"}, headers=staff)
    assert r.status_code == 503
    assert "python -m assistant.tickets train" in r.json()["error"]["message"]


def _tiny_records():
    rows = []
    for i in range(8):
        rows.append({"message": f"小区路灯坏了第{i}天，道路坑洼积水，请尽快维修", "domain": "城建", "message_type": "投诉/求助"})
        rows.append({"message": f"孩子上学报名第{i}次咨询，学校招生划片怎么算", "domain": "教育", "message_type": "咨询"})
    return rows


def test_ticket_routing_with_a_model_is_audited(client, staff, app):
    from assistant.tickets import TicketRouter

    router = TicketRouter(min_class_examples=2)
    router.train(_tiny_records())
    router.save(app.state.services.settings.resolved_ticket_model_path)
    r = client.post("/v1/staff/tickets/route", json={"message": "我家门口的路灯坏了，晚上很黑"}, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["domain"] == "城建" and body["department"] == "住房和城乡建设部门"
    assert body["message_type"] in {"投诉/求助", "咨询"} and 0 < body["domain_score"] <= 1
    assert [d for d, _ in body["top_domains"]][0] == "城建"
    entry = client.get("/v1/staff/audit", headers=staff).json()[0]
    assert entry["action"] == "route_ticket" and entry["detail"]["domain"] == "城建"
    assert "路灯" not in str(entry)  # the message itself is not copied into the audit log


def test_the_queue_pages_and_filters(client, staff, fast_assistant):
    """Issue 15, item 11: more than one page of conversations; a hand-off is never lost under them."""
    ids = [fast_assistant.run(f"退休一件事要多久{n}").session_id for n in range(7)]
    fast_assistant.conversations.request_handoff(ids[0], "citizen_request")
    page1 = client.get("/v1/staff/conversations", params={"limit": 3}, headers=staff).json()
    page2 = client.get("/v1/staff/conversations", params={"limit": 3, "offset": 3}, headers=staff).json()
    assert len(page1) == 3 and len(page2) == 3 and not {r["id"] for r in page1} & {r["id"] for r in page2}
    handoffs = client.get("/v1/staff/conversations", params={"status": "handoff"}, headers=staff).json()
    assert ids[0] in [r["id"] for r in handoffs]
    assert client.get("/v1/staff/conversations", params={"limit": 0}, headers=staff).status_code == 422


def test_staff_never_see_or_use_the_citizens_session_id(client, staff, handed_off):
    """Issue 15: the signed session id is a bearer secret (whoever holds it speaks as the citizen), so
    staff know the conversation by a separate id that cannot be used on the citizen's API."""
    citizen_sid = handed_off
    nonce, tag = citizen_sid.split(".")
    cid = _conversation_id(client, staff)
    seen = [client.get("/v1/staff/conversations", headers=staff).text,
            client.get(f"/v1/staff/conversations/{cid}", headers=staff).text,
            client.get(f"/v1/staff/conversations/{cid}/suggestion", headers=staff).text]
    client.post(f"/v1/staff/conversations/{cid}/take-over", headers=staff)
    client.post(f"/v1/staff/conversations/{cid}/reply", json={"text": "您好，我是窗口工作人员。"}, headers=staff)
    seen.append(client.get("/v1/staff/audit", headers=staff).text)
    assert cid != citizen_sid and all(tag not in text and citizen_sid not in text for text in seen)
    # The staff id is not a session id: the citizen's API does not accept it...
    r = client.get(f"/v1/sessions/{cid}/staff-replies")
    assert r.status_code == 404
    fresh = client.post("/v1/answer", json={"question": "退休一件事要多久", "session_id": cid}).json()
    assert fresh["session_id"] != citizen_sid and fresh["handoff"] is None, "it starts a new conversation"
    # ... and the citizen's own id is not a conversation id on the staff API.
    assert client.get(f"/v1/staff/conversations/{citizen_sid}", headers=staff).status_code == 404
    # The clerk's reply still reaches the citizen under their own id.
    assert [m["text"] for m in client.get(f"/v1/sessions/{citizen_sid}/staff-replies").json()] == ["您好，我是窗口工作人员。"]


def test_ticket_routing_reads_a_bounded_head_of_a_long_message(client, staff, app, monkeypatch):
    """Issue 15, item 6: what the router vectorises is the message's first ROUTE_HEAD_CHARS characters,
    however long the message (up to the 4,000 accepted), so its cost does not grow with length."""
    from assistant.tickets import TicketRouter
    from assistant.tickets import model as ticket_model

    router = TicketRouter(min_class_examples=2)
    router.train(_tiny_records())
    router.save(app.state.services.settings.resolved_ticket_model_path)
    seen: list[str] = []
    proba = ticket_model._Head.proba
    monkeypatch.setattr(ticket_model._Head, "proba", lambda head, texts: seen.extend(texts) or proba(head, texts))
    head = "我家门口的路灯坏了，晚上很黑。"
    message = (head * 400)[:4000]
    r = client.post("/v1/staff/tickets/route", json={"message": message}, headers=staff)
    assert r.status_code == 200 and r.json()["domain"] == "城建"
    assert seen and all(t == message[:ticket_model.ROUTE_HEAD_CHARS] for t in seen), [len(t) for t in seen]
    assert ticket_model.ROUTE_HEAD_CHARS <= 512
    seen.clear()
    client.post("/v1/staff/tickets/route", json={"message": head}, headers=staff)
    assert seen == [head, head], "a short message is routed whole"
    entry = client.get("/v1/staff/audit", headers=staff).json()[1]
    assert entry["detail"]["chars"] == 4000, "the audit still records the length the clerk sent"
