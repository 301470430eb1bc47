"""Life events from the shared-data platform (免申办's trigger): a `LifeEventSource` Protocol and the
synthetic feed over the demo population.

A real deployment subscribes to its data-sharing platform's change feed (出生登记, 死亡登记, 退役报到,
市场主体设立 …) and adapts it to `LifeEventSource`; the matcher only sees `LifeEvent`s. The synthetic
feed derives the same events from the seeded records, deterministically:

- ``birth_registered``   — a 出生医学证明 was issued (its issue date);
- ``turning_80``         — the person's 80th birthday;
- ``retirement_age``     — the day a person reaches the original statutory retirement age
  (男60周岁、女55周岁 — the earliest flexible retirement may start); future days up to the feed's
  ``until`` are announced, since one may apply before that day;
- ``death_registered``   — a death date in the population register;
- ``discharged``         — a 退役军人证件's discharge date;
- ``enterprise_registered`` — an enterprise's establishment date (营业执照).

An event names who or what it is about and the record it came from, nothing more: whether anyone
is eligible is for the rules (`prefill.eligibility`) to decide, on data read under the person's
standing opt-in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from sqlalchemy import select

from prefill.sources import EnterpriseRow, LicenceRow, PersonRow, SharedDataDB

EventKind = Literal["birth_registered", "turning_80", "retirement_age", "death_registered", "discharged",
                    "enterprise_registered"]
EVENT_LABELS: dict[str, str] = {
    "birth_registered": "出生登记（出生医学证明签发）", "turning_80": "年满80周岁", "retirement_age": "达到退休年龄",
    "death_registered": "死亡登记", "discharged": "退出现役", "enterprise_registered": "企业设立登记",
}
EVENT_LABELS_EN: dict[str, str] = {
    "birth_registered": "Birth registration (medical birth certificate issued)", "turning_80": "Turned 80",
    "retirement_age": "Reaching retirement age", "death_registered": "Death registration",
    "discharged": "Discharge from active service", "enterprise_registered": "Establishment registration",
}
# The original statutory retirement ages (男60周岁，女55周岁): the earliest age flexible early retirement
# may start under the 2024 decision. The seed's female employees are in cadre posts (55), see prefill.seed.
RETIREMENT_AGE = {"男": 60, "女": 55}
ELDERLY_AGE = 80


@dataclass(frozen=True)
class LifeEvent:
    """Something that happened (or, for ``retirement_age``, is about to) to a person or an enterprise."""

    kind: EventKind
    subject_id: str
    subject_kind: Literal["person", "enterprise"]
    on: dt.date
    source: str
    record_id: str

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.kind]


@runtime_checkable
class LifeEventSource(Protocol):
    """A feed of life events; `events(since, until)` returns those dated in [since, until], in a stable order."""

    name: str

    def events(self, since: dt.date, until: dt.date) -> list[LifeEvent]: ...


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class SharedDataEventSource:
    """The synthetic feed: events derived from the shared-data database's records."""

    name = "shared_data"

    def __init__(self, db: SharedDataDB) -> None:
        self.db = db

    def events(self, since: dt.date, until: dt.date) -> list[LifeEvent]:
        if since > until:
            return []
        out: list[LifeEvent] = []

        def keep(day: dt.date) -> bool:
            return since <= day <= until

        with self.db.session() as s:
            for p in s.scalars(select(PersonRow).order_by(PersonRow.id)):
                born = dt.date.fromisoformat(p.birth_date)
                if keep(add_years(born, ELDERLY_AGE)):
                    out.append(LifeEvent("turning_80", p.id, "person", add_years(born, ELDERLY_AGE), "population", p.id))
                age = RETIREMENT_AGE.get(p.sex)
                if age is not None and keep(add_years(born, age)):
                    out.append(LifeEvent("retirement_age", p.id, "person", add_years(born, age), "population", p.id))
                if p.death_date and keep(dt.date.fromisoformat(p.death_date)):
                    out.append(LifeEvent("death_registered", p.id, "person", dt.date.fromisoformat(p.death_date),
                                         "population", p.id))
            for lic in s.scalars(select(LicenceRow).where(LicenceRow.kind.in_(("birth_cert", "veteran_cert")))
                                 .order_by(LicenceRow.id)):
                if lic.kind == "birth_cert" and keep(dt.date.fromisoformat(lic.issue_date)):
                    out.append(LifeEvent("birth_registered", lic.holder_id, "person",
                                         dt.date.fromisoformat(lic.issue_date), "e_licence", lic.id))
                discharge = (lic.data or {}).get("discharge_date")
                if lic.kind == "veteran_cert" and discharge and keep(dt.date.fromisoformat(discharge)):
                    out.append(LifeEvent("discharged", lic.holder_id, "person", dt.date.fromisoformat(discharge),
                                         "e_licence", lic.id))
            for e in s.scalars(select(EnterpriseRow).order_by(EnterpriseRow.id)):
                established = (e.data or {}).get("established")
                if established and keep(dt.date.fromisoformat(established)):
                    out.append(LifeEvent("enterprise_registered", e.id, "enterprise",
                                         dt.date.fromisoformat(established), "enterprise", e.id))
        out.sort(key=lambda ev: (ev.on, ev.kind, ev.subject_id))
        return out
