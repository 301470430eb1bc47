"""Pure UI helpers: streaming steps, citations, the bundle side panel, staff tables, i18n."""

import pytest

from knowledge.catalog import Catalog
from ui import render
from ui.i18n import LANGS, STRINGS, localise, t


@pytest.fixture(scope="module")
def catalog(fast_stack):
    settings, _ = fast_stack
    return Catalog.from_dir(settings.guides_dir)


def test_a_line_after_a_list_ends_the_list():
    """Markdown continues a list's last item with the next line: an FAQ quoted after a list of deadlines showed inside
    its last bullet on the phone. A blank line ends the list; the text is otherwise unchanged."""
    from markdown_it import MarkdownIt

    text = "- 申报出生登记：出生后1个月内 [1]\n问：父母一方是外省户口怎么办？\n答：可以选择随本省一方落户。 [2]"
    shown = render.chat_markdown(text)
    assert shown.replace("\n\n", "\n") == text
    html = MarkdownIt().render(shown)
    assert html.index("</ul>") < html.index("问：父母一方")  # the question is no longer inside the bullet
    assert render.chat_markdown("1. 提交申请\n2. 审核 [1]") == "1. 提交申请\n2. 审核 [1]"


def test_stream_prefixes_grow_to_the_whole_text():
    text = "新生儿出生一件事把以下6项服务合并为一次申请：\n1. 出生医学证明首次签发。\n2. 出生登记（落户）。" * 5
    steps = render.stream_prefixes(text)
    assert steps[-1] == text and 1 < len(steps) <= render.MAX_STREAM_STEPS
    assert all(a == b[: len(a)] and len(a) < len(b) for a, b in zip(steps, steps[1:], strict=False))
    assert len(render.stream_prefixes("x" * 100_000)) <= render.MAX_STREAM_STEPS
    assert render.stream_prefixes("") == [""]


def test_citations_are_escaped_expandable_sources():
    cites = [{"source_id": "newborn#materials", "title": "新生儿出生一件事 · 所需材料", "quote": "所需材料：\n- 身份证"},
             {"source_id": "x#<b>", "title": "<script>alert(1)</script>", "quote": "<img src=x onerror=alert(1)>"}]
    html = render.citations_html(cites, "zh-Hans")
    assert html.count("<details") == 2 and "<summary>[1] 新生儿出生一件事 · 所需材料</summary>" in html
    assert "所需材料：<br>- 身份证" in html
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert render.source_choices(cites)[0] == ("[1] 新生儿出生一件事 · 所需材料", "newborn#materials")
    assert t("sources_none", "en") in render.citations_html([], "en")
    assert render.citation_footer(cites[:1], "zh-Hans") == "依据：[1] 新生儿出生一件事 · 所需材料"
    assert render.citation_footer(cites[:1], "en").startswith("Sources: [1]")
    assert render.citation_footer([], "en") == ""


def test_bundle_panel_has_everything_at_a_glance(catalog):
    md = render.bundle_markdown(catalog.get("newborn"), "zh-Hans")
    for needle in ("新生儿出生一件事", "所需材料", "电子证照，免交纸质", "办理时限", "一般5个工作日内办结", "收费",
                   "跨省通办", "代办", "容缺受理", "不用再", "~~多次往返跑动~~", "出生登记（落户）", "视情况提供"):
        assert needle in md, needle
    assert "各地可能不同" in md  # sample data: the local-practice warning


def test_bundle_panel_in_traditional_and_english(catalog):
    hant = render.bundle_markdown(catalog.get("retirement"), "zh-Hant")
    assert "辦理時限" in hant and "办理时限" not in hant
    en = render.bundle_markdown(catalog.get("retirement"), "en")
    assert "Time limit" in en and catalog.get("retirement").name_en in en and "Guide content is in Chinese" in en


def test_bundle_panel_marks_tolerance_materials(catalog):
    tolerant = [(o, m) for o in catalog for m in o.materials if m.tolerance]
    if not tolerant:
        pytest.skip("no guide marks a material as 容缺")
    o, m = tolerant[0]
    assert f"{m.name} —— " in render.bundle_markdown(o, "zh-Hans") and "可容缺后补" in render.bundle_markdown(o, "zh-Hans")


def test_staff_tables_escape_and_label():
    rows = [{"id": "abcdef0123456789", "status": "handoff", "updated_at": "2026-01-02T03:04:05+00:00",
             "assigned_to": None, "one_thing_name": "退休一件事", "preview": "a|b\n<script>"}]
    md = render.queue_markdown(rows)
    assert "待人工" in md and "a/b &lt;script&gt;" in md and "2026-01-02 11:04" in md  # shown in Beijing time
    assert render.queue_choices(rows) == [("待人工 · 退休一件事 · a|b\n<script> · abcdef01", "abcdef0123456789")]
    assert render.queue_markdown([]) == "当前没有会话。"
    msgs = render.transcript_messages([{"role": "user", "text": "问"}, {"role": "assistant", "text": "答"},
                                       {"role": "staff", "text": "您好", "staff": "clerk"}])
    assert msgs == [{"role": "user", "content": "问"}, {"role": "assistant", "content": "【智能助手】答"},
                    {"role": "assistant", "content": "【工作人员 clerk】您好"}]


def test_materials_checklist_and_ticket_and_gaps():
    one = {"materials": [{"name": "身份证", "e_licence": True, "required": True, "tolerance": False},
                         {"name": "银行卡", "e_licence": False, "required": False, "tolerance": True}]}
    assert render.materials_choices(one) == ["身份证（电子证照）", "银行卡（可容缺、视情况）"]
    assert render.materials_choices(None) == []
    pred = {"domain": "城建", "domain_score": 0.8, "department": "住房和城乡建设部门", "message_type": "投诉/求助",
            "type_score": 0.6, "top_domains": [["城建", 0.8], ["交通", 0.1]]}
    assert "住房和城乡建设部门" in render.ticket_markdown(pred) and "80%" in render.ticket_markdown(pred)
    assert render.ticket_label(pred) == {"城建": 0.8, "交通": 0.1}
    gaps = [{"topic": "one_thing:retirement", "label": "退休一件事", "count": 2, "refused": 1, "bad": 1,
             "questions": ["退休要多久"], "comments": ["没说清楚"]}]
    md = render.gaps_markdown(gaps)
    assert "一件事：退休一件事 —— 2 条" in md and "- 退休要多久" in md and "意见：没说清楚" in md
    assert "暂无" in render.gaps_markdown([])


def test_i18n_covers_every_language():
    for key, entry in STRINGS.items():
        assert {"zh-Hans", "en"} <= set(entry), key
        for lang in LANGS:
            assert isinstance(t(key, lang), str)
    assert t("send", "zh-Hans") == "发送" and t("send", "zh-Hant") == "發送" and t("send", "en") == "Send"
    assert t("send", "fr") == "发送"  # unknown language: Simplified Chinese
    assert localise("办理时限", "zh-Hant") == "辦理時限" and localise("办理时限", "en") == "办理时限"
    with pytest.raises(KeyError):
        t("no-such-key")


def test_answer_options_are_the_sections_left_out_then_one_go_application():
    more = [("所需材料", "所需材料"), ("辦理時限", "办理时限")]
    assert render.answer_options(more) == [{"value": "所需材料", "label": "所需材料"},
                                           {"value": "办理时限", "label": "辦理時限"}]
    assert render.answer_options(more, "一键办理")[-1] == {"value": "一键办理", "label": "一键办理"}
    assert render.answer_options([], None) == []
