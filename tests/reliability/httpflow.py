"""A citizen's pre-fill flow over HTTP (any base URL), used by the multi-worker and crash tests.

Mirrors `tests/prefill/conftest.full_flow`, but through the API, so it works against a server in
another process: sign in, start, grant, name other people by ID number, let them approve, pre-fill,
type the rest. Identities and ID numbers come from the seeded shared-data database.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from prefill.seed import scenarios_from_meta
from prefill.sources import PersonRow, SharedDataDB
from prefill.validators import id_check_char, luhn_ok

SAMPLES = {"date": "2025-01-02", "phone": "13800138000", "decimal": "100", "integer": "3", "boolean": "是",
           "address": "广东省广州市天河区体育东路1号", "name": "张三", "bank_card": "6222021234567890128",
           "region_code": "440106", "code": "ABC123", "text": "说明文字", "id_number": "11010519491231002X",
           "uscc": "9144030071526726XG"}


# Unmasked identifiers as a scanner sees them: bounded by anything but letters and digits, so hex
# ids, tokens and timestamps do not count; an ID number must carry a valid check character and a
# card number must pass Luhn, so long numbers that are neither do not count either.
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d{9})(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d(?:[ -]?\d){11,18})(?![0-9A-Za-z])")


def find_pii(text: str, known: set[str] = frozenset()) -> list[str]:
    """Every unmasked ID number, mobile number or bank-card number in `text`, plus any `known` value."""
    found = [m for m in _ID18.findall(text) if id_check_char(m[:17]) == m[17].upper()]
    found += _PHONE.findall(text)
    for m in _CARD.findall(text):
        digits = re.sub(r"\D", "", m)
        if 16 <= len(digits) <= 19 and luhn_ok(digits) and not _ID18.fullmatch(digits):
            found.append(m)
    found += [k for k in known if k and k in text]
    return sorted(set(found))


class Shared:
    """Read-only view of the seeded shared data of a data dir (scenarios, ID numbers)."""

    def __init__(self, data_dir_or_url: Path | str) -> None:
        url = (data_dir_or_url if isinstance(data_dir_or_url, str)
               else f"sqlite:///{(data_dir_or_url / 'shared_data.db').as_posix()}")
        self.db = SharedDataDB(url)
        self.scenarios = scenarios_from_meta(self.db.meta())

    def scenario(self, one_thing_id: str, index: int = 0):
        return [s for s in self.scenarios if s.one_thing_id == one_thing_id][index]

    def id_number(self, person_id: str) -> str:
        with self.db.session() as s:
            return s.get(PersonRow, person_id).id_number


def login(c: httpx.Client, base: str, person_id: str) -> dict[str, str]:
    r = c.post(base + "/v1/prefill/demo-login", json={"person_id": person_id})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def staff_login(c: httpx.Client, base: str) -> dict[str, str]:
    r = c.post(base + "/v1/auth/staff-login", json={"user": "clerk", "password": "clerk-demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def ready_draft(c: httpx.Client, bases: list[str], shared: Shared, sc) -> tuple[dict[str, str], str]:
    """A draft of scenario `sc` ready to confirm; steps alternate between the servers in `bases`
    (a FastAPI TestClient works too, with ``bases=[""]``)."""
    step = iter(range(10_000))

    def base() -> str:
        return bases[next(step) % len(bases)]

    me = login(c, base(), sc.applicant_id)
    r = c.post(base() + "/v1/prefill/drafts", json={"one_thing_id": sc.one_thing_id}, headers=me)
    assert r.status_code == 201, r.text
    d = r.json()["draft_id"]
    assert c.post(base() + f"/v1/prefill/drafts/{d}/consent/grant-all", headers=me).status_code == 200
    form = c.get(base() + f"/v1/prefill/forms/{sc.one_thing_id}").json()
    for role, spec in form["subjects"].items():
        if spec["kind"] == "by_id_number" and role in sc.subjects:
            r = c.put(base() + f"/v1/prefill/drafts/{d}/fields/{spec['input_field']}",
                      json={"value": shared.id_number(sc.subjects[role])}, headers=me)
            assert r.status_code == 200, r.text
    for pid in sorted(set(sc.subjects.values()) - {sc.applicant_id}):
        url = base()
        r = c.post(url + "/v1/prefill/demo-login", json={"person_id": pid})
        if r.status_code == 404:  # a newborn or a deceased person: the applicant decides for them
            continue
        them = {"Authorization": f"Bearer {r.json()['token']}"}
        for ask in c.get(url + "/v1/prefill/approvals", headers=them).json():
            if ask["draft_id"] == d:
                r = c.post(url + f"/v1/prefill/approvals/{d}/{ask['source']}", json={"grant": True}, headers=them)
                assert r.status_code == 200, r.text
    r = c.post(base() + f"/v1/prefill/drafts/{d}/prefill", headers=me)
    assert r.status_code == 200, r.text
    todo = {f["key"]: (f["options"][0] if f["type"] == "enum" else SAMPLES[f["type"]])
            for f in r.json()["fields"] if f["state"] == "to_be_entered" and f["required"]}
    if todo:
        r = c.patch(base() + f"/v1/prefill/drafts/{d}/fields", json={"values": todo}, headers=me)
        assert r.status_code == 200, r.text
    review = c.get(base() + f"/v1/prefill/drafts/{d}/review", headers=me).json()
    assert review["ready_to_confirm"], review["problems"]
    return me, d
