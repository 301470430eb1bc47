"""The 一键办理 flow as Gradio components: consent → pre-filled merged form → review → confirm and submit
→ tracking number, documents and 好差评. Shown as a stepper of short steps that fit a phone (授权 → 核对 →
确认 → 提交): the form a page per section, consent and review a line per source or group that opens, each
step's actions in a bar at the bottom of the screen.

`PrefillFlow` is used twice: in the citizen page (the "一键办理" button of the side panel) and in the
staff desk's 帮办代办 tab, where the principal is the citizen with ``via_staff`` set (the clerk acting
under the citizen's consent code). All business rules are the pre-fill service's
(`services.prefill`, read at call time); this module calls it, turns its views into screen specs
with `ui.prefill_render` and its errors into `gr.Error` or messages next to the field.

The form and the review have a different shape per one-thing, so each is drawn by a `gr.render`
from a spec kept in a `gr.State` (`view`, `review_view`); every other component is fixed. Callbacks
return dicts over `self.outputs`, so each updates only what it names.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from functools import partial
from html import escape
from pathlib import Path
from typing import Any, Literal

import gradio as gr

from core.errors import AssistantError, ServiceUnavailable
from ui import prefill_render as pr
from ui.i18n import DEFAULT_LANG, normalize_lang, t
from ui.services import UIServices

log = logging.getLogger(__name__)

DOC_TTL_S = 900  # printable copies written for download are removed after this
SCROLL_JS = """(target) => {
  let tries = 0;
  const go = () => {
    const el = document.getElementById(target);
    if (el) { el.scrollIntoView({block: 'start'}); const f = el.querySelector('textarea, input, button'); if (f) f.focus(); }
    else if (tries++ < 20) setTimeout(go, 100);
  };
  setTimeout(go, 150);
}"""
# After a step or page change: the step's top (the stepper) back in view when the person had scrolled past it,
# so a new step starts at its beginning and the tracking number is on screen after submitting. The stepper is
# fixed above the redrawn part, so it is where it will stay whenever this runs.
TOP_JS = """(target) => setTimeout(() => {
  const el = document.getElementById(target);
  if (el && el.getBoundingClientRect().top < 0) el.scrollIntoView({block: 'start'});
}, 100)"""
PRIV = {"api_visibility": "private"}


def _note(html: str):
    """A status line: shown with content, hidden (taking no room) when empty."""
    return gr.update(value=html, visible=bool(html))


def new_flow(lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The per-session flow state (server-side)."""
    return {"draft_id": None, "one_thing": None, "lang": lang, "step": None, "rev": 0, "corr_key": None,
            "tracking_no": None, "session_id": None, "title": "", "page": None}


class PrefillFlow:
    """The flow's components (built inside the caller's container `area`) and callbacks.

    `who` is the caller's `gr.State` holding the `Principal` (None when signed out); `mode` is
    "citizen" or "staff" (a clerk acting for a citizen: no rating, the confirmation says so).
    """

    def __init__(self, services: UIServices, who: gr.State, area: gr.Column, *, prefix: str = "yjs-pf",
                 mode: Literal["citizen", "staff"] = "citizen") -> None:
        self.services = services
        self.who = who
        self.area = area
        self.prefix = prefix
        self.mode = mode
        self._doc_dir: Path | None = None
        self._build(DEFAULT_LANG)
        self._wire()

    # -- layout -----------------------------------------------------------------------------------
    def _id(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def _build(self, lang: str) -> None:
        self.flow = gr.State(new_flow(lang))
        self.view = gr.State({})  # the form spec drawn by _draw_form
        self.review_view = gr.State({})  # the review spec drawn by _draw_review
        self.choice_view = gr.State([])  # the choices asked before consent, drawn by _draw_choices
        # Hidden while empty, so they take no room; `_note` shows them with content.
        self.header = gr.HTML("", visible=False, elem_id=self._id("steps"), js_on_load=None)
        self.notice = gr.HTML("", visible=False, elem_id=self._id("notice"), js_on_load=None)
        # Each step ends in an action bar that stays at the bottom of the screen while the step scrolls (theme.css).
        with gr.Column(visible=False, elem_id=self._id("consent")) as self.consent_box:
            @gr.render(inputs=[self.choice_view], triggers=[self.choice_view.change], show_progress="minimal")
            def _choices(view):
                self._draw_choices(view)

            self.consent_html = gr.HTML("", elem_id=self._id("consent-html"), js_on_load=None)
            self.consent_pick = gr.CheckboxGroup([], value=[], label=t("consent_pick", lang), info=t("consent_pick_info", lang),
                                                 elem_id=self._id("consent-pick"))
            with gr.Row(elem_classes=["yjs-actionbar", "yjs-bar-row"]):
                self.grant_all_btn = gr.Button(t("consent_all", lang), variant="primary", elem_id=self._id("grant-all"))
                self.apply_btn = gr.Button(t("consent_apply", lang), elem_id=self._id("consent-apply"))
        with gr.Column(visible=False, elem_id=self._id("form")) as self.form_box:
            self.form_summary = gr.Markdown("", elem_id=self._id("summary"))
            self.form_waiting = gr.Markdown("", elem_id=self._id("waiting"))
            with gr.Row(elem_classes="yjs-wrap"):
                self.refill_btn = gr.Button(t("form_refill", lang), size="sm", elem_id=self._id("refill"))
                self.back_consent_btn = gr.Button(t("form_back_consent", lang), size="sm", elem_id=self._id("back-consent"))
            self.form_legend = gr.Markdown(t("form_legend", lang), elem_classes="yjs-muted")

            @gr.render(inputs=[self.view], triggers=[self.view.change], show_progress="minimal")
            def _form(view):
                self._draw_form(view)

            with gr.Column(visible=False, elem_id=self._id("correction"), variant="panel") as self.corr_box:
                self.corr_title = gr.Markdown("", elem_id=self._id("corr-title"))
                self.corr_note = gr.Textbox(label=t("corr_note", lang), lines=2, max_length=500, elem_id=self._id("corr-note"))
                with gr.Row(elem_classes="yjs-wrap"):
                    self.corr_send = gr.Button(t("corr_send", lang), variant="primary", size="sm", elem_id=self._id("corr-send"))
                    self.corr_cancel = gr.Button(t("corr_cancel", lang), size="sm", elem_id=self._id("corr-cancel"))
        with gr.Column(visible=False, elem_id=self._id("review")) as self.review_box:
            @gr.render(inputs=[self.review_view], triggers=[self.review_view.change], show_progress="minimal")
            def _review(view):
                self._draw_review(view)

            # 承诺书: shown when the person marks a tolerable material 暂缺; nothing is signed until they tick and sign.
            with gr.Column(visible=False, elem_id=self._id("commit"), variant="panel") as self.commit_box:
                self.commit_html = gr.HTML("", elem_id=self._id("commit-html"), js_on_load=None)
                self.commit_agree = gr.Checkbox(False, label=t("commit_agree", lang), elem_id=self._id("commit-agree"))
                with gr.Row(elem_classes="yjs-wrap"):
                    self.commit_sign = gr.Button(t("commit_sign", lang), variant="primary", size="sm",
                                                 elem_id=self._id("commit-sign"))
                    self.commit_cancel = gr.Button(t("commit_cancel", lang), size="sm", elem_id=self._id("commit-cancel"))
            with gr.Column(elem_classes="yjs-actionbar", elem_id=self._id("review-bar")):
                self.confirm_chk = gr.Checkbox(False, label=self._confirm_label(lang), elem_id=self._id("confirm"))
                with gr.Row(elem_classes="yjs-bar-row"):
                    self.back_btn = gr.Button(t("review_back", lang), elem_id=self._id("review-back"))
                    self.submit_btn = gr.Button(t("review_submit", lang), variant="primary", interactive=False,
                                                elem_id=self._id("submit"))
        with gr.Column(visible=False, elem_id=self._id("done")) as self.done_box:
            self.done_html = gr.HTML("", elem_id=self._id("done-html"), js_on_load=None)
            with gr.Row(elem_classes="yjs-wrap"):
                self.docx_btn = gr.DownloadButton(t("done_docx", lang), visible=False, elem_id=self._id("docx"))
                self.pdf_btn = gr.DownloadButton(t("done_pdf", lang), visible=False, elem_id=self._id("pdf"))
            with gr.Column(visible=self.mode == "citizen", elem_id=self._id("rating")) as self.rating_box:
                self.rate_label = gr.Markdown(t("done_rate", lang))
                self.rate_comment = gr.Textbox(label=t("rate_comment", lang), lines=1, max_length=1000,
                                               elem_id=self._id("rate-comment"))
                with gr.Row(elem_classes="yjs-wrap"):
                    self.good_btn = gr.Button(t("rate_good", lang), size="sm", elem_id=self._id("rate-good"))
                    self.bad_btn = gr.Button(t("rate_bad", lang), size="sm", elem_id=self._id("rate-bad"))
            self.rate_status = gr.Markdown("", elem_id=self._id("rate-status"))
            self.close_btn = gr.Button(t("done_close", lang), size="sm", elem_id=self._id("close"))

    def _confirm_label(self, lang: str) -> str:
        return t("review_confirm_staff" if self.mode == "staff" else "review_confirm", lang)

    @property
    def outputs(self) -> list:
        """Every component a flow callback may update (callbacks return dicts over a subset)."""
        return [self.area, self.flow, self.view, self.review_view, self.choice_view, self.header, self.notice, self.consent_box,
                self.consent_html, self.consent_pick, self.form_box, self.form_summary, self.form_waiting,
                self.refill_btn, self.corr_box, self.corr_title, self.corr_note, self.review_box, self.confirm_chk,
                self.submit_btn, self.done_box, self.done_html, self.docx_btn, self.pdf_btn, self.rating_box,
                self.rate_comment, self.rate_status, self.commit_box, self.commit_html, self.commit_agree]

    def _wire(self) -> None:
        out, who = self.outputs, self.who
        self._to_top(self.grant_all_btn.click(self._inline(self.grant_all), [who, self.flow], out, **PRIV))
        self._to_top(self.apply_btn.click(self._inline(self.apply_consent), [who, self.flow, self.consent_pick], out, **PRIV))
        self.refill_btn.click(self._inline(self.refill), [who, self.flow], out, **PRIV)
        self._to_top(self.back_consent_btn.click(self._inline(self.back_to_consent), [who, self.flow], out, **PRIV))
        self.corr_send.click(self._inline(self.send_correction), [who, self.flow, self.corr_note], out, **PRIV)
        self.corr_cancel.click(self._inline(self.cancel_correction), [self.flow], out, **PRIV)
        self.confirm_chk.change(self.toggle_confirm, [self.confirm_chk, self.review_view], [self.submit_btn], **PRIV)
        self._to_top(self.back_btn.click(self._inline(self.edit_section), [who, self.flow], out, **PRIV))
        self._to_top(self.submit_btn.click(self._inline(self.submit), [who, self.flow, self.confirm_chk], out, **PRIV))
        self.good_btn.click(self._inline(partial(self.rate, "好评")), [who, self.flow, self.rate_comment], out, **PRIV)
        self.bad_btn.click(self._inline(partial(self.rate, "差评")), [who, self.flow, self.rate_comment], out, **PRIV)
        self.close_btn.click(self._inline(self.close), [self.flow], out, **PRIV)
        self.commit_sign.click(self._inline(self.sign_commitment), [who, self.flow, self.commit_agree], out, **PRIV)
        self.commit_cancel.click(self._inline(self.cancel_commitment), [self.flow], out, **PRIV)

    def _to_top(self, event) -> None:
        """Bring the step's top into view once `event` has changed the step or the form's page."""
        event.then(None, None, None, js=f"() => ({TOP_JS})('{self._id('steps')}')")

    def _inline(self, fn):
        """Wire a flow callback so its `gr.Error` is shown in the flow's notice line (role=alert) instead of
        as an error overlay over every flow output, which would cover the form until a reload; a success
        that says nothing clears an earlier message. Callbacks keep raising, so they are tested directly."""
        @functools.wraps(fn)
        def run(*args):
            try:
                upd = fn(*args)
            except gr.Error as exc:
                return {self.notice: _note(f'<p class="yjs-alert" role="alert">{escape(str(exc.message))}</p>')}
            if isinstance(upd, dict) and self.notice not in upd:
                upd = {**upd, self.notice: _note("")}
            return upd

        return run

    # -- dynamic parts --------------------------------------------------------------------------------
    def _draw_form(self, view: dict) -> None:
        """The merged form a page per section (short on a phone, the same everywhere): the page shown, with
        read-only registry values (纠错) and inputs for the rest, then 上一步 / 下一步, or 保存并核对 on the last
        page. Leaving a page saves it, so what was typed is kept across pages."""
        if not view or not view.get("sections"):
            return
        lang = view["lang"]
        pages, n = view["sections"], pr.page_index(view)
        keys, inputs = [], []
        # A place per section, only the one shown drawn: the browser reuses what sits at the same place in a
        # redrawn part, and a drop-down taking over another page's would keep that page's choice.
        for i, sec in enumerate(pages):
            with gr.Column(visible=i == n, elem_id=self._id(f"sec-{sec['key']}"), elem_classes="yjs-page"):
                if i != n:
                    continue
                gr.HTML(pr.page_heading(view, lang), elem_id=self._id("page"), js_on_load=None)
                for f in sec["fields"]:
                    comp = self._draw_field(f, lang)
                    if comp is not None:
                        keys.append(f["key"])
                        inputs.append(comp)
        with gr.Row(elem_classes=["yjs-actionbar", "yjs-bar-row"], elem_id=self._id("pager")):
            if n > 0:
                prev = gr.Button(t("form_prev", lang), elem_id=self._id("prev"))
                self._page_button(prev, keys, inputs, partial(self.turn_page, pages[n - 1]["key"]))
            if n + 1 < len(pages):
                nxt = gr.Button(t("form_next", lang), variant="primary", elem_id=self._id("next"))
                self._page_button(nxt, keys, inputs, partial(self.turn_page, pages[n + 1]["key"]))
            else:
                save = gr.Button(t("form_save", lang), variant="primary", elem_id=self._id("save"))
                self._page_button(save, keys, inputs, self.save_form)

    def _page_button(self, btn, keys: list[str], inputs: list, action) -> None:
        """Wire a pager button: the page's values, by field key, go to `action(who, flow, values)`."""
        def run(who, flow, *values):
            return action(who, flow, dict(zip(keys, values, strict=True)))

        self._to_top(btn.click(self._inline(run), [self.who, self.flow, *inputs], self.outputs, **PRIV))

    def _draw_field(self, f: dict, lang: str):
        key = f["key"]
        if f["kind"] == "readonly":
            with gr.Row(elem_classes=["yjs-ro-row", f"yjs-st-{f['state']}"], equal_height=False):
                html = gr.HTML(f["html"], elem_id=self._id(f"f-{key}"), js_on_load=None, scale=4, min_width=200)
                if f.get("reveal"):
                    self._draw_reveal(key, lang, html)
                if f["correctable"]:
                    btn = gr.Button(t("field_correct", lang), size="sm", scale=0, min_width=90,
                                    elem_id=self._id(f"correct-{key}"), elem_classes="yjs-correct")
                    btn.click(self._inline(partial(self.open_correction, key)), [self.flow, self.view], self.outputs, **PRIV).then(
                        None, None, None, js=f"() => ({SCROLL_JS})('{self._id('correction')}')")
            return None
        # interactive=True is explicit: a component drawn by gr.render is not counted as an event input by
        # the page, so with interactive=None every field that holds a value would be drawn locked.
        classes = ["yjs-field", f"yjs-st-{f['state']}"] + (["yjs-field-error"] if f["error"] else [])
        with gr.Column(elem_classes=classes):
            if f["kind"] == "choice":
                # Options may be (place name, code) pairs: the person picks a name, the form keeps the code.
                comp = gr.Dropdown([tuple(o) if isinstance(o, list) else o for o in f["options"]], value=f["value"],
                                   label=f["label"], info=f["info"], filterable=bool(f.get("filterable")),
                                   interactive=True, elem_id=self._id(f"f-{key}"))
            else:
                secret = bool(f.get("secret"))  # a password box has one line
                comp = gr.Textbox(f["value"] or "", label=f["label"], info=f["info"], placeholder=f["placeholder"],
                                  lines=1, max_lines=1 if secret else 3, max_length=200, interactive=True,
                                  elem_id=self._id(f"f-{key}"), type="password" if secret else "text")
                if f.get("reveal"):
                    self._draw_reveal(key, lang, comp)
            if f["error"]:
                gr.HTML(f'<p class="yjs-error" role="alert">{escape(f["error"])}</p>', elem_id=self._id(f"err-{key}"),
                        js_on_load=None)
            if f["accept_ocr"] or f["ocr_upload"]:
                with gr.Row(elem_classes="yjs-wrap"):
                    if f["accept_ocr"]:
                        acc = gr.Button(t("field_accept_ocr", lang), size="sm", elem_id=self._id(f"accept-ocr-{key}"))
                        acc.click(self._inline(partial(self.accept_ocr, key)), [self.who, self.flow], self.outputs, **PRIV)
                    if f["ocr_upload"]:
                        up = gr.UploadButton(t("field_ocr", lang), size="sm", file_types=[".png", ".jpg", ".jpeg"],
                                             elem_id=self._id(f"ocr-{key}"))
                        up.upload(self._inline(partial(self.ocr_upload, key)), [self.who, self.flow, up], self.outputs, **PRIV)
        return comp

    def _draw_reveal(self, key: str, lang: str, target, toggle=None) -> None:
        """显示完整号码 / 隐藏号码 next to the owner's ID number: a locked value (or a review group, with `toggle`)
        is fetched from the service only when asked for (it is not on the page before); a typed one switches its
        box between hidden and shown."""
        shown = gr.State(False)
        btn = gr.Button(t("reveal_show", lang), size="sm", scale=0, min_width=90, elem_id=self._id(f"reveal-{key}"),
                        elem_classes="yjs-reveal")
        typed = isinstance(target, gr.Textbox)
        fn = partial(self.toggle_typed, lang) if typed else (toggle or partial(self.toggle_reveal, key))
        inputs = [shown] if typed else [self.who, self.flow, shown]
        btn.click(fn, inputs, [target, btn, shown], **PRIV)

    @staticmethod
    def toggle_typed(lang: str, shown: bool):
        """Show or hide an ID number in its edit box (the value is the person's own, already in the box)."""
        now = not shown
        return (gr.update(type="text" if now else "password"),
                gr.update(value=t("reveal_hide" if now else "reveal_show", lang)), now)

    def toggle_reveal(self, key: str, who, flow: dict, shown: bool):
        """Show or hide the owner's locked ID number. Only its owner may see it in full: a clerk acting for
        them (`via_staff`) never gets the button, and the service hands out only the caller's own values."""
        lang, svc, who = self._ctx(who, flow)
        draft = self._call(lang, svc.draft, who, flow["draft_id"])
        f = next(x for x in draft.fields if x.key == key)
        now = not shown and self._own(who)
        value = self._call(lang, svc.raw_values, who, draft.draft_id).get(key) if now else None
        now = now and value is not None
        html = pr.readonly_html(f, lang, pr.correctable(f), str(value) if now else None)
        return html, gr.update(value=t("reveal_hide" if now else "reveal_show", lang)), now

    def toggle_group_reveal(self, key: str, who, flow: dict, shown: bool):
        """The same for a review group holding the owner's ID number: the group redrawn with it in full, or masked."""
        lang, svc, who = self._ctx(who, flow)
        now = not shown and self._own(who)
        spec = self._review_spec(lang, svc, who, flow["draft_id"], revealed=now)
        html = next(g["html"] for g in spec["sections"] + spec["departments"] if g["key"] == key)
        return html, gr.update(value=t("reveal_hide" if now else "reveal_show", lang)), now

    @staticmethod
    def _own(who) -> bool:
        """The signed-in person looking at their own application (not a clerk acting for them)."""
        return who is not None and who.kind == "citizen" and not who.via_staff

    def _draw_review(self, view: dict) -> None:
        """The review, short enough for a phone: what is still to do first, then a line per section (opened
        on its values, 修改 in each), the materials and what each department receives, each a line that opens."""
        if not view or not view.get("sections"):
            return
        lang = view["lang"]
        gr.HTML(f"<p>{escape(view['intro'])}</p>{view['status_html']}", elem_id=self._id("review-status"), js_on_load=None)
        self._draw_quick(view.get("quick") or [], lang)
        gr.Markdown(f"#### {t('review_by_section', lang)}")
        for g in view["sections"]:
            self._draw_group(g, g["key"], lang)
        self._draw_materials(view.get("materials"), lang)
        with gr.Accordion(t("review_by_dept", lang), open=False, elem_id=self._id("review-depts")):
            for i, g in enumerate(view["departments"]):
                self._draw_group(g, f"dept-{i}", lang)

    def _draw_quick(self, quick: list[dict], lang: str) -> None:
        """Required choices still open (e.g. 发放方式 of an accepted offer): one click each, saved at once, so an
        application opened at the review step needs no trip back to the form."""
        if not quick:
            return
        with gr.Column(elem_id=self._id("quick"), elem_classes="yjs-quick"):
            gr.Markdown(f"#### {t('quick_title', lang)}")
            for q in quick:
                radio = gr.Radio(q["options"], value=None, label=q["label"], interactive=True,
                                 elem_id=self._id(f"quick-{q['key']}"))
                radio.input(self._inline(partial(self.quick_answer, q["key"])), [self.who, self.flow, radio], self.outputs,
                            **PRIV)

    def _draw_materials(self, mats: dict | None, lang: str) -> None:
        """The materials checklist: upload, or 暂缺 (a commitment to sign if the guide allows it to follow later)."""
        if not mats or not mats.get("items"):
            return
        with gr.Accordion(mats["summary"], open=mats["open"], elem_id=self._id("materials"), elem_classes="yjs-materials"):
            if mats["blocked"]:
                gr.HTML(f'<p class="yjs-alert" role="alert">{escape(mats["blocked"])}</p>', elem_id=self._id("mat-blocked"),
                        js_on_load=None)
            for i, m in enumerate(mats["items"]):
                with gr.Row(elem_classes=["yjs-wrap", "yjs-mat-row"], equal_height=False):
                    gr.HTML(m["html"], elem_id=self._id(f"mat-{i}"), js_on_load=None, scale=4, min_width=180)
                    if m["upload"]:
                        up = gr.UploadButton(t("mat_upload", lang), size="sm", scale=0, min_width=80,
                                             elem_id=self._id(f"mat-up-{i}"))
                        up.upload(self._inline(partial(self.supply_material, m["name"])), [self.who, self.flow, up],
                                  self.outputs, **PRIV)
                    if m["licence"]:
                        lic = gr.Button(t("lic_btn", lang), size="sm", scale=0, min_width=80,
                                        elem_id=self._id(f"mat-lic-{i}"))
                        lic.click(self._inline(partial(self.supply_from_licence, m["name"], m["licence"])),
                                  [self.who, self.flow], self.outputs, **PRIV)
                    if m["absent"]:
                        btn = gr.Button(t("mat_absent", lang), size="sm", scale=0, min_width=80,
                                        elem_id=self._id(f"mat-absent-{i}"))
                        btn.click(self._inline(partial(self.material_absent, m["name"])), [self.who, self.flow],
                                  self.outputs, **PRIV).then(None, None, None,
                                                             js=f"() => ({SCROLL_JS})('{self._id('commit')}')")

    def _draw_group(self, g: dict, name: str, lang: str) -> None:
        """A review group as a line (its summary) that opens on its values, with 修改 (and 显示完整号码 for the
        owner's ID number)."""
        with gr.Accordion(g["summary"], open=g["open"], elem_id=self._id(f"group-{name}"), elem_classes="yjs-review-group"):
            html = gr.HTML(g["html"], js_on_load=None)
            with gr.Row(elem_classes="yjs-wrap"):
                if g["reveal"]:
                    self._draw_reveal(f"group-{name}", lang, html, partial(self.toggle_group_reveal, g["key"]))
                if g["target"]:
                    btn = gr.Button(g["edit_label"], size="sm", elem_id=self._id(f"edit-{name}"), elem_classes="yjs-edit")
                    btn.click(self._inline(partial(self.edit_section, target=g["target"])), [self.who, self.flow], self.outputs,
                              **PRIV).then(None, None, None, js=f"() => ({SCROLL_JS})('{self._id('sec-' + g['target'])}')")

    # -- helpers ------------------------------------------------------------------------------------
    def _svc(self, lang: str):
        svc = self.services.prefill
        if svc is None:
            raise gr.Error(t("prefill_down", lang))
        return svc

    @staticmethod
    def _need(who, lang: str):
        if who is None:
            raise gr.Error(t("need_signin", lang))
        return who

    @staticmethod
    def _call(lang: str, fn, *args, **kwargs):
        """Run a service call; its `AssistantError` becomes a `gr.Error` in the page's language."""
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            raise gr.Error(pr.friendly_error(exc.message, lang)) from exc

    def _ctx(self, who, flow: dict):
        lang = normalize_lang(flow.get("lang"))
        if not flow.get("draft_id"):
            raise gr.Error(t("need_signin", lang) if who is None else t("flow_expired", lang))
        return lang, self._svc(lang), self._need(who, lang)

    def _steps(self, step: str | None, flow: dict) -> dict:
        lang = normalize_lang(flow.get("lang"))
        upd = {box: gr.update(visible=step == name) for name, box in
               (("consent", self.consent_box), ("form", self.form_box), ("review", self.review_box), ("done", self.done_box))}
        upd[self.header] = _note(pr.steps_html(step, lang, flow.get("title", "")) if step else "")
        return upd

    def _title(self, svc, one_thing: str, lang: str) -> str:
        return pr.form_title(svc.form(one_thing), lang)

    # -- entering the flow ------------------------------------------------------------------------
    def prompt_signin(self, lang: str) -> dict:
        """一键办理 while signed out: the area opens with a request to sign in (no draft is made)."""
        flow = new_flow(lang)
        return {self.area: gr.update(visible=True), self.flow: flow, **self._steps(None, flow),
                self.notice: _note(f'<p class="yjs-alert" role="alert">{escape(t("signin_first", lang))}</p>')}

    def start(self, who, one_thing_id: str, lang: str, session_id: str | None = None) -> dict:
        """Continue this person's unfinished application for the one-thing, or start one."""
        lang = normalize_lang(lang)
        if who is None:
            return self.prompt_signin(lang)
        svc = self._svc(lang)
        draft = None
        for d in self._call(lang, svc.my_drafts, who):
            if d.one_thing_id == one_thing_id and d.status != "submitted":
                draft = self._call(lang, svc.draft, who, d.draft_id)
                break
        if draft is None:
            draft = self._call(lang, svc.start_draft, who, one_thing_id)
        return self.open_draft(who, draft, lang, session_id)

    def open_draft(self, who, draft, lang: str, session_id: str | None = None) -> dict:
        """Show `draft` at its step: consent until it was pre-filled, then the form; a confirmed one at review."""
        svc = self._svc(lang)
        flow = {**new_flow(lang), "draft_id": draft.draft_id, "one_thing": draft.one_thing_id, "session_id": session_id,
                "title": self._title(svc, draft.one_thing_id, lang)}
        upd: dict = {self.area: gr.update(visible=True), self.notice: _note("")}
        if draft.status == "confirmed":
            upd.update(self._review_updates(who, flow))
        elif draft.prefilled:
            upd.update(self._form_updates(who, flow, draft))
        else:
            upd.update(self._consent_updates(who, flow, draft.consent))
        return upd

    # -- consent ----------------------------------------------------------------------------------
    def _consent_updates(self, who, flow: dict, consent) -> dict:
        lang = normalize_lang(flow.get("lang"))
        svc = self._svc(lang)
        form = svc.form(flow["one_thing"])
        flow = {**flow, "step": "consent"}
        return {self.flow: flow, **self._steps("consent", flow), self.choice_view: pr.consent_questions(consent, lang),
                self.consent_html: pr.consent_html(consent, form, lang),
                self.consent_pick: gr.update(choices=pr.consent_choices(consent, lang), value=pr.granted_sources(consent),
                                             visible=bool(consent.your_sources))}

    def _draw_choices(self, view: list[dict]) -> None:
        """A radio per choice the consent depends on (落户方式), above the list of what is asked."""
        for c in view:
            radio = gr.Radio(c["options"], value=c["value"], label=c["label"], info=c["info"],
                             elem_id=self._id(f"choice-{c['key']}"))
            radio.input(self._inline(partial(self.choose, c["key"])), [self.who, self.flow, radio], self.outputs,
                        **PRIV)

    def choose(self, key: str, who, flow: dict, value: str | None) -> dict:
        """A choice before consent is saved on the draft; the consent request then asks only for what it needs."""
        lang, svc, who = self._ctx(who, flow)
        if value:
            self._call(lang, svc.edit, who, flow["draft_id"], key, value)
        return self._consent_updates(who, flow, self._call(lang, svc.consent_request, who, flow["draft_id"]))

    def grant_all(self, who, flow: dict) -> dict:
        """全部同意: grant every source the applicant decides, then pre-fill."""
        lang, svc, who = self._ctx(who, flow)
        self._call(lang, svc.grant_all, who, flow["draft_id"])
        return self._prefill(who, flow)

    def apply_consent(self, who, flow: dict, picked: list[str] | None) -> dict:
        """Grant the ticked sources and refuse the others (those fields are then typed by hand), then pre-fill."""
        lang, svc, who = self._ctx(who, flow)
        consent = self._call(lang, svc.consent_request, who, flow["draft_id"])
        picked = set(picked or [])
        already = set(pr.granted_sources(consent))
        for source in consent.your_sources:
            statuses = {i.status for i in consent.items if i.source == source and i.decided_by == "you"}
            grant = source in picked
            if (grant and source in already) or (not grant and statuses == {"refused"}):
                continue  # unchanged: no new decision, no new audit entry
            self._call(lang, svc.decide_consent, who, flow["draft_id"], source, grant)
        return self._prefill(who, flow)

    def _prefill(self, who, flow: dict) -> dict:
        lang, svc, who = self._ctx(who, flow)
        draft = self._call(lang, svc.prefill, who, flow["draft_id"])
        return {self.notice: _note(""), **self._form_updates(who, flow, draft)}

    def refill(self, who, flow: dict) -> dict:
        """重新预填: e.g. after a family member approved; what the person typed is kept."""
        return self._prefill(who, flow)

    def back_to_consent(self, who, flow: dict) -> dict:
        lang, svc, who = self._ctx(who, flow)
        return {self.notice: _note(""), **self._consent_updates(who, flow, self._call(lang, svc.consent_request, who, flow["draft_id"]))}

    # -- the form -----------------------------------------------------------------------------------
    def _form_updates(self, who, flow: dict, draft=None, *, errors: dict | None = None, typed: dict | None = None,
                      focus: str | None = None) -> dict:
        lang, svc, who = self._ctx(who, flow)
        draft = draft or self._call(lang, svc.draft, who, flow["draft_id"])
        form = svc.form(draft.one_thing_id)
        raw = self._call(lang, svc.raw_values, who, draft.draft_id)
        spec = pr.form_spec(draft, form, raw, lang, errors=errors, typed=typed, focus=focus, own=self._own(who))
        flow = {**flow, "step": "form", "rev": flow.get("rev", 0) + 1, "corr_key": None, "page": spec["page"]}
        spec["rev"] = flow["rev"]
        waiting = spec["waiting"]
        return {self.flow: flow, self.view: spec, **self._steps("form", flow), self.form_summary: spec["summary"],
                self.form_waiting: waiting, self.refill_btn: gr.update(visible=bool(waiting)),
                self.corr_box: gr.update(visible=False)}

    def save_form(self, who, flow: dict, values: dict[str, Any]) -> dict:
        """保存并核对: save what changed; with nothing left to fix, go on to the review, else back to the form at
        the first page with a message (a value refused, a required field still empty)."""
        lang, svc, who = self._ctx(who, flow)
        errors, typed = self._save_values(who, flow, values)
        review = self._call(lang, svc.review, who, flow["draft_id"])
        if not errors and review.ready_to_confirm:
            return {self.notice: _note(""), **self._review_updates(who, flow, review)}
        for p in review.problems:
            errors.setdefault(p.key, pr.problem_message(p, lang))
        return self._form_with_errors(who, flow, errors, typed)

    def turn_page(self, target: str, who, flow: dict, values: dict[str, Any]) -> dict:
        """上一步 / 下一步: save the page, then show section `target`; a value the service refuses keeps the person
        on this page with its message and what they typed."""
        errors, typed = self._save_values(who, flow, values)
        if errors:
            return self._form_with_errors(who, flow, errors, typed)
        return {self.notice: _note(""), **self._form_updates(who, flow, focus=target)}

    def _form_with_errors(self, who, flow: dict, errors: dict, typed: dict) -> dict:
        """The form at its first page with a message (`pr.form_spec` picks it); the notice names the pages."""
        lang = normalize_lang(flow.get("lang"))
        upd = self._form_updates(who, flow, errors=errors, typed=typed)
        pages = ("、" if lang != "en" else ", ").join(pr.error_pages(upd[self.view]))
        msg = t("form_errors", lang).format(n=len(errors), pages=pages)
        upd[self.notice] = _note(f'<p class="yjs-alert" role="alert">{escape(msg)}</p>')
        return upd

    def _save_values(self, who, flow: dict, values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """Save what changed field by field (each validated by the service): the messages of the values it
        refused, and what was typed into them (shown back to be fixed)."""
        lang, svc, who = self._ctx(who, flow)
        view = self._current_view(who, flow)
        fields = {f["key"]: f for sec in view["sections"] for f in sec["fields"]}
        errors, typed = {}, {}
        for key, value in values.items():
            f = fields.get(key)
            if f is None or f["kind"] == "readonly":
                continue
            text = "" if value is None else str(value).strip()
            shown = f["value"] if f["value"] is not None else ""
            if text == str(shown).strip():
                continue  # unchanged (an empty box over a masked value keeps it)
            if not text and f["value"] is None:
                continue
            try:
                svc.edit(who, flow["draft_id"], key, text or None)
            except AssistantError as exc:
                if exc.field != key and exc.field is not None:
                    raise gr.Error(pr.friendly_error(exc.message, lang)) from exc
                errors[key] = pr.friendly_error(exc.message, lang)
                typed[key] = text
        return errors, typed

    def _current_view(self, who, flow: dict) -> dict:
        lang, svc, who = self._ctx(who, flow)
        draft = self._call(lang, svc.draft, who, flow["draft_id"])
        return pr.form_spec(draft, svc.form(draft.one_thing_id), self._call(lang, svc.raw_values, who, draft.draft_id), lang,
                            own=self._own(who))

    def open_correction(self, key: str, flow: dict, view: dict) -> dict:
        """纠错 next to a read-only registry value: open the report box for that field."""
        lang = normalize_lang(flow.get("lang"))
        label = next((f["label"].removesuffix(" *") for sec in (view or {}).get("sections", []) for f in sec["fields"]
                      if f["key"] == key), key)
        return {self.flow: {**flow, "corr_key": key}, self.corr_box: gr.update(visible=True),
                self.corr_title: f"#### {t('corr_title', lang).format(label=label)}", self.corr_note: ""}

    def cancel_correction(self, flow: dict) -> dict:
        return {self.flow: {**flow, "corr_key": None}, self.corr_box: gr.update(visible=False), self.corr_note: ""}

    def send_correction(self, who, flow: dict, note: str) -> dict:
        lang, svc, who = self._ctx(who, flow)
        if not flow.get("corr_key"):
            return self.cancel_correction(flow)
        if not (note or "").strip():
            raise gr.Error(t("corr_empty", lang))
        rep = self._call(lang, svc.report_error, who, flow["draft_id"], flow["corr_key"], note.strip())
        src = rep.source_label or ""
        msg = t("corr_sent", lang).format(id=rep.id, src=pr.localise(src, lang))
        gr.Info(msg)
        return {**self.cancel_correction(flow), self.notice: _note(f'<p class="yjs-ok" role="status">{escape(msg)}</p>')}

    def ocr_upload(self, key: str, who, flow: dict, path: str | None) -> dict:
        """Read a field still to be entered from a certificate photo; the value then waits for confirmation."""
        lang, svc, who = self._ctx(who, flow)
        if not path:
            return {}
        data = Path(path).read_bytes()
        draft = self._call(lang, svc.ocr_field, who, flow["draft_id"], key, data)
        gr.Info(t("ocr_read", lang))
        return self._form_updates(who, flow, draft, focus=self._section_of(draft, key))

    def accept_ocr(self, key: str, who, flow: dict) -> dict:
        lang, svc, who = self._ctx(who, flow)
        draft = self._call(lang, svc.accept_ocr, who, flow["draft_id"], key)
        return self._form_updates(who, flow, draft, focus=self._section_of(draft, key))

    @staticmethod
    def _section_of(draft, key: str) -> str | None:
        return next((f.section for f in draft.fields if f.key == key), None)

    # -- review, confirm, submit -----------------------------------------------------------------------
    def _review_updates(self, who, flow: dict, review=None) -> dict:
        lang, svc, who = self._ctx(who, flow)
        flow = {**flow, "step": "review", "rev": flow.get("rev", 0) + 1}
        spec = self._review_spec(lang, svc, who, flow["draft_id"], review)
        spec["rev"] = flow["rev"]
        mats = self._materials(svc, who, flow["draft_id"])
        spec["materials"] = pr.materials_spec(mats, lang) if mats is not None else None
        # A non-tolerable material marked missing blocks submission: the button stays off with the reason shown.
        spec["ready"] = bool(spec["ready"]) and not (mats is not None and mats.blocking)
        return {self.flow: {**flow, "commit_material": None}, self.review_view: spec, **self._steps("review", flow),
                self.confirm_chk: gr.update(value=False, label=self._confirm_label(lang)),
                self.submit_btn: gr.update(interactive=False), self.commit_box: gr.update(visible=False),
                self.commit_agree: False}

    def _review_spec(self, lang: str, svc, who, draft_id: str, review=None, *, revealed: bool = False) -> dict:
        """The review as `pr.review_spec` draws it, with the owner's own values (`own_value`), and the choices
        still open."""
        review = review or self._call(lang, svc.review, who, draft_id)
        draft = self._call(lang, svc.draft, who, draft_id)
        raw = self._call(lang, svc.raw_values, who, draft_id)
        spec = pr.review_spec(review, draft, svc.form(draft.one_thing_id), lang, raw, own=self._own(who), revealed=revealed)
        return {**spec, "quick": pr.quick_choices(draft, lang)}

    @staticmethod
    def _materials(svc, who, draft_id: str):
        """The draft's materials checklist, or None for a bundle whose guide lists no materials."""
        try:
            return svc.materials(who, draft_id)
        except AssistantError as exc:
            log.info("no materials checklist: %s", exc.message)
            return None

    def open_at_review(self, who, draft_id: str, lang: str, session_id: str | None = None) -> dict:
        """Open a pre-filled application at the review step (an accepted offer): what is still to choose is
        asked there; nothing is confirmed or sent until the person ticks the confirmation and submits."""
        lang = normalize_lang(lang)
        svc = self._svc(lang)
        draft = self._call(lang, svc.draft, self._need(who, lang), draft_id)
        flow = {**new_flow(lang), "draft_id": draft.draft_id, "one_thing": draft.one_thing_id, "session_id": session_id,
                "title": self._title(svc, draft.one_thing_id, lang)}
        return {self.area: gr.update(visible=True), self.notice: _note(""), **self._review_updates(who, flow)}

    def quick_answer(self, key: str, who, flow: dict, value: str | None) -> dict:
        """A required choice answered on the review: saved (validated by the service), the review redrawn."""
        lang, svc, who = self._ctx(who, flow)
        if value:
            self._call(lang, svc.edit, who, flow["draft_id"], key, value)
        return self._review_updates(who, flow)

    # -- 承诺办: materials -------------------------------------------------------------------------------
    def material_absent(self, name: str, who, flow: dict) -> dict:
        """暂缺: a material the guide lets follow later opens its 承诺书 to sign (nothing recorded yet); any other
        is recorded missing, which blocks submission, and the plain reason is shown."""
        lang, svc, who = self._ctx(who, flow)
        text = self._call(lang, svc.commitment_preview, who, flow["draft_id"], name)
        if text is None:
            self._call(lang, svc.mark_material_missing, who, flow["draft_id"], name)
            upd = self._review_updates(who, flow)
            upd[self.notice] = _note(f'<p class="yjs-alert" role="alert">{escape(t("mat_not_tolerable", lang).format(name=name))}</p>')
            return upd
        head = (f'<h4>{escape(t("commit_title", lang))}</h4>'
                f'<p>{escape(t("commit_intro", lang).format(name=pr.localise(name, lang)))}</p>')
        body = "".join(f"<p>{escape(pr.localise(line, lang))}</p>" for line in text.splitlines()[1:])
        return {self.flow: {**flow, "commit_material": name}, self.commit_box: gr.update(visible=True),
                self.commit_html: f'<div class="yjs-commitment">{head}<blockquote>{body}</blockquote></div>',
                self.commit_agree: False}

    def sign_commitment(self, who, flow: dict, agreed: bool) -> dict:
        """签署承诺书: only with the box ticked; the material becomes 容缺待补 with its due date."""
        lang, svc, who = self._ctx(who, flow)
        name = flow.get("commit_material")
        if not name:
            return self.cancel_commitment(flow)
        if not agreed:
            raise gr.Error(t("commit_agree_first", lang))
        view = self._call(lang, svc.mark_material_missing, who, flow["draft_id"], name)
        due = next((i.due for i in view.items if i.name == name), "")
        upd = self._review_updates(who, flow)
        msg = t("commit_signed", lang).format(name=pr.localise(name, lang), due=due)
        upd[self.notice] = _note(f'<p class="yjs-ok" role="status">{escape(msg)}</p>')
        return upd

    def cancel_commitment(self, flow: dict) -> dict:
        return {self.flow: {**flow, "commit_material": None}, self.commit_box: gr.update(visible=False),
                self.commit_agree: False}

    def supply_material(self, name: str, who, flow: dict, path: str | None) -> dict:
        """Hand a material in (upload); a missing or 容缺待补 one is closed."""
        lang, svc, who = self._ctx(who, flow)
        if not path:
            return {}
        self._call(lang, svc.supply_material, who, flow["draft_id"], name, Path(path).read_bytes())
        upd = self._review_updates(who, flow)
        upd[self.notice] = _note(f'<p class="yjs-ok" role="status">{escape(t("mat_received", lang).format(name=pr.localise(name, lang)))}</p>')
        return upd

    def supply_from_licence(self, name: str, licence: str, who, flow: dict) -> dict:
        """从电子证照库调取 (the click is the consent the note beside it asks for): a missing or 容缺待补 material is
        closed like an upload; when the licence is not issued yet, the notice says so and nothing changes."""
        lang, svc, who = self._ctx(who, flow)
        supply = partial(svc.supply_material_from_licence, who, flow["draft_id"], name, consent=True)
        view = self._call(lang, pr.from_licence, supply)
        upd = self._review_updates(who, flow)
        msg = escape(pr.licence_supply_message(view, name, licence, lang))
        upd[self.notice] = _note(f'<p class="yjs-ok" role="status">{msg}</p>' if view is not None
                                 else f'<p class="yjs-alert" role="alert">{msg}</p>')
        return upd

    def edit_section(self, who, flow: dict, target: str | None = None) -> dict:
        """修改 on a review group (or 返回修改): back to the form with that section open. A confirmed
        (not yet submitted) form is reopened first."""
        lang, svc, who = self._ctx(who, flow)
        draft = self._call(lang, svc.draft, who, flow["draft_id"])
        if draft.status == "confirmed":
            draft = self._call(lang, svc.reopen, who, flow["draft_id"])
        return {self.notice: _note(""), **self._form_updates(who, flow, draft, focus=target)}

    @staticmethod
    def toggle_confirm(checked: bool, review_view: dict):
        """The submit button is usable only once the person ticked 我已核对 on a complete form."""
        return gr.update(interactive=bool(checked) and bool((review_view or {}).get("ready")))

    def submit(self, who, flow: dict, checked: bool) -> dict:
        """确认并提交: nothing is confirmed or sent unless the person ticked the confirmation."""
        lang, svc, who = self._ctx(who, flow)
        if not checked:
            raise gr.Error(t("confirm_first", lang))
        draft = self._call(lang, svc.draft, who, flow["draft_id"])
        if draft.status == "open":
            review = self._call(lang, svc.review, who, flow["draft_id"])
            if not review.ready_to_confirm:
                raise gr.Error(t("not_ready_to_confirm", lang))
            self._call(lang, svc.confirm, who, flow["draft_id"])
        sub = self._call(lang, svc.submit, who, flow["draft_id"])
        flow = {**flow, "step": "done", "tracking_no": sub.tracking_no}
        docs = self._documents(svc, who, flow["draft_id"])
        return {self.flow: flow, **self._steps("done", flow), self.notice: _note(""),
                self.done_html: pr.done_html(sub, lang),
                self.docx_btn: gr.update(value=docs.get("docx"), visible="docx" in docs, label=t("done_docx", lang)),
                self.pdf_btn: gr.update(value=docs.get("pdf"), visible="pdf" in docs, label=t("done_pdf", lang)),
                self.rating_box: gr.update(visible=self.mode == "citizen"), self.rate_comment: "", self.rate_status: ""}

    def _documents(self, svc, who, draft_id: str) -> dict[str, str]:
        """The citizen copy (identifiers masked) as DOCX and, when a CJK font is installed, PDF."""
        out = {}
        for fmt in ("docx", "pdf"):
            try:
                doc = svc.document(who, draft_id, fmt)
            except ServiceUnavailable as exc:  # PDF needs a CJK TrueType font on the server
                log.info("no %s copy: %s", fmt, exc.message)
                continue
            except AssistantError as exc:
                log.warning("document %s failed: %s", fmt, exc.message)
                continue
            out[fmt] = str(self._write_doc(doc.filename, doc.content))
        return out

    def _write_doc(self, filename: str, content: bytes) -> Path:
        """Write a copy for gradio to serve (it copies it to its own cache); old copies are cleared."""
        if self._doc_dir is None or not self._doc_dir.exists():
            self._doc_dir = Path(tempfile.mkdtemp(prefix="yjs-docs-"))
        now = time.time()
        for old in self._doc_dir.glob("*/*"):
            if now - old.stat().st_mtime > DOC_TTL_S:
                old.unlink(missing_ok=True)
        sub = Path(tempfile.mkdtemp(dir=self._doc_dir))
        path = sub / Path(filename).name
        path.write_bytes(content)
        return path

    def rate(self, rating: str, who, flow: dict, comment: str) -> dict:
        """好差评 of the submission: the same feedback store as the answers' rating (staff see 差评 as gaps)."""
        lang = normalize_lang(flow.get("lang"))
        if not flow.get("tracking_no"):
            raise gr.Error(t("rate_first", lang))
        bot = self.services.assistant
        if bot is None:
            raise gr.Error(t("not_ready", lang))
        self._call(lang, bot.conversations.rate_submission, rating=rating, conversation_id=flow.get("session_id"),
                   tracking_no=flow["tracking_no"], title=flow.get("title", ""), one_thing_id=flow.get("one_thing"),
                   comment=comment or "")
        return {self.rating_box: gr.update(visible=False), self.rate_comment: "", self.rate_status: t("rate_thanks", lang)}

    def close(self, flow: dict) -> dict:
        lang = normalize_lang(flow.get("lang"))
        fresh = new_flow(lang)
        return {self.area: gr.update(visible=False), self.flow: fresh, self.view: {}, self.review_view: {},
                **self._steps(None, fresh), self.notice: _note("")}

    def reset(self, lang: str) -> dict:
        """Sign-out or another sign-in: hide the flow, forget the draft (it stays saved)."""
        return self.close(new_flow(lang))

    # -- language -----------------------------------------------------------------------------------
    @property
    def label_outputs(self) -> list:
        return [self.consent_pick, self.grant_all_btn, self.apply_btn, self.refill_btn, self.back_consent_btn,
                self.form_legend, self.corr_note, self.corr_send, self.corr_cancel, self.confirm_chk, self.back_btn,
                self.submit_btn, self.docx_btn, self.pdf_btn, self.rate_label, self.rate_comment, self.good_btn,
                self.bad_btn, self.close_btn, self.commit_agree, self.commit_sign, self.commit_cancel]

    def relabel(self, lang: str) -> dict:
        """The fixed labels in `lang` (the drawn form and review follow through `switch_lang`)."""
        return {self.consent_pick: gr.update(label=t("consent_pick", lang), info=t("consent_pick_info", lang)),
                self.grant_all_btn: gr.update(value=t("consent_all", lang)),
                self.apply_btn: gr.update(value=t("consent_apply", lang)),
                self.refill_btn: gr.update(value=t("form_refill", lang)),
                self.back_consent_btn: gr.update(value=t("form_back_consent", lang)),
                self.form_legend: t("form_legend", lang), self.corr_note: gr.update(label=t("corr_note", lang)),
                self.corr_send: gr.update(value=t("corr_send", lang)), self.corr_cancel: gr.update(value=t("corr_cancel", lang)),
                self.confirm_chk: gr.update(label=self._confirm_label(lang)),
                self.back_btn: gr.update(value=t("review_back", lang)), self.submit_btn: gr.update(value=t("review_submit", lang)),
                self.docx_btn: gr.update(label=t("done_docx", lang)), self.pdf_btn: gr.update(label=t("done_pdf", lang)),
                self.rate_label: t("done_rate", lang), self.rate_comment: gr.update(label=t("rate_comment", lang)),
                self.good_btn: gr.update(value=t("rate_good", lang)), self.bad_btn: gr.update(value=t("rate_bad", lang)),
                self.close_btn: gr.update(value=t("done_close", lang)),
                self.commit_agree: gr.update(label=t("commit_agree", lang)),
                self.commit_sign: gr.update(value=t("commit_sign", lang)),
                self.commit_cancel: gr.update(value=t("commit_cancel", lang))}

    def switch_lang(self, lang: str, who, flow: dict) -> dict:
        """Redraw the current step in `lang` (the draft itself is unchanged)."""
        lang = normalize_lang(lang)
        flow = {**flow, "lang": lang}
        upd: dict = {self.flow: flow}
        svc = self.services.prefill
        if not flow.get("draft_id") or who is None or svc is None:
            return upd
        flow["title"] = self._title(svc, flow["one_thing"], lang)
        try:
            if flow["step"] == "consent":
                upd.update(self._consent_updates(who, flow, svc.consent_request(who, flow["draft_id"])))
            elif flow["step"] == "form":
                upd.update(self._form_updates(who, flow, focus=flow.get("page")))
            elif flow["step"] == "review":
                upd.update(self._review_updates(who, flow))
            else:
                upd.update({self.flow: flow, **self._steps(flow["step"], flow)})
                if flow["step"] == "done" and flow.get("tracking_no"):
                    upd[self.done_html] = pr.done_html(svc.track(who, flow["tracking_no"]), lang)
        except (AssistantError, gr.Error):  # a language switch never fails the page
            log.info("flow not redrawn after the language switch", exc_info=True)
        return upd
