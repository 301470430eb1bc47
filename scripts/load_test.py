"""Load test: N concurrent citizen sessions against a running server on loopback, bounded in time and count.

    YJS_RATE_LIMIT_PER_MINUTE=100000 .venv/bin/python -m assistant serve --port 8000   # the server under test
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000 --sessions 16 --seconds 180

Each session is one citizen: it signs in as a synthetic demo person (development servers only),
starts one pre-fill draft, then repeats a multi-turn conversation — a question from the dev set and
two follow-ups in the same session — and every `--prefill-every` conversations reads its draft, the
review, its drafts list or its access log. All sessions come from 127.0.0.1, so the server's per-client
rate limit must be raised for the run (429s are counted as errors and named in the output).

Only loopback URLs are accepted (127.0.0.0/8, localhost, ::1). The run stops at `--seconds` or after
`--max-requests` requests in total, whichever comes first; each request times out after 30 s.
Prints requests/s, p50/p95/p99 latency and errors, overall and per kind (answer, prefill_read, …),
then one JSON line with the same figures.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

from evals.metrics import percentiles

FOLLOW_UPS = ["那要多久？", "可以代办吗？", "要带什么材料？", "收费吗？", "在哪里办？"]
FALLBACK_QUESTIONS = ["新生儿出生一件事要什么材料", "退休一件事要多久", "企业开办一件事在哪里办"]
TIMEOUT_S = 30.0


def check_loopback(url: str) -> str:
    """The base URL without a trailing slash; raises SystemExit for anything but a loopback address."""
    u = urlparse(url)
    host = (u.hostname or "").lower()
    ok = host == "localhost"
    if not ok:
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = False
    if u.scheme not in ("http", "https") or not ok:
        raise SystemExit(f"load tests only target loopback addresses (127.0.0.0/8, localhost, ::1), not {url!r}")
    return url.rstrip("/")


@dataclass
class Results:
    """Latencies (ms) and errors by request kind; `budget` bounds the total number of requests."""

    budget: int
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    count: Counter = field(default_factory=Counter)
    sent: int = 0

    def take(self) -> bool:
        if self.sent >= self.budget:
            return False
        self.sent += 1
        return True

    def ok(self, kind: str, ms: float) -> None:
        self.count[kind] += 1
        self.lat.setdefault(kind, []).append(ms)

    def fail(self, kind: str, ms: float | None, what: str) -> None:
        self.count[kind] += 1
        if ms is not None:
            self.lat.setdefault(kind, []).append(ms)
        self.errors.setdefault(kind, []).append(what)

    def summary(self, elapsed: float) -> dict:
        all_lat = [x for v in self.lat.values() for x in v]
        n_err = sum(len(v) for v in self.errors.values())
        n = self.sent
        out = {"seconds": round(elapsed, 1), "requests": n, "rps": round(n / elapsed, 1) if elapsed else 0.0,
               "errors": n_err, **percentiles(all_lat), "by_kind": {}}
        for kind in sorted(set(self.lat) | set(self.errors)):
            lat, err = self.lat.get(kind, []), self.errors.get(kind, [])
            out["by_kind"][kind] = {"requests": self.count[kind], "errors": len(err), **percentiles(lat)}
        if n_err:
            causes = Counter(e for v in self.errors.values() for e in v)
            out["error_causes"] = dict(causes.most_common(5))
            if any(e.startswith("429") for e in causes):
                out["hint"] = "429s: raise YJS_RATE_LIMIT_PER_MINUTE on the server under test (all sessions share 127.0.0.1)"
        return out


async def _call(client: httpx.AsyncClient, res: Results, kind: str, method: str, url: str, *,
                expect: tuple[int, ...] = (200,), **kw) -> httpx.Response | None:
    if not res.take():
        return None
    t = time.perf_counter()
    try:
        r = await client.request(method, url, timeout=TIMEOUT_S, **kw)
    except httpx.HTTPError as exc:
        res.fail(kind, None, type(exc).__name__)
        return None
    ms = (time.perf_counter() - t) * 1000
    if r.status_code in expect:
        res.ok(kind, ms)
        return r
    res.fail(kind, ms, f"{r.status_code} {r.text[:100]}")
    return None


async def citizen(client: httpx.AsyncClient, base: str, n: int, questions: list[str], people: list[dict],
                  deadline: float, res: Results, prefill_every: int) -> None:
    """One citizen: sign in, start a draft, then conversations with a pre-fill read every few."""
    rng = random.Random(n)
    headers: dict[str, str] = {}
    draft_id = None
    if people and prefill_every > 0:
        person = people[n % len(people)]
        r = await _call(client, res, "prefill_login", "POST", base + "/v1/prefill/demo-login",
                        json={"person_id": person["person_id"]})
        if r is not None:
            headers = {"Authorization": f"Bearer {r.json()['token']}"}
            one_thing = person["scenarios"][0]["one_thing_id"]
            r = await _call(client, res, "prefill_write", "POST", base + "/v1/prefill/drafts", expect=(201,),
                            json={"one_thing_id": one_thing}, headers=headers)
            draft_id = r.json()["draft_id"] if r is not None else None
    conversations = 0
    while time.monotonic() < deadline and res.sent < res.budget:
        session_id = None
        for q in [rng.choice(questions), *rng.sample(FOLLOW_UPS, 2)]:
            if time.monotonic() >= deadline:
                return
            r = await _call(client, res, "answer", "POST", base + "/v1/answer",
                            json={"question": q, "session_id": session_id})
            if r is None:
                break
            session_id = r.json().get("session_id")
        conversations += 1
        if draft_id and conversations % prefill_every == 0 and time.monotonic() < deadline:
            path = rng.choice([f"/v1/prefill/drafts/{draft_id}", f"/v1/prefill/drafts/{draft_id}/review",
                               "/v1/prefill/drafts", "/v1/prefill/me/access-log?limit=50"])
            await _call(client, res, "prefill_read", "GET", base + path, headers=headers)


async def run_load(url: str, *, sessions: int = 16, seconds: float = 180, max_requests: int = 100_000,
                   prefill_every: int = 2, questions: list[str] | None = None) -> dict:
    """Run the load for at most `seconds` and `max_requests`; returns the figures (see `Results.summary`)."""
    base = check_loopback(url)
    if questions is None:
        from evals.datasets import load_cases

        questions = [c.question for c in load_cases() if c.in_scope] or FALLBACK_QUESTIONS
    limits = httpx.Limits(max_connections=sessions + 2, max_keepalive_connections=sessions + 2)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        people: list[dict] = []
        if prefill_every > 0:
            r = await client.get(base + "/v1/prefill/demo-people", timeout=TIMEOUT_S)
            if r.status_code != 200:
                raise SystemExit(f"pre-fill reads need demo sign-in on the server (GET /v1/prefill/demo-people: "
                                 f"{r.status_code}); run with --prefill-every 0 to load answers only")
            people = [p for p in r.json()["people"] if p.get("scenarios")]
        res = Results(budget=max_requests)
        start = time.monotonic()
        deadline = start + seconds
        await asyncio.gather(*[citizen(client, base, i, questions, people, deadline, res, prefill_every)
                               for i in range(sessions)])
        elapsed = time.monotonic() - start
    return {"url": base, "sessions": sessions, **res.summary(elapsed)}


def print_report(out: dict) -> None:
    print(f"{out['sessions']} sessions, {out['seconds']} s, {out['requests']} requests, {out['rps']} req/s, "
          f"{out['errors']} errors")
    print(f"{'kind':14s} {'requests':>8s} {'errors':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
    rows = [("all", {"requests": out["requests"], "errors": out["errors"], "p50_ms": out["p50_ms"],
                     "p95_ms": out["p95_ms"], "p99_ms": out["p99_ms"]}), *out["by_kind"].items()]
    for kind, k in rows:
        print(f"{kind:14s} {k['requests']:8d} {k['errors']:6d} {k['p50_ms']:8.1f} {k['p95_ms']:8.1f} {k['p99_ms']:8.1f}")
    for cause, count in out.get("error_causes", {}).items():
        print(f"  error x{count}: {cause}")
    if "hint" in out:
        print("  " + out["hint"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--sessions", type=int, default=16, help="concurrent citizen sessions")
    ap.add_argument("--seconds", type=float, default=180, help="stop after this long")
    ap.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests in total")
    ap.add_argument("--prefill-every", type=int, default=2,
                    help="a pre-fill read after every N conversations (0: answers only, no sign-in)")
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.max_requests < 1:
        raise SystemExit("--sessions, --seconds and --max-requests must be positive")
    out = asyncio.run(run_load(args.url, sessions=args.sessions, seconds=args.seconds,
                               max_requests=args.max_requests, prefill_every=args.prefill_every))
    if not args.json:
        print_report(out)
    print(json.dumps(out, ensure_ascii=False))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
