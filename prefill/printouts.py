"""The printable form (DOCX or PDF) of a draft: the citizen copy, or a department's copy printed at
the window by a clerk acting for the citizen.

The file is rendered inside the transaction that records it, so the access log never shows a
document that failed to render (a PDF without a CJK font, say).
"""

from __future__ import annotations

import datetime as dt

from core.clock import fmt_local, utcnow
from core.errors import Forbidden, InvalidInput
from core.identity import Principal
from prefill.audit import AuditLog
from prefill.catalogue import Catalogue
from prefill.common import owned_draft
from prefill.documents import CITIZEN_COPY, DocumentContext, render_docx, render_pdf
from prefill.models import Document
from prefill.store import StateDB

_MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


class Printouts:
    """Renders a draft's printable form and records who printed which copy."""

    def __init__(self, state: StateDB, catalogue: Catalogue, audit: AuditLog, tz: dt.tzinfo = dt.UTC) -> None:
        self.state = state
        self.catalogue = catalogue
        self.audit = audit
        self.tz = tz  # printed times are local (the `timezone` setting)

    def document(self, who: Principal, draft_id: str, fmt: str = "docx", copy: str = CITIZEN_COPY) -> Document:
        """The printable form: the citizen copy masks identifiers; a department copy (printed by a clerk acting
        for the citizen) has that department's fields in full."""
        if fmt not in _MEDIA:
            raise InvalidInput("format: must be docx or pdf", field="format")
        with self.state.session() as s:
            row = owned_draft(s, who, draft_id)
            form = self.catalogue.form(row.one_thing_id)
            if copy != CITIZEN_COPY and copy not in form.departments:
                raise InvalidInput(f"copy: must be {CITIZEN_COPY} or one of {', '.join(form.departments)}", field="copy")
            if copy != CITIZEN_COPY and not who.via_staff:
                # Full values include family members' identifiers, shared with departments, not with the applicant.
                raise Forbidden("department copies are printed at the window by staff acting for you (帮办代办); "
                                "your copy masks identifiers")
            ctx = DocumentContext(form=form, draft_id=row.id, status=row.status, values=dict(row.values or {}),
                                  tracking_no=row.tracking_no,
                                  submitted_at=fmt_local(row.submitted_at, self.tz) if row.submitted_at else None,
                                  generated_at=fmt_local(utcnow(), self.tz))
            content = render_docx(ctx, copy) if fmt == "docx" else render_pdf(ctx, copy)
            self.audit.append(s, actor=who.actor, action="document", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, purpose=f"{form.one_thing_id}: 打印申请表", detail={"copy": copy, "format": fmt})
        suffix = "" if copy == CITIZEN_COPY else "-dept"
        return Document(filename=f"{form.form_id}-{row.id[:8]}{suffix}.{fmt}", media_type=_MEDIA[fmt], content=content)
