"""sentence-transformers adapter: any local model directory (e.g. bge-small-zh), never downloaded.

The only module that imports sentence_transformers (and so torch), lazily in `warm_up()`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from core.errors import ConfigurationError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    name = "sentence-transformers"

    def __init__(self, model_path: Path | str | None, query_prefix: str = "", passage_prefix: str = "") -> None:
        if model_path is None:
            raise ConfigurationError(
                "YJS_EMBEDDER=sentence-transformers needs YJS_EMBEDDER_MODEL_PATH: a local model directory"
            )
        self.model_path = Path(model_path)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dim = 0
        self._model = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        if not (self.model_path / "config.json").exists() and not (self.model_path / "modules.json").exists():
            raise ConfigurationError(
                f"YJS_EMBEDDER_MODEL_PATH={self.model_path} is not a sentence-transformers model directory "
                "(no modules.json/config.json); models are never downloaded"
            )
        # Belt and braces: even a misconfigured path must not reach a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigurationError(
                "sentence-transformers is not installed: pip install '.[local-models]' (YJS_EMBEDDER)"
            ) from exc
        self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        dim_fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_fn())
        log.info("loaded sentence-transformers model from %s (dim=%d)", self.model_path, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        return np.asarray(self._model.encode(self.query_prefix + text, normalize_embeddings=True), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode([self.passage_prefix + t for t in texts], normalize_embeddings=True, batch_size=32)
        return np.asarray(vecs, dtype=np.float32)
