"""kill -9 in the middle of work: no acknowledged write is lost, the audit chain verifies, the index
is repaired by the next ingest.

The server runs as its own process (`python -m assistant serve`); the kill is SIGKILL, so no
shutdown code runs — as with a power cut, the OOM killer or a crashed container.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from httpflow import Shared, ready_draft, staff_login
from procs import REPO, run_cli, server_env
from sqlalchemy import func, select

from prefill.audit import AuditLog
from prefill.store import AuditRow, DraftRow, EditRow, StateDB, StatusRow, SubmissionRow

pytestmark = pytest.mark.integration

ONE_THINGS = ["retirement", "social_security_card", "elderly_welfare", "newborn", "flexible_employment",
              "hukou_migration", "cross_region_medical", "disability_services", "start_business", "after_death"]


def _state(data_dir: Path) -> StateDB:
    return StateDB(f"sqlite:///{(data_dir / 'state.db').as_posix()}")


def test_kill9_around_confirm_and_submit_loses_nothing_acknowledged(data_dir, servers):
    (srv,) = servers(data_dir)
    shared = Shared(data_dir)
    with httpx.Client(timeout=60, trust_env=False) as c:
        ready = [ready_draft(c, [srv.url], shared, shared.scenario(ot)) for ot in ONE_THINGS]
        # Two drafts stay open and take a stream of edits (ID, phone and bank fields) while we kill.
        open_drafts = [ready_draft(c, [srv.url], shared, shared.scenario(ot, 1)) for ot in ("retirement", "newborn")]
        editable = []
        for me, d in open_drafts:
            fields = c.get(srv.url + f"/v1/prefill/drafts/{d}", headers=me).json()["fields"]
            editable.append(next(f["key"] for f in fields if f["type"] == "phone" and f["editable"]))

    acked: dict[str, list] = {"confirm": [], "submit": [], "edit": []}
    stop = threading.Event()

    def confirm_and_submit(me: dict, d: str) -> None:
        with httpx.Client(timeout=30, trust_env=False) as c:
            try:
                if c.post(srv.url + f"/v1/prefill/drafts/{d}/confirm", headers=me).status_code == 200:
                    acked["confirm"].append(d)
                r = c.post(srv.url + f"/v1/prefill/drafts/{d}/submit", headers=me)
                if r.status_code == 200:
                    acked["submit"].append((d, r.json()["tracking_no"]))
            except httpx.HTTPError:
                pass  # the server died under this request: not acknowledged

    def edit_storm(n: int) -> None:
        (me, d), key = open_drafts[n], editable[n]
        i = 0
        with httpx.Client(timeout=30, trust_env=False) as c:
            while not stop.is_set():
                value = f"13{n}{i:08d}"
                try:
                    if c.put(srv.url + f"/v1/prefill/drafts/{d}/fields/{key}", json={"value": value},
                             headers=me).status_code == 200:
                        acked["edit"].append((d, key, value))
                except httpx.HTTPError:
                    return
                i += 1

    storms = [threading.Thread(target=edit_storm, args=(n,)) for n in range(2)]
    for t in storms:
        t.start()
    workers = []
    for n, (me, d) in enumerate(ready):
        workers.append(threading.Thread(target=confirm_and_submit, args=(me, d)))
        workers[-1].start()
        if n == len(ready) // 2:
            # Kill once about half of the submissions and some edits have been acknowledged: the rest are in
            # flight. (Waiting for submissions alone, a busy host once killed before any edit had landed.)
            deadline = time.monotonic() + 30
            while (len(acked["submit"]) < 3 or not acked["edit"]) and time.monotonic() < deadline:
                time.sleep(0.005)
            srv.kill9()
    stop.set()
    for t in [*storms, *workers]:
        t.join(timeout=60)
    assert srv.proc.returncode == -signal.SIGKILL
    assert acked["submit"] and acked["edit"], acked

    # On disk, right after the crash (SQLite replays its WAL on open).
    db = _state(data_dir)
    with db.session() as s:
        for d in acked["confirm"]:
            assert s.get(DraftRow, d).status in ("confirmed", "submitted")
        for d, tracking in acked["submit"]:
            row = s.get(DraftRow, d)
            assert row.status == "submitted" and row.tracking_no == tracking
            assert s.get(SubmissionRow, tracking).draft_id == d
            assert s.scalar(select(func.count()).select_from(StatusRow).where(StatusRow.tracking_no == tracking)) >= 2
        for d, key, value in acked["edit"]:
            assert s.scalar(select(func.count()).select_from(EditRow).where(
                EditRow.draft_id == d, EditRow.key == key)) > 0
            assert any(e.new.get("value") == value for e in s.scalars(select(EditRow).where(EditRow.draft_id == d)))
        # Nothing half-done: a draft is submitted exactly when its submission exists, and every
        # confirmation, submission and edit has its audit entry (they commit in one transaction).
        for row in s.scalars(select(DraftRow)):
            sub = s.scalars(select(SubmissionRow).where(SubmissionRow.draft_id == row.id)).first()
            assert (row.status == "submitted") == (sub is not None), row.id
            actions = [a for (a,) in s.execute(select(AuditRow.action).where(AuditRow.draft_id == row.id))]
            if row.status in ("confirmed", "submitted"):
                assert "confirm" in actions
            if row.status == "submitted":
                assert "submit" in actions
            edits = s.scalar(select(func.count()).select_from(EditRow).where(EditRow.draft_id == row.id))
            assert actions.count("edit") == edits, row.id
    report = AuditLog(db).verify_chain()
    assert report.ok, report
    db.engine.dispose()

    # A new server on the same files carries on: every acknowledged state is served, the rest can finish.
    (again,) = servers(data_dir)
    with httpx.Client(timeout=60, trust_env=False) as c:
        for d, tracking in acked["submit"]:
            me = next(m for m, dd in ready if dd == d)
            assert c.get(again.url + f"/v1/prefill/submissions/{tracking}", headers=me).status_code == 200
        for me, d in ready:
            status = c.get(again.url + f"/v1/prefill/drafts/{d}", headers=me).json()["status"]
            if status == "open":
                assert c.post(again.url + f"/v1/prefill/drafts/{d}/confirm", headers=me).status_code == 200
                status = "confirmed"
            if status == "confirmed":
                assert c.post(again.url + f"/v1/prefill/drafts/{d}/submit", headers=me).status_code == 200
        verify = c.get(again.url + "/v1/prefill/audit/verify", headers=staff_login(c, again.url)).json()
    assert verify["ok"] and verify["entries"] > report.entries


# --- ingestion -----------------------------------------------------------------------------------
CHECK_INDEX = """
import json, sys
from pathlib import Path
from core.settings import Settings
from app.pipeline import build_knowledge, build_store
from knowledge.ingest import collect_documents, complete_doc_hashes, ingest_fingerprint

s = Settings(data_dir=Path(sys.argv[1]), embedder="hash")
docs = collect_documents(s.guides_dir, [Path(sys.argv[2])])
store = build_store(s)
store.warm_up()
if len(sys.argv) > 3:  # emulate a torn write: one chunk of this document is gone
    col = store._c()
    col.delete(ids=col.get(where={"doc_id": sys.argv[3]}, include=[])["ids"][:1])
have = complete_doc_hashes(store.all_records())
kb = build_knowledge(s, store=store)
kb.warm_up()
unretrievable = [o.id for o in kb.catalog
                 if not kb.retriever.run(o.name, where={"one_thing_id": o.id}).passages]
print(json.dumps({"docs": len(docs), "complete": sum(1 for d in docs if have.get(d.doc_id) == ingest_fingerprint(d)),
                  "incomplete": sorted(k for k, v in have.items() if v == "incomplete"),
                  "stale": sorted(k for k in have if k not in {d.doc_id for d in docs}),
                  "guides": len(kb.catalog), "unretrievable": unretrievable}))
"""

def _write_office(folder: Path, n: int, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        steps = "".join(f"- 材料{j}：身份证明第{j}项，复印件{version}份。\n" for j in range(6))
        (folder / f"guide{i:04d}.md").write_text(
            f"# 本区办事指南第{i}号（第{version}版）\n\n## 办理地点\n\n示例区政务服务中心{i % 9 + 1}楼{i}号窗口。\n\n"
            f"## 所需材料\n\n{steps}\n## 办理时限\n\n{i % 20 + 1}个工作日内办结。\n", encoding="utf-8")


def _ingest_and_kill(env: dict, office: Path, at_docs: int) -> tuple[int, int]:
    """Run `python -m assistant ingest office` and SIGKILL it once its progress bar passes `at_docs`."""
    p = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(office)], cwd=REPO, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    seen, total, buf = 0, 0, b""
    try:
        while True:
            chunk = os.read(p.stderr.fileno(), 4096)
            if not chunk:
                break
            buf = buf[-200:] + chunk
            progress = re.findall(rb"(\d+)/(\d+) \[", buf)
            if progress:
                seen, total = int(progress[-1][0]), int(progress[-1][1])
                if seen >= at_docs:
                    os.kill(p.pid, signal.SIGKILL)
                    break
    finally:
        p.wait(timeout=60)
        p.stderr.close()
    assert p.returncode == -signal.SIGKILL, f"ingest finished before the kill ({seen}/{total})"
    return seen, total


def _check(env: dict, data_dir: Path, office: Path, tear: str | None = None) -> dict:
    """The index as a fresh process sees it; `tear` first deletes one chunk of that document."""
    r = run_cli(["-c", CHECK_INDEX, str(data_dir), str(office), *([tear] if tear else [])], env)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


OFFICE_DOCS = 200  # enough to kill an ingest well inside it; every document costs each re-ingest and check


def test_kill9_mid_ingest_then_reingest_repairs_the_index(data_dir, tmp_path):
    env = server_env(data_dir)
    office = tmp_path / "office"
    _write_office(office, OFFICE_DOCS, version=1)

    # 1. A first ingest of the office's folder, killed part-way.
    seen, total = _ingest_and_kill(env, office, at_docs=75)
    assert 0 < seen < total
    # 2. On top of that, a torn write (one chunk of a guide gone) is detected as incomplete.
    killed = _check(env, data_dir, office, tear="guide:newborn")
    assert killed["complete"] < killed["docs"], "the kill left documents to repair"
    assert killed["incomplete"] == ["guide:newborn"]

    r = run_cli(["-m", "assistant", "ingest", "-q", str(office)], env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert re.search(r"updated [1-9]", r.stdout), r.stdout  # at least the torn guide was re-embedded
    fixed = _check(env, data_dir, office)
    assert fixed["complete"] == fixed["docs"] == 27 + OFFICE_DOCS and not fixed["incomplete"] and not fixed["stale"]
    assert fixed["unretrievable"] == []

    # 3. An update of every office document, killed part-way (old chunks are removed before new ones land).
    _write_office(office, OFFICE_DOCS, version=2)
    _ingest_and_kill(env, office, at_docs=27 + 30)
    cut_off = _check(env, data_dir, office)
    to_repair = cut_off["docs"] - cut_off["complete"]
    assert to_repair > 0, "the kill left documents to repair"
    r = run_cli(["-m", "assistant", "ingest", "-q", str(office)], env)
    assert r.returncode == 0, r.stderr[-2000:]
    # Exactly the documents the kill cut off are re-embedded. (Their number depends on how far the ingest got
    # before the kill landed: the progress bar is throttled, and on a fast host 129 of 200 were done at "77".)
    done = re.search(r"added (\d+), updated (\d+)", r.stdout)
    assert done and int(done[1]) + int(done[2]) == to_repair, (r.stdout, cut_off)
    final = _check(env, data_dir, office)
    assert final["complete"] == final["docs"] and not final["incomplete"] and not final["stale"]
    assert final["unretrievable"] == []
