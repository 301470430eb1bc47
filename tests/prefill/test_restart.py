"""Restart safety: a new service on the same database files sees drafts, submissions and the audit chain."""

from prefill.service import PrefillService


def _again(svc: PrefillService) -> PrefillService:
    new = PrefillService(shared_data_url=svc.shared.url, state_url=svc.state.url, secret="other-" + "s" * 32)
    new.warm_up()
    return new


def test_drafts_and_submissions_survive_a_restart(svc, scenario, h):
    sc_open, sc_done = scenario("retirement", 0), scenario("elderly_welfare", 0)
    me = h.citizen(sc_open.applicant_id)
    d = svc.start_draft(me, "retirement").draft_id
    svc.grant_all(me, d)
    svc.prefill(me, d)
    svc.edit(me, d, "retirement_type", "正常退休")
    other, _, sub = h.full_flow(svc, sc_done)
    chain = svc.verify_audit()

    new = _again(svc)
    view = new.draft(me, d)
    assert view.status == "open" and view.prefilled and {f.key: f for f in view.fields}["retirement_type"].has_value
    assert [e.key for e in new.history(me, d)] == ["retirement_type"]
    assert new.track(other, sub.tracking_no).tracking_no == sub.tracking_no
    assert new.verify_audit().entries == chain.entries
    h.fill_to_be_entered(new, me, d)
    new.confirm(me, d)
    new.submit(me, d)
    report = new.verify_audit()
    assert report.ok and report.entries > chain.entries
