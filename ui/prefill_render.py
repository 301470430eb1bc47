"""Pure rendering for the 一键办理 flow and 我的办事: consent screen, the pre-filled form's field specs,
the review summary, tracking, approvals, the access log. No gradio here, so they are unit-tested directly.

Values come from the pre-fill service's views, which already mask identifiers (`display`). The person
whose values they are sees them in full on the form and the review (`own_value`), so they can check them;
ID numbers stay masked until they press 显示完整号码. Anyone else (a clerk acting for them) sees masked values: the form
never puts a masked value in an edit box (typing over it would submit the mask), so such a field shows
an empty box with the masked value as its placeholder, and an empty box keeps the stored value.
Region codes are shown and picked as place names. Everything that ends up as HTML is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from core.clock import fmt_local
from core.errors import LicenceNotFound
from core.status import DEPARTMENT_STATUS_EN
from prefill.regions import place_choices, place_name
from ui.i18n import localise, t

STEPS = ("consent", "form", "review", "done")
PREFILLED = ("authoritative", "prefilled")
CHOICE_TYPES = ("enum", "boolean")
YES_NO = ("是", "否")  # a yes/no (boolean) field's options; the value stored is the Chinese word
YES_NO_EN = ("Yes", "No")
PLACEHOLDER_TYPES = ("date", "phone", "id_number", "bank_card", "uscc", "integer", "decimal")
REVEAL_TYPES = ("id_number",)  # shown to their owner masked until revealed (people nearby see the screen too)
CONSENT_PREVIEW = 3  # fields named on a data source's one-line summary; the rest are one tap away
DONE_NEXT = ("done_keep", "done_next_track", "done_next_copy")  # what the person does after submitting
STATUS_EN = DEPARTMENT_STATUS_EN
_CJK = re.compile(r"[\u4e00-\u9fff]")
_RULE = re.compile(r"^(?:[a-z][a-z0-9_]*: )?(?P<en>.*?)\s*\((?P<zh>[^()]*)\)\s*$", re.S)


# --- small pieces -----------------------------------------------------------------------------------
def fmt_time(iso: str | None) -> str:
    """``2026-11-23T07:28:18Z`` → ``2026-11-23 15:28`` in the configured time zone (the `timezone` setting,
    Asia/Shanghai by default); unparsable text is shown as is."""
    return fmt_local(iso)


def friendly_error(message: str, lang: str) -> str:
    """A service error such as ``phone: must be an 11-digit … (手机号码格式错误)`` in the page's language."""
    m = _RULE.match(message or "")
    if not m or not _CJK.search(m["zh"]):  # only "rule (中文)" messages carry a Chinese version
        return localise(message, lang)
    return m["en"] if lang == "en" else localise(m["zh"], lang)


def source_name(source: str | None, lang: str) -> str:
    key = f"src_{source}"
    from ui.i18n import STRINGS

    return t(key, lang) if key in STRINGS else (source or "")


def state_name(state: str, lang: str) -> str:
    return t(f"state_{state}", lang)


def status_name(status: str, lang: str) -> str:
    return f"{status}（{STATUS_EN[status]}）" if lang == "en" and status in STATUS_EN else localise(status, lang)


def field_label(f: Any, lang: str) -> str:
    """The field's name for people: a region code's field names the place it asks for (参保地行政区划代码 → 参保地),
    since the form shows and picks place names, and the code stays the departments' business."""
    if getattr(f, "type", None) == "region_code":
        return _place_label(f.label_en, lang) if lang == "en" else localise(_place_label(f.label, lang), lang)
    return f.label_en if lang == "en" else localise(f.label, lang)


def choice_options(f: Any) -> list[str]:
    """The values a choice field (or a consent choice) offers: its options, 是/否 for a yes/no field."""
    return list(getattr(f, "options", None) or YES_NO)


def option_label(f: Any, option: str, lang: str) -> str:
    """How one of a choice field's options (a stored value, always Chinese) reads in `lang`: its English label
    (`options_en`; Yes/No for a yes/no field) in English, the option itself in Simplified, converted in
    Traditional. A value that is not an option, or has no English, is shown as it is."""
    if lang != "en":
        return localise(option, lang)
    options = choice_options(f)
    english = list(getattr(f, "options_en", None) or ()) if getattr(f, "options", None) else list(YES_NO_EN)
    if option in options and len(english) == len(options):
        return english[options.index(option)]
    return option


def option_choices(f: Any, lang: str) -> list[tuple[str, str]]:
    """A choice field's options as (label shown in `lang`, stored value) pairs for a dropdown or radio."""
    return [(option_label(f, o, lang), o) for o in choice_options(f)]


def _place_label(label: str, lang: str) -> str:
    if lang == "en":
        return label.removesuffix(" code").removesuffix(" Code") or "Place"
    base = label.replace("行政区划代码", "")
    if base.endswith("地"):
        return base
    return base + ("地区" if base.endswith("所在") else "所在地区")


def shown_value(f: Any, value: Any) -> str:
    """A value as people read it: a region code as its place name, anything else as given."""
    if value is None:
        return ""
    return place_name(str(value)) if getattr(f, "type", None) == "region_code" else str(value)


def value_text(f: Any, value: Any, lang: str) -> str:
    """A value as people read it in `lang`: a chosen option by its label in that language (随父落户 → Father's
    household), a region code as its place name, anything else as given (converted for Traditional)."""
    if value is not None and getattr(f, "type", None) in CHOICE_TYPES:
        return option_label(f, str(value), lang)
    return localise(shown_value(f, value), lang)


def section_titles(form: Any, lang: str) -> dict[str, str]:
    return {s.key: (s.title_en if lang == "en" else localise(s.title, lang)) for s in form.sections}


def role_name(form: Any, role: str, lang: str) -> str:
    if lang == "en":
        return "you" if role == "self" else form.subjects[role].label_en
    return localise(form.role_label(role), lang)


def form_title(form: Any, lang: str) -> str:
    return form.title_en if lang == "en" else localise(form.title, lang)


def one_thing_names(forms: Iterable[Any], lang: str) -> dict[str, str]:
    """One-thing id → short name from the merged forms' titles (退休一件事申请表 → 退休一件事)."""
    return {f.one_thing_id: (f.title_en.split(" — ")[0] if lang == "en" else localise(f.title.removesuffix("申请表"), lang))
            for f in forms}


def _c(lang: str) -> str:
    """The colon after a label: full-width in Chinese."""
    return ": " if lang == "en" else "："


def _list(items: Iterable[str], lang: str) -> str:
    return (", " if lang == "en" else "、").join(escape(localise(x, lang)) for x in items)


def _first_of(items: list[str], lang: str, limit: int) -> str:
    """The first `limit` items and how many there are in all (姓名、公民身份号码、民族等8项)."""
    if len(items) <= limit:
        return _list(items, lang)
    more = t("more_of", lang).format(total=len(items), more=len(items) - limit)
    return _list(items[:limit], lang) + escape(("… " if lang == "en" else "") + more)


def _table(head: list[str], rows: list[list[str]], cls: str = "yjs-table") -> str:
    """Rows are already-escaped HTML cells."""
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def steps_html(step: str, lang: str, title: str = "") -> str:
    """The stepper: 授权 → 核对 → 确认 → 提交, the current step marked for screen readers too (aria-current)."""
    n = STEPS.index(step) + 1 if step in STEPS else 0
    items = []
    for i, s in enumerate(STEPS, 1):
        cls = "yjs-step-now" if i == n else ("yjs-step-done" if i < n else "yjs-step-next")
        cur = ' aria-current="step"' if i == n else ""
        items.append(f'<li class="{cls}"{cur}>{i}. {escape(t("step_" + s, lang))}</li>')
    head = f"<h3>{escape(t('flow_title', lang).format(title=title))}</h3>" if title else ""
    label = escape(t("step_of", lang).format(n=n)) if n else ""
    return f'{head}<ol class="yjs-steps" aria-label="{label}">{"".join(items)}</ol>'


# --- sign-in -----------------------------------------------------------------------------------------
def demo_choices(people: Any, names: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """Dropdown choices (label, person id) for the synthetic demo population — masked name and ID number,
    sex, age and what the person can try (e.g. 退休一件事)."""
    out = []
    for p in people.people:
        things = _list([names.get(s["one_thing_id"], s["one_thing_id"]) for s in p.scenarios], lang)
        sex = {"男": "M", "女": "F"}.get(p.sex, p.sex) if lang == "en" else localise(p.sex, lang)
        out.append((t("id_option", lang).format(name=p.name_masked, id=p.id_number_masked or "—", sex=sex, age=p.age,
                                                things=things), p.person_id))
    return out


# --- consent -----------------------------------------------------------------------------------------
def _decider(item: Any, form: Any, lang: str) -> str:
    if lang != "en":
        return localise(item.decided_by_display, lang)
    role = role_name(form, item.role, lang)
    is_you = getattr(item, "role_is_you", item.role == "self")
    if item.decided_by == "you":
        if is_you is None:
            return f"you, if you are the {role}; otherwise the {role} themselves (from their own sign-in)"
        return "you" if is_you else f"you (for the {role})"
    return f"the {role} themselves" + (" (once identified)" if item.status == "unresolved" else " (from their own sign-in)")


def _consent_item(item: Any, form: Any, lang: str, *, with_source: bool = False) -> str:
    about = escape(role_name(form, item.role, lang)) + (f"（{escape(item.subject_display)}）" if item.subject_display else "")
    if item.role != "self" and getattr(item, "role_is_you", False):  # the newborn's father applying: 新生儿父亲（您本人）
        about += escape(t("consent_is_you", lang))
    src = f"{escape(source_name(item.source, lang))} · " if with_source else ""
    return (f'<div class="yjs-consent-item" data-role="{escape(item.role)}">'
            f'<p><span class="yjs-cs yjs-cs-{escape(item.status)}">{escape(t("cs_" + item.status, lang))}</span> · '
            f'{src}{escape(t("consent_about", lang))}{_c(lang)}{about} · {escape(t("consent_decider", lang))}{_c(lang)}'
            f'{escape(_decider(item, form, lang))}</p>'
            f'<p><strong>{escape(t("consent_fields", lang))}</strong>{_c(lang)}{_list([f.label for f in item.fields], lang)}</p>'
            f'<p><strong>{escape(t("consent_receivers", lang))}</strong>{_c(lang)}{_list(item.departments, lang)}</p></div>')


def _status_badges(items: list[Any], lang: str) -> str:
    return " ".join(f'<span class="yjs-cs yjs-cs-{escape(st)}">{escape(t("cs_" + st, lang))}</span>'
                    for st in dict.fromkeys(i.status for i in items))


def _consent_source(source: str, items: list[Any], form: Any, lang: str) -> str:
    """One data source the applicant decides, as one line (name, decision so far, the first fields it reads)
    that opens on what it reads about whom, who decides and who receives it."""
    fields = list(dict.fromkeys(f.label for i in items for f in i.fields))
    body = "".join(_consent_item(i, form, lang) for i in items)
    return (f'<details class="yjs-consent-source" data-source="{escape(source)}"><summary>'
            f'<strong>{escape(t("consent_source", lang))}{_c(lang)}{escape(source_name(source, lang))}</strong> · '
            f'{_status_badges(items, lang)} · {_first_of(fields, lang, CONSENT_PREVIEW)}</summary>{body}</details>')


def _consent_others(items: list[Any], form: Any, lang: str) -> str:
    """Data other people approve from their own sign-in, as one line naming them."""
    roles = ("、" if lang != "en" else ", ").join(dict.fromkeys(role_name(form, i.role, lang) for i in items))
    body = "".join(_consent_item(i, form, lang, with_source=True) for i in items)
    return (f'<details class="yjs-consent-others"><summary><strong>'
            f'{escape(t("consent_others_short", lang).format(roles=roles))}</strong> · {_status_badges(items, lang)}'
            f'</summary><p>{escape(t("consent_others", lang))}</p>{body}</details>')


def consent_html(consent: Any, form: Any, lang: str) -> str:
    """The consent step on a phone's screen: what it is for, then a line per data source the applicant decides
    and one for what family members approve themselves; each line opens on which fields about whom, who decides,
    the decision so far and which departments receive them (the decision controls follow right after)."""
    title = form_title(form, lang)
    out = [f'<div class="yjs-consent"><p>{escape(t("consent_intro", lang).format(title=title))}</p>',
           f'<details class="yjs-consent-purpose"><summary><strong>{escape(t("consent_purpose", lang))}</strong>{_c(lang)}'
           f'{escape(localise(consent.purpose, lang))}</summary>'
           f'<p><strong>{escape(t("consent_receivers", lang))}</strong>{_c(lang)}{_list(consent.departments, lang)}</p></details>']
    if not consent.items:
        out.append(f"<p>{escape(t('consent_none', lang))}</p></div>")
        return "".join(out)
    mine = [i for i in consent.items if i.decided_by == "you"]
    others = [i for i in consent.items if i.decided_by != "you"]
    for source in dict.fromkeys(i.source for i in mine):
        out.append(_consent_source(source, [i for i in mine if i.source == source], form, lang))
    if others:
        out.append(_consent_others(others, form, lang))
    out.append("</div>")
    return "".join(out)


def consent_questions(consent: Any, lang: str) -> list[dict]:
    """The form's choices to make before consent (落户方式), as radio specs: options shown in the page's script,
    the stored value behind them."""
    return [{"key": c.key, "label": c.label_en if lang == "en" else localise(c.label, lang),
             "info": t("consent_choice_info", lang), "value": c.value,
             "options": option_choices(c, lang)} for c in consent.choices]


def consent_choices(consent: Any, lang: str) -> list[tuple[str, str]]:
    """The sources the applicant decides, as checkbox choices (label, source)."""
    return [(source_name(s, lang), s) for s in consent.your_sources]


def granted_sources(consent: Any) -> list[str]:
    """Sources the applicant has already granted (every one of their items for it granted)."""
    out = []
    for s in consent.your_sources:
        items = [i for i in consent.items if i.source == s and i.decided_by == "you"]
        if items and all(i.status == "granted" for i in items):
            out.append(s)
    return out


def waiting_note(consent: Any, form: Any, lang: str) -> str:
    """'Waiting for approval: 新生儿母亲本人 (人口库、社保医保)' — other people's data not granted yet."""
    by_role: dict[str, list[str]] = {}
    for i in consent.items:
        if i.decided_by != "you" and i.status in ("awaiting_other", "unresolved"):
            by_role.setdefault(i.role, []).append(source_name(i.source, lang))
    if not by_role:
        return ""
    sep = ", " if lang == "en" else "、"
    items = (";" if lang == "en" else "；").join(f"{role_name(form, r, lang)}（{sep.join(dict.fromkeys(s))}）"
                                                 for r, s in by_role.items())
    return t("form_waiting", lang).format(items=items)


# --- the pre-filled form -------------------------------------------------------------------------------
def _info(f: Any, lang: str) -> str:
    parts = [state_name(f.state, lang)]
    if f.provenance is not None:
        parts.append(t("src_badge", lang).format(src=source_name(f.provenance.source, lang),
                                                 at=fmt_time(f.provenance.fetched_at)))
    if f.help:
        parts.append(localise(f.help, lang))
    return " · ".join(parts)


def _badges(f: Any, lang: str) -> str:
    out = [f'<span class="yjs-badge yjs-st-{escape(f.state)}">{escape(state_name(f.state, lang))}</span>']
    if f.provenance is not None:
        out.append(f'<span class="yjs-badge yjs-src yjs-src-{escape(f.provenance.source)}">'
                   f'{escape(t("src_badge", lang).format(src=source_name(f.provenance.source, lang), at=fmt_time(f.provenance.fetched_at)))}'
                   "</span>")
    return "".join(out)


def locked_reason(f: Any, lang: str, correctable: bool) -> str:
    """Why a field cannot be typed over, and what to do instead (shown under its value)."""
    if f.state != "authoritative":
        return t("ro_why_locked", lang)
    src = source_name(f.provenance.source, lang) if f.provenance is not None else ""
    return t("ro_why_registry" if correctable else "ro_why_registry_nocorr", lang).format(src=src)


def correctable(f: Any) -> bool:
    """Whether a locked value offers 纠错: a registry (authoritative) value with a correction route."""
    return f.state == "authoritative" and f.correction_path is not None


def own_value(f: Any, raw: Mapping[str, Any], own: bool, *, revealed: bool = False) -> str | None:
    """What the signed-in person sees of their own value in place of the masked display: the value in full, an
    ID number only once revealed (people nearby see the screen too). None for a clerk acting for them (`own`
    false) and for a value that is not theirs (`raw` holds only the caller's own values): those stay masked."""
    if not own or not f.has_value or raw.get(f.key) is None:
        return None
    if f.type in REVEAL_TYPES and not revealed:
        return None
    return str(raw[f.key])


def readonly_html(f: Any, lang: str, correctable: bool = False, value: str | None = None) -> str:
    """A locked value with its badges and why it is locked; `value` is what to show instead of the masked
    display (the owner's own value, or their ID number once revealed)."""
    req = '<span class="yjs-req" aria-hidden="true"> *</span>' if f.required else ""
    text = value_text(f, f.display if value is None else value, lang)
    return (f'<div class="yjs-ro" data-key="{escape(f.key)}"><div class="yjs-ro-label">{escape(field_label(f, lang))}{req}</div>'
            f'<div class="yjs-ro-value">{escape(text)}</div>'
            f'<div class="yjs-badges">{_badges(f, lang)}</div>'
            f'<p class="yjs-ro-why">{escape(locked_reason(f, lang, correctable))}</p></div>')


def form_spec(draft: Any, form: Any, raw: Mapping[str, Any], lang: str, errors: Mapping[str, str] | None = None,
              typed: Mapping[str, Any] | None = None, focus: str | None = None, *, own: bool = False) -> dict[str, Any]:
    """What the form step shows, as plain data (kept in a gr.State and drawn by a gr.render).

    `raw` is `PrefillService.raw_values`: the caller's own unmasked values (what they typed, data about
    themselves and those they act for; never another adult's). With `own` (the signed-in person looking at
    their own application) they are shown in full, ID numbers masked until revealed; without it (a clerk
    acting for them) `raw` only tells whether a screen value is masked and is never put on screen.
    `typed` holds what the person just typed into fields that failed validation, shown back so they can fix
    it; `errors` the message per field. Fields an earlier choice made unneeded (`asked` false) are left out.
    """
    errors, typed = dict(errors or {}), dict(typed or {})
    titles = section_titles(form, lang)
    by_section: dict[str, list[dict[str, Any]]] = {s.key: [] for s in form.sections}
    for f in draft.fields:
        if not getattr(f, "asked", True):
            continue
        full = own_value(f, raw, own, revealed=True)  # the owner's value, an ID number included
        mine = full is not None
        secret = f.type in REVEAL_TYPES
        spec: dict[str, Any] = {"key": f.key, "label": field_label(f, lang) + (" *" if f.required else ""),
                                "state": f.state, "required": f.required, "info": _info(f, lang), "error": errors.get(f.key),
                                "value": None, "placeholder": None, "options": [], "correctable": False,
                                "ocr_upload": False, "accept_ocr": f.state == "ocr", "html": "",
                                "reveal": mine and secret, "secret": False}
        if not f.editable:
            fixable = correctable(f)
            spec.update(kind="readonly", html=readonly_html(f, lang, fixable, own_value(f, raw, own)), correctable=fixable)
        else:
            masked = f.has_value and (f.key not in raw or str(raw[f.key]) != (f.display or ""))
            if f.key in typed:
                value = typed[f.key]
            elif mine:
                value = full
            elif not f.has_value or masked:
                value = None
            else:
                value = f.display
            if f.type == "region_code":  # a place picker: names on screen, the code behind
                code = value if value is not None else (raw.get(f.key) if f.key in raw else None)
                spec.update(kind="choice", options=place_choices(code), value=code, placeholder=t("place_pick", lang),
                            filterable=True)
            elif f.type in CHOICE_TYPES:
                spec.update(kind="choice", options=option_choices(f, lang), value=value,
                            placeholder=t("choose", lang))
            else:
                ph = t("field_keep", lang).format(value=f.display) if masked and not mine and f.key not in typed else (
                    t(f"ph_{f.type}", lang) if f.type in PLACEHOLDER_TYPES else None)
                # The owner's ID number in an edit box is hidden like a password until revealed.
                spec.update(kind="input", value=value, placeholder=ph, secret=own and secret and value is not None,
                            reveal=own and secret and value is not None, ocr_upload=f.state in ("to_be_entered", "ocr"))
        by_section.setdefault(f.section, []).append(spec)
    # A page per section that asks something; `open` marks the one shown.
    sections = [{"key": s.key, "title": titles.get(s.key, s.key), "fields": by_section[s.key]}
                for s in form.sections if by_section.get(s.key)]
    shown = _page_shown(sections, focus)
    for sec in sections:
        sec["open"] = sec["key"] == shown
    shown_fields = [f for f in draft.fields if getattr(f, "asked", True)]
    total = len(shown_fields)
    filled = sum(1 for f in shown_fields if f.provenance is not None and f.provenance.source != "ocr" and f.has_value)
    todo = sum(1 for f in shown_fields if not f.has_value)
    summary = t("form_summary", lang).format(filled=filled, total=total, rate=f"{draft.prefill_rate:.0%}", todo=todo)
    return {"draft_id": draft.draft_id, "lang": lang, "sections": sections, "summary": summary,
            "waiting": waiting_note(draft.consent, form, lang), "errors": len(errors), "focus": focus, "own": own,
            "page": shown}


def _page_shown(sections: list[dict[str, Any]], focus: str | None) -> str | None:
    """The form's page to show: the section asked for (修改 on the review, the field just read from a photo),
    else the first with a message to act on (after 保存并核对, wherever the problem is), else the first."""
    keys = [s["key"] for s in sections]
    if focus in keys:
        return focus
    return next((s["key"] for s in _with_messages(sections)), keys[0] if keys else None)


def _with_messages(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in sections if any(f["error"] for f in s["fields"])]


def page_index(view: dict[str, Any]) -> int:
    """The position of the form's page shown (`view["page"]`) among its pages, from 0."""
    return [s["key"] for s in view["sections"]].index(view["page"])


def page_heading(view: dict[str, Any], lang: str) -> str:
    """The shown page's title and where it is among the pages ("2 / 5", read out as 第2页，共5页)."""
    n, total = page_index(view) + 1, len(view["sections"])
    where = escape(t("form_position", lang).format(n=n, total=total))
    return (f'<h4 class="yjs-page-title"><span class="yjs-page-pos" aria-hidden="true">{n} / {total}</span> '
            f'<span class="yjs-sr">{where}</span>{escape(view["sections"][n - 1]["title"])}</h4>')


def error_pages(view: dict[str, Any]) -> list[str]:
    """Titles of the form's pages that carry a message, in page order."""
    return [s["title"] for s in _with_messages(view["sections"])]


def problem_message(problem: Any, lang: str) -> str:
    """One blocking problem of the review, as the message shown next to its field."""
    if "必填" in problem.message:
        return t("field_required_msg", lang)
    if "OCR" in problem.message:
        return t("field_ocr_msg", lang)
    return friendly_error(problem.message, lang)


def problems_by_field(review: Any, lang: str) -> dict[str, str]:
    """The review's blocking problems as inline messages per field."""
    return {p.key: problem_message(p, lang) for p in review.problems}


# --- review ------------------------------------------------------------------------------------------
def _review_table(items: Iterable[Any], labels: Mapping[str, str], lang: str,
                  fields: Mapping[str, Any] | None = None, mine: Mapping[str, str] | None = None) -> str:
    """A group's rows: field, value (the owner's own value where `mine` has one, else the masked display),
    state and source."""
    fields, mine = fields or {}, mine or {}
    rows = [[escape(labels.get(i.key, i.label)) + ('<span class="yjs-req"> *</span>' if i.required else ""),
             escape(value_text(fields.get(i.key), mine.get(i.key, i.display), lang)) if i.display
             else f'<span class="yjs-muted">{escape(t("review_empty_value", lang))}</span>',
             f'<span class="yjs-badge yjs-st-{escape(i.state)}">{escape(state_name(i.state, lang))}</span>'
             # where a value came from, on the review too: an accepted offer opens here, not at the form
             + (f' <span class="yjs-muted yjs-review-src">{escape(source_name(i.source, lang))}</span>'
                if getattr(i, "source", None) else "")] for i in items]
    return _table([t("review_field", lang), t("review_value", lang), t("review_state", lang)], rows, "yjs-table yjs-review")


def review_spec(review: Any, draft: Any, form: Any, lang: str, raw: Mapping[str, Any] | None = None, *,
                own: bool = False, revealed: bool = False) -> dict[str, Any]:
    """The review summary grouped by section and by department; each group has its 修改 target section, a
    one-line summary (shown closed unless it has something to fix) and whether it holds an ID number of the
    owner's to reveal. Values follow the form's rule (`own_value`): the owner's own in full, ID numbers once
    `revealed`; a clerk sees the masked display."""
    raw = raw or {}
    labels = {f.key: field_label(f, lang) for f in draft.fields}
    by_key = {f.key: f for f in draft.fields}
    mine = {f.key: v for f in draft.fields if (v := own_value(f, raw, own, revealed=revealed)) is not None}
    hidden = {f.key for f in draft.fields if f.type in REVEAL_TYPES and own_value(f, raw, own, revealed=True) is not None}
    todo = {p.key for p in review.problems}
    titles = section_titles(form, lang)

    def group(g: Any, title: str) -> dict[str, Any]:
        target = g.edit_target.split(":", 1)[1] if g.edit_target.startswith("section:") else None
        keys = {i.key for i in g.items}
        summary = t("review_group", lang).format(title=title, n=len(g.items))
        if keys & todo:
            summary += " · " + t("review_group_todo", lang).format(n=len(keys & todo))
        return {"key": g.key, "title": title, "target": target, "summary": summary, "open": bool(keys & todo),
                "reveal": bool(keys & hidden), "html": _review_table(g.items, labels, lang, by_key, mine),
                "edit_label": t("review_edit", lang).format(title=title)}

    problems = [f"<li>{escape(labels.get(p.key, p.key))}{_c(lang)}{escape(problem_message(p, lang))}</li>" for p in review.problems]
    status = (f'<div class="yjs-problems" role="alert"><p>{escape(t("review_problems", lang))}</p><ul>{"".join(problems)}</ul></div>'
              if problems else f'<p class="yjs-ok">{escape(t("review_ready", lang))}</p>')
    return {"draft_id": review.draft_id, "lang": lang, "intro": t("review_intro", lang), "status_html": status,
            "ready": review.ready_to_confirm,
            "sections": [group(g, titles.get(g.key, g.title)) for g in review.by_section],
            "departments": [group(g, localise(g.title, lang)) for g in review.by_department]}


def quick_choices(draft: Any, lang: str) -> list[dict[str, Any]]:
    """Required choice fields still empty (answerable with one click on the review)."""
    return [{"key": f.key, "label": field_label(f, lang), "options": option_choices(f, lang)}
            for f in draft.fields if f.required and f.editable and not f.has_value and f.type in CHOICE_TYPES
            and getattr(f, "asked", True)]


# --- tracking ----------------------------------------------------------------------------------------
def submission_html(sub: Any, lang: str, title: str | None = None) -> str:
    """A submission's per-department status table."""
    rows = [[escape(localise(d.department, lang)),
             f'<span class="yjs-status">{escape(status_name(d.status, lang))}</span>', escape(fmt_time(d.updated_at)),
             escape(localise(d.note, lang))] for d in sub.departments]
    done = f"<p>{escape(t('all_finished', lang))}</p>" if sub.finished else ""
    return (f'<div class="yjs-submission" data-tracking-no="{escape(sub.tracking_no)}">'
            f"<h4>{escape(title or localise(sub.title, lang))} · <code>{escape(sub.tracking_no)}</code></h4>"
            f'<p class="yjs-muted">{escape(t("submitted_at", lang))}{_c(lang)}{escape(fmt_time(sub.submitted_at))}</p>'
            + _table([t("col_department", lang), t("col_status", lang), t("col_updated", lang), t("col_note", lang)], rows)
            + pending_html(getattr(sub, "pending_materials", []), lang) + done + "</div>")


def submissions_html(subs: list[Any], lang: str) -> str:
    if not subs:
        return f'<p class="yjs-muted">{escape(t("track_none", lang))}</p>'
    return f"<h4>{escape(t('track_mine', lang))}</h4>" + "".join(submission_html(s, lang) for s in subs)


def done_html(sub: Any, lang: str) -> str:
    """After submitting: the tracking number first, what happens next, then each department's status."""
    steps = "".join(f"<li>{escape(t(k, lang))}</li>" for k in DONE_NEXT)
    return (f'<div class="yjs-done" role="status"><h3>{escape(t("done_title", lang).format(no=sub.tracking_no))}</h3>'
            f'<p><strong>{escape(t("done_next", lang))}</strong></p><ol class="yjs-next">{steps}</ol>'
            f"{submission_html(sub, lang)}</div>")


# --- family approvals, access log, consent code ---------------------------------------------------------
def approvals_html(pending: list[Any], lang: str) -> str:
    if not pending:
        return f'<p class="yjs-muted">{escape(t("appr_none", lang))}</p>'
    rows = []
    for p in pending:
        line = t("appr_line", lang).format(applicant=p.applicant_display, title=localise(p.title, lang),
                                           roles=_plain_list(p.roles, lang), source=source_name(p.source, lang))
        rows.append(f'<li class="yjs-approval"><p><strong>{escape(line)}</strong></p>'
                    f'<p>{escape(t("consent_fields", lang))}{_c(lang)}{_list([f.label for f in p.fields], lang)}</p>'
                    f'<p>{escape(t("consent_receivers", lang))}{_c(lang)}{_list(p.departments, lang)}</p>'
                    f'<p>{escape(t("consent_purpose", lang))}{_c(lang)}{escape(localise(p.purpose, lang))}</p>'
                    f'<p class="yjs-muted">{escape(t("appr_asked", lang))}{_c(lang)}{escape(fmt_time(p.asked_at))}</p></li>')
    return f'<ul class="yjs-approvals">{"".join(rows)}</ul>'


def _plain_list(items: Iterable[str], lang: str) -> str:
    return (", " if lang == "en" else "、").join(localise(x, lang) for x in items)


def approval_choices(pending: list[Any], lang: str) -> list[tuple[str, str]]:
    """(label, "draft_id|source") per pending approval."""
    return [(f"{localise(p.title, lang)} · {source_name(p.source, lang)} · {p.applicant_display}", f"{p.draft_id}|{p.source}")
            for p in pending]


LOG_MAX_FIELDS = 8  # a submission touches every field of the form: the card names the first few


def _log_form_labels(form: Any, lang: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """A form's labels by field key, and by (source, source field) for the English names of reads. Only the
    applicant's own fields name a read: a read of 姓名 may be the father's or the mother's, and "Father's
    name" on the mother's record would be wrong (those keep the source's own Chinese name)."""
    by_key, by_source = {}, {}
    for f in form.fields():
        by_key[f.key] = field_label(f, lang)
        if f.source is not None and f.source.subject == "self":
            by_source.setdefault((f.source.source, f.source.field), field_label(f, lang))
    return by_key, by_source


def log_field_names(entry: Any, form: Any | None, lang: str) -> list[str]:
    """Human names of the fields an access-log entry names: reads and consents carry a source's field names
    (the service already gives their Chinese labels), other actions the merged form's keys, which are looked
    up in the form (its Chinese label, or its English one in English). A key no form knows stays as given."""
    from prefill.access_log import SOURCE_FIELD_ACTIONS

    keys = list(getattr(entry, "field_keys", None) or entry.fields)
    shown = list(entry.fields)
    if form is None:
        return [localise(x, lang) for x in shown]
    by_key, by_source = _log_form_labels(form, lang)
    if entry.action in SOURCE_FIELD_ACTIONS:
        if lang != "en":
            return [localise(x, lang) for x in shown]
        return [by_source.get((entry.source or "", k), localise(x, lang)) for k, x in zip(keys, shown, strict=False)]
    return [by_key.get(k, localise(x, lang)) for k, x in zip(keys, shown, strict=False)]


def _log_purpose(entry: Any, lang: str) -> str:
    """The purpose without its leading "<one-thing id>: " (the card names the one-thing in words)."""
    text = entry.purpose or ""
    oid = getattr(entry, "one_thing_id", None)
    if oid and text.startswith(f"{oid}: "):
        text = text[len(oid) + 2:]
    return localise(text, lang)


def _log_source(entry: Any, lang: str) -> str:
    """The source's full name from the service; in English the UI's English name for it."""
    from ui.i18n import STRINGS

    src = getattr(entry, "source", None)
    if lang == "en" and src and f"src_{src}" in STRINGS:
        return t(f"src_{src}", lang)
    return localise(entry.source_label or "", lang)


def _log_rows(entries: list[Any], forms: Mapping[str, Any], names: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    """One row per distinct use as the person sees it: entries that read the same (same minute, who, action,
    source, fields, purpose) — e.g. one pre-fill reading the family relations once per family member — are
    one row with a count, instead of identical rows one under the other."""
    rows: dict[tuple, dict[str, Any]] = {}
    for e in entries:
        oid = getattr(e, "one_thing_id", None)
        fields = log_field_names(e, forms.get(oid) if oid else None, lang)
        row = {"at": fmt_time(e.at), "who": localise(e.who, lang), "action": localise(e.action_label, lang),
               "source": _log_source(e, lang), "fields": fields,
               "thing": names.get(oid, "") if oid else "", "purpose": _log_purpose(e, lang)}
        key = (row["at"], row["who"], row["action"], row["source"], tuple(fields), row["thing"], row["purpose"])
        if key in rows:
            rows[key]["times"] += 1
        else:
            rows[key] = {**row, "times": 1}
    return list(rows.values())


def _log_card(r: dict[str, Any], lang: str) -> str:
    c = _c(lang)
    times = (f' <span class="yjs-badge yjs-log-times">{escape(t("log_times", lang).format(n=r["times"]))}</span>'
             if r["times"] > 1 else "")
    src = f" · {escape(r['source'])}" if r["source"] else ""
    parts = [f'<p class="yjs-log-head"><span class="yjs-log-time">{escape(r["at"])}</span> · {escape(r["who"])}{times}</p>',
             f'<p class="yjs-log-action"><strong>{escape(r["action"])}</strong>{src}</p>']
    if r["fields"]:
        parts.append(f'<p><span class="yjs-log-k">{escape(t("col_fields", lang))}</span>{c}{_first_of(r["fields"], lang, LOG_MAX_FIELDS)}</p>')
    if r["thing"]:
        parts.append(f'<p><span class="yjs-log-k">{escape(t("log_thing", lang))}</span>{c}{escape(r["thing"])}</p>')
    if r["purpose"]:
        parts.append(f'<p><span class="yjs-log-k">{escape(t("col_purpose", lang))}</span>{c}{escape(r["purpose"])}</p>')
    return f'<li class="yjs-log-card">{"".join(parts)}</li>'


def access_log_html(entries: list[Any], lang: str, forms: Mapping[str, Any] | None = None,
                    names: Mapping[str, str] | None = None) -> str:
    """My data use record: who used which of my data, when, for what (newest first), as a list of cards
    (a six-column table was one character wide per line on a phone). `forms` (one-thing id → merged form)
    give the fields' human names, `names` the one-things' names."""
    intro = f'<p class="yjs-muted">{escape(t("log_intro", lang))}</p>'
    if not entries:
        return intro + f'<p class="yjs-muted">{escape(t("log_none", lang))}</p>'
    cards = "".join(_log_card(r, lang) for r in _log_rows(entries, forms or {}, names or {}, lang))
    return intro + f'<ol class="yjs-log-cards">{cards}</ol>'


# --- 免申办: the standing opt-in and the offers ----------------------------------------------------------
def optin_html(status: Any, lang: str) -> str:
    """The standing opt-in: on or off, what matching reads (by source) and why, in plain words."""
    state = (t("optin_on", lang).format(since=fmt_time(status.since)) if status.granted else t("optin_off", lang))
    reads = "".join(f"<li>{escape(localise(src, lang))}{_c(lang)}{_list(fields, lang)}</li>"
                    for src, fields in status.sources.items())
    return (f'<div class="yjs-optin" data-granted="{str(bool(status.granted)).lower()}">'
            f'<p><strong>{escape(state)}</strong></p><p>{escape(t("optin_what", lang))}</p>'
            f'<p>{escape(t("optin_reads", lang))}{_c(lang)}</p><ul>{reads}</ul></div>')


def bilingual(zh: str | None, en: str | None, lang: str) -> str:
    """Offer content is stored in Chinese and English: the English when that is the language (and there is
    one — an offer made before English existed has none), else the Chinese, in 繁體 via OpenCC when asked."""
    return en if lang == "en" and en else localise(zh or "", lang)


def offer_card_html(offer: Any, title: str, lang: str) -> str:
    """One offer in the rule's own words: the message, the event, the facts used (why), the legal basis,
    and what accepting reads for the pre-fill."""
    c = _c(lang)
    facts = "".join(f"<li>{escape(bilingual(f.label, f.label_en, lang))}{c}{escape(bilingual(f.value, f.value_en, lang))}"
                    f'<span class="yjs-muted">（{escape(bilingual(f.source_label, source_name(f.source, "en"), lang))}）</span></li>'
                    for f in offer.why)
    basis = "".join(f"<li>{escape(bilingual(b.law, b.law_en, lang))} {escape(bilingual(b.quote, b.quote_en, lang))}</li>"
                    for b in offer.legal_basis)
    badge = (f'<span class="yjs-badge yjs-offer-granted">{escape(t("offer_granted", lang))}</span> '
             if offer.status == "granted" else "")
    sources = ([source_name(x, "en") for x in offer.source_ids_on_accept] if lang == "en" and offer.source_ids_on_accept
               else offer.sources_on_accept)
    reads = (f'<p class="yjs-muted">{escape(t("offer_reads", lang))}{c}{_list(sources, lang)}</p>'
             if offer.status in ("sent", "opened") and offer.sources_on_accept else "")
    return (f'<div class="yjs-offer-card" data-offer="{escape(offer.offer_id)}" data-status="{escape(offer.status)}">'
            f"<h4>{badge}{escape(title)}</h4><p class=\"yjs-offer-msg\">{escape(bilingual(offer.message, offer.message_en, lang))}</p>"
            f'<p class="yjs-muted">{escape(t("offer_event", lang))}{c}{escape(bilingual(offer.event, offer.event_en, lang))} · '
            f"{escape(offer.event_date)} · {escape(t('offer_status', lang))}{c}"
            f"{escape(bilingual(offer.status_label, offer.status_label_en, lang))}</p>"
            f'<details class="yjs-offer-why"><summary>{escape(t("offer_why", lang))}</summary><ul>{facts}</ul>'
            f'<p><strong>{escape(t("offer_basis", lang))}</strong></p><ul>{basis}</ul></details>{reads}</div>')


def offer_specs(offers: list[Any], names: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    """The offers still open to the person (sent, opened) and 免申即享 grants (declinable), as card specs."""
    out = []
    for o in offers:
        if o.status not in ("sent", "opened", "granted"):
            continue
        title = names.get(o.one_thing_id) or bilingual(o.title, o.title_en, lang)
        out.append({"offer_id": o.offer_id, "title": title, "html": offer_card_html(o, title, lang),
                    "granted": o.status == "granted"})
    return out


# --- 承诺办: the materials checklist and 容缺待补 ----------------------------------------------------------
def material_status(item: Any, lang: str) -> str:
    if item.status == "committed":
        text = t("mat_committed", lang).format(due=item.due)
        return text + (f"（{t('mat_overdue', lang)}）" if item.overdue else "")
    supplied = getattr(item, "supplied", None)
    if item.status == "supplied" and supplied and supplied.via == "e_licence":
        return t("mat_supplied_licence", lang).format(no=supplied.licence_no_masked)
    return t(f"mat_{item.status}", lang)


def licence_note(licence_label: str | None, lang: str) -> str:
    """What 从电子证照库调取 reads and for what, shown beside the button: clicking it is the person's consent to
    that one read (the service reads nothing without it)."""
    if not licence_label:
        return ""
    return f'<p class="yjs-muted yjs-lic-note">{escape(t("lic_note", lang).format(licence=localise(licence_label, lang)))}</p>'


def materials_spec(view: Any, lang: str) -> dict[str, Any]:
    """The checklist: per material its status and what the person can do (upload, or 从电子证照库调取 where the
    guide names the licence that supplies it; 暂缺 unless it is handed in or under commitment, or comes from
    shared data the guide does not let follow later); the plain reason when submission is blocked."""
    items = []
    for i in view.items:
        tol = f' <span class="yjs-badge yjs-mat-tol">{escape(t("mat_tolerable", lang))}</span>' if i.tolerable else ""
        note = f'<span class="yjs-muted">（{escape(localise(i.note, lang))}）</span>' if i.note else ""
        actionable = i.status in ("to_provide", "optional", "missing", "committed")
        licence = actionable and bool(i.licence)
        html = (f'<div class="yjs-mat" data-status="{escape(i.status)}"><strong>{escape(localise(i.name, lang))}</strong>{note}{tol}'
                f'<br><span class="yjs-mat-status yjs-mat-{escape(i.status)}">{escape(material_status(i, lang))}</span>'
                f'{licence_note(i.licence_label, lang) if licence else ""}</div>')
        # A shared-data material the guide lets follow later (未评估的可先受理) may be missing from the store yet.
        absent = (i.status in ("to_provide", "optional") and (i.required or i.tolerable)) or \
            (i.status == "shared" and i.tolerable)
        # "licence": the licence's name when 从电子证照库调取 is offered (for the button and its messages), else None.
        items.append({"name": i.name, "html": html, "upload": actionable, "licence": i.licence_label if licence else None,
                      "absent": absent})
    missing = [i.name for i in view.items if i.status == "missing"]
    blocked = t("mat_blocked", lang).format(items=_plain_list(missing, lang)) if missing else ""
    counts = {"mat_summary_todo": sum(1 for i in view.items if i.status in ("to_provide", "missing")),
              "mat_summary_later": sum(1 for i in view.items if i.status == "committed")}
    summary = " · ".join([t("mat_summary", lang).format(n=len(items))]
                         + [t(key, lang).format(n=n) for key, n in counts.items() if n])
    # Closed to a line unless something blocks submitting (the checklist is long on a phone).
    return {"items": items, "blocked": blocked, "summary": summary, "open": bool(missing)}


def from_licence(supply: Callable[[], Any]) -> Any | None:
    """Run a 从电子证照库调取 (the service call, bound); None when the licence store holds no such licence yet —
    a plain message for the person, not an error: they can upload instead, and nothing saved is lost."""
    try:
        return supply()
    except LicenceNotFound:
        return None


def licence_supply_message(view: Any | None, material: str, licence: str, lang: str) -> str:
    """What 从电子证照库调取 tells the person: handed in, with the licence's masked number; or, `view` None, that
    the licence is not in the store yet and the material can be uploaded."""
    names = {"licence": localise(licence, lang), "name": localise(material, lang)}
    if view is None:
        return t("lic_none", lang).format(**names)
    item = next(i for i in view.items if i.name == material)
    return t("lic_received", lang).format(no=item.supplied.licence_no_masked, **names)


def pending_html(pending: list[Any], lang: str) -> str:
    """容缺待补 lines of a submission: each material and its due date."""
    if not pending:
        return ""
    lines = "".join(f'<li>{escape(t("pending_line", lang).format(material=localise(p.material, lang), due=p.due))}'
                    + (f'（{escape(t("mat_overdue", lang))}）' if p.overdue else "") + "</li>" for p in pending)
    return (f'<div class="yjs-pending"><p><span class="yjs-badge yjs-pending-badge">{escape(t("pending_label", lang))}</span></p>'
            f"<ul>{lines}</ul></div>")


def pending_specs(subs: list[Any], names: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    """Every 容缺待补 material of my submissions, with what the upload needs (draft id, material name) and, where
    the guide names the licence that supplies it, that licence's name (for 从电子证照库调取)."""
    out = []
    for sub in subs:
        title = names.get(sub.one_thing_id) or localise(sub.title, lang)
        for p in sub.pending_materials:
            line = t("pending_line", lang).format(material=localise(p.material, lang), due=p.due)
            over = f'（{escape(t("mat_overdue", lang))}）' if p.overdue else ""
            out.append({"draft_id": sub.draft_id, "material": p.material, "licence": p.licence_label if p.licence else None,
                        "html": (f'<div class="yjs-pending-item"><p><strong>{escape(title)}</strong> · '
                                 f"<code>{escape(sub.tracking_no)}</code></p><p>{escape(line)}{over}</p>"
                                 f"{licence_note(p.licence_label, lang)}</div>")})
    return out


def code_markdown(code: Any, lang: str) -> str:
    return t("code_show", lang).format(code=code.code, expires=fmt_time(code.expires_at))
