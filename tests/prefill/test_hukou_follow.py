"""Fields asked only after a choice (`ask_when`): in 新生儿出生一件事, 随父落户 stops asking for the mother's
household booklet and 随母落户 for the father's; review, confirmation and each department's split form
follow the choice, and a form whose choice would leave a department without fields does not load."""

from __future__ import annotations

import pytest
import yaml

from core.errors import ConfigurationError
from prefill.forms import FORMS_DIR, load_form


def _newborn_choosing(svc, scenario, h, follow: str):
    """The newborn bundle by the father, the mother having approved, with the hukou following `follow`."""
    sc = scenario("newborn")
    me, _, _ = h.full_flow(svc, sc, confirm=False)
    draft_id = svc.my_drafts(me)[0].draft_id
    svc.edit(me, draft_id, "hukou_follow", follow)
    return me, draft_id


@pytest.mark.parametrize(("follow", "asked", "not_asked"), [("随父落户", "father_hukou_no", "mother_hukou_no"),
                                                            ("随母落户", "mother_hukou_no", "father_hukou_no")])
def test_hukou_follow_asks_only_the_booklet_it_needs(svc, scenario, h, follow, asked, not_asked):
    me, draft_id = _newborn_choosing(svc, scenario, h, follow)
    view = {f.key: f for f in svc.draft(me, draft_id).fields}
    assert view[asked].asked and not view[not_asked].asked
    review = svc.review(me, draft_id)
    shown = {i.key for g in review.by_section + review.by_department for i in g.items}
    assert asked in shown and not_asked not in shown
    assert not any(p.key == not_asked for p in review.problems)

    svc.confirm(me, draft_id)
    sub = svc.submit(me, draft_id)
    form = svc.form("newborn")
    raw = svc.all_values(draft_id)
    for dept in form.departments:  # every department still gets a complete, valid split form
        p = svc.department_payload(h.STAFF, sub.tracking_no, dept)
        assert p.fields and set(p.fields) == {f.key for f in form.fields_for(dept, raw)} == set(p.labels)
        assert not_asked not in p.fields
        assert all(p.fields[f.key] is not None for f in form.fields_for(dept, raw) if f.required)
    police = svc.department_payload(h.STAFF, sub.tracking_no, "公安部门")
    assert police.fields[asked] == raw[asked] and police.fields["hukou_follow"] == follow


def _newborn_yaml() -> dict:
    return yaml.safe_load((FORMS_DIR / "newborn.yaml").read_text(encoding="utf-8"))


def _write(tmp_path, data: dict):
    path = tmp_path / "newborn.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_ask_when_must_name_a_choice_and_its_options(tmp_path):
    data = _newborn_yaml()
    fields = {f["key"]: f for sec in data["sections"] for f in sec["fields"]}
    fields["mother_hukou_no"]["ask_when"] = {"field": "household_address", "values": ["随母落户"]}
    with pytest.raises(ConfigurationError, match="unconditional enum"):
        load_form(_write(tmp_path, data))
    fields["mother_hukou_no"]["ask_when"] = {"field": "hukou_follow", "values": ["随祖父落户"]}
    with pytest.raises(ConfigurationError, match="not options"):
        load_form(_write(tmp_path, data))


def test_a_choice_may_not_leave_a_department_without_fields(tmp_path):
    data = _newborn_yaml()
    for sec in data["sections"]:
        for f in sec["fields"]:  # 疾病预防控制部门 would receive only fields asked after 随母落户
            if "疾病预防控制部门" in f["departments"] or f["departments"] == ["all"]:
                f["ask_when"] = {"field": "hukou_follow", "values": ["随母落户"]}
    for sec in data["sections"]:
        for f in sec["fields"]:
            if f["key"] == "hukou_follow":
                f.pop("ask_when", None)
    with pytest.raises(ConfigurationError, match="receive no field"):
        load_form(_write(tmp_path, data))
