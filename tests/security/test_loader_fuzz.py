"""Fuzzing the guide loaders with hostile files: each is loaded or skipped with a warning naming it,
quickly and in bounded memory; ingestion of a folder full of them never fails; no YAML runs code.

Complements tests/knowledge/test_loaders.py (random byte mutations) with files made to hurt:
billion-laughs and recursive YAML, code-executing YAML tags, zip bombs and truncated zips, PDFs with
broken cross-references, deep nesting, huge single lines, binary junk and every wrong extension.
"""

from __future__ import annotations

import io
import logging
import random
import time
import zipfile
from pathlib import Path

import pytest

from knowledge.loaders import SUPPORTED_SUFFIXES, PathLoader

GUIDES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "one_things"
FIXTURES = Path(__file__).resolve().parents[1] / "knowledge" / "fixtures" / "loaders"
PER_FILE_SECONDS = 10


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("退休一件事本区办事指南", 1)
    doc.add_heading("一、办理地点", 2)
    doc.add_paragraph("区政务服务中心综合窗口。")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "材料", "份数"
    table.cell(1, 0).text, table.cell(1, 1).text = "身份证", "1"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(3):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        for line in range(20):
            pdf.cell(0, 8, f"Section {n}.{line}: where to apply, what to bring, how long it takes.", new_x="LMARGIN",
                     new_y="NEXT")
    return bytes(pdf.output())


def _zip_bomb(docx: bytes, mb: int = 40) -> bytes:
    """A .docx whose document.xml inflates to `mb` MB of one text node (a few tens of KB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>" + b"A" * (mb << 20) + b"</w:t></w:r></w:p>")
            zout.writestr(item, data)
    return out.getvalue()


def _laughs(levels: int = 9) -> str:
    text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for n in range(1, levels):
        text += f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]\n"
    return text


def hostile_files(tmp: Path) -> dict[str, bytes]:
    docx, pdf = _docx(), _pdf()
    md = (FIXTURES / "newborn_guide.md").read_bytes()
    html = (FIXTURES / "newborn_guide.html").read_bytes()
    guide = (GUIDES / "newborn.yaml").read_bytes()
    marker = tmp / "PWNED"
    files = {
        # YAML: billion laughs (a guide and a front matter), recursion, tags that would run code.
        "laughs.yaml": (_laughs() + "id: newborn\nname: *a8\n").encode(),
        "laughs_front_matter.md": ("---\n" + _laughs(7) + "title: x\n---\n# 标题\n\n正文。\n").encode(),
        "recursive.yaml": b"a: &a [*a]\nid: newborn\n",
        "python_tag.yaml": f"id: !!python/object/apply:os.system ['touch {marker}']\n".encode(),
        "python_tag_front_matter.md": f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n# 标题\n\n正文。\n".encode(),
        "deep.yaml": b"id: " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "not_a_mapping.yml": b"- just\n- a list\n",
        "guide_with_wrong_types.yaml": guide.replace(b"id: newborn", b"id: [1, 2]"),
        "tabs.yaml": b"id:\tnewborn\n\tname: x\n",
        # Zips: a bomb, truncated at several points, a broken central directory, a zip that is not a docx.
        "bomb.docx": _zip_bomb(docx),
        "huge_bomb.docx": _zip_bomb(docx, mb=210),  # 210 MB of XML in about 200 KB
        **{f"truncated_{k}.docx": docx[:k] for k in (4, 30, len(docx) // 3, len(docx) - 30)},
        "central_directory_zeroed.docx": docx[:-22] + b"\0" * 22,
        "plain_zip.docx": _plain_zip(),
        # PDFs: truncated, a broken xref, garbage after a valid header, a loop in the page tree.
        "truncated.pdf": pdf[: len(pdf) * 2 // 3],
        "broken_xref.pdf": pdf.replace(b"xref", b"xre?"),
        "header_then_junk.pdf": b"%PDF-1.7\n" + random.Random(3).randbytes(4096),
        "page_loop.pdf": _pdf_page_loop(),
        # Text: deep nesting, huge lines, binary junk, wrong encodings.
        "deep.html": b"<div>" * 30000 + "退休一件事".encode() + b"</div>" * 30000,
        "deep_list.md": "# 标题\n\n".encode() + b"".join(b"  " * i + b"- x\n" for i in range(2000)),
        "deep_quote.md": b"# t\n\n" + b">" * 20000 + b" quote\n",
        # (long enough to hurt anything quadratic; short enough that indexing them stays quick)
        "huge_line.md": "# 大文件\n\n".encode() + "办理材料说明。".encode() * 30_000,
        "huge_line.html": b"<p>" + "字".encode() * 200_000 + b"</p>",
        "huge_line.txt": "一、办理\n".encode() + "字".encode() * 200_000 + b"x" * 500_000,
        "nul_bytes.md": b"# t\n\n" + b"\0" * 5000,
        "utf32.md": "# 标题\n\n正文".encode("utf-32"),
        "png_named.txt": b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(2048),
        # Valid content under the wrong extension.
        "pdf_named.docx": pdf, "pdf_named.md": pdf, "pdf_named.html": pdf, "pdf_named.yaml": pdf,
        "docx_named.pdf": docx, "docx_named.md": docx, "docx_named.txt": docx,
        "html_named.pdf": html, "md_named.docx": md, "yaml_named.pdf": guide, "html_named.yaml": html,
    }
    return files


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a word document")
    return out.getvalue()


def _pdf_page_loop() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _mutants(seeds: dict[str, bytes], rng: random.Random, per_seed: int) -> dict[str, bytes]:
    """Structure-aware damage: truncation, a hole, a repeated block, bytes flipped near the start or
    the end (headers, xref tables and zip directories live there)."""
    out = {}
    for suffix, seed in seeds.items():
        for i in range(per_seed):
            b = bytearray(seed)
            op = i % 5
            if op == 0:
                b = b[: rng.randrange(1, len(b))]
            elif op == 1:
                at = rng.randrange(len(b))
                del b[at : at + rng.randint(1, 512)]
            elif op == 2:
                at = rng.randrange(len(b))
                b[at:at] = b[at : at + 256] * rng.randint(2, 20)
            else:
                region = range(0, min(256, len(b))) if op == 3 else range(max(0, len(b) - 256), len(b))
                for _ in range(rng.randint(1, 16)):
                    b[rng.choice(region)] = rng.randrange(256)
            out[f"mutant_{i:02d}{suffix}"] = bytes(b)
    return out


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> tuple[Path, list[str], list[str]]:
    folder = tmp_path_factory.mktemp("hostile")
    good = {"good_guide.md": (FIXTURES / "newborn_guide.md").read_bytes(), "good_page.html":
            (FIXTURES / "newborn_guide.html").read_bytes(), "good.docx": _docx(), "good.pdf": _pdf(),
            "good.yaml": (GUIDES / "retirement.yaml").read_bytes()}
    bad = hostile_files(folder)
    seeds = {".pdf": _pdf(), ".docx": _docx(), ".md": good["good_guide.md"], ".html": good["good_page.html"],
             ".yaml": good["good.yaml"], ".txt": (FIXTURES / "hukou_faq.txt").read_bytes()}
    assert set(seeds) | {".htm", ".yml", ".markdown"} == SUPPORTED_SUFFIXES
    bad.update(_mutants(seeds, random.Random(20261123), per_seed=10))
    for name, data in {**good, **bad}.items():
        (folder / name).write_bytes(data)
    return folder, sorted(good), sorted(bad)


def test_each_hostile_file_is_loaded_or_skipped_with_a_warning_quickly(hostile_folder, caplog):
    folder, good, bad = hostile_folder
    slow = []
    for name in good + bad:
        t = time.perf_counter()
        with caplog.at_level(logging.WARNING):
            report = PathLoader(root=folder).run(folder / name)
        elapsed = time.perf_counter() - t
        if elapsed > PER_FILE_SECONDS:
            slow.append((name, round(elapsed, 1)))
        assert len(report.documents) + len(report.skipped) == 1, name
        if report.skipped:
            assert f"skipping {name}: " in caplog.text, name
            assert report.skipped[0].reason and len(report.skipped[0].reason) <= 300
        else:
            assert all(s.text.strip() for s in report.documents[0].sections), name
        caplog.clear()
    assert not slow, slow
    assert not (folder / "PWNED").exists(), "a YAML tag ran code"
    for name in good:
        assert PathLoader(root=folder).run(folder / name).documents, name


@pytest.mark.parametrize("name,reason", [
    ("laughs.yaml", "anchors and aliases"), ("recursive.yaml", "refers to itself"),
    ("python_tag.yaml", "not valid YAML"), ("bomb.docx", "text node too long"), ("huge_bomb.docx", "zip bomb"), ("pdf_named.docx", "not a valid .docx"),
    ("png_named.txt", "binary"), ("not_a_mapping.yml", "not a one-thing guide"),
])
def test_named_hostile_files_are_skipped_for_the_right_reason(hostile_folder, name, reason):
    folder, _, _ = hostile_folder
    report = PathLoader(root=folder).run(folder / name)
    assert report.skipped and reason.lower() in report.skipped[0].reason.lower(), report.skipped


def test_front_matter_bombs_are_ignored_and_the_body_still_loads(hostile_folder, caplog):
    folder, _, _ = hostile_folder
    for name in ("laughs_front_matter.md", "python_tag_front_matter.md"):
        with caplog.at_level(logging.WARNING):
            docs = PathLoader(root=folder).run(folder / name).documents
        assert docs and docs[0].sections[0].text == "正文。", name
        assert "ignoring front matter" in caplog.text
        caplog.clear()


def test_ingesting_a_folder_of_hostile_files_indexes_the_good_ones(hostile_folder, tmp_path, monkeypatch, capsys):
    """Through the CLI, as an office would run it: exit 0, the good guides indexed and retrievable."""
    from app.cli import main
    from app.pipeline import build_knowledge
    from core.settings import Settings, get_settings

    folder, good, _ = hostile_folder
    monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YJS_EMBEDDER", "hash")
    get_settings.cache_clear()
    try:
        t = time.perf_counter()
        assert main(["ingest", "-q", str(folder)]) == 0
        elapsed = time.perf_counter() - t
    finally:
        get_settings.cache_clear()
    assert "added" in capsys.readouterr().out
    assert elapsed < 120
    kb = build_knowledge(Settings(data_dir=tmp_path / "var", embedder="hash"))
    kb.warm_up()
    docs = {r.doc_id for r in kb.store.all_records()}
    assert {"file:good_guide.md", "file:good_page.html", "file:good.docx", "file:good.pdf"} <= docs
    assert "guide:retirement" in docs and "guide:newborn" in docs
    hits = kb.retriever.run("Section 1.3 where to apply", where={"doc_id": "file:good.pdf"}).passages
    assert hits
