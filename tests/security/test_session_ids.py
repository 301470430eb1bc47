"""Issue 15, item 1: session ids are issued by the server, unguessable and bound to the client that
got them. A caller-chosen, forged or another client's id never opens a stored conversation: the
answer endpoints start a new one, the endpoints that need an existing one answer 404. Path-like ids
are refused. The OpenAI endpoint's `user` field never selects a conversation; the CLI's batch
`session` labels keep working."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from app.cli import _batch
from app.deps import hash_key
from app.main import create_app
from core.identity import SessionIds

FIRST = "退休一件事要准备什么材料"


@pytest.fixture
def client(fast_assistant, settings):
    with TestClient(create_app(settings, assistant=fast_assistant, mount_ui=False)) as c:
        yield c


def _topic_leaks(ans: dict) -> bool:
    return (ans.get("one_thing") or {}).get("id") == "retirement"


def test_a_chosen_session_id_is_not_shared_between_clients(client, fast_assistant):
    first = client.post("/v1/answer", json={"question": FIRST, "session_id": "shared-label"}).json()
    assert first["session_id"] != "shared-label", "the server issues the id, whatever the caller sent"
    # A second client sending the same label, or the first one's real id without its tag, gets a
    # fresh conversation: the follow-up is not understood as being about retirement.
    for other in ("shared-label", first["session_id"].split(".")[0]):
        ans = client.post("/v1/answer", json={"question": "那要多久？", "session_id": other}).json()
        assert ans["session_id"] not in (other, first["session_id"])
        assert not _topic_leaks(ans)
    stored = SessionIds.conversation_id(first["session_id"])
    assert [t["role"] for t in fast_assistant.conversations.transcript(stored)] == ["user", "assistant"]
    # The owner continues with the id it was given.
    again = client.post("/v1/answer", json={"question": "那要多久？", "session_id": first["session_id"]}).json()
    assert again["session_id"] == first["session_id"] and _topic_leaks(again)


def test_issued_ids_are_unguessable_and_tagged(client):
    ids = {client.post("/v1/answer", json={"question": FIRST}).json()["session_id"] for _ in range(3)}
    assert len(ids) == 3 and all(re.fullmatch(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{22}", i) for i in ids)


@pytest.mark.parametrize("forged", ["no-such-session", "0" * 32, "0" * 32 + "." + "A" * 22])
def test_someone_elses_or_made_up_session_is_404(client, forged):
    owner = client.post("/v1/answer", json={"question": FIRST}).json()
    nonce = owner["session_id"].split(".")[0]
    for sid in (forged, nonce, nonce + "." + "A" * 22):
        assert client.post("/v1/handoff", json={"session_id": sid}).status_code == 404
        assert client.post("/v1/feedback", json={"rating": "差评", "session_id": sid}).status_code == 404
        assert client.get(f"/v1/sessions/{sid}/staff-replies").status_code == 404
        assert client.get(f"/v1/sessions/{sid}/staff-replies/stream", params={"wait": 1}).status_code == 404
    assert client.post("/v1/handoff", json={"session_id": owner["session_id"]}).status_code == 200


def test_ids_are_bound_to_the_api_key_that_got_them(fast_assistant, settings):
    s = settings.model_copy(update={"api_keys": [hash_key("key-one"), hash_key("key-two")]})
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        one, two = {"X-API-Key": "key-one"}, {"X-API-Key": "key-two"}
        sid = c.post("/v1/answer", json={"question": FIRST}, headers=one).json()["session_id"]
        stolen = c.post("/v1/answer", json={"question": "那要多久？", "session_id": sid}, headers=two).json()
        assert stolen["session_id"] != sid and not _topic_leaks(stolen)
        assert c.post("/v1/handoff", json={"session_id": sid}, headers=two).status_code == 404
        assert c.get(f"/v1/sessions/{sid}/staff-replies", headers=two).status_code == 404
        assert c.post("/v1/handoff", json={"session_id": sid}, headers=one).status_code == 200


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a/b", "..", "a..b", ".hidden", "C:\\x", "a b"])
def test_path_like_ids_are_refused(client, bad):
    for path, body in (("/v1/answer", {"question": FIRST, "session_id": bad}),
                       ("/v1/handoff", {"session_id": bad}),
                       ("/v1/feedback", {"rating": "好评", "session_id": bad})):
        r = client.post(path, json=body)
        assert r.status_code == 422 and "session_id" in r.json()["error"]["message"], (path, r.text)


def test_openai_user_field_does_not_select_a_conversation(client, fast_assistant):
    ask = {"messages": [{"role": "user", "content": FIRST}], "user": "alice"}
    first = client.post("/v1/chat/completions", json=ask).json()
    # Someone else with the same `user` (and no history) does not continue alice's conversation.
    other = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "那要多久？"}],
                                                      "user": "alice"}).json()
    assert other["yijianshi"]["session_id"] != first["yijianshi"]["session_id"]
    assert not _topic_leaks(other["yijianshi"])
    assert fast_assistant.conversations.list_conversations()  # sanity: something was stored
    assert all(c["id"] != "alice" for c in fast_assistant.conversations.list_conversations(limit=200))


def test_cli_batch_session_labels_continue_their_own_conversation(fast_assistant, tmp_path, capsys):
    # A conversation already stored under the id "a" (say, from an earlier run) is not joined by label "a".
    fast_assistant.run("户口迁移一件事要带什么材料", "a")
    lines = [{"id": 1, "question": FIRST, "session": "a"},
             {"id": 2, "question": "户口迁移一件事要带什么材料", "session": "b"},
             {"id": 3, "question": "那要多久？", "session": "a"},
             {"id": 4, "question": "那要多久？", "session": "b"}]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    assert _batch(fast_assistant, batch, None) == 0
    out = {o["id"]: o for o in map(json.loads, capsys.readouterr().out.splitlines())}
    assert out[1]["session_id"] == out[3]["session_id"] != out[2]["session_id"] == out[4]["session_id"]
    assert out[1]["session_id"] != "a"
    assert out[3]["one_thing"]["id"] == "retirement" and out[4]["one_thing"]["id"] == "hukou_migration"
