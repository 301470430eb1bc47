"""A dependency down → a clear 503 with a message (never a stack trace), and the rest keeps working.

- the vector store (chroma) unreachable at start-up, or going away while serving and coming back;
- the shared-data database (人口库, 电子证照库 …) unreadable while serving, and back;
- the state database unopenable at start-up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from procs import free_port

from app.main import create_app
from core.settings import Settings
from prefill.service import PrefillService

SECRET = "reliability-" + "s" * 32


def _svc(tmp: Path) -> PrefillService:
    svc = PrefillService(shared_data_url=f"sqlite:///{(tmp / 'shared.db').as_posix()}",
                         state_url=f"sqlite:///{(tmp / 'state.db').as_posix()}", secret=SECRET,
                         seed_people=160, seed_enterprises=36)
    svc.warm_up()
    return svc


def _is_clear_503(r: httpx.Response) -> str:
    assert r.status_code == 503, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert err["code"] == "service_unavailable" and len(err["message"]) > 20
    assert "Traceback" not in r.text and 'File "' not in r.text
    return err["message"]


def _prefill_works(c: TestClient, svc: PrefillService) -> None:
    from prefill.seed import scenarios_from_meta

    sc = next(s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "retirement")
    r = c.post("/v1/prefill/demo-login", json={"person_id": sc.applicant_id})
    me = {"Authorization": f"Bearer {r.json()['token']}"}
    d = c.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=me).json()["draft_id"]
    assert c.post(f"/v1/prefill/drafts/{d}/consent/grant-all", headers=me).status_code == 200
    r = c.post(f"/v1/prefill/drafts/{d}/prefill", headers=me)
    assert r.status_code == 200 and r.json()["prefill_rate"] > 0.5, r.text[:300]


ANSWER_CALLS = [
    ("post", "/v1/answer", {"question": "退休一件事要多久"}),
    ("post", "/v1/answer/stream", {"question": "退休一件事要多久"}),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": "退休一件事要多久"}]}),
    ("post", "/v1/feedback", {"rating": "好评", "session_id": "abc"}),
    ("get", "/v1/sources/guide:newborn%23overview", None),
]


def test_chroma_unreachable_at_start_is_503_while_health_catalogue_and_prefill_work(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000, secret_key=SECRET,
                        chroma_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    svc = _svc(tmp_path)
    with TestClient(create_app(settings, prefill=svc, mount_ui=False)) as c:
        health = c.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "degraded", "answer": False, "prefill": True}
        for method, path, body in ANSWER_CALLS:
            r = getattr(c, method)(path, **({"json": body} if body else {}))
            assert "not ready" in _is_clear_503(r), path
        catalogue = c.get("/v1/one-things")
        assert catalogue.status_code == 200 and len(catalogue.json()) == 27
        assert c.get("/v1/one-things/newborn").json()["id"] == "newborn"
        _prefill_works(c, svc)


def test_state_database_unopenable_at_start_is_503_and_the_process_stays_up(tmp_path, seed_fast_model):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be")
    settings = Settings(data_dir=tmp_path / "var", embedder="hash", secret_key=SECRET,
                        database_url=f"sqlite:///{(blocker / 'state.db').as_posix()}")
    seed_fast_model(settings)  # the app starts as it would on a deployed data dir, without training first
    with TestClient(create_app(settings, mount_ui=False)) as c:
        assert c.get("/healthz").json() == {"status": "degraded", "answer": False, "prefill": False}
        _is_clear_503(c.post("/v1/answer", json={"question": "退休一件事要多久"}))
        assert "YJS_DATABASE_URL" in _is_clear_503(c.get("/v1/prefill/forms"))
        assert c.get("/v1/one-things").status_code == 200


def test_shared_data_db_breaking_while_serving_is_503_then_recovers(tmp_path, fast_assistant):
    svc = _svc(tmp_path)
    settings = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000, secret_key=SECRET)
    shared_file = tmp_path / "shared.db"
    with TestClient(create_app(settings, assistant=fast_assistant, prefill=svc, mount_ui=False)) as c:
        from prefill.seed import scenarios_from_meta

        sc = next(s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "retirement")
        me = {"Authorization": f"Bearer {c.app.state.services.signer.issue('citizen', sc.applicant_id)}"}
        d = c.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=me).json()["draft_id"]
        c.post(f"/v1/prefill/drafts/{d}/consent/grant-all", headers=me)

        # The file is replaced by junk (a bad restore, a full disk): new connections cannot read it.
        backup = tmp_path / "shared.backup"
        svc.shared.engine.dispose()
        shutil.copy(shared_file, backup)
        shared_file.write_bytes(b"this is not an SQLite database" * 100)
        for extra in ("-wal", "-shm"):
            Path(str(shared_file) + extra).unlink(missing_ok=True)
        message = _is_clear_503(c.post(f"/v1/prefill/drafts/{d}/prefill", headers=me))
        assert "YJS_SHARED_DATA_URL" in message and "manual entry" in message
        log = c.get("/v1/prefill/me/access-log", headers=me).json()
        assert not any(e["action"] == "read" for e in log), "a failed read is not logged as a read"
        # Everything that does not need the shared data keeps working.
        assert c.put(f"/v1/prefill/drafts/{d}/fields/retirement_type", json={"value": "正常退休"},
                     headers=me).status_code == 200
        assert c.get(f"/v1/prefill/drafts/{d}/review", headers=me).status_code == 200
        assert c.post("/v1/answer", json={"question": "退休一件事要多久"}).status_code == 200
        assert c.get("/healthz").json()["status"] == "ok"

        svc.shared.engine.dispose()
        shutil.copy(backup, shared_file)
        r = c.post(f"/v1/prefill/drafts/{d}/prefill", headers=me)
        assert r.status_code == 200 and r.json()["prefilled"], r.text[:300]


# --- chroma in client/server mode, stopped and restarted under a running app -----------------------
def _chroma(path: Path, port: int, log: Path) -> subprocess.Popen:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    with log.open("ab") as fh:
        proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1, trust_env=False).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma server did not start: " + log.read_text(errors="replace")[-2000:])


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("chroma", path=str(Path(sys.executable).parent)) is None,
                    reason="the chroma CLI of the chromadb package is not installed")
def test_chroma_server_going_away_while_serving_is_503_and_answers_come_back(tmp_path, seed_fast_model):
    from app.pipeline import ingest

    port = free_port()
    chroma = _chroma(tmp_path / "chroma", port, tmp_path / "chroma.log")
    try:
        settings = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=10000,
                            secret_key=SECRET, chroma_url=f"http://127.0.0.1:{port}")
        ingest(settings, progress=False)
        seed_fast_model(settings)  # as on a deployed data dir: the app loads its model instead of training one
        svc = _svc(tmp_path)
        with TestClient(create_app(settings, prefill=svc, mount_ui=False)) as c:
            assert c.post("/v1/answer", json={"question": "退休一件事要多久"}).status_code == 200

            os.kill(chroma.pid, signal.SIGKILL)
            chroma.wait(timeout=30)
            message = _is_clear_503(c.post("/v1/answer", json={"question": "新生儿出生一件事要什么材料"}))
            assert "vector store" in message and f"127.0.0.1:{port}" in message
            assert c.get("/healthz").status_code == 200
            assert len(c.get("/v1/one-things").json()) == 27
            _prefill_works(c, svc)

            chroma = _chroma(tmp_path / "chroma", port, tmp_path / "chroma.log")
            r = c.post("/v1/answer", json={"question": "新生儿出生一件事要什么材料"})
            assert r.status_code == 200 and r.json()["one_thing"]["id"] == "newborn"
    finally:
        if chroma.poll() is None:
            os.kill(chroma.pid, signal.SIGTERM)
            chroma.wait(timeout=30)
