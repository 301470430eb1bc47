"""The UI mounted on the FastAPI app: URL layout, the API still answering, security headers kept."""

import pytest
from fastapi.testclient import TestClient

from app.main import SECURITY_HEADERS, create_app
from ui.web import STAFF_PATH, UI_PATH


@pytest.fixture(scope="module")
def client(fast_stack, tmp_path_factory):
    from app.pipeline import build_assistant

    settings, kb = fast_stack
    s = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("mount") / "var"})
    bot = build_assistant(s, knowledge=kb)
    bot.warm_up()
    with TestClient(create_app(s, assistant=bot)) as c:
        yield c


def test_root_redirects_to_the_ui(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"{UI_PATH}/"
    page = client.get(f"{UI_PATH}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "一件事助手" in page.text


def _elem_ids(cfg: dict) -> set[str]:
    return {c.get("props", {}).get("elem_id") or "" for c in cfg["components"]}


def test_staff_desk_only_at_its_own_path(client):
    """Issue 11 item 15: the citizens' app has no staff component; the desk has its own mount."""
    citizen = _elem_ids(client.get(f"{UI_PATH}/config").json())
    staff = _elem_ids(client.get(f"{STAFF_PATH}/config").json())
    assert "yjs-chat" in citizen and not any(i.startswith("yjs-staff") for i in citizen)
    assert {"yjs-staff-login", "yjs-staff-desk"} <= staff and "yjs-chat" not in staff
    page = client.get(f"{STAFF_PATH}/")
    assert page.status_code == 200 and "窗口工作台" in page.text


def test_ui_keeps_the_security_headers(client):
    for path in (f"{UI_PATH}/", f"{UI_PATH}/config", f"{STAFF_PATH}/", f"{STAFF_PATH}/config"):
        r = client.get(path)
        assert r.status_code == 200, path
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (path, name)


def test_api_routes_still_served_by_fastapi(client):
    assert client.get("/healthz").json()["answer"] is True
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/v1/answer" in spec["paths"] and "/v1/staff/conversations" in spec["paths"]
    assert not any(p.startswith(UI_PATH) for p in spec["paths"])  # the UI is not part of the API contract
    r = client.get("/v1/no-such-thing")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_ui_config_has_no_public_api_and_no_run_history(client):
    for path in (UI_PATH, STAFF_PATH):
        cfg = client.get(f"{path}/config").json()
        assert all(dep.get("api_visibility", "public") != "public" for dep in cfg["dependencies"] if dep.get("backend_fn"))
        assert "runs" not in (cfg.get("footer_links") or [])
