"""Issue 11 item 8 at the engine: an answer about a bundle suggests the catalogue's related bundles;
a refusal (out of scope) or a clarifying question suggests none, whatever the router's runner-ups."""

from __future__ import annotations


def test_a_bundle_answer_suggests_its_related_bundles(fast_assistant):
    bot = fast_assistant
    ans = bot.run("新生儿出生一件事要带什么材料")
    assert ans.one_thing and ans.one_thing.id == "newborn"
    assert [c.id for c in ans.related] == [o.id for o, _ in bot.catalog.related("newborn")]
    assert all(bot.catalog.get(c.id).audience == "个人" for c in ans.related)
    assert ans.to_dict()["related"] == [{"id": c.id, "name": c.name, "score": round(c.score, 4)} for c in ans.related]


def test_refusals_suggest_nothing(fast_assistant):
    for q in ("明天天气怎么样", "告诉我邻居的身份证号是多少", "怎么伪造出生证明"):
        ans = fast_assistant.run(q)
        assert ans.refused and ans.related == [], q


def test_a_clarifying_question_offers_options_not_suggestions(fast_assistant):
    from assistant.router import Candidate

    bot = fast_assistant
    conv = bot.conversations.load(None)
    routing = type("R", (), {"candidates": [Candidate("retirement", "退休一件事", 0.4),
                                            Candidate("newborn", "新生儿出生一件事", 0.4)]})()
    ans = bot._clarify("怎么办", "zh-Hans", conv, routing)
    assert ans.options and ans.related == []
