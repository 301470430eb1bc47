"""Builds the knowledge side of the pipeline from settings: store, embedder, catalogue, retriever.

Entry points (CLI, API lifespan, evals) call these once and pass the objects down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from knowledge.catalog import Catalog
from knowledge.embedders import Embedder, build_embedder
from knowledge.ingest import Ingestor, IngestReport, collect_documents
from knowledge.retrieval import HybridRetriever
from knowledge.store import ChromaStore, VectorStore

log = logging.getLogger(__name__)


# A name shorter than this is a common word, not a name: 退休一件事 without its suffix is 退休, which is in 退休金 (a
# pension: "老人过世了，退休金怎么停") and made the router answer after-death questions with the retirement bundle
# although its model gave 身后一件事 0.94 (a named bundle overrides the model, assistant/router.py).
MIN_NAME_CHARS = 3


def catalog_terms(catalog: Catalog) -> dict[str, list[str]]:
    """Names and aliases that identify a one-thing when they appear verbatim in a question."""
    from knowledge.text import normalize

    terms = {}
    for o in catalog:
        base = [o.name, o.name.removesuffix("一件事"), *o.aliases]
        terms[o.id] = sorted({normalize(t) for t in base if len(normalize(t)) >= MIN_NAME_CHARS}, key=len,
                             reverse=True)
    return terms


def build_store(settings: Settings) -> VectorStore:
    return ChromaStore(settings.chroma_collection, path=settings.resolved_chroma_path, url=settings.chroma_url)


@dataclass
class Knowledge:
    catalog: Catalog
    store: VectorStore
    embedder: Embedder
    retriever: HybridRetriever

    def warm_up(self) -> None:
        self.retriever.warm_up()


def build_knowledge(settings: Settings, *, store: VectorStore | None = None, embedder: Embedder | None = None) -> Knowledge:
    catalog = Catalog.from_dir(settings.guides_dir)
    store = store or build_store(settings)
    embedder = embedder or build_embedder(settings.embedder, settings.embedder_model_path, settings.embedder_threads)
    retriever = HybridRetriever(
        store,
        embedder,
        catalog_terms=catalog_terms(catalog),
        top_k=settings.retrieval_top_k,
        candidates=settings.retrieval_candidates,
        rrf_k=settings.rrf_k,
        fusion=settings.fusion,
        dense_weight=settings.dense_weight,
        cache_dir=settings.data_dir / "cache",
    )
    return Knowledge(catalog, store, embedder, retriever)


def ingest(settings: Settings, extra: list[Path] | None = None, *, store: VectorStore | None = None,
           embedder: Embedder | None = None, progress: bool = True) -> IngestReport:
    """Sync the index with the catalogue plus the configured and given folders."""
    docs = collect_documents(settings.guides_dir, [*settings.extra_guides_dirs, *(extra or [])])
    store = store or build_store(settings)
    embedder = embedder or build_embedder(settings.embedder, settings.embedder_model_path, settings.embedder_threads)
    return Ingestor(store, embedder, progress=progress).run(docs)


def index_is_empty(settings: Settings) -> bool:
    store = build_store(settings)
    store.warm_up()
    return store.count() == 0


def build_assistant(settings: Settings, *, knowledge: Knowledge | None = None, embedder: Embedder | None = None):
    """The whole answer pipeline, ready for `warm_up()`."""
    from assistant.decision.training import TrainingSources
    from assistant.engine import Assistant
    from assistant.generators import build_generator
    from assistant.router import OneThingRouter
    from assistant.state import ConversationStore
    from knowledge.catalog import load_out_of_scope

    kb = knowledge or build_knowledge(settings, embedder=embedder)
    router = OneThingRouter(
        kb.catalog,
        kb.embedder,
        out_of_scope=load_out_of_scope(settings.guides_dir),
        clarify_margin=settings.clarify_margin,
        cache_dir=settings.data_dir / "cache",
    )
    return Assistant(
        kb.catalog,
        kb.retriever,
        router,
        ConversationStore(settings.resolved_database_url),
        generator=build_generator(settings),
        hotline=settings.handoff_hotline,
        max_question_chars=settings.max_question_chars,
        decision_model_path=settings.resolved_decision_model_path,
        reranker_path=settings.resolved_reranker_model_path,
        general_answer_threshold=settings.general_answer_threshold,
        training=TrainingSources(benchmarks=settings.benchmarks_dir),
    )
