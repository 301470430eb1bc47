"""承诺办 (容缺受理): submit with a tolerable material missing, under a signed commitment to supply it later.

The bundle's materials come from its guide (``knowledge/data/one_things/<id>.yaml``, the top-level
``materials``): each is shared data (``e_licence``: nothing to hand in), optional, or to be provided.
The citizen may say a material is missing for now (暂缺):

- if the guide marks it tolerable (``tolerance: true``, shown as 可容缺后补), the citizen signs the
  generated commitment (承诺书: what, by when, what happens if not supplied) and the item becomes
  容缺待补 with a due date; submission goes ahead;
- otherwise it is recorded as missing and blocks submission with a plain reason until it is supplied.

Supplying a material (before or after submission) closes the item: an upload, or — where the guide names
the 电子证照 kind that supplies it (``licence: <kind>`` on the material, read by `licence_kind`) — the
person's own licence read from the 电子证照库 with their consent for that one purpose, once it is issued.
Either way the item is closed, the supply is recorded (how, when; a licence number only masked) and each
department's stored payload marks the material 已补交. A clerk sees the open commitments and which are
overdue. Nothing changes for a draft where nobody marked anything missing. Every step is one transaction
with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, InvalidInput, LicenceNotFound
from core.identity import Principal
from core.masking import mask_code, mask_id_number
from core.status import DraftStatus
from knowledge.schema import Material, OneThing
from prefill.audit import AuditLog
from prefill.common import owned_draft, require_staff
from prefill.consent import ConsentGate
from prefill.forms import MergedForm
from prefill.models import (
    SUPPLY_VIA_LABELS,
    MaterialItemView,
    MaterialSupply,
    MaterialsView,
    PendingCommitment,
    PendingMaterial,
)
from prefill.sources import LICENCE_KINDS
from prefill.store import DraftRow, MaterialItemRow, MaterialSupplyRow, StateDB, SubmissionRow, iso
from prefill.views import applicant_display

log = logging.getLogger(__name__)

# Hand-set: the guides say 限期补交 without a figure; a deployer sets the local period here.
DEFAULT_DAYS = 30
MAX_UPLOAD = 8 * 1024 * 1024
CONSEQUENCE = "逾期未补交的，受理部门可按当地规定暂停办理或不予办结，已作出的决定可依法撤销"
# Of a licence that supplies a material, what a department needs to find and check it itself; nothing else is read.
LICENCE_PROOF = ("number", "issue_date", "issuer")


def licence_kind(material: Material) -> str | None:
    """The 电子证照 kind whose holder's own licence supplies `material`: the guide's ``licence``, when the
    licence store knows that kind (a guide naming another is a data error its test catches; here it only
    means upload)."""
    if material.licence and material.licence not in LICENCE_KINDS:
        log.warning("material %s names unknown licence kind %s: upload only", material.name, material.licence)
        return None
    return material.licence


def licence_route(material: Material) -> dict[str, str | None]:
    """The `LicenceRoute` fields of a material's views."""
    kind = licence_kind(material)
    return {"licence": kind, "licence_label": LICENCE_KINDS[kind] if kind else None}


def commitment_text(guide: OneThing, material: Material, due: dt.date) -> str:
    """The 承诺书: what is missing, by when it will be supplied, and what happens if it is not."""
    note = f"（{material.note}）" if material.note else ""
    basis = f"依据办事指南：{guide.channels.tolerance}" if guide.channels.tolerance else "依据办事指南，该材料可容缺后补。"
    return (f"容缺受理承诺书\n本人申请办理“{guide.name}”，现缺少材料：{material.name}{note}。"
            f"本人承诺于{due:%Y年%m月%d日}前补交该材料，并对所填信息的真实性负责。{CONSEQUENCE}。\n{basis}")


class Commitments:
    """The materials checklist of a draft, 暂缺 marks, commitments and later supply."""

    def __init__(self, db: StateDB, audit: AuditLog, guide: Callable[[str], OneThing | None],
                 form: Callable[[str], MergedForm], gate: ConsentGate, *, days: int = DEFAULT_DAYS,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.db = db
        self.audit = audit
        self.guide = guide
        self.form = form
        self.gate = gate  # the e-licence read of a supply passes the consent gate like every read of personal data
        self.days = days
        self.today = today

    def _guide(self, one_thing_id: str) -> OneThing:
        g = self.guide(one_thing_id)
        if g is None:
            raise Conflict(f"no service guide for {one_thing_id}: its materials are not known")
        return g

    @staticmethod
    def _material(guide: OneThing, name: str) -> Material:
        for m in guide.materials:
            if m.name == name:
                return m
        raise InvalidInput(f"material: {guide.name} lists no material named {name!r}", field="material")

    @staticmethod
    def _departments(guide: OneThing, name: str, form_departments: list[str]) -> list[str]:
        """The form's departments whose service item in the guide asks for the material (all, if none says)."""
        out = [d for item in guide.services if any(m.name == name for m in item.materials)
               for d in form_departments if item.department.startswith(d)]
        return sorted(set(out), key=out.index) or list(form_departments)

    @staticmethod
    def _items(s: Session, draft_id: str) -> dict[str, MaterialItemRow]:
        return {r.material: r for r in s.scalars(select(MaterialItemRow).where(MaterialItemRow.draft_id == draft_id))}

    def blocking(self, s: Session, draft_id: str) -> list[str]:
        """Plain reasons a submission cannot go ahead: materials marked missing that may not follow later."""
        return [f"“{r.material}”不可容缺，须补齐后才能提交（{r.material} is missing and is not on the guide's "
                "tolerable list; supply it first)"
                for r in self._items(s, draft_id).values() if r.status == "missing"]

    @staticmethod
    def _supplies(s: Session, draft_id: str) -> dict[str, MaterialSupply]:
        """How each material of the draft was last handed in."""
        rows = s.scalars(select(MaterialSupplyRow).where(MaterialSupplyRow.draft_id == draft_id)
                         .order_by(MaterialSupplyRow.id))
        return {r.material: MaterialSupply.model_validate(r.supply) for r in rows}

    def committed(self, s: Session, draft_id: str) -> list[PendingMaterial]:
        """The draft's open commitments (容缺待补) with the departments each concerns and whether an e-licence
        can supply it: for the fan-out and for tracking."""
        today = self.today()
        rows = [r for r in sorted(self._items(s, draft_id).values(), key=lambda r: r.id) if r.status == "committed"]
        guide = self.guide(rows[0].one_thing_id) if rows else None
        routes = {m.name: licence_route(m) for m in guide.materials} if guide else {}
        return [PendingMaterial(material=r.material, due=r.due, overdue=dt.date.fromisoformat(r.due) < today,
                                departments=list(r.departments or []), **routes.get(r.material, {}))
                for r in rows]

    def view(self, s: Session, row: DraftRow) -> MaterialsView:
        guide = self._guide(row.one_thing_id)
        items = self._items(s, row.id)
        supplies = self._supplies(s, row.id)
        today = self.today()
        out = []
        for m in guide.materials:
            r = items.get(m.name)
            if r is not None:
                status = r.status
            elif m.e_licence:
                status = "shared"
            elif not m.required:
                status = "optional"
            else:
                status = "to_provide"
            out.append(MaterialItemView(
                name=m.name, note=m.note, required=m.required, e_licence=m.e_licence, tolerable=m.tolerance,
                status=status, due=r.due if r else None, commitment=r.commitment if r else None,
                overdue=bool(r and r.status == "committed" and r.due and dt.date.fromisoformat(r.due) < today),
                supplied_at=r.supplied_at if r else None,
                supplied=supplies.get(m.name) if status == "supplied" else None, **licence_route(m)))
        return MaterialsView(draft_id=row.id, one_thing_id=row.one_thing_id, items=out,
                             blocking=self.blocking(s, row.id),
                             pending=[i.name for i in out if i.status == "committed"])

    def materials(self, who: Principal, draft_id: str) -> MaterialsView:
        with self.db.session() as s:
            return self.view(s, owned_draft(s, who, draft_id))

    def preview(self, who: Principal, draft_id: str, name: str) -> str | None:
        """The 承诺书 the citizen would sign if they mark `name` 暂缺 today (None: not tolerable, so no
        commitment is possible). Nothing is recorded: the screen shows it before the explicit signature."""
        with self.db.session() as s:
            row = owned_draft(s, who, draft_id)
            guide = self._guide(row.one_thing_id)
            m = self._material(guide, name)
            if not m.tolerance:
                return None
            return commitment_text(guide, m, self.today() + dt.timedelta(days=self.days))

    def mark_missing(self, who: Principal, draft_id: str, name: str) -> MaterialsView:
        """暂缺: a tolerable material becomes 容缺待补 under a generated commitment; any other blocks submission."""
        with self.db.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            if row.status == DraftStatus.SUBMITTED:
                raise Conflict("the application is already submitted; supply the material instead")
            guide = self._guide(row.one_thing_id)
            m = self._material(guide, name)
            item = self._items(s, row.id).get(name)
            if item is not None and item.status != "supplied":
                raise Conflict(f"“{name}” is already marked {item.status}")
            item = item or self._new_item(s, row, m)
            item.tolerable = m.tolerance
            item.departments = self._departments(guide, name, self.form(row.one_thing_id).departments)
            item.supplied_at = item.supplied_sha256 = None
            if m.tolerance:
                due = self.today() + dt.timedelta(days=self.days)
                item.status, item.due, item.commitment = "committed", due.isoformat(), commitment_text(guide, m, due)
                action, purpose = "commitment_sign", f"{row.one_thing_id}: 容缺受理，签署承诺书（{name}）"
            else:
                item.status, item.due, item.commitment = "missing", None, None
                action, purpose = "material_missing", f"{row.one_thing_id}: 材料暂缺（不可容缺，{name}）"
            self.audit.append(s, actor=who.actor, action=action, subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=[name], purpose=purpose,
                              detail={"due": item.due, "tolerable": m.tolerance})
            s.flush()
            return self.view(s, row)

    def supply(self, who: Principal, draft_id: str, name: str, content: bytes) -> MaterialsView:
        """Hand in a material (an upload), before or after submission; a 容缺待补 item is closed."""
        if not content:
            raise InvalidInput("file: empty upload", field="file")
        if len(content) > MAX_UPLOAD:
            raise InvalidInput("file: larger than 8 MB", field="file")
        digest = hashlib.sha256(content).hexdigest()
        with self.db.session() as s:
            row, m = self._target(s, who, draft_id, name)
            supply = MaterialSupply(via="upload", via_label=SUPPLY_VIA_LABELS["upload"], at=iso(utcnow()))
            self._close(s, who, row, m, supply, proof=digest, detail={"sha256": digest, "bytes": len(content)})
            return self.view(s, row)

    def supply_from_licence(self, who: Principal, draft_id: str, name: str, *, consent: bool) -> MaterialsView:
        """Hand in a material from the person's own e-licence, read from the 电子证照库 with their consent for
        this purpose only; a 容缺待补 item is closed as by an upload. When the store holds no such licence yet,
        `LicenceNotFound` — after the consent and the read that found nothing are committed (they are in the
        person's data-use record) — and the material stays as it was: upload it, or try again once issued."""
        with self.db.session() as s:
            row, m = self._target(s, who, draft_id, name)
            kind = licence_kind(m)
            if kind is None:
                raise InvalidInput(f"material: “{name}” cannot come from an e-licence; upload it", field="material")
            record = self.gate.read_once(
                s, draft_id=row.id, owner_id=row.owner_id, source="e_licence", actor=who.actor, consent=consent,
                fields=[f"{kind}.{attr}" for attr in LICENCE_PROOF],
                purpose=f"{row.one_thing_id}: 补交材料（{name}），从电子证照库调取{LICENCE_KINDS[kind]}")
            number = record.values.get(f"{kind}.number")
            if number is not None:
                supply = MaterialSupply(via="e_licence", via_label=SUPPLY_VIA_LABELS["e_licence"], at=iso(utcnow()),
                                        licence_kind=kind, licence_label=LICENCE_KINDS[kind],
                                        licence_no_masked=mask_code(str(number.value)),
                                        licence_issue_date=record.get(f"{kind}.issue_date"))
                self._close(s, who, row, m, supply, proof=number.record_id,
                            detail={"licence_record": number.record_id, "licence_no": supply.licence_no_masked})
                return self.view(s, row)
        raise LicenceNotFound(f"material: your {kind} licence is not in the e-licence store yet; upload “{name}” "
                              f"instead (电子证照库中暂无您的{LICENCE_KINDS[kind]}，可先上传)", field="material")

    def _target(self, s: Session, who: Principal, draft_id: str, name: str) -> tuple[DraftRow, Material]:
        """The caller's draft, locked for the change, and the guide's material named `name`."""
        row = owned_draft(s, who, draft_id, lock=True)
        return row, self._material(self._guide(row.one_thing_id), name)

    @staticmethod
    def _new_item(s: Session, row: DraftRow, m: Material) -> MaterialItemRow:
        item = MaterialItemRow(draft_id=row.id, owner_id=row.owner_id, one_thing_id=row.one_thing_id, material=m.name,
                               tolerable=m.tolerance, created_at=iso(utcnow()))
        s.add(item)
        return item

    def _close(self, s: Session, who: Principal, row: DraftRow, m: Material, supply: MaterialSupply, *,
               proof: str, detail: dict) -> None:
        """The material is handed in, however: the item is supplied (a 容缺待补 one closed), the supply kept
        with its proof, each department's payload told, and the audit entry written — in the caller's transaction."""
        item = self._items(s, row.id).get(m.name) or self._new_item(s, row, m)
        was = item.status
        # An upload's digest also stays on the item, where it was kept before supplies had a table of their own.
        item.status, item.supplied_at = "supplied", supply.at
        item.supplied_sha256 = proof if supply.via == "upload" else None
        s.add(MaterialSupplyRow(draft_id=row.id, material=m.name, supply=supply.model_dump(), proof=proof,
                                actor=who.actor))
        self._tell_departments(s, row, m.name, supply)
        self.audit.append(s, actor=who.actor, action="material_supply", subject_id=who.subject,
                          owner_id=row.owner_id, draft_id=row.id, fields=[m.name],
                          purpose=f"{row.one_thing_id}: 补交材料（{m.name}，{supply.via_label}）"
                                  + ("，容缺待补已办结" if was == "committed" else ""),
                          detail={**detail, "via": supply.via, "was": was, "tracking_no": row.tracking_no})
        s.flush()

    @staticmethod
    def _tell_departments(s: Session, row: DraftRow, name: str, supply: MaterialSupply) -> None:
        """A submitted application's stored payloads mark the material 已补交 (when, how), so a department that
        fetches its payload later sees the current state, not the 容缺待补 of the day it was submitted."""
        sub = s.get(SubmissionRow, row.tracking_no, with_for_update=True) if row.tracking_no else None
        if sub is None:
            return
        payloads = {}
        for dept, payload in (sub.payloads or {}).items():
            items = [PendingMaterial.model_validate(p) for p in payload.get("pending_materials", [])]
            payloads[dept] = {**payload, "pending_materials": [
                (p.closed(supply) if p.material == name else p).model_dump() for p in items]}
        sub.payloads = payloads  # a new object: the JSON column sees a reassignment, not an edit in place

    def pending(self, who: Principal, *, overdue_only: bool = False) -> list[PendingCommitment]:
        """Staff: open commitments (容缺待补), oldest due first, with whether each is overdue and who owes
        it — masked (张*, 110105********1234), as on the application the departments received."""
        require_staff(who)
        today = self.today()
        out = []
        with self.db.session() as s:
            rows = s.execute(select(MaterialItemRow, DraftRow).join(
                DraftRow, DraftRow.id == MaterialItemRow.draft_id).where(MaterialItemRow.status == "committed")
                .order_by(MaterialItemRow.due, MaterialItemRow.id)).all()
            for r, draft in rows:
                overdue = dt.date.fromisoformat(r.due) < today
                if overdue_only and not overdue:
                    continue
                form = self.form(r.one_thing_id)
                out.append(PendingCommitment(
                    draft_id=r.draft_id, tracking_no=draft.tracking_no, one_thing_id=r.one_thing_id, title=form.title,
                    material=r.material, due=r.due, overdue=overdue, applicant_id=r.owner_id,
                    applicant_name_masked=applicant_display(draft, form),
                    applicant_id_number_masked=applicant_id_number_masked(draft, form),
                    departments=list(r.departments or [])))
        return out


def applicant_id_number_masked(row: DraftRow, form: MergedForm) -> str | None:
    """The applicant's own ID number as the form holds it (the first field read from the population register
    about the applicant), masked; None when the form has none or it is still empty."""
    for f in form.fields():
        if f.type == "id_number" and f.source and f.source.source == "population" and f.source.subject == "self":
            value = ((row.values or {}).get(f.key) or {}).get("value")
            return mask_id_number(str(value)) if value else None
    return None
