"""The one home of every status list and its allowed moves: drafts, department progress, conversations.

A StrEnum member *is* its string, so rows in the database, JSON bodies and comparisons with plain
strings keep working; the tables of allowed transitions live beside the lists they constrain.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class DraftStatus(StrEnum):
    """A merged-form draft: filled in (open) → confirmed by the citizen → submitted. Un-confirming
    goes back to open; a submitted draft is final."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    SUBMITTED = "submitted"


DRAFT_TRANSITIONS: dict[DraftStatus, tuple[DraftStatus, ...]] = {
    DraftStatus.OPEN: (DraftStatus.CONFIRMED,),
    DraftStatus.CONFIRMED: (DraftStatus.OPEN, DraftStatus.SUBMITTED),
    DraftStatus.SUBMITTED: (),
}
# Values, consent decisions and pre-fill change only in these states; confirming locks them.
DRAFT_EDITABLE: tuple[DraftStatus, ...] = (DraftStatus.OPEN,)
DRAFT_STATUS_ZH = {DraftStatus.OPEN: "填写中", DraftStatus.CONFIRMED: "已确认", DraftStatus.SUBMITTED: "已提交"}


class DepartmentStatus(StrEnum):
    """One department's part of a submitted bundle, as the 政务服务 hall names the steps."""

    RECEIVED = "待受理"
    ACCEPTED = "已受理"
    IN_PROGRESS = "办理中"
    NEEDS_MORE = "需补正"
    DONE = "已办结"
    REJECTED = "不予受理"


# The same list as a Literal, so request models and the OpenAPI spec name the allowed values.
DepartmentStatusName = Literal["待受理", "已受理", "办理中", "需补正", "已办结", "不予受理"]
DEPARTMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in DepartmentStatus)
DEPARTMENT_TRANSITIONS: dict[DepartmentStatus, tuple[DepartmentStatus, ...]] = {
    DepartmentStatus.RECEIVED: (DepartmentStatus.ACCEPTED, DepartmentStatus.REJECTED),
    DepartmentStatus.ACCEPTED: (DepartmentStatus.IN_PROGRESS, DepartmentStatus.NEEDS_MORE, DepartmentStatus.DONE),
    DepartmentStatus.IN_PROGRESS: (DepartmentStatus.NEEDS_MORE, DepartmentStatus.DONE),
    DepartmentStatus.NEEDS_MORE: (DepartmentStatus.IN_PROGRESS, DepartmentStatus.REJECTED),
    DepartmentStatus.DONE: (),
    DepartmentStatus.REJECTED: (),
}
DEPARTMENT_FINAL: tuple[DepartmentStatus, ...] = tuple(s for s, nxt in DEPARTMENT_TRANSITIONS.items() if not nxt)
DEPARTMENT_STATUS_EN = {
    DepartmentStatus.RECEIVED: "received", DepartmentStatus.ACCEPTED: "accepted",
    DepartmentStatus.IN_PROGRESS: "in progress", DepartmentStatus.NEEDS_MORE: "more information needed",
    DepartmentStatus.DONE: "done", DepartmentStatus.REJECTED: "not accepted",
}
assert set(DEPARTMENT_STATUSES) == set(DepartmentStatusName.__args__)  # type: ignore[attr-defined]


class ConversationStatus(StrEnum):
    """Who is answering a conversation: the bot, waiting for staff (hand-off), a clerk, or nobody."""

    BOT = "bot"
    HANDOFF = "handoff"
    STAFF = "staff"
    CLOSED = "closed"


CONVERSATION_STATUS_ZH = {ConversationStatus.HANDOFF: "待人工", ConversationStatus.STAFF: "人工处理中",
                          ConversationStatus.BOT: "机器人应答", ConversationStatus.CLOSED: "已结束"}


class OfferStatus(StrEnum):
    """A proactive offer (免申办): sent → opened → accepted or declined. A 免申即享 grant (deployer
    flag on) starts as granted and can only be declined."""

    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    GRANTED = "granted"


OFFER_TRANSITIONS: dict[OfferStatus, tuple[OfferStatus, ...]] = {
    OfferStatus.SENT: (OfferStatus.OPENED, OfferStatus.ACCEPTED, OfferStatus.DECLINED),
    OfferStatus.OPENED: (OfferStatus.ACCEPTED, OfferStatus.DECLINED),
    OfferStatus.GRANTED: (OfferStatus.DECLINED,),
    OfferStatus.ACCEPTED: (),
    OfferStatus.DECLINED: (),
}
OFFER_STATUS_EN = {OfferStatus.SENT: "new", OfferStatus.OPENED: "seen", OfferStatus.ACCEPTED: "accepted",
                   OfferStatus.DECLINED: "declined", OfferStatus.GRANTED: "granted without application"}
OFFER_STATUS_ZH = {OfferStatus.SENT: "待查看", OfferStatus.OPENED: "已查看", OfferStatus.ACCEPTED: "已接受",
                   OfferStatus.DECLINED: "已拒绝", OfferStatus.GRANTED: "已免申发放"}
