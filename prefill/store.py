"""Pre-fill state in the state database (``YJS_DATABASE_URL``): drafts, edits, consent, submissions,
department status, 纠错 reports and the audit log — in tables of its own (``prefill_*``).

Every command is one short transaction (its change and its audit entries commit together), so a
killed process loses at most the request in flight and several API workers can share the database.
On SQLite transactions begin IMMEDIATE (they take the write lock up front), which serialises
read-modify-write of a draft across workers; on PostgreSQL the draft (or submission) row a command
changes is locked with ``SELECT … FOR UPDATE``, and the audit chain's head row on every append.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import Database

log = logging.getLogger(__name__)


def iso(t: dt.datetime) -> str:
    """Timestamps are stored as fixed-width UTC ISO strings: sortable, and hashed identically everywhere."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class PrefillBase(DeclarativeBase):
    pass


class DraftRow(PrefillBase):
    __tablename__ = "prefill_drafts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    one_thing_id: Mapped[str] = mapped_column(String(64))
    form_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | confirmed | submitted
    bindings: Mapped[dict] = mapped_column(JSON, default=dict)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    requested: Mapped[dict] = mapped_column(JSON, default=dict)  # role -> subject id the applicant chose
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    prefilled_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    confirmed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    submitted_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_no: Mapped[str | None] = mapped_column(String(32), nullable=True)


class EditRow(PrefillBase):
    __tablename__ = "prefill_edits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(64))
    old: Mapped[dict] = mapped_column(JSON)
    new: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[str] = mapped_column(String(32))


class ConsentDecisionRow(PrefillBase):
    __tablename__ = "prefill_consent_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(32))
    grantor_id: Mapped[str] = mapped_column(String(32), index=True)
    granted: Mapped[bool] = mapped_column()
    fields: Mapped[list] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[str] = mapped_column(String(32))

    def covers(self, fields) -> bool:
        """Whether this decision was about every one of `fields` (a choice made since may need more)."""
        return set(fields) <= set(self.fields)


class ConsentAskRow(PrefillBase):
    """A request to another person (spouse, buyer, employee …) to approve use of their own data."""

    __tablename__ = "prefill_consent_asks"
    __table_args__ = (UniqueConstraint("draft_id", "source", "grantor_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(32))
    grantor_id: Mapped[str] = mapped_column(String(32), index=True)
    roles: Mapped[list] = mapped_column(JSON)
    fields: Mapped[list] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(32))


class ConsentCodeRow(PrefillBase):
    __tablename__ = "prefill_consent_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class CodeFailureRow(PrefillBase):
    __tablename__ = "prefill_code_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff: Mapped[str] = mapped_column(String(120), index=True)
    at: Mapped[str] = mapped_column(String(32))


class SubmissionRow(PrefillBase):
    __tablename__ = "prefill_submissions"
    tracking_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    draft_id: Mapped[str] = mapped_column(String(32), unique=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    one_thing_id: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[str] = mapped_column(String(32))
    payloads: Mapped[dict] = mapped_column(JSON)


class StatusRow(PrefillBase):
    """Per-department status history of a submission; the latest row per department is current."""

    __tablename__ = "prefill_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(32), index=True)
    department: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[str] = mapped_column(String(32))


class CorrectionRow(PrefillBase):
    """A 纠错 report: the person says a registry value is wrong; routed to the source's owner."""

    __tablename__ = "prefill_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="已提交")
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[str] = mapped_column(String(32))


class AuditRow(PrefillBase):
    __tablename__ = "prefill_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    owner_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    draft_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(PrefillBase):
    """One row: the sequence number and hash of the newest audit entry (locked on every append)."""

    __tablename__ = "prefill_audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class ProactiveOptInRow(PrefillBase):
    """主动服务授权: a person's standing opt-in to proactive matching (免申办); the newest row wins."""

    __tablename__ = "prefill_proactive_optins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    granted: Mapped[bool] = mapped_column()
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[str] = mapped_column(String(32))


class OfferRow(PrefillBase):
    """A proactive offer (免申办): who, which bundle, which rule, the facts it used, and its status."""

    __tablename__ = "prefill_offers"
    __table_args__ = (UniqueConstraint("person_id", "rule_id", "subject_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(32), index=True)
    one_thing_id: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[str] = mapped_column(String(32))
    subjects: Mapped[dict] = mapped_column(JSON, default=dict)  # form role -> id, for start_draft
    event_kind: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[str] = mapped_column(String(10))
    facts: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # core.status.OfferStatus
    auto_granted: Mapped[bool] = mapped_column(default=False)  # 免申即享: granted without an application
    created_at: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    draft_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class MaterialItemRow(PrefillBase):
    """承诺办: a material of a draft marked missing (容缺待补 under a commitment, or blocking) or supplied."""

    __tablename__ = "prefill_material_items"
    __table_args__ = (UniqueConstraint("draft_id", "material"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    one_thing_id: Mapped[str] = mapped_column(String(64))
    material: Mapped[str] = mapped_column(String(120))
    tolerable: Mapped[bool] = mapped_column(default=False)
    departments: Mapped[list] = mapped_column(JSON, default=list)  # the form's departments that need it
    status: Mapped[str] = mapped_column(String(16), default="missing", index=True)  # missing | committed | supplied
    due: Mapped[str | None] = mapped_column(String(10), nullable=True)
    commitment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    supplied_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    supplied_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MaterialSupplyRow(PrefillBase):
    """承诺办: one handing-in of a material (the newest counts): how (`prefill.models.MaterialSupply`, which
    holds a licence number only masked) and what proves it — an upload's SHA-256 or the licence's record id.
    A table of its own, so a database made before licences could supply materials needs no migration."""

    __tablename__ = "prefill_material_supplies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    material: Mapped[str] = mapped_column(String(120))
    supply: Mapped[dict] = mapped_column(JSON)
    proof: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))


GENESIS = "0" * 64

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS prefill_audit_no_update BEFORE UPDATE ON prefill_audit_log "
    "BEGIN SELECT RAISE(ABORT, 'prefill_audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS prefill_audit_no_delete BEFORE DELETE ON prefill_audit_log "
    "BEGIN SELECT RAISE(ABORT, 'prefill_audit_log is append-only'); END",
)
_PG_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION prefill_audit_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'prefill_audit_log is append-only'; END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS prefill_audit_append_only ON prefill_audit_log",
    "CREATE TRIGGER prefill_audit_append_only BEFORE UPDATE OR DELETE ON prefill_audit_log "
    "FOR EACH ROW EXECUTE FUNCTION prefill_audit_append_only()",
)

def _audit_schema(conn) -> None:
    """Append-only triggers on the audit log and the hash chain's head row, in the schema transaction."""
    dialect = conn.dialect.name
    for stmt in _SQLITE_TRIGGERS if dialect == "sqlite" else _PG_TRIGGERS if dialect == "postgresql" else ():
        conn.execute(text(stmt))
    if conn.execute(text("SELECT COUNT(*) FROM prefill_audit_head")).scalar() == 0:
        conn.execute(text("INSERT INTO prefill_audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": GENESIS})


class StateDB(Database):
    """The pre-fill tables in the state database, with the append-only triggers; SQLite transactions
    take the write lock at BEGIN (see the module docstring)."""

    def __init__(self, url: str) -> None:
        super().__init__(url, PrefillBase.metadata, setting="YJS_DATABASE_URL", label="state database",
                         write_lock=True, after_create=_audit_schema)
