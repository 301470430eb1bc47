"""Soak test: the load of scripts/load_test.py held for a long time and reported window by window,
with the server's memory, open files and threads, to show drift that a short load test cannot
(a leak, a slow-down as the database grows, latency creeping up).

    YJS_RATE_LIMIT_PER_MINUTE=100000 .venv/bin/python -m assistant serve --port 8000 &
    .venv/bin/python scripts/soak_test.py --url http://127.0.0.1:8000 --pid $! --minutes 30 --window 60

Loopback only, like the load test; stops after `--minutes` or `--max-requests` in total. `--pid` is
the server process (its worker children are counted too); without it only latency is reported.
Prints one line per window, then the drift between the first and the last full window, then a JSON
line; exits non-zero when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import check_loopback, run_load  # noqa: E402 - the sibling script is the load engine


def _pids(pid: int) -> list[int]:
    """The process and its descendants (uvicorn --workers N runs the app in child processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return out


def process_stats(pid: int | None) -> dict:
    """RSS (MB), open file descriptors and threads of the server and its children, from /proc."""
    if pid is None:
        return {}
    rss_kb = fds = threads = 0
    for p in _pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss_kb += int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
            fds += sum(1 for _ in Path(f"/proc/{p}/fd").iterdir())
        except OSError:
            continue
    return {"rss_mb": round(rss_kb / 1024, 1), "fds": fds, "threads": threads}


async def soak(url: str, *, minutes: float, window: float, sessions: int, max_requests: int, prefill_every: int,
               pid: int | None) -> dict:
    base = check_loopback(url)
    deadline = time.monotonic() + minutes * 60
    windows, sent = [], 0
    start_stats = process_stats(pid)
    while time.monotonic() < deadline - 1 and sent < max_requests:
        seconds = min(window, deadline - time.monotonic())
        out = await run_load(base, sessions=sessions, seconds=seconds, max_requests=max_requests - sent,
                             prefill_every=prefill_every)
        sent += out["requests"]
        row = {"window": len(windows) + 1, "seconds": out["seconds"], "requests": out["requests"], "rps": out["rps"],
               "errors": out["errors"], "p50_ms": out["p50_ms"], "p95_ms": out["p95_ms"], "p99_ms": out["p99_ms"],
               **process_stats(pid)}
        if out.get("error_causes"):
            row["error_causes"] = out["error_causes"]
        windows.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items() if k != "error_causes"), flush=True)
    full = [w for w in windows if w["seconds"] >= window * 0.9] or windows
    first, last = full[0], full[-1]
    drift = {"p95_ms": [first["p95_ms"], last["p95_ms"]], "rps": [first["rps"], last["rps"]]}
    if pid is not None:
        drift.update({k: [first.get(k), last.get(k)] for k in ("rss_mb", "fds", "threads")})
    return {"url": base, "sessions": sessions, "windows": len(windows), "requests": sent,
            "errors": sum(w["errors"] for w in windows), "start": start_stats, "drift": drift, "per_window": windows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--minutes", type=float, default=30, help="total duration")
    ap.add_argument("--window", type=float, default=60, help="seconds per reported window")
    ap.add_argument("--sessions", type=int, default=8, help="concurrent citizen sessions")
    ap.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests in total")
    ap.add_argument("--prefill-every", type=int, default=2, help="a pre-fill read after every N conversations")
    ap.add_argument("--pid", type=int, help="server process id, for memory / open files / threads")
    args = ap.parse_args(argv)
    if args.minutes <= 0 or args.window <= 0 or args.sessions < 1:
        raise SystemExit("--minutes, --window and --sessions must be positive")
    out = asyncio.run(soak(args.url, minutes=args.minutes, window=args.window, sessions=args.sessions,
                           max_requests=args.max_requests, prefill_every=args.prefill_every, pid=args.pid))
    d = out["drift"]
    print(f"{out['windows']} windows, {out['requests']} requests, {out['errors']} errors; first → last full window: "
          + ", ".join(f"{k} {a} → {b}" for k, (a, b) in d.items()))
    print(json.dumps(out, ensure_ascii=False))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
