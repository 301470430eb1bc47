"""Staff help-desk routes; the actions themselves live in `assistant.desk.StaffDesk`.

Routes (all need a staff token from POST /v1/auth/staff-login; tests/app/test_route_docs.py checks
this table against the real routes):
  GET  /v1/staff/conversations                                   the queue (hand-offs first; ?status=)
  GET  /v1/staff/conversations/{conversation_id}                 transcript, matched one-thing, materials
  POST /v1/staff/conversations/{conversation_id}/take-over       the bot stops answering
  GET  /v1/staff/conversations/{conversation_id}/suggestion      the assistant's draft reply with sources
  POST /v1/staff/conversations/{conversation_id}/reply           send the (edited) reply
  POST /v1/staff/conversations/{conversation_id}/hand-back       the bot answers again
  GET  /v1/staff/knowledge-gaps                                  refused / 差评 questions by topic
  POST /v1/staff/tickets/route                                   12345-style message → domain, department, type
  GET  /v1/staff/audit                                           the staff audit log (?conversation_id=)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.deps import StaffDep, UserGuarded
from app.models import AnswerOut, ErrorOut
from assistant.desk import StaffDesk
from assistant.tickets.model import ROUTE_HEAD_CHARS


def get_desk(request: Request) -> StaffDesk:
    return request.app.state.services.desk()


# --- REST ----------------------------------------------------------------------------------------
class QueueItemOut(BaseModel):
    id: str
    status: str
    updated_at: str
    assigned_to: str | None
    one_thing_id: str | None
    one_thing_name: str | None
    preview: str = Field(..., description="The citizen's latest message, personal numbers masked.")


class MaterialOut(BaseModel):
    name: str
    e_licence: bool
    required: bool
    tolerance: bool
    note: str | None


class OneThingBrief(BaseModel):
    id: str
    name: str
    name_en: str
    materials: list[MaterialOut]


class TurnOut(BaseModel):
    role: str
    text: str
    at: str
    staff: str | None = None


class ConversationOut(BaseModel):
    id: str
    status: str
    assigned_to: str | None
    one_thing: OneThingBrief | None
    turns: list[TurnOut]


class ActionOut(BaseModel):
    conversation_id: str
    status: str
    assigned_to: str | None


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=4000)


class GapGroupOut(BaseModel):
    topic: str = Field(..., description="one_thing:<id>, near:<id> (refused, nearest bundle), keyword:<word> or other")
    label: str
    one_thing_id: str | None
    count: int
    refused: int
    bad: int
    questions: list[str]
    comments: list[str]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(..., min_length=1, max_length=4000, examples=["小区门口的路灯坏了一个多月了，晚上很不安全"],
                         description=f"The citizen's message; it is routed by its first {ROUTE_HEAD_CHARS} characters.")


class TicketOut(BaseModel):
    domain: str
    department: str
    domain_score: float
    message_type: str
    type_score: float
    top_domains: list[tuple[str, float]]


class AuditEntryOut(BaseModel):
    id: int
    at: str
    staff_user: str
    action: str
    conversation_id: str | None
    detail: dict[str, Any]


router = APIRouter(prefix="/v1/staff", tags=["staff help-desk"], dependencies=UserGuarded,
                   responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                              409: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
DeskDep = Annotated[StaffDesk, Depends(get_desk)]


@router.get("/conversations", response_model=list[QueueItemOut], summary="The queue: hand-offs first")
def queue(staff: StaffDep, desk: DeskDep,
          status: Annotated[Literal["bot", "handoff", "staff", "closed"] | None, Query()] = None,
          limit: Annotated[int, Query(ge=1, le=200)] = 50,
          offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> list[dict]:
    return desk.queue(staff, status, limit=limit, offset=offset)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut,
            summary="A citizen's conversation with the matched one-thing and its materials")
def conversation(conversation_id: str, staff: StaffDep, desk: DeskDep) -> dict:
    return desk.open(staff, conversation_id)


@router.post("/conversations/{conversation_id}/take-over", response_model=ActionOut, summary="Take over (转人工)")
def take_over(conversation_id: str, staff: StaffDep, desk: DeskDep) -> dict:
    return desk.take_over(staff, conversation_id)


@router.get("/conversations/{conversation_id}/suggestion", response_model=AnswerOut | None,
            summary="The assistant's suggested reply, with sources")
def suggestion(conversation_id: str, staff: StaffDep, desk: DeskDep) -> dict | None:
    return desk.suggest(staff, conversation_id)


@router.post("/conversations/{conversation_id}/reply", response_model=ActionOut, summary="Send a reply to the citizen")
def reply(conversation_id: str, body: ReplyIn, staff: StaffDep, desk: DeskDep) -> dict:
    return desk.reply(staff, conversation_id, body.text)


@router.post("/conversations/{conversation_id}/hand-back", response_model=ActionOut, summary="Hand back to the assistant")
def hand_back(conversation_id: str, staff: StaffDep, desk: DeskDep) -> dict:
    return desk.hand_back(staff, conversation_id)


@router.get("/knowledge-gaps", response_model=list[GapGroupOut], summary="Refused and 差评 questions by topic")
def knowledge_gaps(staff: StaffDep, desk: DeskDep) -> list[dict]:
    return desk.knowledge_gaps(staff)


@router.post("/tickets/route", response_model=TicketOut, summary="Route a 12345-style message")
def route_ticket(body: TicketIn, staff: StaffDep, desk: DeskDep) -> dict:
    return desk.route_ticket(staff, body.message)


@router.get("/audit", response_model=list[AuditEntryOut], summary="The staff audit log, newest first")
def audit(staff: StaffDep, desk: DeskDep,
          conversation_id: Annotated[str | None, Query(max_length=64)] = None) -> list[dict]:
    return desk.audit_log(staff, conversation_id)
