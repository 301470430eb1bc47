"""`python -m prefill …`: the staff command line for the pre-fill service.

  seed [--force]                                    create and seed the shared-data DB (synthetic)
  demo-people                                       synthetic identities (masked; development only)
  forms [ONE_THING]                                 merged forms, or one form's fields
  preview ONE_THING (--code 123456 | --as-citizen PERSON) [--staff USER] [--json]
                                                    pre-fill for a person (masked); a clerk needs the
                                                    citizen's consent code, --as-citizen is demo-only
  track TRACKING_NO [--json]                        per-department status
  status TRACKING_NO DEPARTMENT STATUS [--note …] [--staff USER]
                                                    advance one department's status
  audit-verify                                      check the audit log's hash chain
  offers run [--since DATE] [--until DATE] [--json] 免申办: match the life-events feed against the eligibility
                                                    rules for people with the standing opt-in
  offers stats [--json]                             offers sent, opened, accepted, declined per bundle

Settings come from the environment (YJS_*). Errors print one line on stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import logging
import sys

from core.errors import AssistantError, Forbidden
from core.identity import Principal, demo_login_allowed

log = logging.getLogger("prefill")


def _setup_logging(verbose: bool) -> None:
    from core.masking import install_log_masking

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_log_masking()


def _service(settings):
    from prefill.service import build_prefill_service

    return build_prefill_service(settings)


def _table(rows: list[dict], cols: list[str]) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in cols))


def cmd_seed(args, settings) -> int:
    from prefill.seed import seed_database
    from prefill.sources import SharedDataDB, count_rows

    db = SharedDataDB(settings.resolved_shared_data_url)
    wrote = seed_database(db, people=settings.seed_people, enterprises=settings.seed_enterprises,
                          seed=settings.seed_random, force=args.force)
    print(("seeded" if wrote else "already seeded (use --force to replace)") + ": "
          + ", ".join(f"{k}={v}" for k, v in count_rows(db).items()))
    return 0


def cmd_demo_people(args, settings) -> int:
    people = _service(settings).demo_people()
    print(people.note)
    _table([{"person": p.person_id, "name": p.name_masked, "id_number": p.id_number_masked, "age": p.age,
             "one-things": ",".join(s["one_thing_id"] for s in p.scenarios)} for p in people.people],
           ["person", "name", "id_number", "age", "one-things"])
    return 0


def cmd_forms(args, settings) -> int:
    svc = _service(settings)
    if args.one_thing:
        form = svc.form(args.one_thing)
        print(f"{form.form_id}  {form.title}\n")
        _table([{"key": f.key, "label": f.label, "type": f.type, "source": f"{f.source.source}.{f.source.field}@{f.source.subject}"
                 if f.source else "(to be entered)", "departments": "、".join(f.departments)} for f in form.fields()],
               ["key", "label", "type", "source", "departments"])
        return 0
    _table([f.model_dump() for f in svc.forms()], ["one_thing_id", "title", "fields", "fields_from_shared_data"])
    return 0


def cmd_preview(args, settings) -> int:
    svc = _service(settings)
    if args.code:
        staff = Principal("staff", args.staff)
        person = svc.redeem_consent_code(staff, args.code)
        who = Principal("citizen", person, via_staff=args.staff)
    elif args.as_citizen:
        if not demo_login_allowed(settings):
            raise Forbidden("--as-citizen is for synthetic demo data only (YJS_DEMO_LOGIN, not production); "
                            "use the citizen's --code")
        who = Principal("citizen", args.as_citizen)
    else:
        raise AssistantError("give the citizen's consent code (--code) or, on demo data, --as-citizen PERSON")
    draft = svc.start_draft(who, args.one_thing)
    svc.grant_all(who, draft.draft_id)
    view = svc.prefill(who, draft.draft_id)
    if args.json:
        print(view.model_dump_json())
        return 0
    print(f"{view.title}  draft {view.draft_id}  pre-fill rate {view.prefill_rate:.0%}  (values masked)")
    waiting = [i for i in view.consent.items if i.status in ("awaiting_other", "unresolved")]
    for i in waiting:
        print(f"  waiting: {i.source_label} · {i.role_label} — {i.decided_by_display}")
    _table([{"field": f.label, "value": f.display or "", "state": f.state_label,
             "source": f"{f.provenance.source_label} {f.provenance.record_id}" if f.provenance else ""}
            for f in view.fields], ["field", "value", "state", "source"])
    return 0


def cmd_track(args, settings) -> int:
    view = _service(settings).track(Principal("staff", args.staff), args.tracking_no)
    if args.json:
        print(view.model_dump_json())
        return 0
    print(f"{view.tracking_no}  {view.title}  submitted {view.submitted_at}")
    _table([d.model_dump() for d in view.departments], ["department", "status", "updated_at", "note"])
    return 0


def cmd_status(args, settings) -> int:
    change = _service(settings).update_status(Principal("staff", args.staff), args.tracking_no, args.department,
                                              args.status, args.note)
    print(f"{change.tracking_no} {change.department}: {change.old_status} → {change.new_status}")
    return 0


def cmd_audit_verify(args, settings) -> int:
    report = _service(settings).verify_audit()
    print(report.model_dump_json())
    return 0 if report.ok else 3


def cmd_offers(args, settings) -> int:
    import datetime as dt

    svc = _service(settings)
    if args.action == "run":
        today = dt.date.today()
        since = dt.date.fromisoformat(args.since) if args.since else today - dt.timedelta(days=30)
        until = dt.date.fromisoformat(args.until) if args.until else today + dt.timedelta(days=90)
        report = svc.run_offers(since, until, actor=f"staff:{args.staff}")
        if args.json:
            print(report.model_dump_json())
            return 0
        print(f"{report.since} … {report.until}: {report.events} events, {report.people_checked} people with the "
              f"opt-in, {report.offers_created} new offers ({report.granted} granted without application)")
        _table([{"rule": k, "offers": v} for k, v in report.by_rule.items()], ["rule", "offers"])
        return 0
    stats = svc.offer_stats(Principal("staff", args.staff))
    if args.json:
        print(stats.model_dump_json())
        return 0
    cols = ["one_thing_id", "sent", "opened", "accepted", "declined", "granted"]
    _table([r.model_dump() for r in [*stats.by_bundle, stats.total]], cols)
    return 0


def main(argv: list[str] | None = None) -> int:
    from core.settings import get_settings

    p = argparse.ArgumentParser(prog="python -m prefill", description="Staff tools for the pre-fill service (办).")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed", help="create and seed the shared-data DB")
    s.add_argument("--force", action="store_true", help="replace existing shared data")
    sub.add_parser("demo-people", help="synthetic identities (masked)")
    s = sub.add_parser("forms", help="list merged forms or show one")
    s.add_argument("one_thing", nargs="?")
    s = sub.add_parser("preview", help="pre-fill preview for a person and one-thing (masked)")
    s.add_argument("one_thing")
    s.add_argument("--code", help="the citizen's 6-digit consent code (帮办代办)")
    s.add_argument("--as-citizen", metavar="PERSON", help="demo data only: act as this synthetic person")
    s.add_argument("--staff", default="cli", help="staff user named in the audit log")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("track", help="per-department status of a submission")
    s.add_argument("tracking_no")
    s.add_argument("--staff", default="cli")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("status", help="advance one department's status")
    s.add_argument("tracking_no")
    s.add_argument("department")
    s.add_argument("status")
    s.add_argument("--note", default="")
    s.add_argument("--staff", default="cli")
    sub.add_parser("audit-verify", help="verify the audit log's hash chain")
    s = sub.add_parser("offers", help="免申办: run the matcher, or count offers")
    s.add_argument("action", choices=["run", "stats"])
    s.add_argument("--since", help="first day of events (YYYY-MM-DD); default 30 days ago")
    s.add_argument("--until", help="last day of events (YYYY-MM-DD); default 90 days ahead")
    s.add_argument("--staff", default="cli", help="staff user named in the audit log")
    s.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    _setup_logging(args.verbose)
    handlers = {"seed": cmd_seed, "demo-people": cmd_demo_people, "forms": cmd_forms, "preview": cmd_preview,
                "track": cmd_track, "status": cmd_status, "audit-verify": cmd_audit_verify,
                "offers": cmd_offers}
    try:
        return handlers[args.command](args, get_settings())
    except AssistantError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

