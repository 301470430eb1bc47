"""Fixtures shared by the web-UI tests: the pre-fill service, the UI's services around it (fast stack), and the
citizen and staff UIs built on them (a module may override `ui`, as test_ui_staff and test_ui_citizen do)."""

from __future__ import annotations

import gradio as gr
import pytest

from app.ratelimit import RateLimiter
from app.services import Services
from core.identity import StaffDirectory, TokenSigner
from prefill.service import build_prefill_service
from ui.citizen import CitizenUI
from ui.staff import StaffUI


@pytest.fixture
def svc(settings):
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
