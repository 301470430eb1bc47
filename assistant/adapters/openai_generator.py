"""OpenAI-compatible endpoint backend (vLLM, Ollama, Xinference, a provincial model platform)."""

from __future__ import annotations

import logging

from assistant.generators import PromptedGenerator
from core.errors import ConfigurationError, ServiceUnavailable

log = logging.getLogger(__name__)


class OpenAIGenerator(PromptedGenerator):
    name = "openai"

    def __init__(self, base_url: str | None, model: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        if not base_url:
            raise ConfigurationError("YJS_GENERATOR=openai needs YJS_OPENAI_BASE_URL (e.g. http://127.0.0.1:8001/v1)")
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self._client = None

    def warm_up(self) -> None:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key or "not-needed", timeout=self.timeout, max_retries=1)

    def generate(self, system: str, user: str) -> str:
        self.warm_up()
        try:
            resp = self._client.chat.completions.create(
                model=self.model, temperature=0,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            )
        except Exception as exc:  # network, auth, model errors: one clear 503
            raise ServiceUnavailable(f"generator endpoint {self.base_url} failed: {type(exc).__name__}") from exc
        return resp.choices[0].message.content or ""
