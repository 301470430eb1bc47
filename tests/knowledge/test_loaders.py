"""File loaders: each format on a small Chinese guide, stable ids, folder order, the YAML guide path
through the catalogue, and a fuzz suite of broken files that must be skipped with a warning while the
good files in the same folder still load. Binary fixtures (PDF, DOCX) are built here, in tmp_path."""

from __future__ import annotations

import io
import logging
import random
import shutil
import zipfile
from pathlib import Path

import pytest

from knowledge.catalog import Catalog, load_one_thing, render
from knowledge.documents import Document
from knowledge.loaders import SUPPORTED_SUFFIXES, LoadReport, PathLoader, load_path
from knowledge.loaders.__main__ import main as cli_main
from knowledge.loaders.base import LoadError, clean_text, decode_text, heading_level

FIXTURES = Path(__file__).parent / "fixtures" / "loaders"
GUIDES = Path(__file__).resolve().parents[2] / "knowledge" / "data"


# --------------------------------------------------------------------------------------------
# Builders for binary fixtures


def cjk_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal PDF whose text is Chinese, one text line per string.

    No CJK font ships on our machines, so fpdf2 cannot draw Chinese; text extraction only needs the
    ToUnicode map, so the font here is a non-embedded CID font with a map for exactly the characters used.
    """
    chars = sorted({c for page in pages for line in page for c in line})
    cid = {c: n for n, c in enumerate(chars, 1)}
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    pairs = [f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chars]
    bfchars = "\n".join(
        f"{len(pairs[i:i + 100])} beginbfchar\n" + "\n".join(pairs[i : i + 100]) + "\nendbfchar"
        for i in range(0, len(pairs), 100)
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n{bfchars}\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode()
    to_unicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 >>"
        % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    pages_id = len(objs) + 2 * len(pages) + 1
    page_ids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "40 800 Td"]
        ops += ["<" + "".join(f"{cid[c]:04X}" for c in line) + "> Tj T*" for line in lines]
        stream = "\n".join([*ops, "ET"]).encode()
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (pages_id, font, content)
            )
        )
    kids = " ".join(f"{p} 0 R" for p in page_ids).encode()
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Title <FEFF%s> >>" % "".join(f"{ord(c):04X}" for c in title).encode()) if title else None

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R%s >>" % (len(objs) + 1, catalog, b" /Info %d 0 R" % info if info else b"")
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


GUIDE_PDF_PAGES = [
    [
        "新生儿出生一件事办事指南",
        "一、办理条件",
        "新生儿在本市有助产资质的医疗机构出生，父母一方为本市户籍居民，或者在本市",
        "持有有效居住证。",
        "二、所需材料",
        "1.出生医学证明（可用电子证照）；",
        "2.父母双方居民身份证。",
        "- 1 -",
    ],
    [
        "三、办理时限",
        "材料齐全的，5个工作日内办结。",
        "（一）特别说明",
        "戶口遷移按原籍地規定辦理。",
        "- 2 -",
    ],
]


def english_pdf(tmp: Path) -> Path:
    """A two-page PDF drawn by fpdf2 (core font, so Latin text only) without any headings."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Newborn bundle guide for foreign residents")
    pdf.set_font("Helvetica", size=12)
    for text in (
        "Parents apply once for the birth certificate, household registration and medical insurance.",
        "Processing takes five working days when all materials are complete. There is no fee.",
    ):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    path = tmp / "newborn_en.pdf"
    pdf.output(str(path))
    return path


def guide_docx(path: Path, *, styled: bool = True) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = "Microsoft Word - 附件1.docx"
    if styled:
        d.add_heading("社会保障卡申领一件事办事指南", level=0)
        d.add_paragraph("本指南适用于首次申领社会保障卡的个人。")
        d.add_heading("一、办理条件", level=1)
    else:
        d.add_paragraph("社会保障卡申领一件事办事指南")
        d.add_paragraph("本指南适用于首次申领社会保障卡的个人。")
        d.add_paragraph("一、办理条件")
    d.add_paragraph("已参加本市基本医疗保险或基本养老保险。")
    d.add_heading("二、所需材料", level=1) if styled else d.add_paragraph("二、所需材料")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("材料", "形式", "备注"), ("居民身份证", "原件", "可用电子证照"), ("照片", "电子版", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2))  # one merged cell across two columns
    table.cell(2, 1).text = "近期免冠证件照电子版"
    d.add_heading("（一）代办", level=2) if styled else d.add_paragraph("（一）代办")
    d.add_paragraph("委托他人代办的，需提供代办人身份证。")
    d.add_paragraph("   ")  # an empty paragraph must not become text
    d.save(str(path))
    return path


def _titles(doc: Document) -> list[str]:
    return [s.title for s in doc.sections]


def _assert_well_formed(doc: Document, source_type: str) -> None:
    assert doc.doc_id.startswith("file:")
    for n, s in enumerate(doc.sections, 1):
        assert s.source_id == f"{doc.doc_id}#s{n}"
        assert s.text and s.text == s.text.strip() and "\n\n" not in s.text
        assert s.metadata["doc_id"] == doc.doc_id
        assert s.metadata["source_type"] == source_type
        assert s.metadata["path"] == doc.doc_id.removeprefix("file:")
        assert s.title == doc.title or s.title.startswith(doc.title + " · ")


def _warnings(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


# --------------------------------------------------------------------------------------------
# Helpers


def test_clean_text_only_touches_whitespace():
    assert clean_text("  一、办理条件 \r\n\n\t申请人\u3000\u3000需本人到场。  \n") == "一、办理条件\n申请人 需本人到场。"
    assert clean_text("ＡＢＣ１２３（全角）") == "ＡＢＣ１２３（全角）"  # no NFKC: quotes must match the file


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、办理条件", 3),
        ("（二）所需材料", 4),
        ("第三章 附则", 1),
        ("三、可以网上办理吗？", 3),
        ("（一）申请人为本市户籍居民。", None),  # a list item, not a heading
        ("一、" + "很长的标题" * 10, None),
        ("1. 提交申请", None),
    ],
)
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_decode_text_utf8_then_gb18030():
    text = "新生儿出生一件事：材料齐全的，当场办结。"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(text.encode("gbk")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    for bad in (b"", b"  \n", b"\x00\x01\x02binary\x00" * 10, bytes(range(256)) * 4):
        with pytest.raises(LoadError):
            decode_text(bad)


def test_damaged_utf8_loads_with_replacement_and_a_warning(tmp_path, caplog):
    data = "# 出生一件事\n父母只需填一张表、交一套材料，就能同时办理多项服务。\n".encode()
    (tmp_path / "damaged.md").write_bytes(data[:20] + b"\xff" + data[21:])
    with caplog.at_level(logging.WARNING):
        [doc] = load_path(tmp_path)
    assert "\ufffd" in doc.sections[0].text and "同时办理多项服务。" in doc.sections[0].text
    assert "invalid UTF-8" in _warnings(caplog)


# --------------------------------------------------------------------------------------------
# Each format


def test_markdown_sections_headings_and_front_matter(tmp_path):
    shutil.copy(FIXTURES / "newborn_guide.md", tmp_path)
    [doc] = load_path(tmp_path / "newborn_guide.md")
    _assert_well_formed(doc, "markdown")
    assert doc.doc_id == "file:newborn_guide.md"
    assert doc.title == "新生儿出生一件事办事指南（示例市）"
    t = doc.title
    assert _titles(doc) == [
        t,
        f"{t} · 一、办理条件",
        f"{t} · 二、所需材料",
        f"{t} · 二、所需材料 · （一）容缺受理",
        f"{t} · 三、办理流程",
        f"{t} · 四、办理时限与收费",
    ]
    for s in doc.sections:
        assert (s.metadata["region"], s.metadata["audience"], s.metadata["one_thing_id"]) == ("示例市", "个人", "newborn")
    by_heading = {s.metadata["heading"]: s.text for s in doc.sections}
    assert by_heading["一、办理条件"] == "- 新生儿在本市有助产资质的医疗机构出生。\n- 父母一方为本市户籍居民。"
    assert "出生医学证明 | 1 | 可用电子证照，免交纸质" in by_heading["二、所需材料"]
    # Markup gone, the source line wrap gone (no space before a CJK character).
    assert by_heading["二、所需材料 · （一）容缺受理"] == "父母结婚证暂时无法提供的，可书面承诺后在30日内补交。"
    assert by_heading["三、办理流程"].splitlines()[0] == "1. 在助产机构或“一网通办”平台提交申请。"
    assert "---" not in doc.sections[0].text and "region" not in doc.sections[0].text


def test_markdown_without_front_matter_or_h1_uses_file_name(tmp_path):
    (tmp_path / "开办餐饮店.md").write_text("## 办理条件\n有固定经营场所。\n\n## 办理时限\n3个工作日。\n", encoding="utf-8")
    [doc] = load_path(tmp_path)
    assert doc.title == "开办餐饮店"
    assert _titles(doc) == ["开办餐饮店 · 办理条件", "开办餐饮店 · 办理时限"]
    assert "region" not in doc.metadata


def test_markdown_broken_front_matter_still_loads_body(tmp_path, caplog):
    (tmp_path / "a.md").write_text("---\nregion: [示例市\n---\n# 指南\n正文内容。\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        [doc] = load_path(tmp_path)
    assert doc.sections[0].text == "正文内容。"
    assert "front matter" in _warnings(caplog)


def test_html_drops_page_furniture_and_keeps_tables(tmp_path):
    shutil.copy(FIXTURES / "newborn_guide.html", tmp_path)
    [doc] = load_path(tmp_path)
    _assert_well_formed(doc, "html")
    assert doc.title == "新生儿出生“一件事”办事指南"  # the h1, not the portal's <title>
    assert doc.metadata["region"] == "示例市" and doc.metadata["one_thing_id"] == "newborn"
    everything = "\n".join(s.title + "\n" + s.text for s in doc.sections)
    for junk in ("首页", "互动交流", "tracker", "不应出现", "广告", "请开启脚本", "网站地图", "font-family"):
        assert junk not in everything
    by_heading = {s.metadata["heading"]: s.text for s in doc.sections}
    assert by_heading["一、适用对象"] == "在本市助产机构出生的新生儿的父母或其他监护人。"
    assert by_heading["二、申请材料"].splitlines() == [
        "申请材料清单",
        "序号 | 材料名称 | 要求",
        "1 | 出生医学证明 | 电子证照 或原件",
        "2 | 父母身份证 | 原件",
    ]
    assert by_heading["二、申请材料 · （一）委托办理"] == "委托他人办理的，另需提交授权委托书。\n受托人身份证原件。"
    assert by_heading["三、办理地点"] == "各区政务服务中心“高效办成一件事”综合窗口。\n咨询电话：12345。"


def test_html_unclosed_tags_still_load(tmp_path):
    (tmp_path / "broken.htm").write_text(
        "<html><body><h1>企业开办一件事<h2>办理条件<p>依法设立的企业<div><p>材料：营业执照<table><tr><td>身份证",
        encoding="utf-8",
    )
    [doc] = load_path(tmp_path)
    text = "\n".join(s.text for s in doc.sections)
    assert "依法设立的企业" in text and "材料：营业执照" in text and "身份证" in text


def test_html_gbk_with_declared_charset(tmp_path):
    page = '<html><head><meta charset="gbk"></head><body><h1>退休一件事</h1><p>养老金按月发放。</p></body></html>'
    (tmp_path / "retire.html").write_bytes(page.encode("gbk"))
    [doc] = load_path(tmp_path)
    assert doc.title == "退休一件事" and doc.sections[0].text == "养老金按月发放。"


def test_pdf_cjk_headings_across_pages(tmp_path):
    (tmp_path / "guide.pdf").write_bytes(cjk_pdf(GUIDE_PDF_PAGES))
    [doc] = load_path(tmp_path)
    _assert_well_formed(doc, "pdf")
    assert doc.title == "新生儿出生一件事办事指南"  # the first line, consumed as the title
    t = doc.title
    assert _titles(doc) == [
        f"{t} · 一、办理条件",
        f"{t} · 二、所需材料",
        f"{t} · 三、办理时限",
        f"{t} · 三、办理时限 · （一）特别说明",
    ]
    texts = [s.text for s in doc.sections]
    # The wrapped line is joined without a space; the list items are not joined; page numbers dropped.
    assert texts[0] == "新生儿在本市有助产资质的医疗机构出生，父母一方为本市户籍居民，或者在本市持有有效居住证。"
    assert texts[1] == "1.出生医学证明（可用电子证照）；\n2.父母双方居民身份证。"
    assert texts[3] == "戶口遷移按原籍地規定辦理。"  # Traditional Chinese kept as is
    assert [s.metadata["page"] for s in doc.sections] == [1, 1, 2, 2]


def test_pdf_metadata_title_and_pages_without_headings(tmp_path):
    pages = [["出生一件事常见问题解答", "孩子出生后可以在医院直接办理出生登记。"], ["医保参保登记同步完成，无需另行申请。"]]
    (tmp_path / "faq.pdf").write_bytes(cjk_pdf(pages, title="出生一件事常见问题解答"))
    [doc] = load_path(tmp_path)
    assert doc.title == "出生一件事常见问题解答"
    assert _titles(doc) == [f"{doc.title} · 第1页", f"{doc.title} · 第2页"]
    assert doc.sections[0].text == "孩子出生后可以在医院直接办理出生登记。"


def test_pdf_made_by_fpdf2_one_section_per_page(tmp_path):
    english_pdf(tmp_path)
    [doc] = load_path(tmp_path)
    _assert_well_formed(doc, "pdf")
    assert doc.title == "Newborn bundle guide for foreign residents"
    assert [s.metadata["heading"] for s in doc.sections] == ["第1页", "第2页"]
    assert "birth certificate" in doc.sections[0].text and "no fee" in doc.sections[1].text


def test_docx_heading_styles_and_tables(tmp_path):
    guide_docx(tmp_path / "social_card.docx")
    [doc] = load_path(tmp_path)
    _assert_well_formed(doc, "docx")
    assert doc.title == "社会保障卡申领一件事办事指南"  # the Title paragraph, not the junk core title
    t = doc.title
    assert _titles(doc) == [t, f"{t} · 一、办理条件", f"{t} · 二、所需材料", f"{t} · 二、所需材料 · （一）代办"]
    assert doc.sections[0].text == "本指南适用于首次申领社会保障卡的个人。"
    assert doc.sections[2].text.splitlines() == ["材料 | 形式 | 备注", "居民身份证 | 原件 | 可用电子证照", "照片 | 近期免冠证件照电子版"]


def test_docx_without_heading_styles_uses_numbered_lines(tmp_path):
    guide_docx(tmp_path / "plain.docx", styled=False)
    [doc] = load_path(tmp_path)
    assert [s.metadata["heading"] for s in doc.sections] == ["", "一、办理条件", "二、所需材料", "二、所需材料 · （一）代办"]
    assert doc.title == "plain"  # no Title style, no level-1 heading, junk core title → file name
    assert doc.sections[0].text == "社会保障卡申领一件事办事指南\n本指南适用于首次申领社会保障卡的个人。"


def test_text_traditional_chinese_kept_verbatim(tmp_path):
    shutil.copy(FIXTURES / "hukou_faq.txt", tmp_path)
    [doc] = load_path(tmp_path)
    _assert_well_formed(doc, "text")
    assert doc.title == "戶口遷移一件事常見問題"
    assert [s.metadata["heading"] for s in doc.sections] == [
        "一、可以在網上辦理嗎？",
        "二、需要準備哪些材料？",
        "二、需要準備哪些材料？ · （一）委託辦理",
    ]
    source = (FIXTURES / "hukou_faq.txt").read_text(encoding="utf-8")
    for s in doc.sections:
        for line in s.text.splitlines():
            assert line in source  # verbatim: no 繁→简, no width folding
    assert doc.sections[1].text == "居民身份證\n居民戶口簿"


def test_text_in_gbk_loads(tmp_path):
    text = "开办餐饮店一件事\n一、办理条件\n有与经营食品相适应的场所。\n二、办理时限\n材料齐全的，当场办结。\n"
    (tmp_path / "restaurant.txt").write_bytes(text.encode("gbk"))
    [doc] = load_path(tmp_path)
    assert doc.title == "开办餐饮店一件事"
    assert [s.text for s in doc.sections] == ["有与经营食品相适应的场所。", "材料齐全的，当场办结。"]


def test_yaml_guide_goes_through_the_catalogue(tmp_path):
    src = GUIDES / "one_things" / "newborn.yaml"
    shutil.copy(src, tmp_path / "newborn.yaml")
    [doc] = load_path(tmp_path)
    expected = render(load_one_thing(src))
    assert doc == expected
    assert doc.doc_id == "guide:newborn" and doc.sections[0].source_id == "newborn#overview"
    catalog_doc = next(d for d in Catalog.from_dir(GUIDES).documents() if d.doc_id == "guide:newborn")
    assert doc.fingerprint == catalog_doc.fingerprint  # same guide twice → one document at ingest


def test_every_section_text_is_a_verbatim_source_substring(tmp_path):
    """For text formats, each line of a section is in the file once whitespace runs are collapsed."""
    shutil.copy(FIXTURES / "newborn_guide.md", tmp_path)
    shutil.copy(FIXTURES / "hukou_faq.txt", tmp_path)
    for doc in load_path(tmp_path):
        raw = (tmp_path / doc.metadata["path"]).read_text(encoding="utf-8")
        flat = "".join(raw.split())
        for s in doc.sections:
            for line in s.text.splitlines():
                for cell in line.removeprefix("- ").split(" | "):
                    assert "".join(cell.split()) in flat.replace("**", ""), cell


# --------------------------------------------------------------------------------------------
# Folders: order, ids, stability


def _build_folder(root: Path) -> None:
    (root / "b" / "c").mkdir(parents=True)
    (root / "a").mkdir()
    shutil.copy(FIXTURES / "newborn_guide.md", root / "b" / "c" / "guide.md")
    shutil.copy(FIXTURES / "newborn_guide.html", root / "a" / "guide.html")
    shutil.copy(FIXTURES / "hukou_faq.txt", root / "Z_faq.txt")
    (root / "a.txt").write_text("养老一件事\n一、办理条件\n年满60周岁。\n", encoding="utf-8")
    (root / "guide.pdf").write_bytes(cjk_pdf(GUIDE_PDF_PAGES))
    guide_docx(root / "b" / "card.docx")
    (root / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0old word")  # unsupported: ignored, not an error
    (root / ".hidden.md").write_text("# 隐藏\n不应加载。", encoding="utf-8")
    (root / "b" / "~$card.docx").write_bytes(b"lock")  # Word's lock file
    (root / ".git").mkdir()
    (root / ".git" / "x.md").write_text("# x\ny", encoding="utf-8")


def test_folder_loading_order_and_ids(tmp_path, caplog):
    _build_folder(tmp_path)
    with caplog.at_level(logging.WARNING):
        report = PathLoader().run(tmp_path)
    assert [d.doc_id for d in report.documents] == [
        "file:Z_faq.txt",
        "file:a.txt",
        "file:a/guide.html",
        "file:b/c/guide.md",
        "file:b/card.docx",
        "file:guide.pdf",
    ]
    assert report.skipped == [] and report.ignored == ["notes.doc"]
    assert _warnings(caplog) == ""
    assert report.summary().startswith("6 documents, ")
    ids = [s.source_id for d in report.documents for s in d.sections]
    assert len(ids) == len(set(ids))


def test_root_makes_ids_relative_to_it(tmp_path):
    _build_folder(tmp_path)
    docs = load_path(tmp_path / "b", root=tmp_path)
    assert [d.doc_id for d in docs] == ["file:b/c/guide.md", "file:b/card.docx"]
    [one] = load_path(tmp_path / "b" / "c" / "guide.md", root=tmp_path)
    assert one.doc_id == "file:b/c/guide.md" and one.sections[0].source_id == "file:b/c/guide.md#s1"


def test_ids_stable_across_loads(tmp_path):
    _build_folder(tmp_path)
    first = load_path(tmp_path)
    (tmp_path / "a.txt").write_text("养老一件事\n一、办理条件\n年满60周岁，缴费满15年。\n", encoding="utf-8")
    second = load_path(tmp_path)
    assert [d.doc_id for d in first] == [d.doc_id for d in second]
    for a, b in zip(first, second, strict=True):
        assert [s.source_id for s in a.sections] == [s.source_id for s in b.sections]
        if a.doc_id != "file:a.txt":
            assert a == b and a.fingerprint == b.fingerprint
    changed = [a.doc_id for a, b in zip(first, second, strict=True) if a.fingerprint != b.fingerprint]
    assert changed == ["file:a.txt"]


def test_missing_path_is_a_configuration_error(tmp_path):
    from core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="does not exist"):
        load_path(tmp_path / "nope")
    with pytest.raises(ConfigurationError, match="not inside"):
        load_path(FIXTURES, root=tmp_path)


def test_cli_prints_summary(tmp_path, capsys):
    _build_folder(tmp_path)
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")
    assert cli_main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped bad.pdf:" in out
    assert out.strip().splitlines()[-1].startswith("docs: 6, sections: ")
    assert "skipped: 1" in out
    assert cli_main([str(tmp_path), "--strict", "--list"]) == 1
    assert "file:guide.pdf#s1" in capsys.readouterr().out
    assert cli_main([str(tmp_path / "missing")]) == 2


# --------------------------------------------------------------------------------------------
# Fuzz: broken files are skipped with a warning; the good ones in the same folder still load


def _zip_with_garbage() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<not xml")
        z.writestr("word/document.xml", b"\x00\x01garbage")
    return buf.getvalue()


def test_malformed_files_are_skipped_with_a_warning(tmp_path, caplog):
    rng = random.Random(20240501)
    good_pdf = cjk_pdf(GUIDE_PDF_PAGES)
    shutil.copy(FIXTURES / "newborn_guide.md", tmp_path / "good.md")
    (tmp_path / "good.pdf").write_bytes(good_pdf)
    guide_docx(tmp_path / "good.docx")
    (tmp_path / "good_gbk.txt").write_bytes("出生一件事\n一、办理地点\n各区政务服务中心。\n".encode("gbk"))
    (tmp_path / "unclosed.html").write_text("<body><h2>办理条件<p>年满18周岁<li>有身份证", encoding="utf-8")

    bad = {
        "truncated.pdf": good_pdf[: len(good_pdf) // 2],
        "random.pdf": rng.randbytes(2048),
        "header_garbage.pdf": b"%PDF-1.7\n" + rng.randbytes(1024),
        "empty.pdf": b"",
        "zip_garbage.docx": _zip_with_garbage(),
        "not_a_zip.docx": rng.randbytes(512),
        "empty.docx": b"",
        "invalid.yaml": "id: newborn\nname: [未闭合\n  - : :".encode(),
        "not_a_guide.yml": "region: 示例市\nitems: [1, 2]\n".encode(),
        "empty.yaml": b"",
        "junk.md": rng.randbytes(1024),
        "utf16_no_bom.md": "# 标题\nabc 材料".encode("utf-16-le"),
        "empty.md": b"",
        "blank.txt": b" \n\t\n",
        "scripts_only.html": b"<html><script>var a=1;</script><style>p{}</style></html>",
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)

    with caplog.at_level(logging.WARNING):
        report = PathLoader().run(tmp_path)

    assert [d.doc_id for d in report.documents] == [
        "file:good.docx",
        "file:good.md",
        "file:good.pdf",
        "file:good_gbk.txt",
        "file:unclosed.html",
    ]
    assert sorted(s.path for s in report.skipped) == sorted(bad)
    warnings = _warnings(caplog)
    for name in bad:
        assert f"skipping {name}: " in warnings
    reasons = {s.path: s.reason for s in report.skipped}
    assert reasons["empty.md"] == reasons["empty.pdf"] == reasons["empty.docx"] == "empty file"
    assert "not a one-thing guide" in reasons["not_a_guide.yml"]
    assert "not a valid .docx" in reasons["not_a_zip.docx"]
    unclosed = report.documents[-1]
    assert unclosed.sections[0].title.endswith("办理条件") and "年满18周岁" in unclosed.sections[0].text


def test_single_bad_file_returns_empty_list(tmp_path, caplog):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj <<")
    with caplog.at_level(logging.WARNING):
        assert load_path(path) == []
    assert "skipping broken.pdf" in _warnings(caplog)
    (tmp_path / "x.rtf").write_text("{\\rtf1 hi}")
    with caplog.at_level(logging.WARNING):
        assert load_path(tmp_path / "x.rtf") == []
    assert "unsupported file type .rtf" in _warnings(caplog)


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        op = rng.random()
        pos = rng.randrange(len(b))
        if op < 0.5:
            b[pos] = rng.randrange(256)
        elif op < 0.75:
            del b[pos : pos + rng.randint(1, 64)]
        else:
            b[pos:pos] = rng.randbytes(rng.randint(1, 32))
    return bytes(b)


def test_seeded_fuzz_never_raises(tmp_path):
    """Random and mutated files of every type: each one either loads cleanly or is reported skipped."""
    rng = random.Random(7)
    docx_bytes = guide_docx(tmp_path / "seed.docx").read_bytes()
    (tmp_path / "seed.docx").unlink()
    seeds = {
        ".pdf": cjk_pdf(GUIDE_PDF_PAGES),
        ".docx": docx_bytes,
        ".md": (FIXTURES / "newborn_guide.md").read_bytes(),
        ".html": (FIXTURES / "newborn_guide.html").read_bytes(),
        ".txt": (FIXTURES / "hukou_faq.txt").read_bytes(),
        ".yaml": (GUIDES / "one_things" / "newborn.yaml").read_bytes(),
    }
    assert set(seeds) | {".htm", ".yml", ".markdown"} == SUPPORTED_SUFFIXES
    n = 0
    for suffix, seed in seeds.items():
        for _ in range(8):
            data = _mutate(seed, rng) if rng.random() < 0.75 else rng.randbytes(rng.randint(0, 300))
            (tmp_path / f"f{n:03d}{suffix}").write_bytes(data)
            n += 1
    report: LoadReport = PathLoader().run(tmp_path)
    assert len(report.documents) + len(report.skipped) == n
    for doc in report.documents:
        assert doc.sections and all(s.text.strip() for s in doc.sections)


def test_an_english_version_beside_a_guide_is_indexed_as_english(tmp_path):
    from knowledge.loaders.folder import english_twin_of, load_path

    (tmp_path / "公积金提取.md").write_text("# 公积金提取\n\n租房提取需要租房合同。\n", encoding="utf-8")
    (tmp_path / "公积金提取.en.md").write_text("# Housing fund withdrawal\n\nRenting: bring the lease.\n", encoding="utf-8")
    docs = {d.doc_id: d for d in load_path(tmp_path)}
    en = docs["file:公积金提取.en.md"]
    assert en.metadata["lang"] == "en" and en.metadata["translation_of"] == "file:公积金提取.md"
    assert all(s.metadata["lang"] == "en" for s in en.sections)
    assert "lang" not in docs["file:公积金提取.md"].metadata
    assert english_twin_of("a/b.en.pdf") == "a/b.pdf" and english_twin_of("a/b.pdf") is None
