"""承诺办: a tolerable material may be missing at submission under a generated commitment (容缺待补),
a non-tolerable one blocks with a plain reason; later supply closes it; staff see open and overdue ones."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.routers import materials as material_routes
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.settings import Settings

TOLERABLE = "监护关系证明"  # childcare_subsidy: tolerance: true
NOT_TOLERABLE = "发放账户信息"  # childcare_subsidy: required, no tolerance
ROW = re.compile(r"^\s+(GET|POST|PUT|PATCH|DELETE)\s+(/\S+)", re.MULTILINE)


@pytest.fixture
def confirmed(svc, scenario, h):
    """A childcare-subsidy application, pre-filled and confirmed, not yet submitted."""
    me, view, _ = h.full_flow(svc, scenario("childcare_subsidy"), submit=False)
    return me, view.draft_id


def _item(view, name):
    return next(i for i in view.items if i.name == name)


def test_the_checklist_comes_from_the_guide(svc, confirmed):
    me, draft_id = confirmed
    view = svc.materials(me, draft_id)
    assert _item(view, "申请人居民身份证").status == "shared"
    assert _item(view, NOT_TOLERABLE).status == "to_provide" and not _item(view, NOT_TOLERABLE).tolerable
    assert _item(view, TOLERABLE).tolerable and _item(view, TOLERABLE).status == "optional"
    assert view.blocking == [] and view.pending == []


def test_a_tolerable_material_goes_ahead_under_a_commitment_and_is_supplied_later(svc, confirmed, h):
    me, draft_id = confirmed
    today = dt.date.today()
    view = svc.mark_material_missing(me, draft_id, TOLERABLE)
    item = _item(view, TOLERABLE)
    due = today + dt.timedelta(days=30)
    assert item.status == "committed" and item.due == due.isoformat() and view.pending == [TOLERABLE]
    assert "承诺书" in item.commitment and TOLERABLE in item.commitment and f"{due:%Y年%m月%d日}" in item.commitment
    assert "限期补交" in item.commitment  # the guide's own words on 容缺 (channels.tolerance)
    with pytest.raises(Conflict):
        svc.mark_material_missing(me, draft_id, TOLERABLE)
    sub = svc.submit(me, draft_id)
    assert [(p.material, p.due, p.departments) for p in sub.pending_materials] == [(TOLERABLE, due.isoformat(), ["民政部门"])]
    assert svc.track(me, sub.tracking_no).pending_materials[0].label == "容缺待补"
    pending = svc.pending_commitments(h.STAFF)
    assert [(p.tracking_no, p.material, p.overdue) for p in pending] == [(sub.tracking_no, TOLERABLE, False)]
    # Who owes it, masked as a clerk may see it; the title names the application.
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", pending[0].applicant_id_number_masked)
    assert pending[0].applicant_name_masked.endswith("*") and pending[0].title == "育儿补贴申领一件事申请表"
    assert svc.pending_commitments(h.STAFF, overdue_only=True) == []
    svc.commitments.today = lambda: today + dt.timedelta(days=31)
    assert [p.material for p in svc.pending_commitments(h.STAFF, overdue_only=True)] == [TOLERABLE]
    assert _item(svc.materials(me, draft_id), TOLERABLE).overdue
    with pytest.raises(Conflict):  # submitted: supply, don't mark
        svc.mark_material_missing(me, draft_id, NOT_TOLERABLE)
    view = svc.supply_material(me, draft_id, TOLERABLE, b"%PDF-1.4 guardianship")
    assert _item(view, TOLERABLE).status == "supplied" and view.pending == []
    assert svc.pending_commitments(h.STAFF) == []
    assert svc.track(me, sub.tracking_no).pending_materials == []
    actions = [e.action for e in svc.audit.entries(draft_id=draft_id)]
    assert {"commitment_sign", "submit", "material_supply"} <= set(actions)
    closed = svc.audit.entries(draft_id=draft_id, action="material_supply")[0]
    assert "容缺待补已办结" in closed.purpose and closed.detail["tracking_no"] == sub.tracking_no
    assert svc.verify_audit().ok


def test_a_missing_non_tolerable_material_blocks_with_a_plain_reason(svc, confirmed):
    me, draft_id = confirmed
    view = svc.mark_material_missing(me, draft_id, NOT_TOLERABLE)
    assert _item(view, NOT_TOLERABLE).status == "missing" and view.blocking
    with pytest.raises(Conflict) as exc:
        svc.submit(me, draft_id)
    assert "不可容缺" in exc.value.message and NOT_TOLERABLE in exc.value.message
    assert svc.draft(me, draft_id).status == "confirmed"  # nothing moved
    svc.supply_material(me, draft_id, NOT_TOLERABLE, b"bank account statement")
    assert svc.submit(me, draft_id).tracking_no


def test_each_department_concerned_is_told_of_the_pending_material_in_its_payload(svc, confirmed, h):
    """一表申请、分送各部门: the departments whose service asks for the promised material carry 容缺待补 (what,
    by when); the others get their form as usual."""
    me, draft_id = confirmed
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    svc.mark_material_missing(me, draft_id, TOLERABLE)
    sub = svc.submit(me, draft_id)
    told = {}
    for d in svc.catalogue.form("childcare_subsidy").departments:
        payload = svc.department_payload(h.STAFF, sub.tracking_no, d)
        told[d] = [(p.label, p.material, p.due) for p in payload.pending_materials]
    assert told.pop("民政部门") == [("容缺待补", TOLERABLE, due)]  # the guide's 监护关系核验 asks for it
    assert told and all(v == [] for v in told.values()), told
    submitted = svc.audit.entries(draft_id=draft_id, action="submit")[0]
    assert submitted.detail["pending"] == {TOLERABLE: ["民政部门"]}


def test_no_commitment_no_pending_item_in_any_payload(svc, confirmed, h):
    me, draft_id = confirmed
    sub = svc.submit(me, draft_id)
    for d in svc.catalogue.form("childcare_subsidy").departments:
        assert svc.department_payload(h.STAFF, sub.tracking_no, d).pending_materials == []


def test_bad_requests_and_other_people(svc, confirmed, scenario, h):
    me, draft_id = confirmed
    with pytest.raises(InvalidInput):
        svc.mark_material_missing(me, draft_id, "不存在的材料")
    with pytest.raises(InvalidInput):
        svc.supply_material(me, draft_id, TOLERABLE, b"")
    other = h.citizen(scenario("retirement").applicant_id)
    with pytest.raises(NotFound):
        svc.materials(other, draft_id)
    with pytest.raises(NotFound):
        svc.mark_material_missing(other, draft_id, TOLERABLE)
    with pytest.raises(Forbidden):
        svc.pending_commitments(me)


def test_route_table_matches_the_router():
    documented = set(ROW.findall(material_routes.__doc__))
    served = {(m, r.path) for r in material_routes.router.routes for m in r.methods}
    assert documented and documented == served


def test_commitments_over_http(svc, confirmed, tmp_path):
    me, draft_id = confirmed
    client = TestClient(create_app(Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000),
                                   assistant=None, prefill=svc, mount_ui=False))
    token = client.post("/v1/prefill/demo-login", json={"person_id": me.subject}).json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    staff_token = client.post("/v1/auth/staff-login", json={"user": "clerk", "password": "clerk-demo"}).json()["token"]
    staff = {"Authorization": f"Bearer {staff_token}"}
    r = client.get(f"/v1/prefill/drafts/{draft_id}/materials", headers=mine)
    assert r.status_code == 200 and r.json()["items"]
    r = client.post(f"/v1/prefill/drafts/{draft_id}/materials/missing", headers=mine, json={"material": TOLERABLE})
    assert r.status_code == 200 and r.json()["pending"] == [TOLERABLE]
    assert client.post(f"/v1/prefill/drafts/{draft_id}/submit", headers=mine).status_code == 200
    r = client.get("/v1/prefill/commitments", headers=staff)
    assert r.status_code == 200 and [p["material"] for p in r.json()] == [TOLERABLE]
    assert client.get("/v1/prefill/commitments", headers=mine).status_code == 403
    r = client.post(f"/v1/prefill/drafts/{draft_id}/materials/supply", headers=mine, data={"material": TOLERABLE},
                    files={"file": ("proof.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 200, r.text
    assert r.json()["pending"] == []
    assert client.get("/v1/prefill/commitments", headers=staff).json() == []
    assert client.get(f"/v1/prefill/drafts/{draft_id}/materials").status_code == 401
