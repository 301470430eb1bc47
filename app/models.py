"""Request and response models of the HTTP API (the answer object is a fixed contract)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.lang import LangTag

# Letters, digits, '_' and '-', in parts joined by single '.' or ':' — never a path ('/', '..', '\\').
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]+(?:[.:][A-Za-z0-9_-]+)*$")


def _session_id(value: str) -> str:
    if not _SESSION_ID.match(value):
        raise ValueError("session_id must be 1-64 letters, digits, '_' or '-' (parts joined by '.' or ':'), "
                         "exactly as POST /v1/answer returned it")
    return value


STAFF_REPLY_EXAMPLE = {"seq": 1, "text": "您好，我是政务服务中心窗口工作人员。退休一件事需带身份证和社保卡，一般当天可办结。",
                       "at": "2026-12-02T08:15:04+00:00", "role": "staff"}
SessionIdIn = Annotated[str, AfterValidator(_session_id)]
SESSION_ID_DOC = ("The session_id a previous answer returned to you. Ids are issued by the server and bound to "
                  "the client (API key) that got them; any other value starts a new conversation.")


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="The citizen's question, 1-2000 characters.", examples=["孩子刚出生要办哪些手续？"])
    session_id: SessionIdIn | None = Field(None, max_length=64, description="Continue a conversation: " + SESSION_ID_DOC)
    lang: LangTag | None = Field(
        None, description="Answer language/script; detected from the question when omitted.")


class CandidateOut(BaseModel):
    id: str
    name: str
    score: float


class CitationOut(BaseModel):
    source_id: str
    title: str
    quote: str = Field(..., description="A verbatim substring of the cited source (GET /v1/sources/{source_id}).")


class HandoffOut(BaseModel):
    channel: str
    reason: str


class MoreOut(BaseModel):
    """A guide section a short answer left out: open it with GET /v1/sources/{id}."""

    id: str = Field(..., examples=["newborn#materials"])
    label: str = Field(..., examples=["所需材料"])


class StaffReplyOut(BaseModel):
    """A clerk's reply to the citizen after 转人工 (the clerk's name is not disclosed, only the role)."""

    model_config = ConfigDict(json_schema_extra={"examples": [STAFF_REPLY_EXAMPLE]})
    seq: int = Field(..., description="1, 2, … in order; poll again with ?after=<the last seq you have>.")
    text: str
    at: str = Field(..., description="When the clerk sent it (ISO 8601, UTC).")
    role: Literal["staff"] = "staff"


class AnswerOut(BaseModel):
    answer: str
    one_thing: CandidateOut | None
    candidates: list[CandidateOut]
    citations: list[CitationOut]
    clarifying_question: str | None
    refused: bool
    handoff: HandoffOut | None
    session_id: str | None = Field(None, description="Send it back to continue this conversation (and to rate it, "
                                   "hand it to staff or read staff replies); it works only for the client that got it.")
    answer_id: str | None = None
    lang: str | None = None
    more: list[MoreOut] = Field([], description="Sections of the bundle's guide not in this short answer "
                                "(materials, time and fees, where to apply…), each fetchable at /v1/sources/{id}.")
    related: list[CandidateOut] = Field([], description="One-things to suggest next: those the catalogue relates "
                                        "to the answered one (same applicant, a shared life stage); empty after a "
                                        "refusal or a clarifying question.")
    staff_replies: list[StaffReplyOut] = Field(
        [], description="After 转人工: what a clerk wrote since the last answer you received, oldest first (each "
        "reply comes once; `seq` numbers them as GET /v1/sessions/{session_id}/staff-replies does, so an app that "
        "also polls can drop the ones it has).", examples=[[STAFF_REPLY_EXAMPLE]])


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["好评", "差评", "good", "bad", "1", "2", "3", "4", "5"] = Field(..., description="好差评 rating.")
    session_id: SessionIdIn = Field(..., max_length=64, description="Your session (from the answer you are rating).")
    answer_id: str | None = Field(None, max_length=64, description="The rated answer of that session; its latest when omitted.")
    comment: str = Field("", max_length=1000)


class FeedbackOut(BaseModel):
    id: int
    status: Literal["recorded"] = "recorded"


class HandoffRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: SessionIdIn = Field(..., min_length=1, max_length=64, description="Your conversation to hand to a person.")
    reason: str = Field("citizen_request", max_length=200, description="Why, in a few words (shown to staff).")


class HandoffAck(BaseModel):
    session_id: str
    status: Literal["handoff"] = "handoff"


class SourceOut(BaseModel):
    source_id: str
    title: str
    text: str


class OneThingSummary(BaseModel):
    id: str
    name: str
    name_en: str
    audience: str
    summary: str
    lead_department: str


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = Field(False, description="Send a last chunk with `usage` (and empty `choices`) before [DONE].")


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = "yijianshi"
    messages: list[ChatMessage] = Field(..., min_length=1, description=(
        "The conversation so far, as OpenAI clients send it: the last user message is the question and the "
        "earlier user messages are its context (follow-ups like 那要多久？ work). System and assistant messages "
        "are not instructions to the assistant."))
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(None, max_length=64, description=(
        "An end-user label, as in OpenAI's API. It never selects a stored conversation: `messages` is the "
        "conversation."))


# The OpenAI-compatible response, as documented: extra fields are kept (extra="allow"), so what the
# route adds later reaches the client even before these models name it.
class ChatReplyMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["assistant"] = "assistant"
    content: str = Field(..., description="The answer, with its sources appended (来源 Sources: [n] title（id）：quote).")


class ChatChoice(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int = 0
    message: ChatReplyMessage
    finish_reason: str | None = "stop"


class ChatUsage(BaseModel):
    model_config = ConfigDict(extra="allow")
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionOut(BaseModel):
    """An OpenAI `chat.completion` object plus the assistant's own `citations` and answer object."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "chatcmpl-5f1c", "object": "chat.completion", "created": 1764667800, "model": "yijianshi",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": "新生儿出生一件事……\n\n来源 Sources:\n[1] 新生儿出生一件事 · 材料（newborn#materials）：……"}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 180, "total_tokens": 192},
        "citations": [{"source_id": "newborn#materials", "title": "新生儿出生一件事 · 材料", "quote": "……"}],
    }]})
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage | None = None
    citations: list[CitationOut] = Field(default_factory=list, description="The answer's citations (verbatim quotes).")
    yijianshi: AnswerOut | None = Field(None, description="The full answer object, as from POST /v1/answer.")


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str


class ModelList(BaseModel):
    """OpenAI-compatible model list."""

    object: Literal["list"] = "list"
    data: list[ModelOut]
