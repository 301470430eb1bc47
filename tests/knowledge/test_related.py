"""Issue 11 item 8: the one-things suggested after an answer come from the catalogue's relation (same
applicant, a shared life stage), so they fit the person; loss, hardship and single-group bundles are
never suggested unasked."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog

# Stages that are a loss, a hardship or for one group only: nothing else leads to them.
UNASKED = {"身后", "社会救助", "助残", "退役安置", "企业退出", "企业信用"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(Path(DEFAULT_GUIDES_DIR))


def test_every_bundle_has_a_life_stage(catalog):
    assert all(o.life_stages for o in catalog), [o.id for o in catalog if not o.life_stages]


def test_related_bundles_are_for_the_same_applicant_and_share_a_stage(catalog):
    for o in catalog:
        related = catalog.related(o.id)
        assert len(related) <= 3 and o.id not in {r.id for r, _ in related}
        for r, score in related:
            assert r.audience == o.audience, (o.id, r.id)
            assert set(r.life_stages) & set(o.life_stages) and 0 < score <= 1, (o.id, r.id)
        assert [s for _, s in related] == sorted((s for _, s in related), reverse=True)


def test_loss_hardship_and_single_group_bundles_are_never_suggested_after_another(catalog):
    for o in catalog:
        for r, _ in catalog.related(o.id):
            assert not set(r.life_stages) & UNASKED or set(o.life_stages) & set(r.life_stages) & UNASKED, (o.id, r.id)
    assert not any(r.id == "after_death" for o in catalog for r, _ in catalog.related(o.id))
    assert not any(r.id == "hardship_assistance" for o in catalog for r, _ in catalog.related(o.id))


def test_the_issue_examples(catalog):
    names = lambda oid: [r.id for r, _ in catalog.related(oid)]  # noqa: E731
    assert "employee_recruitment" not in names("newborn") and "childcare_subsidy" in names("newborn")
    assert "after_death" not in names("elderly_welfare") and "retirement" in names("elderly_welfare")
    assert catalog.related("no-such-bundle") == []
