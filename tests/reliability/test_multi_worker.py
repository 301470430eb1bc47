"""Several API workers share state through the database: two real server processes on two loopback
ports, one data dir (one SQLite state DB), one conversation and one draft carried across both."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from httpflow import Shared, login, ready_draft, staff_login

from core.identity import SessionIds

pytestmark = pytest.mark.integration


def test_two_workers_continue_one_conversation_and_one_draft(data_dir, servers):
    a, b = servers(data_dir, 2)
    with httpx.Client(timeout=60, trust_env=False) as c:
        # 问: the follow-up goes to the other worker and still knows what "那" is.
        r = c.post(a.url + "/v1/answer", json={"question": "退休一件事要带什么材料"})
        assert r.status_code == 200, r.text
        sid = r.json()["session_id"]
        assert r.json()["one_thing"]["id"] == "retirement"
        r = c.post(b.url + "/v1/answer", json={"question": "那要多久？", "session_id": sid})
        assert r.status_code == 200 and r.json()["session_id"] == sid
        assert (r.json()["one_thing"] or {}).get("id") == "retirement", r.json()
        r = c.post(a.url + "/v1/answer", json={"question": "可以代办吗？", "session_id": sid})
        assert (r.json()["one_thing"] or {}).get("id") == "retirement", r.json()
        staff_b = staff_login(c, b.url)
        conv = c.get(b.url + f"/v1/staff/conversations/{SessionIds.conversation_id(sid)}", headers=staff_b).json()
        assert [t["role"] for t in conv["turns"]].count("user") == 3

        # 办: every step of one draft alternates between the workers.
        shared = Shared(data_dir)
        sc = shared.scenario("retirement")
        me, d = ready_draft(c, [a.url, b.url], shared, sc)
        assert c.post(b.url + f"/v1/prefill/drafts/{d}/confirm", headers=me).json()["status"] == "confirmed"
        sub = c.post(a.url + f"/v1/prefill/drafts/{d}/submit", headers=me)
        assert sub.status_code == 200, sub.text
        tracking = sub.json()["tracking_no"]
        assert c.get(b.url + f"/v1/prefill/submissions/{tracking}", headers=me).status_code == 200
        assert c.get(b.url + f"/v1/prefill/drafts/{d}", headers=me).json()["status"] == "submitted"
        log_a = c.get(a.url + "/v1/prefill/me/access-log", headers=me).json()
        assert {"draft_start", "read", "confirm", "submit"} <= {e["action"] for e in log_a}

        # One audit chain, seen the same from both workers.
        reports = [c.get(s.url + "/v1/prefill/audit/verify", headers=staff_login(c, s.url)).json() for s in (a, b)]
        assert reports[0]["ok"] and reports[0] == reports[1]


def test_concurrent_writes_through_two_workers_keep_one_audit_chain(data_dir, servers):
    a, b = servers(data_dir, 2)
    shared = Shared(data_dir)
    with httpx.Client(timeout=60, trust_env=False) as c:
        sc = shared.scenario("retirement", 1)
        me, d = ready_draft(c, [a.url], shared, sc)
        view = c.get(a.url + f"/v1/prefill/drafts/{d}", headers=me).json()
        phone = next(f["key"] for f in view["fields"] if f["type"] == "phone" and f["editable"])
        before = c.get(a.url + "/v1/prefill/audit/verify", headers=staff_login(c, a.url)).json()["entries"]
        people = [login(c, a.url, s.applicant_id) for s in shared.scenarios[:4]]

    def edit(n: int) -> int:
        with httpx.Client(timeout=60, trust_env=False) as c:
            base = (a, b)[n % 2].url
            return c.put(base + f"/v1/prefill/drafts/{d}/fields/{phone}", json={"value": f"139{n:08d}"},
                         headers=me).status_code

    def start(n: int) -> int:
        with httpx.Client(timeout=60, trust_env=False) as c:
            base = (a, b)[n % 2].url
            return c.post(base + "/v1/prefill/drafts", json={"one_thing_id": "social_security_card"},
                          headers=people[n % len(people)]).status_code

    with ThreadPoolExecutor(8) as ex:
        edits = list(ex.map(edit, range(12)))
        starts = list(ex.map(start, range(12)))
    assert set(edits) <= {200, 409} and set(starts) == {201}, (edits, starts)

    with httpx.Client(timeout=60, trust_env=False) as c:
        history = c.get(b.url + f"/v1/prefill/drafts/{d}/history", headers=me).json()
        assert sum(1 for e in history if e["key"] == phone) >= edits.count(200)
        report = c.get(b.url + "/v1/prefill/audit/verify", headers=staff_login(c, b.url)).json()
    assert report["ok"], report
    assert report["entries"] >= before + edits.count(200) + len(starts)
    for s in (a, b):
        assert "Traceback" not in s.log()


def test_workers_creating_a_fresh_state_db_together_all_start(tmp_path):
    """What `serve --workers N` does on a first start, made deterministic with threads and a barrier."""
    import threading

    from assistant.state import ConversationStore
    from prefill.store import StateDB

    for round_ in range(3):
        url = f"sqlite:///{(tmp_path / f'state{round_}.db').as_posix()}"
        barrier, errors = threading.Barrier(6), []

        def start(url=url, barrier=barrier, errors=errors) -> None:
            stores = (ConversationStore(url), StateDB(url))
            barrier.wait()
            for store in stores:
                try:
                    store.warm_up()
                except Exception as exc:  # any failure to start is the finding
                    errors.append(f"{type(store).__name__}: {exc}"[:160])

        threads = [threading.Thread(target=start) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
