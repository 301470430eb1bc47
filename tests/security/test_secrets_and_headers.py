"""Secrets and defaults: production refuses unsafe settings; API keys and staff passwords are stored
hashed; CORS is off by default and exact when set; cookies (if any) carry safe flags; every response —
API, errors and the web UI — carries the security headers."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sectools import SECRET

from app.deps import hash_key
from app.main import SECURITY_HEADERS, UI_CSP, create_app
from core.errors import ConfigurationError
from core.identity import DEMO_STAFF_PASSWORD, hash_password
from core.settings import Settings

STAFF_PW = "window-3-strong-passphrase"
GOOD_PROD = {"environment": "production", "secret_key": SECRET, "demo_login": False,
             "staff_accounts": {"wang": hash_password(STAFF_PW)}, "api_keys": [hash_key("app-client-key-" + "x" * 24)]}


def _prod(tmp_path, **changes) -> Settings:
    return Settings(data_dir=tmp_path / "var", embedder="hash", **{**GOOD_PROD, **changes})


@pytest.mark.parametrize("changes,names", [
    ({"secret_key": "dev-only-insecure-secret"}, "YJS_SECRET_KEY"),
    ({"secret_key": "short-secret"}, "YJS_SECRET_KEY"),
    ({"demo_login": True}, "YJS_DEMO_LOGIN"),
    ({"staff_accounts": {}}, "YJS_STAFF_ACCOUNTS"),
    ({"staff_accounts": {"wang": STAFF_PW}}, "scrypt hash"),
    ({"staff_accounts": {"clerk": hash_password(DEMO_STAFF_PASSWORD)}}, "demo clerk password"),
    ({"api_keys": ["app-client-key-in-plain-text"]}, "YJS_API_KEYS"),
])
def test_production_refuses_to_start_with_unsafe_settings(tmp_path, changes, names):
    with pytest.raises(ConfigurationError) as exc:
        create_app(_prod(tmp_path, **changes), assistant=None, prefill=None, mount_ui=False)
    assert "refusing to start in production" in exc.value.message and names in exc.value.message


def test_safe_production_starts_without_demo_identities_or_demo_clerk(tmp_path, svc, fast_assistant):
    svc.demo = False  # as build_prefill_service makes it in production
    key = {"X-API-Key": "app-client-key-" + "x" * 24}
    # The assistant is given (building one from these settings is a minute of training, and not what is tested).
    with TestClient(create_app(_prod(tmp_path), assistant=fast_assistant, prefill=svc, mount_ui=False)) as c:
        assert c.get("/v1/prefill/demo-people").status_code == 401  # app routes need a key here
        assert c.get("/v1/prefill/demo-people", headers=key).status_code == 403
        assert c.post("/v1/prefill/demo-login", json={"person_id": "P00001"}, headers=key).status_code == 403
        assert c.post("/v1/auth/staff-login", json={"user": "clerk", "password": DEMO_STAFF_PASSWORD}).status_code == 401
        r = c.post("/v1/auth/staff-login", json={"user": "wang", "password": STAFF_PW})
        assert r.status_code == 200 and r.json()["subject"] == "wang"


def test_serve_refuses_unsafe_production_before_building_anything(tmp_path, monkeypatch, capsys):
    from app.cli import main
    from core.settings import get_settings

    monkeypatch.setenv("YJS_ENVIRONMENT", "production")
    monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YJS_EMBEDDER", "hash")
    get_settings.cache_clear()
    try:
        assert main(["serve", "--port", "9"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "refusing to start in production" in err and "YJS_SECRET_KEY" in err and "YJS_DEMO_LOGIN" in err
    assert not (tmp_path / "var" / "chroma").exists(), "no index is built for a server that will not start"


def test_keys_and_passwords_are_stored_hashed_and_the_hash_is_not_a_key(tmp_path, fast_assistant, monkeypatch, capsys):
    from app.cli import main

    key = "app-client-key-" + "y" * 24
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(key + "\n"))
    assert main(["hash-api-key"]) == 0
    digest = capsys.readouterr().out.strip()
    assert digest == hash_key(key) and len(digest) == 64
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(STAFF_PW + "\n"))
    assert main(["hash-password"]) == 0
    stored_pw = capsys.readouterr().out.strip()
    assert stored_pw.startswith("scrypt$") and STAFF_PW not in stored_pw

    s = Settings(data_dir=tmp_path / "var", embedder="hash", api_keys=[digest], staff_accounts={"wang": stored_pw},
                 rate_limit_per_minute=1000)
    at_rest = s.model_dump_json()
    assert key not in at_rest and STAFF_PW not in at_rest
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        ask = {"question": "退休一件事要多久"}
        assert c.post("/v1/answer", json=ask, headers={"X-API-Key": key}).status_code == 200
        assert c.post("/v1/answer", json=ask, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        # Someone who read the configuration cannot replay the stored digest as a key.
        r = c.post("/v1/answer", json=ask, headers={"X-API-Key": digest})
        assert r.status_code == 401 and key not in r.text and digest not in r.text
        assert c.post("/v1/answer", json=ask).status_code == 401
        assert c.post("/v1/auth/staff-login", json={"user": "wang", "password": stored_pw}).status_code == 401
        assert c.post("/v1/auth/staff-login", json={"user": "wang", "password": STAFF_PW}).status_code == 200
    for short in ("short", "x" * 11):
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(short + "\n"))
        assert main(["hash-password"]) == 2


# --- CORS -------------------------------------------------------------------------------------------
def _preflight(c: TestClient, origin: str, path: str = "/v1/answer"):
    return c.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "content-type"})


def test_cors_is_off_by_default(client):
    r = client.post("/v1/answer", json={"question": "退休一件事要多久"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = _preflight(client, "https://evil.example")
    assert pre.status_code >= 400 and "access-control-allow-origin" not in pre.headers


def test_cors_when_set_allows_exactly_the_listed_origins_without_credentials(fast_assistant, tmp_path):
    s = Settings(data_dir=tmp_path / "var", embedder="hash", cors_origins=["https://zwfw.example.gov.cn"])
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        ok = _preflight(c, "https://zwfw.example.gov.cn")
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://zwfw.example.gov.cn"
        assert ok.headers.get("access-control-allow-credentials") != "true"
        assert "DELETE" not in ok.headers.get("access-control-allow-methods", "")
        for origin in ("https://evil.example", "https://zwfw.example.gov.cn.evil.example", "null",
                       "http://zwfw.example.gov.cn"):
            bad = _preflight(c, origin)
            assert "access-control-allow-origin" not in bad.headers, origin
            r = c.get("/healthz", headers={"Origin": origin})
            assert "access-control-allow-origin" not in r.headers, origin


# --- the web UI and the API together: headers, cookies ---------------------------------------------------
@pytest.fixture(scope="module", params=["development", "production"])
def full_app(request, fast_stack, tmp_path_factory):
    """The app as `make run` serves it (API + Gradio UI), in development and in safe production."""
    from app.pipeline import build_assistant

    _, kb = fast_stack
    extra = GOOD_PROD if request.param == "production" else {}
    s = Settings(data_dir=tmp_path_factory.mktemp("ui") / "var", embedder="hash", rate_limit_per_minute=3,
                 **extra)
    bot = build_assistant(s, knowledge=kb)
    bot.warm_up()
    with TestClient(create_app(s, assistant=bot)) as c:
        yield request.param, c


def test_security_headers_and_cookie_flags_on_every_kind_of_response(full_app):
    mode, c = full_app
    key = {"X-API-Key": "app-client-key-" + "x" * 24} if mode == "production" else {}
    responses = {
        "GET /": c.get("/", follow_redirects=False),
        "GET /ui/": c.get("/ui/"),
        "GET /ui/config": c.get("/ui/config"),
        "GET /ui/gradio_api/info": c.get("/ui/gradio_api/info"),
        "GET /docs": c.get("/docs"),
        "GET /openapi.json": c.get("/openapi.json"),
        "GET /healthz": c.get("/healthz"),
        "POST /v1/answer": c.post("/v1/answer", json={"question": "退休一件事要多久"}, headers=key),
        "404": c.get("/v1/no-such-route"),
        "405": c.delete("/v1/answer"),
        "422": c.post("/v1/answer", json={"question": ""}, headers=key),
        "401": c.get("/v1/prefill/drafts"),
        "staff-login": c.post("/v1/auth/staff-login", json={"user": "nobody", "password": "x"}),
    }
    for _ in range(4):
        responses["429"] = c.post("/v1/answer", json={"question": "退休一件事要多久"}, headers=key)
    assert responses["429"].status_code == 429 and responses["405"].status_code == 405
    assert responses["GET /ui/"].status_code == 200 and "text/html" in responses["GET /ui/"].headers["content-type"]
    assert responses["GET /ui/"].headers["content-security-policy"] == UI_CSP
    assert "frame-ancestors 'self'" in UI_CSP and "object-src 'none'" in UI_CSP
    for what, r in responses.items():
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (mode, what, name)
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
            assert set(r.json()) == {"error"}, (what, r.text[:200])  # one error shape, routing errors too
        for cookie in r.headers.get_list("set-cookie"):
            flags = {p.strip().split("=")[0].lower() for p in cookie.split(";")[1:]}
            assert {"httponly", "samesite"} <= flags, (what, cookie)
            if mode == "production":
                assert "secure" in flags, (what, cookie)
    assert responses["405"].headers.get("allow")


def test_errors_never_carry_stack_traces_or_settings(client, app_settings):
    r = client.post("/v1/answer", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]["message"]
    dumped = json.dumps([client.get("/v1/nope").json(), r.json()])
    for secret in (SECRET, "Traceback", "site-packages", str(app_settings.data_dir)):
        assert secret not in dumped


def test_an_unconfigured_install_signs_with_a_random_secret_kept_in_the_data_dir(tmp_path):
    """Issue 15, item 2: never the public default secret; the same secret after a restart."""
    import stat

    from core.identity import DEFAULT_SECRET, signing_secret

    s = Settings(data_dir=tmp_path / "var")
    first, again = signing_secret(s), signing_secret(s)
    assert first == again and first != DEFAULT_SECRET and len(first) >= 32
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_secret(Settings(data_dir=tmp_path / "other")) != first, "each install its own"
    assert signing_secret(Settings(data_dir=tmp_path / "var", secret_key="x" * 40)) == "x" * 40
