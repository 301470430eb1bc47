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


# A citizen telling that someone asked them for a verification code, a password, bank-card details or money,
# and asking whether that is genuine: a likely victim of fraud, not someone asking to commit it.
_SCAM_ASKED = re.compile(
    r"(让|要|叫|问|找|向|要求)(我|俺|我们|咱|她|他)(要)?.{0,24}"
    r"(验证码|密码|银行卡|卡号|登录|转账|汇款|押金|保证金|手续费|加急费|好处费|验证费|交钱|打钱|付款|扫码)"
    r"|(把|将)(我的|俺的)?.{0,6}(验证码|密码|银行卡|卡号).{0,12}(给|发|告诉|报|交)(他|她|对方|他们)"
    r"|(问了|要了|套取)(我的|她的|他的)?(密码|验证码)|(链接|连结|连接).{0,16}(密码|验证码|卡号)"
    r"|(交|收|付)(一笔|点|些)?(保证金|押金|手续费|加急费|好处费|验证费)"
    r"|\b(ask(ed|s|ing)?|want(ed|s)?|told|tell(s|ing)?)\s+(me|us|him|her|them|my \w+|for (my|our|his|her|their))\b.{0,50}"
    r"(\bcode\b|password|\bpin\b|bank ?card|card number|login|transfer|deposit|\bfee\b)"
    r"|\b(give|read out|send|enter)\b.{0,30}(\bcode\b|password|login|\bpin\b)|\bpays? an? .{0,20}\bfee\b",
    re.IGNORECASE)
_GENUINE = re.compile(r"真的吗|是真的|真的假的|是真|靠谱|可信|能信|信得过|骗子|诈骗|是不是骗|正规吗|正规的吗|合法吗|可靠吗|安全吗"
                      r"|能给吗|该给吗|官方发的|该怎么办|系咪真"
                      r"|\b(legit|legitimate|real|scam|scammer|genuine|trust|safe|fraud|normal|official)\b|how it works"
                      r"|what (should|do|can|shall) (i|we) do"
                      r"|ever charge", re.IGNORECASE)


def reports_scam_attempt(question: str) -> bool:
    """Someone asked the citizen for a verification code, password, bank card or money, and the citizen asks
    whether it is genuine ("有人让我报社保卡号和验证码，这是真的吗"): warned, not refused as fraud."""
    q = to_simplified(question)
    return bool(_SCAM_ASKED.search(q) and _GENUINE.search(q))


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


# A greeting or thanks with nothing else in it ("你好", "在吗", "早安呀", "谢谢", "Hi", "thanks!"): no question to route.
# Routed, "你好" got a clarifying question between three random bundles, "在吗" mid-conversation the bundle's overview
# again, "Hi there" the refusal. (Not 好的 / ok: in a conversation they may answer our clarifying question.)
_SMALL_TALK_TAIL = r"[呀啊哈呢哦嘛啦了～~!！。.,，\s]*"
_GREETING = re.compile(r"(你好|您好|你们好|在吗|在不在|有人吗|早|早安|早上好|上午好|中午好|下午好|晚上好|嗨|哈喽|哈啰|hi|hello|hey"
                       r"|hi there|hello there|good (morning|afternoon|evening))" + _SMALL_TALK_TAIL)
_THANKS = re.compile(r"(谢谢|谢谢你|谢谢您|谢了|多谢|感谢|辛苦了|thanks|thank you|thanks a lot|thank you very much|cheers)"
                     + _SMALL_TALK_TAIL)


# The tail of a short request, which may end as a question ("人工客服在吗？", "Can I speak to a real person?").
_REQUEST_TAIL = _SMALL_TALK_TAIL.replace("]", "?？]", 1)


def _folded(question: str) -> str:
    """A message as the patterns below read it: Simplified, lower case, without surrounding space."""
    return to_simplified(question).strip().lower()


def _only(pattern: re.Pattern[str], question: str) -> bool:
    """Whether the whole message, folded (`_folded`), is what `pattern` reads (and nothing else)."""
    return bool(pattern.fullmatch(_folded(question)))


# A message that only asks for a person ("转人工", "我要找人工客服", "talk to a human"): the citizen's own request for the
# hand-off, as the 转人工 button is. Typed, it was routed: "转人工" got "no guide covers this", "人工客服" a clarifying
# question. Only the request itself, so "人工授精能报销吗" or "who do I talk to about my pension" are questions.
_ASKS_FOR_PERSON = re.compile(
    r"(?:(我要|我想|请|帮我|给我)?(转|转接|找|要|接|联系)?(人工|真人)(客服|服务|坐席|窗口)?(吧|呢|吗|可以吗|在吗|在不在)?"
    r"|(我要|我想|请|帮我)?(转|找|联系)(个|一下)?(工作人员|客服|真人)"
    r"|(can i |could i |i want to |i'd like to |let me |please )?(talk|speak|chat) (to|with) (a |an )?(real )?"
    r"(human|person|agent|member of staff|staff|someone)( please)?|(a |an )?(real )?(human|live agent|agent|operator)"
    r"( please)?)" + _REQUEST_TAIL)


def asks_for_person(question: str) -> bool:
    """Whether the message only asks to be put through to a person (转人工)."""
    return _only(_ASKS_FOR_PERSON, question)


# A message that only asks how its own application is getting on ("我想查一下我的办件进度", "办到哪一步了", "track my
# application"): the 查 step is the tracking number under 我的办事 › 查进度 (or GET /v1/prefill/submissions/{no}), which the
# chat cannot read for anyone. Routed, it got a clarifying question between three random bundles.
_ASKS_PROGRESS = re.compile(
    r"(?:(我想|我要|想|帮我|请)?(查|查询|看|看看|问)(一下|下)?(我的|我)?(办件|申请|业务|事项|材料)?的?(办理)?(进度|状态|结果)(吧|呢)?"
    r"|(我的|我)?(办件|申请|事情|事)?(办|审核|处理)到哪(一步|里|儿)?了?"
    r"|(how can i |can i |i want to |please )?(track|check) (the )?(status|progress) of my (application|submission)"
    r"|(how can i |can i |i want to |please )?(track|check) my (application|submission)( status| progress)?"
    r"|where is my application( at)?)" + _REQUEST_TAIL)


def asks_progress(question: str) -> bool:
    """Whether the message only asks how the asker's own application is getting on (查进度)."""
    return _only(_ASKS_PROGRESS, question)


# A complaint ("…太慢了，我要投诉", "投诉电话是多少", "这个问题去哪反映", "I want to make a complaint") or a report of someone's
# conduct ("我要举报办事员收红包"): the 12345 hotline takes both, and the 差评 under an answer reaches staff. Routed, "我要投诉"
# and "我要举报办事员收红包" got a clarifying question between three random bundles and "我要投诉窗口工作人员态度差" the "no guide
# covers this" refusal. The asker's own complaint or report wherever it is said, or a question where, how or to whom to
# make one; not one made against the asker ("餐馆被投诉了怎么办", "被人举报了怎么办") nor a report of an act of fraud (冒领,
# 伪造 …: the report hand-off, decided before).
_COMPLAINS = re.compile(
    r"(^|[，,。.!！?？\s]|我|俺|我们|咱)(就|真的|一定)?(要|想|想要|得|必须)(去)?((找|向|跟|给)[^，。？]{0,6})?(投诉|举报)"
    r"|^((找|向|跟|给)[^，。？]{0,6})?(投诉|举报)"
    r"|(怎么|怎样|如何|咋|去哪里?|到哪里?|在哪里?|哪里|哪儿|找谁|向谁|跟谁|(向|找|跟)哪个?[^，。？]{0,4})(能|可以|才能)?"
    r"(投诉|举报|反映|说理|评价)"
    r"|(能|可以)(帮我)?(投诉|举报)(吗|不)|(投诉|举报)(电话|渠道|热线|方式|途径|入口)|打(个|一个)?差评"
    r"|\b(i|we)( really)?( want| would like|'d like| need| wish) to (complain|make a complaint|file a complaint"
    r"|lodge a complaint|submit a complaint|raise a complaint)|\b(how|where) (do|can|should|could) (i|we) (complain"
    r"|make a complaint|file a complaint|lodge a complaint|report (him|her|them)\b)|\bwho (do|can|should) (i|we) complain"
    r" to\b|\bcomplaints? (hotline|number|line)\b",
    re.IGNORECASE)


# A question asked before the complaint ("补贴自己在平台上报可以吗，这种收费能去哪反映", "…说能代领育儿补贴，是不是骗局，怎么举报"):
# the message is that question, with a complaint added, and is answered as one (the guide warns of such fees).
_ASKED_BEFORE = re.compile(r"[?？]|吗|是不是|是否|能不能|可不可以|有没有")


def asks_to_complain(question: str) -> bool:
    """Whether the message makes a complaint or asks where to make one (投诉), and asks nothing else before it."""
    text = _folded(question)
    m = _COMPLAINS.search(text)
    return m is not None and not _ASKED_BEFORE.search(text, 0, m.start())


def small_talk(question: str) -> str | None:
    """"greeting" or "thanks" when the message is only that, else None."""
    if _only(_GREETING, question):
        return "greeting"
    return "thanks" if _only(_THANKS, question) else None
