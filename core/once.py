"""Single-use ids shared by every worker: a table of used ids, each kept until it expires.

A signed identity assertion (POST /v1/auth/citizen-assertion) may be exchanged once. Remembering the
used ones in a process's memory let an assertion be replayed once per worker (or after a restart);
this keeps them in the state database (YJS_DATABASE_URL), so every worker sees every claim. The
primary key makes a claim atomic: of two workers claiming the same id at once, one insert wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from typing import Protocol

from sqlalchemy import DateTime, MetaData, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import Database


class SingleUse(Protocol):
    def claim(self, key: str, expires_at: float) -> bool:
        """True the first time `key` is claimed (until `expires_at`, epoch seconds); False after."""
        ...


class _Base(DeclarativeBase):
    metadata = MetaData()


class UsedIdRow(_Base):
    __tablename__ = "used_once_ids"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the id: bounded, not the id
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SharedSingleUse:
    """`SingleUse` in a database (SQLite or PostgreSQL): one record of use for all workers."""

    def __init__(self, url: str, *, clock=time.time) -> None:
        self.db = Database(url, _Base.metadata, setting="YJS_DATABASE_URL", label="state database")
        self.clock = clock

    def claim(self, key: str, expires_at: float) -> bool:
        now = self.clock()
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        try:
            with self.db.session() as s:
                # Expired ids can never be presented again (their assertion is refused as expired),
                # so they are dropped here; the table holds only what is still live.
                s.execute(delete(UsedIdRow).where(UsedIdRow.expires_at < _utc(now)))
                s.add(UsedIdRow(key=digest, expires_at=_utc(max(expires_at, now))))
        except IntegrityError:
            return False
        return True


class LocalSingleUse:
    """`SingleUse` in this process only: for tests and tools that run one process."""

    def __init__(self, *, clock=time.time) -> None:
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, expires_at: float) -> bool:
        now = self.clock()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if t >= now}
            if key in self._seen:
                return False
            self._seen[key] = max(expires_at, now)
            return True


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
