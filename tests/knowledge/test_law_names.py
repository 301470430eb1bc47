"""One English name per law across the guides (issue 14).

The English guide text names a law in English with its Chinese title beside it, "Social Insurance Law of the
People's Republic of China (《中华人民共和国社会保险法》)", so a reader can look it up. The same law must carry the
same English name in every guide and every field (a legal basis, a deadline, an FAQ): the official English
title (../shared/reference/glossary_en.yaml where it has one, else the form of the NPC and State Council
translations, "… of the People's Republic of China" for a title that has 中华人民共和国).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog
from knowledge.schema import OneThing

TITLE = re.compile(r"《([^》]+)》")
# An English name followed by its Chinese title: "… Law (《…》" (the title may be followed by "; …" or ", …").
NAMED = re.compile(r"\s*[（(]《([^》]+)》")
# What precedes a law's name in a citation: "Articles 24 and 46 of the …", "The provisions on … in the …".
CITING = re.compile(r"^(?:Articles? [\d ,and]+ of (?:the )?|.*\bin the |the )", re.IGNORECASE)
PRC = "of the People's Republic of China"


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _strings(v)]
    return []


def english_texts(o: OneThing) -> list[tuple[str, str]]:
    """Every English text of a guide, with where it is: its English block and the deadlines' *_en fields."""
    out = [(f"{o.id}: en", t) for t in _strings(o.en.model_dump() if o.en else {})]
    for n, d in enumerate(o.deadlines):
        out += [(f"{o.id}: deadlines[{n}].{k}", v) for k, v in d.model_dump().items() if k.endswith("_en") and v]
    return out


def english_names(text: str) -> list[tuple[str, str]]:
    """(Chinese title, the English name just before it) for each law a text names with its Chinese title."""
    out = []
    for m in NAMED.finditer(text):
        before = re.split(r"[;；(（]", text[:m.start()])[-1].strip()
        out.append((m.group(1), " ".join(CITING.sub("", before).split())))
    return out


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR, require_all=True)


@pytest.fixture(scope="module")
def names(catalog) -> dict[str, dict[str, list[str]]]:
    """Chinese title → English name → where it is used."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for o in catalog:
        for where, text in english_texts(o):
            for title, name in english_names(text):
                found[title][name].append(where)
    return found


def test_the_name_finder_reads_citations():
    assert english_names("Articles 24 and 46 of the Regulations on X (《某条例》); Article 7 of the Y Law (《某法》)") == \
        [("某条例", "Regulations on X"), ("某法", "Y Law")]
    assert english_names("The provisions on reporting in the Regulations on Z (《某条例》, in force from 2024)") == \
        [("某条例", "Regulations on Z")]


def test_the_guides_name_laws_in_english(names):
    assert len(names) >= 20  # the finder sees the guides' citations at all


def test_each_law_has_one_english_name(names):
    mixed = {t: dict(v) for t, v in names.items() if len(v) > 1}
    assert not mixed, "laws with more than one English name: " + "; ".join(
        f"《{t}》: " + " | ".join(f"{n!r} ({len(w)}×, e.g. {w[0]})" for n, w in v.items()) for t, v in mixed.items())


def test_national_laws_carry_the_official_form(names):
    """A title with 中华人民共和国 is named as the NPC and State Council translations name it."""
    bad = [(t, n) for t, v in names.items() if t.startswith("中华人民共和国") for n in v if PRC not in n]
    assert not bad, f"English names without {PRC!r}: {bad}"


def test_english_legal_basis_cites_the_same_laws_as_the_chinese(catalog):
    """Each English legal basis gives the Chinese titles of its twin, so the name check above sees every law."""
    bad = []
    for o in catalog:
        pairs = [(f"services[{n}].legal_basis[{k}]", zh, en)
                 for n, (s, e) in enumerate(zip(o.services, o.en.services if o.en else [], strict=False))
                 for k, (zh, en) in enumerate(zip(s.legal_basis, e.legal_basis, strict=False))]
        pairs += [(f"deadlines[{n}]", d.legal_basis, d.legal_basis_en) for n, d in enumerate(o.deadlines)
                  if d.legal_basis_en]
        bad += [(o.id, where, en) for where, zh, en in pairs if set(TITLE.findall(zh)) != set(TITLE.findall(en))]
    assert not bad, f"English legal bases that do not give their law's Chinese title: {bad}"


def test_prose_does_not_shorten_a_national_law_name(catalog, names):
    """"Under the Social Insurance Law, …" in an FAQ is a second name for the law the legal basis calls the
    Social Insurance Law of the People's Republic of China."""
    full = sorted({n for v in names.values() for n in v if PRC in n}, key=len, reverse=True)
    short = {n: " ".join(n.replace(f" {PRC}", "").replace(f"{PRC} ", "").split()) for n in full}
    bad = []
    for o in catalog:
        for where, text in english_texts(o):
            rest = " ".join(text.split())
            for n in full:
                rest = rest.replace(n, "")
            bad += [(where, short[n]) for n in full if short[n] in rest]
    assert not bad, f"shortened law names (use the full English name): {bad}"
