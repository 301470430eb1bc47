"""Optional OCR: read a missing field from an uploaded certificate photo, fully offline.

`RapidOcrReader` wraps the PP-OCR models that ship inside the `rapidocr` package (onnxruntime);
it never downloads anything and is imported lazily on first use. `extract()` picks the text that
fits the field's type and passes its validator. An OCR value is always marked ``ocr`` and must be
confirmed by the person before the form can be confirmed.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from core.errors import InvalidInput, ServiceUnavailable
from prefill.forms import FormField
from prefill.validators import validate_field

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
_PATTERNS = {
    "id_number": r"\d{17}[\dXx]",
    "uscc": r"[0-9A-HJ-NPQRTUWXY]{18}",
    "phone": r"1[3-9]\d{9}",
    "bank_card": r"(?:\d[ -]?){11,18}\d",
    "date": r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?",
    "region_code": r"\d{6}",
    "integer": r"\d+",
    "decimal": r"\d+(?:\.\d+)?",
    "code": r"[A-Za-z0-9][A-Za-z0-9\-()（）]{3,}",
}


@dataclass(frozen=True)
class OcrResult:
    lines: tuple[str, ...]
    scores: tuple[float, ...]


class OcrReader(Protocol):
    def warm_up(self) -> None: ...

    def run(self, image: bytes) -> OcrResult: ...


def check_image(image: bytes) -> None:
    """Reject anything that is not a sane PNG/JPEG before it reaches the model."""
    if not image:
        raise InvalidInput("image: the upload is empty", field="image")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise InvalidInput("image: must be a PNG or JPEG photo", field="image")
            if img.width * img.height > MAX_PIXELS:
                raise InvalidInput("image: too many pixels; send a smaller photo", field="image")
            img.verify()
    except Image.DecompressionBombError as exc:
        # A header that declares billions of pixels (a "decompression bomb"): refuse before decoding.
        raise InvalidInput("image: too many pixels; send a smaller photo", field="image") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput("image: not a readable PNG or JPEG photo", field="image") from exc


class RapidOcrReader:
    """rapidocr with its bundled default models; one engine per process, loaded on first use."""

    def __init__(self) -> None:
        self._engine = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._engine is not None:
                return
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:
                raise ServiceUnavailable("OCR needs the rapidocr package (pip install rapidocr); type the value instead") from exc
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            self._engine = RapidOCR()

    def run(self, image: bytes) -> OcrResult:
        check_image(image)
        self.warm_up()
        result = self._engine(image)
        return OcrResult(tuple(result.txts or ()), tuple(float(s) for s in (result.scores or ())))


def extract(f: FormField, lines: Sequence[str]) -> str | None:
    """The first text in the OCR lines that fits the field's type and passes its validator."""
    candidates: list[str] = []
    if f.type == "enum":
        candidates = [opt for opt in f.options for line in lines if opt in line]
    elif f.type in _PATTERNS:
        for line in lines:
            candidates += re.findall(_PATTERNS[f.type], line)
        if f.type == "code":
            candidates.sort(key=len, reverse=True)
    else:
        candidates = [line.strip() for line in lines if line.strip()]
    for raw in candidates:
        text = re.sub(r"\s+", "", raw) if f.type in ("date", "bank_card", "id_number", "phone") else raw
        try:
            return validate_field(f, text)
        except InvalidInput:
            continue
    return None
