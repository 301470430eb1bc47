"""Fixtures for the pre-fill tests: one seeded shared-data DB per session (read-only for the tests),
a fresh state DB per test, and helpers to act as the seeded scenarios' people."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.identity import Principal
from prefill.seed import scenarios_from_meta
from prefill.service import PrefillService

SECRET = "test-secret-" + "s" * 32
PEOPLE, ENTERPRISES = 160, 36


@pytest.fixture(scope="session")
def shared_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("shared") / "shared.db"
    url = f"sqlite:///{path.as_posix()}"
    svc = PrefillService(shared_data_url=url, state_url=f"sqlite:///{(path.parent / 'seed_state.db').as_posix()}",
                         secret=SECRET, seed_people=PEOPLE, seed_enterprises=ENTERPRISES)
    svc.warm_up()
    return url


def make_service(shared_url: str, state_path: Path, **kw) -> PrefillService:
    svc = PrefillService(shared_data_url=shared_url, state_url=f"sqlite:///{state_path.as_posix()}", secret=SECRET,
                         seed_people=PEOPLE, seed_enterprises=ENTERPRISES, **kw)
    svc.warm_up()
    return svc


@pytest.fixture
def svc(shared_url, tmp_path) -> PrefillService:
    return make_service(shared_url, tmp_path / "state.db")


@pytest.fixture(scope="session")
def scenarios(shared_url):
    from prefill.sources import SharedDataDB

    return scenarios_from_meta(SharedDataDB(shared_url).meta())


def citizen(pid: str, via: str | None = None) -> Principal:
    return Principal("citizen", pid, via)


STAFF = Principal("staff", "clerk")


@pytest.fixture
def scenario(scenarios):
    """scenario("newborn") → the first seeded eligible applicant for that one-thing."""

    def pick(one_thing_id: str, index: int = 0):
        return [s for s in scenarios if s.one_thing_id == one_thing_id][index]

    return pick


def fill_to_be_entered(svc: PrefillService, who: Principal, draft_id: str) -> None:
    """Type a valid value into every field still to be entered (what the person does)."""
    view = svc.draft(who, draft_id)
    samples = {"date": "2025-01-02", "phone": "13800138000", "decimal": "100", "integer": "3", "boolean": "是",
               "address": "广东省广州市天河区体育东路1号", "name": "张三", "bank_card": "6222021234567890128",
               "region_code": "440106", "code": "ABC123", "text": "说明文字", "id_number": "11010519491231002X",
               "uscc": "9144030071526726XG"}
    values = {f.key: (f.options[0] if f.type == "enum" else samples[f.type])
              for f in view.fields if f.state == "to_be_entered" and f.required}
    if values:
        svc.edit_many(who, draft_id, values)


def full_flow(svc: PrefillService, sc, *, confirm: bool = True, submit: bool = True):
    """Start, grant, approve as the other people, pre-fill, fill the rest, confirm, submit."""
    from prefill.sources import PersonRow

    me = citizen(sc.applicant_id)
    draft = svc.start_draft(me, sc.one_thing_id)
    svc.grant_all(me, draft.draft_id)
    form = svc.form(sc.one_thing_id)
    for role, spec in form.subjects.items():  # the applicant types the ID number of a buyer, employee …
        if spec.kind == "by_id_number" and role in sc.subjects:
            with svc.shared.session() as s:
                svc.edit(me, draft.draft_id, spec.input_field, s.get(PersonRow, sc.subjects[role]).id_number)
    for pid in set(sc.subjects.values()) - {sc.applicant_id}:
        for ask in svc.pending_approvals(citizen(pid)):
            if ask.draft_id == draft.draft_id:
                svc.approve(citizen(pid), draft.draft_id, ask.source, True)
    view = svc.prefill(me, draft.draft_id)
    fill_to_be_entered(svc, me, draft.draft_id)
    sub = None
    if confirm:
        svc.confirm(me, draft.draft_id)
        if submit:
            sub = svc.submit(me, draft.draft_id)
    return me, view, sub


class Helpers:
    """Helpers for the tests, handed out as the `h` fixture (tests never import conftest)."""

    citizen = staticmethod(citizen)
    STAFF = STAFF
    fill_to_be_entered = staticmethod(fill_to_be_entered)
    full_flow = staticmethod(full_flow)


@pytest.fixture
def h() -> type[Helpers]:
    return Helpers
