"""Reading a reply to "which of these do you mean?": a number, an ordinal, or words of one option's name.

People answer a numbered list the way they talk: "2", "第二個", "就第一个吧", "选3", "2号", "the second one",
"option 2", "the last one", "户口那个", "the school one". A reply this module cannot read as a choice is a new
message, decided as any other (the engine then also takes a reply whose own bundle is one of the options) — unless
it says that none of them is meant ("都不是", "none of these": `declines_all`), which the same question asked again
would only loop on.
"""

from __future__ import annotations

import re

from assistant.aspects import own_names
from knowledge.schema import OneThing
from knowledge.text import normalize

_ZH_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "头": 1}
_EN_NUMBERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
               "5th": 5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# Read on the folded reply (Simplified, half-width, lower case) without punctuation or spaces in Chinese.
_ZH_ORDINAL = re.compile(r"^(?:我|就|选|要|是|办)*(?:第)?([1-9一二两三四五头])(?:个|项|件|种|号|条)?"
                         r"(?:吧|啊|呀|的|哈|嘛|那个|那项|这个)*$")
_EN_ORDINAL = re.compile(r"^(?:(?:i mean|i'd like|i want|the|option|number|no\.?|#|choice|it's|its)\s*)*"
                         r"([1-9]|first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|one|two|three|four|five)"
                         r"(?:\s*(?:one|option|please|thanks))*$")
_LAST = re.compile(r"^(?:就|选|要)*最后(?:一)?(?:个|项)?(?:吧|啊|呀)*$|^(?:the )?last(?: one)?(?: please)?$")
# "None of these": 都不是, 以上都不对, 不是这几个, 没有我要的, 其他的, 都唔係 / 唔係呢啲 (folded: 唔系), neither, something else.
_NONE_ZH = re.compile(r"^(?:好像|可能)?(?:以上|上面|这些|这几个|这几项|你说的)?(?:全都|全部|都|也)?(?:不是|不对|唔系|没有|冇)"
                      r"(?:这些|这几个|这几项|呢啲|我要的|我要办的|我想办的|要办的|的)?(?:吧|啊|呀|哦|喔|啦|耶)*$"
                      r"|^(?:是)?(?:其他|其它|别的)(?:的)?(?:事|事情)?(?:吧|啊|呀)*$")
_NONE_EN = re.compile(r"^(?:(?:no|nope|sorry)\s*)*(?:none|neither|not (?:these|those|them|any(?: of (?:these|them|those))?))"
                      r"(?:\s*of\s*(?:these|them|those|the above|those options|the options))?(?:\s*(?:please|thanks|really))*$"
                      r"|^(?:no|nope)$|^(?:something|somethin) else$|^(?:an)?other(?: one| thing)?$")
_PUNCTUATION = re.compile(r"[\s。，,.!！?？~～、：:;；\"'“”‘’()（）]+")
# A reply naming an option by a word of its name is short: "户口那个", "人死了那个吧", "the school one".
SHORT_CHARS, SHORT_WORDS = 8, 4
_EN_WORD = re.compile(r"[a-z]{4,}")
_ZH_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def read_choice(reply: str, options: list[OneThing]) -> str | None:
    """The id of the option `reply` picks, or None when it picks none (or more than one)."""
    if not options:
        return None
    bare, english = _read(reply)
    n = _number(bare, english)
    if n is not None:
        return options[n - 1].id if 0 < n <= len(options) else None
    if _LAST.match(bare) or _LAST.match(english):
        return options[-1].id
    return _named(bare, english, options)


def declines_all(reply: str) -> bool:
    """Whether a reply to "which of these do you mean?" says that none of them is meant."""
    bare, english = _read(reply)
    return bool(bare) and (_NONE_ZH.match(bare) is not None or _NONE_EN.match(english) is not None)


def _read(reply: str) -> tuple[str, str]:
    """The reply folded (Simplified, half-width, lower case) as Chinese is read — without punctuation or spaces — and
    as English is — punctuation read as spaces."""
    folded = normalize(reply).lower().strip()
    return _PUNCTUATION.sub("", folded), _PUNCTUATION.sub(" ", folded).strip()


def _number(bare: str, english: str) -> int | None:
    m = _ZH_ORDINAL.match(bare)
    if m:
        g = m.group(1)
        return int(g) if g.isdigit() else _ZH_NUMBERS[g]
    m = _EN_ORDINAL.match(english)
    if m:
        g = m.group(1)
        return int(g) if g.isdigit() else _EN_NUMBERS[g]
    return None


def _named(bare: str, english: str, options: list[OneThing]) -> str | None:
    """The one option whose names hold the reply, or a word of a short reply ("户口那个": 户口迁移一件事; "the school
    one": School enrolment bundle). Chinese is read in pairs of characters, English by words of four letters or more;
    a word every option's names hold tells none apart. A longer reply naming a word of one option is a question of its
    own ("我想问一下出生证明怎么办"), not a choice."""
    if len(bare) < 2:
        return None
    names = {o.id: own_names(o) for o in options}
    whole = [oid for oid, ns in names.items() if any(bare in n or n in bare for n in ns)]
    if len(whole) == 1:
        return whole[0]
    if (len(english.split()) > SHORT_WORDS) if bare.isascii() else (len(bare) > SHORT_CHARS):
        return None
    words = set(_EN_WORD.findall(english)) | {run[i:i + 2] for run in _ZH_RUN.findall(bare) for i in range(len(run) - 1)}
    telling = {w for w in words if not all(any(w in n for n in ns) for ns in names.values())}
    hits = [oid for oid, ns in names.items() if any(w in n for w in telling for n in ns)]
    return hits[0] if len(hits) == 1 else None
