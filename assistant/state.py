"""Conversation state in a database: sessions, turns, feedback (好差评) and hand-offs.

SQLite by default, any SQLAlchemy URL (PostgreSQL) for several API workers sharing state. Every
write is its own short transaction, so a killed process loses at most the request in flight.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def make_engine(url: str):
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers never block the writer, safe across workers
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


class ConversationStore:
    """Sessions and their turns; the only place that knows the table layout."""

    def __init__(self, url: str, history_turns: int = 6) -> None:
        self.url = url
        self.history_turns = history_turns
        self._engine = None
        self._Session: sessionmaker | None = None

    def warm_up(self) -> None:
        if self._engine is not None:
            return
        self._engine = make_engine(self.url)
        Base.metadata.create_all(self._engine)
        self._Session = sessionmaker(self._engine, expire_on_commit=False)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        self.warm_up()
        with self._Session.begin() as s:
            yield s

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def load(self, conversation_id: str | None) -> Conversation:
        """The conversation with recent history; a new one when the id is None or unknown."""
        if conversation_id is not None and (len(conversation_id) > 64 or not conversation_id.strip()):
            raise InvalidInput("session_id must be 1-64 characters", field="session_id")
        if conversation_id is None:
            return Conversation(self.new_id())
        with self._tx() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                return Conversation(conversation_id)
            turns = s.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.id.desc()).limit(self.history_turns)
            ).all()
            history = [{"role": t.role, "text": t.text, "payload": t.payload} for t in reversed(turns)]
            return Conversation(row.id, row.status, dict(row.state or {}), history, row.assigned_to)

    def append(self, conv: Conversation, role: str, text: str, payload: dict | None = None, *, status: str | None = None) -> None:
        with self._tx() as s:
            row = s.get(ConversationRow, conv.id)
            if row is None:
                row = ConversationRow(id=conv.id, state={}, status="bot")
                s.add(row)
            row.state = json.loads(json.dumps(conv.state, ensure_ascii=False))
            row.updated_at = utcnow()
            if status:
                row.status = status
                conv.status = status
            s.add(TurnRow(conversation_id=conv.id, role=role, text=text, payload=payload or {}))

    def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._tx() as s:
            if s.get(ConversationRow, conversation_id) is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            turns = s.scalars(select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.id)).all()
            return [{"role": t.role, "text": t.text, "payload": t.payload, "at": t.created_at.isoformat()} for t in turns]

    def list_conversations(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        with self._tx() as s:
            q = select(ConversationRow).order_by(ConversationRow.updated_at.desc()).limit(limit)
            if status:
                q = q.where(ConversationRow.status == status)
            return [
                {"id": r.id, "status": r.status, "updated_at": r.updated_at.isoformat(), "assigned_to": r.assigned_to,
                 "one_thing_id": (r.state or {}).get("active_one_thing")}
                for r in s.scalars(q).all()
            ]

    def set_status(self, conversation_id: str, status: str, assigned_to: str | None = None) -> None:
        with self._tx() as s:
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

    def request_handoff(self, conversation_id: str, reason: str = "citizen_request") -> None:
        """The citizen asks for a person (转人工)."""
        conv = self.load(conversation_id)
        conv.state["handoff_reason"] = reason
        self.append(conv, "user", "（请求转人工）", {"handoff_request": reason}, status="handoff")

    # -- 好差评 --------------------------------------------------------------------------------
    def add_feedback(self, *, rating: str, conversation_id: str | None, answer_id: str | None, comment: str = "",
                     question: str = "", one_thing_id: str | None = None) -> int:
        with self._tx() as s:
            row = FeedbackRow(conversation_id=conversation_id, answer_id=answer_id, rating=rating, comment=comment,
                              question=question, one_thing_id=one_thing_id)
            s.add(row)
            s.flush()
            return row.id

    def knowledge_gaps(self, limit: int = 200) -> list[dict[str, Any]]:
        """Questions the assistant refused or that were rated 差评, newest first (for staff to fix guides)."""
        with self._tx() as s:
            bad = s.scalars(select(FeedbackRow).where(FeedbackRow.rating.in_(["差评", "bad", "1", "2"]))
                            .order_by(FeedbackRow.id.desc()).limit(limit)).all()
            refused = s.scalars(select(TurnRow).where(TurnRow.role == "assistant").order_by(TurnRow.id.desc()).limit(limit * 5)).all()
            out = [{"kind": "差评", "question": f.question, "one_thing_id": f.one_thing_id, "comment": f.comment,
                    "at": f.created_at.isoformat()} for f in bad]
            out += [{"kind": "refused", "question": t.payload.get("question", ""), "one_thing_id": None, "comment": "",
                     "at": t.created_at.isoformat()} for t in refused if t.payload.get("refused")][:limit]
            return out
