"""The web UI: two Gradio Blocks apps mounted on the FastAPI app, so one process and one port serve
the API and the UI: the citizens' page (办事咨询) and, at its own path, the staff desk (窗口工作台).

URL layout: the citizens' UI lives at ``/ui/`` and ``/`` redirects there, so ``make run`` →
http://127.0.0.1:8000 opens it while ``/v1/*``, ``/docs``, ``/openapi.json`` and ``/healthz`` stay
plain FastAPI routes (and unknown paths keep the API's JSON 404). The staff desk is served only at
``/ui/staff/`` (a proxy can restrict that path to the hall's network); citizens never see it. The old
``/ui/?mode=staff`` link forwards there.

No model is loaded here: callbacks read ``services.assistant`` / ``services.prefill`` at call time.
The citizen's identity comes from one function, `ui.identity.current_citizen` (the demo sign-in
today; a deployment's single sign-on goes there).
The app's security-header middleware wraps the mounted UI too; Gradio's run history (which would
keep conversations in the browser's storage), its API page and its MCP server are switched off, and
unexpected exceptions show a generic error (only `gr.Error` messages reach the page).
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from ui.services import UIServices

log = logging.getLogger(__name__)

UI_PATH = "/ui"
STAFF_PATH = "/ui/staff"  # mounted before UI_PATH, so its requests never reach the citizens' app
CSS_PATH = Path(__file__).with_name("theme.css")
# System fonts only: nothing is fetched from a font CDN (air-gapped intranets), CJK faces first.
FONTS = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
         "WenQuanYi Micro Hei", "system-ui", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
HEAD = '<meta name="robots" content="noindex"><meta name="color-scheme" content="light">'


# The old staff link (/ui/?mode=staff) forwards to the staff desk's own path.
STAFF_LINK_JS = """() => {
  if (new URLSearchParams(location.search).get('mode') === 'staff') {
    location.replace(new URL('staff/', location.origin + location.pathname.replace(/\\/?$/, '/')));
  }
  document.documentElement.lang = 'zh-Hans';
}"""


def build_blocks(services: UIServices):
    """The citizens' Blocks app over the running app's services (no staff desk in it)."""
    from ui.citizen import PAGE_JS, CitizenUI
    from ui.i18n import t

    with gr.Blocks(title=t("title"), analytics_enabled=False) as demo:
        citizen = CitizenUI(services)
        demo.load(citizen.account.load_choices, [citizen.state], [citizen.account.id_pick], api_visibility="private")
        demo.load(None, None, None, js=STAFF_LINK_JS)
        demo.load(None, None, None, js=PAGE_JS)
    return demo


def build_staff_blocks(services: UIServices):
    """The staff desk's Blocks app (served only at STAFF_PATH)."""
    from ui.i18n import t
    from ui.staff import StaffUI

    with gr.Blocks(title=f"{t('title')} · {t('tab_staff')}", analytics_enabled=False) as demo:
        gr.Markdown(f"## {t('title')} · {t('tab_staff')}", elem_id="yjs-staff-heading")
        StaffUI(services)
        demo.load(None, None, None, js="() => { document.documentElement.lang = 'zh-Hans'; }")
    return demo


def theme():
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=FONTS, font_mono=MONO_FONTS)
