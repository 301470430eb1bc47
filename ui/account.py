"""The citizen's identity bar (demo sign-in) and 我的办事: 查进度, 主动服务, 容缺待补, 家人授权, 数据使用记录, 帮办授权码.

免申办: under the identity bar, the offers the matcher found for this person (accept → the 一键办理 flow opened
at the review step, decline with a reason; 免申即享 grants shown as notices that can be declined); the
standing opt-in is granted or withdrawn in the 主动服务 tab. 承诺办: the 容缺待补 tab lists materials
promised under a commitment, each with an upload that closes it, and 从电子证照库调取 where the guide names
the licence that supplies it (what is read and why is written beside the button; the click is the consent).

`AccountUI` owns the signed-in `Principal` (`self.who`, a server-side `gr.State`); the identity comes
from `ui.identity.current_citizen`, the one place a real deployment plugs its login in. Every other
callback here is a thin call to the pre-fill service with that principal; the service decides what
this person may see (a tracking number that is not theirs is simply "not found").
"""

from __future__ import annotations

import logging
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from core.errors import AssistantError, NotFound
from ui import identity
from ui import prefill_render as pr
from ui.i18n import DEFAULT_LANG, normalize_lang, t
from ui.services import UIServices

log = logging.getLogger(__name__)
PRIV = {"api_visibility": "private"}


def _lang(st: dict | None) -> str:
    return normalize_lang((st or {}).get("lang"))


class AccountUI:
    """Build with `build_identity()` (top of the page) and `build_affairs()` (我的办事), then `wire(lang_state)`."""

    def __init__(self, services: UIServices) -> None:
        self.services = services
        self.who = gr.State(None)

    # -- layout -----------------------------------------------------------------------------------
    def build_identity(self, lang: str = DEFAULT_LANG) -> None:
        with gr.Row(elem_id="yjs-identity", elem_classes="yjs-wrap", equal_height=False):
            self.id_pick = gr.Dropdown([], value=None, label=t("id_label", lang), filterable=True, scale=3, min_width=240,
                                       elem_id="yjs-id-pick")
            with gr.Column(scale=2, min_width=200):
                self.whoami = gr.Markdown(t("id_none", lang), elem_id="yjs-whoami")
                with gr.Row(elem_classes="yjs-wrap"):
                    self.signin_btn = gr.Button(t("id_signin", lang), variant="primary", size="sm", elem_id="yjs-signin")
                    self.signout_btn = gr.Button(t("id_signout", lang), size="sm", visible=False, elem_id="yjs-signout")
        self._build_offers(lang)

    def _build_offers(self, lang: str) -> None:
        """Offers right under the sign-in, where the person looks after signing in (hidden when there are none)."""
        self.offers_view = gr.State({})
        self.flow = None  # the 一键办理 flow an accepted offer opens (`attach_flow`)
        with gr.Column(visible=False, elem_id="yjs-offers", elem_classes="yjs-wrap", variant="panel") as self.offers_box:
            self.offers_title = gr.Markdown(f"### {t('offers_title', lang)}")

            @gr.render(inputs=[self.offers_view], triggers=[self.offers_view.change], show_progress="minimal")
            def _offers(view):
                self._draw_offers(view)

            self.offers_status = gr.Markdown("", elem_id="yjs-offers-status")

    def build_affairs(self, lang: str = DEFAULT_LANG) -> None:
        with gr.Column(elem_id="yjs-my", variant="panel"):
            self.my_title = gr.Markdown(f"### {t('my_title', lang)}")
            # wrap: on a phone every tab stays in sight (a "…" menu hides the ones people look for).
            with gr.Tabs(elem_id="yjs-my-tabs", overflow_behavior="wrap"):
                with gr.Tab(t("tab_track", lang), id="track", elem_id="yjs-tab-track") as self.tab_track:
                    with gr.Row(elem_classes="yjs-wrap"):
                        self.track_no = gr.Textbox(label=t("track_no", lang), placeholder="YJS-20261123-ABC234", max_length=32,
                                                   lines=1, scale=3, min_width=200, elem_id="yjs-track-no")
                        self.track_btn = gr.Button(t("track_btn", lang), variant="primary", scale=0, min_width=90,
                                                   elem_id="yjs-track-btn")
                    self.track_out = gr.HTML("", elem_id="yjs-track-out", js_on_load=None)
                with gr.Tab(t("tab_offers", lang), id="offers", elem_id="yjs-tab-offers") as self.tab_offers:
                    self.optin_html = gr.HTML("", elem_id="yjs-optin", js_on_load=None)
                    with gr.Row(elem_classes="yjs-wrap"):
                        self.optin_grant = gr.Button(t("optin_grant", lang), variant="primary", size="sm",
                                                     elem_id="yjs-optin-grant")
                        self.optin_withdraw = gr.Button(t("optin_withdraw", lang), size="sm", elem_id="yjs-optin-withdraw")
                    self.optin_status = gr.Markdown("", elem_id="yjs-optin-status")
                with gr.Tab(t("tab_pending", lang), id="pending", elem_id="yjs-tab-pending") as self.tab_pending:
                    self.pending_view = gr.State({})

                    @gr.render(inputs=[self.pending_view], triggers=[self.pending_view.change], show_progress="minimal")
                    def _pending(view):
                        self._draw_pending(view)

                    self.pending_status = gr.Markdown("", elem_id="yjs-pending-status")
                with gr.Tab(t("tab_approvals", lang), id="approvals", elem_id="yjs-tab-approvals") as self.tab_appr:
                    self.appr_html = gr.HTML("", elem_id="yjs-approvals", js_on_load=None)
                    self.appr_pick = gr.Dropdown([], value=None, label=t("appr_pick", lang), elem_id="yjs-appr-pick")
                    with gr.Row(elem_classes="yjs-wrap"):
                        self.appr_grant = gr.Button(t("appr_grant", lang), variant="primary", size="sm", elem_id="yjs-appr-grant")
                        self.appr_refuse = gr.Button(t("appr_refuse", lang), size="sm", elem_id="yjs-appr-refuse")
                        self.appr_refresh = gr.Button(t("appr_refresh", lang), size="sm", elem_id="yjs-appr-refresh")
                    self.appr_status = gr.Markdown("", elem_id="yjs-appr-status")
                with gr.Tab(t("tab_log", lang), id="log", elem_id="yjs-tab-log") as self.tab_log:
                    self.log_refresh = gr.Button(t("log_refresh", lang), size="sm", elem_id="yjs-log-refresh")
                    self.log_html = gr.HTML("", elem_id="yjs-log", js_on_load=None)
                with gr.Tab(t("tab_code", lang), id="code", elem_id="yjs-tab-code") as self.tab_code:
                    self.code_intro = gr.Markdown(t("code_intro", lang))
                    self.code_btn = gr.Button(t("code_btn", lang), variant="primary", elem_id="yjs-code-btn")
                    self.code_out = gr.Markdown("", elem_id="yjs-code-out")

    # -- wiring -----------------------------------------------------------------------------------
    @property
    def signin_outputs(self) -> list:
        return [self.who, self.whoami, self.signin_btn, self.signout_btn, self.appr_html, self.appr_pick, self.appr_status,
                self.track_out, self.log_html, self.code_out, self.offers_view, self.offers_box, self.offers_status,
                self.optin_html, self.optin_status, self.pending_view, self.pending_status]

    def wire(self, lang_state: gr.State) -> None:
        """`lang_state` is the citizen page's session state (its ``lang`` is used for messages)."""
        appr_out = [self.appr_html, self.appr_pick, self.appr_status]
        self.signin_event = self.signin_btn.click(self.signin, [self.id_pick, lang_state], self.signin_outputs, **PRIV)
        self.signout_event = self.signout_btn.click(self.signout, [lang_state], self.signin_outputs, **PRIV)
        self.track_btn.click(self.track, [self.who, self.track_no, lang_state], [self.track_out], **PRIV)
        self.track_no.submit(self.track, [self.who, self.track_no, lang_state], [self.track_out], **PRIV)
        self.appr_refresh.click(self.approvals, [self.who, lang_state], appr_out, **PRIV)
        self.tab_appr.select(self.approvals, [self.who, lang_state], appr_out, **PRIV)
        self.appr_grant.click(lambda w, c, s: self.decide(w, c, True, s), [self.who, self.appr_pick, lang_state], appr_out,
                              **PRIV)
        self.appr_refuse.click(lambda w, c, s: self.decide(w, c, False, s), [self.who, self.appr_pick, lang_state],
                               appr_out, **PRIV)
        self.log_refresh.click(self.access_log, [self.who, lang_state], [self.log_html], **PRIV)
        self.tab_log.select(self.access_log, [self.who, lang_state], [self.log_html], **PRIV)
        self.code_btn.click(self.consent_code, [self.who, lang_state], [self.code_out], **PRIV)
        optin_out = [self.optin_html, self.optin_status, self.offers_view, self.offers_box]
        self.tab_offers.select(self.optin, [self.who, lang_state], optin_out, **PRIV)
        self.optin_grant.click(partial(self.set_optin, True), [self.who, lang_state], optin_out, **PRIV)
        self.optin_withdraw.click(partial(self.set_optin, False), [self.who, lang_state], optin_out, **PRIV)
        self.tab_pending.select(self.pending, [self.who, lang_state], [self.pending_view, self.pending_status], **PRIV)
        self._lang_state = lang_state

    def attach_flow(self, flow) -> None:
        """The page's 一键办理 flow (built after this bar): an accepted offer opens in it."""
        self.flow = flow

    # -- helpers ------------------------------------------------------------------------------------
    def _svc(self, lang: str):
        svc = self.services.prefill
        if svc is None:
            raise gr.Error(t("prefill_down", lang))
        return svc

    @staticmethod
    def _call(lang: str, fn, *args):
        try:
            return fn(*args)
        except AssistantError as exc:
            raise gr.Error(pr.friendly_error(exc.message, lang)) from exc

    @staticmethod
    def _need(who, lang: str):
        if who is None:
            raise gr.Error(t("need_signin", lang))
        return who

    # -- sign-in ----------------------------------------------------------------------------------
    def load_choices(self, st: dict | None = None) -> Any:
        """The demo identities (on page load: the pre-fill service is up only after start-up)."""
        lang = _lang(st)
        if not identity.demo_enabled(self.services):
            return gr.update(choices=[], value=None, interactive=False, label=t("id_demo_off", lang))
        svc = self.services.prefill
        try:
            choices = pr.demo_choices(svc.demo_people(), self._names(svc, lang), lang)
        except AssistantError as exc:
            log.warning("demo identities unavailable: %s", exc.message)
            return gr.update(choices=[], value=None)
        return gr.update(choices=choices, label=t("id_label", lang), interactive=True)

    def _names(self, svc, lang: str) -> dict[str, str]:
        """One-thing names: the catalogue's when the assistant is up, else from the merged forms' titles."""
        names = pr.one_thing_names(svc.forms(), lang)
        bot = self.services.assistant
        for o in (bot.catalog if bot is not None else []):
            names[o.id] = o.name_en if lang == "en" else pr.localise(o.name, lang)
        return names

    def _whoami(self, who, lang: str) -> str:
        if who is None:
            return t("id_none", lang)
        name, idno = self._describe(who)
        md = lambda x: x.replace("*", r"\*")  # noqa: E731 - masked values are full of Markdown stars
        return t("id_signed", lang).format(name=md(name), id=md(idno))

    def _describe(self, who) -> tuple[str, str]:
        """Masked name and ID number for the identity bar (from the demo population; a real SSO supplies them)."""
        svc = self.services.prefill
        try:
            people = svc.demo_people().people if svc is not None and identity.demo_enabled(self.services) else []
        except AssistantError:
            people = []
        p = next((p for p in people if p.person_id == who.subject), None)
        return (p.name_masked, p.id_number_masked or "—") if p else (who.subject, "—")

    def signin(self, choice: str | None, st: dict | None, request: gr.Request | None = None) -> dict:
        lang = _lang(st)
        if not identity.demo_enabled(self.services):
            raise gr.Error(t("id_demo_off", lang) if self.services.prefill else t("prefill_down", lang))
        if not choice:
            raise gr.Error(t("id_pick_first", lang))
        who = identity.current_citizen(request, choice, self.services)
        if who is None:
            raise gr.Error(t("id_pick_first", lang))
        upd = {self.who: who, self.whoami: self._whoami(who, lang),
               self.signin_btn: gr.update(visible=True), self.signout_btn: gr.update(visible=True),
               self.track_out: "", self.log_html: "", self.code_out: "", self.offers_status: "", self.optin_status: "",
               self.pending_status: ""}
        upd.update(dict(zip([self.appr_html, self.appr_pick, self.appr_status], self.approvals(who, st), strict=True)))
        upd.update(self._offer_updates(who, lang))
        upd[self.optin_html] = self._optin_html(who, lang)
        upd[self.pending_view] = self._pending_spec(who, lang)
        return upd

    def signout(self, st: dict | None) -> dict:
        lang = _lang(st)
        return {self.who: None, self.whoami: t("id_none", lang), self.signin_btn: gr.update(visible=True),
                self.signout_btn: gr.update(visible=False), self.appr_html: "", self.appr_pick: gr.update(choices=[], value=None),
                self.appr_status: "", self.track_out: "", self.log_html: "", self.code_out: "", self.offers_view: {},
                self.offers_box: gr.update(visible=False), self.offers_status: "", self.optin_html: "", self.optin_status: "",
                self.pending_view: {}, self.pending_status: ""}

    # -- 查进度 -------------------------------------------------------------------------------------
    def track(self, who, tracking_no: str | None, st: dict | None) -> str:
        """Per-department status of one of my submissions; without a number, all of mine."""
        lang = _lang(st)
        who = self._need(who, lang)
        svc = self._svc(lang)
        no = (tracking_no or "").strip().upper()
        if not no:
            return pr.submissions_html(self._call(lang, svc.my_submissions, who), lang)
        try:
            sub = svc.track(who, no)
        except AssistantError as exc:
            if isinstance(exc, NotFound) or exc.field == "tracking_no":  # someone else's number is "not found" too
                return f'<p class="yjs-alert" role="alert">{escape(t("track_not_found", lang).format(no=no[:32]))}</p>'
            raise gr.Error(pr.friendly_error(exc.message, lang)) from exc
        return pr.submission_html(sub, lang)

    # -- 家人授权 -----------------------------------------------------------------------------------
    def approvals(self, who, st: dict | None) -> tuple:
        lang = _lang(st)
        if who is None:
            return f'<p class="yjs-muted">{t("need_signin", lang)}</p>', gr.update(choices=[], value=None), ""
        svc = self._svc(lang)
        pending = self._call(lang, svc.pending_approvals, who)
        choices = pr.approval_choices(pending, lang)
        return (pr.approvals_html(pending, lang), gr.update(choices=choices, value=choices[0][1] if choices else None), "")

    def decide(self, who, choice: str | None, grant: bool, st: dict | None) -> tuple:
        """Approve or refuse one request to use my own data in a family member's application."""
        lang = _lang(st)
        who = self._need(who, lang)
        if not choice or "|" not in choice:
            raise gr.Error(t("appr_pick_first", lang))
        draft_id, source = choice.split("|", 1)
        svc = self._svc(lang)
        self._call(lang, svc.approve, who, draft_id, source, grant)
        html, pick, _ = self.approvals(who, st)
        return html, pick, t("appr_done_grant" if grant else "appr_done_refuse", lang)

    # -- 数据使用记录, 帮办授权码 --------------------------------------------------------------------------
    def access_log(self, who, st: dict | None) -> str:
        lang = _lang(st)
        if who is None:
            return f'<p class="yjs-muted">{t("need_signin", lang)}</p>'
        svc = self._svc(lang)
        return pr.access_log_html(self._call(lang, svc.my_access_log, who), lang, svc.forms_library.by_one_thing,
                                  self._names(svc, lang))

    def consent_code(self, who, st: dict | None) -> str:
        """生成帮办授权码: a 6-digit, 10-minute, single-use code for a clerk (issued only by the person themselves)."""
        lang = _lang(st)
        who = self._need(who, lang)
        if who.via_staff:
            raise gr.Error(t("code_by_staff", lang))
        return pr.code_markdown(self._call(lang, self._svc(lang).issue_consent_code, who), lang)

    # -- 免申办: offers and the standing opt-in --------------------------------------------------------------
    def _offer_updates(self, who, lang: str) -> dict:
        """The offers box: the person's open offers and grants, hidden when there are none (or no service)."""
        svc = self.services.prefill
        if who is None or svc is None:
            return {self.offers_view: {}, self.offers_box: gr.update(visible=False)}
        specs = pr.offer_specs(self._call(lang, svc.my_offers, who), self._names(svc, lang), lang)
        return {self.offers_view: {"lang": lang, "offers": specs}, self.offers_box: gr.update(visible=bool(specs))}

    def _draw_offers(self, view: dict) -> None:
        if not view or not view.get("offers"):
            return
        lang = view["lang"]
        outs = [self.offers_view, self.offers_box, self.offers_status]
        for o in view["offers"]:
            oid = o["offer_id"]
            with gr.Column(elem_classes="yjs-offer", elem_id=f"yjs-offer-{oid}"):
                gr.HTML(o["html"], js_on_load=None)
                if not o["granted"]:
                    accept = gr.Button(t("offer_accept", lang), variant="primary", elem_id=f"yjs-offer-accept-{oid}",
                                       elem_classes="yjs-offer-accept")
                    accept.click(partial(self.accept_offer, oid), [self.who, self._lang_state],
                                 outs + (self.flow.outputs if self.flow else []), **PRIV).then(
                        None, None, None,
                        js="() => setTimeout(() => document.getElementById('yjs-prefill-area')?.scrollIntoView({block: 'start'}), 300)")
                with gr.Accordion(t("offer_decline_grant" if o["granted"] else "offer_decline", lang), open=False,
                                  elem_id=f"yjs-offer-decline-box-{oid}"):
                    reason = gr.Textbox(label=t("offer_reason", lang), lines=1, max_length=500,
                                        elem_id=f"yjs-offer-reason-{oid}")
                    decline = gr.Button(t("offer_decline_grant" if o["granted"] else "offer_decline", lang), size="sm",
                                        elem_id=f"yjs-offer-decline-{oid}", elem_classes="yjs-offer-decline")
                    decline.click(partial(self.decline_offer, oid), [self.who, reason, self._lang_state], outs, **PRIV)

    def accept_offer(self, offer_id: str, who, st: dict | None) -> dict:
        """接受并办理: the service starts the application, grants the person's own sources (accepting is that
        consent; the card listed them) and pre-fills it; the flow opens at the review step. Not submitted."""
        lang = _lang(st)
        who = self._need(who, lang)
        svc = self._svc(lang)
        accepted = self._call(lang, svc.accept_offer, who, offer_id)
        upd = self._offer_updates(who, lang)
        title = self._names(svc, lang).get(accepted.offer.one_thing_id) or pr.bilingual(accepted.offer.title,
                                                                                          accepted.offer.title_en, lang)
        upd[self.offers_status] = t("offer_accepted", lang).format(title=title)
        if self.flow is not None:
            upd.update(self.flow.open_at_review(who, accepted.draft.draft_id, lang, (st or {}).get("session_id")))
        return upd

    def decline_offer(self, offer_id: str, who, reason: str | None, st: dict | None) -> dict:
        """不需要 (also for a 免申即享 grant): recorded with the reason; the offer leaves the list."""
        lang = _lang(st)
        who = self._need(who, lang)
        svc = self._svc(lang)
        offer = self._call(lang, svc.decline_offer, who, offer_id, (reason or "").strip())
        title = self._names(svc, lang).get(offer.one_thing_id) or pr.bilingual(offer.title, offer.title_en, lang)
        return {**self._offer_updates(who, lang), self.offers_status: t("offer_declined", lang).format(title=title)}

    def _optin_html(self, who, lang: str) -> str:
        svc = self.services.prefill
        if who is None or svc is None:
            return f'<p class="yjs-muted">{t("need_signin", lang)}</p>'
        return pr.optin_html(self._call(lang, svc.proactive_status, who), lang)

    def optin(self, who, st: dict | None) -> tuple:
        lang = _lang(st)
        upd = self._offer_updates(who, lang)
        return self._optin_html(who, lang), "", upd[self.offers_view], upd[self.offers_box]

    def set_optin(self, grant: bool, who, st: dict | None) -> tuple:
        """开启 / 关闭主动服务 (the service refuses a clerk turning it on for someone)."""
        lang = _lang(st)
        who = self._need(who, lang)
        status = self._call(lang, self._svc(lang).set_proactive, who, grant)
        upd = self._offer_updates(who, lang)
        return (pr.optin_html(status, lang), t("optin_done_on" if grant else "optin_done_off", lang),
                upd[self.offers_view], upd[self.offers_box])

    # -- 承诺办: 容缺待补 -----------------------------------------------------------------------------------
    def _pending_spec(self, who, lang: str) -> dict:
        svc = self.services.prefill
        if who is None or svc is None:
            return {}
        subs = self._call(lang, svc.my_submissions, who)
        return {"lang": lang, "items": pr.pending_specs(subs, self._names(svc, lang), lang)}

    def pending(self, who, st: dict | None) -> tuple:
        lang = _lang(st)
        if who is None:
            return {}, t("need_signin", lang)
        return self._pending_spec(who, lang), ""

    def _draw_pending(self, view: dict) -> None:
        if not view:
            return
        lang = view["lang"]
        if not view.get("items"):
            gr.HTML(f'<p class="yjs-muted">{escape(t("pending_none", lang))}</p>', elem_id="yjs-pending-none", js_on_load=None)
            return
        for i, item in enumerate(view["items"]):
            with gr.Row(elem_classes=["yjs-wrap", "yjs-pending-row"], equal_height=False):
                gr.HTML(item["html"], elem_id=f"yjs-pending-{i}", js_on_load=None, scale=4, min_width=200)
                up = gr.UploadButton(t("pending_upload", lang), size="sm", scale=0, min_width=100,
                                     elem_id=f"yjs-pending-up-{i}")
                up.upload(partial(self.supply_pending, item["draft_id"], item["material"]), [self.who, up, self._lang_state],
                          [self.pending_view, self.pending_status], **PRIV)
                if item["licence"]:
                    lic = gr.Button(t("lic_btn", lang), size="sm", scale=0, min_width=100, elem_id=f"yjs-pending-lic-{i}")
                    lic.click(partial(self.supply_pending_from_licence, item["draft_id"], item["material"], item["licence"]),
                              [self.who, self._lang_state], [self.pending_view, self.pending_status], **PRIV)

    def supply_pending(self, draft_id: str, material: str, who, path: str | None, st: dict | None) -> tuple:
        """补交: the upload closes the 容缺待补 item (audited by the service)."""
        lang = _lang(st)
        who = self._need(who, lang)
        if not path:
            return gr.skip(), ""
        self._call(lang, self._svc(lang).supply_material, who, draft_id, material, Path(path).read_bytes())
        return self._pending_spec(who, lang), t("mat_received", lang).format(name=pr.localise(material, lang))

    def supply_pending_from_licence(self, draft_id: str, material: str, licence: str, who, st: dict | None) -> tuple:
        """从电子证照库调取 (the click is the consent the note beside it asks for): closes the item like an upload;
        when the licence is not issued yet, says so and leaves everything as it was."""
        lang = _lang(st)
        svc = self._svc(lang)
        supply = partial(svc.supply_material_from_licence, self._need(who, lang), draft_id, material, consent=True)
        view = self._call(lang, pr.from_licence, supply)
        msg = pr.licence_supply_message(view, material, licence, lang)
        return (self._pending_spec(who, lang) if view is not None else gr.skip()), msg

    # -- language -----------------------------------------------------------------------------------
    @property
    def label_outputs(self) -> list:
        return [self.offers_title, self.tab_offers, self.tab_pending, self.optin_grant, self.optin_withdraw, self.optin_html,
                self.offers_view, self.offers_box, self.pending_view,
                self.id_pick, self.whoami, self.signin_btn, self.signout_btn, self.my_title, self.tab_track,
                self.tab_appr, self.tab_log, self.tab_code, self.track_no, self.track_btn, self.appr_pick, self.appr_grant,
                self.appr_refuse, self.appr_refresh, self.log_refresh, self.code_intro, self.code_btn]

    def relabel(self, lang: str, who) -> dict:
        upd = {self.id_pick: self.load_choices({"lang": lang}),
               self.signin_btn: gr.update(value=t("id_signin", lang)), self.signout_btn: gr.update(value=t("id_signout", lang)),
               self.my_title: f"### {t('my_title', lang)}", self.tab_track: gr.update(label=t("tab_track", lang)),
               self.tab_appr: gr.update(label=t("tab_approvals", lang)), self.tab_log: gr.update(label=t("tab_log", lang)),
               self.tab_code: gr.update(label=t("tab_code", lang)), self.track_no: gr.update(label=t("track_no", lang)),
               self.track_btn: gr.update(value=t("track_btn", lang)), self.appr_pick: gr.update(label=t("appr_pick", lang)),
               self.appr_grant: gr.update(value=t("appr_grant", lang)), self.appr_refuse: gr.update(value=t("appr_refuse", lang)),
               self.appr_refresh: gr.update(value=t("appr_refresh", lang)),
               self.log_refresh: gr.update(value=t("log_refresh", lang)), self.code_intro: t("code_intro", lang),
               self.code_btn: gr.update(value=t("code_btn", lang))}
        upd[self.whoami] = self._whoami(who, lang)
        upd.update({self.offers_title: f"### {t('offers_title', lang)}", self.tab_offers: gr.update(label=t("tab_offers", lang)),
                    self.tab_pending: gr.update(label=t("tab_pending", lang)),
                    self.optin_grant: gr.update(value=t("optin_grant", lang)),
                    self.optin_withdraw: gr.update(value=t("optin_withdraw", lang))})
        try:  # the drawn lists follow the language too; a language switch never fails the page
            upd.update(self._offer_updates(who, lang))
            upd[self.optin_html] = self._optin_html(who, lang) if who is not None else ""
            upd[self.pending_view] = self._pending_spec(who, lang)
        except gr.Error:
            log.info("offers not redrawn after the language switch", exc_info=True)
        return upd
