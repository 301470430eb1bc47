"""The merged forms on offer and, in development, the synthetic people to try them with.

Nothing here writes state: the forms are read once from ``prefill/forms/`` and the demo
identities come from the seeded shared-data database (masked, and only when demo sign-in is on).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from core.errors import Forbidden
from core.masking import mask_id_number, mask_name
from prefill.common import check_id
from prefill.forms import FormLibrary, MergedForm
from prefill.models import DemoPeople, DemoPerson, FormSummary
from prefill.seed import scenarios_from_meta
from prefill.sources import PersonRow, SharedDataDB


class Catalogue:
    """The form library (loaded on first use or at warm-up) and the demo identities."""

    def __init__(self, shared: SharedDataDB, forms_dir: Path, *, demo: bool) -> None:
        self.shared = shared
        self.forms_dir = forms_dir
        self.demo = demo
        self._library: FormLibrary | None = None

    def warm_up(self) -> None:
        """Load the forms now, so a broken form file stops the start-up, not the first request."""
        _ = self.library

    @property
    def library(self) -> FormLibrary:
        if self._library is None:
            self._library = FormLibrary.from_dir(self.forms_dir)
        return self._library

    def forms(self) -> list[FormSummary]:
        return [FormSummary(one_thing_id=f.one_thing_id, form_id=f.form_id, title=f.title, title_en=f.title_en,
                            audience=f.audience, departments=f.departments, fields=len(f.by_key),
                            fields_from_shared_data=sum(1 for x in f.fields() if x.source))
                for f in self.library]

    def form(self, one_thing_id: str) -> MergedForm:
        return self.library.get(check_id(one_thing_id, "one_thing_id"))

    def _require_demo(self) -> None:
        if not self.demo:
            raise Forbidden("demo identities are disabled (YJS_DEMO_LOGIN=false or production)")

    def demo_people(self, limit: int = 200) -> DemoPeople:
        """Synthetic identities to try the flow with (masked; development only)."""
        self._require_demo()
        by_person: dict[str, list[dict[str, str]]] = {}
        for sc in scenarios_from_meta(self.shared.meta()):
            by_person.setdefault(sc.applicant_id, []).append({"one_thing_id": sc.one_thing_id, "label": sc.label})
        ids = list(by_person)[:limit]
        today = dt.date.today()
        with self.shared.session() as s:
            rows = {p.id: p for p in s.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))}
        people = []
        for pid in ids:
            p = rows.get(pid)
            if p is None:
                continue
            age = int((today - dt.date.fromisoformat(p.birth_date)).days / 365.25)
            people.append(DemoPerson(person_id=pid, name_masked=mask_name(p.name), sex=p.sex, age=age,
                                     id_number_masked=mask_id_number(p.id_number) if p.id_number else None,
                                     scenarios=by_person[pid]))
        return DemoPeople(people=people)

    def demo_person_exists(self, person_id: str) -> bool:
        self._require_demo()
        check_id(person_id, "person_id")
        with self.shared.session() as s:
            p = s.get(PersonRow, person_id)
            return p is not None and p.death_date is None and p.id_number is not None
