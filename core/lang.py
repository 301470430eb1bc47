"""The one home of the supported languages: which ones, their aliases, detection and script conversion.

Answers and the UI speak 简体 (zh-Hans), 繁體 (zh-Hant, Taiwan standard forms) and English (en).
Everything that needs to know which languages exist, how an alias such as ``zh-TW`` maps, or how a
Simplified text becomes Traditional, imports it from here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, get_args

from core.errors import InvalidInput

Lang = Literal["zh-Hans", "zh-Hant", "en"]
SUPPORTED_LANGS: tuple[Lang, ...] = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LANG: Lang = "zh-Hans"
# Tags a client may send, mapped to the language we answer in.
LANG_ALIASES: dict[str, Lang] = {"zh": "zh-Hans", "zh-CN": "zh-Hans", "zh-TW": "zh-Hant", "zh-HK": "zh-Hant"}
# Every tag the API accepts (a Literal, so the OpenAPI spec lists them).
LangTag = Literal["zh-Hans", "zh-Hant", "en", "zh", "zh-CN", "zh-TW", "zh-HK"]
ACCEPTED_LANG_TAGS: tuple[str, ...] = get_args(LangTag)
assert set(ACCEPTED_LANG_TAGS) == {*SUPPORTED_LANGS, *LANG_ALIASES}

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc  # lazy: loads conversion tables

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Traditional characters in the Taiwan standard (為, 裡), which readers of 繁體 recognise
    more readily than OpenCC's etymological forms (爲, 裏)."""
    return _converter("s2tw").convert(text)


def detect_lang(text: str) -> Lang:
    """The script the user wrote in: English if Latin words dominate, else 简 or 繁 by opencc round trip."""
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    if cjk == 0 and latin > 0 or latin > 3 * cjk:
        return "en"
    simplified = to_simplified(text)
    changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
    return "zh-Hant" if changed >= 1 else "zh-Hans"


def resolve_lang(requested: str | None, question: str, conversation: str | None = None) -> Lang:
    """The language to answer in: the caller's choice (aliases folded); else the conversation's language
    when the question gives no evidence against it (a "1" picking an option, "多久" that reads the same in
    both scripts); else the detected one."""
    if requested:
        if requested not in ACCEPTED_LANG_TAGS:
            raise InvalidInput(f"lang {requested!r} is not supported; use zh-Hans, zh-Hant or en", field="lang")
        return LANG_ALIASES.get(requested, requested)  # type: ignore[return-value]
    detected = detect_lang(question)
    if conversation in SUPPORTED_LANGS:
        no_words = not _CJK.search(question) and not _LATIN_WORD.search(question)
        script_neutral = detected == "zh-Hans" and conversation == "zh-Hant" and to_traditional(question) == question
        if no_words or script_neutral:
            return conversation  # type: ignore[return-value]
    return detected


def normalize_lang(lang: str | None) -> Lang:
    """A supported language for display, falling back to the default for anything else."""
    return lang if lang in SUPPORTED_LANGS else DEFAULT_LANG  # type: ignore[return-value]


def localise(text: str, lang: str | None) -> str:
    """Content written in Simplified Chinese, shown in Traditional when that is the language."""
    return to_traditional(text) if text and lang == "zh-Hant" else text


def family(lang: str | None) -> Lang:
    """The language a text table is keyed by: English, or Simplified (Traditional is converted from it)."""
    return "en" if lang == "en" else "zh-Hans"
