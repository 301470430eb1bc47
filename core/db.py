"""The one place that opens a database: engine, schema, sessions, and what "unavailable" means.

Used by the conversation store, the pre-fill state and the shared-data sources, so all three share
the same rules: SQLite in WAL mode by default, any SQLAlchemy URL (PostgreSQL) for several workers;
the schema is created under a write lock, because N workers starting together on a fresh database
would otherwise race ("table already exists"); and a database that cannot be reached or read
becomes `ServiceUnavailable` naming the setting to check, so the API answers 503, not a traceback.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import (
    DatabaseError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ServiceUnavailable

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same in every worker (PostgreSQL advisory lock key).
_SCHEMA_LOCK_KEY = 4_207_001


def make_engine(url: str, *, write_lock: bool = False) -> Engine:
    """An engine for `url`. SQLite gets WAL (readers never block the writer, safe across workers);
    with `write_lock`, every SQLite transaction takes the write lock at BEGIN, which serialises
    writers that read-then-write (the audit hash chain, schema creation)."""
    is_sqlite = url.startswith("sqlite")
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Personal data at rest: only the service's own user may read the file (SQLite gives its
        # -wal and -shm files the same mode).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, pool_pre_ping=True, connect_args={"timeout": 30} if is_sqlite else {})
    if not is_sqlite:
        return engine

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        if write_lock:
            dbapi_conn.isolation_level = None  # pysqlite's implicit BEGIN is replaced by ours below
        cur = dbapi_conn.cursor()
        _use_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    if write_lock:

        @event.listens_for(engine, "begin")
        def _immediate(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _use_wal(cur, attempts: int = 300) -> None:
    """Switch a SQLite file to WAL once (the mode is stored in the file). Switching does not wait on
    SQLite's busy timeout, so a worker that starts while another is creating the schema retries."""
    for _ in range(attempts):
        if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() in ("wal", "memory"):
            return
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.1)
    cur.execute("PRAGMA journal_mode=WAL")  # still locked after 30 s: let the error name it


def is_unavailable(exc: BaseException) -> bool:
    """Errors that mean the database is down, unreadable or missing its schema (503), as opposed to
    a bug such as a constraint violation, which must stay a 500 so somebody looks at it."""
    return isinstance(exc, OperationalError | InterfaceError | ProgrammingError | DisconnectionError) or type(exc) is DatabaseError


class Database:
    """Engine, schema and short transactions for one SQLAlchemy URL.

    `setting` names the environment variable an operator fixes when the database is unreachable;
    `after_create` runs in the schema transaction (triggers, singleton rows).
    """

    def __init__(self, url: str, metadata: MetaData, *, setting: str, label: str, write_lock: bool = False,
                 after_create: Callable[[Connection], None] | None = None, unavailable_hint: str = "") -> None:
        self.url = url
        self.metadata = metadata
        self.write_lock = write_lock
        self.after_create = after_create
        self.unavailable_message = f"the {label} is unreachable or broken; check {setting}" + (
            f" ({unavailable_hint})" if unavailable_hint else "")
        self._engine: Engine | None = None
        self._Session: sessionmaker | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def warm_up(self) -> None:
        """Connect and create the schema if missing; idempotent and safe in several processes at once."""
        if self._engine is not None:
            return
        try:
            engine = make_engine(self.url, write_lock=self.write_lock)
            self._create_schema(engine)
        except Exception as exc:
            if isinstance(exc, OSError) or is_unavailable(exc):
                log.error("%s: %s", self.unavailable_message, type(exc).__name__)
                raise ServiceUnavailable(self.unavailable_message) from exc
            raise
        self._engine = engine
        self._Session = sessionmaker(engine, expire_on_commit=False)

    def _create_schema(self, engine: Engine) -> None:
        # The existence checks and the CREATEs happen in one transaction that holds the write lock
        # (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so concurrent starters queue.
        locked = engine if self.write_lock or not self.is_sqlite else make_engine(self.url, write_lock=True)
        try:
            with locked.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK_KEY})
                self.metadata.create_all(conn)
                if self.after_create is not None:
                    self.after_create(conn)
        finally:
            if locked is not engine:
                locked.dispose()

    @property
    def engine(self) -> Engine:
        self.warm_up()
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One short transaction: committed on success, rolled back on any error."""
        self.warm_up()
        try:
            with self._Session.begin() as s:
                yield s
        except Exception as exc:
            if is_unavailable(exc):
                log.error("%s: %s", self.unavailable_message, type(exc).__name__)
                raise ServiceUnavailable(self.unavailable_message) from exc
            raise
