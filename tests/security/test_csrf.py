"""Issue 15, item 3: no cookie-authenticated state change, so a page on another site cannot make a
signed-in browser act (CSRF). Tokens are accepted from the Authorization header only; the web UI
calls the services in-process and needs no cookie."""

from __future__ import annotations

import pytest

COOKIE = "yjs_session"
STATE_CHANGES = [  # (kind, method, path, body)
    ("citizen", "post", "/v1/prefill/drafts", {"one_thing_id": "newborn"}),
    ("citizen", "post", "/v1/prefill/consent-codes", None),
    ("staff", "post", "/v1/staff/conversations/x/take-over", None),
    ("staff", "post", "/v1/staff/tickets/route", {"message": "路灯坏了"}),
]


@pytest.mark.parametrize("kind,method,path,body", STATE_CHANGES)
def test_a_session_cookie_alone_authenticates_nothing(client, kind, method, path, body):
    subject = "P0001" if kind == "citizen" else "clerk"
    token = client.app.state.services.signer.issue(kind, subject)
    client.cookies.set(COOKIE, token)
    try:
        r = client.request(method, path, json=body, headers={"Origin": "https://evil.example"})
        assert r.status_code == 401, (path, r.status_code, r.text[:200])
    finally:
        client.cookies.clear()
    # The same token in the Authorization header is accepted (the request gets past sign-in).
    r = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code not in (401, 403), (path, r.status_code, r.text[:200])
