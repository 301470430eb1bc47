"""OCR of a missing field: the value is marked ocr and must be confirmed before the form can be.
The fast tests use a fake reader (same Protocol); the integration test runs rapidocr's bundled models."""

import io

import pytest

from core.errors import Conflict, InvalidInput
from prefill.ocr import OcrResult, RapidOcrReader, check_image, extract


class FakeReader:
    def __init__(self, *lines: str) -> None:
        self.lines = lines

    def warm_up(self) -> None:
        pass

    def run(self, image: bytes) -> OcrResult:
        check_image(image)
        return OcrResult(self.lines, tuple(0.99 for _ in self.lines))


def _png(*lines: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (900, 120 * max(1, len(lines)) + 40), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=48)
    for i, text in enumerate(lines):
        draw.text((30, 30 + 110 * i), text, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _draft(svc, scenario, h):
    sc = scenario("cross_region_medical")
    me = h.citizen(sc.applicant_id)
    d = svc.start_draft(me, sc.one_thing_id).draft_id
    svc.grant_all(me, d)
    svc.prefill(me, d)
    svc.edit(me, d, "filing_type", "异地长期居住")
    return me, d


def test_ocr_value_needs_confirmation(svc, scenario, h):
    me, d = _draft(svc, scenario, h)
    svc.ocr = FakeReader("异地就医备案", "备案开始日期：2026年1月5日")
    view = svc.ocr_field(me, d, "filing_start", _png("x"))
    f = {x.key: x for x in view.fields}["filing_start"]
    assert f.state == "ocr" and f.display == "2026-01-05" and f.provenance.source == "ocr" and f.editable
    with pytest.raises(InvalidInput, match="OCR"):
        svc.confirm(me, d)
    view = svc.accept_ocr(me, d, "filing_start")
    assert {x.key: x for x in view.fields}["filing_start"].state == "entered"
    assert svc.confirm(me, d).status == "confirmed"
    assert svc.audit.entries(draft_id=d, action="ocr")
    with pytest.raises(Conflict):
        svc.accept_ocr(me, d, "filing_start")


def test_ocr_refuses_bad_uploads_and_filled_fields(svc, scenario, h):
    me, d = _draft(svc, scenario, h)
    svc.ocr = FakeReader("no date here")
    with pytest.raises(InvalidInput, match="image"):
        svc.ocr_field(me, d, "filing_start", b"not an image")
    with pytest.raises(InvalidInput, match="type it"):
        svc.ocr_field(me, d, "filing_start", _png("x"))
    with pytest.raises(Conflict):
        svc.ocr_field(me, d, "name", _png("x"))


def test_extract_by_type(svc):
    form = svc.form("car_trade_in_subsidy")
    assert extract(form.field("invoice_no"), ["发票号码", "No. 044001900111"]) == "044001900111"
    assert extract(form.field("purchase_price"), ["价税合计 128800.00"]) == "128800.00"
    assert extract(svc.form("newborn").field("delivery_method"), ["请窗口自取"]) == "窗口自取"
    assert extract(svc.form("retirement").field("id_number"), ["110105 19491231 002X"]) is None


@pytest.mark.integration
def test_rapidocr_reads_a_printed_date_offline(svc, scenario, h):
    pytest.importorskip("rapidocr")
    me, d = _draft(svc, scenario, h)
    svc.ocr = RapidOcrReader()
    view = svc.ocr_field(me, d, "filing_start", _png("Filing date", "2026-01-05"))
    f = {x.key: x for x in view.fields}["filing_start"]
    assert f.state == "ocr" and f.display == "2026-01-05"


def test_ocr_upload_over_http(svc, scenario, h, tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from core.settings import Settings

    me, d = _draft(svc, scenario, h)
    svc.ocr = FakeReader("2026-02-01")
    client = TestClient(create_app(Settings(data_dir=tmp_path / "var", embedder="hash"), assistant=None, prefill=svc,
                                   mount_ui=False))
    tok = {"Authorization": f"Bearer {client.app.state.services.signer.issue('citizen', me.subject)}"}
    r = client.post(f"/v1/prefill/drafts/{d}/fields/filing_start/ocr", headers=tok,
                    files={"image": ("cert.png", _png("x"), "image/png")})
    assert r.status_code == 200, r.text
    assert {f["key"]: f for f in r.json()["fields"]}["filing_start"]["state"] == "ocr"
    r = client.post(f"/v1/prefill/drafts/{d}/fields/filing_start/ocr", headers=tok,
                    files={"image": ("cert.txt", b"hello", "text/plain")})
    assert r.status_code == 422


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's calling card)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_not_a_500():
    with pytest.raises(InvalidInput, match="too many pixels"):
        check_image(_png_declaring(30000, 30000))
