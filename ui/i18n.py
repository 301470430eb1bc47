"""UI strings in 简体 / 繁體 / English. Traditional is derived from Simplified with OpenCC (繁體
overrides only where the conversion would be wrong), so the two never drift apart.

`t(key, lang)` returns the string; an unknown key is a programming error (KeyError), an unknown
language falls back to Simplified Chinese.
"""

from __future__ import annotations

from functools import lru_cache

LANGS: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LANG = "zh-Hans"
# Radio choices: (label shown, value); each label is written in its own script.
LANG_CHOICES: list[tuple[str, str]] = [("简体中文", "zh-Hans"), ("繁體中文", "zh-Hant"), ("English", "en")]

STRINGS: dict[str, dict[str, str]] = {
    # page
    "title": {"zh-Hans": "一件事助手", "en": "One-Thing Assistant"},
    "intro": {
        "zh-Hans": "依据官方办事指南回答，每条答复都注明出处；帮您找到要办的“一件事”，一次办好。",
        "en": "Answers come from official service guides, each with its source; we help you find the "
        "one-thing (一件事) bundle to get it all done at once.",
    },
    "tab_citizen": {"zh-Hans": "办事咨询", "en": "Ask"},
    "tab_staff": {"zh-Hans": "窗口工作台", "en": "Staff desk"},
    "lang_label": {"zh-Hans": "语言", "zh-Hant": "語言", "en": "Language"},
    "large_mode": {"zh-Hans": "大字号 · 高对比（适老化）", "en": "Large text · high contrast"},
    # chat
    "chat_label": {"zh-Hans": "对话", "en": "Conversation"},
    "question_label": {"zh-Hans": "您的问题", "en": "Your question"},
    "question_placeholder": {"zh-Hans": "例如：孩子刚出生要办哪些手续？", "en": "e.g. What do I need to do when my baby is born?"},
    "send": {"zh-Hans": "发送", "en": "Send"},
    "new_chat": {"zh-Hans": "新对话", "en": "New conversation"},
    "handoff": {"zh-Hans": "转人工", "en": "Talk to a person"},
    "handoff_done": {
        "zh-Hans": "已为您转接人工服务，工作人员会在这里回复您。也可以拨打12345政务服务便民热线。",
        "en": "You have been put through to a member of staff, who will reply here. You can also call the 12345 hotline.",
    },
    "staff_says": {"zh-Hans": "工作人员", "en": "Staff"},
    "examples": {"zh-Hans": "试试这样问：", "en": "Try asking:"},
    "example_1": {"zh-Hans": "孩子刚出生要办哪些手续", "en": "What do I need to do when my baby is born?"},
    "example_2": {"zh-Hans": "我下个月退休，要办什么手续", "en": "I retire next month. What do I need to do?"},
    "example_3": {"zh-Hans": "想开一家公司需要准备什么材料", "en": "What do I need to start a company?"},
    "example_4": {"zh-Hans": "家里老人去世了要办哪些事", "en": "A family member has died. What must we do?"},
    "thinking": {"zh-Hans": "正在查阅办事指南…", "en": "Looking it up in the service guides…"},
    "empty_question": {"zh-Hans": "请先输入您的问题。", "en": "Please type your question first."},
    "not_ready": {
        "zh-Hans": "助手暂时不可用（办事指南索引未加载），请稍后再试，或拨打12345。",
        "en": "The assistant is not available right now (the guide index is not loaded). Please try again later or call 12345.",
    },
    # buttons under the answer
    "clarify_label": {"zh-Hans": "请选择您要办的事：", "en": "Please choose:"},
    "candidates_label": {"zh-Hans": "您可能想了解的一件事：", "en": "Related one-things:"},
    # sources
    "sources_title": {"zh-Hans": "回答依据（点击展开）", "en": "Sources (click to expand)"},
    "sources_none": {"zh-Hans": "本次回答没有引用办事指南。", "en": "This reply quotes no service guide."},
    "source_pick": {"zh-Hans": "查看来源原文", "en": "Show the full source text"},
    "source_text": {"zh-Hans": "来源原文", "en": "Source text"},
    "source_missing": {"zh-Hans": "找不到这条来源的原文。", "en": "The text of this source was not found."},
    "source_id": {"zh-Hans": "来源编号", "en": "Source id"},
    # side panel
    "panel_title": {"zh-Hans": "一件事一览", "en": "The bundle at a glance"},
    "panel_empty": {
        "zh-Hans": "选中一件事后，这里会显示它合并了哪些事项、要带什么材料、多久办好、在哪里办。",
        "en": "Once a one-thing is chosen, this panel shows what it bundles, the materials, the time and where to apply.",
    },
    "summary": {"zh-Hans": "概述", "en": "Summary"},
    "bundles": {"zh-Hans": "一次办好这些事项", "en": "Services handled together"},
    "replaced": {"zh-Hans": "不用再", "en": "No more"},
    "materials": {"zh-Hans": "所需材料", "en": "Materials"},
    "e_licence": {"zh-Hans": "电子证照，免交纸质", "en": "e-licence: no paper copy"},
    "optional": {"zh-Hans": "视情况提供", "en": "only if applicable"},
    "tolerance": {"zh-Hans": "可容缺后补", "en": "may follow later (容缺)"},
    "time_limit": {"zh-Hans": "办理时限", "en": "Time limit"},
    "fees": {"zh-Hans": "收费", "en": "Fees"},
    "channels": {"zh-Hans": "办理渠道", "en": "Where to apply"},
    "online": {"zh-Hans": "线上", "en": "Online"},
    "offline": {"zh-Hans": "线下", "en": "In person"},
    "cross_province": {"zh-Hans": "跨省通办", "en": "Cross-province (跨省通办)"},
    "proxy": {"zh-Hans": "代办", "en": "Applying for someone (代办)"},
    "tolerance_policy": {"zh-Hans": "容缺受理", "en": "Missing materials (容缺受理)"},
    "lead_department": {"zh-Hans": "牵头部门", "en": "Lead department"},
    "sample_note": {
        "zh-Hans": "以上以{region}的做法为例，各地可能不同，请以当地政务服务中心公布为准。",
        "en": "Details follow {region}'s practice and vary locally; check with your local service centre.",
    },
    "content_in_chinese": {"zh-Hans": "", "en": "(Guide content is in Chinese.)"},
    "prefill": {"zh-Hans": "一键办理", "zh-Hant": "一鍵辦理", "en": "Apply in one go (一键办理)"},
    "prefill_pending": {
        "zh-Hans": "“一键办理”（共享数据预填合并申请表）服务正在接入，敬请期待。",
        "en": "One-go application (a merged form pre-filled from shared data) is being connected; coming soon.",
    },
    # 好差评
    "rate_label": {"zh-Hans": "这次回答对您有帮助吗？", "en": "Was this reply helpful?"},
    "rate_comment": {"zh-Hans": "意见或建议（可选）", "en": "Comment (optional)"},
    "rate_good": {"zh-Hans": "好评", "en": "Good"},
    "rate_bad": {"zh-Hans": "差评", "en": "Bad"},
    "rate_thanks": {"zh-Hans": "感谢您的评价！", "en": "Thank you for your rating!"},
    "rate_first": {"zh-Hans": "请先提问，再评价回答。", "en": "Ask a question first, then rate the reply."},
}


@lru_cache(maxsize=2048)
def _traditional(text: str) -> str:
    from knowledge.text import to_traditional

    return to_traditional(text)


def normalize_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG) -> str:
    """The UI string `key` in `lang` (zh-Hans | zh-Hant | en)."""
    entry = STRINGS[key]
    lang = normalize_lang(lang)
    if lang in entry:
        return entry[lang]
    if lang == "zh-Hant":
        return _traditional(entry["zh-Hans"])
    return entry["zh-Hans"]


def localise(text: str, lang: str | None) -> str:
    """Content written in Simplified Chinese (guides), shown in Traditional when asked."""
    return _traditional(text) if normalize_lang(lang) == "zh-Hant" and text else text
