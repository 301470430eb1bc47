"""The system's own texts, written in Simplified and shown in Traditional through OpenCC (s2tw), read right there.

OpenCC converts by phrase, and a phrase of Taiwan's can straddle two words: "依据办事指南回答" became "依據辦事指南迴答"
(南迴, the South-Link railway), in the refusal every Traditional speaker who asked something out of scope read."""

import pytest

import assistant.engine as engine
from core.lang import localise
from ui.i18n import STRINGS

# Characters s2tw puts into a text only through a phrase of its own, never as the plain Traditional of a character
# these texts use.
STRAY = ("迴",)


def _system_texts() -> list[tuple[str, str]]:
    tables = {name: value for name, value in vars(engine).items()
              if isinstance(value, dict) and isinstance(value.get("zh-Hans"), str)}
    # and tables of them (SMALL_TALK: a greeting, thanks … each in both languages)
    tables |= {f"{name}[{kind!r}]": table for name, value in vars(engine).items() if isinstance(value, dict)
               for kind, table in value.items() if isinstance(table, dict) and isinstance(table.get("zh-Hans"), str)}
    texts = [(f"assistant.engine.{name}", table["zh-Hans"]) for name, table in tables.items()]
    texts += [(f"ui.i18n.STRINGS[{key!r}]", table["zh-Hans"]) for key, table in STRINGS.items()
              if isinstance(table.get("zh-Hans"), str)]
    return texts


def test_the_texts_are_found():
    names = {name for name, _ in _system_texts()}
    assert {"assistant.engine.REFUSAL", "assistant.engine.TELL_MORE"} <= names and len(names) > 20


@pytest.mark.parametrize(("name", "text"), _system_texts(), ids=lambda v: v if v.startswith(("assistant", "ui")) else "")
def test_a_system_text_in_traditional_has_no_stray_phrase(name, text):
    shown = localise(text, "zh-Hant")
    assert not any(c in shown for c in STRAY), (name, shown)
