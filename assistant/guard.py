"""Input hygiene: clean control characters, spot requests for other people's personal data.

The answer path never holds personal data and never lets text (a question or a guide) change its
rules — composition is deterministic — so these checks exist to refuse clearly and hand off, not to
"protect" a model that could be talked round.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.lang import to_simplified
from core.masking import mask_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_PII_WORDS = r"(身份证号|身份证号码|证件号|手机号|手机号码|电话号码|联系电话|住址|家庭住址|家庭地址|银行卡号|账号|社保卡号|病历|id number|phone number|address)"
_ASK_WORDS = r"(告诉我|给我|发给我|查一下|查查|查询|是多少|是什么|透露|列出|导出|tell me|give me|show me|what is|list)"
_PII_REQUEST = re.compile(rf"{_ASK_WORDS}.{{0,16}}(他人|别人|某人|邻居|同事|[\u4e00-\u9fff]{{2,3}}的|其他人|所有人|用户).{{0,8}}{_PII_WORDS}"
                          rf"|(他人|别人|某人|邻居|同事|其他人|所有人|用户|[\u4e00-\u9fff]{{1,3}}的){_PII_WORDS}.{{0,8}}{_ASK_WORDS}"
                          rf"|{_ASK_WORDS}.{{0,6}}(someone|other people|another person|my neighbou?r|[A-Z][a-z]+'s).{{0,12}}{_PII_WORDS}"
                          rf"|{_ASK_WORDS}.{{0,12}}{_PII_WORDS}(e?s)?\s+(of|for|belonging to)\s+(the\s+)?"
                          rf"(someone|somebody|other people|another person|other users|other applicants|everyone|all users"
                          rf"|my neighbou?r|my colleague)",
                          re.IGNORECASE)


def clean_question(text: object, max_chars: int) -> str:
    """Validate and clean a question; raises InvalidInput naming the problem."""
    if not isinstance(text, str):
        raise InvalidInput("question must be a string", field="question")
    cleaned = _CONTROL.sub("", text).replace("\r", "\n").strip()
    if not cleaned:
        raise InvalidInput("question is empty: type what you want to ask (请输入您的问题)", field="question")
    if len(cleaned) > max_chars:
        raise InvalidInput(f"question is {len(cleaned)} characters; the limit is {max_chars}", field="question")
    return cleaned


def asks_for_personal_data(question: str) -> bool:
    """A request to look up someone's ID number, phone, address... The assistant never does that."""
    # The patterns are written in Simplified Chinese; "告訴我張三的身份證號" must match them too.
    return bool(_PII_REQUEST.search(question) or _PII_REQUEST.search(to_simplified(question)))


def contains_personal_data(question: str) -> bool:
    """An ID, mobile or bank-card number typed into the chat (the masking rules decide what counts)."""
    return mask_text(question) != question
