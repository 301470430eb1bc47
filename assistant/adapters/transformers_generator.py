"""Local transformers causal-LM backend: a model directory on disk, never downloaded.

The only module that imports transformers (lazily, in `warm_up`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from assistant.generators import PromptedGenerator
from core.errors import ConfigurationError

log = logging.getLogger(__name__)


class TransformersGenerator(PromptedGenerator):
    name = "transformers"

    def __init__(self, model_path: Path | str | None, max_new_tokens: int = 256) -> None:
        if model_path is None:
            raise ConfigurationError("YJS_GENERATOR=transformers needs YJS_GENERATOR_MODEL_PATH (a local model directory)")
        self.model_path = Path(model_path)
        self.max_new_tokens = max_new_tokens
        self._model = None
        self._tok = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        if not (self.model_path / "config.json").exists():
            raise ConfigurationError(f"YJS_GENERATOR_MODEL_PATH={self.model_path} has no config.json; models are never downloaded")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ConfigurationError("transformers is not installed: pip install '.[local-models]' (YJS_GENERATOR)") from exc
        self._tok = AutoTokenizer.from_pretrained(str(self.model_path), local_files_only=True)
        self._model = AutoModelForCausalLM.from_pretrained(str(self.model_path), local_files_only=True)
        self._model.eval()
        log.info("loaded transformers generator from %s", self.model_path)

    def generate(self, system: str, user: str) -> str:
        self.warm_up()
        import torch

        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        if getattr(self._tok, "chat_template", None):
            prompt = self._tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            prompt = f"{system}\n\n{user}\n\n"
        inputs = self._tok(prompt, return_tensors="pt")
        with torch.no_grad():
            out = self._model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                       pad_token_id=self._tok.pad_token_id or self._tok.eos_token_id)
        return self._tok.decode(out[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
