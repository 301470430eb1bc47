"""问: POST /v1/answer, its streaming variant, 好差评 feedback, 转人工 and the clerk's replies, cited sources."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sse_starlette import EventSourceResponse

from app.deps import AssistantDep, Guarded, SessionsDep
from app.models import (
    AnswerOut,
    AnswerRequest,
    ErrorOut,
    FeedbackOut,
    FeedbackRequest,
    HandoffAck,
    HandoffRequest,
    SourceOut,
    StaffReplyOut,
)
from core.errors import NotFound

STAFF_POLL_S = 2.0  # how often an open stream looks for new clerk replies
SessionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+(?:[.:][A-Za-z0-9_-]+)*$")]

router = APIRouter(prefix="/v1", tags=["answer"], responses={422: {"model": ErrorOut}, 429: {"model": ErrorOut}})


@router.post("/answer", response_model=AnswerOut, dependencies=Guarded, summary="Answer a question with citations")
async def answer(req: AnswerRequest, bot: AssistantDep, sessions: SessionsDep) -> dict:
    """Routes the question to a one-thing and answers from the guides; every citation quote is a
    verbatim substring of its source. Refuses and hands off (12345 / 综合窗口) rather than guess.
    Send the returned `session_id` back to continue; it is issued by the server and works only for
    the client (API key) that got it — any other value starts a new conversation."""
    ref = sessions.resume_or_new(req.session_id)
    ans = await run_in_threadpool(bot.run, req.question, ref.conversation_id, req.lang)
    ans.session_id = ref.session_id  # the client's signed id; the engine knows only the stored one
    return ans.to_dict()


@router.post("/answer/stream", dependencies=Guarded, summary="Answer as a Server-Sent Events stream",
             response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def answer_stream(req: AnswerRequest, bot: AssistantDep, sessions: SessionsDep) -> EventSourceResponse:
    """`event: delta` carries the answer line by line; the last `event: answer` the full answer object."""
    ref = sessions.resume_or_new(req.session_id)
    ans = await run_in_threadpool(bot.run, req.question, ref.conversation_id, req.lang)
    ans.session_id = ref.session_id

    # Events as dicts, so the response's own separator ("\n", what simple clients split on) applies.
    def events() -> Iterator[dict]:
        for line in ans.answer.split("\n"):
            yield {"event": "delta", "data": json.dumps({"text": line + "\n"}, ensure_ascii=False)}
        yield {"event": "answer", "data": json.dumps(ans.to_dict(), ensure_ascii=False)}

    return EventSourceResponse(events(), sep="\n")


@router.post("/feedback", response_model=FeedbackOut, dependencies=Guarded, summary="好差评: rate an answer",
             responses={404: {"model": ErrorOut}})
async def feedback(req: FeedbackRequest, bot: AssistantDep, sessions: SessionsDep) -> FeedbackOut:
    """Rates an answer of the caller's own session (404 for any other session or answer)."""
    sid = sessions.require(req.session_id).conversation_id
    fid = await run_in_threadpool(
        lambda: bot.conversations.rate_answer(rating=req.rating, conversation_id=sid, answer_id=req.answer_id,
                                              comment=req.comment))
    return FeedbackOut(id=fid)


@router.post("/handoff", response_model=HandoffAck, dependencies=Guarded, summary="转人工: hand the conversation to staff",
             responses={404: {"model": ErrorOut}})
async def handoff(req: HandoffRequest, bot: AssistantDep, sessions: SessionsDep) -> HandoffAck:
    """The citizen asks for a person: the conversation joins the help-desk queue (status handoff)."""
    sid = sessions.require(req.session_id).conversation_id  # 404 for another client's (or a made-up) session
    await run_in_threadpool(bot.conversations.transcript, sid)  # 404 for an unknown session
    await run_in_threadpool(bot.conversations.request_handoff, sid, req.reason)
    return HandoffAck(session_id=req.session_id)


@router.get("/sessions/{session_id}/staff-replies", response_model=list[StaffReplyOut], dependencies=Guarded,
            summary="A clerk's replies after a hand-off (poll with ?after=)", responses={404: {"model": ErrorOut}})
async def staff_replies(session_id: SessionId, bot: AssistantDep, sessions: SessionsDep,
                        after: Annotated[int, Query(ge=0, description="The last seq already shown.")] = 0) -> list[dict]:
    """After 转人工 the citizen's app shows what the clerk writes: poll this (every few seconds), or
    hold `/staff-replies/stream` open. The clerk's name is not disclosed, only their role."""
    return await run_in_threadpool(bot.conversations.staff_replies,
                                   sessions.require(session_id).conversation_id, after)


@router.get("/sessions/{session_id}/staff-replies/stream", dependencies=Guarded,
            summary="A clerk's replies as Server-Sent Events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}, 404: {"model": ErrorOut}})
async def staff_replies_stream(session_id: SessionId, bot: AssistantDep, sessions: SessionsDep,
                               after: Annotated[int, Query(ge=0)] = 0,
                               wait: Annotated[int, Query(ge=1, le=120, description="Seconds to stay open.")] = 60
                               ) -> EventSourceResponse:
    """`event: staff` per reply (data: a StaffReplyOut as JSON), checked every 2 s for `wait` seconds;
    reconnect with ?after=<last seq> to go on."""
    conversation_id = sessions.require(session_id).conversation_id
    await run_in_threadpool(bot.conversations.transcript, conversation_id)  # 404 before the stream starts

    async def events():
        seen, deadline = after, time.monotonic() + wait
        while time.monotonic() < deadline:
            for reply in await run_in_threadpool(bot.conversations.staff_replies, conversation_id, seen):
                seen = reply["seq"]
                yield {"event": "staff", "id": str(seen), "data": json.dumps(reply, ensure_ascii=False)}
            await asyncio.sleep(STAFF_POLL_S)

    return EventSourceResponse(events(), sep="\n")


@router.get("/sources/{source_id:path}", response_model=SourceOut, summary="The text a citation quotes from",
            responses={404: {"model": ErrorOut}})
async def source(source_id: str, bot: AssistantDep) -> SourceOut:
    """A citation's `source_id` (an indexed chunk) or an id of the answer's `more` list (a whole guide
    section, e.g. `newborn#materials`): its title and full text."""
    rec = bot.retriever.record(source_id)
    if rec is not None:
        return SourceOut(source_id=rec.chunk_id, title=rec.title, text=rec.text)
    section = bot.catalog.section_by_id(source_id)
    if section is not None:
        return SourceOut(source_id=section.source_id, title=section.title, text=section.text)
    chunks = bot.retriever.records_for_source(source_id)
    if not chunks:
        raise NotFound(f"no source {source_id!r}")
    return SourceOut(source_id=source_id, title=chunks[0].title, text="".join(r.text for r in chunks))
