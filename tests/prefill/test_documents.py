"""Printable documents: the DOCX opens, masks identifiers in the citizen copy, and a department copy
holds that department's fields in full."""

import io

import pytest
from docx import Document as Docx

from core.errors import Forbidden, InvalidInput, ServiceUnavailable
from prefill.documents import find_cjk_font


def _text(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_docx_masks_identifiers_except_in_department_copies(svc, scenario, h):
    sc = scenario("newborn")
    me, view, sub = h.full_flow(svc, sc)
    raw = svc.all_values(view.draft_id)
    doc = svc.document(me, view.draft_id)
    assert doc.filename.endswith(".docx") and doc.media_type.endswith("wordprocessingml.document")
    text = _text(doc.content)
    assert svc.form("newborn").title in text and sub.tracking_no in text
    for key in ("father_id_number", "mother_id_number", "contact_phone", "maternity_bank_account"):
        assert raw[key] not in text
    assert raw["father_id_number"][:6] + "********" in text
    with pytest.raises(Forbidden):
        svc.document(me, view.draft_id, copy="公安部门")
    clerk = h.citizen(me.subject, via="clerk")
    police = _text(svc.document(clerk, view.draft_id, copy="公安部门").content)
    assert raw["father_id_number"] in police and raw["mother_id_number"] in police
    assert raw["maternity_bank_account"] not in police, "only the department's own fields"
    with pytest.raises(InvalidInput):
        svc.document(clerk, view.draft_id, copy="月球部门")
    with pytest.raises(InvalidInput):
        svc.document(me, view.draft_id, fmt="odt")


def test_pdf_needs_a_cjk_font(svc, scenario, h):
    me, view, _ = h.full_flow(svc, scenario("retirement"), submit=False)
    if find_cjk_font() is None:
        with pytest.raises(ServiceUnavailable, match="CJK font"):
            svc.document(me, view.draft_id, fmt="pdf")
    else:
        pdf = svc.document(me, view.draft_id, fmt="pdf")
        assert pdf.content.startswith(b"%PDF")
