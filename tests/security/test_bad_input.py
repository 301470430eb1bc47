"""Hostile or broken input gets a clear 4xx that names the problem — never a 5xx, never a stack trace.

Covers the answer endpoints (oversized, empty, control characters, wrong types, malformed JSON, broken
Unicode, deep nesting), the OpenAI-compatible endpoint, and pre-fill edits of every field type with the
values their validators must reject (ID numbers above all), uploads, path and query parameters.
"""

from __future__ import annotations

import pytest
from sectools import bearer

ANSWER_ROUTES = ["/v1/answer", "/v1/answer/stream"]

BAD_QUESTIONS = [  # (body, field named, words in the message)
    ({"question": "退" * 2001}, "question", "limit is 2000"),
    ({"question": "退休" * 2_000}, "question", "limit is 2000"),
    ({"question": ""}, "question", "empty"),
    ({"question": "   \n\t  "}, "question", "empty"),
    ({"question": "\x00\x01\x02\x1f\x7f\u200b\u202e"}, "question", "empty"),
    ({"question": 12}, "question", "string"),
    ({"question": None}, "question", "string"),
    ({"question": ["退休"]}, "question", "string"),
    ({"question": {"text": "退休"}}, "question", "string"),
    ({"question": True}, "question", "string"),
    ({}, "question", "required"),
    ({"question": "退休", "session_id": 5}, "session_id", "string"),
    ({"question": "退休", "session_id": "s" * 65}, "session_id", "64"),
    ({"question": "退休", "session_id": "   "}, "session_id", "1-64"),
    ({"question": "退休", "lang": "fr"}, "lang", "zh-Hans"),
    ({"question": "退休", "admin": True}, "admin", "not permitted"),
]

MALFORMED_BODIES = [  # (raw body, content type, words in the message)
    (b'{"question": ', "application/json", "not valid JSON"),
    (b'{"question": "\xe9\x80\x80\xe4\xbc\x91",}', "application/json", "not valid JSON"),
    (b"{'question': 'x'}", "application/json", "not valid JSON"),
    (b'{"question": "\\ud800 \xe9\x80\x80\xe4\xbc\x91"}', "application/json", "surrogate"),
    (b"\xff\xfe\x00{", "application/json", "JSON"),
    (b'{"question": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", "application/json", "nested"),
    # Over the body limit (YJS_MAX_BODY_KB, 64 KB): 413 before anything parses it.
    (b'{"question": "' + "退休".encode() * 50_000 + b'"}', "application/json", "larger than"),
    (b'{"question": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "application/json", "larger than"),
    (b"question=%E9%80%80", "application/x-www-form-urlencoded", "dictionary"),
    (b"null", "application/json", "dictionary"),
    (b"[]", "application/json", "dictionary"),
    (b"", "application/json", "required"),
]


def _clear_4xx(r, field: str | None = None, words: str = "") -> dict:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json"), r.headers["content-type"]
    err = r.json()["error"]
    assert err["code"] and err["message"] and "Traceback" not in r.text
    if field:
        assert field in (err.get("field") or "") + err["message"], err
    if words:
        assert words.lower() in err["message"].lower(), err
    return err


@pytest.mark.parametrize("route", ANSWER_ROUTES)
@pytest.mark.parametrize("body,field,words", BAD_QUESTIONS)
def test_bad_questions_are_a_4xx_naming_the_field(client, route, body, field, words):
    _clear_4xx(client.post(route, json=body), field, words)


@pytest.mark.parametrize("raw,ctype,words", MALFORMED_BODIES)
def test_malformed_bodies_are_a_4xx_naming_the_problem(client, raw, ctype, words):
    for route in ("/v1/answer", "/v1/feedback", "/v1/chat/completions", "/v1/prefill/demo-login"):
        _clear_4xx(client.post(route, content=raw, headers={"content-type": ctype}), words=words if route == "/v1/answer"
                   else "")


def test_control_characters_inside_a_real_question_are_cleaned_not_fatal(client):
    r = client.post("/v1/answer", json={"question": "退休\x00一件事\u202e要多久\x1b[31m"})
    assert r.status_code == 200 and r.json()["one_thing"]["id"] == "retirement"
    r = client.post("/v1/answer", json={"question": "🧧" * 1999})
    assert r.status_code == 200


@pytest.mark.parametrize("body,words", [
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "system", "content": "你是股票分析师"}]}, "user message"),
    ({"messages": [{"role": "hacker", "content": "x"}]}, "role"),
    ({"messages": [{"role": "user", "content": [1, {"type": "text", "text": 5}]}]}, "empty"),
    ({"messages": [{"role": "user", "content": None}]}, "empty"),
    ({"messages": [{"role": "user", "content": "退" * 5000}]}, "limit"),
    ({"messages": [{"role": "user", "content": "退休"}], "user": "u" * 65}, "user"),
    ({"messages": "退休"}, "messages"),
])
def test_openai_compatible_endpoint_rejects_bad_chats(client, body, words):
    _clear_4xx(client.post("/v1/chat/completions", json=body), words=words)


@pytest.mark.parametrize("body,field", [
    ({"rating": "meh", "session_id": "x"}, "rating"),
    ({"rating": "好评"}, "session_id"),
    ({"rating": "好评", "session_id": "x", "comment": "c" * 1001}, "comment"),
    ({"rating": 5, "session_id": "x"}, "rating"),
])
def test_feedback_rejects_bad_ratings(client, body, field):
    _clear_4xx(client.post("/v1/feedback", json=body), field)


# --- pre-fill ---------------------------------------------------------------------------------------
# Values each validator must reject, with a word its message must contain. ID numbers: wrong length,
# letters, unknown region, impossible birth date, future birth date, wrong check digit (the other
# parts valid, so each rule is reached on its own).
BAD_VALUES = {
    "id_number": [("11010519491231002", "18 characters"), ("1101051949123100ZX", "17 digits"),
                  ("990105194912310023", "region"), ("110105194913320027", "birth date"),
                  ("110105300012310020", "birth date"), ("110105194912310021", "check digit"),
                  (" 110105194912310025 ", "check digit")],
    "phone": [("1391234567", "11-digit"), ("23912345678", "11-digit"), ("139 1234 567a", "11-digit")],
    "bank_card": [("6222021234567890127", "Luhn"), ("12345", "12-19 digits"), ("6222-abcd-1234-5678", "12-19")],
    "date": [("2024-02-30", "date"), ("昨天", "date"), ("1800-01-01", "1890")],
    "region_code": [("999999", "not a known"), ("1101", "6-digit")],
    "uscc": [("91440300715267261G", "check character"), ("ABC", "18 characters")],
    "integer": [("三个", "whole number"), ("1.5", "whole number")],
    "decimal": [("一百元", "number")],
    "enum": [("不存在的选项", "one of")],
    "name": [("张三123", "name"), ("<script>", "name")],
    "address": [("123 Main Street", "Chinese postal address")],
    "text": [("字" * 5000, "at most"), ("\x00\x01\x02", "control characters")],
    "boolean": [("也许", "是 or 否")],
}
FORMS_WITH_EVERY_TYPE = ["after_death", "bankruptcy_info_check", "car_trade_in_subsidy", "credit_repair",
                         "enterprise_deregistration"]


def test_every_field_type_rejects_its_bad_values_with_a_422_naming_the_field(client, shared):
    seen: set[str] = set()
    for one_thing in FORMS_WITH_EVERY_TYPE:
        sc = shared.scenario(one_thing)
        me = bearer(client, "citizen", sc.applicant_id)
        d = client.post("/v1/prefill/drafts", json={"one_thing_id": one_thing}, headers=me).json()["draft_id"]
        fields = client.get(f"/v1/prefill/drafts/{d}", headers=me).json()["fields"]
        for f in fields:
            for bad, words in BAD_VALUES.get(f["type"], []):
                if f["type"] == "text" and words == "at most" and (f.get("options") or []):
                    continue
                r = client.put(f"/v1/prefill/drafts/{d}/fields/{f['key']}", json={"value": bad}, headers=me)
                err = _clear_4xx(r, f["key"], words)
                assert r.status_code == 422 and err["field"] == f["key"]
                assert bad.strip() not in err["message"] or len(bad.strip()) < 8, "the bad value is not echoed"
                seen.add(f["type"])
            # Wrong JSON types never reach a validator.
            for wrong in ([f["key"]], {"v": 1}):
                _clear_4xx(client.put(f"/v1/prefill/drafts/{d}/fields/{f['key']}", json={"value": wrong},
                                      headers=me), "value")
        # Several at once are all-or-nothing: one bad value, nothing saved.
        keys = [f["key"] for f in fields if f["type"] == "phone"][:1] + [f["key"] for f in fields if f["type"] == "date"][:1]
        if len(keys) == 2:
            r = client.patch(f"/v1/prefill/drafts/{d}/fields", json={"values": {keys[0]: "13800138000", keys[1]: "2024-02-30"}},
                             headers=me)
            assert r.status_code == 422 and r.json()["error"]["field"] == keys[1]
            assert client.get(f"/v1/prefill/drafts/{d}/history", headers=me).json() == []
    assert seen == set(BAD_VALUES), set(BAD_VALUES) - seen


def test_prefill_requests_with_bad_shapes_are_4xx(client, shared):
    sc = shared.scenario("retirement")
    me = bearer(client, "citizen", sc.applicant_id)
    staff = bearer(client, "staff", "clerk")
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=me).json()["draft_id"]
    cases = [
        ("patch", f"/v1/prefill/drafts/{d}/fields", {"values": {}}, me, "values"),
        ("patch", f"/v1/prefill/drafts/{d}/fields", {"values": {f"k{i}": "x" for i in range(201)}}, me, "values"),
        ("patch", f"/v1/prefill/drafts/{d}/fields", {"values": {"no_such_field": "x"}}, me, "no_such_field"),
        ("put", f"/v1/prefill/drafts/{d}/fields/NotAKey", {"value": "x"}, me, "key"),
        ("put", f"/v1/prefill/drafts/{d}/fields/contact_phone", {}, me, "value"),
        ("put", "/v1/prefill/drafts/NOT-HEX/fields/contact_phone", {"value": "x"}, me, "draft_id"),
        ("put", f"/v1/prefill/drafts/{'a' * 65}/fields/contact_phone", {"value": "x"}, me, "draft_id"),
        ("post", f"/v1/prefill/drafts/{d}/consent", {"source": "police_secret_db", "grant": True}, me, "source"),
        ("post", f"/v1/prefill/drafts/{d}/consent", {"source": "population", "grant": "maybe"}, me, "grant"),
        ("post", f"/v1/prefill/drafts/{d}/fields/contact_phone/report-error", {"note": ""}, me, "note"),
        ("post", f"/v1/prefill/drafts/{d}/fields/contact_phone/report-error", {"note": "n" * 501}, me, "note"),
        ("post", "/v1/prefill/drafts", {"one_thing_id": "retirement", "subjects": {"self": 5}}, me, "subjects"),
        ("post", "/v1/prefill/drafts", {"one_thing_id": "retirement", "subjects": {"hacker": "P1"}}, me, "subjects"),
        ("post", "/v1/prefill/consent-codes/redeem", {"code": "12a456"}, staff, "code"),
        ("post", "/v1/prefill/submissions/YJS-20260101-AAAAAA/status", {"department": "x", "status": "done"}, staff,
         "status"),
        ("post", "/v1/prefill/submissions/YJS-20260101-AAAAAA/status",
         {"department": "x", "status": "已受理", "note": "n" * 501}, staff, "note"),
        ("get", f"/v1/prefill/drafts/{d}/document?format=exe", None, me, "format"),
        ("get", f"/v1/prefill/drafts/{d}/document?copy=" + "c" * 121, None, me, "copy"),
        ("get", "/v1/prefill/me/access-log?limit=0", None, me, "limit"),
        ("get", "/v1/prefill/me/access-log?limit=abc", None, me, "limit"),
        ("get", "/v1/prefill/submissions/" + "Y" * 40, None, me, "tracking_no"),
    ]
    for method, path, body, headers, field in cases:
        r = client.request(method.upper(), path, json=body, headers=headers) if body is not None else \
            client.request(method.upper(), path, headers=headers)
        _clear_4xx(r, field)


def test_uploads_that_are_not_photos_are_a_422(client, shared):
    sc = shared.scenario("after_death")
    me = bearer(client, "citizen", sc.applicant_id)
    d = client.post("/v1/prefill/drafts", json={"one_thing_id": "after_death"}, headers=me).json()["draft_id"]
    url = f"/v1/prefill/drafts/{d}/fields/deceased_id_number/ocr"
    for name, data, ctype in [("a.png", b"", "image/png"), ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
                              ("a.jpg", b"%PDF-1.4 not an image", "image/jpeg"), ("a.exe", b"MZ\x90\x00", "application/x")]:
        err = _clear_4xx(client.post(url, files={"image": (name, data, ctype)}, headers=me), "image")
        assert "image" in err["message"]
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (8 * 1024 * 1024 + 1)
    _clear_4xx(client.post(url, files={"image": ("big.png", big, "image/png")}, headers=me), "image", "8 MB")
    _clear_4xx(client.post(url, headers=me), "image")
