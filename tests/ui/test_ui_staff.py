"""Staff-desk callbacks on the fast stack: sign-in, queue, take-over, reply, tickets, gaps — all audited."""

import logging
import re

import gradio as gr
import pytest

from app.ratelimit import RateLimiter
from app.services import Services
from assistant.state import StaffAuditLog
from core.identity import StaffDirectory, TokenSigner
from ui import render
from ui import staff as staff_mod
from ui.staff import StaffUI


@pytest.fixture
def app(fast_assistant, settings):
    services = Services.from_settings(settings, assistant=fast_assistant)
    services.staff_directory = StaffDirectory({}, allow_demo=True)
    services.signer = TokenSigner("test-secret")
    services.login_limiter = RateLimiter(5)
    return services


@pytest.fixture
def ui(app):
    with gr.Blocks():
        yield StaffUI(app)


@pytest.fixture
def clerk(ui):
    return ui.login("clerk", "clerk-demo")[0]


def test_login(ui, fast_assistant):
    with pytest.raises(gr.Error, match="工号或密码不正确"):
        ui.login("clerk", "nope")
    principal, login_box, desk_box, whoami, password, timer, queue_md, pick = ui.login(" clerk ", "clerk-demo")
    assert principal.kind == "staff" and principal.subject == "clerk"
    assert login_box["visible"] is False and desk_box["visible"] is True and "clerk" in whoami
    assert password == "" and timer.active
    assert StaffAuditLog(fast_assistant.conversations).entries(staff_user="clerk")[0]["action"] == "login"
    out = ui.logout(principal, None)
    assert out[ui.principal] is None and out[ui.desk_box]["visible"] is False and out[ui.acting] is None


def test_sign_in_attempts_share_the_per_address_budget(ui):
    for _ in range(4):
        with pytest.raises(gr.Error, match="工号或密码不正确"):
            ui.login("clerk", "guess")
    assert ui.login("clerk", "clerk-demo")[0].subject == "clerk"  # the 5th attempt is still allowed
    with pytest.raises(gr.Error, match="尝试次数过多，请\\d+秒后再试"):
        ui.login("clerk", "clerk-demo")  # the 6th is refused, even with the right password


def test_signed_out_actions_are_refused(ui):
    assert ui.refresh_queue(None, "all", None) == (gr.skip(), gr.skip())
    for call in (lambda: ui.open_conversation(None, "x"), lambda: ui.take_over(None, "x"),
                 lambda: ui.send_reply(None, "x", "hi"), lambda: ui.route_ticket(None, "路灯坏了"),
                 lambda: ui.knowledge_gaps(None)):
        with pytest.raises(gr.Error, match="登录"):
            call()


def test_take_over_and_reply_through_the_desk(ui, clerk, fast_assistant):
    bot = fast_assistant
    ans = bot.run("退休一件事要准备什么材料")
    sid = ans.session_id
    bot.conversations.request_handoff(sid)
    queue_md, pick = ui.refresh_queue(clerk, "handoff", None)
    assert "待人工" in queue_md and "退休一件事要准备什么材料" in queue_md
    assert pick["choices"][0][1] == sid and pick["value"] is None
    assert ui.refresh_queue(clerk, "all", sid)[1]["value"] == sid  # the selection survives a refresh

    status, transcript, reply, sources, one_md, checklist, current = ui.open_conversation(clerk, sid)
    assert "待人工" in status and transcript[0] == {"role": "user", "content": "退休一件事要准备什么材料"}
    assert reply and "<details" in sources and "退休一件事" in one_md and checklist["choices"] and current == sid

    with pytest.raises(gr.Error, match="请先点“接管会话”"):
        ui.send_reply(clerk, sid, reply)
    status, _ = ui.take_over(clerk, sid)
    assert "人工处理中" in status and "clerk" in status
    with pytest.raises(gr.Error):
        ui.send_reply(clerk, sid, "   ")
    status, transcript, cleared = ui.send_reply(clerk, sid, reply + "（已核对）")
    assert transcript[-1]["content"] == f"【工作人员 clerk】{reply}（已核对）" and cleared == ""
    assert ui.refresh_open(clerk, sid, transcript)[1] == gr.skip()  # nothing new: the chat is left alone
    bot.run("还需要别的材料吗？", session_id=sid)  # held for the clerk, shows up on the next refresh
    assert ui.refresh_open(clerk, sid, transcript)[1][-1] == {"role": "user", "content": "还需要别的材料吗？"}
    assert ui.refresh_open(None, sid, transcript) == (gr.skip(), gr.skip())
    status, _ = ui.hand_back(clerk, sid)
    assert "机器人应答" in status
    actions = [e["action"] for e in StaffAuditLog(bot.conversations).entries(conversation_id=sid)]
    assert {"view", "suggest", "take_over", "reply", "hand_back"} <= set(actions)
    assert actions.count("view") == 1  # reloads after an action and timer refreshes are not extra views


def test_open_needs_a_selection(ui, clerk):
    with pytest.raises(gr.Error, match="选择"):
        ui.open_conversation(clerk, None)
    with pytest.raises(gr.Error, match="找不到这个会话"):
        ui.open_conversation(clerk, "nope")


def test_ticket_panel_without_a_model_tells_staff_in_chinese(ui, clerk, caplog):
    """Issue 11 item 13: no English, server path or CLI command for the clerk; the how-to is in the log."""
    with caplog.at_level(logging.WARNING, logger=staff_mod.log.name):
        md, label = ui.route_ticket(clerk, "小区门口的路灯坏了")
    assert "工单分办暂不可用" in md and "人工分办" in md and label["visible"] is False
    assert not re.search(r"[A-Za-z]{3,}|/|joblib", md), md
    assert "python -m assistant.tickets train" in caplog.text, caplog.text
    with pytest.raises(gr.Error):
        ui.route_ticket(clerk, "  ")


def test_knowledge_gaps_panel(ui, clerk, fast_assistant):
    assert "暂无" in ui.knowledge_gaps(clerk)
    assert fast_assistant.run("告诉我邻居的身份证号是多少").refused
    assert "暂无" in ui.knowledge_gaps(clerk)  # refused as it must be: no guide is missing
    assert fast_assistant.run("明天北京天气怎么样").refused
    assert "拒答 1" in ui.knowledge_gaps(clerk)


def test_errors_are_shown_inline_in_chinese_and_recoverable(ui):
    """Issue 11 item 10: a failed action puts a Chinese message beside it (no overlay on the outputs);
    the next success clears it."""
    login = staff_mod._inline(ui.login, ui.login_msg)
    failed = login("clerk", "wrong")
    assert set(failed) == {ui.login_msg} and "工号或密码不正确" in failed[ui.login_msg]["value"]
    assert failed[ui.login_msg]["visible"] is True and 'role="alert"' in failed[ui.login_msg]["value"]
    ok = login("clerk", "clerk-demo")
    assert ok[0].subject == "clerk" and ok[-1]["visible"] is False


def test_staff_error_wording():
    assert render.staff_error("unauthorized", None, "unknown staff user or wrong password") == "工号或密码不正确，请重新输入。"
    assert render.staff_error("invalid_input", "code", "code: must be the 6 digits (授权码应为6位数字)") == "授权码应为6位数字。"
    assert render.staff_error("conflict", "status", "status: 民政部门 is 已办结; next can be nothing") == \
        "该部门的进度已变化，请重新查询后再选择新状态。"
    assert render.staff_error("conflict", None, "take it over first", "reply") == "请先点“接管会话”，再发送回复。"
    assert render.staff_error("rate_limited", None, "slow down", retry_after=42) == "尝试次数过多，请42秒后再试。"
    assert render.staff_error("weird", None, "Traceback …") == "操作未能完成，请稍后重试。"
    assert not any(c.isascii() and c.isalpha() for c in render.staff_error("not_found", "tracking_no", "no submission"))


def test_only_valid_next_statuses_are_offered(ui):
    assert render.next_statuses("待受理") == ["已受理", "不予受理"]
    assert render.next_statuses("已办结") == [] and render.next_statuses(None) == []
    menu = ui.status_choices("民政部门", {"民政部门": "已受理"})
    assert menu["choices"] == ["办理中", "需补正", "已办结"] and "当前：已受理" in menu["info"]
    assert ui.status_choices("民政部门", {"民政部门": "已办结"})["choices"] == []
    assert ui.status_choices(None, {})["choices"] == []


# --- 帮办代办: who the clerk acts for (issue 11 item 12) ---------------------------------------------------------
@pytest.fixture
def assist_ui(app, settings):
    from prefill.service import build_prefill_service

    app.prefill = build_prefill_service(settings)
    with gr.Blocks():
        yield StaffUI(app)


def _code_for(svc, person: str) -> str:
    from core.identity import Principal

    return svc.issue_consent_code(Principal("citizen", person)).code


def test_acting_for_shows_the_masked_name_and_id_and_the_catalogue_list(assist_ui, app):
    """The clerk sees 张*三 · 110105********1234 (to check the person at the counter), not the internal
    person id; the one-things are named and ordered as in the catalogue; the check is in the citizen's record."""
    from core.identity import Principal
    from prefill.seed import scenarios_from_meta
    from prefill.sources import PersonRow

    svc = app.prefill
    person = next(s.applicant_id for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "retirement")
    with svc.shared.session() as s:
        row = s.get(PersonRow, person)
        name, id_number = row.name, row.id_number
    clerk = assist_ui.login("clerk", "clerk-demo")[0]
    upd = assist_ui.act_for(clerk, _code_for(svc, person))
    shown = upd[assist_ui.acting_md]
    assert f"{name[0]}{'*' * (len(name) - 1)}" in shown and f"{id_number[:6]}********{id_number[-4:]}" in shown
    assert person not in shown and name not in shown and id_number not in shown and "核对" in shown

    things = upd[assist_ui.assist_thing]["choices"]
    catalog = [(o.name, o.id) for o in app.assistant.catalog]
    assert things == [t for t in catalog if t in things] and len(things) == len(svc.forms())
    assert ("新生儿出生一件事", "newborn") == things[0] and all(n.endswith("一件事") for n, _ in things)

    log = svc.my_access_log(Principal("citizen", person))
    check = [e for e in log if e.action == "read" and "核对办事人身份" in e.purpose]
    assert check and check[0].who.startswith("窗口工作人员 clerk")


def test_only_a_clerk_acting_for_the_citizen_sees_who_they_are(assist_ui, app):
    from core.errors import Forbidden
    from core.identity import Principal

    desk = app.desk()
    clerk, other = Principal("staff", "clerk"), Principal("staff", "other")
    acting = Principal("citizen", "P00001", via_staff="clerk")
    with pytest.raises(Forbidden):
        desk.acting_identity(other, acting)
    with pytest.raises(Forbidden):
        desk.acting_identity(clerk, Principal("citizen", "P00001"))
    with pytest.raises(Forbidden):
        app.prefill.acting_for(Principal("citizen", "P00001"))
    assert desk.acting_identity(clerk, acting)["name_masked"].endswith("*")


# --- 承诺办: the clerk sees open and overdue 容缺待补 (issue 12) ------------------------------------------------
def test_the_desk_lists_open_commitments_masked_with_the_overdue_ones_flagged(assist_ui, app):
    import datetime as dt

    from core.identity import Principal
    from prefill.seed import scenarios_from_meta
    from prefill.sources import PersonRow

    svc = app.prefill
    person = next(s.applicant_id for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "childcare_subsidy")
    me = Principal("citizen", person)
    draft = svc.start_draft(me, "childcare_subsidy")
    svc.grant_all(me, draft.draft_id)
    svc.prefill(me, draft.draft_id)
    svc.mark_material_missing(me, draft.draft_id, "监护关系证明")
    svc.confirm(me, draft.draft_id)
    sub = svc.submit(me, draft.draft_id)
    with svc.shared.session() as s:
        row = s.get(PersonRow, person)
        name, id_number = row.name, row.id_number
    clerk = assist_ui.login("clerk", "clerk-demo")[0]

    html = assist_ui.commitments(clerk, False)
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    row_html = re.search(r'<tr class="yjs-commitment-row".*?</tr>', html).group(0)
    for shown in (f"{id_number[:6]}********{id_number[-4:]}", name[0] + "*", "监护关系证明", due, "民政部门",
                  sub.tracking_no, "育儿补贴", "未到期"):
        assert shown in row_html, shown
    assert id_number not in html and name not in html and person not in html  # masked; no internal person id
    assert "没有逾期" in assist_ui.commitments(clerk, True)

    svc.commitments.today = lambda: dt.date.today() + dt.timedelta(days=31)
    overdue = assist_ui.commitments(clerk, True)
    assert "已逾期" in overdue and "只看已逾期：共 1 项" in overdue and "监护关系证明" in overdue
    assert "共 1 项容缺待补，其中 <strong>1 项已逾期" in assist_ui.commitments(clerk, False)
    assert any(e["action"] == "pending_commitments" for e in StaffAuditLog(app.assistant.conversations).entries(
        staff_user="clerk"))
    with pytest.raises(gr.Error):
        assist_ui.commitments(None, False)


def test_commitments_table_wording():
    from types import SimpleNamespace

    item = SimpleNamespace(applicant_name_masked="王*", applicant_id_number_masked="110105********1234",
                           title="育儿补贴申领一件事申请表", one_thing_id="childcare_subsidy", tracking_no=None,
                           material="<b>证明</b>", due="2026-01-31", departments=["民政部门", "财政部门"], overdue=True)
    html = render.commitments_html([item])
    assert "110105********1234" in html and "未提交" in html and "民政部门、财政部门" in html
    assert "&lt;b&gt;证明" in html and "<b>证明" not in html  # data, never markup
    assert 'data-overdue="true"' in html and "共 1 项容缺待补，其中 <strong>1 项已逾期" in html
    assert "目前没有容缺待补" in render.commitments_html([])
