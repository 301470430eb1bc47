"""Issue 15 item 6: a question's cost must not explode with its length.

The embedder's cost grows faster than the text, so only a question's head is embedded; the stages that
read every word (content words) run in linear time. No timings here (scripts/question_length_benchmark.py
prints them): the tests pin the behaviour that keeps the cost bounded.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from assistant.aspects import _TRIGGERS, content_words, is_content
from core.errors import InvalidInput
from knowledge.embedders import HashEmbedder
from knowledge.retrieval import MAX_EMBED_CHARS, HybridRetriever
from knowledge.store import InMemoryStore

LONG = ("孩子刚出生，我想问一下新生儿落户、医保参保和社保卡要带什么材料，去哪里办，多久能办好？" * 50)[:2000]


class RecordingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_query(self, text: str):
        self.seen.append(text)
        return super().embed_query(text)


def test_only_the_head_of_a_long_question_is_embedded():
    emb = RecordingEmbedder()
    retriever = HybridRetriever(InMemoryStore(), emb)
    q = retriever.prepare(LONG)
    assert emb.seen == [q.search_text[:MAX_EMBED_CHARS]] and len(emb.seen[0]) == MAX_EMBED_CHARS
    # Every other stage still reads the whole question.
    assert len(q.normalized) == len(LONG) and len(q.tokens) > 500
    short = retriever.prepare("孩子刚出生要办哪些手续？")
    assert emb.seen[-1] == short.search_text  # a short question is embedded whole


def test_max_embed_chars_is_checked():
    with pytest.raises(ValueError, match="max_embed_chars"):
        HybridRetriever(InMemoryStore(), HashEmbedder(), max_embed_chars=0)


def test_the_engine_embeds_a_2000_character_question_once_and_bounded(fast_assistant, monkeypatch):
    seen: list[int] = []
    embed = fast_assistant.retriever.embedder.embed_query
    monkeypatch.setattr(fast_assistant.retriever.embedder, "embed_query", lambda t: seen.append(len(t)) or embed(t))
    ans = fast_assistant.run(LONG)
    assert ans.answer and seen and max(seen) <= MAX_EMBED_CHARS
    with pytest.raises(InvalidInput, match="limit is 2000"):  # the documented maximum, a 422 at the API
        fast_assistant.run(LONG + "？")


def _pairwise(tokens) -> set[str]:
    """The definition content_words implements without comparing every pair of words."""
    content = [t for t in tokens if is_content(t) and not any(t in w for w in _TRIGGERS if len(t) >= 2)]
    return {t for t in content if not any(t != u and t in u for u in content)}


def test_content_words_equal_the_pairwise_definition():
    rng = random.Random(15)
    alphabet = [*"社保卡新生儿落户多久材料办理流程天气ab", "how long", "x" * 20, "x" * 17, "多长时间"]
    for _ in range(2000):
        tokens = tuple("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 12)))
        assert content_words(SimpleNamespace(tokens=tokens)) == _pairwise(tokens), tokens
