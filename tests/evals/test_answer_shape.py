"""How the answer evaluation finds a key fact: in the answer, through an English quote's Chinese twin, or
(the English-aware figure) in the English words the guide states it with."""

from types import SimpleNamespace

import pytest

from core.settings import DEFAULT_GUIDES_DIR
from evals.answer_shape import FIRST_CHARS, ShapeTally, fact_position
from evals.datasets import Case
from knowledge.catalog import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR)


def test_an_english_form_counts_only_where_the_answer_says_it(catalog):
    answer = "Applying through the Credit China website is always free of charge. (Source: …)"
    assert fact_position(catalog, answer, [], "一律不收费") is None  # no Chinese, no cited twin
    assert fact_position(catalog, answer, [], "一律不收费", "always FREE of charge") == answer.index("always")
    assert fact_position(catalog, answer, [], "一律不收费", "5 working days") is None
    assert fact_position(catalog, "Freelancers apply online.", [], "免费", "free") is None  # whole words only


def test_a_case_pairs_each_fact_with_its_english_form_or_none():
    case = Case("x", "Does it cost money?", "credit_repair", ["一律不收费", "3个工作日"], key_facts_en=["free of charge"])
    assert case.facts() == [("一律不收费", "free of charge"), ("3个工作日", None)]


def test_the_tally_keeps_the_chinese_figure_and_adds_the_english_aware_one(catalog):
    tally = ShapeTally(catalog)
    answer = SimpleNamespace(answer="x" * (FIRST_CHARS - 40) + " always free of charge", citations=[], one_thing=None,
                             refused=False, clarifying_question=None)
    late = tally.add("q", answer, [("一律不收费", "free of charge")], overview=False, english=True, earlier=None)
    assert late == ["一律不收费"]
    m = tally.metrics()
    assert m["key_fact_first150"] == 0.0 and m["key_fact_first150_en_aware"] == 1.0


def test_a_fact_nearly_verbatim_counts_only_when_asked_for_and_only_for_longer_facts(catalog):
    answer = "查询结果一般在3个工作日后统一邮寄送达。免收工本费。Results are posted together about 3 working days later."
    assert fact_position(catalog, answer, [], "3个工作日后邮寄送达") is None
    assert fact_position(catalog, answer, [], "3个工作日后邮寄送达", near=True) == answer.index("3个")
    assert fact_position(catalog, answer, [], "3个工作日后上门送达", near=True) is None  # a word changed, not added
    assert fact_position(catalog, answer, [], "一般在3个工作日内邮寄送达", near=True) is None  # 内 is not in it
    assert fact_position(catalog, answer, [], "免费", near=True) is None  # too short to be found with gaps
    assert fact_position(catalog, answer, [], "x", "posted about 3 working days later", near=True) \
        == answer.index("posted")
    assert fact_position(catalog, answer, [], "x", "posted about 5 working days later", near=True) is None
