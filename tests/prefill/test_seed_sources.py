"""The synthetic shared data and the DataSource contract every source (real or fake) must pass."""

import datetime as dt
import time

import pytest
from sqlalchemy import select

from core.errors import InvalidInput, ServiceUnavailable
from prefill.seed import generate, regenerate_from_meta, seed_database
from prefill.sources import (
    DataSource,
    EnterpriseRow,
    LicenceRow,
    PersonRow,
    SharedDataDB,
    SourceRecord,
    build_sources,
    count_rows,
)

TODAY = dt.date(2026, 11, 23)


def _dump(db: SharedDataDB) -> dict:
    with db.session() as s:
        return {
            "people": [(p.id, p.name, p.id_number, p.household_address) for p in s.scalars(select(PersonRow).order_by(PersonRow.id))],
            "licences": [(r.id, r.kind, r.number, r.data) for r in s.scalars(select(LicenceRow).order_by(LicenceRow.id))],
            "enterprises": [(e.id, e.uscc, e.name) for e in s.scalars(select(EnterpriseRow).order_by(EnterpriseRow.id))],
        }


def test_seed_is_reproducible(tmp_path):
    dbs = []
    for name in ("a", "b"):
        db = SharedDataDB(f"sqlite:///{(tmp_path / f'{name}.db').as_posix()}")
        assert seed_database(db, people=80, enterprises=12, seed=99, today=TODAY)
        dbs.append(db)
    assert _dump(dbs[0]) == _dump(dbs[1])
    assert not seed_database(dbs[0], people=80, enterprises=12, seed=99, today=TODAY), "a seeded DB is left alone"
    truth = regenerate_from_meta(dbs[0].meta())
    assert [p["id"] for p in truth.people] == [p[0] for p in _dump(dbs[0])["people"]]
    other = SharedDataDB(f"sqlite:///{(tmp_path / 'c.db').as_posix()}")
    seed_database(other, people=80, enterprises=12, seed=100, today=TODAY)
    assert _dump(other) != _dump(dbs[0])


def test_seeding_300_people_is_fast(tmp_path):
    db = SharedDataDB(f"sqlite:///{(tmp_path / 's.db').as_posix()}")
    t0 = time.perf_counter()
    seed_database(db, people=300, enterprises=60)
    assert time.perf_counter() - t0 < 5
    counts = count_rows(db)
    assert counts["population_person"] >= 300 and counts["enterprise"] == 60


def test_families_cover_every_kind_of_case():
    data = generate(300, 60, today=TODAY)
    people = {p["id"]: p for p in data.people}
    kinds = {(lic["holder_id"], lic["kind"]) for lic in data.licences}
    newborns = [s for s in data.scenarios if s.one_thing_id == "newborn"]
    assert newborns
    for sc in newborns:
        baby = people[sc.subjects["child"]]
        assert baby["hukou_status"] == "未落户" and baby["id_number"] is None
        assert (baby["id"], "birth_cert") in kinds
        assert people[sc.subjects["father"]]["marital_status"] == "已婚"
    for sc in (s for s in data.scenarios if s.one_thing_id == "after_death"):
        assert people[sc.subjects["deceased"]]["death_date"]
        assert (sc.subjects["deceased"], "death_cert") in kinds
    assert any((s.applicant_id, "disability_cert") in kinds for s in data.scenarios if s.one_thing_id == "disability_services")
    assert any((s.applicant_id, "veteran_cert") in kinds for s in data.scenarios if s.one_thing_id == "veteran_retirement")
    reps = {e["legal_rep_id"] for e in data.enterprises}
    assert reps <= set(people) and len(data.enterprises) == 60
    from knowledge.schema import ONE_THING_IDS

    assert {s.one_thing_id for s in data.scenarios} == set(ONE_THING_IDS)


@pytest.fixture(scope="module")
def sources(shared_url):
    return build_sources(SharedDataDB(shared_url))


def test_every_source_honours_the_protocol(sources, scenarios):
    assert set(sources) == {"population", "e_licence", "social_insurance", "housing_fund", "enterprise", "real_estate"}
    person = next(s.applicant_id for s in scenarios if s.one_thing_id == "retirement")
    enterprise = next(s.subjects["enterprise"] for s in scenarios if s.one_thing_id == "start_business")
    for name, src in sources.items():
        assert isinstance(src, DataSource) and src.name == name and src.label and src.fields
        subject = enterprise if name == "enterprise" else person
        fields = [f for f in src.fields if f not in ("relations", "legal_rep_of")][:5]
        rec = src.fetch(subject, fields, purpose="test")
        assert isinstance(rec, SourceRecord) and rec.source == name and rec.subject_id == subject
        assert isinstance(rec.fetched_at, dt.datetime)
        for field, v in rec.values.items():
            assert field in fields and v.record_id and v.value is not None
        with pytest.raises(InvalidInput):
            src.fetch(subject, ["no_such_field"], purpose="test")
    assert sources["population"].fetch("P99999", ["name"], purpose="test").values == {}


def test_unreachable_database_is_service_unavailable(tmp_path):
    folder = tmp_path / "is_a_directory.db"
    folder.mkdir()
    db = SharedDataDB(f"sqlite:///{folder.as_posix()}")
    with pytest.raises(ServiceUnavailable) as err:
        build_sources(db)["population"].fetch("P00001", ["name"], purpose="test")
    assert "YJS_SHARED_DATA_URL" in err.value.message
