"""Merged forms: one per one-thing, valid, asked-once keys, departments from the guides."""

import re
from pathlib import Path

import pytest

from core.errors import ConfigurationError, NotFound
from knowledge.schema import ONE_THING_IDS
from prefill.forms import FORMS_DIR, FormLibrary, load_form


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary.from_dir()


def test_a_form_for_every_one_thing(library):
    assert set(library.by_one_thing) == set(ONE_THING_IDS) and len(library) == 27
    for form in library:
        assert form.form_id == f"{form.one_thing_id}_form"
        assert len(form.by_key) == len(list(form.fields())), "a field is asked once"


def test_most_fields_can_come_from_shared_data(library):
    total = sum(len(f.by_key) for f in library)
    sourced = sum(1 for f in library for x in f.fields() if x.source)
    assert sourced / total >= 0.85
    for form in library:
        to_enter = [x for x in form.fields() if not x.source]
        assert len(to_enter) <= 4, f"{form.form_id}: personal choices stay to be entered"
        if not to_enter:  # every choice suggested by a record (发放方式 from the 社保 benefit account) stays editable
            choices = [x for x in form.fields() if x.type == "enum" and x.source.source != "population"]
            assert choices and not any(x.authoritative for x in choices), form.form_id


def test_departments_follow_the_guides(library, settings):
    from knowledge.catalog import Catalog

    catalog = Catalog.from_dir(settings.guides_dir)
    for form in library:
        guide = catalog.get(form.one_thing_id)
        if guide is None:  # guide not written yet: nothing to compare with
            continue
        known = " ".join([guide.lead_department, *guide.cooperating_departments, *(s.department for s in guide.services)])
        for dept in form.departments:
            assert dept in known, f"{form.form_id}: {dept} is not a department of the {guide.id} guide"
        assert guide.merged_form_id == form.form_id


def test_unknown_form_is_not_found(library):
    with pytest.raises(NotFound):
        library.get("moon_landing")


def test_loader_names_the_file_and_the_problem(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("form_id: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="bad.yaml"):
        load_form(bad)
    text = (FORMS_DIR / "retirement.yaml").read_text(encoding="utf-8")
    dup = tmp_path / "dup.yaml"
    dup.write_text(text.replace("key: sex,", "key: name,"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="asked more than once"):
        load_form(dup)
    wrong_source = tmp_path / "src.yaml"
    wrong_source.write_text(text.replace("field: enrol_date", "field: shoe_size"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="shoe_size"):
        load_form(wrong_source)


def test_every_choice_has_english_option_labels(library):
    """An English page shows a choice's options in English (the value stays the Chinese option): a form whose
    enum field forgets `options_en` fails here."""
    missing = [f"{form.form_id}.{x.key}" for form in library for x in form.fields()
               if x.type == "enum" and len(x.options_en) != len(x.options)]
    assert not missing, f"enum fields without options_en: {missing}"
    for form in library:
        for x in form.fields():
            assert all(en.isascii() for en in x.options_en), f"{form.form_id}.{x.key}: options_en should be English"
    sex = library.get("retirement").field("sex")
    assert dict(zip(sex.options, sex.options_en, strict=True)) == {"男": "Male", "女": "Female"}


@pytest.mark.parametrize(("options_en", "problem"), [
    ("[Male]", "options_en has 1 entries for 2 options"),
    ('[Male, " "]', "options_en has an empty entry"),
    ("[Male, Male]", "options_en repeats"),
])
def test_english_option_labels_are_checked_at_load(tmp_path: Path, options_en: str, problem: str):
    text = (FORMS_DIR / "retirement.yaml").read_text(encoding="utf-8")
    old = "options: [男, 女], options_en: [Male, Female]"
    assert old in text
    bad = tmp_path / "retirement.yaml"
    bad.write_text(text.replace(old, f"options: [男, 女], options_en: {options_en}"), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=rf"sex: {re.escape(problem)}"):
        load_form(bad)
