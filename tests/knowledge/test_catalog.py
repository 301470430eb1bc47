from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog, load_one_thing, render
from knowledge.schema import ONE_THING_IDS


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR)


def test_every_contract_id_has_a_valid_guide(catalog):
    assert [o.id for o in catalog] == list(ONE_THING_IDS)
    Catalog.from_dir(DEFAULT_GUIDES_DIR, require_all=True)


def test_guides_are_complete_enough_to_answer(catalog):
    for o in catalog:
        assert len(o.faqs) >= 5, o.id
        assert len(o.services) >= 2, o.id
        assert o.materials and o.time_limit and o.fees, o.id
        assert o.merged_form_id == f"{o.id}_form"
        assert o.life_events, f"{o.id} needs colloquial life events for routing"


def test_rendered_sections_have_unique_stable_ids(catalog):
    ids = [s.source_id for d in catalog.documents() for s in d.sections]
    assert len(ids) == len(set(ids))
    again = [s.source_id for d in Catalog.from_dir(DEFAULT_GUIDES_DIR).documents() for s in d.sections]
    assert ids == again
    newborn = render(catalog.get("newborn"))
    anchors = {s.source_id.split("#")[1] for s in newborn.sections}
    assert {"overview", "services", "materials", "time_fees", "channels", "faq-1"} <= anchors


def test_e_licence_materials_are_marked(catalog):
    text = next(s.text for s in render(catalog.get("newborn")).sections if s.source_id == "newborn#materials")
    assert "父母双方居民身份证（可用电子证照或共享数据代替，免交纸质）" in text


def test_invalid_guide_names_file_and_field(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad-Id\nname: x\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_one_thing(bad)
    assert "bad.yaml" in err.value.message and "id" in err.value.message


def test_missing_folder_names_the_setting(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="YJS_GUIDES_DIR"):
        Catalog.from_dir(tmp_path / "nope")


def test_sections_are_typed_parts(catalog):
    for d in catalog.documents():
        for s in d.sections:
            assert s.parts and s.text == "\n".join(p.text for p in s.parts), s.source_id
    o = catalog.get("newborn")
    time_fees = catalog.section("newborn", "time_fees")
    assert [(p.aspect, p.label) for p in time_fees.parts] == [("time", "办理时限"), ("fees", "收费标准")]
    assert time_fees.parts[0].lines == (f"办理时限：{o.time_limit}",)
    channels = catalog.section("newborn", "channels")
    assert {p.aspect for p in channels.parts} <= {"online", "offline", "cross_province", "proxy", "tolerance"}
    overview = catalog.section("newborn", "overview")
    assert overview.parts[0].aspect == "summary" and overview.parts[0].lines == (f"{o.name}：{o.summary}",)
    assert overview.parts[-1].aspect == "region"
    assert catalog.section("newborn", "no_such_kind") is None and catalog.section("nope", "overview") is None


def test_rendering_is_cached_and_equal_to_render(catalog):
    assert catalog.documents()[0] is catalog.documents()[0]
    fresh = render(catalog.get("newborn"))
    cached = next(d for d in catalog.documents() if d.doc_id == "guide:newborn")
    assert fresh.fingerprint == cached.fingerprint



def test_a_guide_speaks_of_all_words_in_either_language(catalog):
    """`speaks_of_all`: every word in the guide's Chinese or English text, read normalised (Traditional folded)."""
    assert catalog.speaks_of_all("newborn", ["出生医学证明", "户口"])
    assert catalog.speaks_of_all("newborn", ["出生醫學證明", "Medical Birth Certificate"])
    assert not catalog.speaks_of_all("newborn", ["出生医学证明", "法律援助"])
    assert not catalog.speaks_of_all("newborn", ["护照"]) and catalog.speaks_of_all("newborn", [])


def test_the_share_of_words_a_guide_holds(catalog):
    """`share_held`: how many of the words the guide holds, read as `speaks_of_all` reads them."""
    assert catalog.share_held("newborn", ["出生醫學證明", "户口", "护照", "法律援助"]) == 0.5
    assert catalog.share_held("newborn", []) == 1.0


def test_out_of_scope_topics_are_known_by_examples_or_words(tmp_path: Path):
    """A topic known by its words alone (商标, 专利) has no phrases: it is neither a profile phrase nor a training row,
    so adding one needs no retraining; a topic with neither examples nor words is refused, naming the file and topic."""
    from knowledge.catalog import OUT_OF_SCOPE_FILE, load_out_of_scope

    (tmp_path / OUT_OF_SCOPE_FILE).write_text(
        "topics:\n"
        "  - {id: weather, name: 天气, kind: off_topic, examples: [明天下雨吗]}\n"
        "  - {id: ip, name: 商标专利, name_en: trademarks and patents, words: [商标, 專利, Patent], touch: [品牌]}\n",
        encoding="utf-8")
    weather, ip = load_out_of_scope(tmp_path)
    assert weather.phrases == ("天气", "明天下雨吗") and not weather.words
    assert ip.phrases == () and ip.touch == ("品牌",) and ip.name_en == "trademarks and patents"
    assert ip.words == ("商标", "专利", "patent")  # kept as a question is read: Simplified, lower case
    (tmp_path / OUT_OF_SCOPE_FILE).write_text("topics:\n  - {id: empty, name: 空}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="'empty' needs examples or words") as err:
        load_out_of_scope(tmp_path)
    assert OUT_OF_SCOPE_FILE in err.value.message
