"""Mount the Gradio UI (ui/web.py) on the FastAPI app: the citizens' page at ``/ui``, the staff desk at
``/ui/staff`` (mounted first, so the citizens' app never sees its paths), and redirect ``/`` to ``/ui/``."""

from __future__ import annotations

import logging

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app.services import Services
from ui.web import CSS_PATH, HEAD, STAFF_PATH, UI_PATH, build_blocks, build_staff_blocks, theme

log = logging.getLogger(__name__)


def mount_web_ui(app: FastAPI, services: Services) -> None:
    """One process and one port serve the API and the UI (called by create_app)."""
    options = dict(theme=theme(), css_paths=[CSS_PATH], head=HEAD, footer_links=[], run_history=False, ssr_mode=False,
                   mcp_server=False, pwa=False, max_file_size="1mb", show_error=False)
    gr.mount_gradio_app(app, build_staff_blocks(services), path=STAFF_PATH, **options)
    gr.mount_gradio_app(app, build_blocks(services), path=UI_PATH, **options)

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse(url=f"{UI_PATH}/", status_code=307)

    log.info("web UI mounted at %s/, staff desk at %s/ (environment %s)", UI_PATH, STAFF_PATH,
             services.settings.environment)
