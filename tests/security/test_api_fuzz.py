"""Schemathesis against the app's own OpenAPI spec, in process (ASGI): no operation answers 5xx.

Every operation gets a bounded number of generated requests (valid and invalid by the schema),
signed in as a citizen or as staff as the route needs. Path parameters are real ids of existing
records half of the time (the caller's draft, submission, conversation), so the fuzz reaches the
handlers behind the not-found checks too. The rate limit is set high so it is not what answers.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sectools import SECRET
from starlette.testclient import TestClient

from core.identity import Principal
from core.settings import Settings

EXAMPLES = 12  # per operation; ~40 operations, so a few hundred requests in all


@pytest.fixture(scope="module")
def fuzz_env(fast_stack, shared_url, tmp_path_factory):
    from httpflow import Shared

    from app.main import create_app
    from app.pipeline import build_assistant
    from prefill.service import PrefillService

    tmp = tmp_path_factory.mktemp("fuzz")
    s = Settings(data_dir=tmp / "var", embedder="hash", rate_limit_per_minute=10**7, secret_key=SECRET)
    _, kb = fast_stack
    bot = build_assistant(s, knowledge=kb)
    bot.warm_up()
    svc = PrefillService(shared_data_url=shared_url, state_url=f"sqlite:///{(tmp / 'state.db').as_posix()}",
                         secret=SECRET, seed_people=160, seed_enterprises=36)
    svc.warm_up()
    app = create_app(s, assistant=bot, prefill=svc, mount_ui=False)
    _tiny_ticket_model(s.resolved_ticket_model_path)  # so /v1/staff/tickets/route runs, not a by-design 503

    shared = Shared(shared_url)
    sc = shared.scenario("retirement")
    me = Principal("citizen", sc.applicant_id)
    with TestClient(app) as c:
        from httpflow import ready_draft

        headers, submitted = ready_draft(c, [""], shared, sc)
        c.post(f"/v1/prefill/drafts/{submitted}/confirm", headers=headers)
        tracking = c.post(f"/v1/prefill/drafts/{submitted}/submit", headers=headers).json()["tracking_no"]
        open_draft = c.post("/v1/prefill/drafts", json={"one_thing_id": "retirement"}, headers=headers).json()["draft_id"]
        conversation = c.post("/v1/answer", json={"question": "退休一件事要多久"}).json()["session_id"]
    signer = app.state.services.signer
    return {
        "app": app,
        "citizen": {"Authorization": f"Bearer {signer.issue('citizen', me.subject)}"},
        "staff": {"Authorization": f"Bearer {signer.issue('staff', 'clerk')}"},
        "real": {"draft_id": [open_draft, submitted], "tracking_no": [tracking], "conversation_id": [conversation],
                 "one_thing_id": ["retirement", "newborn"], "key": ["retirement_type", "contact_phone"],
                 "source_id": ["guide:retirement#overview"]},
    }


def _tiny_ticket_model(path) -> None:
    from assistant.tickets import TicketRouter

    rows = [r for i in range(8) for r in (
        {"message": f"小区路灯坏了第{i}天，道路坑洼积水，请尽快维修", "domain": "城建", "message_type": "投诉/求助"},
        {"message": f"孩子上学报名第{i}次咨询，学校招生划片怎么算", "domain": "教育", "message_type": "咨询"})]
    router = TicketRouter(min_class_examples=2)
    router.train(rows)
    router.save(path)


def _spec() -> dict:
    """The OpenAPI document, from an app that is only built (no lifespan, no models, no databases)."""
    import tempfile

    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Settings(data_dir=tmp, embedder="hash"), mount_ui=False).openapi()


# The schema is loaded at import and each operation is a test of its own; requests go to the fixture's app.
# (Not `@schema.parametrize()`: under pytest 9 every item it makes has the same node id, so pytest-xdist — the
# README's test command — ran one operation of ~70 and reported one test.)
schema = schemathesis.openapi.from_dict(_spec())
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
_turn = itertools.count()
STAFF_PATHS = ("/v1/staff/", "/status", "/payload", "/consent-codes/redeem", "/audit/verify")


def _cases(operation):
    """Requests valid by the schema and, where the operation has something to get wrong, invalid ones."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    has_input = any([operation.path_parameters, operation.query, operation.headers, operation.body])
    return st.one_of(positive, operation.as_strategy(GenerationMode.NEGATIVE)) if has_input else positive


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_operation_answers_5xx(operation, fuzz_env):
    @given(case=_cases(operation))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        _check(case, fuzz_env)

    check()


def _check(case, fuzz_env):
    n = next(_turn)
    path = case.operation.path
    headers = dict(fuzz_env["staff"] if any(p in path for p in STAFF_PATHS) else fuzz_env["citizen"])
    if n % 5 == 4:
        headers = {}  # now and then, no sign-in at all
    if case.path_parameters and n % 2 == 0:
        for name, values in fuzz_env["real"].items():
            if name in case.path_parameters:
                case.path_parameters[name] = values[n % len(values)]
    response = case.call(app=fuzz_env["app"], headers={**(case.headers or {}), **headers})
    assert response.status_code < 500, (case.method, case.formatted_path, case.path_parameters, case.query,
                                        case.body if not isinstance(case.body, bytes) else case.body[:200],
                                        response.status_code, response.text[:500])
    if response.status_code >= 400 and "json" in response.headers.get("content-type", [""])[0]:
        assert set(response.json()) == {"error"}, response.text[:300]
