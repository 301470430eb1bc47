"""The /v1/offers API (免申办) through FastAPI's TestClient: opt-in, offers, accept, decline, staff counts,
and that one citizen can neither see nor act on another's offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.routers import offers as offer_routes
from core.settings import Settings
from prefill.seed import scenarios_from_meta

ROW = re.compile(r"^\s+(GET|POST|PUT|PATCH|DELETE)\s+(/\S+)", re.MULTILINE)


@pytest.fixture
def client(svc, tmp_path):
    today = dt.date.fromisoformat(svc.shared.meta()["reference_date"])
    svc.matcher.today = lambda: today
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


def _run(client, svc) -> dict:
    today = dt.date.fromisoformat(svc.shared.meta()["reference_date"])
    r = client.post("/v1/offers/run", headers=_staff(client),
                    json={"since": (today - dt.timedelta(days=3 * 365)).isoformat(),
                          "until": (today + dt.timedelta(days=90)).isoformat()})
    assert r.status_code == 200, r.text
    return r.json()


def _applicant(svc, one_thing_id: str, index: int = 0) -> str:
    return [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == one_thing_id][index].applicant_id


def test_route_table_matches_the_router():
    documented = set(ROW.findall(offer_routes.__doc__))
    served = {(m, r.path) for r in offer_routes.router.routes for m in r.methods}
    assert documented and documented == served


def test_offer_flow_over_http(client, svc):
    me = _login(client, _applicant(svc, "childcare_subsidy"))
    r = client.get("/v1/offers/opt-in", headers=me)
    assert r.status_code == 200 and r.json()["granted"] is False and r.json()["sources"]
    assert _run(client, svc)["people_checked"] == 0
    assert client.get("/v1/offers", headers=me).json() == []

    r = client.post("/v1/offers/opt-in", headers=me)
    assert r.status_code == 200 and r.json()["granted"] is True and r.json()["since"]
    report = _run(client, svc)
    assert report["people_checked"] == 1 and report["offers_created"] >= 1
    offers = client.get("/v1/offers", headers=me).json()
    offer = next(o for o in offers if o["one_thing_id"] == "childcare_subsidy")
    assert offer["status"] == "sent" and offer["why"] and offer["legal_basis"]
    assert "孩子已完成出生登记，可以申领育儿补贴" in offer["message"]

    r = client.get(f"/v1/offers/{offer['offer_id']}", headers=me)
    assert r.status_code == 200 and r.json()["status"] == "opened"
    r = client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=me)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_step"] == "review" and body["offer"]["status"] == "accepted"
    draft_id = body["draft"]["draft_id"]
    assert body["review"]["draft_id"] == draft_id
    assert any(f["provenance"] for f in body["draft"]["fields"])
    # The normal flow continues from the review step.
    assert client.get(f"/v1/prefill/drafts/{draft_id}/review", headers=me).status_code == 200
    assert client.post(f"/v1/offers/{offer['offer_id']}/accept", headers=me).status_code == 409
    log = client.get("/v1/prefill/me/access-log", headers=me).json()
    assert {"offer_sent", "offer_open", "offer_accept", "proactive_opt_in"} <= {e["action"] for e in log}

    r = client.post("/v1/offers/opt-in/withdraw", headers=me)
    assert r.status_code == 200 and r.json()["granted"] is False

    stats = client.get("/v1/offers/stats", headers=_staff(client)).json()
    row = next(x for x in stats["by_bundle"] if x["one_thing_id"] == "childcare_subsidy")
    assert row["sent"] == 1 and row["opened"] == 1 and row["accepted"] == 1
    assert client.get("/v1/offers/stats", headers=me).status_code == 403


def test_decline_over_http(client, svc):
    me = _login(client, _applicant(svc, "veteran_retirement"))
    client.post("/v1/offers/opt-in", headers=me)
    _run(client, svc)
    offer = client.get("/v1/offers", headers=me).json()[0]
    r = client.post(f"/v1/offers/{offer['offer_id']}/decline", headers=me, json={"reason": "已自行办理"})
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["decline_reason"] == "已自行办理"
    assert client.post(f"/v1/offers/{offer['offer_id']}/decline", headers=me, json={}).status_code == 409
    assert client.post(f"/v1/offers/{offer['offer_id']}/decline", headers=me,
                       json={"reason": "x" * 501}).status_code == 422


def test_another_citizen_cannot_see_or_accept_my_offers(client, svc):
    me = _login(client, _applicant(svc, "veteran_retirement"))
    other = _login(client, _applicant(svc, "veteran_retirement", 1))
    client.post("/v1/offers/opt-in", headers=me)
    _run(client, svc)
    offer = client.get("/v1/offers", headers=me).json()[0]
    oid = offer["offer_id"]
    assert client.get("/v1/offers", headers=other).json() == []
    assert client.get(f"/v1/offers/{oid}", headers=other).status_code == 404
    assert client.post(f"/v1/offers/{oid}/accept", headers=other).status_code == 404
    assert client.post(f"/v1/offers/{oid}/decline", headers=other, json={}).status_code == 404
    assert client.get(f"/v1/offers/{oid}", headers=me).json()["status"] == "opened"
    assert client.get("/v1/offers").status_code == 401
    assert client.post(f"/v1/offers/{oid}/accept").status_code == 401
    staff = _staff(client)
    assert client.get("/v1/offers", headers=staff).status_code == 403
    assert client.post("/v1/offers/opt-in", headers=staff).status_code == 403
    assert client.post("/v1/offers/run", headers=me, json={}).status_code == 403
    assert client.get("/v1/offers/not-hex!", headers=me).status_code in (404, 422)


def test_a_clerk_with_the_citizens_code_cannot_turn_on_the_opt_in(client, svc):
    me = _login(client, _applicant(svc, "elderly_welfare"))
    code = client.post("/v1/prefill/consent-codes", headers=me).json()["code"]
    r = client.post("/v1/prefill/consent-codes/redeem", json={"code": code}, headers=_staff(client))
    as_clerk = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.post("/v1/offers/opt-in", headers=as_clerk).status_code == 403
    assert client.get("/v1/offers", headers=as_clerk).status_code == 200
