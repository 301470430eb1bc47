"""Mount the Gradio UI (ui/web.py) on the FastAPI app at ``/ui`` and redirect ``/`` to it."""

from __future__ import annotations

import logging

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app.services import Services
from ui.web import CSS_PATH, HEAD, UI_PATH, build_blocks, theme

log = logging.getLogger(__name__)


def mount_web_ui(app: FastAPI, services: Services) -> None:
    """One process and one port serve the API and the UI (called by create_app)."""
    demo = build_blocks(services)
    gr.mount_gradio_app(app, demo, path=UI_PATH, theme=theme(), css_paths=[CSS_PATH], head=HEAD,
                        footer_links=[], run_history=False, ssr_mode=False, mcp_server=False, pwa=False,
                        max_file_size="1mb", show_error=False)

    @app.get("/", include_in_schema=False)
    async def _root() -> RedirectResponse:
        return RedirectResponse(url=f"{UI_PATH}/", status_code=307)

    log.info("web UI mounted at %s/ (environment %s)", UI_PATH, services.settings.environment)
