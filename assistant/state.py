"""Conversation state in a database: sessions, turns, feedback (好差评) and hand-offs.

SQLite by default, any SQLAlchemy URL (PostgreSQL) for several API workers sharing state. Every
write is its own short transaction, so a killed process loses at most the request in flight.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.clock import utcnow
from core.db import Database
from core.errors import InvalidInput, NotFound
from core.masking import mask_free_text

log = logging.getLogger(__name__)


# Why a conversation joins the staff queue when the citizen asked for a person (the button, POST /v1/handoff, or typed).
CITIZEN_REQUEST = "citizen_request"
# Why the assistant refused and handed off although no guide is missing: it never looks anyone up, warns of a likely
# scam, says where to report misconduct or make a complaint, and does not help to cheat. These are no knowledge gaps:
# staff fixing the guides see the questions the guides could not answer, not "我要投诉" or "告诉我张三的身份证号".
PERSONAL_DATA_REQUEST = "personal_data_request"
POSSIBLE_SCAM = "possible_scam"
REPORT_MISCONDUCT = "report_misconduct"
COMPLAINT = "complaint"
UNLAWFUL_REQUEST = "unlawful_request"
NOT_GAPS = frozenset({PERSONAL_DATA_REQUEST, POSSIBLE_SCAM, REPORT_MISCONDUCT, COMPLAINT, UNLAWFUL_REQUEST})


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="bot", index=True)  # bot | handoff | staff | closed
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    assigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TurnRow(Base):
    __tablename__ = "turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant | staff
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    answer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rating: Mapped[str] = mapped_column(String(8))  # 好评 / 差评 (good / bad), or 1..5
    comment: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    one_thing_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass
class Conversation:
    id: str
    status: str = "bot"
    state: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    assigned_to: str | None = None


MAX_COMMENT_CHARS = 1000
GAP_TOPIC_MIN_SCORE = 0.2  # a refused question's best candidate names its topic only above this score


class ConversationStore:
    """Sessions and their turns; the only place that knows the table layout."""

    def __init__(self, url: str, history_turns: int = 6) -> None:
        self.url = url
        self.history_turns = history_turns
        self.db = Database(url, Base.metadata, setting="YJS_DATABASE_URL", label="conversation database")

    def warm_up(self) -> None:
        self.db.warm_up()

    def session(self):
        """One short transaction on the conversation database (also used by `StaffAuditLog`)."""
        return self.db.session()

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def load(self, conversation_id: str | None) -> Conversation:
        """The conversation with recent history; a new one when the id is None or unknown."""
        if conversation_id is not None and (len(conversation_id) > 64 or not conversation_id.strip()):
            raise InvalidInput("session_id must be 1-64 characters", field="session_id")
        if conversation_id is None:
            return Conversation(self.new_id())
        with self.session() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                return Conversation(conversation_id)
            turns = s.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.id.desc()).limit(self.history_turns)
            ).all()
            history = [{"role": t.role, "text": t.text, "payload": t.payload} for t in reversed(turns)]
            return Conversation(row.id, row.status, dict(row.state or {}), history, row.assigned_to)

    def append(self, conv: Conversation, role: str, text: str, payload: dict | None = None, *, status: str | None = None) -> None:
        with self.session() as s:
            row = s.get(ConversationRow, conv.id)
            if row is None:
                row = ConversationRow(id=conv.id, state={}, status="bot")
                s.add(row)
            row.state = json.loads(json.dumps(conv.state, ensure_ascii=False))
            row.updated_at = utcnow()
            if status:
                row.status = status
                conv.status = status
            payload = dict(payload or {})
            if role == "user":  # what a citizen typed is stored masked: numbers and street addresses
                text = mask_free_text(text)
            if isinstance(payload.get("question"), str):
                payload["question"] = mask_free_text(payload["question"])
            s.add(TurnRow(conversation_id=conv.id, role=role, text=text, payload=payload))

    def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.session() as s:
            if s.get(ConversationRow, conversation_id) is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            turns = s.scalars(select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.id)).all()
            return [{"role": t.role, "text": t.text, "payload": t.payload, "at": t.created_at.isoformat()} for t in turns]

    def list_conversations(self, status: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        with self.session() as s:
            q = select(ConversationRow).order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
            if status:
                q = q.where(ConversationRow.status == status)
            q = q.offset(offset).limit(limit)
            return [
                {"id": r.id, "status": r.status, "updated_at": r.updated_at.isoformat(), "assigned_to": r.assigned_to,
                 "one_thing_id": (r.state or {}).get("active_one_thing")}
                for r in s.scalars(q).all()
            ]

    def set_status(self, conversation_id: str, status: str, assigned_to: str | None = None) -> None:
        with self.session() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            row.status = status
            row.assigned_to = assigned_to
            row.updated_at = utcnow()

    def take_over(self, conversation_id: str, staff_user: str) -> None:
        """A clerk takes the conversation: the bot stops answering until it is handed back."""
        self.set_status(conversation_id, "staff", assigned_to=staff_user)

    def hand_back(self, conversation_id: str) -> None:
        self.set_status(conversation_id, "bot", assigned_to=None)

    def staff_replies(self, conversation_id: str, after: int = 0, *, missing_ok: bool = False) -> list[dict[str, Any]]:
        """The clerk's messages in a conversation, numbered 1, 2, … in order; those after `after`
        (a client polls with the last number it has seen). NotFound for an unknown conversation,
        unless `missing_ok` (then none)."""
        with self.session() as s:
            if not missing_ok and s.get(ConversationRow, conversation_id) is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            replies = s.scalars(select(TurnRow).where(TurnRow.conversation_id == conversation_id, TurnRow.role == "staff")
                                .order_by(TurnRow.id)).all()
            return [{"seq": n, "text": t.text, "at": t.created_at.isoformat(), "role": "staff"}
                    for n, t in enumerate(replies, 1) if n > after]

    def staff_reply(self, conversation_id: str, staff_user: str, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise InvalidInput("the reply is empty", field="text")
        if len(text) > 4000:
            raise InvalidInput("the reply is longer than 4000 characters", field="text")
        conv = self.load(conversation_id)
        if not conv.history and conv.status == "bot":
            raise NotFound(f"no conversation {conversation_id!r}")
        self.append(conv, "staff", text, {"staff": staff_user})

    def request_handoff(self, conversation_id: str, reason: str = CITIZEN_REQUEST) -> None:
        """The citizen asks for a person (转人工)."""
        conv = self.load(conversation_id)
        reason = mask_free_text(reason)
        conv.state["handoff_reason"] = reason
        self.append(conv, "user", "（请求转人工）", {"handoff_request": reason}, status="handoff")

    # -- 好差评 --------------------------------------------------------------------------------
    # The one way a rating is written, whichever edge it comes from (API, chat, submission panel):
    # the rated question and one-thing come from the stored conversation, never from the caller,
    # and the comment is masked before it is stored.
    def rate_answer(self, *, rating: str, conversation_id: str | None, answer_id: str | None,
                    comment: str = "") -> int:
        """好差评 of an answer of a conversation: one of its turns (the latest when `answer_id` is not
        given), whose question and one-thing are recorded with the rating. A rating that names no
        real answer of the rater's own conversation is refused, so anonymous or made-up ratings
        never reach the knowledge-gap list (the API checks the conversation is the caller's)."""
        if not conversation_id:
            raise InvalidInput("give the session_id (and answer_id) of the answer you are rating", field="session_id")
        rated = [t for t in self.transcript(conversation_id) if t["role"] == "assistant"
                 and (not answer_id or (t["payload"] or {}).get("answer_id") == answer_id)]
        if not rated:
            raise NotFound("no such answer in that session")
        payload = rated[-1]["payload"] or {}
        question, one_thing = payload.get("question", ""), (payload.get("one_thing") or {}).get("id")
        answer_id = answer_id or payload.get("answer_id")
        return self.add_feedback(rating=rating, conversation_id=conversation_id, answer_id=answer_id,
                                 comment=comment, question=question, one_thing_id=one_thing)

    def rate_submission(self, *, rating: str, conversation_id: str | None, tracking_no: str, title: str,
                        one_thing_id: str | None, comment: str = "") -> int:
        """好差评 of a submitted application (一键办理); staff see its 差评 among the knowledge gaps."""
        return self.add_feedback(rating=rating, conversation_id=conversation_id, answer_id=f"submission:{tracking_no}",
                                 comment=comment, question=f"一键办理：{title}（{tracking_no}）", one_thing_id=one_thing_id)

    def add_feedback(self, *, rating: str, conversation_id: str | None, answer_id: str | None, comment: str = "",
                     question: str = "", one_thing_id: str | None = None) -> int:
        with self.session() as s:
            row = FeedbackRow(conversation_id=conversation_id, answer_id=answer_id, rating=rating,
                              comment=mask_free_text((comment or "").strip())[:MAX_COMMENT_CHARS],
                              question=question, one_thing_id=one_thing_id)
            s.add(row)
            s.flush()
            return row.id

    def knowledge_gaps(self, limit: int = 200) -> list[dict[str, Any]]:
        """Questions rated 差评, then questions the assistant refused, each newest first (for staff to
        fix the guides). A refused item's ``near`` is the one-thing the router found nearest, when it
        scored at least ``GAP_TOPIC_MIN_SCORE``."""
        with self.session() as s:
            # Only ratings of a real answer or submission (they carry its question): a row without
            # one (anonymous feedback from before ratings had to name an answer) is not a gap.
            bad = s.scalars(select(FeedbackRow).where(FeedbackRow.rating.in_(["差评", "bad", "1", "2"]),
                                                      FeedbackRow.question != "")
                            .order_by(FeedbackRow.id.desc()).limit(limit)).all()
            items = [{"kind": "差评", "question": f.question, "one_thing_id": f.one_thing_id, "comment": f.comment,
                      "at": f.created_at.isoformat()} for f in bad]
            turns = s.scalars(select(TurnRow).where(TurnRow.role == "assistant").order_by(TurnRow.id.desc())
                              .limit(limit * 5)).all()
            for t in turns:
                p = t.payload or {}
                if not p.get("refused") or (p.get("handoff") or {}).get("reason") in NOT_GAPS:
                    continue
                near = next((c for c in p.get("candidates") or [] if float(c.get("score", 0)) >= GAP_TOPIC_MIN_SCORE), None)
                items.append({"kind": "refused", "question": p.get("question", ""), "one_thing_id": None,
                              "near": near["id"] if near else None, "comment": "", "at": t.created_at.isoformat()})
            return items[: limit * 2]

    def last_user_messages(self, conversation_ids: list[str]) -> dict[str, str]:
        """The latest citizen message of each conversation (for the staff queue's preview column)."""
        if not conversation_ids:
            return {}
        out: dict[str, str] = {}
        with self.session() as s:
            rows = s.scalars(select(TurnRow).where(TurnRow.conversation_id.in_(conversation_ids), TurnRow.role == "user")
                             .order_by(TurnRow.id.desc())).all()
            for t in rows:
                if not (t.payload or {}).get("handoff_request"):  # "（请求转人工）" is not what they asked
                    out.setdefault(t.conversation_id, t.text)
        return out


# -- staff actions and knowledge gaps by topic (help-desk mode) --------------------------------------
class StaffActionRow(Base):
    """One row per staff action (查看、接管、发送回复、交还、分办…): who, what, which conversation, when."""

    __tablename__ = "staff_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    staff_user: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class StaffLoginFailureRow(Base):
    """Wrong staff passwords in a row for one user name (`assistant.signin.StaffLockout`)."""

    __tablename__ = "staff_login_failures"
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Epoch seconds: compared in SQL and in Python alike, with no time-zone handling in between.
    last_failed_at: Mapped[float] = mapped_column(Float, default=0.0)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)


class StaffAuditLog:
    """Append-only audit of staff actions, in the same database as the conversations.

    Details hold counts and labels, never the text a clerk read or wrote (that is in the turns).
    """

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    def record(self, staff_user: str, action: str, conversation_id: str | None = None,
               detail: dict[str, Any] | None = None) -> int:
        with self.store.session() as s:
            return self.add(s, staff_user, action, conversation_id, detail)

    @staticmethod
    def add(session, staff_user: str, action: str, conversation_id: str | None = None,
            detail: dict[str, Any] | None = None) -> int:
        """The audit row inside a caller's transaction, so an action and its audit entry commit together."""
        row = StaffActionRow(staff_user=staff_user, action=action, conversation_id=conversation_id,
                             detail=json.loads(json.dumps(detail or {}, ensure_ascii=False)))
        session.add(row)
        session.flush()
        return row.id

    def entries(self, *, conversation_id: str | None = None, staff_user: str | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
        """Newest first."""
        with self.store.session() as s:
            q = select(StaffActionRow).order_by(StaffActionRow.id.desc()).limit(limit)
            if conversation_id:
                q = q.where(StaffActionRow.conversation_id == conversation_id)
            if staff_user:
                q = q.where(StaffActionRow.staff_user == staff_user)
            return [{"id": r.id, "at": r.at.isoformat(), "staff_user": r.staff_user, "action": r.action,
                     "conversation_id": r.conversation_id, "detail": r.detail or {}} for r in s.scalars(q).all()]


def _keyword_topic(question: str) -> str:
    import jieba.analyse

    tags = jieba.analyse.extract_tags(question, topK=1, allowPOS=("n", "nz", "vn", "ns", "nt", "nr")) \
        or jieba.analyse.extract_tags(question, topK=1)
    return tags[0] if tags else ""


def knowledge_gaps_by_topic(store: ConversationStore, names: dict[str, str] | None = None,
                            limit: int = 200) -> list[dict[str, Any]]:
    """Refused and 差评 questions grouped so staff fix one guide at a time.

    The topic is the one-thing the rated answer was about; for a refused question, the one-thing
    the router found nearest (when it scored at least ``GAP_TOPIC_MIN_SCORE``); else the question's
    main jieba keyword. Groups are sorted by size; each lists its distinct questions, newest first.
    """
    names = names or {}
    items = store.knowledge_gaps(limit)
    groups: dict[str, dict[str, Any]] = {}
    for it in items:
        if it["one_thing_id"]:
            key, label = f"one_thing:{it['one_thing_id']}", names.get(it["one_thing_id"], it["one_thing_id"])
        elif it.get("near"):
            key, label = f"near:{it['near']}", names.get(it["near"], it["near"])
        else:
            kw = _keyword_topic(it["question"]) if it["question"] else ""
            key, label = (f"keyword:{kw}", kw) if kw else ("other", "")
        g = groups.setdefault(key, {"topic": key, "label": label, "one_thing_id": it["one_thing_id"] or it.get("near"),
                                    "count": 0, "refused": 0, "bad": 0, "questions": [], "comments": []})
        g["count"] += 1
        g["refused" if it["kind"] == "refused" else "bad"] += 1
        if it["question"] and it["question"] not in g["questions"]:
            g["questions"].append(it["question"])
        if it["comment"]:
            g["comments"].append(it["comment"])
    return sorted(groups.values(), key=lambda g: (-g["count"], g["topic"]))
