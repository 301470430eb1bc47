"""Printable documents of a merged form: DOCX (python-docx), and PDF when a CJK font is on the machine.

The citizen copy shows every field grouped by section, with identifiers masked, plus which
department receives which fields. A department copy (部门联) shows only that department's fields,
in full: that is the one place outside the JSON payload where a department's ID numbers appear.
python-docx and fpdf2 are imported lazily, inside the render functions.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from core.errors import ServiceUnavailable
from core.masking import mask_for_type
from core.status import DRAFT_STATUS_ZH
from prefill.forms import MergedForm, plain_values
from prefill.models import STATE_LABELS

log = logging.getLogger(__name__)

CITIZEN_COPY = "citizen"
# Fonts with CJK glyphs that fpdf2 can embed (TrueType outlines). None ships with Python packages we use.
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
)


@dataclass(frozen=True)
class DocumentContext:
    """Everything a document shows, already fetched and checked by the service."""

    form: MergedForm
    draft_id: str
    status: str
    values: dict[str, dict]
    tracking_no: str | None = None
    submitted_at: str | None = None
    generated_at: str = ""


def _display(form: MergedForm, key: str, value, *, masked: bool) -> str:
    if value is None or value == "":
        return "（未填写）"
    f = form.field(key)
    return (mask_for_type(f.type, str(value), sensitive=f.sensitive) if masked else str(value)) or ""


def _rows(ctx: DocumentContext, copy: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(heading, [(label, value, state)]) blocks for the requested copy."""
    masked = copy == CITIZEN_COPY
    plain = plain_values(ctx.values)
    blocks = []
    for sec in ctx.form.sections:
        rows = []
        for f in sec.fields:
            if (not masked and copy not in f.departments) or not f.asked(plain):
                continue
            v = ctx.values.get(f.key) or {}
            rows.append((f.label, _display(ctx.form, f.key, v.get("value"), masked=masked),
                         STATE_LABELS.get(v.get("state", "to_be_entered"), "")))
        if rows:
            blocks.append((sec.title, rows))
    return blocks


def _header_lines(ctx: DocumentContext, copy: str) -> list[str]:
    lines = [f"申请编号：{ctx.draft_id}", f"状态：{DRAFT_STATUS_ZH.get(ctx.status, ctx.status)}"]
    if ctx.tracking_no:
        lines.append(f"受理查询号：{ctx.tracking_no}（提交时间 {ctx.submitted_at}）")
    lines.append(f"生成时间：{ctx.generated_at}")
    lines.append("本联为申请人留存联，身份证号、手机号、银行卡号等个人标识已脱敏显示。" if copy == CITIZEN_COPY
                 else f"本联为{copy}联，仅含该部门办理所需字段，请妥善保管，不得用于其他用途。")
    return lines


def render_docx(ctx: DocumentContext, copy: str = CITIZEN_COPY) -> bytes:
    from docx import Document as Docx
    from docx.shared import Pt

    doc = Docx()
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(ctx.form.title + ("" if copy == CITIZEN_COPY else f"（{copy}联）"), level=1)
    for line in _header_lines(ctx, copy):
        doc.add_paragraph(line)
    for heading, rows in _rows(ctx, copy):
        doc.add_heading(heading, level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("项目", "内容", "来源/状态"), strict=True):
            cell.text = text
        for label, value, state in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = label, value, state
    if copy == CITIZEN_COPY:
        doc.add_heading("各部门接收的信息（一次填报，多方共用）", level=2)
        for dept in ctx.form.departments:
            labels = "、".join(f.label for f in ctx.form.fields_for(dept, plain_values(ctx.values)))
            doc.add_paragraph(f"{dept}：{labels}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def find_cjk_font(extra: list[Path] | None = None) -> Path | None:
    for p in [*(extra or []), *map(Path, CJK_FONT_CANDIDATES)]:
        if p.is_file():
            return p
    return None


def render_pdf(ctx: DocumentContext, copy: str = CITIZEN_COPY) -> bytes:
    """PDF with an embedded CJK font; without one on the machine this is a clear 503, DOCX still works."""
    font = find_cjk_font()
    if font is None:
        raise ServiceUnavailable("PDF needs a CJK font on the server (e.g. apt-get install fonts-wqy-microhei); "
                                 "download the DOCX instead")
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("cjk", "", str(font))

    def line(text: str, size: int, height: float) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    line(ctx.form.title + ("" if copy == CITIZEN_COPY else f"（{copy}联）"), 14, 8)
    for text in _header_lines(ctx, copy):
        line(text, 9, 5)
    for heading, rows in _rows(ctx, copy):
        pdf.ln(2)
        line(heading, 11, 6)
        pdf.set_font("cjk", size=9)
        with pdf.table(col_widths=(45, 95, 40), first_row_as_headings=False) as table:
            table.row(("项目", "内容", "来源/状态"))
            for r in rows:
                table.row(r)
    return bytes(pdf.output())
