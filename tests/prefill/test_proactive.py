"""免申办: the life-events feed, the eligibility rules against a hand-computed ground truth, the
standing opt-in, offers (accept → a pre-filled draft at review, decline), 免申即享 grants, audit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from core.errors import Conflict, Forbidden, NotFound
from prefill.eligibility import RULES
from prefill.events import LifeEventSource, SharedDataEventSource
from prefill.seed import regenerate_from_meta
from prefill.sources import SharedDataDB

GUIDES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "one_things"


# --- the ground truth, computed here from the raw seed records (not with the rule code) ---------------
def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _full_years(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def ground_truth(data, today: dt.date, since: dt.date, until: dt.date) -> dict[str, set[tuple[str, str]]]:
    """rule id → {(person who should get the offer, what it is about)} for everyone (opt-in ignored)."""
    people = {p["id"]: p for p in data.people}
    social = {r["subject_id"]: r["data"] for r in data.social}
    d = dt.date.fromisoformat

    def alive(pid: str) -> bool:
        return people[pid]["death_date"] is None

    def in_window(day: dt.date) -> bool:
        return since <= day <= until

    truth: dict[str, set[tuple[str, str]]] = defaultdict(set)
    parents_of = defaultdict(list)  # child -> parents (the parent's relation row names the child "child")
    for r in data.relations:
        if r["relation"] == "child":
            parents_of[r["relative_id"]].append(r["person_id"])
    for lic in data.licences:
        if lic["kind"] == "birth_cert" and in_window(d(lic["issue_date"])):
            child = people[lic["holder_id"]]
            age = _full_years(d(child["birth_date"]), today)
            for parent in parents_of[child["id"]]:
                if not alive(parent) or not alive(child["id"]):
                    continue
                if child["hukou_status"] == "未落户" and age < 1:
                    truth["newborn.birth_registered"].add((parent, child["id"]))
                if child["hukou_status"] == "正常" and age < 3:
                    truth["childcare_subsidy.birth_registered"].add((parent, child["id"]))
        if lic["kind"] == "veteran_cert":
            discharged = d(lic["data"]["discharge_date"])
            if in_window(discharged) and 0 <= (today - discharged).days <= 365 and alive(lic["holder_id"]):
                truth["veteran_retirement.discharged"].add((lic["holder_id"], lic["holder_id"]))
    for p in people.values():
        born = d(p["birth_date"])
        if in_window(_plus_years(born, 80)) and alive(p["id"]) and _full_years(born, today) >= 80 \
                and p["household_region_code"]:
            truth["elderly_welfare.turning_80"].add((p["id"], p["id"]))
        reaches = _plus_years(born, 60 if p["sex"] == "男" else 55)
        si = social.get(p["id"], {})
        if in_window(reaches) and reaches <= today + dt.timedelta(days=90) and alive(p["id"]) \
                and si.get("pension_type") == "城镇职工基本养老保险" and si.get("status") == "参保缴费" \
                and int(si.get("contribution_months", "0")) >= (180 if today.year < 2030 else 186):
            truth["retirement.retirement_age"].add((p["id"], p["id"]))
        if p["death_date"] and in_window(d(p["death_date"])):
            for r in data.relations:  # the kin's own row names the deceased as father, mother or spouse
                if r["relative_id"] == p["id"] and r["relation"] in ("father", "mother", "spouse"):
                    kin = people[r["person_id"]]
                    if alive(kin["id"]) and _full_years(d(kin["birth_date"]), today) >= 18:
                        truth["after_death.death_registered"].add((kin["id"], p["id"]))
    for e in data.enterprises:
        est = d(e["data"]["established"])
        if in_window(est) and 0 <= (today - est).days <= 90 and e["status"] == "存续" and e["kind"] != "个体工商户" \
                and alive(e["legal_rep_id"]):
            truth["start_business.enterprise_registered"].add((e["legal_rep_id"], e["id"]))
    return truth


@pytest.fixture(scope="module")
def seed(shared_url):
    meta = SharedDataDB(shared_url).meta()
    return regenerate_from_meta(meta), dt.date.fromisoformat(meta["reference_date"])


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    # Wide enough that every rule meets people on both sides of its conditions (school children's
    # births, long-established enterprises, long-retired pensioners, retirement beyond the 90-day lead).
    return today - dt.timedelta(days=16 * 365), today + dt.timedelta(days=120)


def _offers(svc) -> dict[str, set[tuple[str, str]]]:
    from prefill.store import OfferRow

    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with svc.state.session() as s:
        for row in s.query(OfferRow).all():
            out[row.rule_id].add((row.person_id, row.subject_id))
    return out


def _service(shared_url: str, state: Path, **kw):
    from prefill.service import PrefillService

    svc = PrefillService(shared_data_url=shared_url, state_url=f"sqlite:///{state.as_posix()}",
                         secret="proactive-test-" + "s" * 32, **kw)
    svc.warm_up()
    return svc


@pytest.fixture(scope="module")
def matched(shared_url, seed, tmp_path_factory):
    """One matcher run with two thirds of the population opted in (one of them withdrew again)."""
    from core.identity import Principal

    data, today = seed
    svc = _service(shared_url, tmp_path_factory.mktemp("proactive") / "state.db")
    svc.matcher.today = lambda: today
    ids = sorted(p["id"] for p in data.people)
    opted = {pid for n, pid in enumerate(ids) if n % 3 != 0}
    for pid in sorted(opted):
        svc.set_proactive(Principal("citizen", pid), True)
    withdrawn = sorted(opted)[1]
    svc.set_proactive(Principal("citizen", withdrawn), False)
    opted.discard(withdrawn)
    since, until = _window(today)
    report = svc.run_offers(since, until)
    return svc, opted, withdrawn, report


# --- the feed -------------------------------------------------------------------------------------------
def test_event_feed_is_a_protocol_implementation_and_deterministic(svc, seed):
    data, today = seed
    feed = SharedDataEventSource(svc.shared)
    assert isinstance(feed, LifeEventSource)
    since, until = _window(today)
    first, again = feed.events(since, until), feed.events(since, until)
    assert first == again and first == sorted(first, key=lambda e: (e.on, e.kind, e.subject_id))
    kinds = {e.kind for e in first}
    assert kinds == {"birth_registered", "turning_80", "retirement_age", "death_registered", "discharged",
                     "enterprise_registered"}
    assert all(since <= e.on <= until for e in first)
    assert feed.events(until, since) == []


# --- rules cite their guides ---------------------------------------------------------------------------
def test_every_rule_quotes_its_guide_and_names_the_guides_law():
    assert {r.one_thing_id for r in RULES} >= {"newborn", "childcare_subsidy", "elderly_welfare", "retirement",
                                                "after_death", "veteran_retirement", "start_business"}
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.basis, rule.id
        for b in (*rule.basis, *([rule.no_application] if rule.no_application else [])):
            path = GUIDES / f"{b.one_thing_id}.yaml"
            text = path.read_text(encoding="utf-8")
            assert b.quote in text, (rule.id, b.quote)
            if b.service_id:
                guide = yaml.safe_load(text)
                service = next(s for s in guide["services"] if s["id"] == b.service_id)
                assert b.quote in " ".join(service.get("conditions") or []) or b.quote in str(service), (rule.id, b)
                if b.law:
                    assert b.law in (service.get("legal_basis") or []), (rule.id, b.law)
    elderly = next(r for r in RULES if r.one_thing_id == "elderly_welfare")
    assert "免申即享" in elderly.no_application.quote
    assert all(r.no_application is None for r in RULES if r is not elderly)


# --- the matcher against the ground truth ----------------------------------------------------------------
def test_matcher_finds_exactly_the_eligible_people_with_the_opt_in(matched, seed):
    svc, opted, withdrawn, report = matched
    data, today = seed
    since, until = _window(today)
    truth = ground_truth(data, today, since, until)
    got = _offers(svc)
    for rule in RULES:
        expected = {x for x in truth[rule.id] if x[0] in opted}
        assert expected, f"{rule.id}: the seed gives no eligible person with the opt-in; the test would be vacuous"
        found = got.get(rule.id, set())
        true_pos = found & expected
        precision = len(true_pos) / len(found) if found else 0.0
        recall = len(true_pos) / len(expected)
        assert (precision, recall) == (1.0, 1.0), (rule.id, sorted(found - expected), sorted(expected - found))
    assert set(got) <= {r.id for r in RULES}
    # Eligible people without the opt-in exist and got nothing.
    left_out = {x for rule_truth in truth.values() for x in rule_truth if x[0] not in opted}
    assert left_out
    assert not {p for offers in got.values() for p, _ in offers} - opted
    assert report.offers_created == sum(len(v) for v in got.values())
    assert report.people_checked == len(opted)


def test_only_opted_in_people_are_read_and_each_match_is_in_their_data_use_log(matched):
    from core.identity import Principal

    svc, opted, withdrawn, _ = matched
    reads = svc.audit.entries(action="read", limit=100000)
    proactive = [e for e in reads if e.detail.get("proactive")]
    assert proactive and {e.subject_id for e in proactive} <= opted
    assert withdrawn not in {e.subject_id for e in proactive}
    sent = svc.audit.entries(action="offer_sent", limit=100000)
    assert len(sent) == sum(len(v) for v in _offers(svc).values())
    person = sent[0].subject_id
    log = svc.my_access_log(Principal("citizen", person))
    assert any(e.action == "offer_sent" and e.action_label == "主动推送可办事项" for e in log)
    assert any(e.action == "read" and "主动服务" in e.purpose for e in log)
    assert svc.verify_audit().ok


def test_a_second_run_sends_nothing_new(matched, seed):
    svc, *_ = matched
    _, today = seed
    before = len(svc.audit.entries(action="offer_sent", limit=100000))
    report = svc.run_offers(*_window(today))
    assert report.offers_created == 0
    assert len(svc.audit.entries(action="offer_sent", limit=100000)) == before


# --- the standing opt-in -----------------------------------------------------------------------------------
def _first(seed, rule_id: str) -> tuple[str, str]:
    data, today = seed
    return sorted(ground_truth(data, today, *_window(today))[rule_id])[0]


@pytest.fixture
def psvc(shared_url, seed, tmp_path):
    svc = _service(shared_url, tmp_path / "state.db")
    svc.matcher.today = lambda: seed[1]
    return svc


def test_withdrawing_the_opt_in_stops_matching(psvc, seed, h):
    person, child = _first(seed, "childcare_subsidy.birth_registered")
    me = h.citizen(person)
    window = _window(seed[1])
    assert psvc.run_offers(*window).people_checked == 0 and psvc.my_offers(me) == []
    assert psvc.set_proactive(me, True).granted
    psvc.set_proactive(me, False)
    assert not psvc.proactive_status(me).granted
    assert psvc.run_offers(*window).offers_created == 0 and psvc.my_offers(me) == []
    assert not [e for e in psvc.audit.entries(subject_or_owner=person, action="read") if e.detail.get("proactive")]
    psvc.set_proactive(me, True)
    assert psvc.run_offers(*window).offers_created >= 1
    offers = psvc.my_offers(me)
    assert any(o.rule_id == "childcare_subsidy.birth_registered" for o in offers)
    actions = [e.action for e in psvc.audit.entries(subject_or_owner=person)]
    assert actions.count("proactive_opt_in") == 2 and actions.count("proactive_opt_out") == 1


def test_the_opt_in_is_granted_by_the_citizen_themself(psvc, seed, h):
    person, _ = _first(seed, "elderly_welfare.turning_80")
    with pytest.raises(Forbidden):
        psvc.set_proactive(h.citizen(person, via="clerk"), True)
    with pytest.raises(Forbidden):
        psvc.set_proactive(h.STAFF, True)
    psvc.set_proactive(h.citizen(person), True)
    assert not psvc.set_proactive(h.citizen(person, via="clerk"), False).granted  # withdrawing is always allowed


# --- offers: explain, accept, decline ----------------------------------------------------------------------
def _offer_for(svc, h, seed, rule_id):
    person, subject = _first(seed, rule_id)
    me = h.citizen(person)
    svc.set_proactive(me, True)
    svc.run_offers(*_window(seed[1]))
    offer = next(o for o in svc.my_offers(me) if o.rule_id == rule_id)
    return me, subject, offer


def test_an_offer_explains_itself_with_facts_and_legal_basis(psvc, seed, h):
    me, child, offer = _offer_for(psvc, h, seed, "childcare_subsidy.birth_registered")
    assert offer.status == "sent" and "育儿补贴" in offer.message and "已为您预填" in offer.message
    keys = {f.key for f in offer.why}
    assert {"relation", "child_birth_date", "child_age", "child_hukou"} <= keys
    assert all(f.record_id and f.source_label for f in offer.why)
    assert any(b.law == "《育儿补贴制度实施方案》" for b in offer.legal_basis)
    assert offer.sources_on_accept
    opened = psvc.open_offer(me, offer.offer_id)
    assert opened.status == "opened" and opened.opened_at
    assert psvc.open_offer(me, offer.offer_id).opened_at == opened.opened_at  # opened once
    assert len(psvc.audit.entries(action="offer_open", subject_or_owner=me.subject)) == 1


def test_accept_opens_a_prefilled_draft_at_review_with_provenance(psvc, seed, h):
    me, child, offer = _offer_for(psvc, h, seed, "childcare_subsidy.birth_registered")
    accepted = psvc.accept_offer(me, offer.offer_id)
    assert accepted.next_step == "review" and accepted.offer.status == "accepted"
    draft = accepted.draft
    assert accepted.offer.draft_id == draft.draft_id and draft.one_thing_id == "childcare_subsidy"
    assert draft.status == "open" and draft.prefilled and draft.prefill_rate > 0.3
    filled = [f for f in draft.fields if f.state in ("authoritative", "prefilled")]
    assert filled and all(f.provenance and f.provenance.record_id for f in filled)
    assert any(f.provenance.subject_role == "child" for f in filled)
    assert accepted.review.draft_id == draft.draft_id
    # The draft is about the child the birth event named, and nothing was submitted.
    from prefill.store import DraftRow

    with psvc.state.session() as s:
        row = s.get(DraftRow, draft.draft_id)
        assert row.bindings["child"]["subject_id"] == child and row.submitted_at is None
    with pytest.raises(Conflict):
        psvc.accept_offer(me, offer.offer_id)
    with pytest.raises(Conflict):
        psvc.decline_offer(me, offer.offer_id, "changed my mind")
    actions = [e.action for e in psvc.audit.entries(subject_or_owner=me.subject)]
    for step in ("proactive_opt_in", "offer_sent", "draft_start", "consent_grant", "read", "offer_accept"):
        assert step in actions, step
    assert psvc.verify_audit().ok


@pytest.mark.parametrize("rule_id", ["after_death.death_registered", "start_business.enterprise_registered",
                                     "newborn.birth_registered"])
def test_accept_names_the_events_subject_in_the_draft(psvc, seed, h, rule_id):
    me, subject, offer = _offer_for(psvc, h, seed, rule_id)
    accepted = psvc.accept_offer(me, offer.offer_id)
    from prefill.store import DraftRow

    role = {"after_death.death_registered": "deceased", "start_business.enterprise_registered": "enterprise",
            "newborn.birth_registered": "child"}[rule_id]
    with psvc.state.session() as s:
        assert s.get(DraftRow, accepted.draft.draft_id).bindings[role]["subject_id"] == subject


def test_decline_is_recorded_with_its_reason(psvc, seed, h):
    me, _, offer = _offer_for(psvc, h, seed, "retirement.retirement_age")
    declined = psvc.decline_offer(me, offer.offer_id, "准备弹性延迟退休")
    assert declined.status == "declined" and declined.decline_reason == "准备弹性延迟退休" and declined.decided_at
    with pytest.raises(Conflict):
        psvc.accept_offer(me, offer.offer_id)
    entry = psvc.audit.entries(action="offer_decline", subject_or_owner=me.subject)[0]
    assert entry.detail["offer_id"] == offer.offer_id
    assert psvc.my_drafts(me) == []


def test_another_citizen_cannot_see_or_act_on_my_offer(psvc, seed, h):
    me, _, offer = _offer_for(psvc, h, seed, "veteran_retirement.discharged")
    other = h.citizen(_first(seed, "elderly_welfare.turning_80")[0])
    for call in (lambda: psvc.open_offer(other, offer.offer_id), lambda: psvc.accept_offer(other, offer.offer_id),
                 lambda: psvc.decline_offer(other, offer.offer_id, "")):
        with pytest.raises(NotFound):
            call()
    assert psvc.my_offers(other) == []
    with pytest.raises(Forbidden):
        psvc.my_offers(h.STAFF)


# --- 免申即享 -------------------------------------------------------------------------------------------
def test_no_application_grants_need_the_deployer_flag_and_can_be_declined(psvc, seed, h):
    person, _ = _first(seed, "elderly_welfare.turning_80")
    me = h.citizen(person)
    psvc.set_proactive(me, True)
    psvc.matcher.auto_grant = True
    report = psvc.run_offers(*_window(seed[1]))
    assert report.granted == 1
    offer = next(o for o in psvc.my_offers(me) if o.rule_id == "elderly_welfare.turning_80")
    assert offer.status == "granted" and offer.no_application and "免申即享" in offer.message
    assert psvc.audit.entries(action="offer_grant", subject_or_owner=person)
    with pytest.raises(Conflict):
        psvc.accept_offer(me, offer.offer_id)
    declined = psvc.decline_offer(me, offer.offer_id, "不需要")
    assert declined.status == "declined" and declined.no_application
    assert "撤销免申即享" in psvc.audit.entries(action="offer_decline", subject_or_owner=person)[0].purpose


def test_without_the_flag_a_no_application_benefit_is_an_ordinary_offer(psvc, seed, h):
    from core.settings import Settings

    assert Settings().proactive_auto_grant is False
    person, _ = _first(seed, "elderly_welfare.turning_80")
    me = h.citizen(person)
    psvc.set_proactive(me, True)
    assert psvc.run_offers(*_window(seed[1])).granted == 0
    assert next(o for o in psvc.my_offers(me) if o.rule_id == "elderly_welfare.turning_80").status == "sent"


# --- staff counts -------------------------------------------------------------------------------------------
def test_staff_counts_per_bundle(psvc, seed, h):
    me, _, offer = _offer_for(psvc, h, seed, "childcare_subsidy.birth_registered")
    psvc.decline_offer(me, offer.offer_id, "")
    stats = psvc.offer_stats(h.STAFF)
    row = next(r for r in stats.by_bundle if r.one_thing_id == "childcare_subsidy")
    assert (row.sent, row.opened, row.declined, row.accepted) == (1, 1, 1, 0)
    assert stats.total.sent == sum(r.sent for r in stats.by_bundle)
    with pytest.raises(Forbidden):
        psvc.offer_stats(me)


# --- the command line ---------------------------------------------------------------------------------------
def test_offers_from_the_command_line(tmp_path, monkeypatch, capsys):
    import json

    from app.prefill_cli import main
    from core.identity import Principal
    from core.settings import get_settings
    from prefill.seed import scenarios_from_meta
    from prefill.service import build_prefill_service

    monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YJS_SEED_PEOPLE", "60")
    monkeypatch.setenv("YJS_SEED_ENTERPRISES", "24")
    get_settings.cache_clear()
    try:
        svc = build_prefill_service(get_settings())
        vet = next(s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "veteran_retirement")
        svc.set_proactive(Principal("citizen", vet.applicant_id), True)
        today = dt.date.fromisoformat(svc.shared.meta()["reference_date"])
        assert main(["offers", "run", "--since", (today - dt.timedelta(days=100)).isoformat(), "--json"]) == 0
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert report["people_checked"] == 1 and report["by_rule"] == {"veteran_retirement.discharged": 1}
        assert main(["offers", "stats"]) == 0 and "veteran_retirement" in capsys.readouterr().out
        assert main(["offers", "run", "--since", "yesterday"]) == 1
        assert capsys.readouterr().err.startswith("error:")
    finally:
        get_settings.cache_clear()
