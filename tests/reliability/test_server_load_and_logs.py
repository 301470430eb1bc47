"""One real `python -m assistant -v serve` process: its own log output (uvicorn's access and error
logs included) holds no personal number after a PII-laden run, and the load and soak scripts run
against it, bounded, with 0 errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import httpx
import pytest
from httpflow import Shared, find_pii, ready_draft, staff_login
from procs import REPO, Server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def live(prepared_data_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    data = tmp / "var"
    shutil.copytree(prepared_data_dir, data)
    server = Server(data, tmp / "server.log").start().wait_ready()
    yield server
    server.stop()


def test_the_servers_own_log_holds_no_personal_number(live):
    shared = Shared(live.data_dir)
    known = {"110105194912310021", "13912345678", "6222021234567890128", "1391234567", "6222021234567890127"}
    with httpx.Client(base_url=live.url, timeout=60, trust_env=False) as c:
        c.post("/v1/answer", json={"question": "我的身份证号110105194912310021，手机13912345678，退休要多久"})
        me, d = ready_draft(c, [""], shared, shared.scenario("newborn"))
        for key, value in (("contact_phone", "1391234567"), ("bank_account", "6222021234567890127"),
                           ("contact_phone", "13912345678")):
            c.put(f"/v1/prefill/drafts/{d}/fields/{key}", json={"value": value}, headers=me)
        c.post(f"/v1/prefill/drafts/{d}/confirm", headers=me)
        c.post(f"/v1/prefill/drafts/{d}/submit", headers=me)
        # Personal numbers in paths and query strings reach uvicorn's access log.
        for path in ("/v1/prefill/drafts/110105194912310021", "/v1/prefill/submissions/13912345678",
                     "/v1/one-things/6222021234567890128", "/v1/prefill/me/access-log?limit=13912345678"):
            assert 400 <= c.get(path, headers=me).status_code < 500
        staff = staff_login(c, "")
        c.get("/v1/prefill/submissions/YJS-20260101-AAAAAA/payload", params={"department": "110105194912310021"},
              headers=staff)
        cid = c.get("/v1/staff/conversations", headers=staff).json()[0]["id"]  # staff never see the session id
        c.post(f"/v1/staff/conversations/{cid}/take-over", headers=staff)
        c.post(f"/v1/staff/conversations/{cid}/reply", json={"text": "请拨13912345678"}, headers=staff)
        c.post("/v1/answer", content=b'{"question": "\\ud800 110105194912310021"}',
               headers={"content-type": "application/json"})
    log = live.log()
    assert '"GET /v1/prefill/drafts/110105********0021 HTTP/1.1" 4' in log, "access log lines are there, masked"
    assert find_pii(log, known) == [], [ln for ln in log.splitlines() if find_pii(ln, known)][:5]


def test_load_script_bounded_with_no_errors(live):
    r = subprocess.run([sys.executable, "scripts/load_test.py", "--url", live.url, "--sessions", "4", "--seconds", "6",
                        "--max-requests", "400", "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["errors"] == 0 and 0 < out["requests"] <= 400 and out["seconds"] < 40
    assert {"answer", "prefill_read", "prefill_write", "prefill_login"} <= set(out["by_kind"])
    assert out["p95_ms"] > 0 and out["rps"] > 0


def test_load_and_soak_scripts_refuse_anything_but_loopback(live):
    for script in ("scripts/load_test.py", "scripts/soak_test.py"):
        for url in ("http://10.0.0.1:8000", "http://example.com", "http://127.0.0.1.example.com:80"):
            r = subprocess.run([sys.executable, script, "--url", url, "--sessions", "1", "--max-requests", "1"],
                               cwd=REPO, capture_output=True, text=True, timeout=60)
            assert r.returncode != 0 and "loopback" in r.stderr, (script, url, r.stderr[-500:])


def test_soak_script_reports_windows_and_server_memory(live):
    r = subprocess.run([sys.executable, "scripts/soak_test.py", "--url", live.url, "--pid", str(live.proc.pid),
                        "--minutes", "0.1", "--window", "3", "--sessions", "2", "--max-requests", "300"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["windows"] >= 1 and out["errors"] == 0
    assert out["per_window"][0]["rss_mb"] > 50 and out["per_window"][0]["fds"] > 0
    assert "rss_mb" in out["drift"]
    with httpx.Client(timeout=10, trust_env=False) as c:
        assert c.get(live.url + "/healthz").json()["status"] == "ok"
