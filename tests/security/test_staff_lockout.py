"""Issue 15, item 8: a per-account staff sign-in lockout with back-off, shared by every worker.

The per-address budget does not stop many addresses guessing one clerk's password; wrong passwords
are also counted per account in the state database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sectools import SECRET

from app.main import create_app
from assistant.state import ConversationStore, StaffAuditLog
from core.settings import Settings

WRONG = {"user": "clerk", "password": "guess"}
RIGHT = {"user": "clerk", "password": "clerk-demo"}


@pytest.fixture
def workers(fast_assistant, tmp_path):
    """Two apps (two workers) on one state database, each reached from two addresses, on one fake clock."""
    s = Settings(data_dir=tmp_path / "var", embedder="hash", secret_key=SECRET, login_attempts_per_minute=1000,
                 staff_lockout_after=3, staff_lockout_base_s=60, staff_lockout_max_s=240)
    now = [1_000_000.0]
    apps = [create_app(s, assistant=fast_assistant, mount_ui=False) for _ in range(2)]
    for app in apps:
        app.state.services.staff_lockout.clock = lambda: now[0]
    clients = [TestClient(app, client=(f"10.0.{i}.{j}", 1000 + j)) for i, app in enumerate(apps) for j in (1, 2)]
    for c in clients:
        c.__enter__()
    yield clients, now, ConversationStore(s.resolved_database_url)
    for c in clients:
        c.__exit__(None, None, None)


def test_wrong_passwords_from_anywhere_lock_the_account_with_back_off(workers):
    clients, now, store = workers
    # Three wrong passwords, each from another address and worker, lock the account...
    assert [c.post("/v1/auth/staff-login", json=WRONG).status_code for c in clients[:3]] == [401, 401, 401]
    r = clients[3].post("/v1/auth/staff-login", json=RIGHT)
    assert r.status_code == 429, "locked: even the right password is refused"
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["retry-after"]) == 60
    assert "已临时锁定" in r.json()["error"]["message"] and "60" in r.json()["error"]["message"]
    # ... for a time that doubles with each further wrong password once a lock ends, up to the cap.
    waits = []
    for _ in range(3):
        now[0] += 10_000
        assert clients[0].post("/v1/auth/staff-login", json=WRONG).status_code == 401
        waits.append(int(clients[1].post("/v1/auth/staff-login", json=RIGHT).headers["retry-after"]))
    assert waits == [120, 240, 240]
    # A success after the lock resets the count: one wrong password is then just a 401.
    now[0] += 10_000
    assert clients[2].post("/v1/auth/staff-login", json=RIGHT).status_code == 200
    assert clients[2].post("/v1/auth/staff-login", json=WRONG).status_code == 401
    assert clients[3].post("/v1/auth/staff-login", json=RIGHT).status_code == 200
    # Audited, as counts: each wrong password (with the lock it set) and each sign-in.
    actions = [(e["action"], e["detail"]) for e in reversed(StaffAuditLog(store).entries(staff_user="clerk"))]
    assert [a for a, _ in actions] == ["login_failed"] * 6 + ["login", "login_failed", "login"]
    assert [d["locked_s"] for a, d in actions if a == "login_failed"][:6] == [0, 0, 60, 120, 240, 240]


def test_unknown_names_are_locked_alike_but_never_audited(workers):
    clients, _, store = workers
    ghost = {"user": "nobody-here", "password": "guess"}
    codes = [c.post("/v1/auth/staff-login", json=ghost).status_code for c in clients]
    assert codes == [401, 401, 401, 429], "the same answers as for a real account: no hint which names exist"
    assert StaffAuditLog(store).entries(staff_user="nobody-here") == []
    # Another account is not affected.
    assert clients[0].post("/v1/auth/staff-login", json=RIGHT).status_code == 200


def test_the_web_ui_sign_in_is_locked_too_with_a_chinese_message(workers, fast_assistant):
    import gradio as gr

    from ui.staff import StaffUI

    clients, _, _ = workers
    for c in clients[:3]:
        c.post("/v1/auth/staff-login", json=WRONG)
    with gr.Blocks():
        ui = StaffUI(clients[0].app.state.services)
    with pytest.raises(gr.Error, match="该账号连续3次密码错误，已临时锁定，请60秒后再试"):
        ui.login("clerk", "clerk-demo")
