"""Issue 15, item 14: the OpenAI-compatible endpoint uses the `messages` history as the conversation
(follow-ups from the OpenAI SDK, LangChain or any chat UI work), has `GET /v1/models/{id}`, honours
`stream_options.include_usage` and counts usage in token-like units."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.identity import SessionIds


@pytest.fixture
def client(fast_assistant, settings):
    with TestClient(create_app(settings, assistant=fast_assistant, mount_ui=False)) as c:
        yield c


def _ask(client, messages: list[dict], **more) -> dict:
    r = client.post("/v1/chat/completions", json={"model": "yijianshi", "messages": messages, **more})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_follow_up_uses_the_message_history(client):
    first = _ask(client, [{"role": "user", "content": "退休一件事要准备什么材料"}])
    assert first["yijianshi"]["one_thing"]["id"] == "retirement"
    follow = _ask(client, [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "退休一件事要准备什么材料"},
        {"role": "assistant", "content": first["choices"][0]["message"]["content"]},
        {"role": "user", "content": [{"type": "text", "text": "那要多久？"}]},
    ])
    ans = follow["yijianshi"]
    assert not ans["refused"] and ans["one_thing"]["id"] == "retirement", ans
    # Alone, the same follow-up has nothing to follow.
    alone = _ask(client, [{"role": "user", "content": "那要多久？"}])["yijianshi"]
    assert (alone["one_thing"] or {}).get("id") != "retirement"


def test_a_reply_to_a_clarifying_question_picks_the_option(client):
    vague = _ask(client, [{"role": "user", "content": "我想办个证"}])["yijianshi"]
    if not vague["clarifying_question"]:
        pytest.skip("the fast stack routed this question directly")
    history = [{"role": "user", "content": "我想办个证"},
               {"role": "assistant", "content": vague["answer"]},
               {"role": "user", "content": "1"}]
    picked = _ask(client, history)["yijianshi"]
    assert picked["one_thing"]["id"] == vague["candidates"][0]["id"]


def test_history_is_not_stored_as_turns(client, fast_assistant):
    ans = _ask(client, [{"role": "user", "content": "退休一件事要准备什么材料"},
                        {"role": "user", "content": "那要多久？"}])["yijianshi"]
    turns = fast_assistant.conversations.transcript(SessionIds.conversation_id(ans["session_id"]))
    assert [t["role"] for t in turns] == ["user", "assistant"]


def test_model_details(client):
    assert client.get("/v1/models/yijianshi").json() == client.get("/v1/models").json()["data"][0]
    r = client.get("/v1/models/gpt-4o")
    assert r.status_code == 404 and "yijianshi" in r.json()["error"]["message"]


def test_stream_options_include_usage(client):
    body = {"messages": [{"role": "user", "content": "企业开办一件事要多久"}], "stream": True,
            "stream_options": {"include_usage": True}}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        raw = "".join(r.iter_text())
    datas = [line[len("data: "):] for line in raw.splitlines() if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    last = chunks[-1]
    assert last["choices"] == [] and last["usage"]["total_tokens"] == \
        last["usage"]["prompt_tokens"] + last["usage"]["completion_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    # Without the option, no usage chunk (as OpenAI).
    with client.stream("POST", "/v1/chat/completions", json={**body, "stream_options": None}) as r:
        plain = [line for line in "".join(r.iter_text()).splitlines() if line.startswith("data: {")]
    assert all("usage" not in json.loads(line[6:]) for line in plain)


def test_usage_counts_tokens_not_characters(client):
    from app.routers.openai_compat import approx_tokens

    assert approx_tokens("退休一件事") == 5
    assert approx_tokens("How long does it take?") == 6
    assert approx_tokens("internationalisation") == 5
    question = "How long does it take to register a company (企业开办一件事)?"
    body = _ask(client, [{"role": "user", "content": question}])
    usage = body["usage"]
    assert usage["prompt_tokens"] < len(question)
    assert usage["completion_tokens"] == approx_tokens(body["choices"][0]["message"]["content"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
