"""Sections built from typed parts: the text is the parts' lines, and spans find parts by aspect."""

import pytest

from knowledge.documents import Part, Record, Section


def _section() -> Section:
    return Section.from_parts("x#channels", "X · 办理渠道", [
        Part("online", "线上渠道", ("线上渠道：", "- 政务服务网", "- 小程序")),
        Part("cross_province", "跨省通办", ("跨省通办：支持",)),
        Part("proxy", "代办帮办", ("代办帮办：可委托",)),
        Part("tolerance", "容缺受理", ("容缺受理：可后补",)),
    ], {"kind": "channels"})


def test_text_is_the_parts_lines():
    s = _section()
    assert s.text == "线上渠道：\n- 政务服务网\n- 小程序\n跨省通办：支持\n代办帮办：可委托\n容缺受理：可后补"
    assert s.kind == "channels"


def test_spans_pick_runs_of_parts_by_aspect():
    s = _section()
    quote = lambda aspects: [s.text[a:b] for a, b in s.spans(aspects)]  # noqa: E731
    assert quote(None) == [s.text]
    assert quote({"proxy"}) == ["代办帮办：可委托"]
    assert quote({"online", "cross_province"}) == ["线上渠道：\n- 政务服务网\n- 小程序\n跨省通办：支持"]
    assert quote({"online", "proxy"}) == ["线上渠道：\n- 政务服务网\n- 小程序", "代办帮办：可委托"]
    assert quote({"fees"}) == []


def test_text_and_parts_must_agree():
    with pytest.raises(ValueError, match="parts"):
        Section("x#a", "X", "something else", {}, (Part("time", "办理时限", ("办理时限：3天",)),))
    with pytest.raises(ValueError, match="no lines"):
        Part("time", "办理时限", ())
    assert Section("x#b", "X", "a plain section").parts == ()  # loaders that know no structure


def test_record_accessors():
    r = Record("g#faq-1", "问：…", {"title": "G · 常见问题", "doc_id": "guide:g", "one_thing_id": "g", "kind": "faq",
                                    "source_id": "g#faq-1"})
    assert (r.title, r.doc_id, r.one_thing_id, r.kind, r.source_id, r.score) == (
        "G · 常见问题", "guide:g", "g", "faq", "g#faq-1", None)
    assert Record("f~2", "t").source_id == "f~2" and Record("f~2", "t").one_thing_id is None
