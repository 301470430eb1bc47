"""An OpenAI-compatible `POST /v1/chat/completions`, so any OpenAI SDK client can use the assistant.

The last user message is the question and the earlier user messages are the conversation: OpenAI
clients (the SDK, LangChain, chat UIs) keep the history themselves and send it every time, so each
request answers in a fresh conversation rebuilt from that history (`Assistant.run(context=...)`).
`user` is only a label and never selects a stored conversation. Citations are appended to the reply
text and also returned in a `citations` field next to `choices`; `usage` counts tokens roughly as a
BPE tokenizer would.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from app.deps import AssistantDep, Guarded, SessionsDep
from app.models import ChatCompletionOut, ChatCompletionRequest, ErrorOut, ModelList, ModelOut
from core.errors import InvalidInput, NotFound

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses={422: {"model": ErrorOut}})
MODEL = "yijianshi"
MODEL_OBJECT = {"id": MODEL, "object": "model", "created": 0, "owned_by": "yijianshi"}
# Earlier questions rebuilt per request: each costs about one answer, so only the recent ones (the
# state a follow-up needs — the active one-thing, a pending clarifying question — comes from them).
MAX_CONTEXT_TURNS = 5
MESSAGE_OVERHEAD_TOKENS = 4  # what OpenAI's chat format adds per message (role and separators)
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z]+|\d+|\S")


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}]; other parts (images, junk) are skipped
        return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def approx_tokens(text: str) -> int:
    """About what a BPE tokenizer counts: one per Chinese character, one per four letters or digits
    of a word, one per other symbol (no tokenizer ships offline for our model, so this estimates)."""
    return sum(-(-len(t) // 4) if t.isascii() and t.isalnum() else 1 for t in _TOKEN.findall(text or ""))


def reply_text(ans) -> str:
    if not ans.citations:
        return ans.answer
    refs = "\n".join(f"[{n}] {c.title}（{c.source_id}）：{c.quote}" for n, c in enumerate(ans.citations, 1))
    return f"{ans.answer}\n\n来源 Sources:\n{refs}"


@router.get("/models", response_model=ModelList, summary="OpenAI-compatible model list")
async def models() -> dict:
    return {"object": "list", "data": [MODEL_OBJECT]}


@router.get("/models/{model_id}", response_model=ModelOut, summary="OpenAI-compatible model details",
            responses={404: {"model": ErrorOut}})
async def model(model_id: Annotated[str, Path(max_length=64)]) -> dict:
    if model_id != MODEL:
        raise NotFound(f"no model {model_id!r}: the only model is {MODEL!r}")
    return MODEL_OBJECT


@router.post("/chat/completions", dependencies=Guarded, summary="OpenAI-compatible chat completion",
             response_model=ChatCompletionOut, responses={200: {"content": {"text/event-stream": {}}}})
async def chat_completions(req: ChatCompletionRequest, bot: AssistantDep, sessions: SessionsDep):
    users = [_text(m.content) for m in req.messages if m.role == "user"]
    if not users:
        raise InvalidInput("messages must contain a user message", field="messages")
    question, context = users[-1], users[:-1][-MAX_CONTEXT_TURNS:]
    # A fresh conversation every time (never one named by `user`), rebuilt from the client's history.
    ref = sessions.resume_or_new(None)
    ans = await run_in_threadpool(lambda: bot.run(question, ref.conversation_id, None, context=context))
    ans.session_id = ref.session_id
    content = reply_text(ans)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    prompt_tokens = sum(approx_tokens(_text(m.content)) + MESSAGE_OVERHEAD_TOKENS for m in req.messages)
    completion_tokens = approx_tokens(content)
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    extra = {"citations": [c.to_dict() for c in ans.citations], "yijianshi": ans.to_dict()}
    if not req.stream:
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage,
            **extra,
        }
    include_usage = bool(req.stream_options and req.stream_options.include_usage)

    def chunks() -> Iterator[dict]:
        base = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL}
        if include_usage:  # as OpenAI does: every chunk has "usage": null but the extra last one
            base["usage"] = None

        def chunk(delta: dict, finish: str | None = None, **more) -> dict:
            body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **more}
            return {"data": json.dumps(body, ensure_ascii=False)}

        yield chunk({"role": "assistant"})
        for line in content.split("\n"):
            yield chunk({"content": line + "\n"})
        yield chunk({}, "stop", **extra)
        if include_usage:
            yield {"data": json.dumps({**base, "choices": [], "usage": usage}, ensure_ascii=False)}
        yield {"data": "[DONE]"}

    return EventSourceResponse(chunks(), sep="\n")
