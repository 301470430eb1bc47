"""FaqMatcher: the FAQ whose own question asks what is asked, by the cosine of query vectors; and the composer
leads with that FAQ's answer, before the parts a word count would pick."""

import numpy as np
import pytest

from assistant.aspects import Ask
from assistant.composer import GroundedComposer
from assistant.faq_match import SAME_QUESTION, FaqMatcher
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog
from knowledge.chunking import chunk_document
from knowledge.documents import Record
from knowledge.text import normalize


class _Table:
    """An embedder that knows a few texts' vectors (every other text: a vector orthogonal to them all)."""

    name = "table"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.asked: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        self.asked.append(text)
        return self.vectors.get(text, np.eye(4)[3])

    def embed_documents(self, texts):
        return np.vstack([self.embed_query(t) for t in texts])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR)


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _matcher(o, lang: str, n: int, vector: np.ndarray) -> tuple[FaqMatcher, _Table]:
    faqs = o.en.faqs if lang == "en" else o.faqs
    table = _Table({normalize(faqs[n].question): vector})
    return FaqMatcher(table), table


def test_the_closest_faq_question_is_taken_only_from_the_threshold(catalog):
    o = catalog.get("social_security_card")
    m, _ = _matcher(o, "en", 1, _unit(1, 0, 0, 0))
    near = _unit(1, 0.2, 0, 0)  # cosine 0.98
    far = _unit(1, 0.6, 0, 0)  # cosine 0.86
    assert float(near @ _unit(1, 0, 0, 0)) >= SAME_QUESTION > float(far @ _unit(1, 0, 0, 0))
    assert m.best(o, "en", near) == 1
    assert m.best(o, "en", far) is None
    assert m.best(o, "en", None) is None  # a question prepared without a vector (BM25 only)


def test_faq_questions_are_embedded_once_folded_and_per_guide_language(catalog):
    o = catalog.get("newborn")
    m, table = _matcher(o, "zh", 0, _unit(1, 0, 0, 0))
    m.warm_up(catalog)
    n = len(table.asked)
    assert n == sum(len(x.faqs) + len(x.en.faqs if x.en else x.faqs) for x in catalog.one_things)
    assert normalize(o.faqs[0].question) in table.asked and o.en.faqs[0].question in table.asked
    m.best(o, "zh", _unit(1, 0, 0, 0))
    assert len(table.asked) == n  # not again


def test_the_composer_leads_with_the_faq_that_asks_the_question(catalog):
    index: dict[str, list[Record]] = {}
    for d in catalog.documents():
        for c in chunk_document(d, max_chars=400):
            index.setdefault(c.source_id, []).append(Record(c.chunk_id, c.text, {**c.metadata, "title": c.title}))
    o = catalog.get("social_security_card")
    m, _ = _matcher(o, "en", 1, _unit(1, 0, 0, 0))
    composer = GroundedComposer(catalog, lambda sid: index.get(sid, []), faqs=m)
    # "How do I get the electronic social security card on my phone?" reads as a "how to" question: without the
    # matcher the steps of a service lead.
    ask = Ask(["steps"], {"electronic", "phone"}, text="how do i get the electronic social security card on my phone?",
              vector=_unit(1, 0.1, 0, 0))
    lead = composer.compose(o, ask, [], lang="en").statements[0]
    assert lead.citation.source_id.startswith("social_security_card#faq-2@en")
    assert "Zhangshang 12333" in lead.quote
    unmatched = Ask(["steps"], {"electronic", "phone"}, text=ask.text, vector=_unit(0, 1, 0, 0))
    assert not composer.compose(o, unmatched, [], lang="en").statements[0].citation.source_id.startswith(
        "social_security_card#faq-2")
    # "What is this bundle" is answered by the overview, whatever FAQ it resembles.
    what_is = Ask(what_is=True, text="what is the social security card bundle?", vector=_unit(1, 0, 0, 0))
    assert composer.compose(o, what_is, [], lang="en").overview
