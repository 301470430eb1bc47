"""Citizen mode (问、导、评): streaming chat with cited answers, one-thing buttons, the bundle side panel,
好差评, 转人工, a 简/繁/English switch and a large-text, high-contrast mode.

`CitizenUI` builds the components inside the caller's `gr.Blocks` and wires them. Callbacks read
the pipeline from its `UIServices` at call time (it is None until the lifespan ran, or when a part is
down) and turn `AssistantError`s into `gr.Error`. All conversation logic is the engine's; this
module only asks it, renders the answer and keeps the browser session's ids in a `gr.State`
(server-side, so a page never sees another session's id).

一键办理 (办): the side panel's button opens `ui.prefill_flow.PrefillFlow` in `prefill_area` for the
signed-in person (`ui.account.AccountUI`: the demo identity bar at the top, 我的办事 — 查进度, 家人授权,
数据使用记录, 帮办授权码 — under the chat).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from core.errors import AssistantError
from ui import render
from ui.account import AccountUI
from ui.i18n import DEFAULT_LANG, LANG_CHOICES, localise, normalize_lang, t
from ui.prefill_flow import PrefillFlow
from ui.services import UIServices

log = logging.getLogger(__name__)

SLOTS = 3  # clarifying-option buttons and suggested one-thing buttons (each)
MORE_SLOTS = 3  # guide sections a short answer left out, offered as buttons on the answer (一键办理 besides)
EXAMPLE_KEYS = ("example_1", "example_2", "example_3", "example_4")
STREAM_DELAY_S = 0.03
POLL_S = 3.0  # after 转人工: how often the page looks for a staff reply
# The chat takes the screen's height less the question box and a little context above it (dvh follows a
# phone's collapsing address bar); never shorter than a few messages.
CHAT_HEIGHT = "calc(100dvh - 190px)"
CHAT_MIN_HEIGHT = 300
# Keep the newest exchange in view. On send: the chat's bottom just above the question box (which stays on
# screen: sticky at the bottom, theme.css), the chat scrolled to the end (gradio's autoscroll then follows the
# streamed answer). When the answer is complete: the chat scrolled so the newest question is at its top and
# the answer reads from its beginning. While an answer is being written the chat is aria-busy, so a screen
# reader waits for the whole answer instead of reading each streamed piece; it ends when the turn has
# completed (a `.then` runs after gradio accepts the next question again).
_CHAT_SCROLLER = """const chat = document.getElementById('yjs-chat');
  const box = chat && [...chat.querySelectorAll('*')].find(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY));
  const ask = document.querySelector('.yjs-ask');
  const floor = window.innerHeight - (ask ? ask.offsetHeight : 0);"""
SHOW_CHAT_JS = f"""() => {{
  {_CHAT_SCROLLER}
  if (chat) chat.setAttribute('aria-busy', 'true');
  if (chat) window.scrollBy(0, chat.getBoundingClientRect().bottom - floor);
  if (box) box.scrollTop = box.scrollHeight;
}}"""
# The page itself moves only when the chat is out of sight (never under a person already using the page);
# the chat's own scroll waits for gradio's autoscroll of the final update. (A single 300 ms wait was too short
# for a long answer: on a 390×844 phone an English answer of ~500 characters was still growing and ended
# scrolled to its end, its first line and the question above the chat's top.)
SHOW_NEWEST_JS = f"""() => {{
  {_CHAT_SCROLLER}
  if (chat) chat.setAttribute('aria-busy', 'false');
  if (!box) return;
  const r = chat.getBoundingClientRect();
  if (r.bottom < 80 || r.top > floor - 80) window.scrollBy(0, r.bottom - floor);
  // The answer is still being drawn when this runs (a long one grows for about a second, gradio's autoscroll
  // following it to the end): wait until the chat's height has held for half a second (at most 4 s).
  let height = -1, held = 0, polls = 0;
  const settle = () => {{
    held = box.scrollHeight === height ? held + 1 : 0;
    height = box.scrollHeight;
    if (held < 5 && ++polls < 40) {{ setTimeout(settle, 100); return; }}
    // A row between the chat and the pinned question box (the 转人工 offer, the related bundles; the chat gave up
    // its height for it, theme.css) is brought above the box, as far as the chat's top stays on screen.
    const rows = ['yjs-handoff-offer', 'yjs-candidates'].map(id => document.getElementById(id)).filter(Boolean);
    const under = Math.max(0, ...rows.map(e => e.getBoundingClientRect().bottom - floor));
    if (under > 0) window.scrollBy(0, Math.min(under, Math.max(0, chat.getBoundingClientRect().top)));
    const users = chat.querySelectorAll("[data-testid='user']");
    const last = users[users.length - 1];
    const below = last ? last.getBoundingClientRect().top - box.getBoundingClientRect().top : 0;
    if (last && box.scrollHeight - box.scrollTop - below > box.clientHeight) {{
      box.scrollTop += below - 8;  // a long answer: its question at the top, the answer from its beginning
    }}
  }};
  setTimeout(settle, 100);
}}"""

# Run once when the page loads. 一键办理 among the buttons on the newest answer is the panel's own 一键办理
# button (same label, same flow, same scroll to the form): the click is taken before gradio sees it, in the
# capture phase, so no chat turn starts.
PAGE_JS = """() => {
  document.addEventListener('click', (e) => {
    const option = e.target.closest && e.target.closest('#yjs-chat .option');
    const button = document.getElementById('yjs-prefill-btn');
    if (!option || !button || option.textContent.trim() !== button.textContent.trim()) return;
    e.stopPropagation();
    button.click();
  }, true);
}"""


def new_session(lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The per-browser-session state (kept server-side in a gr.State)."""
    return {"session_id": None, "lang": lang, "answer_id": None, "question": "", "one_thing": None,
            "options": [], "candidates": [], "citations": [], "more": [], "staff_seen": 0, "handed_off": False}


@dataclass
class AnswerView:
    """What the page shows for one engine `Answer` (pure: built without gradio, unit-tested)."""

    text: str
    sources_html: str
    source_choices: list[tuple[str, str]]
    citations: list[dict[str, str]]
    options: list[tuple[str, str]] = field(default_factory=list)  # (button label, text sent when clicked)
    candidates: list[tuple[str, str]] = field(default_factory=list)
    one_thing: str | None = None
    waiting_for_staff: bool = False
    offer_handoff: bool = False  # a refusal: 转人工 is offered as a button, never done silently
    more: list[tuple[str, str]] = field(default_factory=list)  # guide sections left out: (label, question sent)


def _choice(catalog, cid: str, name: str, lang: str, n: int | None = None) -> tuple[str, str]:
    o = catalog.get(cid)
    label = f"{o.name_en}（{o.name}）" if (o and lang == "en") else localise(name, lang)
    return (f"{n}. {label}" if n else label, o.name if o else name)


def answer_view(answer, catalog, lang: str) -> AnswerView:
    """Turn an engine `Answer` into chat text, sources, buttons and the chosen one-thing."""
    cites = [c.to_dict() for c in answer.citations]
    footer = render.citation_footer(cites, lang)
    text = render.chat_markdown(answer.answer) + (f"\n\n{footer}" if footer else "")
    options = [_choice(catalog, o.id, o.name, lang, n) for n, o in enumerate(answer.options[:SLOTS], 1)]
    chosen = answer.one_thing.id if answer.one_thing else None
    # Suggestions are the catalogue's related bundles, not the router's runner-up candidates (those are
    # whatever else the wording retrieved: 员工招聘 after a newborn question, 救助 after a weather one).
    cands = [] if options else [_choice(catalog, c.id, c.name, lang) for c in answer.related
                                if c.id != chosen][:SLOTS]
    waiting = bool(answer.handoff and answer.handoff.get("channel") == "staff")
    if waiting:  # taken over by a clerk: the message was stored for them, and the page says so
        text = t("staff_hold_sent", lang)
    # What a short answer left out (所需材料 / 办理时限 / 在哪办…): each label is itself a question the engine
    # recognises, so a click asks it as a follow-up.
    more = [] if waiting else [(localise(m.label, lang), m.label) for m in getattr(answer, "more", [])[:MORE_SLOTS]]
    return AnswerView(text, render.citations_html(cites, lang), render.source_choices(cites), cites, options, cands,
                      chosen, waiting, offer_handoff=bool(answer.refused) and not waiting, more=more)


def panel_markdown(catalog, one_thing_id: str | None, lang: str) -> str:
    o = catalog.get(one_thing_id) if (catalog is not None and one_thing_id) else None
    return render.bundle_markdown(o, lang) if o else t("panel_empty", lang)


class CitizenUI:
    """The citizen page's components and callbacks (build inside a `gr.Blocks` context)."""

    def __init__(self, services: UIServices) -> None:
        self.services = services
        self._build()
        self._wire()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        lang = DEFAULT_LANG
        self.state = gr.State(new_session())
        # The language the person picked on the switch; None until they do, and then answers follow the
        # language of each question (detected by the engine, which keeps the session's language).
        self.lang_choice = gr.State(None)
        with gr.Row(elem_classes="yjs-topbar"):
            self.heading = gr.Markdown(self._heading(lang), elem_id="yjs-heading")
            # The page's own controls, first on a phone (theme.css): 大字号/高对比 is a switch people can see
            # before they read anything, not a corner checkbox.
            with gr.Column(scale=0, min_width=340, elem_id="yjs-controls"):
                self.large = gr.Checkbox(False, label=t("large_mode", lang), elem_id="yjs-large-toggle")
                self.lang_radio = gr.Radio(LANG_CHOICES, value=lang, label=t("lang_label", lang), elem_id="yjs-lang")
        self.account = AccountUI(self.services)
        self.account.build_identity(lang)
        with gr.Row(equal_height=False, elem_classes="yjs-main"):
            with gr.Column(scale=3, min_width=260):
                self._build_chat(lang)
            with gr.Column(scale=2, min_width=260, elem_id="yjs-panel", variant="panel"):
                self.panel_title = gr.Markdown(f"## {t('panel_title', lang)}")
                self.panel = gr.Markdown(t("panel_empty", lang), elem_id="yjs-panel-body")
                # Visible only when services.prefill is set and a one-thing is chosen.
                self.prefill_btn = gr.Button(t("prefill", lang), variant="primary", visible=False, elem_id="yjs-prefill-btn")
                # The 一键办理 flow (consent → form → review → confirm → tracking number).
                with gr.Column(visible=False, elem_id="yjs-prefill-area") as self.prefill_area:
                    self.flow = PrefillFlow(self.services, self.account.who, self.prefill_area)
        self.account.attach_flow(self.flow)  # an accepted offer (under the sign-in) opens in this flow
        self.account.build_affairs(lang)
        self.poll_timer = gr.Timer(POLL_S, active=False)

    def _build_chat(self, lang: str) -> None:
        self.chatbot = gr.Chatbot(label=t("chat_label", lang), height=CHAT_HEIGHT, min_height=CHAT_MIN_HEIGHT,
                                  elem_id="yjs-chat", feedback_options=None, autoscroll=True, buttons=["copy"])
        with gr.Column(visible=False, elem_id="yjs-candidates") as self.cands_box:
            self.cands_label = gr.Markdown(t("candidates_label", lang))
            with gr.Row():
                self.cand_btns = [gr.Button("", size="sm", visible=False, elem_classes="yjs-choice",
                                            elem_id=f"yjs-candidate-{i}") for i in range(SLOTS)]
        with gr.Column(visible=False, elem_id="yjs-handoff-offer", elem_classes="yjs-offer") as self.offer_box:
            self.offer_label = gr.Markdown(t("handoff_offer", lang))
            self.offer_btn = gr.Button(t("handoff", lang), variant="primary", size="sm", elem_id="yjs-handoff-offer-btn")
        with gr.Row(elem_classes="yjs-ask"):
            self.question = gr.Textbox(label=t("question_label", lang), placeholder=t("question_placeholder", lang),
                                       lines=1, max_lines=4, max_length=2000, scale=4, min_width=180,
                                       elem_id="yjs-question")
            self.send = gr.Button(t("send", lang), variant="primary", scale=1, min_width=80, elem_id="yjs-send")
        self.examples_label = gr.Markdown(t("examples", lang))
        with gr.Row(elem_classes="yjs-examples"):
            self.example_btns = [gr.Button(t(k, lang), size="sm", elem_id=f"yjs-example-{i}")
                                 for i, k in enumerate(EXAMPLE_KEYS)]
        with gr.Column(visible=False, elem_id="yjs-rating") as self.rating_box:
            self.rate_label = gr.Markdown(t("rate_label", lang))
            self.rate_comment = gr.Textbox(label=t("rate_comment", lang), lines=1, max_length=1000,
                                           elem_id="yjs-rate-comment")
            with gr.Row():
                self.good_btn = gr.Button(t("rate_good", lang), size="sm", elem_id="yjs-rate-good")
                self.bad_btn = gr.Button(t("rate_bad", lang), size="sm", elem_id="yjs-rate-bad")
        self.rate_status = gr.Markdown("", elem_id="yjs-rate-status")
        with gr.Row():
            self.handoff_btn = gr.Button(t("handoff", lang), size="sm", variant="secondary", elem_id="yjs-handoff")
            self.new_btn = gr.Button(t("new_chat", lang), size="sm", variant="secondary", elem_id="yjs-new")
        with gr.Accordion(t("sources_title", lang), open=True, elem_id="yjs-sources-acc") as self.sources_acc:
            self.sources = gr.HTML(render.citations_html([], lang), elem_id="yjs-sources", js_on_load=None)
            self.source_pick = gr.Dropdown([], value=None, label=t("source_pick", lang), elem_id="yjs-source-pick")
            self.source_text = gr.Textbox(label=t("source_text", lang), lines=6, interactive=False,
                                          elem_id="yjs-source-text")

    @staticmethod
    def _heading(lang: str) -> str:
        return f"# {t('title', lang)}\n{t('intro', lang)}"  # the page's one level-one heading

    # -- wiring -----------------------------------------------------------------------------------
    def _turn_outputs(self) -> list:
        return [self.chatbot, self.question, self.sources, self.source_pick, self.source_text,
                self.offer_box, self.cands_box, *self.cand_btns, self.panel, self.prefill_btn, self.prefill_area,
                self.rating_box, self.rate_status, self.poll_timer, self.state, self.lang_radio]

    def _wire(self) -> None:
        out, priv = self._turn_outputs(), {"api_visibility": "private"}
        ask_inputs = [self.question, self.chatbot, self.state, self.lang_choice]
        turns = [(self.send.click, self.respond, ask_inputs), (self.question.submit, self.respond, ask_inputs)]
        turns += [(btn.click, self.ask_example, [btn, self.chatbot, self.state]) for btn in self.example_btns]
        turns += [(btn.click, self._picker("candidates", i), [self.chatbot, self.state]) for i, btn in enumerate(self.cand_btns)]
        turns += [(self.chatbot.option_select, self.pick_more, [self.chatbot, self.state])]
        for trigger, fn, inputs in turns:
            trigger(None, None, None, js=SHOW_CHAT_JS)
            trigger(fn, inputs, out, **priv).then(None, None, None, js=SHOW_NEWEST_JS)
        self.source_pick.change(self.show_source, [self.source_pick, self.state], [self.source_text], **priv)
        self.good_btn.click(self._rater("好评"), [self.rate_comment, self.state],
                            [self.rating_box, self.rate_comment, self.rate_status, self.state], **priv)
        self.bad_btn.click(self._rater("差评"), [self.rate_comment, self.state],
                           [self.rating_box, self.rate_comment, self.rate_status, self.state], **priv)
        for btn in (self.handoff_btn, self.offer_btn):
            btn.click(self.handoff, [self.chatbot, self.state], [self.chatbot, self.poll_timer, self.state, self.offer_box],
                      **priv)
        self.poll_timer.tick(self.poll, [self.chatbot, self.state], [self.chatbot, self.state], **priv)
        self.new_btn.click(self.new_chat, [self.state], out, **priv)
        self.prefill_btn.click(self.on_prefill, [self.state, self.account.who], self.flow.outputs, **priv).then(
            None, None, None, js="() => document.getElementById('yjs-prefill-area')?.scrollIntoView({block: 'start'})")
        self.account.wire(self.state)
        for event in (self.account.signin_event, self.account.signout_event):
            event.then(self.reset_flow, [self.state], self.flow.outputs, **priv)
        # .input is the person's own pick (it pins the answer language); .change also follows a detected
        # language that a typed question switched the page to.
        self.lang_radio.input(self.choose_lang, [self.lang_radio], [self.lang_choice], **priv)
        self.lang_radio.change(self.switch_lang, [self.lang_radio, self.state], self._lang_outputs(), **priv)
        self.lang_radio.change(self.flow.switch_lang, [self.lang_radio, self.account.who, self.flow.flow],
                               self.flow.outputs, **priv)
        self.lang_radio.change(lambda lang: self.flow.relabel(normalize_lang(lang)), [self.lang_radio],
                               self.flow.label_outputs, **priv)
        self.lang_radio.change(lambda lang, who: self.account.relabel(normalize_lang(lang), who),
                               [self.lang_radio, self.account.who], self.account.label_outputs, **priv)
        self.lang_radio.change(None, [self.lang_radio], None, js="(l) => { document.documentElement.lang = l; }")
        self.large.change(None, [self.large], None,
                          js="(on) => { document.body.classList.toggle('yjs-large', !!on); "
                             "document.documentElement.classList.toggle('yjs-large', !!on); }")

    # -- callbacks --------------------------------------------------------------------------------
    def _bot(self, lang: str):
        bot = self.services.assistant
        if bot is None:
            raise gr.Error(t("not_ready", lang))
        return bot

    @staticmethod
    def choose_lang(lang: str | None) -> str:
        """The person picked a language on the switch: answers are in it from now on, whatever the question's."""
        return normalize_lang(lang)

    def respond(self, question: str, history: list | None, st: dict, chosen: str | None = None) -> Iterator[dict]:
        """Send a typed question and stream the answer: in the language the person picked (`chosen`), else
        in the question's own language (None lets the engine detect it and keep the session's)."""
        yield from self._turn(question, history, st, requested=chosen or None)

    def ask_example(self, question: str, history: list | None, st: dict) -> Iterator[dict]:
        """An example button: its label is in the page's language, so the answer is too."""
        yield from self._turn(question, history, st, requested=normalize_lang(st.get("lang")))

    def _picker(self, kind: str, index: int):
        def pick(history: list | None, st: dict) -> Iterator[dict]:
            choices = st.get(kind) or []
            if index >= len(choices):
                return
            # The text sent is the catalogue's (Chinese) name: the session's language is kept explicitly.
            yield from self._turn(choices[index][1], history, st, shown=choices[index][0],
                                  requested=normalize_lang(st.get("lang")))

        return pick

    def pick_more(self, history: list | None, st: dict, evt: gr.SelectData) -> Iterator[dict]:
        """A button on the newest answer: one of the bundles a clarifying question offered, or a section the answer
        left out (所需材料 / 办理时限 / 在哪办…), asked as a follow-up. Only what this answer offered is sent (the value
        comes back from the browser); 一键办理 never gets here, the page hands it to the panel's button (PAGE_JS)."""
        for kind in ("options", "more"):
            sent = [q for _, q in st.get(kind) or []]
            if evt.value in sent:
                yield from self._picker(kind, sent.index(evt.value))(history, st)
                return

    def _turn(self, question: str, history: list | None, st: dict, shown: str | None = None,
              requested: str | None = None) -> Iterator[dict]:
        lang = normalize_lang(st.get("lang"))
        question = (question or "").strip()
        if not question:
            raise gr.Error(t("empty_question", lang))
        bot = self._bot(lang)
        before = list(history or [])
        chat = before + [{"role": "user", "content": shown or question},
                         {"role": "assistant", "content": t("thinking", lang)}]
        yield {self.chatbot: chat, self.question: "", self.cands_box: gr.update(visible=False), self.rating_box: gr.update(visible=False),
               self.offer_box: gr.update(visible=False), self.rate_status: ""}
        try:
            ans = bot.run(question, st.get("session_id"), requested)
        except AssistantError as exc:
            yield {self.chatbot: before, self.question: question}
            raise gr.Error(exc.message) from exc
        shown_lang, lang = lang, normalize_lang(getattr(ans, "lang", None) or lang)
        view = answer_view(ans, bot.catalog, lang)
        for part in render.stream_prefixes(view.text)[:-1]:
            yield {self.chatbot: [*chat[:-1], {"role": "assistant", "content": part}]}
            time.sleep(STREAM_DELAY_S)
        chat = [*chat[:-1], {"role": "assistant", "content": view.text}]
        st = {**self._remember(st, ans, question, view), "lang": lang}
        final = self._final(chat, view, st, bot)
        if lang != shown_lang:  # the page follows the answer's language (its .change relabels everything)
            final[self.lang_radio] = gr.update(value=lang)
        yield final

    @staticmethod
    def _remember(st: dict, ans, question: str, view: AnswerView) -> dict:
        st = dict(st)
        st.update(session_id=ans.session_id, answer_id=ans.answer_id, question=question, options=view.options,
                  candidates=view.candidates, citations=view.citations, more=view.more)
        if view.one_thing:
            st["one_thing"] = view.one_thing
        if view.waiting_for_staff:
            st["handed_off"] = True
        return st

    def _final(self, chat: list, view: AnswerView, st: dict, bot) -> dict:
        lang = st["lang"]
        # The buttons belong to the answer (gradio draws a message's options under the newest one, inside the
        # chat): a row of its own under the chat would push the question box off a phone screen, or hide under it.
        # A clarifying question's buttons are its options (which bundle is meant); an answer's, the sections it left
        # out and 一键办理 — not on a refusal or a hand-off ("我要投诉" in a retirement thread): the message is about no
        # bundle, and the button would start the last one's application under it.
        prefill = t("prefill", lang) if self._prefill_ready(st) and not view.offer_handoff else None
        options = render.answer_options(view.options) if view.options else render.answer_options(view.more, prefill)
        if options:
            chat = [*chat[:-1], {**chat[-1], "options": options}]
        upd: dict = {self.chatbot: chat, self.sources: view.sources_html,
                     self.source_pick: gr.update(choices=view.source_choices, value=None), self.source_text: "",
                     self.cands_box: gr.update(visible=bool(view.candidates)),
                     self.offer_box: gr.update(visible=view.offer_handoff and not st["handed_off"]),
                     self.panel: panel_markdown(bot.catalog, st["one_thing"], lang),
                     self.prefill_btn: gr.update(visible=self._prefill_ready(st)),
                     self.rating_box: gr.update(visible=not view.waiting_for_staff), self.rate_status: "",
                     self.poll_timer: gr.Timer(active=st["handed_off"]), self.state: st}
        upd.update(self._slot_updates(self.cand_btns, view.candidates))
        return upd

    @staticmethod
    def _slot_updates(buttons: list, choices: list[tuple[str, str]]) -> dict:
        return {b: gr.update(value=choices[i][0], visible=True) if i < len(choices) else gr.update(visible=False)
                for i, b in enumerate(buttons)}

    def _prefill_ready(self, st: dict) -> bool:
        return self.services.prefill is not None and bool(st.get("one_thing"))

    def show_source(self, source_id: str | None, st: dict) -> str:
        """The full text of a cited source, on demand."""
        if not source_id:
            return ""
        lang = normalize_lang(st.get("lang"))
        rec = self._bot(lang).retriever.record(source_id)
        return localise(rec.text, lang) if rec is not None else t("source_missing", lang)

    def _rater(self, rating: str):
        def rate(comment: str, st: dict) -> tuple:
            return self.rate(rating, comment, st)

        return rate

    def rate(self, rating: str, comment: str, st: dict) -> tuple:
        """好差评 on the last answer: the same record POST /v1/feedback writes."""
        lang = normalize_lang(st.get("lang"))
        if not st.get("answer_id"):
            raise gr.Error(t("rate_first", lang))
        bot = self._bot(lang)
        try:
            bot.conversations.rate_answer(rating=rating, conversation_id=st["session_id"], answer_id=st["answer_id"],
                                          comment=comment or "")
        except AssistantError as exc:
            raise gr.Error(exc.message) from exc
        return gr.update(visible=False), "", t("rate_thanks", lang), st

    def handoff(self, history: list | None, st: dict) -> tuple:
        """转人工 (the button under the chat, or the one offered with a refusal): put the conversation in the
        staff queue and start looking for their reply."""
        lang = normalize_lang(st.get("lang"))
        bot = self._bot(lang)
        sid = st.get("session_id") or bot.conversations.new_id()
        try:
            bot.conversations.request_handoff(sid)
        except AssistantError as exc:
            raise gr.Error(exc.message) from exc
        chat = list(history or []) + [{"role": "assistant", "content": t("handoff_done", lang)}]
        return chat, gr.Timer(active=True), {**st, "session_id": sid, "handed_off": True}, gr.update(visible=False)

    def poll(self, history: list | None, st: dict) -> tuple:
        """Show staff replies that arrived since the last look, each in its own bubble labelled with the
        clerk's role (runs on the timer from 转人工, or from a clerk's take-over, without the citizen typing)."""
        bot = self.services.assistant
        if bot is None or not st.get("session_id"):
            return gr.skip(), gr.skip()
        try:
            new = bot.conversations.staff_replies(st["session_id"], after=st.get("staff_seen", 0))
        except AssistantError:
            return gr.skip(), gr.skip()
        if not new:
            return gr.skip(), gr.skip()
        lang = normalize_lang(st.get("lang"))
        chat = list(history or []) + [render.staff_message(x["text"], lang) for x in new]
        return chat, {**st, "staff_seen": new[-1]["seq"]}

    def new_chat(self, st: dict) -> dict:
        lang = normalize_lang(st.get("lang"))
        fresh = new_session(lang)
        upd = {self.chatbot: [], self.question: "", self.sources: render.citations_html([], lang),
               self.source_pick: gr.update(choices=[], value=None), self.source_text: "",
               self.cands_box: gr.update(visible=False),
               self.offer_box: gr.update(visible=False), self.panel: t("panel_empty", lang), self.prefill_btn: gr.update(visible=False),
               self.prefill_area: gr.update(visible=False), self.rating_box: gr.update(visible=False), self.rate_status: "",
               self.poll_timer: gr.Timer(active=False), self.state: fresh}
        upd.update(self._slot_updates(self.cand_btns, []))
        return upd

    def on_prefill(self, st: dict, who=None) -> dict:
        """The "一键办理" button: open the pre-fill flow for the chosen one-thing (`st["one_thing"]`) and the
        signed-in person (`who`); signed out, the flow area asks to sign in first."""
        lang = normalize_lang(st.get("lang"))
        if self.services.prefill is None:
            raise gr.Error(t("prefill_down", lang))
        if not st.get("one_thing"):
            raise gr.Error(t("panel_empty", lang))
        return self.flow.start(who, st["one_thing"], lang, st.get("session_id"))

    def reset_flow(self, st: dict) -> dict:
        """After a sign-in or sign-out the open flow belonged to someone else: hide it."""
        return self.flow.reset(normalize_lang(st.get("lang")))

    # -- language ---------------------------------------------------------------------------------
    def _lang_outputs(self) -> list:
        return [self.heading, self.lang_radio, self.large, self.chatbot, self.question, self.send, self.new_btn,
                self.handoff_btn, self.offer_label, self.offer_btn, self.examples_label, *self.example_btns, self.cands_label,
                self.sources_acc, self.sources, self.source_pick, self.source_text, self.panel_title, self.panel,
                self.prefill_btn, self.rate_label, self.rate_comment, self.good_btn, self.bad_btn, self.state]

    def switch_lang(self, lang: str, st: dict) -> dict:
        """Set the answer language and relabel the page (answers already given stay as they were)."""
        lang = normalize_lang(lang)
        st = {**st, "lang": lang}
        bot = self.services.assistant
        upd = {
            self.heading: self._heading(lang), self.lang_radio: gr.update(label=t("lang_label", lang)),
            self.large: gr.update(label=t("large_mode", lang)), self.chatbot: gr.update(label=t("chat_label", lang)),
            self.question: gr.update(label=t("question_label", lang), placeholder=t("question_placeholder", lang)),
            self.send: gr.update(value=t("send", lang)), self.new_btn: gr.update(value=t("new_chat", lang)),
            self.handoff_btn: gr.update(value=t("handoff", lang)), self.examples_label: t("examples", lang),
            self.offer_label: t("handoff_offer", lang), self.offer_btn: gr.update(value=t("handoff", lang)),
            self.cands_label: t("candidates_label", lang),
            self.sources_acc: gr.update(label=t("sources_title", lang)),
            self.sources: render.citations_html(st.get("citations") or [], lang),
            self.source_pick: gr.update(label=t("source_pick", lang)),
            self.source_text: gr.update(label=t("source_text", lang)),
            self.panel_title: f"## {t('panel_title', lang)}",
            self.panel: panel_markdown(bot.catalog if bot else None, st.get("one_thing"), lang),
            self.prefill_btn: gr.update(value=t("prefill", lang)), self.rate_label: t("rate_label", lang),
            self.rate_comment: gr.update(label=t("rate_comment", lang)),
            self.good_btn: gr.update(value=t("rate_good", lang)),
            self.bad_btn: gr.update(value=t("rate_bad", lang)), self.state: st,
        }
        upd.update({b: gr.update(value=t(k, lang)) for b, k in zip(self.example_btns, EXAMPLE_KEYS, strict=True)})
        return upd
