"""The API as an integrating developer uses it: the official OpenAI Python client against a live
server on loopback, and our own OpenAI-compatible generator backend pointed at it."""

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_openai_client_chat_completion(live_server):
    from openai import OpenAI

    client = OpenAI(base_url=live_server + "/v1", api_key="unused")
    resp = client.chat.completions.create(model="yijianshi", messages=[{"role": "user", "content": "孩子刚出生要办哪些手续"}])
    text = resp.choices[0].message.content
    assert "新生儿出生一件事" in text and "来源" in text
    extra = resp.model_extra or {}
    assert extra.get("citations"), "citations travel next to choices"


def test_openai_client_streaming(live_server):
    from openai import OpenAI

    client = OpenAI(base_url=live_server + "/v1", api_key="unused")
    stream = client.chat.completions.create(model="yijianshi", stream=True,
                                            messages=[{"role": "user", "content": "企业注销一件事要多久"}])
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert "企业注销" in text and "办理时限" in text


def test_openai_generator_backend_against_live_endpoint(live_server):
    from assistant.adapters.openai_generator import OpenAIGenerator
    from assistant.composer import Citation, Composition, Statement
    from assistant.generators import ground_check

    quote = "办理时限：一般5个工作日内办结（不含制证和邮寄时间）"
    comp = Composition([Statement("time", quote, Citation("newborn#time_fees", "t", quote))])
    gen = OpenAIGenerator(live_server + "/v1", "yijianshi")
    out = gen.rephrase("新生儿出生一件事要多久", comp, "zh-Hans")
    assert out  # the endpoint answered
    assert "5个工作日" in ground_check(out, comp, fallback=quote)


def test_answer_endpoint_and_multi_turn(live_server):
    first = httpx.post(live_server + "/v1/answer", json={"question": "我爸上周去世了，后事手续怎么办"}, timeout=30).json()
    assert first["one_thing"]["id"] == "after_death"
    follow = httpx.post(live_server + "/v1/answer", json={"question": "可以代办吗？", "session_id": first["session_id"]},
                        timeout=30).json()
    assert follow["one_thing"]["id"] == "after_death" and follow["citations"]


def test_unreachable_generator_is_a_clear_error():
    from assistant.adapters.openai_generator import OpenAIGenerator
    from core.errors import ServiceUnavailable

    gen = OpenAIGenerator("http://127.0.0.1:9/v1", "m", timeout=2)
    with pytest.raises(ServiceUnavailable, match="127.0.0.1:9"):
        gen.generate("s", "u")
