"""Deadlines are first-class (issue 14, item 6): every guide loads with its deadlines, each deadline says what to
do, by when and what is lost, regional figures say they are local, and the review's corrections stay in the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.errors import ConfigurationError
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import ONE_THINGS_SUBDIR, Catalog, load_one_thing, render
from knowledge.schema import LOCAL_MARKERS, ONE_THING_IDS, Deadline, OneThing

# Guides where neither the law nor the bundle sets a time limit the applicant can miss (each file says why).
NO_DEADLINE = {"social_security_card", "childcare_subsidy", "utility_connection", "bankruptcy_info_check",
               "listing_compliance_check"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(DEFAULT_GUIDES_DIR, require_all=True)


def _texts(value) -> list[str]:
    """Every string in a guide (all fields, nested), to check wording wherever it appears."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def _text(o: OneThing) -> str:
    return "\n".join(_texts(o.model_dump()))


def _rendered(o: OneThing) -> str:
    return "\n".join(s.text for s in render(o).sections)


# Chinese characters, CJK punctuation (、。《》〔〕) and full-width forms (（）；：).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# A Chinese title in parentheses, given so the reader can look the law up: "(《…》)", "(《…》, Guo Ban Fa [2024] No. 38)".
CHINESE_TITLE = re.compile(r"[（(]《[^》]*》[^（）()]*[）)]")


def _local(text: str) -> bool:
    return any(m in text for m in LOCAL_MARKERS)


def _deadline(o: OneThing, needle: str) -> Deadline:
    found = [d for d in o.deadlines if needle in d.what]
    assert len(found) == 1, f"{o.id}: expected one deadline about {needle!r}, got {[d.what for d in o.deadlines]}"
    return found[0]


def test_every_guide_file_loads_and_all_27_are_there(catalog):
    files = sorted((DEFAULT_GUIDES_DIR / ONE_THINGS_SUBDIR).glob("*.yaml"))
    assert len(files) == len(ONE_THING_IDS) == 27
    assert {load_one_thing(p).id for p in files} == set(ONE_THING_IDS)
    assert [o.id for o in catalog] == list(ONE_THING_IDS)


def test_guides_without_deadlines_are_only_the_documented_ones(catalog):
    empty = {o.id for o in catalog if not o.deadlines}
    assert empty == NO_DEADLINE
    for gid in NO_DEADLINE:  # the file says why it has none
        head = (DEFAULT_GUIDES_DIR / ONE_THINGS_SUBDIR / f"{gid}.yaml").read_text(encoding="utf-8")[:1200]
        assert "deadline" in head.lower(), gid


def test_each_deadline_says_what_by_when_and_what_is_lost(catalog):
    for o in catalog:
        for d in o.deadlines:
            for field in ("what", "within", "from_when", "if_missed"):
                assert getattr(d, field).strip(), f"{o.id}: deadline {d.what!r} has empty {field}"
            assert d.if_missed != d.within, o.id
            assert all(getattr(d, f) for f in ("what_en", "within_en", "if_missed_en")), f"{o.id}: {d.what} lacks English"


def test_national_deadlines_cite_the_law_and_regional_ones_say_they_are_local(catalog):
    seen = {"national": 0, "regional": 0}
    for o in catalog:
        for d in o.deadlines:
            seen[d.scope] += 1
            if d.scope == "national":
                assert d.legal_basis and "《" in d.legal_basis, f"{o.id}: {d.what} needs its law"
            else:
                assert _local(d.within), f"{o.id}: regional deadline {d.what!r} must say its figure is local"
                assert o.sample_data, f"{o.id} has a regional deadline, so it must be marked sample_data"
    assert seen["national"] >= 20 and seen["regional"] >= 5, seen


def test_schema_rejects_dishonest_deadlines():
    base = {"what": "x", "from_when": "y", "if_missed": "z"}
    with pytest.raises(ValidationError, match="legal_basis"):
        Deadline(**base, within="1个月内", scope="national")
    with pytest.raises(ValidationError, match="local practice"):
        Deadline(**base, within="出生后90日内", scope="regional")
    with pytest.raises(ValidationError):
        Deadline(**base, within="1个月内", scope="national", legal_basis="《某法》", extra_field=1)
    with pytest.raises(ValidationError):
        Deadline(**base, within="", scope="national", legal_basis="《某法》")
    ok = Deadline(**base, within="常见为90日，以当地为准", scope="regional")
    assert ok.legal_basis is None and ok.what_en is None


def test_schema_requires_the_legal_basis_in_english_where_the_deadline_has_english():
    base = {"what": "申报某事", "within": "1个月内", "from_when": "y", "if_missed": "z", "scope": "national",
            "legal_basis": "《某法》第七条"}
    english = {"what_en": "Apply", "within_en": "Within 1 month", "if_missed_en": "A fine"}
    with pytest.raises(ValidationError, match="legal_basis_en") as err:
        Deadline(**base, **english)
    assert "申报某事" in str(err.value)  # the message names the deadline
    with pytest.raises(ValidationError, match="no legal_basis to translate"):
        Deadline(**{**base, "scope": "regional", "within": "以当地为准", "legal_basis": None}, **english,
                 legal_basis_en="Article 7 of a law")
    assert Deadline(**base, **english, legal_basis_en="Article 7 of a law (《某法》)").legal_basis_en
    assert Deadline(**base).legal_basis_en is None  # no English at all: nothing to ask for yet


def test_english_deadlines_have_no_chinese_outside_the_law_titles(catalog):
    """An English reader gets the deadlines in English; Chinese appears only as a law's title in parentheses,
    next to its English name, so it can be looked up."""
    lines = []
    for o in catalog:
        sections = [s for s in render(o).sections if s.metadata.get("lang") == "en" and s.kind == "deadlines"]
        assert len(sections) == (1 if o.deadlines else 0), f"{o.id}: its deadlines have no English section"
        for s in sections:
            assert not CJK.search(s.title), s.title
            lines += [(o.id, line) for line in s.text.splitlines()]
    assert len(lines) == sum(len(o.deadlines) for o in catalog)  # one line a deadline, every one checked
    for gid, line in lines:
        assert not CJK.search(CHINESE_TITLE.sub("", line)), f"{gid}: Chinese in the English deadline text: {line}"
    # and each cited law keeps its Chinese title beside the English name, to look it up
    assert all("《" in (d.legal_basis_en or "") for o in catalog for d in o.deadlines if d.legal_basis)


def test_newborn_has_the_one_month_hukou_and_vaccination_deadlines(catalog):
    o = catalog.get("newborn")
    hukou = _deadline(o, "出生登记")
    assert hukou.scope == "national" and "1个月" in hukou.within and "出生" in hukou.from_when
    assert "户口登记条例" in hukou.legal_basis and "第七条" in hukou.legal_basis
    vacc = _deadline(o, "预防接种证")
    assert vacc.scope == "national" and "1个月" in vacc.within
    assert "疫苗管理法" in vacc.legal_basis and "第四十七条" in vacc.legal_basis
    insurance = _deadline(o, "医疗保险")
    assert insurance.scope == "regional" and "90" in insurance.within and "180" in insurance.within
    assert "出生之日" in insurance.if_missed
    # the texts answers quote today say it too, not only the structured field
    text = _rendered(o)
    assert "出生后1个月内" in text and "疫苗管理法》第四十七条" in text and "90日" in text


def test_newborn_regional_figures_are_labelled(catalog):
    o = catalog.get("newborn")
    for t in _texts(o.model_dump()):
        if "5个工作日" in t or "18元" in t:  # one region's figures: the sentence names the region it comes from
            assert "为例" in t, f"regional figure stated as general: {t}"
    assert "约18元/件（偏远地区略高）" not in _text(o)


def test_childcare_subsidy_states_the_national_amount(catalog):
    o = catalog.get("childcare_subsidy")
    text = _rendered(o)
    assert "每孩每年3600元" in text
    assert "折算" in text and "2025年1月1日" in text
    faq = next(f.answer for f in o.faqs if "多少钱" in f.question)
    assert "3600元" in faq and "当地公布的标准" in faq
    assert "不提供未经公布的数字" not in text


def test_open_restaurant_fire_check_has_no_size_threshold(catalog):
    o = catalog.get("open_restaurant")
    fire = o.service("fire_safety_check")
    assert not any("须办理的规模" in c for c in fire.conditions)
    assert any("没有" in c and "门槛" in c for c in fire.conditions)
    assert any("第十五条" in b for b in fire.legal_basis)
    d = _deadline(o, "消防安全检查")
    assert d.scope == "national" and "营业前" in d.within and "停产停业" in d.if_missed and "罚款" in d.if_missed
    faq = next(f.answer for f in o.faqs if "消防" in f.question)
    assert faq.startswith("要办") and "不要求单独办理" not in faq


def test_other_review_corrections_are_in_the_guides(catalog):
    veteran = _deadline(catalog.get("veteran_retirement"), "报到")
    assert "30日" in veteran.within and "安置待遇" in veteran.if_missed and "退役军人安置条例" in veteran.legal_basis

    retirement = _text(catalog.get("retirement"))
    for needle in ("弹性提前退休", "弹性延迟退休", "最长3年", "20年", "延长缴费", "一次性缴费"):
        assert needle in retirement, needle
    early = _deadline(catalog.get("retirement"), "提前退休")
    assert "3个月" in early.within and early.scope == "national"

    medical = catalog.get("cross_region_medical")
    assert "不少于6个月" in _deadline(medical, "有效期").within
    assert "不少于6个月" in medical.service("temporary_medical_filing").time_limit

    start = catalog.get("start_business")
    name_rule = start.service("business_registration").conditions[0]
    assert "同一登记机关" in name_rule and "近似" not in name_rule
    capital = _deadline(start, "出资")
    assert "5年" in capital.within and "第四十七条" in capital.legal_basis

    hardship = catalog.get("hardship_assistance")
    for t in _texts(hardship.model_dump()):
        if "30个工作日" in t:  # a common figure, set province by province
            assert "各省" in t, f"hardship time limit stated as national: {t}"
    assert _local(hardship.service("minimum_living_allowance").department)

    assert _local(catalog.get("utility_connection").lead_department)


def test_a_bad_deadline_names_the_file_and_field(tmp_path: Path):
    src = (DEFAULT_GUIDES_DIR / ONE_THINGS_SUBDIR / "newborn.yaml").read_text(encoding="utf-8")
    broken = src.replace("    scope: national\n", "    scope: nationwide\n", 1)
    bad = tmp_path / "newborn.yaml"
    bad.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="scope") as err:
        load_one_thing(bad)
    assert "newborn.yaml" in err.value.message
