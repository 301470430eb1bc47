"""Fixtures for the reliability tests: a prepared data dir and real server processes.

A data dir is prepared once per session (guide index built by `python -m assistant ingest` with the
hash embedder, the fast tier's decision model checked by `python -m assistant train --if-missing`, shared
data seeded by `python -m prefill seed`) and copied for each test, so every test starts from the same
state without paying for ingestion again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from procs import Server, run_cli, server_env

from core.settings import Settings


@pytest.fixture(scope="session")
def prepared_data_dir(run_dir, fast_stack) -> Path:
    """A data dir with the guide index (hash embedder, chroma on disk) and seeded shared data.

    Prepared once per run: under xdist the first worker to need it prepares it and the other waits for the
    lock; tests only ever read it (each works on a copy). The decision model is the fast tier's, trained on
    the same catalogue with the same embedder (`train --if-missing` checks it and keeps it): training a
    third copy through the CLI was a minute and a half of CPU."""
    from filelock import FileLock

    root = run_dir / "reliability-prepared"
    data = root / "var"
    with FileLock(str(root) + ".lock"):
        if not (root / "ready").exists():
            shutil.rmtree(root, ignore_errors=True)  # what a failed attempt left
            env = server_env(data)
            model = Settings(data_dir=data, embedder="hash").resolved_decision_model_path
            model.parent.mkdir(parents=True)
            shutil.copy(fast_stack[0].resolved_decision_model_path, model)
            # The last step builds the search index once, so every server started on a copy reads the
            # segmentations it leaves in the data dir's cache instead of running jieba over every chunk.
            warm = "from app.pipeline import build_knowledge; from core.settings import get_settings; " \
                   "build_knowledge(get_settings()).warm_up()"
            for args in (["-m", "assistant", "ingest", "-q"], ["-m", "assistant", "train", "--if-missing"],
                         ["-m", "prefill", "seed"], ["-c", warm]):
                r = run_cli(args, env)
                assert r.returncode == 0, r.stderr
            (root / "ready").touch()
    return data


@pytest.fixture
def data_dir(prepared_data_dir, tmp_path) -> Path:
    """A private copy of the prepared data dir for one test."""
    dst = tmp_path / "var"
    shutil.copytree(prepared_data_dir, dst)
    return dst


@pytest.fixture
def servers(tmp_path):
    """Start servers with `servers(data_dir, n)`; every one still running is stopped at teardown."""
    started: list[Server] = []

    def start(data_dir: Path, n: int = 1, *, together: bool = False, **env: str) -> list[Server]:
        """`together`: start all at once (like `serve --workers N`); else one after the other is ready."""
        new = [Server(data_dir, tmp_path / f"server{len(started) + i}.log", **env) for i in range(n)]
        started.extend(new)
        if together:
            for s in new:
                s.start()
            return [s.wait_ready() for s in new]
        return [s.start().wait_ready() for s in new]

    yield start
    for s in started:
        s.stop()
