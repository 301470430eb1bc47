"""The append-only audit log: every data read, edit, confirmation, submission, status change, consent
decision and staff action, hash-chained so tampering is detectable.

Append-only is enforced three ways: this module offers no update or delete; database triggers abort
any UPDATE or DELETE on the table; each entry's hash covers its content and the previous entry's
hash, so an edited, removed or reordered entry breaks `verify_chain()`. Entries hold field *names*
and masked values only, never raw personal data.

Appends lock the one-row head table first, so concurrent workers extend the chain one at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.clock import utcnow
from prefill.store import GENESIS, AuditHeadRow, AuditRow, StateDB, iso

log = logging.getLogger(__name__)

_HASHED = ("id", "at", "actor", "action", "subject_id", "owner_id", "draft_id", "source", "fields", "purpose", "detail")


class ChainReport(BaseModel):
    """Result of re-computing the hash chain."""

    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str | None = None


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps({k: content.get(k) for k in _HASHED}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


class AuditLog:
    """Append entries inside the caller's transaction (so an action and its audit commit together)."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def append(self, s: Session, *, actor: str, action: str, subject_id: str | None = None,
               owner_id: str | None = None, draft_id: str | None = None, source: str | None = None,
               fields: Sequence[str] = (), purpose: str = "", detail: dict[str, Any] | None = None) -> int:
        s.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=AuditHeadRow.seq + 1))
        head = s.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).one()
        content = {"id": head.seq, "at": iso(utcnow()), "actor": actor, "action": action, "subject_id": subject_id,
                   "owner_id": owner_id, "draft_id": draft_id, "source": source, "fields": list(fields),
                   "purpose": purpose, "detail": detail or {}}
        digest = entry_hash(head.last_hash, content)
        s.add(AuditRow(**content, prev_hash=head.last_hash, hash=digest))
        head.last_hash = digest
        s.flush()
        return head.seq

    def entries(self, *, subject_or_owner: str | None = None, draft_id: str | None = None, action: str | None = None,
                limit: int = 500) -> list[AuditRow]:
        with self.db.session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if subject_or_owner:
                q = q.where(or_(AuditRow.subject_id == subject_or_owner, AuditRow.owner_id == subject_or_owner))
            if draft_id:
                q = q.where(AuditRow.draft_id == draft_id)
            if action:
                q = q.where(AuditRow.action == action)
            return list(s.scalars(q).all())

    def verify_chain(self) -> ChainReport:
        """Recompute every hash in order; report the first entry that does not match."""
        with self.db.session() as s:
            prev = GENESIS
            n = 0
            for row in s.scalars(select(AuditRow).order_by(AuditRow.id)).yield_per(500):
                n += 1
                if row.id != n:
                    return ChainReport(ok=False, entries=n, first_bad_id=row.id, reason=f"entry {n} is missing")
                content = {k: getattr(row, k) for k in _HASHED}
                if row.prev_hash != prev or entry_hash(prev, content) != row.hash:
                    return ChainReport(ok=False, entries=n, first_bad_id=row.id, reason="hash does not match its content")
                prev = row.hash
            head = s.get(AuditHeadRow, 1)
            if head is None or head.seq != n or head.last_hash != prev:
                return ChainReport(ok=False, entries=n, first_bad_id=n or None,
                                   reason="the newest entries are missing (head does not match)")
            return ChainReport(ok=True, entries=n)
