"""Helpers for the security tests (a module of its own: test modules cannot import from conftest
reliably when several conftest.py files are on the path)."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.config
import sys
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
from httpflow import find_pii  # noqa: E402,F401 - shared with the reliability tests

SECRET = "security-tests-" + "k" * 40
PEOPLE, ENTERPRISES = 160, 36


def bearer(client: TestClient, kind: str, subject: str, via: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.app.state.services.signer.issue(kind, subject, via_staff=via)}"}


@contextlib.contextmanager
def server_logging(level: int = logging.DEBUG):
    """The logging the server runs with (`python -m assistant -v serve`: uvicorn's config plus the PII
    filters), writing to a buffer, at `level` — SQL echo included. Restores the previous setup afterwards."""
    from app.cli import uvicorn_log_config

    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy.engine"]
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
             for n in names}
    buf = io.StringIO()
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = buf
    try:
        logging.config.dictConfig(uvicorn_log_config(verbose=True))
    finally:
        sys.stdout, sys.stderr = old_out, old_err
    logging.getLogger().setLevel(level)
    # SQLAlchemy keeps its own loggers at WARNING; an operator debugging at DEBUG turns SQL echo on
    # too, and then statements, bound parameters and rows (raw ID numbers) reach the handlers.
    logging.getLogger("sqlalchemy.engine").setLevel(level)
    try:
        yield buf
    finally:
        for n, (handlers, lvl, propagate) in saved.items():
            lg = logging.getLogger(n)
            lg.handlers[:] = handlers
            lg.setLevel(lvl)
            lg.propagate = propagate
