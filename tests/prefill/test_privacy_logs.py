"""No unmasked ID number, phone or bank card reaches a log line, whatever the flow or error."""

import logging

import pytest

from core.errors import AssistantError
from core.masking import BANK_CARD, ID_NUMBER, PHONE, PiiMaskingFilter, mask_for_type, mask_text


def test_a_full_run_logs_no_personal_identifiers(svc, scenario, h, caplog):
    caplog.set_level(logging.DEBUG)
    for one_thing in ("newborn", "house_transfer_utilities", "employee_recruitment"):
        sc = scenario(one_thing)
        me, view, sub = h.full_flow(svc, sc)
        raw = svc.all_values(view.draft_id)
        for bad in ("110105194912310021", "1380013800", "6222021234567890127"):
            for key in ("contact_phone", "bank_account"):
                try:
                    svc.edit(me, view.draft_id, key, bad)
                except AssistantError:
                    pass
        svc.document(me, view.draft_id)
        for value in raw.values():
            if isinstance(value, str) and (ID_NUMBER.fullmatch(value) or PHONE.fullmatch(value)):
                assert value not in caplog.text
    assert not ID_NUMBER.search(caplog.text) and not PHONE.search(caplog.text)


def test_the_filter_masks_what_a_careless_log_call_would_leak(caplog):
    logger = logging.getLogger("prefill.test")
    handler = logging.Handler()
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage())
    handler.addFilter(PiiMaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("lookup %s phone %s card %s", "11010519491231002X", "13800138000", "6222021234567890128")
    finally:
        logger.removeHandler(handler)
    assert seen and "11010519491231002X" not in seen[0] and "13800138000" not in seen[0]
    assert "6222021234567890128" not in seen[0]


@pytest.mark.parametrize("ftype,value,hidden", [
    ("id_number", "11010519491231002X", "19491231"), ("phone", "13800138000", "0013"),
    ("bank_card", "6222021234567890128", "2123456"), ("address", "广东省广州市天河区体育东路1号", "体育东路"),
    ("code", "J110108-2021-123456", "2021-1234"),
])
def test_masking_by_field_type(ftype, value, hidden):
    shown = mask_for_type(ftype, value, sensitive=ftype == "code")
    assert hidden not in shown and shown


def test_mask_text_catches_all_three_patterns():
    text = mask_text("身份证11010519491231002X，电话13800138000，卡号6222 0212 3456 7890 128")
    assert not ID_NUMBER.search(text) and not PHONE.search(text) and not BANK_CARD.search(text)
    assert "19491231" not in text and "0013" not in text and "6222" not in text
