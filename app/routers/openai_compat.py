"""An OpenAI-compatible `POST /v1/chat/completions`, so any OpenAI SDK client can use the assistant.

The last user message is the question; `user` (if given) is the session id. Citations are appended
to the reply text and also returned in a `citations` field next to `choices`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from app.deps import AssistantDep, Guarded
from app.models import ChatCompletionOut, ChatCompletionRequest, ErrorOut, ModelList
from core.errors import InvalidInput

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses={422: {"model": ErrorOut}})
MODEL = "yijianshi"


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}]; other parts (images, junk) are skipped
        return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def reply_text(ans) -> str:
    if not ans.citations:
        return ans.answer
    refs = "\n".join(f"[{n}] {c.title}（{c.source_id}）：{c.quote}" for n, c in enumerate(ans.citations, 1))
    return f"{ans.answer}\n\n来源 Sources:\n{refs}"


@router.get("/models", response_model=ModelList, summary="OpenAI-compatible model list")
async def models() -> dict:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "yijianshi"}]}


@router.post("/chat/completions", dependencies=Guarded, summary="OpenAI-compatible chat completion",
             response_model=ChatCompletionOut, responses={200: {"content": {"text/event-stream": {}}}})
async def chat_completions(req: ChatCompletionRequest, bot: AssistantDep):
    users = [m for m in req.messages if m.role == "user"]
    if not users:
        raise InvalidInput("messages must contain a user message", field="messages")
    question = _text(users[-1].content)
    ans = await run_in_threadpool(bot.run, question, req.user, None)
    content = reply_text(ans)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    extra = {"citations": [c.to_dict() for c in ans.citations], "yijianshi": ans.to_dict()}
    if not req.stream:
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(question), "completion_tokens": len(content), "total_tokens": len(question) + len(content)},
            **extra,
        }

    def chunks() -> Iterator[dict]:
        base = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL}

        def chunk(delta: dict, finish: str | None = None, **more) -> dict:
            body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **more}
            return {"data": json.dumps(body, ensure_ascii=False)}

        yield chunk({"role": "assistant"})
        for line in content.split("\n"):
            yield chunk({"content": line + "\n"})
        yield chunk({}, "stop", **extra)
        yield {"data": "[DONE]"}

    return EventSourceResponse(chunks(), sep="\n")
