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


# -- the choice before consent: 随父落户 stops asking for (and reading) the mother's household booklet ----------

BOOKLET = "hukou_booklet.number"


def _booklet_roles(consent) -> set[str]:
    """The roles whose household booklet the consent request asks for."""
    return {i.role for i in consent.items if i.source == "e_licence" and any(f.name == BOOKLET for f in i.fields)}


def _other_parent(sc):
    return next(pid for role, pid in sc.subjects.items() if role in ("father", "mother") and pid != sc.applicant_id)


def _booklet_reads_about(svc, h, pid: str) -> list:
    return [e for e in svc.my_access_log(h.citizen(pid)) if e.action == "read" and BOOKLET in e.field_keys]


def test_consent_offers_the_choice_first_and_asks_only_what_it_needs(svc, scenario, h):
    sc = scenario("newborn")
    me = h.citizen(sc.applicant_id)
    draft = svc.start_draft(me, "newborn")
    consent = svc.consent_request(me, draft.draft_id)
    assert [(c.key, c.options, c.value) for c in consent.choices] == [("hukou_follow", ["随父落户", "随母落户"], None)]
    assert consent.choices[0].options_en == ["Father's household", "Mother's household"]

    svc.edit(me, draft.draft_id, "hukou_follow", "随父落户")
    consent = svc.consent_request(me, draft.draft_id)
    assert consent.choices[0].value == "随父落户"
    assert _booklet_roles(consent) == {"father"}

    svc.grant_all(me, draft.draft_id)
    other = _other_parent(sc)
    asks = [a for a in svc.pending_approvals(h.citizen(other)) if a.draft_id == draft.draft_id]
    assert asks, "the other parent is asked for their own data"
    mother_asked_booklet = any(BOOKLET in {f.name for f in a.fields} for a in asks)
    assert mother_asked_booklet == (other == sc.subjects["father"])  # only the father's booklet is asked for
    for a in asks:
        svc.approve(h.citizen(other), draft.draft_id, a.source, True)
    view = svc.prefill(me, draft.draft_id)
    values = {f.key: f for f in view.fields}
    assert values["father_hukou_no"].state == "authoritative"
    assert not values["mother_hukou_no"].has_value and not values["mother_hukou_no"].asked
    assert _booklet_reads_about(svc, h, sc.subjects["father"])
    assert not _booklet_reads_about(svc, h, sc.subjects["mother"])


def test_a_choice_changed_after_consent_asks_again_and_forgets_what_it_no_longer_needs(svc, scenario, h):
    sc = scenario("newborn")
    me = h.citizen(sc.applicant_id)
    draft = svc.start_draft(me, "newborn")
    svc.edit(me, draft.draft_id, "hukou_follow", "随父落户")
    svc.grant_all(me, draft.draft_id)
    other = _other_parent(sc)
    for a in [a for a in svc.pending_approvals(h.citizen(other)) if a.draft_id == draft.draft_id]:
        svc.approve(h.citizen(other), draft.draft_id, a.source, True)
    svc.prefill(me, draft.draft_id)

    view = svc.edit(me, draft.draft_id, "hukou_follow", "随母落户")  # the mother's booklet is needed now
    consent = svc.consent_request(me, draft.draft_id)
    item = next(i for i in consent.items if i.role == "mother" and i.source == "e_licence")
    assert item.status in ("pending", "awaiting_other")  # the earlier grant did not cover it
    assert not {f.key: f for f in view.fields}["mother_hukou_no"].has_value
    assert not _booklet_reads_about(svc, h, sc.subjects["mother"])
    if other == sc.subjects["mother"]:
        asks = [a for a in svc.pending_approvals(h.citizen(other)) if a.draft_id == draft.draft_id]
        assert [a.source for a in asks] == ["e_licence"] and BOOKLET in {f.name for f in asks[0].fields}
        svc.approve(h.citizen(other), draft.draft_id, "e_licence", True)
    else:
        svc.grant_all(me, draft.draft_id)
    view = svc.prefill(me, draft.draft_id)
    assert {f.key: f.state for f in view.fields}["mother_hukou_no"] == "authoritative"
    assert _booklet_reads_about(svc, h, sc.subjects["mother"])

    # Back to 随父落户: the mother's booklet number, read for the other choice, is not kept; the father's was
    # covered by the first grant and is read again at once.
    view = svc.edit(me, draft.draft_id, "hukou_follow", "随父落户")
    values = {f.key: f for f in view.fields}
    assert not values["mother_hukou_no"].has_value and values["mother_hukou_no"].state == "to_be_entered"
    assert svc.all_values(draft.draft_id)["mother_hukou_no"] is None
    assert values["father_hukou_no"].state == "authoritative"
