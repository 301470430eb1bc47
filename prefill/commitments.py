"""承诺办 (容缺受理): submit with a tolerable material missing, under a signed commitment to supply it later.

The bundle's materials come from its guide (``knowledge/data/one_things/<id>.yaml``, the top-level
``materials``): each is shared data (``e_licence``: nothing to hand in), optional, or to be provided.
The citizen may say a material is missing for now (暂缺):

- if the guide marks it tolerable (``tolerance: true``, shown as 可容缺后补), the citizen signs the
  generated commitment (承诺书: what, by when, what happens if not supplied) and the item becomes
  容缺待补 with a due date; submission goes ahead;
- otherwise it is recorded as missing and blocks submission with a plain reason until it is supplied.

Supplying a material (an upload; before or after submission) closes the item. A clerk sees the open
commitments and which are overdue. Nothing changes for a draft where nobody marked anything missing.
Every step is one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, InvalidInput
from core.identity import Principal
from core.masking import mask_id_number
from core.status import DraftStatus
from knowledge.schema import Material, OneThing
from prefill.audit import AuditLog
from prefill.common import owned_draft, require_staff
from prefill.forms import MergedForm
from prefill.models import MaterialItemView, MaterialsView, PendingCommitment, PendingMaterial
from prefill.store import DraftRow, MaterialItemRow, StateDB, iso
from prefill.views import applicant_display

log = logging.getLogger(__name__)

# Hand-set: the guides say 限期补交 without a figure; a deployer sets the local period here.
DEFAULT_DAYS = 30
MAX_UPLOAD = 8 * 1024 * 1024
CONSEQUENCE = "逾期未补交的，受理部门可按当地规定暂停办理或不予办结，已作出的决定可依法撤销"


def commitment_text(guide: OneThing, material: Material, due: dt.date) -> str:
    """The 承诺书: what is missing, by when it will be supplied, and what happens if it is not."""
    note = f"（{material.note}）" if material.note else ""
    basis = f"依据办事指南：{guide.channels.tolerance}" if guide.channels.tolerance else "依据办事指南，该材料可容缺后补。"
    return (f"容缺受理承诺书\n本人申请办理“{guide.name}”，现缺少材料：{material.name}{note}。"
            f"本人承诺于{due:%Y年%m月%d日}前补交该材料，并对所填信息的真实性负责。{CONSEQUENCE}。\n{basis}")


class Commitments:
    """The materials checklist of a draft, 暂缺 marks, commitments and later supply."""

    def __init__(self, db: StateDB, audit: AuditLog, guide: Callable[[str], OneThing | None],
                 form: Callable[[str], MergedForm], *, days: int = DEFAULT_DAYS,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.db = db
        self.audit = audit
        self.guide = guide
        self.form = form
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

    def committed(self, s: Session, draft_id: str) -> list[PendingMaterial]:
        """The draft's open commitments (容缺待补) with the departments each concerns, for the fan-out."""
        today = self.today()
        return [PendingMaterial(material=r.material, due=r.due, overdue=dt.date.fromisoformat(r.due) < today,
                                departments=list(r.departments or []))
                for r in sorted(self._items(s, draft_id).values(), key=lambda r: r.id) if r.status == "committed"]

    def view(self, s: Session, row: DraftRow) -> MaterialsView:
        guide = self._guide(row.one_thing_id)
        items = self._items(s, row.id)
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
                supplied_at=r.supplied_at if r else None))
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
            if item is None:
                item = MaterialItemRow(draft_id=row.id, owner_id=row.owner_id, one_thing_id=row.one_thing_id,
                                       material=name, created_at=iso(utcnow()))
                s.add(item)
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
        with self.db.session() as s:
            row = owned_draft(s, who, draft_id, lock=True)
            guide = self._guide(row.one_thing_id)
            m = self._material(guide, name)
            item = self._items(s, row.id).get(name)
            if item is None:
                item = MaterialItemRow(draft_id=row.id, owner_id=row.owner_id, one_thing_id=row.one_thing_id,
                                       material=name, tolerable=m.tolerance, created_at=iso(utcnow()))
                s.add(item)
            was = item.status
            digest = hashlib.sha256(content).hexdigest()
            item.status, item.supplied_at, item.supplied_sha256 = "supplied", iso(utcnow()), digest
            self.audit.append(s, actor=who.actor, action="material_supply", subject_id=who.subject,
                              owner_id=row.owner_id, draft_id=row.id, fields=[name],
                              purpose=f"{row.one_thing_id}: 补交材料（{name}）" + ("，容缺待补已办结" if was == "committed" else ""),
                              detail={"sha256": digest, "bytes": len(content), "was": was,
                                      "tracking_no": row.tracking_no})
            s.flush()
            return self.view(s, row)

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
