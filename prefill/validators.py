"""Field validators for merged forms: each checks one rule and returns the normalised value.

Every rejection raises :class:`InvalidInput` whose message names the field and the rule, in English
with the Chinese wording a clerk would use, e.g.
``father_id_number: check digit does not match (身份证号校验位错误)``. A message never repeats the
value itself: the caller's value may be someone's identity number.

Rules: 身份证号 (GB 11643: 18 characters, ISO 7064 MOD 11-2 check, a valid birth date, a known
region prefix), 统一社会信用代码 (GB 32100: 18 characters from the code's charset without I O Z S V,
MOD 31 check), mainland mobile phone, dates, GB/T 2260 region codes, bank cards (Luhn), enums,
names, addresses, numbers and bounded text.

The check digits come from python-stdnum (`stdnum.cn.ric`, `stdnum.cn.uscc`, `stdnum.luhn`), a
maintained implementation with its own test vectors; the rules around them (which region prefixes
and registration authorities we accept, the 1870 floor for birth dates) stay here, because stdnum's
full `validate()` differs from ours: its RIC check wants the birth county in its own table, and its
USCC check rejects the letter authorities (A, N, Y) that GB 32100 allows.

`validate_field(field, value)` is the one entry point for a form field: it reads every rule the
form declares (options, lengths, not_future / not_past, bounds), so callers cannot drop one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from core.errors import InvalidInput
from prefill.regions import ID_PROVINCE_PREFIXES, PROVINCES, is_known_region

if TYPE_CHECKING:  # forms imports FIELD_TYPES from here, so the field model is only a type hint
    from prefill.forms import FormField

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
USCC_AUTHORITIES = "123456789ANY"  # 登记管理部门代码
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code inside the USCC

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日")
_NAME = re.compile(r"^(?:[\u3400-\u9fff]+(?:[·•][\u3400-\u9fff]+)*|[A-Za-z]+(?:[ .'\-][A-Za-z]+)*)$")
_CJK = re.compile(r"[\u3400-\u9fff]")

FIELD_TYPES = (
    "text", "name", "id_number", "uscc", "phone", "date", "region_code", "bank_card", "enum",
    "address", "integer", "decimal", "code", "boolean",
)


def _bad(field: str, rule: str) -> InvalidInput:
    return InvalidInput(f"{field}: {rule}", field=field)


def _clean(value: Any, field: str) -> str:
    if value is None:
        raise _bad(field, "is required (必填项不能为空)")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _bad(field, "must be text (应为文本)")
    text = str(value).strip()
    if not text:
        raise _bad(field, "is required (必填项不能为空)")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise _bad(field, "contains control characters (含有非法控制字符)")
    return text


# --- check-digit helpers (also used by the seed to make valid data) ----------------------------
def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    # stdnum takes the whole 18-character number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (MOD 31)."""
    return uscc.calc_check_digit(first17)


def org_code_check_char(first8: str) -> str:
    """The GB 11714 organisation-code check character for its first 8 characters."""
    def val(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - 55

    c = 11 - sum(val(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn (mod 10) check that bank card numbers carry."""
    return luhn.is_valid(digits)


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass Luhn."""
    return luhn.calc_check_digit(partial)


def _parse_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --- validators -------------------------------------------------------------------------------
def check_id_number(value: Any, field: str, *, today: dt.date | None = None) -> str:
    text = _clean(value, field).upper()
    if len(text) != 18:
        raise _bad(field, "must be 18 characters (身份证号应为18位)")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise _bad(field, "must be 17 digits followed by a digit or X (身份证号格式错误)")
    if text[:2] not in ID_PROVINCE_PREFIXES:
        raise _bad(field, "region code prefix is unknown (身份证号地区码无效)")
    try:
        birth = ric.get_birth_date(text)
    except ValidationError:
        birth = None
    if birth is None or birth.year < 1870 or birth > (today or dt.date.today()):
        raise _bad(field, "birth date part is not a valid date (身份证号出生日期无效)")
    if ric.calc_check_digit(text) != text[17]:
        raise _bad(field, "check digit does not match (身份证号校验位错误)")
    return text


def check_uscc(value: Any, field: str) -> str:
    text = _clean(value, field).upper()
    if len(text) != 18:
        raise _bad(field, "must be 18 characters (统一社会信用代码应为18位)")
    if any(c not in USCC_CHARSET for c in text):
        raise _bad(field, "contains characters outside the GB 32100 set, e.g. I O Z S V (统一社会信用代码含非法字符)")
    if text[0] not in USCC_AUTHORITIES:
        raise _bad(field, "registration authority code is not valid (登记管理部门代码无效)")
    if not text[2:8].isdigit() or text[2:4] + "0000" not in PROVINCES:
        raise _bad(field, "administrative region part is not valid (统一社会信用代码行政区划码无效)")
    if uscc.calc_check_digit(text) != text[17]:
        raise _bad(field, "check character does not match (统一社会信用代码校验位错误)")
    return text


def check_phone(value: Any, field: str) -> str:
    text = re.sub(r"[\s-]", "", _clean(value, field))
    text = re.sub(r"^(?:\+?86)", "", text) if len(text) > 11 else text
    if not _PHONE.match(text):
        raise _bad(field, "must be an 11-digit mainland mobile number starting 13-19 (手机号码格式错误)")
    return text


def check_date(value: Any, field: str, *, not_future: bool = False, not_past: bool = False,
               today: dt.date | None = None) -> str:
    text = _clean(value, field)
    parsed = _parse_date(text)
    if parsed is None:
        raise _bad(field, "must be a date like 2024-01-31 (日期格式错误)")
    if parsed.year < 1890:
        raise _bad(field, "is before 1890 (日期过早)")
    today = today or dt.date.today()
    if not_future and parsed > today:
        raise _bad(field, "must not be in the future (日期不能晚于今天)")
    if not_past and parsed < today:
        raise _bad(field, "must not be in the past (日期不能早于今天)")
    return parsed.isoformat()


def check_region_code(value: Any, field: str) -> str:
    text = _clean(value, field)
    if len(text) != 6 or not text.isdigit():
        raise _bad(field, "must be a 6-digit GB/T 2260 code (行政区划代码应为6位数字)")
    if not is_known_region(text):
        raise _bad(field, "is not a known GB/T 2260 administrative division (行政区划代码不存在)")
    return text


def check_bank_card(value: Any, field: str) -> str:
    text = re.sub(r"[\s-]", "", _clean(value, field))
    if not text.isdigit() or not 12 <= len(text) <= 19:
        raise _bad(field, "must be 12-19 digits (银行卡号应为12至19位数字)")
    if not luhn.is_valid(text):
        raise _bad(field, "Luhn check failed (银行卡号校验错误)")
    return text


def check_enum(value: Any, field: str, options: Sequence[str]) -> str:
    text = _clean(value, field)
    if text not in options:
        raise _bad(field, f"must be one of {', '.join(options)} (请选择有效选项)")
    return text


def check_text(value: Any, field: str, *, min_length: int = 1, max_length: int = 200) -> str:
    text = _clean(value, field)
    if len(text) < min_length:
        raise _bad(field, f"must be at least {min_length} characters (内容过短)")
    if len(text) > max_length:
        raise _bad(field, f"must be at most {max_length} characters (内容过长)")
    return text


def check_name(value: Any, field: str, *, max_length: int = 30) -> str:
    text = check_text(value, field, min_length=2, max_length=max_length)
    if not _NAME.match(text):
        raise _bad(field, "must be a person's name in Chinese characters or Latin letters (姓名格式错误)")
    return text


def check_address(value: Any, field: str, *, max_length: int = 120) -> str:
    text = check_text(value, field, min_length=5, max_length=max_length)
    if not _CJK.search(text):
        raise _bad(field, "must be a Chinese postal address (地址应为中文地址)")
    return text


def check_number(value: Any, field: str, *, integer: bool, minimum: float | None = None,
                 maximum: float | None = None) -> str:
    text = _clean(value, field).replace(",", "")
    pattern = r"^-?\d+$" if integer else r"^-?\d+(?:\.\d+)?$"
    if not re.match(pattern, text):
        raise _bad(field, "must be a whole number (应为整数)" if integer else "must be a number (应为数字)")
    num = float(text)
    if minimum is not None and num < minimum:
        raise _bad(field, f"must be at least {minimum:g} (数值过小)")
    if maximum is not None and num > maximum:
        raise _bad(field, f"must be at most {maximum:g} (数值过大)")
    return str(int(text)) if integer else text


def check_boolean(value: Any, field: str) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    text = _clean(value, field)
    if text in ("是", "true", "True", "1", "yes"):
        return "是"
    if text in ("否", "false", "False", "0", "no"):
        return "否"
    raise _bad(field, "must be 是 or 否 (请选择是或否)")


def validate_field(f: FormField, value: Any, *, today: dt.date | None = None) -> str:
    """Check `value` against every rule the form declares for field `f`; return the normalised text.

    The one way the service, the pre-fill engine and OCR validate a form field: each used to spell
    out the rules itself, and the engine's copy left out not_future / not_past."""
    rules = f.validation
    return validate(f.key, f.type, value, options=f.options, min_length=rules.min_length,
                    max_length=rules.max_length, not_future=rules.not_future, not_past=rules.not_past,
                    minimum=rules.minimum, maximum=rules.maximum, today=today)


def validate(field: str, ftype: str, value: Any, *, options: Sequence[str] = (), min_length: int | None = None,
             max_length: int | None = None, not_future: bool = False, not_past: bool = False,
             minimum: float | None = None, maximum: float | None = None, today: dt.date | None = None) -> str:
    """Check `value` against a type and explicit rules; return the normalised text value.

    For a form field use `validate_field`, which cannot forget a rule; this is the rule table
    underneath it, for values that are not a form field (tests, the eval's comparisons)."""
    handlers: dict[str, Callable[[], str]] = {
        "id_number": lambda: check_id_number(value, field, today=today),
        "uscc": lambda: check_uscc(value, field),
        "phone": lambda: check_phone(value, field),
        "date": lambda: check_date(value, field, not_future=not_future, not_past=not_past, today=today),
        "region_code": lambda: check_region_code(value, field),
        "bank_card": lambda: check_bank_card(value, field),
        "enum": lambda: check_enum(value, field, options),
        "name": lambda: check_name(value, field, max_length=max_length or 30),
        "address": lambda: check_address(value, field, max_length=max_length or 120),
        "integer": lambda: check_number(value, field, integer=True, minimum=minimum, maximum=maximum),
        "decimal": lambda: check_number(value, field, integer=False, minimum=minimum, maximum=maximum),
        "boolean": lambda: check_boolean(value, field),
        "code": lambda: check_text(value, field, min_length=min_length or 1, max_length=max_length or 60),
        "text": lambda: check_text(value, field, min_length=min_length or 1, max_length=max_length or 200),
    }
    if ftype not in handlers:
        raise ValueError(f"unknown field type {ftype!r}; expected one of {FIELD_TYPES}")
    return handlers[ftype]()
