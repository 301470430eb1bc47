"""Fixtures for the security tests: an app with the answer pipeline (fast tier) and the pre-fill
service on seeded synthetic people, tokens, and a scanner for unmasked personal numbers.

The pre-fill flow helpers live with the reliability tests (tests/reliability/httpflow.py), which
drive the same API over real sockets; they are imported from there rather than copied.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sectools import ENTERPRISES, PEOPLE, SECRET

from core.settings import Settings
from prefill.service import PrefillService


@pytest.fixture(scope="session")
def shared_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("security-shared") / "shared.db"
    url = f"sqlite:///{path.as_posix()}"
    PrefillService(shared_data_url=url, state_url=f"sqlite:///{(path.parent / 'seed_state.db').as_posix()}",
                   secret=SECRET, seed_people=PEOPLE, seed_enterprises=ENTERPRISES).warm_up()
    return url


@pytest.fixture
def svc(shared_url, tmp_path) -> PrefillService:
    s = PrefillService(shared_data_url=shared_url, state_url=f"sqlite:///{(tmp_path / 'state.db').as_posix()}",
                       secret=SECRET, seed_people=PEOPLE, seed_enterprises=ENTERPRISES)
    s.warm_up()
    return s


@pytest.fixture
def app_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=100000, secret_key=SECRET)


@pytest.fixture
def client(fast_stack, svc, app_settings):
    """The whole API (answers, help desk, pre-fill) in process; the answer pipeline on the fast stack."""
    from app.main import create_app
    from app.pipeline import build_assistant

    _, kb = fast_stack
    bot = build_assistant(app_settings, knowledge=kb)
    bot.warm_up()
    with TestClient(create_app(app_settings, assistant=bot, prefill=svc, mount_ui=False)) as c:
        yield c


@pytest.fixture
def shared(shared_url):
    from httpflow import Shared

    return Shared(shared_url)
