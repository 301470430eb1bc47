"""Privacy: no personal number in any log line or API error; no read without consent through any
interface; no citizen reaches another citizen's drafts, audit log or tracking; staff actions audited."""

from __future__ import annotations

import re

import pytest
from httpflow import ready_draft
from sectools import SECRET, bearer, find_pii, server_logging

from core.errors import ConsentRequired
from core.identity import Principal, SessionIds
from prefill.store import AuditRow

# Numbers a citizen types: valid ones, and invalid ones that must be rejected without being echoed.
TYPED_OK = {"phone": "13912345678", "bank_card": "6222021234567890128"}
TYPED_BAD = {"phone": ["1391234567", "23912345678", "139-1234-5678x"],
             "bank_card": ["6222021234567890127", "622202123456789012812345"],
             "id_number": ["110105194912310022", "11010519491231002", "1101051949123100ZZ", "990105194912310021"]}
PROBES = [  # personal numbers where an id, a department or a search term is expected
    ("get", "/v1/prefill/drafts/110105194912310021", None),
    ("get", "/v1/prefill/drafts/13912345678/review", None),
    ("get", "/v1/prefill/submissions/110105194912310021", None),
    ("get", "/v1/prefill/submissions/6222021234567890128", None),
    ("get", "/v1/one-things/13912345678", None),
    ("get", "/v1/sources/110105194912310021", None),
    ("get", "/v1/prefill/forms/p13912345678", None),
    ("post", "/v1/feedback", {"rating": "差评", "session_id": "110105194912310021"}),
    ("post", "/v1/prefill/consent-codes/redeem", {"code": "139123"}),
]


def test_a_full_run_logs_and_errors_hold_no_personal_numbers(client, svc, shared):
    """Answers, pre-fill with consent and family approvals, edits of ID/phone/bank fields (good and bad),
    帮办代办, staff actions and probing — with the server's logging at DEBUG — then every log line and
    every error body is scanned: 0 unmasked ID, mobile or bank-card numbers allowed."""
    known: set[str] = {v for vs in TYPED_BAD.values() for v in vs} | set(TYPED_OK.values())
    errors: list[str] = []  # the body of every error response
    where: list[str] = []  # which request it answered, for the failure message

    def call(method: str, path: str, **kw):
        r = getattr(client, method)(path, **kw)
        if r.status_code >= 400:
            errors.append(r.text)
            where.append(f"{method.upper()} {path} → {r.status_code}")
        return r

    with server_logging() as logs:
        # 问, with the citizen's own numbers typed into the chat.
        sid = None
        for q in ("退休一件事要带什么材料", "我的身份证号是110105194912310021，手机13912345678，帮我办退休",
                  "那要多久？", "银行卡6222021234567890128能用来领养老金吗", "新生儿出生一件事在哪里办"):
            r = call("post", "/v1/answer", json={"question": q, "session_id": sid})
            assert r.status_code == 200
            assert not find_pii(r.text, known | {"110105194912310021"}), r.text[:300]
            sid = r.json()["session_id"]
        known.add("110105194912310021")

        # 办: four forms, family approvals, a buyer named by ID number, an enterprise.
        staff = bearer(client, "staff", "clerk")
        submitted = []
        for one_thing in ("newborn", "house_transfer_utilities", "employee_recruitment", "retirement"):
            sc = shared.scenario(one_thing)
            me, d = ready_draft(client, [""], shared, sc)
            known |= {v for v in svc.all_values(d).values() if isinstance(v, str) and find_pii(v)}
            fields = call("get", f"/v1/prefill/drafts/{d}", headers=me).json()["fields"]
            for f in fields:
                for bad in TYPED_BAD.get(f["type"], []) if f["editable"] else []:
                    r = call("put", f"/v1/prefill/drafts/{d}/fields/{f['key']}", json={"value": bad}, headers=me)
                    assert r.status_code == 422 and r.json()["error"]["field"] == f["key"]
                if f["editable"] and f["type"] in TYPED_OK:
                    r = call("put", f"/v1/prefill/drafts/{d}/fields/{f['key']}", json={"value": TYPED_OK[f["type"]]},
                             headers=me)
                    assert r.status_code == 200, r.text
            call("get", f"/v1/prefill/drafts/{d}/history", headers=me)
            call("get", f"/v1/prefill/drafts/{d}/review", headers=me)
            assert call("post", f"/v1/prefill/drafts/{d}/confirm", headers=me).status_code == 200
            sub = call("post", f"/v1/prefill/drafts/{d}/submit", headers=me).json()
            submitted.append((me, d, sub))
            call("get", f"/v1/prefill/drafts/{d}/document", headers=me)
            call("get", "/v1/prefill/me/access-log", headers=me)

        # 帮办代办: the citizen's code lets a clerk act for them; the clerk edits and prints.
        me, d, sub = submitted[-1]
        code = call("post", "/v1/prefill/consent-codes", headers=me).json()["code"]
        as_clerk = {"Authorization": "Bearer " + call("post", "/v1/prefill/consent-codes/redeem", json={"code": code},
                                                      headers=staff).json()["token"]}
        d2 = call("post", "/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=as_clerk).json()["draft_id"]
        call("post", f"/v1/prefill/drafts/{d2}/consent/grant-all", headers=as_clerk)
        call("post", f"/v1/prefill/drafts/{d2}/prefill", headers=as_clerk)
        call("get", f"/v1/prefill/drafts/{d}/document", params={"copy": sub["departments"][0]["department"]},
             headers=as_clerk)

        # Staff: status, a department's full payload, the audit chain, the help desk.
        for _, _, s in submitted:
            dept = s["departments"][0]["department"]
            call("post", f"/v1/prefill/submissions/{s['tracking_no']}/status", headers=staff,
                 json={"department": dept, "status": "已受理", "note": "电话13912345678已联系"})
            payload = call("get", f"/v1/prefill/submissions/{s['tracking_no']}/payload", params={"department": dept},
                           headers=staff)
            assert payload.status_code == 200  # full values, for the department: a success body, not a log
        call("post", f"/v1/prefill/submissions/{sub['tracking_no']}/status", headers=staff,
             json={"department": "110105194912310021", "status": "已受理"})
        call("get", f"/v1/prefill/submissions/{sub['tracking_no']}/payload", params={"department": "13912345678"},
             headers=staff)
        call("get", "/v1/prefill/audit/verify", headers=staff)
        cid = SessionIds.conversation_id(sid)  # staff know the conversation by its stored id
        assert call("post", f"/v1/staff/conversations/{cid}/take-over", headers=staff).status_code == 200
        call("post", f"/v1/staff/conversations/{cid}/reply", json={"text": "已收到，您的手机13912345678我们会回电"},
             headers=staff)
        call("get", f"/v1/staff/conversations/{cid}", headers=staff)
        call("post", f"/v1/staff/conversations/{cid}/hand-back", headers=staff)
        call("get", "/v1/staff/conversations/13912345678", headers=staff)
        call("get", "/v1/staff/knowledge-gaps", headers=staff)

        # Probes: personal numbers where ids are expected, and malformed bodies carrying them.
        for method, path, body in PROBES:
            r = call(method, path, headers=staff if "redeem" in path else me, **({"json": body} if body else {}))
            assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        call("post", "/v1/answer", content=b'{"question": "110105194912310021', headers={"content-type": "application/json"})
        call("put", f"/v1/prefill/drafts/{d2}/fields/contact_phone", json={"value": ["13912345678"]}, headers=as_clerk)

    text = logs.getvalue()
    assert "sqlalchemy.engine" in text and "DEBUG" in text, "the capture missed the DEBUG logs"
    assert len(errors) >= 25
    assert find_pii(text, known) == []
    assert find_pii("\n".join(errors), known) == [], [(w, e) for w, e in zip(where, errors, strict=True)
                                                        if find_pii(e, known)][:3]
    # The errors still say what is wrong: the field, and masked where they quote the input.
    assert any("110105********0021" in e for e in errors)


def test_reads_without_consent_are_impossible_over_http(client, svc, shared):
    sc = shared.scenario("newborn")
    me = bearer(client, "citizen", sc.applicant_id)
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "newborn"}, headers=me).json()["draft_id"]
    view = client.post(f"/v1/prefill/drafts/{d}/prefill", headers=me).json()
    assert not any(f["provenance"] for f in view["fields"]) and view["prefill_rate"] == 0
    # Refuse the population registry, grant the rest: nothing comes from the refused source.
    consent = client.get(f"/v1/prefill/drafts/{d}/consent", headers=me).json()
    for source in consent["your_sources"]:
        client.post(f"/v1/prefill/drafts/{d}/consent", json={"source": source, "grant": source != "population"},
                    headers=me)
    view = client.post(f"/v1/prefill/drafts/{d}/prefill", headers=me).json()
    assert not any(f["provenance"] and f["provenance"]["source"] == "population" for f in view["fields"])
    reads = [e for e in svc.audit.entries(draft_id=d, action="read")]
    assert reads and all(e.source != "population" for e in reads)
    # The other parent's own data is read only after they approve it themselves.
    other = next(p for p in (sc.subjects["father"], sc.subjects["mother"]) if p != sc.applicant_id)
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "newborn"}, headers=me).json()["draft_id"]
    client.post(f"/v1/prefill/drafts/{d}/consent/grant-all", headers=me)
    client.post(f"/v1/prefill/drafts/{d}/prefill", headers=me)
    reads = svc.audit.entries(draft_id=d, action="read")
    assert reads and not [e for e in reads if e.subject_id == other]
    them = bearer(client, "citizen", other)
    for ask in client.get("/v1/prefill/approvals", headers=them).json():
        client.post(f"/v1/prefill/approvals/{d}/{ask['source']}", json={"grant": True}, headers=them)
    client.post(f"/v1/prefill/drafts/{d}/prefill", headers=me)
    assert [e for e in svc.audit.entries(draft_id=d, action="read") if e.subject_id == other]


def test_reads_without_consent_are_impossible_through_the_service(svc, shared):
    sc = shared.scenario("retirement")
    me = Principal("citizen", sc.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    with pytest.raises(ConsentRequired):  # the gate itself: no decision, no read
        svc.gate.read(draft_id=d, owner_id=me.subject, role="self", subject_id=me.subject, grantor_id=me.subject,
                      source="population", fields=["name", "id_number"], actor=me.actor, purpose="test")
    svc.decide_consent(me, d, "population", True)
    with pytest.raises(ConsentRequired):  # a grant covers its fields only
        svc.gate.read(draft_id=d, owner_id=me.subject, role="self", subject_id=me.subject, grantor_id=me.subject,
                      source="population", fields=["death_date", "relations", "marital_status", "name", "id_number",
                                                   "education", "hukou_no", "residence_address", "ethnicity", "sex",
                                                   "birth_date", "household_address", "household_region_code",
                                                   "residence_region_code", "not_a_field"],
                      actor=me.actor, purpose="test")
    svc.decide_consent(me, d, "population", False)  # withdrawn before the read
    view = svc.prefill(me, d)
    assert svc.audit.entries(draft_id=d, action="read") == [] and view.prefill_rate == 0
    # A stranger cannot grant for my application, and a clerk without my code is not me.
    stranger = Principal("citizen", shared.scenario("newborn").applicant_id)
    with pytest.raises(Exception) as exc:
        svc.decide_consent(stranger, d, "population", True)
    assert getattr(exc.value, "status", None) == 404
    with pytest.raises(Exception) as exc:
        svc.prefill(Principal("staff", "clerk"), d)
    assert getattr(exc.value, "status", None) == 403


def test_reads_without_consent_are_impossible_through_the_cli(tmp_path, monkeypatch, capsys, shared):
    """`python -m prefill preview` reads only with the citizen's own consent code (or demo data), and
    never another person's data without that person's approval."""
    from app.prefill_cli import main
    from core.settings import get_settings
    from prefill.service import PrefillService

    data = tmp_path / "var"
    for k, v in {"YJS_DATA_DIR": str(data), "YJS_SECRET_KEY": SECRET, "YJS_SEED_PEOPLE": "160",
                 "YJS_SEED_ENTERPRISES": "36", "YJS_DEMO_LOGIN": "false", "YJS_EMBEDDER": "hash"}.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        svc = PrefillService(shared_data_url=f"sqlite:///{(data / 'shared_data.db').as_posix()}",
                             state_url=f"sqlite:///{(data / 'state.db').as_posix()}", secret=SECRET,
                             seed_people=160, seed_enterprises=36)
        svc.warm_up()
        sc = next(s for s in shared.scenarios if s.one_thing_id == "newborn")

        def reads() -> list[AuditRow]:
            return svc.audit.entries(action="read")

        assert main(["preview", "newborn", "--as-citizen", sc.applicant_id]) == 2
        assert "demo data only" in capsys.readouterr().err
        assert main(["preview", "newborn", "--code", "123456", "--staff", "clerk"]) == 2
        assert main(["preview", "newborn"]) == 2
        assert reads() == []

        code = svc.issue_consent_code(Principal("citizen", sc.applicant_id)).code
        assert main(["preview", "newborn", "--code", code, "--staff", "clerk", "--json"]) == 0
        out = capsys.readouterr().out
        assert not find_pii(out), "the preview prints masked values"
        got = reads()
        assert got and all(e.actor == f"staff:clerk for citizen:{sc.applicant_id}" for e in got)
        other = next(p for p in (sc.subjects["father"], sc.subjects["mother"]) if p != sc.applicant_id)
        assert not [e for e in got if e.subject_id == other], "the other parent has not approved"
        assert main(["preview", "newborn", "--code", code, "--staff", "clerk"]) == 2, "a code is single-use"
    finally:
        get_settings.cache_clear()


def _id_routes(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method, path) for path, ops in spec["paths"].items() for method in ops
            if path.startswith("/v1/prefill/") and ("{draft_id}" in path or "{tracking_no}" in path)]


def test_a_citizen_never_reaches_another_citizens_drafts_log_or_tracking(client, svc, shared):
    """Every pre-fill endpoint that takes a draft id or tracking number, both directions → 404
    (staff-only ones → 403), and the lists and access logs never show the other's records."""
    users = {}
    for one_thing in ("retirement", "social_security_card"):
        sc = shared.scenario(one_thing)
        me, d = ready_draft(client, [""], shared, sc)
        client.post(f"/v1/prefill/drafts/{d}/confirm", headers=me)
        tracking = client.post(f"/v1/prefill/drafts/{d}/submit", headers=me).json()["tracking_no"]
        open_d = client.post("/v1/prefill/drafts", json={"one_thing_id": one_thing}, headers=me).json()["draft_id"]
        users[sc.applicant_id] = {"h": me, "draft_id": open_d, "submitted": d, "tracking_no": tracking}
    (a, ua), (b, ub) = users.items()
    routes = _id_routes(client)
    assert len(routes) >= 20, routes
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    for owner, other in ((ua, ub), (ub, ua)):
        for method, path in routes:
            for draft in (owner["draft_id"], owner["submitted"]):
                url = (path.replace("{draft_id}", draft).replace("{tracking_no}", owner["tracking_no"])
                       .replace("{key}", "contact_phone").replace("{source}", "population"))
                kw: dict = {"headers": other["h"]}
                if method in ("post", "put", "patch"):
                    kw["json"] = {"put": {"value": "x"}, "patch": {"values": {"contact_phone": "13800138000"}}}.get(
                        method, {"grant": True} if "approvals" in path else {})
                    if "consent" in path and path.endswith("/consent"):
                        kw["json"] = {"source": "population", "grant": True}
                    if path.endswith("/report-error"):
                        kw["json"] = {"note": "wrong"}
                    if path.endswith("/ocr"):
                        kw = {"headers": other["h"], "files": {"image": ("a.png", png, "image/png")}}
                    if path.endswith("/status"):
                        kw["json"] = {"department": "x", "status": "已受理"}
                    if path.endswith("/materials/missing"):
                        kw["json"] = {"material": "申请人居民身份证"}
                    if path.endswith("/materials/from-licence"):
                        kw["json"] = {"material": "申请人居民身份证", "consent": True}
                    if path.endswith("/materials/supply"):
                        kw = {"headers": other["h"], "data": {"material": "申请人居民身份证"},
                              "files": {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}}
                params = {"department": "x"} if path.endswith("/payload") else None
                r = client.request(method.upper(), url, params=params, **kw)
                expected = 403 if path.endswith(("/status", "/payload")) else 404
                assert r.status_code == expected, (method, path, r.status_code, r.text[:200])
        mine = {x["draft_id"] for x in client.get("/v1/prefill/drafts", headers=other["h"]).json()}
        assert not mine & {owner["draft_id"], owner["submitted"]}
        subs = {x["tracking_no"] for x in client.get("/v1/prefill/submissions", headers=other["h"]).json()}
        assert owner["tracking_no"] not in subs
        log = client.get("/v1/prefill/me/access-log", headers=other["h"]).json()
        assert not {e["draft_id"] for e in log} & {owner["draft_id"], owner["submitted"]}
    # Nothing changed for the owners: their drafts still work, and their audit chain verifies.
    assert client.get(f"/v1/prefill/drafts/{ua['draft_id']}", headers=ua["h"]).status_code == 200
    assert svc.verify_audit().ok


def test_tokens_cannot_be_forged_or_swapped(client, shared):
    from core.identity import TokenSigner

    sc = shared.scenario("retirement")
    forged = TokenSigner("another-secret-" + "x" * 32).issue("citizen", sc.applicant_id)
    for headers in ({"Authorization": f"Bearer {forged}"}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": "Basic Y2xlcms6Y2xlcmstZGVtbw=="}, {}):
        r = client.get("/v1/prefill/drafts", headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    citizen = bearer(client, "citizen", sc.applicant_id)
    staff = bearer(client, "staff", "clerk")
    assert client.get("/v1/prefill/audit/verify", headers=citizen).status_code == 403
    assert client.get("/v1/staff/conversations", headers=citizen).status_code == 403
    assert client.get("/v1/prefill/drafts", headers=staff).status_code == 403
    assert client.post("/v1/prefill/consent-codes", headers=staff).status_code == 403
    # The demo clerk's password does not unlock anything else.
    r = client.post("/v1/auth/staff-login", json={"user": "admin", "password": "clerk-demo"})
    assert r.status_code == 401


def test_staff_actions_are_audited(client, svc, shared):
    sc = shared.scenario("retirement")
    me, d = ready_draft(client, [""], shared, sc)
    client.post(f"/v1/prefill/drafts/{d}/confirm", headers=me)
    sub = client.post(f"/v1/prefill/drafts/{d}/submit", headers=me).json()
    staff = bearer(client, "staff", "clerk")
    dept = sub["departments"][0]["department"]
    code = client.post("/v1/prefill/consent-codes", headers=me).json()["code"]
    client.post("/v1/prefill/consent-codes/redeem", json={"code": code}, headers=staff)
    client.post(f"/v1/prefill/submissions/{sub['tracking_no']}/status", headers=staff,
                json={"department": dept, "status": "已受理"})
    client.get(f"/v1/prefill/submissions/{sub['tracking_no']}/payload", params={"department": dept}, headers=staff)
    by_staff = {e.action for e in svc.audit.entries(subject_or_owner=sc.applicant_id) if e.actor.startswith("staff:")}
    assert {"consent_code_redeem", "status_change", "payload_read"} <= by_staff
    # ... and the citizen sees them in their own access log, named as staff.
    log = client.get("/v1/prefill/me/access-log", headers=me).json()
    assert {e["action"] for e in log if e["who"].startswith(("工作人员", "窗口工作人员"))} >= {"status_change", "payload_read"}
    # Help-desk actions are audited in the staff log (who, what, which conversation).
    sid = SessionIds.conversation_id(client.post("/v1/answer", json={"question": "退休一件事要多久"}).json()["session_id"])
    for action in ("take-over", "hand-back"):
        assert client.post(f"/v1/staff/conversations/{sid}/{action}", headers=staff).status_code == 200
    audit = client.get("/v1/staff/audit", params={"conversation_id": sid}, headers=staff).json()
    assert {re.sub(r"[-_]", "", e["action"]) for e in audit} >= {"takeover", "handback"}
    assert all(e["staff_user"] == "clerk" for e in audit)
