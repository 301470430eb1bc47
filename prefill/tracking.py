"""After submission (查): per-department progress for the citizen, and for staff the status moves
and each department's full-value payload.

Citizens see only their own submissions (anything else is "not found"); staff see any, and every
staff read of a payload and every status move is audited against the applicant in the same
transaction. Status moves follow `core.status.DEPARTMENT_TRANSITIONS`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.identity import Principal
from core.status import DEPARTMENT_STATUSES, DEPARTMENT_TRANSITIONS
from prefill.audit import AuditLog
from prefill.common import require_citizen, require_staff
from prefill.models import DepartmentPayload, StatusChange, SubmissionView
from prefill.store import StateDB, StatusRow, SubmissionRow, iso
from prefill.views import DraftViews


def submission_for(s: Session, who: Principal, tracking_no: str, *, lock: bool = False) -> SubmissionRow:
    """The submission a caller may see: a citizen their own, staff any."""
    if not isinstance(tracking_no, str) or not tracking_no or len(tracking_no) > 32:
        raise InvalidInput("tracking_no: not a valid tracking number (e.g. YJS-20261123-ABC234)", field="tracking_no")
    sub = s.get(SubmissionRow, tracking_no.strip().upper(), with_for_update=lock or None)
    if sub is None or (who.kind == "citizen" and sub.owner_id != who.subject):
        raise NotFound(f"no submission {tracking_no!r} for this user")
    return sub


class Tracking:
    """Progress of submissions, department status moves, department payloads."""

    def __init__(self, state: StateDB, audit: AuditLog, views: DraftViews) -> None:
        self.state = state
        self.audit = audit
        self.views = views

    def track(self, who: Principal, tracking_no: str) -> SubmissionView:
        """查: per-department status. Citizens see only their own; staff see any."""
        with self.state.session() as s:
            sub = submission_for(s, who, tracking_no)
            return self.views.submission(s, sub.tracking_no)

    def my_submissions(self, who: Principal) -> list[SubmissionView]:
        require_citizen(who)
        with self.state.session() as s:
            nos = s.scalars(select(SubmissionRow.tracking_no).where(SubmissionRow.owner_id == who.subject)
                            .order_by(SubmissionRow.submitted_at.desc()).limit(100)).all()
            return [self.views.submission(s, n) for n in nos]

    def update_status(self, who: Principal, tracking_no: str, department: str, status: str, note: str = "") -> StatusChange:
        """A department (staff) moves its part of a submission along: 待受理 → 已受理 → 办理中 → 已办结 …"""
        require_staff(who)
        if status not in DEPARTMENT_STATUSES:
            raise InvalidInput(f"status: must be one of {', '.join(DEPARTMENT_STATUSES)}", field="status")
        if len(note or "") > 500:
            raise InvalidInput("note: at most 500 characters", field="note")
        with self.state.session() as s:
            # Locked: two clerks moving the same department at once must not both pass the check below.
            sub = submission_for(s, who, tracking_no, lock=True)
            current = {r.department: r.status for r in s.scalars(
                select(StatusRow).where(StatusRow.tracking_no == sub.tracking_no).order_by(StatusRow.id)).all()}
            if department not in current:
                raise NotFound(f"department {department!r} is not part of {sub.tracking_no}")
            old = current[department]
            if status not in DEPARTMENT_TRANSITIONS[old]:
                allowed = "、".join(DEPARTMENT_TRANSITIONS[old]) or "none (final)"
                raise Conflict(f"status: {department} is {old}; next can be {allowed}", field="status")
            now = iso(utcnow())
            s.add(StatusRow(tracking_no=sub.tracking_no, department=department, status=status, note=note or "",
                            actor=who.actor, at=now))
            self.audit.append(s, actor=who.actor, action="status_change", subject_id=sub.owner_id, owner_id=sub.owner_id,
                              draft_id=sub.draft_id, purpose=f"{sub.one_thing_id}: 办理进度更新",
                              detail={"tracking_no": sub.tracking_no, "department": department, "from": old, "to": status})
            return StatusChange(tracking_no=sub.tracking_no, department=department, old_status=old, new_status=status, at=now)

    def department_payload(self, who: Principal, tracking_no: str, department: str) -> DepartmentPayload:
        """A department's full-value payload (staff only; the read is audited against the applicant)."""
        require_staff(who)
        with self.state.session() as s:
            sub = submission_for(s, who, tracking_no)
            payload = (sub.payloads or {}).get(department)
            if payload is None:
                raise NotFound(f"department {department!r} is not part of {sub.tracking_no}")
            self.audit.append(s, actor=who.actor, action="payload_read", subject_id=sub.owner_id, owner_id=sub.owner_id,
                              draft_id=sub.draft_id, fields=sorted(payload["fields"]),
                              purpose=f"{sub.one_thing_id}: {department}办理", detail={"department": department})
            return DepartmentPayload.model_validate(payload)
