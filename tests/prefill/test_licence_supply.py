"""承诺办, the e-licence route (issue 12): a material promised under 容缺 is supplied later from the person's
own licence in the 电子证照库 — with their consent for that one purpose, in their data-use record, audited —
and closes the item as an upload does; each department's stored payload marks it 已补交 (upload or licence)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.main import create_app
from core.errors import ConsentRequired, Forbidden, InvalidInput, LicenceNotFound, NotFound
from core.settings import DEFAULT_GUIDES_DIR, Settings
from knowledge.catalog import Catalog
from prefill.seed import generate
from prefill.sources import LICENCE_KINDS, LicenceRow

ASSESSMENT = "老年人能力评估结果"  # elderly_welfare: e_licence, licence: elderly_assessment, tolerance: true
TOLERABLE = "监护关系证明"  # childcare_subsidy: tolerable, no licence kind


def _item(view, name):
    return next(i for i in view.items if i.name == name)


def _promised(svc, sc, h, name=ASSESSMENT):
    """An application submitted with `name` promised under a signed commitment (容缺待补)."""
    me, view, _ = h.full_flow(svc, sc, submit=False)
    svc.mark_material_missing(me, view.draft_id, name)
    return me, view.draft_id, svc.submit(me, view.draft_id)


def _licence(svc, person_id):
    with svc.shared.session() as s:
        return s.scalars(select(LicenceRow).where(LicenceRow.holder_id == person_id,
                                                  LicenceRow.kind == "elderly_assessment")).first()


@pytest.fixture
def assessed(svc, scenario, h):
    """80+ applicant whose 老年人能力评估结果 the seed has issued (the 1st elderly scenario), with it promised."""
    sc = scenario("elderly_welfare", 0)
    assert _licence(svc, sc.applicant_id) is not None
    return _promised(svc, sc, h)


@pytest.fixture
def not_assessed(svc, scenario, h):
    """The 2nd elderly applicant: no assessment in the licence store yet."""
    sc = scenario("elderly_welfare", 1)
    assert _licence(svc, sc.applicant_id) is None
    return _promised(svc, sc, h)


def test_the_promised_material_comes_from_the_persons_e_licence_and_closes_the_item(svc, assessed, h):
    me, draft_id, sub = assessed
    lic = _licence(svc, me.subject)
    pending = svc.track(me, sub.tracking_no).pending_materials
    assert [(p.material, p.licence, p.licence_label) for p in pending] == [(ASSESSMENT, "elderly_assessment", ASSESSMENT)]
    assert [p.material for p in svc.pending_commitments(h.STAFF)] == [ASSESSMENT]

    view = svc.supply_material_from_licence(me, draft_id, ASSESSMENT, consent=True)
    item = _item(view, ASSESSMENT)
    assert item.status == "supplied" and view.pending == []
    assert item.supplied.via == "e_licence" and item.supplied.via_label == "电子证照"
    assert item.supplied.licence_no_masked == lic.number[:2] + "*" * (len(lic.number) - 4) + lic.number[-2:]
    assert item.supplied.licence_issue_date == lic.issue_date and item.supplied_at == item.supplied.at
    # Closed exactly as an upload closes it: tracking, the clerk's 容缺待补 list.
    assert svc.track(me, sub.tracking_no).pending_materials == []
    assert svc.pending_commitments(h.STAFF) == []
    # The department that asked for it sees it handed in, when and how, in the payload it fetches now.
    told = svc.department_payload(h.STAFF, sub.tracking_no, "民政部门").pending_materials
    assert [(p.material, p.label, p.supplied.via, p.supplied.licence_no_masked) for p in told] == \
        [(ASSESSMENT, "已补交", "e_licence", item.supplied.licence_no_masked)]
    assert lic.number not in str(svc.department_payload(h.STAFF, sub.tracking_no, "民政部门").model_dump())


def test_the_licence_read_is_consented_audited_and_in_the_data_use_record(svc, assessed):
    me, draft_id, _ = assessed
    lic = _licence(svc, me.subject)
    svc.supply_material_from_licence(me, draft_id, ASSESSMENT, consent=True)
    entries = svc.audit.entries(draft_id=draft_id)
    consent = next(e for e in entries if e.action == "consent_grant" and e.detail.get("once"))
    read = next(e for e in entries if e.action == "read" and e.source == "e_licence")
    supplied = next(e for e in entries if e.action == "material_supply")
    wanted = ["elderly_assessment.issue_date", "elderly_assessment.issuer", "elderly_assessment.number"]
    assert consent.fields == read.fields == wanted and consent.actor == read.actor == f"citizen:{me.subject}"
    assert read.detail["records"] == [lic.id] and read.subject_id == me.subject
    assert "从电子证照库调取" in read.purpose and consent.purpose == read.purpose
    assert supplied.detail["via"] == "e_licence" and supplied.detail["licence_record"] == lic.id
    assert "电子证照" in supplied.purpose and "容缺待补已办结" in supplied.purpose
    assert lic.number not in str([e.detail for e in entries])  # only masked
    log = [e for e in svc.my_access_log(me) if e.source == "e_licence" and e.action == "read"]
    assert log and log[0].source_label == "电子证照库" and "老年人能力评估结果·证照编号" in log[0].fields
    assert "补交材料（老年人能力评估结果）" in log[0].purpose and log[0].one_thing_id == "elderly_welfare"
    assert svc.verify_audit().ok


def test_no_read_without_consent_and_nothing_changes(svc, assessed):
    me, draft_id, sub = assessed
    before = len(svc.audit.entries(draft_id=draft_id))
    with pytest.raises(ConsentRequired):
        svc.supply_material_from_licence(me, draft_id, ASSESSMENT, consent=False)
    assert len(svc.audit.entries(draft_id=draft_id)) == before
    assert _item(svc.materials(me, draft_id), ASSESSMENT).status == "committed"


def test_no_licence_yet_says_so_and_nothing_saved_is_lost(svc, not_assessed, h):
    me, draft_id, sub = not_assessed
    before = _item(svc.materials(me, draft_id), ASSESSMENT)
    with pytest.raises(LicenceNotFound) as exc:
        svc.supply_material_from_licence(me, draft_id, ASSESSMENT, consent=True)
    assert exc.value.status == 409 and exc.value.code == "licence_not_found" and "upload" in exc.value.message
    after = _item(svc.materials(me, draft_id), ASSESSMENT)
    assert after == before and after.status == "committed" and after.commitment
    assert [p.material for p in svc.pending_commitments(h.STAFF)] == [ASSESSMENT]
    # The attempt itself read the store for this person: it stays in their record, having found nothing.
    read = next(e for e in svc.audit.entries(draft_id=draft_id, action="read") if e.source == "e_licence")
    assert read.detail["returned"] == 0
    view = svc.supply_material(me, draft_id, ASSESSMENT, b"%PDF-1.4 assessment")  # the upload still works
    assert _item(view, ASSESSMENT).supplied.via == "upload"


def test_an_upload_is_marked_in_the_department_payload_too(svc, scenario, h):
    me, draft_id, sub = _promised(svc, scenario("childcare_subsidy"), h, TOLERABLE)
    assert svc.department_payload(h.STAFF, sub.tracking_no, "民政部门").pending_materials[0].label == "容缺待补"
    svc.supply_material(me, draft_id, TOLERABLE, b"%PDF-1.4 guardianship")
    told = svc.department_payload(h.STAFF, sub.tracking_no, "民政部门").pending_materials
    assert [(p.material, p.label, p.supplied.via, p.supplied.via_label) for p in told] == \
        [(TOLERABLE, "已补交", "upload", "申请人上传")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", told[0].supplied.at) and not told[0].overdue
    others = [svc.department_payload(h.STAFF, sub.tracking_no, d).pending_materials
              for d in svc.catalogue.form("childcare_subsidy").departments if d != "民政部门"]
    assert others and all(p == [] for p in others)


def test_who_may_supply_from_a_licence(svc, assessed, scenario, h):
    me, draft_id, _ = assessed
    with pytest.raises(NotFound):
        svc.supply_material_from_licence(h.citizen(scenario("retirement").applicant_id), draft_id, ASSESSMENT,
                                         consent=True)
    with pytest.raises(Forbidden):
        svc.supply_material_from_licence(h.STAFF, draft_id, ASSESSMENT, consent=True)
    with pytest.raises(InvalidInput):  # the guide names no licence kind for it: upload only
        svc.supply_material_from_licence(me, draft_id, "补贴发放账户", consent=True)
    # A clerk acting under the citizen's consent code (帮办代办) may, as they may upload; the log names them.
    clerk = h.citizen(me.subject, "clerk")
    assert _item(svc.supply_material_from_licence(clerk, draft_id, ASSESSMENT, consent=True), ASSESSMENT).supplied
    read = next(e for e in svc.audit.entries(draft_id=draft_id, action="read") if e.source == "e_licence")
    assert read.actor == f"staff:clerk for citizen:{me.subject}"


def test_every_licence_a_guide_names_is_a_kind_the_store_holds():
    named = {(g.id, m.name): m.licence for g in Catalog.from_dir(DEFAULT_GUIDES_DIR) for m in g.materials if m.licence}
    assert ("elderly_welfare", ASSESSMENT) in named
    assert {k: v for k, v in named.items() if v not in LICENCE_KINDS} == {}


def test_the_seed_issues_assessments_last_to_every_other_elderly_applicant():
    data = generate(160, 36)
    elderly = [s.applicant_id for s in data.scenarios if s.one_thing_id == "elderly_welfare"]
    issued = [lic for lic in data.licences if lic["kind"] == "elderly_assessment"]
    assert [lic["holder_id"] for lic in issued] == elderly[::2] and len(elderly) >= 2
    assert data.licences[-len(issued):] == issued  # made last: every other licence keeps its id


def test_supply_from_licence_over_http(svc, assessed, not_assessed, tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000),
                                   assistant=None, prefill=svc, mount_ui=False))

    def call(who, draft_id, **body):
        token = client.post("/v1/prefill/demo-login", json={"person_id": who.subject}).json()["token"]
        return client.post(f"/v1/prefill/drafts/{draft_id}/materials/from-licence",
                           headers={"Authorization": f"Bearer {token}"}, json={"material": ASSESSMENT, **body})

    (me, draft_id, _), (other, other_draft, _) = assessed, not_assessed
    r = call(me, draft_id, consent=False)
    assert r.status_code == 403 and r.json()["error"]["code"] == "consent_required"
    r = call(other, other_draft, consent=True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "licence_not_found"
    assert "upload" in r.json()["error"]["message"] and r.json()["error"]["field"] == "material"
    assert call(other, draft_id, consent=True).status_code == 404  # someone else's application
    r = call(me, draft_id, consent=True)
    assert r.status_code == 200, r.text
    item = next(i for i in r.json()["items"] if i["name"] == ASSESSMENT)
    assert r.json()["pending"] == [] and item["supplied"]["via"] == "e_licence" and item["licence"] == "elderly_assessment"
    assert client.post(f"/v1/prefill/drafts/{draft_id}/materials/from-licence",
                       json={"material": ASSESSMENT, "consent": True}).status_code == 401
