"""Review, 纠错 reports, the explicit confirmation and the submission that fans the form out to each
department (一表申请、分送各部门).

Nothing is submitted before the citizen confirms, and confirming locks the values: the moves go
through `prefill.lifecycle`. Submitting writes the submission, one status row per department, the
draft's new status and the audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, InvalidInput
from core.identity import Principal
from core.masking import mask_for_type
from core.status import DepartmentStatus, DraftStatus
from prefill.audit import AuditLog
from prefill.catalogue import Catalogue
from prefill.common import SOURCE_LABELS, as_text, owned_draft, purpose
from prefill.engine import prefill_rate
from prefill.forms import MergedForm, plain_values
from prefill.lifecycle import advance, is_editable
from prefill.models import (
    CorrectionReport,
    DepartmentPayload,
    DraftView,
    PendingMaterial,
    Problem,
    ReviewGroup,
    ReviewItem,
    ReviewSummary,
    SubmissionView,
)
from prefill.store import CorrectionRow, DraftRow, StateDB, StatusRow, SubmissionRow, iso
from prefill.validators import validate_field
from prefill.views import DraftViews, provenance

_TRACKING_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def problems(form: MergedForm, values: dict[str, dict]) -> list[Problem]:
    """What blocks confirming: required fields without a value, OCR values not yet accepted, and
    values that fail their field's rules."""
    out = []
    plain = plain_values(values)
    for f in form.fields():
        if not f.asked(plain):  # not needed after an earlier choice: neither required nor checked
            continue
        v = values.get(f.key) or {}
        if v.get("value") is None:
            if f.required:
                out.append(Problem(key=f.key, message=f"{f.key}: is required (必填项不能为空)"))
            continue
        if v.get("state") == "ocr":
            out.append(Problem(key=f.key, message=f"{f.key}: value read by OCR must be confirmed (识别结果需确认)"))
            continue
        try:
            validate_field(f, v["value"])
        except InvalidInput as exc:
            out.append(Problem(key=f.key, message=exc.message))
    return out


def _digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


class Submissions:
    """From a filled draft to a submission: review, report errors, confirm or reopen, submit."""

    def __init__(self, state: StateDB, catalogue: Catalogue, audit: AuditLog, views: DraftViews,
                 blocking: Callable[[Session, str], list[str]] | None = None, tz: dt.tzinfo = dt.UTC,
                 committed: Callable[[Session, str], list[PendingMaterial]] | None = None) -> None:
        self.state = state
        self.catalogue = catalogue
        self.audit = audit
        self.views = views
        # 承诺办: plain reasons a draft may not be submitted yet (a non-tolerable material marked missing).
        self.blocking = blocking
        # 承诺办: the materials promised for later, so each department concerned is told in its own payload.
        self.committed = committed
        self.tz = tz  # the tracking number carries the local date (the `timezone` setting)

    def review(self, who: Principal, draft_id: str) -> ReviewSummary:
        """Everything grouped by section and by department, each group with its 修改 target, and what blocks confirming."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            form = self.catalogue.form(row.one_thing_id)
            values = row.values or {}

            def item(f) -> ReviewItem:
                v = values.get(f.key) or {}
                return ReviewItem(key=f.key, label=f.label, required=f.required, state=v.get("state", "to_be_entered"),
                                  display=mask_for_type(f.type, as_text(v.get("value")), sensitive=f.sensitive),
                                  source=(v.get("provenance") or {}).get("source"))

            plain = plain_values(values)
            by_section = [ReviewGroup(key=sec.key, title=sec.title, edit_target=f"section:{sec.key}",
                                      items=[item(f) for f in sec.fields if f.asked(plain)]) for sec in form.sections]
            by_department = []
            for dept in form.departments:
                flds = form.fields_for(dept, plain)
                first = form.section_of(flds[0].key).key
                by_department.append(ReviewGroup(key=dept, title=dept, edit_target=f"section:{first}",
                                                 items=[item(f) for f in flds]))
            found = problems(form, values)
            return ReviewSummary(draft_id=row.id, title=form.title, status=row.status, by_section=by_section,
                                 by_department=by_department, problems=found,
                                 ready_to_confirm=is_editable(row) and not found,
                                 prefill_rate=prefill_rate(form, values))

    def report_error(self, who: Principal, draft_id: str, key: str, note: str) -> CorrectionReport:
        """纠错: the person reports that a registry value is wrong; the source's owner checks it."""
        note = (note or "").strip()
        if not note or len(note) > 500:
            raise InvalidInput("note: describe what is wrong in 1-500 characters", field="note")
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            form = self.catalogue.form(row.one_thing_id)
            f = form.field(key)
            prov = ((row.values or {}).get(key) or {}).get("provenance")
            if not prov or prov["source"] == "ocr":
                raise Conflict(f"{key}: was not filled from shared data; just edit it", field=key)
            now = iso(utcnow())
            rep = CorrectionRow(draft_id=row.id, owner_id=row.owner_id, key=key, source=prov["source"],
                                record_id=prov["record_id"], note=note, actor=who.actor, at=now)
            s.add(rep)
            s.flush()
            self.audit.append(s, actor=who.actor, action="correction_report", subject_id=who.subject,
                              owner_id=row.owner_id, draft_id=row.id, source=prov["source"], fields=[key],
                              purpose="纠错：申请人报告共享数据有误", detail={"record_id": prov["record_id"], "report": rep.id})
            return CorrectionReport(id=rep.id, draft_id=row.id, key=key, label=f.label, status=rep.status, at=now,
                                    source_label=SOURCE_LABELS[prov["source"]])

    def confirm(self, who: Principal, draft_id: str) -> DraftView:
        """The explicit confirmation: locks the values; nothing can be submitted before it."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            form = self.catalogue.form(row.one_thing_id)
            # Moved first so a wrong status wins over missing values; a problem rolls the move back.
            advance(row, DraftStatus.CONFIRMED, f"the form is already {row.status}")
            found = problems(form, row.values or {})
            if found:
                raise InvalidInput(found[0].message + (f" (and {len(found) - 1} more; see the review)"
                                                       if len(found) > 1 else ""), field=found[0].key)
            now = iso(utcnow())
            row.confirmed_at, row.confirmed_by, row.updated_at = now, who.actor, now
            row.version += 1
            self.audit.append(s, actor=who.actor, action="confirm", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=list(form.by_key), purpose=purpose(form),
                              detail={"values_sha256": _digest(row.values)})
            return self.views.draft(s, row)

    def reopen(self, who: Principal, draft_id: str) -> DraftView:
        """撤回确认: a confirmed, not yet submitted form becomes editable again."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            advance(row, DraftStatus.OPEN, "only a confirmed, not yet submitted form can be reopened")
            row.confirmed_at, row.confirmed_by = None, None
            row.version += 1
            self.audit.append(s, actor=who.actor, action="reopen", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id)
            return self.views.draft(s, row)

    def submit(self, who: Principal, draft_id: str) -> SubmissionView:
        """Fan the confirmed form out: one payload per department with only its fields; a tracking number."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            form = self.catalogue.form(row.one_thing_id)
            why = ((f"already submitted as {row.tracking_no}",) if row.tracking_no else
                   ("confirm the reviewed form before submitting", "请先核对并确认后再提交"))
            advance(row, DraftStatus.SUBMITTED, *why)
            reasons = self.blocking(s, row.id) if self.blocking else []
            if reasons:
                raise Conflict(reasons[0] + (f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""))
            now = utcnow()
            tracking = _tracking_no(s, now.astimezone(self.tz))
            pending = self.committed(s, row.id) if self.committed else []
            payloads = {d: self._payload(form, row, d, tracking, iso(now), pending).model_dump()
                        for d in form.departments}
            s.add(SubmissionRow(tracking_no=tracking, draft_id=row.id, owner_id=row.owner_id,
                                one_thing_id=form.one_thing_id, submitted_at=iso(now), payloads=payloads))
            for d in form.departments:
                s.add(StatusRow(tracking_no=tracking, department=d, status=DepartmentStatus.RECEIVED.value, note="",
                                actor=who.actor, at=iso(now)))
            row.submitted_at, row.tracking_no = iso(now), tracking
            row.version += 1
            self.audit.append(s, actor=who.actor, action="submit", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=list(form.by_key), purpose=purpose(form),
                              detail={"tracking_no": tracking,
                                      "departments": {d: sorted(payloads[d]["fields"]) for d in form.departments},
                                      "pending": {p.material: p.departments for p in pending}})
            s.flush()
            return self.views.submission(s, tracking)

    @staticmethod
    def _payload(form: MergedForm, row: DraftRow, dept: str, tracking: str, at: str,
                 pending: list[PendingMaterial]) -> DepartmentPayload:
        values = row.values or {}
        flds = form.fields_for(dept, plain_values(values))  # a field an earlier choice made unneeded is not sent
        return DepartmentPayload(tracking_no=tracking, form_id=form.form_id, one_thing_id=form.one_thing_id,
                                 department=dept, submitted_at=at, applicant_id=row.owner_id,
                                 fields={f.key: (values.get(f.key) or {}).get("value") for f in flds},
                                 labels={f.key: f.label for f in flds},
                                 provenance={f.key: provenance((values.get(f.key) or {}).get("provenance"))
                                             for f in flds},
                                 pending_materials=[p for p in pending if dept in p.departments])


def _tracking_no(s: Session, now: dt.datetime) -> str:
    while True:
        no = f"YJS-{now:%Y%m%d}-" + "".join(secrets.choice(_TRACKING_CHARS) for _ in range(6))
        if s.get(SubmissionRow, no) is None:
            return no
