"""Fixtures shared by the web-UI tests: the pre-fill service, the UI's services around it (fast stack), and the
citizen and staff UIs built on them (a module may override `ui`, as test_ui_staff and test_ui_citizen do)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import gradio as gr
import pytest

from app.ratelimit import RateLimiter
from app.services import Services
from core.identity import StaffDirectory, TokenSigner
from core.settings import Settings
from prefill.service import build_prefill_service
from ui.citizen import CitizenUI
from ui.staff import StaffUI


@pytest.fixture(scope="session")
def seeded_shared_data(tmp_path_factory) -> Path:
    """The synthetic registries, seeded once per session (about 5 s a time, which every UI test paid)."""
    s = Settings(data_dir=tmp_path_factory.mktemp("ui-shared") / "var", embedder="hash")
    build_prefill_service(s).demo_people()  # seeds the empty shared-data database
    return s.data_dir / "shared_data.db"


@pytest.fixture
def svc(settings, seeded_shared_data):
    """The pre-fill service as `make run` builds it, on the test's own copy of the seeded registries."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(seeded_shared_data)) as src, \
            closing(sqlite3.connect(settings.data_dir / "shared_data.db")) as dst:
        src.backup(dst)  # consistent whatever is still in the source's write-ahead log
    return build_prefill_service(settings)


@pytest.fixture
def app(svc, settings, fast_assistant):
    """The services the web UI is built on, with the demo clerk and a fixed signing secret."""
    services = Services.from_settings(settings, assistant=fast_assistant, prefill=svc)
    services.staff_directory = StaffDirectory({}, allow_demo=True)
    services.signer = TokenSigner("test-secret")
    services.login_limiter = RateLimiter(60)
    return services


@pytest.fixture
def ui(app):
    with gr.Blocks():
        yield CitizenUI(app)


@pytest.fixture
def staff_ui(app):
    with gr.Blocks():
        yield StaffUI(app)
