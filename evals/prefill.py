"""`python -m evals prefill`: pre-fill rate and correctness over the synthetic population.

For every seeded scenario (an eligible applicant per one-thing) the eval runs the real flow through
`PrefillService` — start a draft, grant consent, have each family member or other person approve
their own data from their own identity, type the ID number a form asks for — then pre-fills and
compares every filled value with the ground truth re-derived from the seed parameters (not read back
from the database it checks). A value that differs from the truth counts as wrong; a value the data
holds but the engine did not fill lowers the rate.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.identity import Principal
from evals.metrics import print_table
from prefill.forms import RELATION_FIELD, FormField
from prefill.models import PREFILLED_STATES
from prefill.seed import SeedData, regenerate_from_meta, scenarios_from_meta, seed_database
from prefill.service import PrefillService
from prefill.validators import validate

RELATION_OF_APPLICANT = {"father": "子女", "mother": "子女", "child": "父母", "spouse": "配偶"}


class Truth:
    """Look-ups over the generated data with the same meaning as the sources' fields."""

    def __init__(self, data: SeedData) -> None:
        self.people = {p["id"]: p for p in data.people}
        self.enterprises = {e["id"]: e for e in data.enterprises}
        self.licences: dict[tuple[str, str], dict] = {}
        for lic in sorted(data.licences, key=lambda r: (r["issue_date"], r["id"])):
            self.licences[(lic["holder_id"], lic["kind"])] = lic
        self.social = {r["subject_id"]: r["data"] for r in data.social}
        self.housing = {r["subject_id"]: r["data"] for r in data.housing}
        self.estate: dict[str, dict] = {}
        for r in sorted(data.real_estate, key=lambda r: r["id"]):
            self.estate.setdefault(r["owner_id"], {"cert_no": r["cert_no"], **r["data"]})
        self.relations = {(r["person_id"], r["relative_id"]): r["relation"] for r in data.relations}

    def value(self, source: str, field: str, subject: str, applicant: str) -> Any:
        if source == "population":
            if field == RELATION_FIELD:
                rel = self.relations.get((applicant, subject))
                return RELATION_OF_APPLICANT.get(rel) if rel else None
            return (self.people.get(subject) or {}).get(field)
        if source == "e_licence":
            kind, attr = field.split(".", 1)
            lic = self.licences.get((subject, kind))
            if lic is None:
                return None
            return lic.get(attr) if attr in ("number", "issue_date", "issuer", "holder_name") else lic["data"].get(attr)
        if source == "social_insurance":
            return (self.social.get(subject) or {}).get(field)
        if source == "housing_fund":
            return (self.housing.get(subject) or {}).get(field)
        if source == "real_estate":
            return (self.estate.get(subject) or {}).get(field)
        if source == "enterprise":
            e = self.enterprises.get(subject)
            if e is None:
                return None
            if field in ("legal_rep_name", "legal_rep_id_number"):
                rep = self.people[e["legal_rep_id"]]
                return rep["name" if field == "legal_rep_name" else "id_number"]
            return e.get(field) if field in ("uscc", "name", "kind", "status") else e["data"].get(field)
        raise ValueError(source)


def _norm(f: FormField, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return validate(f.key, f.type, value, options=f.options)
    except InvalidInput:
        return str(value)


def _run_scenario(svc: PrefillService, truth: Truth, sc) -> dict[str, Any]:
    form = svc.form(sc.one_thing_id)
    me = Principal("citizen", sc.applicant_id)
    draft = svc.start_draft(me, sc.one_thing_id)
    svc.grant_all(me, draft.draft_id)
    typed = {}
    for role, spec in form.subjects.items():  # the applicant types the ID number a by-ID role needs
        if spec.kind == "by_id_number" and role in sc.subjects:
            typed[spec.input_field] = truth.people[sc.subjects[role]]["id_number"]
    if typed:
        svc.edit_many(me, draft.draft_id, typed)
    for other in {p for p in sc.subjects.values() if p in truth.people} - {sc.applicant_id}:
        them = Principal("citizen", other)
        for ask in svc.pending_approvals(them):
            if ask.draft_id == draft.draft_id:
                svc.approve(them, draft.draft_id, ask.source, True)
    view = svc.prefill(me, draft.draft_id)
    raw = svc.all_values(draft.draft_id)
    states = {f.key: f.state for f in view.fields}
    wrong, wrong_keys, filled = 0, [], 0
    for f in form.fields():
        if states[f.key] in PREFILLED_STATES:
            filled += 1
        if not f.source:
            continue
        subject = sc.applicant_id if f.source.subject == "self" else sc.subjects.get(f.source.subject)
        expected = truth.value(f.source.source, f.source.field, subject, sc.applicant_id) if subject else None
        got = raw.get(f.key) if states[f.key] in PREFILLED_STATES else None
        if got is not None and _norm(f, expected) != _norm(f, got):
            wrong += 1
            wrong_keys.append(f.key)
    n = len(form.by_key)
    return {"fields": n, "filled": filled, "typed": n - filled, "wrong": wrong, "wrong_keys": wrong_keys}


def run_prefill_eval(data_dir: str | Path, *, people: int = 300, enterprises: int = 60, seed: int = 20240116) -> dict:
    """Seed a fresh synthetic population under `data_dir`, run every scenario, print and return the figures."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("prefill_eval_shared.db", "prefill_eval_state.db"):
        for suffix in ("", "-wal", "-shm"):
            (data_dir / (name + suffix)).unlink(missing_ok=True)
    svc = PrefillService(shared_data_url=f"sqlite:///{(data_dir / 'prefill_eval_shared.db').as_posix()}",
                         state_url=f"sqlite:///{(data_dir / 'prefill_eval_state.db').as_posix()}",
                         secret="eval-only-secret-" + "x" * 16, seed_people=people, seed_enterprises=enterprises, seed=seed)
    t0 = time.perf_counter()
    svc.state.warm_up()
    svc.shared.warm_up()
    seed_database(svc.shared, people=people, enterprises=enterprises, seed=seed, today=dt.date.today(), force=True)
    seed_s = time.perf_counter() - t0
    svc.warm_up()
    meta = svc.shared.meta()
    truth = Truth(regenerate_from_meta(meta))
    per: dict[str, dict[str, Any]] = {}
    t1 = time.perf_counter()
    for sc in scenarios_from_meta(meta):
        r = _run_scenario(svc, truth, sc)
        agg = per.setdefault(sc.one_thing_id, {"persons": 0, "fields": r["fields"], "filled": 0, "total": 0, "wrong": 0,
                                                "typed": [], "wrong_keys": set()})
        agg["persons"] += 1
        agg["filled"] += r["filled"]
        agg["total"] += r["fields"]
        agg["wrong"] += r["wrong"]
        agg["typed"].append(r["typed"])
        agg["wrong_keys"].update(r["wrong_keys"])
    run_s = time.perf_counter() - t1
    rows = []
    for ot in sorted(per):
        a = per[ot]
        rows.append({"one_thing": ot, "persons": a["persons"], "fields": a["fields"],
                     "prefill_rate": round(a["filled"] / a["total"], 4), "wrong": a["wrong"],
                     "typed_avg": round(sum(a["typed"]) / len(a["typed"]), 2), "typed_max": max(a["typed"])})
    filled = sum(a["filled"] for a in per.values())
    total = sum(a["total"] for a in per.values())
    persons = sum(a["persons"] for a in per.values())
    print_table(f"Pre-fill over the synthetic population ({people} people, {enterprises} enterprises, seed {seed})", rows)
    metrics = {
        "one_things": len(per), "persons": persons, "fields_total": total, "fields_prefilled": filled,
        "overall_prefill_rate": round(filled / total, 4) if total else 0.0,
        "wrong_values": sum(a["wrong"] for a in per.values()),
        "fields_typed_avg": round((total - filled) / persons, 2) if persons else 0.0,
        "seed_seconds": round(seed_s, 3), "run_seconds": round(run_s, 2),
        "per_one_thing": {r["one_thing"]: {k: v for k, v in r.items() if k != "one_thing"} for r in rows},
    }
    bad = {ot: sorted(a["wrong_keys"]) for ot, a in per.items() if a["wrong_keys"]}
    if bad:
        metrics["wrong_fields"] = bad
    print_table("Pre-fill overall", [{"metric": k, "value": v} for k, v in metrics.items()
                                     if k not in ("per_one_thing", "wrong_fields")])
    return metrics
