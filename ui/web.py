"""The web UI: one Gradio Blocks app with two tabs (办事咨询 for citizens, 窗口工作台 for staff),
mounted on the FastAPI app so one process and one port serve the API and the UI.

URL layout: the UI lives at ``/ui/`` and ``/`` redirects there, so ``make run`` →
http://127.0.0.1:8000 opens it while ``/v1/*``, ``/docs``, ``/openapi.json`` and ``/healthz`` stay
plain FastAPI routes (and unknown paths keep the API's JSON 404). ``/ui/?mode=staff`` opens the
staff tab directly.

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
CSS_PATH = Path(__file__).with_name("theme.css")
# System fonts only: nothing is fetched from a font CDN (air-gapped intranets), CJK faces first.
FONTS = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
         "WenQuanYi Micro Hei", "system-ui", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
HEAD = '<meta name="robots" content="noindex"><meta name="color-scheme" content="light">'


def build_blocks(services: UIServices):
    """The Blocks app (citizen and staff tabs) over the running app's services."""
    from ui.citizen import CitizenUI
    from ui.i18n import t
    from ui.staff import StaffUI

    with gr.Blocks(title=t("title"), analytics_enabled=False) as demo:
        with gr.Tabs(elem_id="yjs-tabs") as tabs:
            with gr.Tab(t("tab_citizen"), id="citizen", elem_id="yjs-tab-citizen") as citizen_tab:
                citizen = CitizenUI(services)
            with gr.Tab(t("tab_staff"), id="staff", elem_id="yjs-tab-staff") as staff_tab:
                StaffUI(services)
        citizen.lang_radio.change(
            lambda lang: (gr.update(label=t("tab_citizen", lang)), gr.update(label=t("tab_staff", lang))),
            [citizen.lang_radio], [citizen_tab, staff_tab], api_visibility="private")
        demo.load(_initial_tab, None, [tabs], api_visibility="private")
        demo.load(citizen.account.load_choices, [citizen.state], [citizen.account.id_pick], api_visibility="private")
        demo.load(None, None, None, js="() => { document.documentElement.lang = 'zh-Hans'; }")
    return demo


def _initial_tab(request: gr.Request):
    """``?mode=staff`` opens the staff desk tab."""
    mode = request.query_params.get("mode") if request is not None else None
    return gr.Tabs(selected="staff") if mode == "staff" else gr.skip()


def theme():
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=FONTS, font_mono=MONO_FONTS)
