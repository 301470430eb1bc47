"""Consent first: grants per source and person, the gate every shared-data read passes, consent codes.

- `ConsentStore` keeps each decision (grant or refusal, the exact fields, who, when) and the asks
  sent to family members or other persons whose own data a form needs.
- `ConsentGate` is the only path from the engine to a `DataSource`: it checks the grant at read
  time (raising `ConsentRequired`), fetches, and appends the audit entry before handing data back.
  A refused or missing grant therefore means no read and no audit entry of a read. Given the
  caller's session, the check and the audit entry are part of the caller's transaction. Its
  `read_once` serves a read the owner consents to in the request itself, for that one purpose
  (补交 a material from their own e-licence): the consent is audited and spent on the read.
- `ConsentCodes` issues the citizen's short-lived 6-digit code (帮办代办) and lets a clerk redeem it
  once; both are audited, and wrong guesses are limited per clerk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import ConsentRequired, Forbidden, InvalidInput, RateLimited
from core.identity import Principal
from core.masking import mask_id_number, mask_name
from prefill.audit import AuditLog
from prefill.models import ConsentCode, PersonCheck
from prefill.sources import DataSource, SourceRecord
from prefill.store import (
    CodeFailureRow,
    ConsentAskRow,
    ConsentCodeRow,
    ConsentDecisionRow,
    StateDB,
    iso,
)

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


class ConsentStore:
    """Decisions and asks; the newest decision of a person for a source wins."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def decide(self, s: Session, *, draft_id: str, source: str, grantor_id: str, granted: bool,
               fields: Sequence[str], actor: str) -> None:
        s.add(ConsentDecisionRow(draft_id=draft_id, source=source, grantor_id=grantor_id, granted=granted,
                                 fields=sorted(set(fields)), actor=actor, at=iso(utcnow())))

    def decisions(self, s: Session, draft_id: str) -> dict[tuple[str, str], ConsentDecisionRow]:
        rows = s.scalars(select(ConsentDecisionRow).where(ConsentDecisionRow.draft_id == draft_id)
                         .order_by(ConsentDecisionRow.id)).all()
        return {(r.source, r.grantor_id): r for r in rows}

    def check(self, s: Session, *, draft_id: str, source: str, grantor_id: str, fields: Sequence[str]) -> None:
        """Raise ConsentRequired unless the grantor's latest decision grants every field asked for."""
        row = s.scalars(select(ConsentDecisionRow).where(
            ConsentDecisionRow.draft_id == draft_id, ConsentDecisionRow.source == source,
            ConsentDecisionRow.grantor_id == grantor_id).order_by(ConsentDecisionRow.id.desc()).limit(1)).first()
        if row is None or not row.granted:
            state = "refused" if row is not None else "not granted"
            raise ConsentRequired(f"consent to read {source} for this application is {state}; "
                                  "the person whose data it is must grant it first", field=source)
        if not row.covers(fields):
            missing = sorted(set(fields) - set(row.fields))
            raise ConsentRequired(f"consent to read {source} does not cover {missing}; ask for a new grant", field=source)

    def ask(self, s: Session, *, draft_id: str, source: str, grantor_id: str, roles: Sequence[str],
            fields: Sequence[str]) -> None:
        """Ask `grantor_id` for exactly `fields` of `source` (what the form needs of them now); no fields
        withdraws an ask they have not answered (a choice made since means their data is not needed)."""
        row = s.scalars(select(ConsentAskRow).where(ConsentAskRow.draft_id == draft_id, ConsentAskRow.source == source,
                                                    ConsentAskRow.grantor_id == grantor_id)).first()
        if not fields:
            if row is not None and (source, grantor_id) not in self.decisions(s, draft_id):
                s.delete(row)
            return
        if row is None:
            s.add(ConsentAskRow(draft_id=draft_id, source=source, grantor_id=grantor_id, roles=sorted(set(roles)),
                                fields=sorted(set(fields)), at=iso(utcnow())))
        elif (row.roles, row.fields) != (sorted(set(roles)), sorted(set(fields))):
            row.roles, row.fields, row.at = sorted(set(roles)), sorted(set(fields)), iso(utcnow())

    def asks_for_grantor(self, s: Session, grantor_id: str) -> list[ConsentAskRow]:
        return list(s.scalars(select(ConsentAskRow).where(ConsentAskRow.grantor_id == grantor_id)
                              .order_by(ConsentAskRow.id)).all())

    def asks_for_draft(self, s: Session, draft_id: str) -> list[ConsentAskRow]:
        return list(s.scalars(select(ConsentAskRow).where(ConsentAskRow.draft_id == draft_id)
                              .order_by(ConsentAskRow.id)).all())


class ConsentGate:
    """Check the grant, read the source, write the audit entry — in that order, every time."""

    def __init__(self, db: StateDB, consents: ConsentStore, sources: Mapping[str, DataSource], audit: AuditLog) -> None:
        self.db = db
        self.consents = consents
        self.sources = sources
        self.audit = audit

    def read(self, *, draft_id: str, owner_id: str, role: str, subject_id: str, grantor_id: str, source: str,
             fields: Sequence[str], actor: str, purpose: str, session: Session | None = None) -> SourceRecord:
        """One consented read. With `session`, the grant is checked and the read logged inside the
        caller's transaction (a command's decisions made earlier in it count); without, in one of its own."""
        if source not in self.sources:
            raise InvalidInput(f"unknown data source {source!r}", field="source")
        if session is None:
            with self.db.session() as s:
                return self.read(draft_id=draft_id, owner_id=owner_id, role=role, subject_id=subject_id,
                                 grantor_id=grantor_id, source=source, fields=fields, actor=actor, purpose=purpose,
                                 session=s)
        self.consents.check(session, draft_id=draft_id, source=source, grantor_id=grantor_id, fields=fields)
        return self._fetch(session, draft_id=draft_id, owner_id=owner_id, role=role, subject_id=subject_id,
                           source=source, fields=fields, actor=actor, purpose=purpose)

    def read_once(self, s: Session, *, draft_id: str, owner_id: str, source: str, fields: Sequence[str], actor: str,
                  purpose: str, consent: bool) -> SourceRecord:
        """A read of the owner's own data that they consent to in the very request, for this purpose only (补交
        a material from their e-licence): the consent is audited as a grant and spent on this one read. It is
        not stored as the application's decision for the source, which stays what the person chose for the
        form, so a one-off use never widens or overturns it."""
        if source not in self.sources:
            raise InvalidInput(f"unknown data source {source!r}", field="source")
        if not consent:
            raise ConsentRequired(f"reading your {source} for this needs your consent; send consent: true "
                                  "(同意调取) or upload the material instead", field="consent")
        self.audit.append(s, actor=actor, action="consent_grant", subject_id=owner_id, owner_id=owner_id,
                          draft_id=draft_id, source=source, fields=sorted(fields), purpose=purpose,
                          detail={"once": True})
        return self._fetch(s, draft_id=draft_id, owner_id=owner_id, role="self", subject_id=owner_id, source=source,
                           fields=fields, actor=actor, purpose=purpose)

    def _fetch(self, s: Session, *, draft_id: str, owner_id: str, role: str, subject_id: str, source: str,
               fields: Sequence[str], actor: str, purpose: str) -> SourceRecord:
        """Read the source and log the read in the caller's transaction (the grant is checked by the caller)."""
        record = self.sources[source].fetch(subject_id, list(fields), purpose=purpose)
        self.audit.append(s, actor=actor, action="read", subject_id=subject_id, owner_id=owner_id,
                          draft_id=draft_id, source=source, fields=sorted(fields), purpose=purpose,
                          detail={"role": role, "records": sorted({v.record_id for v in record.values.values()}),
                                  "returned": len(record.values)})
        return record


class ConsentCodes:
    """6-digit, 10-minute, single-use codes a citizen gives a clerk to act for them (帮办代办)."""

    def __init__(self, db: StateDB, audit: AuditLog, secret: str, *, ttl_s: int = 600, max_failures: int = 10,
                 clock: Clock = utcnow) -> None:
        if not secret:
            raise InvalidInput("YJS_SECRET_KEY must not be empty", field="secret_key")
        self.db = db
        self.audit = audit
        self._key = hashlib.sha256(("consent-code:" + secret).encode("utf-8")).digest()
        self.ttl_s = ttl_s
        self.max_failures = max_failures
        self.clock = clock

    def _hash(self, code: str) -> str:
        return hmac.new(self._key, code.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self, who: Principal) -> ConsentCode:
        if who.kind != "citizen" or who.via_staff:
            raise Forbidden("only the citizen, signed in themselves, can issue a consent code")
        now = self.clock()
        expires = iso(now + dt.timedelta(seconds=self.ttl_s))
        with self.db.session() as s:
            while True:  # an active code must be unambiguous
                code = f"{secrets.randbelow(10**6):06d}"
                clash = s.scalar(select(func.count()).select_from(ConsentCodeRow).where(
                    ConsentCodeRow.code_hash == self._hash(code), ConsentCodeRow.used_at.is_(None),
                    ConsentCodeRow.expires_at > iso(now)))
                if not clash:
                    break
            s.add(ConsentCodeRow(code_hash=self._hash(code), person_id=who.subject, expires_at=expires))
            self.audit.append(s, actor=who.actor, action="consent_code_issue", subject_id=who.subject,
                              owner_id=who.subject, purpose="帮办代办：授权窗口工作人员代为办理",
                              detail={"expires_at": expires})
        return ConsentCode(code=code, expires_at=expires)

    def redeem(self, staff: Principal, code: str) -> str:
        """The person id the code was issued by; the code is then spent. Wrong codes count against the clerk."""
        if staff.kind != "staff":
            raise Forbidden("only staff can redeem a consent code")
        code = (code or "").strip()
        if len(code) != 6 or not code.isdigit():
            raise InvalidInput("code: must be the 6 digits the citizen was given (授权码应为6位数字)", field="code")
        now = self.clock()
        window = iso(now - dt.timedelta(seconds=self.ttl_s))
        with self.db.session() as s:
            failures = s.scalar(select(func.count()).select_from(CodeFailureRow).where(
                CodeFailureRow.staff == staff.subject, CodeFailureRow.at > window)) or 0
            if failures >= self.max_failures:
                raise RateLimited("too many wrong consent codes from this account; wait 10 minutes")
            row = s.scalars(select(ConsentCodeRow).where(
                ConsentCodeRow.code_hash == self._hash(code), ConsentCodeRow.used_at.is_(None),
                ConsentCodeRow.expires_at > iso(now))).first()
            spent = row is not None and s.execute(
                update(ConsentCodeRow).where(ConsentCodeRow.id == row.id, ConsentCodeRow.used_at.is_(None))
                .values(used_at=iso(now), used_by=staff.actor)).rowcount == 1
            if not spent:
                s.add(CodeFailureRow(staff=staff.subject, at=iso(now)))
                self.audit.append(s, actor=staff.actor, action="consent_code_rejected",
                                  purpose="帮办代办：授权码无效、已过期或已使用")
            else:
                self.audit.append(s, actor=staff.actor, action="consent_code_redeem", subject_id=row.person_id,
                                  owner_id=row.person_id, purpose="帮办代办：窗口工作人员凭授权码代为办理")
        if not spent:
            raise Forbidden("the consent code is wrong, expired or already used; ask the citizen for a new one")
        return row.person_id


class CounterCheck:
    """帮办代办: the masked name and ID number of the citizen a clerk acts for.

    A consent code proves that someone who could sign in as the citizen made it, not that the person at
    the counter is that citizen; the clerk checks the masked name and ID number against them and their
    ID card. The read is in the citizen's own data-use record, like every other read of their data."""

    FIELDS = ("name", "id_number")
    PURPOSE = "帮办代办：窗口工作人员核对办事人身份（仅显示脱敏姓名和身份证号）"

    def __init__(self, db: StateDB, audit: AuditLog, population: DataSource) -> None:
        self.db = db
        self.audit = audit
        self.population = population

    def run(self, who: Principal) -> PersonCheck:
        if who.kind != "citizen" or not who.via_staff:
            raise Forbidden("only a clerk acting with the citizen's consent code checks who they act for")
        with self.db.session() as s:
            record = self.population.fetch(who.subject, list(self.FIELDS), purpose=self.PURPOSE)
            self.audit.append(s, actor=who.actor, action="read", subject_id=who.subject, owner_id=who.subject,
                              source=self.population.name, fields=list(self.FIELDS), purpose=self.PURPOSE,
                              detail={"masked": True, "returned": len(record.values)})
        id_number = record.get("id_number")
        return PersonCheck(name_masked=mask_name(record.get("name") or ""),
                           id_number_masked=mask_id_number(id_number) if id_number else None)
