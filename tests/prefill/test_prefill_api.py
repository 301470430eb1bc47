"""The /v1/prefill API through FastAPI's TestClient (no answer pipeline: assistant=None)."""

import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings
from prefill.sources import PersonRow


@pytest.fixture
def client(svc, tmp_path):
    settings = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000)
    return TestClient(create_app(settings, assistant=None, prefill=svc, mount_ui=False))


def _login(client, pid: str) -> dict:
    r = client.post("/v1/prefill/demo-login", json={"person_id": pid})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _staff(client) -> dict:
    r = client.post("/v1/auth/staff-login", json={"user": "clerk", "password": "clerk-demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_full_flow_over_http(client, scenario, svc):
    sc = scenario("retirement")
    people = client.get("/v1/prefill/demo-people").json()
    assert people["synthetic"] is True and "合成" in people["note"]
    listed = {p["person_id"]: p for p in people["people"]}
    assert "*" in listed[sc.applicant_id]["name_masked"] and "********" in listed[sc.applicant_id]["id_number_masked"]
    me = _login(client, sc.applicant_id)
    assert client.get("/v1/prefill/forms").json()[0]["form_id"].endswith("_form")
    assert client.get("/v1/prefill/forms/retirement").json()["form_id"] == "retirement_form"

    r = client.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=me)
    assert r.status_code == 201
    d = r.json()["draft_id"]
    assert r.json()["consent"]["items"]
    r = client.post(f"/v1/prefill/drafts/{d}/consent", json={"source": "housing_fund", "grant": False}, headers=me)
    assert r.status_code == 200
    for source in ("population", "e_licence", "social_insurance"):
        r = client.post(f"/v1/prefill/drafts/{d}/consent", json={"source": source, "grant": True}, headers=me)
        assert r.status_code == 200
    bad_source = client.post(f"/v1/prefill/drafts/{d}/consent", json={"source": "real_estate", "grant": True}, headers=me)
    assert bad_source.status_code == 422
    view = client.post(f"/v1/prefill/drafts/{d}/prefill", headers=me).json()
    assert view["prefill_rate"] > 0.5 and view["fields"][0]["provenance"]["record_id"]
    kind = next(f for f in view["fields"] if f["key"] == "retirement_type")  # English labels beside the options
    assert kind["options"] == ["正常退休", "弹性提前退休", "弹性延迟退休"] and kind["options_en"][1] == "Flexible early retirement"
    assert client.put(f"/v1/prefill/drafts/{d}/fields/id_number", json={"value": "11010519491231002X"}, headers=me).status_code == 409
    bad = client.put(f"/v1/prefill/drafts/{d}/fields/bank_account", json={"value": "6222021234567890127"}, headers=me)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "bank_account"
    assert "6222021234567890127" not in bad.text
    r = client.patch(f"/v1/prefill/drafts/{d}/fields", headers=me, json={"values": {
        "retirement_type": "正常退休", "only_child_award": "不申请", "housing_fund_account": "123456789012",
        "housing_fund_balance": "1000"}})
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/prefill/drafts/{d}/history", headers=me).json()[0]["key"]
    assert client.post(f"/v1/prefill/drafts/{d}/submit", headers=me).status_code == 409
    rev = client.get(f"/v1/prefill/drafts/{d}/review", headers=me).json()
    assert rev["ready_to_confirm"] and rev["by_department"]
    assert client.post(f"/v1/prefill/drafts/{d}/confirm", headers=me).json()["status"] == "confirmed"
    sub = client.post(f"/v1/prefill/drafts/{d}/submit", headers=me).json()
    assert re.fullmatch(r"YJS-\d{8}-\w{6}", sub["tracking_no"])
    doc = client.get(f"/v1/prefill/drafts/{d}/document", headers=me)
    assert doc.status_code == 200 and doc.content[:2] == b"PK" and "attachment" in doc.headers["content-disposition"]
    assert client.get(f"/v1/prefill/submissions/{sub['tracking_no']}", headers=me).json()["departments"]
    log = client.get("/v1/prefill/me/access-log", headers=me).json()
    assert any(e["action"] == "read" for e in log)

    staff = _staff(client)
    dept = sub["departments"][0]["department"]
    r = client.post(f"/v1/prefill/submissions/{sub['tracking_no']}/status", headers=staff,
                    json={"department": dept, "status": "已受理"})
    assert r.status_code == 200 and r.json()["new_status"] == "已受理"
    assert client.post(f"/v1/prefill/submissions/{sub['tracking_no']}/status", headers=me,
                       json={"department": dept, "status": "已受理"}).status_code == 403
    p = client.get(f"/v1/prefill/submissions/{sub['tracking_no']}/payload", params={"department": dept}, headers=staff)
    assert p.status_code == 200 and p.json()["department"] == dept
    assert client.get("/v1/prefill/audit/verify", headers=staff).json()["ok"] is True
    assert client.get("/v1/prefill/audit/verify", headers=me).status_code == 403


def test_other_citizen_gets_404(client, scenario):
    a, b = scenario("retirement", 0), scenario("retirement", 1)
    ha, hb = _login(client, a.applicant_id), _login(client, b.applicant_id)
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=ha).json()["draft_id"]
    for method, path in (("get", f"/v1/prefill/drafts/{d}"), ("get", f"/v1/prefill/drafts/{d}/review"),
                         ("post", f"/v1/prefill/drafts/{d}/prefill"), ("get", f"/v1/prefill/drafts/{d}/document"),
                         ("get", "/v1/prefill/submissions/YJS-20260101-AAAAAA")):
        r = getattr(client, method)(path, headers=hb)
        assert r.status_code == 404, (path, r.text)
    assert client.get(f"/v1/prefill/drafts/{d}").status_code == 401


def test_consent_code_gives_a_clerk_a_citizen_token(client, scenario):
    sc = scenario("social_security_card")
    me = _login(client, sc.applicant_id)
    code = client.post("/v1/prefill/consent-codes", headers=me).json()["code"]
    staff = _staff(client)
    r = client.post("/v1/prefill/consent-codes/redeem", json={"code": code}, headers=staff)
    assert r.status_code == 200 and r.json()["via_staff"] == "clerk" and r.json()["subject"] == sc.applicant_id
    as_clerk = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.post("/v1/prefill/drafts", json={"one_thing_id": sc.one_thing_id}, headers=as_clerk).status_code == 201
    assert client.post("/v1/prefill/consent-codes/redeem", json={"code": code}, headers=staff).status_code == 403
    assert client.post("/v1/prefill/consent-codes/redeem", json={"code": "12345"}, headers=staff).status_code == 422
    assert client.post("/v1/prefill/consent-codes", headers=as_clerk).status_code == 403


def test_family_approval_over_http(client, scenario):
    sc = scenario("newborn")
    me = _login(client, sc.applicant_id)
    other = next(p for p in (sc.subjects["father"], sc.subjects["mother"]) if p != sc.applicant_id)
    them = _login(client, other)
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "newborn"}, headers=me).json()["draft_id"]
    client.post(f"/v1/prefill/drafts/{d}/consent/grant-all", headers=me)
    asks = client.get("/v1/prefill/approvals", headers=them).json()
    assert asks and asks[0]["draft_id"] == d
    for a in asks:
        assert client.post(f"/v1/prefill/approvals/{d}/{a['source']}", json={"grant": True}, headers=them).status_code == 200
    assert client.post(f"/v1/prefill/approvals/{d}/population", json={"grant": True}, headers=me).status_code == 404


@pytest.mark.parametrize("path,body", [
    ("/v1/prefill/drafts", {"one_thing_id": ""}),
    ("/v1/prefill/drafts", {"one_thing_id": "x" * 200}),
    ("/v1/prefill/drafts", {"one_thing_id": "retirement", "extra": 1}),
    ("/v1/prefill/drafts", {"one_thing_id": 12}),
    ("/v1/prefill/drafts", {"one_thing_id": "Retirement!"}),
    ("/v1/prefill/demo-login", {"person_id": "P0001'; DROP TABLE"}),
])
def test_bad_input_is_a_clear_4xx(client, scenario, path, body):
    me = _login(client, scenario("retirement").applicant_id)
    r = client.post(path, json=body, headers=me)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def test_unknown_one_thing_and_person(client, scenario):
    me = _login(client, scenario("retirement").applicant_id)
    assert client.post("/v1/prefill/drafts", json={"one_thing_id": "moon_landing"}, headers=me).status_code == 404
    assert client.post("/v1/prefill/demo-login", json={"person_id": "P99999"}).status_code == 404


def test_demo_login_is_refused_when_disabled(svc, tmp_path):
    settings = Settings(data_dir=tmp_path / "var", embedder="hash", demo_login=False)
    client = TestClient(create_app(settings, assistant=None, prefill=svc, mount_ui=False))
    assert client.post("/v1/prefill/demo-login", json={"person_id": "P00001"}).status_code == 403
    assert client.get("/v1/prefill/demo-people").status_code == 403


def test_service_missing_or_data_source_down_is_503(svc, scenario, tmp_path):
    settings = Settings(data_dir=tmp_path / "var", embedder="hash")
    down = TestClient(create_app(settings, assistant=None, prefill=None, mount_ui=False))
    r = down.get("/v1/prefill/forms")
    assert r.status_code == 503 and "pre-fill service unavailable" in r.json()["error"]["message"]

    broken_dir = tmp_path / "broken.db"
    broken_dir.mkdir()
    from prefill.service import PrefillService

    broken = PrefillService(shared_data_url=f"sqlite:///{broken_dir.as_posix()}", state_url=svc.state.url, secret="s" * 32)
    broken.warm_up()  # logs the outage, keeps the rest working
    client = TestClient(create_app(settings, assistant=None, prefill=broken, mount_ui=False))
    sc = scenario("retirement")
    tok = {"Authorization": f"Bearer {client.app.state.services.signer.issue('citizen', sc.applicant_id)}"}
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=tok).json()["draft_id"]
    client.post(f"/v1/prefill/drafts/{d}/consent/grant-all", headers=tok)
    r = client.post(f"/v1/prefill/drafts/{d}/prefill", headers=tok)
    assert r.status_code == 503 and "YJS_SHARED_DATA_URL" in r.json()["error"]["message"]
    assert "Traceback" not in r.text
    r = client.put(f"/v1/prefill/drafts/{d}/fields/retirement_type", json={"value": "正常退休"}, headers=tok)
    assert r.status_code == 200, "manual entry keeps working"


def test_seeded_people_exist_for_login(svc, scenario):
    with svc.shared.session() as s:
        assert s.get(PersonRow, scenario("newborn").applicant_id) is not None
