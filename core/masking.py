"""Masking of personal data for display and logs: 身份证号 110105********1234, phone 138****5678,
bank card ************4321, address kept to its district.

One place for the rules, used by the UI, the printable documents, API errors and a logging
filter installed by every entry point, so no log line carries an unmasked ID or phone number.
"""

from __future__ import annotations

import logging
import re

# 18-character resident ID (GB 11643): 17 digits and a digit or X check character, also written in
# groups with spaces or dashes (110105 19900101 1234).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){16}[ -]?[\dXx](?![0-9A-Za-z])")
# Mainland mobile numbers, optionally with +86, also grouped (138 1234 5678, 138-1234-5678).
PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")
# Full-width digits (１３８…) and dashes are matched as their ASCII twins; one character for one, so
# the positions found in the folded copy are the positions in the original text.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "－": "-", "\u3000": " ", "Ｘ": "X", "ｘ": "x"})
# A street address typed into a message: road/street + house number, or estate + building/unit/room.
STREET_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,12}(?:路|街|大道|大街|巷|胡同|弄)\s*\d+\s*(?:号|弄)(?:\s*(?:院|楼)?\s*\d+\s*(?:号楼|栋|幢|座|单元|层|室|号))*"
    r"|[\u4e00-\u9fff]{1,12}(?:小区|花园|家园|公寓|新村|苑|大厦)\s*\d+\s*(?:号楼|栋|幢|座)(?:\s*\d+\s*(?:单元|层|室|号))*(?:\s*\d+)?")
# Bank cards: 16-19 digits, optionally grouped by spaces or dashes.
BANK_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)")
_ADDRESS_DISTRICT = re.compile(r"^(.{2,20}?(?:区|县|旗))(.+)$")
_ADDRESS_TAIL = re.compile(r"^(.*?(?:区|县|旗|市))(.+)$")


def mask_id_number(value: str) -> str:
    """110105199001011234 → 110105********1234 (region and last four kept)."""
    v = (value or "").strip()
    if len(v) == 18:
        return f"{v[:6]}{'*' * 8}{v[-4:]}"
    return "*" * len(v) if len(v) <= 4 else f"{v[:2]}{'*' * (len(v) - 4)}{v[-2:]}"


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) >= 11:
        return f"{digits[-11:-8]}****{digits[-4:]}"
    return "*" * len(digits)


def mask_bank_card(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**: the surname is enough for a clerk to recognise a record on screen."""
    v = (value or "").strip()
    return v[:1] + "*" * (len(v) - 1) if len(v) > 1 else v


def mask_address(value: str) -> str:
    """Keep the address down to its district/county; hide the street and house number."""
    v = (value or "").strip()
    m = _ADDRESS_DISTRICT.match(v) or _ADDRESS_TAIL.match(v)
    if m and len(m.group(2)) > 0:
        return m.group(1) + "****"
    return v[:3] + "****" if len(v) > 3 else "****"


def mask_code(value: str) -> str:
    """A card or certificate number (社保卡号, 结婚证字号): keep the first two and last two characters."""
    v = (value or "").strip()
    return "*" * len(v) if len(v) <= 4 else f"{v[:2]}{'*' * (len(v) - 4)}{v[-2:]}"


# Field types (see prefill.validators.FIELD_TYPES) whose values are personal identifiers on screen.
_MASK_BY_TYPE = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_card": mask_bank_card,
    "address": mask_address,
}


def mask_for_type(ftype: str, value: str | None, *, sensitive: bool = False) -> str | None:
    """The on-screen form of a field value: identifiers masked by type, `sensitive` codes masked too.

    Unknown types fall back to `mask_text`, so an identifier typed into a free-text field is still hidden.
    """
    if value is None:
        return None
    fn = _MASK_BY_TYPE.get(ftype)
    if fn:
        return fn(value)
    if sensitive:
        return mask_code(value)
    return mask_text(value)


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s)


def _sub_folded(pattern: re.Pattern, text: str, mask) -> str:
    """Replace matches of `pattern` found in the folded copy of `text`, in `text` itself."""
    folded = text.translate(_FOLD)
    out, last = [], 0
    for m in pattern.finditer(folded):
        out.append(text[last:m.start()])
        out.append(mask(m.group(0)))
        last = m.end()
    return "".join(out) + text[last:] if out else text


def _mask_id_match(s: str) -> str:
    d = _digits(s)
    return f"{d[:6]}{'*' * 8}{d[-4:]}" if len(d) == 18 else s


def mask_text(text: str) -> str:
    """Mask every ID number, phone number and bank-card number found in free text (grouped with
    spaces or dashes, or in full-width digits, too)."""
    if not text:
        return text
    text = _sub_folded(ID_NUMBER, text, _mask_id_match)
    text = _sub_folded(PHONE, text, lambda s: mask_phone(s))
    return _sub_folded(BANK_CARD, text, lambda s: mask_bank_card(s))


def mask_free_text(text: str) -> str:
    """What a citizen typed, as it may be stored: personal numbers and street addresses masked.
    (Addresses are not refused in questions — "我住朝阳区，孩子在哪上学" is a fair question — but
    a house number has no business in a transcript.)"""
    return STREET_ADDRESS.sub(lambda m: mask_address(m.group(0)), mask_text(text)) if text else text


class PiiMaskingFilter(logging.Filter):
    """Rewrites each record's message with `mask_text`, so handlers never see raw personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break logging
            return True
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


class PiiArgsMaskingFilter(PiiMaskingFilter):
    """Like `PiiMaskingFilter`, for handlers whose formatter unpacks ``record.args`` itself (uvicorn's
    access log reads ``(client, method, path, version, status)`` from them): each argument is masked
    in place, so the request path ``/v1/prefill/drafts/<an ID number>`` is logged masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of `logger` (default: root). Safe to call twice."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
