"""Drafts: start one, pre-fill it from granted sources, edit it, read a field from a photo (OCR),
and the edit history.

Each command runs in one transaction: the draft row is locked, the engine's reads and their audit
entries, the edit history and the new values commit together. The one exception is the OCR model,
which is slow: `ocr_field` checks first, runs the model outside any transaction, then re-checks
and writes in one transaction, so the state database's write lock is never held during inference.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.identity import Principal
from core.masking import mask_for_type
from core.status import DraftStatus
from prefill.audit import AuditLog
from prefill.catalogue import Catalogue
from prefill.common import (
    SOURCE_LABELS,
    as_text,
    check_id,
    draft_state,
    owned_draft,
    purpose,
    require_citizen,
    store_state,
)
from prefill.engine import PrefillEngine, field_value, owner_binding
from prefill.forms import plain_values
from prefill.lifecycle import require_editable
from prefill.models import DraftSummary, DraftView, EditRecord
from prefill.ocr import OcrReader, RapidOcrReader, extract
from prefill.store import DraftRow, EditRow, StateDB, iso
from prefill.validators import validate_field
from prefill.views import DraftViews

LOCKED = ("confirmed values are locked; reopen the form to change them", "撤回确认后再修改")


class Drafts:
    """Creating, pre-filling and editing a citizen's own drafts."""

    def __init__(self, state: StateDB, catalogue: Catalogue, engine: PrefillEngine, audit: AuditLog,
                 views: DraftViews, ocr: OcrReader | None = None) -> None:
        self.state = state
        self.catalogue = catalogue
        self.engine = engine
        self.audit = audit
        self.views = views
        self.ocr: OcrReader = ocr or RapidOcrReader()  # loaded on first upload, never at start-up

    def start_draft(self, who: Principal, one_thing_id: str, subjects: dict[str, str] | None = None) -> DraftView:
        """A new application for a one-thing; returns it with the consent request to decide first."""
        require_citizen(who)
        form = self.catalogue.form(one_thing_id)
        requested = {}
        for role, subject in (subjects or {}).items():
            if role not in form.subjects:
                raise InvalidInput(f"subjects: form {form.form_id} has no role {role!r}", field="subjects")
            requested[role] = check_id(subject, f"subjects.{role}")
        now = iso(utcnow())
        values = {f.key: field_value(None, "to_be_entered") for f in form.fields()}
        with self.state.session() as s:
            self.engine.check_representative(s, form, who.subject, requested, who.actor)
            draft_id = uuid.uuid4().hex
            me = owner_binding(who.subject)
            me["display"] = self.engine.applicant_display(s, who.subject, who.actor, draft_id, form)
            row = DraftRow(id=draft_id, owner_id=who.subject, one_thing_id=form.one_thing_id,
                           form_id=form.form_id, status=DraftStatus.OPEN.value,
                           bindings={"self": me}, values=values, requested=requested,
                           version=1, created_at=now, updated_at=now)
            s.add(row)
            self.audit.append(s, actor=who.actor, action="draft_start", subject_id=who.subject, owner_id=who.subject,
                              draft_id=row.id, purpose=purpose(form))
            return self.views.draft(s, row)

    def draft(self, who: Principal, draft_id: str) -> DraftView:
        with self.state.session() as s:
            return self.views.draft(s, owned_draft(s, who, draft_id))

    def my_drafts(self, who: Principal) -> list[DraftSummary]:
        require_citizen(who)
        with self.state.session() as s:
            rows = s.scalars(select(DraftRow).where(DraftRow.owner_id == who.subject)
                             .order_by(DraftRow.updated_at.desc()).limit(200)).all()
            return [DraftSummary(draft_id=r.id, one_thing_id=r.one_thing_id,
                                 title=self.catalogue.form(r.one_thing_id).title, status=r.status,
                                 updated_at=r.updated_at, tracking_no=r.tracking_no) for r in rows]

    def prefill(self, who: Principal, draft_id: str) -> DraftView:
        """Fill the draft from every granted source; refused or missing grants leave fields to be entered."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            require_editable(row, "the form is confirmed; reopen it before pre-filling again")
            form = self.catalogue.form(row.one_thing_id)
            st = draft_state(row)
            self.engine.prefill(s, st, form, who.actor)
            store_state(row, st)
            row.prefilled_at = iso(utcnow())
            return self.views.draft(s, row)

    def edit_many(self, who: Principal, draft_id: str, values: dict[str, Any]) -> DraftView:
        """Validate and save typed values; old and new values are kept with who and when. All or nothing."""
        if not isinstance(values, dict) or not values:
            raise InvalidInput("values: give at least one field to change", field="values")
        if len(values) > 200:
            raise InvalidInput("values: too many fields in one request", field="values")
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            self._apply_edits(s, who, row, values)
            return self.views.draft(s, row)

    def _apply_edits(self, s: Session, who: Principal, row: DraftRow, values: dict[str, Any]) -> None:
        form = self.catalogue.form(row.one_thing_id)
        require_editable(row, *LOCKED)
        st = draft_state(row)
        now = iso(utcnow())
        asked_before = form.asked_keys(plain_values(st.values))
        changed_inputs = []
        for key, raw in values.items():
            f = form.field(check_id(key, "key"))
            old = st.values.get(key) or field_value(None, "to_be_entered")
            if old["state"] == "authoritative" and old.get("value") is not None:
                raise Conflict(f"{key}: comes from {SOURCE_LABELS[f.source.source]} and is read-only; "
                               "report an error (纠错) if it is wrong", field=key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if f.required:
                    raise InvalidInput(f"{key}: is required (必填项不能为空)", field=key)
                new = field_value(None, "to_be_entered")
            else:
                state = "edited" if old["state"] in ("prefilled", "edited") else "entered"
                new = field_value(validate_field(f, raw), state)
            if new == old:
                continue
            st.values[key] = new
            s.add(EditRow(draft_id=row.id, key=key, old=old, new=new, actor=who.actor, at=now))
            self.audit.append(s, actor=who.actor, action="edit", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=[key], purpose=purpose(form),
                              detail={"old_state": old["state"], "new_state": new["state"]})
            if any(sp.input_field == key for sp in form.subjects.values()):
                changed_inputs.append(key)
        for key in changed_inputs:
            self.engine.unbind(st, form, key)
        if changed_inputs:  # a new person named by ID number: identify them and send their ask
            self.engine.resolve(s, st, form, who.actor)
        if any(f.key in values for f in form.consent_choices()):
            # A choice decides whose data is needed: what it no longer needs is dropped, others' asks follow it,
            # and on a pre-filled form what it needs now is read where consent already covers it.
            self.engine.forget_unasked(st, form)
            self.engine.refresh_asks(s, st, form)
            newly = form.asked_keys(plain_values(st.values)) - asked_before
            if row.prefilled_at and newly:
                self.engine.fill_from_sources(s, st, form, who.actor, only=newly)
        store_state(row, st)

    def accept_ocr(self, who: Principal, draft_id: str, key: str) -> DraftView:
        """The person confirms a value read by OCR from their upload; it becomes their own entry."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            v = (row.values or {}).get(key) or {}
            if v.get("state") != "ocr":
                raise Conflict(f"{key}: has no OCR value waiting for confirmation", field=key)
            self._apply_edits(s, who, row, {key: v["value"]})
            return self.views.draft(s, row)

    @staticmethod
    def _check_ocr_target(row: DraftRow, key: str) -> None:
        require_editable(row, "confirmed values are locked; reopen the form first")
        if ((row.values or {}).get(key) or {}).get("state", "to_be_entered") not in ("to_be_entered", "ocr"):
            raise Conflict(f"{key}: already has a value; OCR only fills fields still to be entered", field=key)

    def ocr_field(self, who: Principal, draft_id: str, key: str, image: bytes) -> DraftView:
        """Read a field still to be entered from a certificate photo; the value waits for the person's confirmation."""
        with self.state.session() as s:  # checks only: nothing is written before the model has run
            row = owned_draft(s, who, draft_id)
            form = self.catalogue.form(row.one_thing_id)
            f = form.field(key)
            self._check_ocr_target(row, key)
        value = extract(f, self.ocr.run(image).lines)
        if value is None:
            raise InvalidInput(f"image: no valid {f.label} could be read from the photo; please type it", field="image")
        digest = hashlib.sha256(image).hexdigest()
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            self._check_ocr_target(row, key)  # again: the draft may have been confirmed while the model ran
            st = draft_state(row)
            now = iso(utcnow())
            old = st.values.get(key) or field_value(None, "to_be_entered")
            new = field_value(value, "ocr", {"source": "ocr", "record_id": digest[:16], "fetched_at": now,
                                             "subject_role": "upload"})
            st.values[key] = new
            s.add(EditRow(draft_id=row.id, key=key, old=old, new=new, actor=who.actor, at=now))
            self.audit.append(s, actor=who.actor, action="ocr", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, source="ocr", fields=[key], purpose=f"{form.one_thing_id}: 识别上传的证照",
                              detail={"image_sha256": digest})
            store_state(row, st)
            return self.views.draft(s, row)

    def history(self, who: Principal, draft_id: str) -> list[EditRecord]:
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            form = self.catalogue.form(row.one_thing_id)
            edits = s.scalars(select(EditRow).where(EditRow.draft_id == row.id).order_by(EditRow.id)).all()
            out = []
            for e in edits:
                f = form.field(e.key)
                out.append(EditRecord(key=e.key, label=f.label, actor=e.actor, at=e.at, old_state=e.old["state"],
                                      new_state=e.new["state"],
                                      old_display=mask_for_type(f.type, as_text(e.old.get("value")), sensitive=f.sensitive),
                                      new_display=mask_for_type(f.type, as_text(e.new.get("value")), sensitive=f.sensitive)))
            return out

    def raw_values(self, who: Principal, draft_id: str) -> dict[str, Any]:
        """Unmasked values for the caller's edit boxes: what they typed and data about themselves or those
        they act for. Another adult's data (a spouse's ID number) stays out: it was shared with departments."""
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            bindings = row.bindings or {}
            out = {}
            for key, v in (row.values or {}).items():
                prov = (v or {}).get("provenance") or {}
                role = prov.get("subject_role")
                if not prov or prov.get("source") == "ocr" or (bindings.get(role) or {}).get("grantor_id") == row.owner_id:
                    out[key] = (v or {}).get("value")
            return out

    def all_values(self, draft_id: str) -> dict[str, Any]:
        """Every stored value of a draft, unmasked — for trusted in-process checks (the eval, tests), never an edge."""
        with self.state.session() as s:
            row = s.get(DraftRow, check_id(draft_id, "draft_id"))
            if row is None:
                raise NotFound(f"no draft {draft_id!r}")
            return {k: (v or {}).get("value") for k, v in (row.values or {}).items()}
