"""Staff smart help-desk mode (智能帮办): sign-in, the live queue, a citizen's conversation with the
assistant's suggested reply and its sources, take-over / reply / hand-back, the matched one-thing's
materials checklist, 12345 ticket routing, knowledge gaps by topic, 帮办代办 (the 一键办理 flow run
by a clerk for a citizen who gave them their consent code), departments' status updates and the open
容缺待补 commitments (承诺办), overdue ones flagged.

Every action goes through `assistant.desk.StaffDesk` (the same object the /v1/staff routes
use), which checks the staff principal and audits the action. The signed-in `Principal` lives in
a server-side `gr.State`, so the browser never holds a token it could replay elsewhere.
"""

from __future__ import annotations

import functools
import logging
from html import escape
from typing import Any

import gradio as gr

from core.errors import AssistantError
from ui import prefill_render, render
from ui.prefill_flow import PrefillFlow
from ui.services import UIServices

log = logging.getLogger(__name__)

QUEUE_POLL_S = 5.0
STATUS_FILTERS = [("全部", "all"), ("待人工", "handoff"), ("人工处理中", "staff"), ("机器人应答", "bot")]
TICKET_EXAMPLE = "小区门口的路灯坏了一个多月了，晚上出行很不安全，希望尽快修好。"
TICKET_UNAVAILABLE = ("**工单分办暂不可用**：本系统尚未配置分办模型，暂时无法自动预测承办部门和留言类型。"
                      "请按本单位的分办规则人工分办，并联系系统管理员开通此功能。")
ASSIST_INTRO = ("群众在“办事咨询 → 我的办事 → 帮办授权码”生成6位授权码（10分钟内有效，仅可使用一次）并当面告知您。"
                "核验后即可代其办理一件事：授权、预填、核对都要与群众当面确认；每一步都以“工作人员代群众办理”"
                "记入审计日志和群众本人的数据使用记录。")


def _call(fn, *args, action: str | None = None):
    """Run a desk action; its `AssistantError` becomes a `gr.Error` that tells the clerk, in Chinese, what
    went wrong and what to do (`action` names the step when the error's code alone is too vague)."""
    try:
        return fn(*args)
    except AssistantError as exc:
        raise gr.Error(render.staff_error(exc.code, exc.field, exc.message, action,
                                          getattr(exc, "retry_after", None))) from exc


def _alert(message: str):
    """An inline message next to the action (hidden, taking no room, when empty)."""
    html = f'<p class="yjs-error" role="alert">{escape(message)}</p>' if message else ""
    return gr.update(value=html, visible=bool(message))


def _inline(fn, msg: gr.HTML):
    """Wire a callback so its `gr.Error` is shown in `msg` beside the action instead of as an overlay on
    the outputs (which would cover the form until a reload); a success clears `msg`. Callbacks keep
    raising, so they can be tested directly."""
    @functools.wraps(fn)
    def run(*args):
        try:
            out = fn(*args)
        except gr.Error as exc:
            return {msg: _alert(str(exc.message))}
        if isinstance(out, dict):
            return {**out, msg: _alert("")}
        return (*out, _alert("")) if isinstance(out, tuple) else (out, _alert(""))

    return run


def acting_markdown(who: dict[str, Any], clerk: str) -> str:
    """Who the clerk acts for, masked (姓名 张*三, 身份证号 110105********1234), so they can check the person
    and their ID card at the counter; never the internal person id, which tells the clerk nothing."""
    id_no = who.get("id_number_masked") or "（人口库无身份证号，请核对其他有效证件）"
    return (f"**正在代办**：{escape(who['name_masked'])} · 身份证号 {escape(id_no)}\n\n"
            f"请当面核对本人及其身份证件与上述信息一致后再办理。授权码已核验；每一步都记为 {escape(clerk)} 代办。")


class StaffUI:
    """The staff page's components and callbacks (build inside a `gr.Blocks` context)."""

    def __init__(self, services: UIServices) -> None:
        self.services = services
        self._build()
        self._wire()

    def desk(self):
        return _call(self.services.desk)

    @staticmethod
    def _need(principal) -> Any:
        if principal is None:
            raise gr.Error("请先登录窗口工作台。")
        return principal

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.principal = gr.State(None)
        self.current = gr.State(None)  # the open conversation id
        with gr.Column(elem_id="yjs-staff-login", variant="panel") as self.login_box:
            gr.Markdown("### 工作人员登录\n窗口工作台仅供政务服务中心和12345热线工作人员使用，所有操作都会记录审计日志。")
            self.user = gr.Textbox(label="工号 / 用户名", max_length=64, elem_id="yjs-staff-user")
            self.password = gr.Textbox(label="密码", type="password", max_length=256, elem_id="yjs-staff-password")
            self.login_btn = gr.Button("登录", variant="primary", elem_id="yjs-staff-login-btn")
            self.login_msg = gr.HTML("", visible=False, elem_id="yjs-staff-login-msg", js_on_load=None)
        with gr.Column(visible=False, elem_id="yjs-staff-desk") as self.desk_box:
            with gr.Row():
                self.whoami = gr.Markdown("", elem_id="yjs-staff-whoami")
                self.logout_btn = gr.Button("退出登录", size="sm", scale=0, min_width=100)
            with gr.Tabs():
                with gr.Tab("会话队列", id="queue"):
                    self._build_queue()
                with gr.Tab("工单分办", id="tickets"):
                    self._build_tickets()
                with gr.Tab("帮办代办", id="assist", elem_id="yjs-staff-tab-assist"):
                    self._build_assist()
                with gr.Tab("办理进度", id="progress", elem_id="yjs-staff-tab-progress"):
                    self._build_progress()
                with gr.Tab("容缺待补", id="commitments", elem_id="yjs-staff-tab-commitments") as self.tab_commit:
                    self._build_commitments()
                with gr.Tab("知识缺口", id="gaps"):
                    self.gaps_btn = gr.Button("刷新知识缺口", size="sm", elem_id="yjs-gaps-refresh")
                    self.gaps_msg = gr.HTML("", visible=False, elem_id="yjs-gaps-msg", js_on_load=None)
                    self.gaps = gr.Markdown("点击“刷新知识缺口”查看被拒答或差评的问题（按主题归类）。", elem_id="yjs-gaps")
        self.timer = gr.Timer(QUEUE_POLL_S, active=False)

    def _build_queue(self) -> None:
        with gr.Row():
            self.status_filter = gr.Radio(STATUS_FILTERS, value="all", label="筛选", scale=2, elem_id="yjs-queue-filter")
            self.refresh_btn = gr.Button("刷新", size="sm", scale=0, min_width=80, elem_id="yjs-queue-refresh")
        self.queue_md = gr.Markdown("", elem_id="yjs-queue")
        with gr.Row():
            self.pick = gr.Dropdown([], value=None, label="选择会话", scale=3, elem_id="yjs-queue-pick")
            self.open_btn = gr.Button("打开", variant="primary", scale=0, min_width=80, elem_id="yjs-open")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=260):
                self.conv_status = gr.Markdown("", elem_id="yjs-conv-status")
                self.conv_msg = gr.HTML("", visible=False, elem_id="yjs-conv-msg", js_on_load=None)
                self.transcript = gr.Chatbot(label="群众对话", height=320, feedback_options=None, elem_id="yjs-transcript")
                with gr.Row():
                    self.take_btn = gr.Button("接管会话", variant="primary", size="sm", elem_id="yjs-take-over")
                    self.back_btn = gr.Button("交还智能助手", size="sm", elem_id="yjs-hand-back")
                    self.suggest_btn = gr.Button("重新生成建议", size="sm", elem_id="yjs-suggest")
                self.reply = gr.Textbox(label="建议回复（可编辑后发送）", lines=5, max_length=4000, elem_id="yjs-reply")
                self.send_btn = gr.Button("发送回复", variant="primary", elem_id="yjs-send-reply")
                with gr.Accordion("建议回复的依据", open=False):
                    self.reply_sources = gr.HTML("", elem_id="yjs-reply-sources", js_on_load=None)
            with gr.Column(scale=2, min_width=260, variant="panel"):
                self.one_thing_md = gr.Markdown("**匹配的一件事**：—", elem_id="yjs-staff-one-thing")
                self.checklist = gr.CheckboxGroup([], label="材料核对清单", elem_id="yjs-checklist")

    def _build_assist(self) -> None:
        self.acting = gr.State(None)  # the citizen Principal (via_staff=this clerk) after a valid consent code
        gr.Markdown(ASSIST_INTRO)
        with gr.Row(elem_classes="yjs-wrap"):
            self.code_in = gr.Textbox(label="群众授权码（6位数字）", max_length=6, lines=1, scale=2, min_width=160,
                                      elem_id="yjs-assist-code")
            self.redeem_btn = gr.Button("核验授权码", variant="primary", scale=0, min_width=120, elem_id="yjs-assist-redeem")
        self.assist_msg = gr.HTML("", visible=False, elem_id="yjs-assist-msg", js_on_load=None)
        self.acting_md = gr.Markdown("", elem_id="yjs-assist-acting")
        with gr.Column(visible=False, elem_id="yjs-assist-box") as self.assist_box:
            with gr.Row(elem_classes="yjs-wrap"):
                self.assist_thing = gr.Dropdown([], value=None, label="新办一件事", min_width=200, elem_id="yjs-assist-thing")
                self.assist_draft = gr.Dropdown([], value=None, label="或继续群众未提交的申请", min_width=200,
                                                elem_id="yjs-assist-draft")
            with gr.Row(elem_classes="yjs-wrap"):
                self.assist_start = gr.Button("开始 / 继续办理", variant="primary", elem_id="yjs-assist-start")
                self.assist_end = gr.Button("结束代办", elem_id="yjs-assist-end")
            with gr.Column(visible=False, elem_id="yjs-assist-area") as self.assist_area:
                self.flow = PrefillFlow(self.services, self.acting, self.assist_area, prefix="yjs-sf", mode="staff")

    def _build_progress(self) -> None:
        gr.Markdown("按受理编号查询一件事申请在各部门的办理状态，并更新本部门的进度（待受理 → 已受理 → 办理中 → 已办结；"
                    "全程审计，群众在“查进度”中可见）。")
        with gr.Row(elem_classes="yjs-wrap"):
            self.prog_no = gr.Textbox(label="受理编号", placeholder="YJS-20261123-ABC234", max_length=32, lines=1, scale=2,
                                      min_width=200, elem_id="yjs-prog-no")
            self.prog_query = gr.Button("查询", scale=0, min_width=90, elem_id="yjs-prog-query")
        self.prog_msg = gr.HTML("", visible=False, elem_id="yjs-prog-msg", js_on_load=None)
        self.prog_html = gr.HTML("", elem_id="yjs-prog-out", js_on_load=None)
        self.prog_sub = gr.State({})  # department → its current status, from the last query
        with gr.Row(elem_classes="yjs-wrap"):
            self.prog_dept = gr.Dropdown([], value=None, label="部门", min_width=200, elem_id="yjs-prog-dept")
            # Only the moves allowed from the chosen department's current status are offered.
            self.prog_status = gr.Dropdown([], value=None, label="新状态", min_width=160, elem_id="yjs-prog-status",
                                           info="先查询并选择部门")
        self.prog_note = gr.Textbox(label="说明（可选，群众可见）", max_length=500, lines=1, elem_id="yjs-prog-note")
        self.prog_update = gr.Button("更新状态", variant="primary", elem_id="yjs-prog-update")

    def _build_commitments(self) -> None:
        gr.Markdown("容缺受理后群众承诺限期补交的材料（承诺办）：谁、哪份材料、补交期限、涉及哪些部门；逾期的标出，"
                    "便于提醒或按当地规定处理。群众在“我的办事 → 容缺待补”上传后自动办结。")
        with gr.Row(elem_classes="yjs-wrap"):
            self.commit_overdue = gr.Checkbox(label="只看已逾期", value=False, elem_id="yjs-commit-overdue")
            self.commit_refresh = gr.Button("刷新", size="sm", scale=0, min_width=80, elem_id="yjs-commit-refresh")
        self.commit_msg = gr.HTML("", visible=False, elem_id="yjs-commit-msg", js_on_load=None)
        self.commit_html = gr.HTML("", elem_id="yjs-commitments", js_on_load=None)

    def _build_tickets(self) -> None:
        gr.Markdown("粘贴一条12345热线或网上留言，预测承办领域 / 部门和留言类型（附概率），供分办参考。")
        self.ticket_in = gr.Textbox(label="留言内容", lines=4, max_length=4000, placeholder=TICKET_EXAMPLE,
                                    elem_id="yjs-ticket-in")
        self.ticket_btn = gr.Button("预测分办", variant="primary", elem_id="yjs-ticket-btn")
        self.ticket_msg = gr.HTML("", visible=False, elem_id="yjs-ticket-msg", js_on_load=None)
        self.ticket_md = gr.Markdown("", elem_id="yjs-ticket-out")
        self.ticket_label = gr.Label(label="承办领域（前三）", num_top_classes=3, visible=False, elem_id="yjs-ticket-label")

    # -- wiring -----------------------------------------------------------------------------------
    def _conv_outputs(self) -> list:
        return [self.conv_status, self.transcript, self.reply, self.reply_sources, self.one_thing_md, self.checklist,
                self.current]

    def _wire(self) -> None:
        priv = {"api_visibility": "private"}
        queue_out = [self.queue_md, self.pick]
        login_out = [self.principal, self.login_box, self.desk_box, self.whoami, self.password, self.timer, *queue_out,
                     self.login_msg]
        login = _inline(self.login, self.login_msg)
        self.login_btn.click(login, [self.user, self.password], login_out, **priv)
        self.password.submit(login, [self.user, self.password], login_out, **priv)
        self.logout_btn.click(self.logout, [self.principal, self.acting], self._logout_outputs(), **priv)
        for trigger in (self.timer.tick, self.refresh_btn.click, self.status_filter.change):
            trigger(self.refresh_queue, [self.principal, self.status_filter, self.pick], queue_out, **priv)
        self.timer.tick(self.refresh_open, [self.principal, self.current, self.transcript],
                        [self.conv_status, self.transcript], **priv)
        conv = [self.conv_status, self.transcript, self.conv_msg]
        self.open_btn.click(_inline(self.open_conversation, self.conv_msg), [self.principal, self.pick],
                            [*self._conv_outputs(), self.conv_msg], **priv)
        self.take_btn.click(_inline(self.take_over, self.conv_msg), [self.principal, self.current], conv, **priv)
        self.back_btn.click(_inline(self.hand_back, self.conv_msg), [self.principal, self.current], conv, **priv)
        self.suggest_btn.click(_inline(self.suggest, self.conv_msg), [self.principal, self.current],
                               [self.reply, self.reply_sources, self.conv_msg], **priv)
        self.send_btn.click(_inline(self.send_reply, self.conv_msg), [self.principal, self.current, self.reply],
                            [self.conv_status, self.transcript, self.reply, self.conv_msg], **priv)
        self.ticket_btn.click(_inline(self.route_ticket, self.ticket_msg), [self.principal, self.ticket_in],
                              [self.ticket_md, self.ticket_label, self.ticket_msg], **priv)
        self.gaps_btn.click(_inline(self.knowledge_gaps, self.gaps_msg), [self.principal], [self.gaps, self.gaps_msg],
                            **priv)
        assist_out = [self.acting, self.acting_md, self.assist_box, self.assist_thing, self.assist_draft, self.code_in,
                      *self.flow.outputs, self.assist_msg]
        act_for = _inline(self.act_for, self.assist_msg)
        self.redeem_btn.click(act_for, [self.principal, self.code_in], assist_out, **priv)
        self.code_in.submit(act_for, [self.principal, self.code_in], assist_out, **priv)
        self.assist_start.click(_inline(self.assist, self.assist_msg),
                                [self.principal, self.acting, self.assist_thing, self.assist_draft],
                                [*self.flow.outputs, self.assist_msg], **priv)
        self.assist_end.click(_inline(self.end_acting, self.assist_msg), [self.principal, self.acting], assist_out, **priv)
        commitments = _inline(self.commitments, self.commit_msg)
        for trigger in (self.tab_commit.select, self.commit_refresh.click, self.commit_overdue.change):
            trigger(commitments, [self.principal, self.commit_overdue], [self.commit_html, self.commit_msg], **priv)
        prog_out = [self.prog_html, self.prog_dept, self.prog_sub, self.prog_status, self.prog_msg]
        track = _inline(self.track, self.prog_msg)
        self.prog_query.click(track, [self.principal, self.prog_no, self.prog_dept], prog_out, **priv)
        self.prog_no.submit(track, [self.principal, self.prog_no, self.prog_dept], prog_out, **priv)
        self.prog_dept.change(self.status_choices, [self.prog_dept, self.prog_sub], [self.prog_status], **priv)
        self.prog_update.click(_inline(self.update_status, self.prog_msg),
                               [self.principal, self.prog_no, self.prog_dept, self.prog_status, self.prog_note],
                               [*prog_out[:-1], self.prog_note, self.prog_msg], **priv)

    # -- sign-in ----------------------------------------------------------------------------------
    def login(self, user: str, password: str, request: gr.Request | None = None) -> tuple:
        """Check the password (the same sign-in as the HTTP route: its per-address budget,
        YJS_LOGIN_ATTEMPTS_PER_MINUTE, and its per-account lockout, audited); keep the principal
        server-side."""
        from core.identity import Principal

        host = request.client.host if request is not None and request.client else "unknown"
        _call(self.services.login_limiter.check, "login:" + host)
        name = _call(self.services.sign_in_staff, (user or "").strip(), password or "")
        principal = Principal("staff", name)
        md, choices = self._queue_view(principal, "all", None)
        return (principal, gr.update(visible=False), gr.update(visible=True), f"已登录：**{name}**", "",
                gr.Timer(active=True), md, choices)

    def _logout_outputs(self) -> list:
        return [self.principal, self.login_box, self.desk_box, self.timer, self.current, self.acting, self.acting_md,
                self.assist_box, *self.flow.outputs]

    def logout(self, principal=None, acting=None) -> dict:
        upd = self.end_acting(principal, acting) if principal is not None else {}
        upd.update({self.principal: None, self.login_box: gr.update(visible=True), self.desk_box: gr.update(visible=False),
                    self.timer: gr.Timer(active=False), self.current: None, self.acting: None, self.acting_md: "",
                    self.assist_box: gr.update(visible=False)})
        upd.update(self.flow.reset("zh-Hans"))
        return upd

    # -- queue and conversation -------------------------------------------------------------------
    def _queue_view(self, principal, status: str | None, selected: str | None) -> tuple:
        try:
            rows = self.desk().queue(principal, None if status in (None, "all") else status)
        except gr.Error as exc:
            return f"队列暂不可用：{exc.message}", gr.update()
        choices = render.queue_choices(rows)
        keep = selected if selected in {v for _, v in choices} else None
        return render.queue_markdown(rows), gr.update(choices=choices, value=keep)

    def refresh_queue(self, principal, status: str, selected: str | None) -> tuple:
        if principal is None:
            return gr.skip(), gr.skip()
        return self._queue_view(principal, status, selected)

    def refresh_open(self, principal, conversation_id: str | None, shown: list | None) -> tuple:
        """On the timer: show the open conversation's new messages (already audited when opened)."""
        if principal is None or not conversation_id:
            return gr.skip(), gr.skip()
        try:
            conv = self.desk().open(principal, conversation_id, audit=False)
        except (gr.Error, AssistantError):
            return gr.skip(), gr.skip()
        messages = render.transcript_messages(conv["turns"])
        if len(messages) == len(shown or []):
            return self._status_line(conv), gr.skip()
        return self._status_line(conv), messages

    def _status_line(self, conv: dict) -> str:
        who = f"（{conv['assigned_to']}）" if conv.get("assigned_to") else ""
        return f"**会话** `{conv['id'][:8]}` · 状态：**{render.STATUS_LABELS.get(conv['status'], conv['status'])}**{who}"

    def open_conversation(self, principal, conversation_id: str | None) -> tuple:
        """Transcript, suggested reply with sources, the matched one-thing and its materials."""
        self._need(principal)
        if not conversation_id:
            raise gr.Error("请先在队列中选择一个会话。")
        desk = self.desk()
        conv = _call(desk.open, principal, conversation_id, action="open")
        reply, sources = self._suggestion(desk, principal, conversation_id)
        o = conv["one_thing"]
        one_md = f"**匹配的一件事**：{o['name']}（{o['name_en']}）" if o else "**匹配的一件事**：尚未识别"
        return (self._status_line(conv), render.transcript_messages(conv["turns"]), reply, sources, one_md,
                gr.update(choices=render.materials_choices(o), value=[]), conversation_id)

    def _suggestion(self, desk, principal, conversation_id: str) -> tuple[str, str]:
        """A short draft reply to the citizen's last message, and the sources it quotes (for the clerk)."""
        draft = _call(desk.draft_reply, principal, conversation_id)
        if not draft:
            return "", '<p class="yjs-muted">该会话还没有群众提问，无法生成建议。</p>'
        if not draft["citations"]:
            return draft["text"], '<p class="yjs-muted">这条建议回复没有引用办事指南（问题不在指南范围内或需要先确认所办事项）。</p>'
        return draft["text"], render.citations_html(draft["citations"], "zh-Hans")

    def _reload(self, desk, principal, conversation_id: str) -> tuple:
        """The conversation again after an action (the action itself is the audit record)."""
        conv = _call(lambda: desk.open(principal, conversation_id, audit=False))
        return self._status_line(conv), render.transcript_messages(conv["turns"])

    def take_over(self, principal, conversation_id: str | None) -> tuple:
        desk = self._desk_for_conv(principal, conversation_id)
        _call(desk.take_over, principal, conversation_id, action="take_over")
        gr.Info("已接管：智能助手暂停应答，群众的新消息会等待您回复。")
        return self._reload(desk, principal, conversation_id)

    def hand_back(self, principal, conversation_id: str | None) -> tuple:
        desk = self._desk_for_conv(principal, conversation_id)
        _call(desk.hand_back, principal, conversation_id, action="hand_back")
        gr.Info("已交还智能助手。")
        return self._reload(desk, principal, conversation_id)

    def suggest(self, principal, conversation_id: str | None) -> tuple:
        desk = self._desk_for_conv(principal, conversation_id)
        return self._suggestion(desk, principal, conversation_id)

    def send_reply(self, principal, conversation_id: str | None, text: str) -> tuple:
        desk = self._desk_for_conv(principal, conversation_id)
        if not (text or "").strip():
            raise gr.Error("回复内容为空。")
        _call(desk.reply, principal, conversation_id, text, action="reply")
        gr.Info("回复已发送。")
        return (*self._reload(desk, principal, conversation_id), "")

    def _desk_for_conv(self, principal, conversation_id: str | None):
        self._need(principal)
        if not conversation_id:
            raise gr.Error("请先打开一个会话。")
        return self.desk()

    # -- tickets and knowledge gaps ---------------------------------------------------------------
    def route_ticket(self, principal, message: str) -> tuple:
        self._need(principal)
        message = (message or "").strip()
        if not message:
            raise gr.Error("请先粘贴留言内容。")
        desk = self.desk()
        if not self._ticket_model_ready(desk):
            return TICKET_UNAVAILABLE, gr.update(visible=False)
        pred = _call(desk.route_ticket, principal, message)
        return render.ticket_markdown(pred), gr.update(value=render.ticket_label(pred), visible=True)

    @staticmethod
    def _ticket_model_ready(desk) -> bool:
        """Whether a ticket model is loaded. When not, the how-to-train detail (a server path, a CLI
        command) is for whoever runs the server, so it goes to the log; the clerk gets `TICKET_UNAVAILABLE`."""
        try:
            if desk.tickets is not None and desk.tickets.get() is not None:
                return True
        except AssistantError as exc:  # a damaged or outdated model file
            log.warning("ticket routing unavailable: %s", exc.message)
            return False
        log.warning("ticket routing unavailable: %s", desk.tickets.hint if desk.tickets else "no ticket model configured")
        return False

    def knowledge_gaps(self, principal) -> str:
        self._need(principal)
        return render.gaps_markdown(_call(self.desk().knowledge_gaps, principal))

    # -- 帮办代办 and department status ---------------------------------------------------------------
    def act_for(self, principal, code: str) -> dict:
        """Check the citizen's consent code; the clerk then acts for that citizen (every step audited as such)."""
        self._need(principal)
        code = (code or "").strip()
        if len(code) != 6 or not code.isdigit():
            raise gr.Error("请输入群众告知的6位数字授权码。")
        desk = self.desk()
        acting = _call(desk.act_for, principal, code, action="act_for")
        who = _call(desk.acting_identity, principal, acting)
        drafts = [(f"{d.title} · {prefill_render.fmt_time(d.updated_at)} · {'已确认' if d.status == 'confirmed' else '填写中'}",
                   d.draft_id) for d in _call(desk.assist_drafts, principal, acting)]
        gr.Info("授权码有效：请先当面核对办事人身份，再代其办理。")
        upd = {self.acting: acting, self.code_in: "", self.assist_box: gr.update(visible=True),
               self.acting_md: acting_markdown(who, principal.subject),
               self.assist_thing: gr.update(choices=_call(desk.assist_one_things, principal), value=None),
               self.assist_draft: gr.update(choices=drafts, value=None)}
        upd.update(self.flow.reset("zh-Hans"))
        return upd

    def assist(self, principal, acting, one_thing_id: str | None, draft_id: str | None) -> dict:
        """Start the chosen one-thing, or continue the chosen draft, in the flow below (as the citizen, via_staff)."""
        self._need(principal)
        if acting is None:
            raise gr.Error("请先核验群众的授权码。")
        if not (one_thing_id or draft_id):
            raise gr.Error("请选择要办理的一件事，或要继续的申请。")
        view = _call(self.desk().assist, principal, acting, None if draft_id else one_thing_id, draft_id)
        return self.flow.open_draft(acting, view, "zh-Hans")

    def end_acting(self, principal, acting) -> dict:
        if principal is not None and acting is not None:
            try:
                self.desk().end_acting(principal, acting)
            except gr.Error:
                log.warning("end of acting-for not audited: the desk is not available")
        upd = {self.acting: None, self.acting_md: "", self.assist_box: gr.update(visible=False), self.code_in: "",
               self.assist_thing: gr.update(value=None), self.assist_draft: gr.update(choices=[], value=None)}
        upd.update(self.flow.reset("zh-Hans"))
        return upd

    def commitments(self, principal, overdue_only: bool) -> str:
        """The open 容缺待补 commitments (the desk checks the clerk and audits the look)."""
        self._need(principal)
        items = _call(self.desk().pending_commitments, principal, bool(overdue_only), action="commitments")
        return render.commitments_html(items, bool(overdue_only))

    def track(self, principal, tracking_no: str, department: str | None) -> tuple:
        """A submission's departments and their statuses; the status menu offers only the chosen
        department's allowed next steps."""
        self._need(principal)
        no = (tracking_no or "").strip().upper()
        if not no:
            raise gr.Error("请输入受理编号。")
        sub = _call(self.desk().track_submission, principal, no, action="track")
        statuses = {d.department: d.status for d in sub.departments}
        keep = department if department in statuses else None
        return (prefill_render.submission_html(sub, "zh-Hans"), gr.update(choices=list(statuses), value=keep), statuses,
                self.status_choices(keep, statuses))

    @staticmethod
    def status_choices(department: str | None, statuses: dict | None):
        """The new-status menu for `department`: only the moves allowed from its current status."""
        current = (statuses or {}).get(department) if department else None
        if current is None:
            return gr.update(choices=[], value=None, info="先查询并选择部门")
        allowed = render.next_statuses(current)
        info = f"当前：{current}" + ("" if allowed else "（已是最终状态，无需更新）")
        return gr.update(choices=allowed, value=None, info=info)

    def update_status(self, principal, tracking_no: str, department: str | None, status: str | None, note: str) -> tuple:
        self._need(principal)
        if not department or not status:
            raise gr.Error("请先查询受理编号，再选择部门和新状态。")
        no = (tracking_no or "").strip().upper()
        change = _call(self.desk().update_submission_status, principal, no, department, status, (note or "").strip(),
                       action="update_status")
        gr.Info(f"{change.department}：{change.old_status} → {change.new_status}")
        return (*self.track(principal, no, department), "")
