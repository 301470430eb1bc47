"""Rate limiting per client: anonymous app clients by address (or API key), signed-in users by user —
also on the pre-fill API — and staff sign-in attempts on a budget of their own."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sectools import SECRET

from app.deps import hash_key
from app.main import create_app
from core.settings import Settings

LIMIT = 5


@pytest.fixture
def limited(fast_assistant, svc, tmp_path):
    s = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=LIMIT, secret_key=SECRET,
                 login_attempts_per_minute=3)
    app = create_app(s, assistant=fast_assistant, prefill=svc, mount_ui=False)
    with TestClient(app, client=("10.0.0.1", 1111)) as one, TestClient(app, client=("10.0.0.2", 2222)) as two:
        yield app, one, two


def _tok(app, pid: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.services.signer.issue('citizen', pid)}"}


def test_prefill_api_is_limited_per_user_wherever_they_come_from(limited, shared):
    app, one, two = limited
    a, b = (_tok(app, shared.scenario(o).applicant_id) for o in ("retirement", "newborn"))
    # User A, alternating between two addresses, shares one budget.
    codes = [(one if i % 2 else two).get("/v1/prefill/drafts", headers=a).status_code for i in range(LIMIT + 2)]
    assert codes == [200] * LIMIT + [429, 429]
    r = one.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=a)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert "try again" in r.json()["error"]["message"]
    # User B, on the same addresses, is not affected; nor is the anonymous answer API.
    assert one.get("/v1/prefill/drafts", headers=b).status_code == 200
    assert one.post("/v1/answer", json={"question": "退休一件事要多久"}).status_code == 200


def test_answer_api_is_limited_per_client_address_and_per_api_key(fast_assistant, tmp_path):
    keys = ["client-a-key-" + "a" * 24, "client-b-key-" + "b" * 24]
    s = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=LIMIT,
                 api_keys=[hash_key(k) for k in keys])
    app = create_app(s, assistant=fast_assistant, mount_ui=False)
    q = {"question": "退休一件事要多久"}
    with TestClient(app, client=("10.0.0.1", 1)) as one, TestClient(app, client=("10.0.0.2", 2)) as two:
        codes = [(one if i % 2 else two).post("/v1/answer", json=q, headers={"X-API-Key": keys[0]}).status_code
                 for i in range(LIMIT + 1)]
        assert codes == [200] * LIMIT + [429], "one key, one budget, whichever address it comes from"
        assert one.post("/v1/answer", json=q, headers={"X-API-Key": keys[1]}).status_code == 200
    s2 = s.model_copy(update={"api_keys": []})
    app2 = create_app(s2, assistant=fast_assistant, mount_ui=False)
    with TestClient(app2, client=("10.0.0.1", 1)) as one, TestClient(app2, client=("10.0.0.2", 2)) as two:
        assert [one.post("/v1/answer", json=q).status_code for _ in range(LIMIT + 1)][-1] == 429
        assert one.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "退休"}]}).status_code == 429
        assert two.post("/v1/answer", json=q).status_code == 200, "another address has its own budget"


def test_the_window_slides(limited, shared, monkeypatch):
    import limits.storage.memory as counters

    app, one, _ = limited
    a = _tok(app, shared.scenario("retirement").applicant_id)
    now = [time.time()]
    monkeypatch.setattr(counters.time, "time", lambda: now[0])
    codes = [one.get("/v1/prefill/drafts", headers=a) for _ in range(LIMIT + 1)]
    assert codes[-1].status_code == 429
    assert 1 <= int(codes[-1].headers["retry-after"]) <= 60, "a 429 says when to come back"
    now[0] += 61
    assert one.get("/v1/prefill/drafts", headers=a).status_code == 200


def test_staff_sign_in_attempts_are_limited_per_address(limited):
    _, one, two = limited
    wrong = {"user": "clerk", "password": "guess"}
    codes = [one.post("/v1/auth/staff-login", json=wrong).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    right = {"user": "clerk", "password": "clerk-demo"}
    assert one.post("/v1/auth/staff-login", json=right).status_code == 429, "no more tries from here this minute"
    assert two.post("/v1/auth/staff-login", json=right).status_code == 200


def test_forwarded_headers_are_believed_only_from_configured_proxies(tmp_path):
    """Issue 15, item 8: uvicorn's default trusts X-Forwarded-For from any loopback peer."""
    from app.cli import proxy_options

    assert proxy_options(Settings(data_dir=tmp_path)) == {"proxy_headers": False, "forwarded_allow_ips": ""}
    opts = proxy_options(Settings(data_dir=tmp_path, trusted_proxies=["10.0.0.5"]))
    assert opts == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5"}


# --- issue 15, item 5: the budget is charged before anything reads the body ----------------------
def _asgi_post(app, path: str, body: bytes, *, client=("10.0.0.9", 9), headers=()) -> tuple[int, dict, bool]:
    """POST through the raw ASGI interface; returns (status, headers, whether the body was pulled)."""
    import asyncio

    pulled, sent = [], []

    async def receive():
        pulled.append(True)  # anything (a middleware, FastAPI's parser) asking for the body lands here
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "client": client,
             "server": ("testserver", 80),
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()), *headers]}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, bool(pulled)


def test_a_client_over_its_budget_gets_429_before_its_body_is_read(fast_assistant, tmp_path):
    s = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=2, login_attempts_per_minute=1,
                 secret_key=SECRET)
    app = create_app(s, assistant=fast_assistant, mount_ui=False)
    q = json.dumps({"question": "退休一件事要多久"}).encode()
    assert [_asgi_post(app, "/v1/answer", q)[0] for _ in range(2)] == [200, 200]
    status, headers, pulled = _asgi_post(app, "/v1/answer", q)
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60
    assert not pulled, "a client over its budget must not make the server read its body"
    # Another address still gets answered (and its body read), so the gate keys by client.
    assert _asgi_post(app, "/v1/answer", q, client=("10.0.0.8", 8))[::2] == (200, True)
    # Sign-in has its own budget, also charged before the (password-carrying) body is read.
    login = json.dumps({"user": "clerk", "password": "guess"}).encode()
    assert _asgi_post(app, "/v1/auth/staff-login", login)[0] == 401
    status, headers, pulled = _asgi_post(app, "/v1/auth/staff-login", login)
    assert (status, pulled) == (429, False) and "retry-after" in headers
    # A signed-in user's budget too (the pre-fill and staff APIs).
    staff = [(b"authorization", f"Bearer {app.state.services.signer.issue('staff', 'clerk')}".encode())]
    route = json.dumps({"message": "路灯坏了"}).encode()
    for _ in range(2):
        _asgi_post(app, "/v1/staff/tickets/route", route, headers=staff)
    status, _, pulled = _asgi_post(app, "/v1/staff/tickets/route", route, headers=staff)
    assert (status, pulled) == (429, False)
