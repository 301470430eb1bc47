"""Each validator with the bad values it must reject; messages name the field and rule, never the value."""

import datetime as dt

import pytest

from core.errors import InvalidInput
from prefill.seed import generate
from prefill.validators import (
    check_address,
    check_bank_card,
    check_date,
    check_enum,
    check_id_number,
    check_name,
    check_phone,
    check_region_code,
    check_text,
    check_uscc,
    id_check_char,
    luhn_check_digit,
    luhn_ok,
    uscc_check_char,
    validate,
    validate_field,
)

TODAY = dt.date(2026, 11, 23)

BAD = [
    # 身份证号 GB 11643
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "11010519491231002", "18 characters"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "1101051949123100234", "18 characters"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "11010519491231A02X", "17 digits"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "110105194912310021", "check digit"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "110105199902300011", "birth date"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "110105203001010011", "birth date"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "990105194912310021", "region"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "", "required"),
    (lambda v: check_id_number(v, "father_id_number", today=TODAY), "11010519491231002\x00", "control"),
    # 统一社会信用代码 GB 32100
    (lambda v: check_uscc(v, "uscc"), "9144030071526726X", "18 characters"),
    (lambda v: check_uscc(v, "uscc"), "9144030071526726XI", "characters outside"),
    (lambda v: check_uscc(v, "uscc"), "91440300715267260O", "characters outside"),
    (lambda v: check_uscc(v, "uscc"), "9144030071526726XZ", "characters outside"),
    (lambda v: check_uscc(v, "uscc"), "9144030071526726XA", "check character"),
    (lambda v: check_uscc(v, "uscc"), "B144030071526726XG", "registration authority"),
    (lambda v: check_uscc(v, "uscc"), "9199030071526726XG", "region"),
    # phone
    (lambda v: check_phone(v, "contact_phone"), "1380013800", "11-digit"),
    (lambda v: check_phone(v, "contact_phone"), "12800138000", "11-digit"),
    (lambda v: check_phone(v, "contact_phone"), "1380013800a", "11-digit"),
    (lambda v: check_phone(v, "contact_phone"), "010-12345678", "11-digit"),
    # dates
    (lambda v: check_date(v, "marriage_date"), "2024-02-30", "date like"),
    (lambda v: check_date(v, "marriage_date"), "31/01/2024", "date like"),
    (lambda v: check_date(v, "marriage_date"), "yesterday", "date like"),
    (lambda v: check_date(v, "marriage_date"), "1800-01-01", "before 1890"),
    (lambda v: check_date(v, "death_date", not_future=True, today=TODAY), "2026-12-01", "future"),
    # GB/T 2260 region codes
    (lambda v: check_region_code(v, "insured_region_code"), "44010", "6-digit"),
    (lambda v: check_region_code(v, "insured_region_code"), "44010A", "6-digit"),
    (lambda v: check_region_code(v, "insured_region_code"), "999999", "not a known"),
    (lambda v: check_region_code(v, "insured_region_code"), "440199", "not a known"),
    # bank card (Luhn)
    (lambda v: check_bank_card(v, "bank_account"), "6222021234567890127", "Luhn"),
    (lambda v: check_bank_card(v, "bank_account"), "62220212345", "12-19 digits"),
    (lambda v: check_bank_card(v, "bank_account"), "62220212345678901281", "12-19 digits"),
    (lambda v: check_bank_card(v, "bank_account"), "6222-0212-3456-789X", "12-19 digits"),
    # enums, text, names, addresses
    (lambda v: check_enum(v, "delivery_method", ["邮寄到家", "窗口自取"]), "快递", "one of"),
    (lambda v: check_text(v, "school_choice", max_length=10), "很" * 11, "at most 10"),
    (lambda v: check_text(v, "school_choice"), "   ", "required"),
    (lambda v: check_text(v, "school_choice"), "a\u202eb", "control"),
    (lambda v: check_name(v, "child_name"), "张3", "person's name"),
    (lambda v: check_name(v, "child_name"), "张", "at least 2"),
    (lambda v: check_address(v, "mailing_address"), "12345 Main St", "Chinese postal address"),
    (lambda v: validate("monthly_income", "decimal", "12a", minimum=0), "12a", "number"),
    (lambda v: validate("monthly_income", "decimal", "-5", minimum=0), "-5", "at least 0"),
    (lambda v: validate("employees", "integer", "3.5"), "3.5", "whole number"),
    (lambda v: validate("credit_commitment", "boolean", "maybe"), "maybe", "是 or 否"),
]


@pytest.mark.parametrize("check,value,rule", BAD)
def test_bad_values_are_rejected_with_field_and_rule(check, value, rule):
    with pytest.raises(InvalidInput) as err:
        check(value)
    msg = err.value.message
    assert rule in msg
    assert err.value.field and msg.startswith(err.value.field + ":")
    if len(value.strip()) >= 6:
        assert value not in msg, "a rejection must not echo the value"


def test_chinese_wording_in_messages():
    with pytest.raises(InvalidInput) as err:
        check_id_number("110105194912310021", "father_id_number", today=TODAY)
    assert err.value.message == "father_id_number: check digit does not match (身份证号校验位错误)"


@pytest.mark.parametrize("fn,value,expected", [
    (lambda v: check_id_number(v, "f", today=TODAY), " 11010519491231002x ", "11010519491231002X"),
    (lambda v: check_id_number(v, "f", today=TODAY), "440524188001010014", "440524188001010014"),
    (lambda v: check_uscc(v, "f"), "9144030071526726xg", "9144030071526726XG"),
    (lambda v: check_uscc(v, "f"), "91350100M000100Y43", "91350100M000100Y43"),
    (lambda v: check_phone(v, "f"), "+86 138-0013-8000", "13800138000"),
    (lambda v: check_date(v, "f"), "2024/1/31", "2024-01-31"),
    (lambda v: check_date(v, "f"), "2024年01月31日", "2024-01-31"),
    (lambda v: check_region_code(v, "f"), "440106", "440106"),
    (lambda v: check_region_code(v, "f"), "630000", "630000"),
    (lambda v: check_bank_card(v, "f"), "6222 0212 3456 7890 128", "6222021234567890128"),
    (lambda v: validate("f", "boolean", True), True, "是"),
])
def test_good_values_are_normalised(fn, value, expected):
    assert fn(value) == expected


def test_every_seeded_identifier_is_valid():
    data = generate(120, 24, seed=7, today=TODAY)
    for p in data.people:
        if p["id_number"]:
            assert check_id_number(p["id_number"], "id", today=TODAY) == p["id_number"]
        if p["household_region_code"]:
            check_region_code(p["household_region_code"], "region")
    for e in data.enterprises:
        assert check_uscc(e["uscc"], "uscc") == e["uscc"]
    for row in data.social:
        if "bank_account" in row["data"]:
            assert luhn_ok(row["data"]["bank_account"])
        if "contact_phone" in row["data"]:
            check_phone(row["data"]["contact_phone"], "phone")


def test_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError):
        validate("x", "colour", "red")


def test_check_characters_come_out_right():
    # Published examples: GB 11643's 11010519491231002X, an issued USCC, a test card number.
    assert id_check_char("11010519491231002") == "X"
    assert uscc_check_char("91110000600037341") == "L"
    assert luhn_check_digit("622202123456789012") == "8" and luhn_ok("6222021234567890128")


def test_validate_field_applies_every_rule_the_form_declares():
    from prefill.forms import FormField

    f = FormField.model_validate({"key": "child_birth_date", "label": "出生日期", "label_en": "Date of birth",
                                  "type": "date", "validation": {"not_future": True}, "departments": ["all"]})
    assert validate_field(f, "2026/11/1", today=TODAY) == "2026-11-01"
    with pytest.raises(InvalidInput, match="child_birth_date: must not be in the future"):
        validate_field(f, "2026-12-01", today=TODAY)
    g = FormField.model_validate({"key": "filing_start", "label": "备案开始日期", "label_en": "From", "type": "date",
                                  "validation": {"not_past": True}, "departments": ["all"]})
    with pytest.raises(InvalidInput, match="in the past"):
        validate_field(g, "2026-11-22", today=TODAY)
    t = FormField.model_validate({"key": "school_choice", "label": "意向学校", "label_en": "School", "type": "text",
                                  "validation": {"max_length": 4}, "departments": ["all"]})
    with pytest.raises(InvalidInput, match="at most 4"):
        validate_field(t, "第一实验小学")
