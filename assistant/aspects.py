"""What the question asks about (materials, time, fees, where, 代办, 跨省...), by keyword.

Keywords are matched on the normalised (Simplified, lower-cased) question, so Traditional and
English work. Deterministic on purpose: the composer's choice of sections must be explainable.
Each aspect names what answers it as typed guide parts (`Quote`), never as text to look for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.retrieval import Query


@dataclass(frozen=True)
class Quote:
    """What to quote from a guide: the parts of one section, by the section's kind and the parts'
    aspects as knowledge.catalog renders them (all its parts when `parts` is None). `label` is the
    statement's label; by default the name of the aspect asked about."""

    section: str
    parts: tuple[str, ...] | None = None
    label: str | None = None


def _whole(section: str) -> tuple[Quote, ...]:
    return (Quote(section),)


# aspect → (what answers it, trigger keywords). Order = order in the answer.
ASPECTS: dict[str, tuple[tuple[Quote, ...], tuple[str, ...]]] = {
    "services": (
        _whole("services"),
        ("包括", "包含", "哪些事", "哪几项", "联办", "合并", "一起办", "哪些服务", "能办什么", "办哪些",
         "include", "which services", "what services", "bundle"),
    ),
    "eligibility": (
        _whole("eligibility"),
        ("条件", "符合", "资格", "能不能办", "能否办", "可不可以办", "超过", "超龄", "满", "岁",
         "不满", "限制", "eligib", "qualif", "condition", "requirement"),
    ),
    "materials": (
        _whole("materials"),
        ("材料", "带什么", "带啥", "准备什么", "准备啥", "证件", "资料", "证明", "提交什么", "要啥",
         "document", "bring", "paper", "material", "certificate", "need to provide"),
    ),
    "steps": (
        _whole("steps"),
        ("流程", "步骤", "程序", "怎么申请", "如何申请", "怎么办理", "如何办理", "怎么弄", "怎么操作",
         "process", "steps", "procedure", "how do i apply", "how to apply"),
    ),
    # A deadline the citizen can miss (落户 within a month of birth) belongs with any question of time.
    "time": (
        (Quote("time_fees", ("time",)), Quote("deadlines", label="deadline")),
        ("多久", "多长时间", "几天", "时限", "多少天", "多快", "什么时候", "几个工作日", "时间",
         "how long", "days", "when will", "time limit"),
    ),
    "deadline": (
        (Quote("deadlines", label="deadline"),),
        ("期限", "逾期", "过期", "超期", "来不及", "截止", "最晚", "之内", "以内", "晚了", "deadline",
         "too late", "within"),
    ),
    "fees": (
        (Quote("time_fees", ("fees",)),),
        ("收费", "费用", "多少钱", "要钱", "花钱", "免费", "收钱", "钱", "fee", "cost", "charge", "free",
         "pay"),
    ),
    # Where to apply: the online and offline channels; 跨省, 代办 and 容缺 have aspects of their own.
    "channels": (
        (Quote("channels", ("online", "offline")),),
        ("在哪", "哪里办", "去哪", "网上", "线上", "窗口", "app", "小程序", "地点", "地址", "哪儿",
         "where", "online", "website", "office"),
    ),
    "proxy": (
        (Quote("channels", ("proxy",)),),
        ("代办", "代理", "帮我办", "替", "帮办", "委托", "家属", "家人", "子女", "别人", "亲戚",
         "on behalf", "someone else", "proxy", "for my"),
    ),
    # Working across provinces often hangs on the conditions (户籍, 居住证), so those are quoted too.
    "cross_province": (
        (Quote("channels", ("cross_province",)), Quote("eligibility", label="eligibility")),
        ("跨省", "外省", "异地", "外地", "省外", "跨市", "户籍不在", "不在本地",
         "another province", "other province", "different province", "cross-province"),
    ),
    "tolerance": (
        (Quote("channels", ("tolerance",)),),
        ("容缺", "缺材料", "缺少", "少了", "后补", "补交", "没带", "不全", "missing"),
    ),
    "replaced": (
        _whole("replaced"),
        ("省了", "少跑", "好处", "区别", "以前", "不用再", "减少", "benefit", "save"),
    ),
}

_TRIGGERS = frozenset(w for _, words in ASPECTS.values() for w in words)
# Every part (of two or more characters) of a trigger: "is this token inside some keyword" becomes one
# set lookup instead of a scan of all keywords per token.
_TRIGGER_PARTS = frozenset(w[i:j] for w in _TRIGGERS for i in range(len(w)) for j in range(i + 2, len(w) + 1))


def detect_aspects(query: Query) -> list[str]:
    q = query.normalized.lower()
    found = [name for name, (_, words) in ASPECTS.items() if any(w in q for w in words)]
    # "全流程要几天" asks how long the whole process takes, not for its steps: with a time word,
    # 流程 alone (no 步骤, 怎么申请…) is not a question about the steps.
    steps = [w for w in ASPECTS["steps"][1] if w in q]
    if "time" in found and steps == ["流程"]:
        found.remove("steps")
    return found


# Words that only point back at the conversation ("那", "这个") or carry no topic of their own.
_ANAPHORA = frozenset("那 那么 那个 这 这个 它 还有 另外 然后 呢 吗 嗯 好的 ok 呀 and then what about it that this".split())
_SHORT = 16  # tokens up to this long have their parts enumerated; longer ones (rare) are compared directly


def _inside_another(words: set[str]) -> set[str]:
    """The words that occur inside another, longer word of `words`, in time linear in their total
    length (a 2,000-character question has ~1,000 tokens: comparing every pair took a second)."""
    parts: set[str] = set()
    long = [u for u in words if len(u) > _SHORT]
    for u in words:
        # Proper parts of u up to _SHORT characters: every short word that u contains.
        n = len(u)
        parts.update(u[i:j] for i in range(n) for j in range(i + 1, min(n, i + _SHORT) + 1) if j - i < n)
    inside = {t for t in words if len(t) <= _SHORT and t in parts}
    inside |= {t for t in long if any(t != u and t in u for u in long)}
    return inside


def content_words(query: Query) -> set[str]:
    """The words that say what the question is about, beyond which aspect it asks for: tokens
    minus aspect keywords ("多久", "代办"), pointers back ("那", "这个") and stopwords. Search-mode
    sub-words of a compound count once (社保卡 → 社保, 社保卡 is one word)."""
    content = {t for t in query.tokens if t not in _ANAPHORA and t not in _TRIGGERS
               and not (len(t) >= 2 and t in _TRIGGER_PARTS)}
    return content - _inside_another(content)


def is_elliptical(query: Query) -> bool:
    """A follow-up that leans on the conversation: at most one content word — "那要多久？",
    "可以代办吗？", "那社保卡呢？"."""
    return len(content_words(query)) <= 1


# A yes/no question ("要先注销吗", "能不能网上办", "Can I apply online?") is answered by the FAQ or the
# condition that decides it, when the guide has one on its topic.
_YES_NO = re.compile(r"吗[?？。!！\s]*$|能不能|可不可以|是不是|要不要|需不需要|用不用|是否|可否|能否|有没有|会不会|行不行"
                     r"|^(can|could|do|does|did|is|are|was|should|must|will|may|would|have|has)\b")
# "What is this bundle?" — the only questions, with a vague first one, that get the bundle overview.
_WHAT_IS = re.compile(r"是什么|什么是|是啥|干什么的|做什么的|介绍一下|介绍下|什么意思|怎么回事|了解一下"
                      r"|^what('s| is| are| does)\b.*\b(bundle|service|one.thing)|^tell me about")


@dataclass(frozen=True)
class Ask:
    """What a question asks, as the composer needs it: the aspects named (materials, time…), the
    words of its own topic, whether it wants a yes or no, and whether it asks what the bundle is."""

    aspects: list[str] = field(default_factory=list)
    topic_words: set[str] = field(default_factory=set)
    yes_no: bool = False
    what_is: bool = False

    @classmethod
    def of(cls, query: Query) -> Ask:
        q = query.normalized.lower().strip()
        return cls(detect_aspects(query), content_words(query), bool(_YES_NO.search(q)), bool(_WHAT_IS.search(q)))
