"""Load test: N concurrent chat sessions against a running server on loopback, for a bounded time.

    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000 --sessions 16 --seconds 180

Each session asks a question from the dev set, then two follow-ups in the same session, and
repeats. Only loopback URLs are accepted. Prints requests/s, p50/p95/p99 latency and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from urllib.parse import urlparse

import httpx

from evals.datasets import load_cases
from evals.metrics import percentiles

FOLLOW_UPS = ["那要多久？", "可以代办吗？", "要带什么材料？", "收费吗？", "在哪里办？"]


async def session_loop(client: httpx.AsyncClient, url: str, questions: list[str], deadline: float, max_requests: int,
                       lat: list[float], errors: list[str], rng: random.Random) -> None:
    sent = 0
    while time.monotonic() < deadline and sent < max_requests:
        session_id = None
        for q in [rng.choice(questions), *rng.sample(FOLLOW_UPS, 2)]:
            t = time.perf_counter()
            try:
                r = await client.post(url + "/v1/answer", json={"question": q, "session_id": session_id}, timeout=30)
                lat.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:120]}")
                else:
                    session_id = r.json()["session_id"]
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            sent += 1
            if time.monotonic() >= deadline:
                break


async def main_async(args) -> dict:
    host = urlparse(args.url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit("load tests only target loopback addresses (127.0.0.0/8, localhost, ::1)")
    questions = [c.question for c in load_cases() if c.in_scope] or ["新生儿出生一件事要什么材料"]
    lat: list[float] = []
    errors: list[str] = []
    start = time.monotonic()
    deadline = start + args.seconds
    limits = httpx.Limits(max_connections=args.sessions)
    async with httpx.AsyncClient(limits=limits) as client:
        await asyncio.gather(*[
            session_loop(client, args.url, questions, deadline, args.max_requests, lat, errors, random.Random(i))
            for i in range(args.sessions)
        ])
    elapsed = time.monotonic() - start
    out = {"sessions": args.sessions, "seconds": round(elapsed, 1), "requests": len(lat) + len(errors),
           "rps": round((len(lat) + len(errors)) / elapsed, 1), "errors": len(errors), **percentiles(lat)}
    if errors:
        out["first_errors"] = errors[:5]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--sessions", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--max-requests", type=int, default=5000, help="per session, a hard bound")
    args = ap.parse_args()
    out = asyncio.run(main_async(args))
    for k, v in out.items():
        print(f"{k:12s} {v}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
