"""Pure rendering helpers for the web UI: answer streaming, citations, the bundle side panel and the
staff desk's tables. No gradio here, so they are unit-tested directly.

Everything that ends up as HTML is escaped: guide text, citizen questions and staff replies are
data, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from core.clock import fmt_local
from core.status import CONVERSATION_STATUS_ZH, DEPARTMENT_TRANSITIONS, DepartmentStatus
from ui.i18n import localise, t

STREAM_STEP_CHARS = 24
MAX_STREAM_STEPS = 40


_LIST_ITEM = re.compile(r"^\s*([-•·*]|\d+[.、])\s")


def chat_markdown(text: str) -> str:
    """The engine's answer as the chat renders it (Markdown): a line after a list ends the list. Without the blank
    line Markdown continues the last item with it, so an FAQ quoted after a list of deadlines showed inside its
    last bullet on the phone."""
    lines = text.split("\n")
    out = lines[:1]
    for prev, line in zip(lines, lines[1:], strict=False):
        if line.strip() and prev.strip() and _LIST_ITEM.match(prev) and not _LIST_ITEM.match(line):
            out.append("")
        out.append(line)
    return "\n".join(out)


def stream_prefixes(text: str, step: int = STREAM_STEP_CHARS, max_steps: int = MAX_STREAM_STEPS) -> list[str]:
    """Growing prefixes of `text` for a progressive display, ending with the whole text.

    Steps break after a newline or a Chinese/English sentence end when one is near, so a partial
    message rarely stops mid-word; at most `max_steps` steps however long the answer.
    """
    if not text:
        return [""]
    step = max(step, -(-len(text) // max_steps))
    cuts, i = [], 0
    while i < len(text):
        j = min(len(text), i + step)
        window = text[i:j]
        for mark in ("\n", "。", "；", ". ", "，", ", "):
            k = window.rfind(mark)
            if k >= step // 2:
                j = i + k + len(mark)
                break
        cuts.append(j)
        i = j
    return [text[:c] for c in cuts]


# --- the citizen's chat ----------------------------------------------------------------------------
def staff_message(text: str, lang: str) -> dict[str, str]:
    """A clerk's reply as its own chat bubble, labelled with their role (never their name); the text is
    data, so it is escaped, and line breaks are kept."""
    body = escape(text or "").replace("\n", "<br>")
    return {"role": "assistant",
            "content": f'<div class="yjs-staff-msg" role="note"><p class="yjs-staff-role">{escape(t("staff_role", lang))}</p>'
                       f"<p>{body}</p></div>"}


def answer_options(more: Iterable[tuple[str, str]], prefill: str | None = None) -> list[dict[str, str]]:
    """The buttons on the newest answer, as a gradio message's ``options``: each section the short answer
    left out (label shown, question sent when clicked), then 一键办理 (`prefill`, its label) when a bundle
    can be applied for."""
    out = [{"value": question, "label": label} for label, question in more]
    return out + [{"value": prefill, "label": prefill}] if prefill else out


# --- citations ------------------------------------------------------------------------------------
def _cite(c: Any, key: str) -> str:
    return str(c.get(key, "") if isinstance(c, Mapping) else getattr(c, key, ""))


def citation_footer(citations: Iterable[Any], lang: str) -> str:
    """One line under an answer naming its sources by number, e.g. ``依据：[1] 新生儿… · 联办事项``."""
    items = [f"[{n}] {_cite(c, 'title')}" for n, c in enumerate(citations, 1)]
    if not items:
        return ""
    label = "Sources" if lang == "en" else localise("依据", lang)
    return f"{label}: " + "; ".join(items) if lang == "en" else f"{label}：" + "；".join(items)


def citations_html(citations: Iterable[Any], lang: str) -> str:
    """Each citation as a keyboard-usable ``<details>``: the title, the verbatim quote, the source id."""
    cites = list(citations)
    if not cites:
        return f'<p class="yjs-muted">{escape(t("sources_none", lang))}</p>'
    parts = [f'<div class="yjs-sources" aria-label="{escape(t("sources_title", lang))}">']
    for n, c in enumerate(cites, 1):
        parts.append(
            f'<details class="yjs-source" data-source-id="{escape(_cite(c, "source_id"))}">'
            f"<summary>[{n}] {escape(_cite(c, 'title'))}</summary>"
            f'<blockquote>{escape(_cite(c, "quote")).replace(chr(10), "<br>")}</blockquote>'
            f'<p class="yjs-muted">{escape(t("source_id", lang))}: <code>{escape(_cite(c, "source_id"))}</code></p>'
            "</details>"
        )
    parts.append("</div>")
    return "".join(parts)


def source_choices(citations: Iterable[Any]) -> list[tuple[str, str]]:
    """Dropdown choices (label, source id) for 'show the full source text'."""
    return [(f"[{n}] {_cite(c, 'title')}", _cite(c, "source_id")) for n, c in enumerate(citations, 1)]


def source_text(records: Iterable[Any]) -> str:
    """The full text of a cited section (a long section may be stored as several chunks)."""
    return "\n".join(getattr(r, "text", "") for r in records).strip()


# --- the bundle side panel ------------------------------------------------------------------------
def _material_line(m: Any, lang: str) -> str:
    notes = []
    if m.e_licence:
        notes.append(t("e_licence", lang))
    if not m.required:
        notes.append(t("optional", lang))
    if m.tolerance:
        notes.append(t("tolerance", lang))
    if m.note:
        notes.append(localise(m.note, lang))
    return f"- {localise(m.name, lang)}" + (f" —— {'；'.join(notes)}" if notes else "")


def bundle_markdown(o: Any, lang: str) -> str:
    """The one-thing at a glance: summary, services bundled, what it replaces, materials (marking
    e-licence and 容缺 ones), time limit, fees and channels incl. 跨省通办 / 代办 / 容缺."""
    L = lambda s: localise(s, lang)  # noqa: E731
    title = f"{o.name_en}（{o.name}）" if lang == "en" else L(o.name)
    out = [f"### {title}"]
    if lang == "en":
        out.append(f"*{t('content_in_chinese', lang)}*")
    out += [f"**{t('summary', lang)}**：{L(o.summary)}", f"**{t('lead_department', lang)}**：{L(o.lead_department)}"]
    if o.services:
        out.append(f"**{t('bundles', lang)}**：" + "、".join(L(s.name) for s in o.services))
    if o.replaced:
        out.append(f"**{t('replaced', lang)}**：\n" + "\n".join(f"- ~~{L(r)}~~" for r in o.replaced))
    if o.materials:
        out.append(f"**{t('materials', lang)}**：\n" + "\n".join(_material_line(m, lang) for m in o.materials))
    out += [f"**{t('time_limit', lang)}**：{L(o.time_limit)}", f"**{t('fees', lang)}**：{L(o.fees)}"]
    ch = o.channels
    lines = []
    if ch.online:
        lines.append(f"- {t('online', lang)}：" + "、".join(L(x) for x in ch.online))
    if ch.offline:
        lines.append(f"- {t('offline', lang)}：" + "、".join(L(x) for x in ch.offline))
    for key, value in (("cross_province", ch.cross_province), ("proxy", ch.proxy), ("tolerance_policy", ch.tolerance)):
        if value:
            lines.append(f"- **{t(key, lang)}**：{L(value)}")
    if lines:
        out.append(f"**{t('channels', lang)}**：\n" + "\n".join(lines))
    if getattr(o, "sample_data", False):
        out.append(f"> {t('sample_note', lang).format(region=L(o.region))}")
    return "\n\n".join(out)


# --- staff desk -----------------------------------------------------------------------------------
STATUS_LABELS = CONVERSATION_STATUS_ZH
_ZH_TAIL = re.compile(r"[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$")
# What the clerk reads when an action fails, by the error's code (and the field or action when that
# says more). The services' messages are written for developers and API clients, in English.
_STAFF_ERRORS: dict[tuple[str, str | None], str] = {
    ("unauthorized", None): "工号或密码不正确，请重新输入。",
    ("forbidden", None): "没有权限进行此操作，请先登录窗口工作台。",
    ("forbidden", "act_for"): "授权码不正确、已过期或已使用，请群众重新生成后告知您。",
    ("not_found", None): "找不到要操作的记录，请核对编号或刷新后重试。",
    ("not_found", "tracking_no"): "找不到这个受理编号，请核对后重试。",
    ("not_found", "track"): "找不到这个受理编号，请核对后重试。",
    ("not_found", "open"): "找不到这个会话，请刷新队列后重新选择。",
    ("conflict", None): "当前状态下不能这样操作（可能已由其他工作人员处理），请刷新后重试。",
    ("conflict", "take_over"): "该会话已由其他工作人员接管。",
    ("conflict", "reply"): "请先点“接管会话”，再发送回复。",
    ("conflict", "hand_back"): "该会话由其他工作人员处理，只有其本人可以交还智能助手。",
    ("conflict", "status"): "该部门的进度已变化，请重新查询后再选择新状态。",
    ("invalid_input", None): "输入有误，请检查后重试。",
    ("invalid_input", "tracking_no"): "受理编号格式不对，例如 YJS-20261123-ABC234。",
    ("invalid_input", "status"): "请从列表中选择新状态。",
    ("invalid_input", "note"): "说明最多500字。",
    ("invalid_input", "text"): "回复内容为空或超过4000字。",
    ("service_unavailable", None): "服务暂时不可用，请稍后再试；如持续出现，请联系系统管理员。",
    ("rate_limited", None): "尝试次数过多，请稍后再试。",
}


def staff_error(code: str, field: str | None, message: str, action: str | None = None,
                retry_after: int | None = None) -> str:
    """A failed desk action in Chinese for the clerk: the service's own Chinese wording when its message
    carries one ("… (授权码应为6位数字)"), else the entry for the error's field, its action, or its code."""
    m = _ZH_TAIL.search(message or "")
    if m:
        return m[1] + ("" if m[1].endswith(("。", "！")) else "。")
    if code == "rate_limited" and retry_after:
        return f"尝试次数过多，请{retry_after}秒后再试。"
    for key in [k for k in ((code, field), (code, action)) if k[1]] + [(code, None)]:
        if key in _STAFF_ERRORS:
            return _STAFF_ERRORS[key]
    return "操作未能完成，请稍后重试。"


def next_statuses(current: str | None) -> list[str]:
    """The statuses a department's part may move to from `current` (none from a final one)."""
    try:
        return [s.value for s in DEPARTMENT_TRANSITIONS[DepartmentStatus(current)]]
    except ValueError:
        return []


def queue_markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "当前没有会话。"
    head = "| 状态 | 一件事 | 最近留言 | 处理人 | 更新时间 |\n|---|---|---|---|---|"
    body = [
        f"| {STATUS_LABELS.get(r['status'], r['status'])} | {_cell(r.get('one_thing_name') or '—')} | "
        f"{_cell(r.get('preview') or '')} | {_cell(r.get('assigned_to') or '—')} | {fmt_local(r['updated_at'])} |"
        for r in rows
    ]
    return "\n".join([head, *body])


def _cell(text: str) -> str:
    """A table cell: no pipes or newlines, markup escaped."""
    return escape(text.replace("|", "/").replace("\n", " "))


def queue_choices(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f"{STATUS_LABELS.get(r['status'], r['status'])} · {r.get('one_thing_name') or '未识别'} · "
             f"{(r.get('preview') or '')[:20]} · {r['id'][:8]}", r["id"]) for r in rows]


def transcript_messages(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Turns as chatbot messages: citizen on the right, assistant and staff (labelled) on the left."""
    out = []
    for turn in turns:
        if turn["role"] == "user":
            out.append({"role": "user", "content": turn["text"]})
        elif turn["role"] == "staff":
            out.append({"role": "assistant", "content": f"【工作人员 {turn.get('staff') or ''}】{turn['text']}"})
        else:
            out.append({"role": "assistant", "content": f"【智能助手】{turn['text']}"})
    return out


def materials_choices(one_thing: Mapping[str, Any] | None) -> list[str]:
    """The materials checklist of the matched one-thing, each marked when an e-licence replaces it."""
    if not one_thing:
        return []
    out = []
    for m in one_thing["materials"]:
        tags = [x for x, on in (("电子证照", m["e_licence"]), ("可容缺", m["tolerance"]), ("视情况", not m["required"])) if on]
        out.append(m["name"] + (f"（{'、'.join(tags)}）" if tags else ""))
    return out


def ticket_markdown(pred: Mapping[str, Any]) -> str:
    return (f"**承办领域**：{escape(pred['domain'])}（{pred['domain_score']:.0%}）\n\n"
            f"**建议承办部门**：{escape(pred['department'])}\n\n"
            f"**留言类型**：{escape(pred['message_type'])}（{pred['type_score']:.0%}）")


def ticket_label(pred: Mapping[str, Any]) -> dict[str, float]:
    """The top domains with their probabilities, for a gr.Label."""
    return {label: float(score) for label, score in pred["top_domains"]}


def gaps_markdown(groups: list[dict[str, Any]]) -> str:
    if not groups:
        return "暂无知识缺口：还没有被拒答或差评的问题。"
    kinds = {"one_thing": "一件事", "near": "接近", "keyword": "关键词", "other": "其他"}
    out = []
    for g in groups:
        kind = kinds.get(g["topic"].split(":", 1)[0], "")
        label = escape(g["label"] or "未归类")
        out.append(f"#### {kind}：{label} —— {g['count']} 条（拒答 {g['refused']}，差评 {g['bad']}）")
        out += [f"- {_cell(q)}" for q in g["questions"][:8]]
        out += [f"- 意见：{_cell(c)}" for c in g["comments"][:3]]
    return "\n".join(out)


def commitments_html(items: Iterable[Any], overdue_only: bool = False) -> str:
    """承诺办 for the desk: each open 容缺待补 — who (masked name and ID number, never the internal person id),
    which application, what material, by when, which departments wait for it — overdue ones flagged."""
    items = list(items)
    if not items:
        return f'<p class="yjs-muted">{"没有逾期未补交的材料。" if overdue_only else "目前没有容缺待补的材料。"}</p>'
    late = sum(1 for i in items if i.overdue)
    head = "".join(f"<th scope=\"col\">{h}</th>" for h in ("申请人", "身份证号", "一件事", "受理编号", "待补材料", "补交期限",
                                                           "涉及部门", "状态"))
    rows = []
    for i in items:
        state = ('<span class="yjs-badge yjs-overdue">已逾期</span>' if i.overdue
                 else '<span class="yjs-badge">未到期</span>')
        cells = [i.applicant_name_masked or "—", i.applicant_id_number_masked or "—", i.title or i.one_thing_id,
                 i.tracking_no or "未提交", i.material, i.due, "、".join(i.departments) or "—"]
        rows.append(f'<tr class="yjs-commitment-row" data-overdue="{str(bool(i.overdue)).lower()}">'
                    + "".join(f"<td>{escape(c)}</td>" for c in cells) + f"<td>{state}</td></tr>")
    # The filter is named in the summary, so the clerk (and the page) can tell which list is shown.
    summary = (f"只看已逾期：共 {late} 项" if overdue_only else
               f"共 {len(items)} 项容缺待补" + (f"，其中 <strong>{late} 项已逾期</strong>" if late else "，均未到期"))
    return (f'<p>{summary}（按补交期限排序）。</p><table class="yjs-table yjs-commitments">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
