"""English guide text (`OneThing.en`): parallel to the Chinese, rendered as sections of its own."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog, render
from knowledge.schema import OneThing


def _english_for(o: OneThing) -> dict:
    """A mechanically parallel English block (placeholder words; the real guides are written by hand)."""
    def mat(ms):
        return [{"name": f"document {n}", **({"note": "note"} if m.note else {})} for n, m in enumerate(ms, 1)]

    ch = o.channels
    return {
        "summary": "One application for several services.", "lead_department": "Lead department",
        "cooperating_departments": [f"department {n}" for n, _ in enumerate(o.cooperating_departments, 1)],
        "services": [{"id": s.id, "name": f"service {s.id}", "department": "a department",
                      "legal_basis": ["a law"] * len(s.legal_basis), "conditions": ["a condition"] * len(s.conditions),
                      "materials": mat(s.materials), "steps": ["a step"] * len(s.steps),
                      **({"time_limit": "5 working days"} if s.time_limit else {}),
                      **({"fees": "free"} if s.fees else {}), "channels": ["a window"] * len(s.channels)}
                     for s in o.services],
        "eligibility": ["a condition"] * len(o.eligibility), "materials": mat(o.materials),
        "replaced": ["a trip"] * len(o.replaced), **({"savings": "fewer trips"} if o.savings else {}),
        "steps": ["a step"] * len(o.steps), "time_limit": "a time limit", "fees": "free",
        "channels": {"online": ["a website"] * len(ch.online), "offline": ["a window"] * len(ch.offline),
                     **{k: f"{k} text" for k in ("cross_province", "proxy", "tolerance") if getattr(ch, k)}},
        "region": "a region", "faqs": [{"question": "Q?", "answer": "A."} for _ in o.faqs],
    }


@pytest.fixture(scope="module")
def newborn() -> OneThing:
    """The newborn guide without its English text: each test gives it the English it needs."""
    return Catalog.from_dir(DEFAULT_GUIDES_DIR).get("newborn").model_copy(update={"en": None})


def _with_english(o: OneThing, en: dict) -> OneThing:
    raw = o.model_dump(exclude={"en"})
    raw["deadlines"] = [{**d, "what_en": d["what_en"] or "Do it", "within_en": d["within_en"] or "within a month",
                         "if_missed_en": d["if_missed_en"] or "a fine"} for d in raw["deadlines"]]
    return OneThing.model_validate({**raw, "en": en})


def test_english_sections_mirror_the_chinese_ones(newborn):
    o = _with_english(newborn, _english_for(newborn))
    doc = render(o)
    zh = [s for s in doc.sections if "lang" not in s.metadata]
    en = [s for s in doc.sections if s.metadata.get("lang") == "en"]
    assert [s.source_id + "@en" for s in zh if s.kind != "sources"] == [s.source_id for s in en]
    assert [[p.aspect for p in s.parts] for s in zh if s.kind not in ("sources", "overview")] == \
        [[p.aspect for p in s.parts] for s in en if s.kind != "overview"]
    materials = next(s for s in en if s.kind == "materials")
    assert materials.text.startswith("Required documents (one set, submitted once):\n- document 1")
    assert "e-licence" in materials.text  # the Chinese item's flags are rendered in English
    assert zh == [s for s in render(newborn).sections]  # the Chinese text does not change


def test_catalog_section_picks_the_language(newborn):
    o = _with_english(newborn, _english_for(newborn))
    cat = Catalog((o,))
    assert cat.section("newborn", "time_fees", "en").text.startswith("Processing time limit: a time limit")
    assert cat.section("newborn", "time_fees").text.startswith("办理时限：")
    assert Catalog((newborn,)).section("newborn", "time_fees", "en") is None


@pytest.mark.parametrize("break_it, message", [
    (lambda en: en["materials"].pop(), "en.materials: "),
    (lambda en: en["faqs"].pop(), "en.faqs: "),
    (lambda en: en["services"][0].update(id="other"), "is not"),
    (lambda en: en["services"][0]["steps"].append("extra"), "en.services[0].steps"),
    (lambda en: en.pop("region"), "en.region: missing in English"),
])
def test_english_that_is_not_parallel_is_refused_and_named(newborn, break_it, message):
    en = _english_for(newborn)
    break_it(en)
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _with_english(newborn, en)


def test_every_guide_has_its_english_text():
    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)
    assert [o.id for o in catalog if o.en is None] == []
    for o in catalog:
        en = [s for s in render(o).sections if s.metadata.get("lang") == "en"]
        cjk = sum("\u4e00" <= c <= "\u9fff" for s in en for c in s.text)
        letters = sum(c.isascii() and c.isalpha() for s in en for c in s.text)
        assert letters > 10 * cjk, (o.id, cjk, letters)  # English, bar law titles in brackets


def test_every_english_summary_is_short_enough_to_answer_what_the_bundle_is():
    """An English "What is …?" is answered by the summary and the regional note; English needs about four letters
    per Chinese character, so a summary rendered at that rate (426–751 letters) alone made the answer ~900 long."""
    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)
    too_long = {o.id: len(o.en.summary) for o in catalog if len(o.en.summary) > 400}
    assert too_long == {}


def test_every_service_line_names_its_department_where_the_composer_can_find_it():
    """The composer quotes a service's first line as its department only (`department_span`)."""
    from core.settings import DEFAULT_GUIDES_DIR
    from knowledge.catalog import Catalog
    from knowledge.rendering import department_span

    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)
    services = [s for d in catalog.documents() for s in d.sections if s.metadata.get("kind") == "service"]
    assert len(services) > 100
    for section in services:
        head = section.parts[0]
        start, end = department_span(head.text, head.label)
        department = head.text[start:end]
        assert department.startswith("department: ") or department.endswith("办理"), head.text
        assert head.label not in department and "part of the" not in department and "属于" not in department
