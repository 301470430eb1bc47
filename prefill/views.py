"""What a citizen is shown of a draft, its consent request and a submission, built from the rows
inside the command's transaction (so a view returned by a command is what it committed).

Values are masked by field type; a field's provenance names its source in words; who decides each
consent item (the applicant, or the other person whose data it is) is spelled out.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.masking import mask_for_type, mask_id_number, mask_name
from core.status import DEPARTMENT_FINAL
from prefill.catalogue import Catalogue
from prefill.common import SOURCE_LABELS, as_text
from prefill.consent import ConsentStore
from prefill.engine import (
    field_value,
    fields_for_grantor,
    form_sources,
    lookup_fields,
    may_be_applicant,
    owner_binding,
    owner_decides,
    owner_roles,
    prefill_rate,
)
from prefill.forms import SOURCE_FIELDS, MergedForm, plain_values
from prefill.lifecycle import is_editable
from prefill.models import (
    STATE_LABELS,
    ConsentChoice,
    ConsentFieldRef,
    ConsentItem,
    ConsentRequest,
    DepartmentStatus,
    DraftView,
    FieldView,
    PendingMaterial,
    Provenance,
    SubjectView,
    SubmissionView,
)
from prefill.store import DraftRow, StatusRow, SubmissionRow


def field_refs(source: str, names: list[str]) -> list[ConsentFieldRef]:
    return [ConsentFieldRef(name=n, label=SOURCE_FIELDS[source].get(n, n)) for n in names]


def decision_status(decision, names: list[str], undecided: str) -> str:
    """A consent item's status from the grantor's newest decision: a grant that does not cover every field the
    item now needs (a choice changed since) is asked again."""
    if decision is None or (decision.granted and not decision.covers(names)):
        return undecided
    return "granted" if decision.granted else "refused"


def departments_for(form: MergedForm, source: str, roles: list[str]) -> list[str]:
    """Departments receiving data of `source` about `roles` (or about the roles resolved from them)."""
    reached = set(roles) | {r for r, spec in form.subjects.items() if spec.of in roles}
    depts = {d for f in form.fields() if f.source and f.source.subject in reached
             and (f.source.source == source or f.source.subject not in roles) for d in f.departments}
    return [d for d in form.departments if d in depts]


def applicant_display(row: DraftRow, form: MergedForm) -> str:
    """The applicant's masked name as another person sees it in an approval request: read when the draft
    started (prefill.engine.applicant_display), else from the pre-filled form, else 申请人."""
    shown = ((row.bindings or {}).get("self") or {}).get("display")
    if shown:
        return shown
    for f in form.fields():
        v = (row.values or {}).get(f.key) or {}
        prov = v.get("provenance") or {}
        if (f.source and f.source.source == "population" and f.source.field == "name" and v.get("value")
                and (row.bindings.get(prov.get("subject_role")) or {}).get("subject_id") == row.owner_id):
            return mask_name(v["value"])
    return "申请人"


def undisclosed(row: DraftRow, form: MergedForm, decisions: dict, role: str) -> str | None:
    """For a role named by an ID number the applicant typed, the masked number while that person has not
    decided yet — shown the same whether the number belongs to a registered person or to nobody, so the
    applicant never learns from a draft whether someone exists (or who) before they answer. None when
    the role is shown as it is (no number typed, the applicant's own number, or the person decided)."""
    spec = form.subjects.get(role)
    if spec is None or spec.kind != "by_id_number":
        return None
    typed = ((row.values or {}).get(spec.input_field) or {}).get("value")
    if not typed:
        return None
    b = (row.bindings or {}).get(role)
    if b is not None and (b["grantor_id"] == row.owner_id or any(g == b["grantor_id"] for _, g in decisions)):
        return None
    return mask_id_number(str(typed))


def provenance(prov: dict | None) -> Provenance | None:
    return Provenance(**prov, source_label=SOURCE_LABELS[prov["source"]]) if prov else None


class DraftViews:
    """Draft, consent-request and submission views; reads only, in the caller's session."""

    def __init__(self, catalogue: Catalogue, consents: ConsentStore,
                 committed: Callable[[Session, str], list[PendingMaterial]] | None = None) -> None:
        self.catalogue = catalogue
        self.consents = consents
        # 承诺办 (`prefill.commitments`): a draft's open 容缺待补 items, which a submission's tracking shows.
        self.committed = committed

    def draft(self, s: Session, row: DraftRow) -> DraftView:
        form = self.catalogue.form(row.one_thing_id)
        values = row.values or {}
        bindings = row.bindings or {}
        open_ = is_editable(row)
        fields = []
        plain = plain_values(values)
        counts: dict[str, int] = {}
        for sec in form.sections:
            for f in sec.fields:
                v = values.get(f.key) or field_value(None, "to_be_entered")
                state = v["state"]
                counts[state] = counts.get(state, 0) + 1
                prov = v.get("provenance")
                fields.append(FieldView(
                    key=f.key, label=f.label, label_en=f.label_en, section=sec.key, type=f.type, required=f.required,
                    options=f.options, options_en=f.options_en, departments=f.departments, state=state,
                    state_label=STATE_LABELS[state],
                    display=mask_for_type(f.type, as_text(v.get("value")), sensitive=f.sensitive),
                    has_value=v.get("value") is not None,
                    editable=open_ and not (state == "authoritative" and v.get("value") is not None),
                    provenance=provenance(prov),
                    correction_path=(f"/v1/prefill/drafts/{row.id}/fields/{f.key}/report-error"
                                     if state == "authoritative" and prov else None), help=f.help,
                    asked=f.asked(plain)))
        decisions = self.consents.decisions(s, row.id)
        subjects = []
        for r in form.roles():
            hidden = undisclosed(row, form, decisions, r)
            if hidden is not None:  # found or not, it reads "waiting for that person"
                subjects.append(SubjectView(role=r, label=form.role_label(r), display=hidden, resolved=False,
                                            decided_by="other"))
                continue
            subjects.append(SubjectView(role=r, label=form.role_label(r), display=(bindings.get(r) or {}).get("display"),
                                        resolved=r in bindings,
                                        decided_by=None if r not in bindings else
                                        ("you" if bindings[r]["grantor_id"] == row.owner_id else "other")))
        return DraftView(draft_id=row.id, one_thing_id=row.one_thing_id, form_id=row.form_id, title=form.title,
                         status=row.status, created_at=row.created_at, updated_at=row.updated_at,
                         confirmed_at=row.confirmed_at, submitted_at=row.submitted_at, tracking_no=row.tracking_no,
                         prefilled=row.prefilled_at is not None, prefill_rate=prefill_rate(form, values), counts=counts,
                         subjects=subjects, consent=self.consent_request(s, row, form), fields=fields)

    def consent_request(self, s: Session, row: DraftRow, form: MergedForm) -> ConsentRequest:
        """Every source × role the form reads, who decides it and the decision so far."""
        owner = row.owner_id
        bindings = row.bindings or {"self": owner_binding(owner)}
        decisions = self.consents.decisions(s, row.id)
        mine = owner_roles(form, bindings)
        values = row.values or {}
        plain = plain_values(values)
        items, yours = [], []
        for source in form_sources(form):
            if fields_for_grantor(form, source, bindings, owner, values):
                yours.append(source)
            for role in form.roles():
                names = form.source_fields(source, role, plain)
                if role in mine:
                    names = sorted(set(names) | set(lookup_fields(form, source, [role])))
                if not names:
                    continue
                b = bindings.get(role)
                by_you = (b["grantor_id"] == owner) if b else (role == "self" or owner_decides(form.subjects[role]))
                hidden = undisclosed(row, form, decisions, role)
                if hidden is not None:
                    items.append(ConsentItem(
                        source=source, source_label=SOURCE_LABELS[source], role=role, role_label=form.role_label(role),
                        subject_display=hidden, decided_by="other", decided_by_display=f"{form.role_label(role)}本人（需其登录授权）",
                        fields=field_refs(source, names), departments=departments_for(form, source, [role]),
                        status="awaiting_other"))
                    continue
                label = form.role_label(role)
                is_you = role == "self" or (b is not None and b["subject_id"] == owner)
                if b is None and role != "self" and may_be_applicant(form.subjects[role]):
                    is_you = None
                if by_you:
                    d = decisions.get((source, owner))
                    status = decision_status(d, names, "pending")
                    # Name who decides as the form will: the applicant for themselves (the newborn's father
                    # applying is 您本人, not "you for the father"); a parent not yet identified may be the
                    # other parent, who then approves from their own sign-in (the form waits for them).
                    who = ("您本人" if is_you else f"您本人（若您是{label}）；否则由{label}本人登录授权"
                           if is_you is None else f"您（为{label}）")
                elif b is None:
                    status, who = "unresolved", f"{form.role_label(role)}本人（确定其身份后请其授权）"
                else:
                    d = decisions.get((source, b["grantor_id"]))
                    status = decision_status(d, names, "awaiting_other")
                    who = f"{form.role_label(role)}本人（需其登录授权）"
                items.append(ConsentItem(
                    source=source, source_label=SOURCE_LABELS[source], role=role, role_label=form.role_label(role),
                    subject_display=(b or {}).get("display"), decided_by="you" if by_you else "other",
                    decided_by_display=who, role_is_you=is_you, fields=field_refs(source, names),
                    departments=departments_for(form, source, [role]), status=status))
        choices = [ConsentChoice(key=f.key, label=f.label, label_en=f.label_en, options=f.options,
                                 options_en=f.options_en, value=plain.get(f.key)) for f in form.consent_choices()]
        return ConsentRequest(draft_id=row.id, one_thing_id=form.one_thing_id, title=form.title, purpose=form.purpose,
                              departments=form.departments, items=items, your_sources=yours, choices=choices)

    def submission(self, s: Session, tracking_no: str) -> SubmissionView:
        """Per-department status of a submission: the newest status row of each department."""
        sub = s.get(SubmissionRow, tracking_no)
        rows = s.scalars(select(StatusRow).where(StatusRow.tracking_no == tracking_no).order_by(StatusRow.id)).all()
        latest: dict[str, StatusRow] = {}
        for r in rows:
            latest[r.department] = r
        form = self.catalogue.form(sub.one_thing_id)
        depts = [DepartmentStatus(department=d, status=latest[d].status, updated_at=latest[d].at, note=latest[d].note)
                 for d in form.departments if d in latest]
        pending = self.committed(s, sub.draft_id) if self.committed else []
        return SubmissionView(tracking_no=sub.tracking_no, draft_id=sub.draft_id, one_thing_id=sub.one_thing_id,
                              title=form.title, submitted_at=sub.submitted_at, departments=depts,
                              finished=all(d.status in DEPARTMENT_FINAL for d in depts), pending_materials=pending)
