"""`python -m evals.complaints`: how many complaints of each set `asks_to_complain` reads as one, and how many
look-alikes it wrongly does (see README.md here). Lexical, no model or index: it runs in a second."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.guard import asks_to_complain

HERE = Path(__file__).resolve().parent


def score(path: Path) -> dict[str, float | int]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    complaints = [r for r in rows if r["complaint"]]
    others = [r for r in rows if not r["complaint"]]
    caught = sum(asks_to_complain(r["text"]) for r in complaints)
    false_alarms = sum(asks_to_complain(r["text"]) for r in others)
    return {"complaints": len(complaints), "caught": caught, "recall": round(caught / len(complaints), 3),
            "look_alikes": len(others), "false_alarms": false_alarms}


def main() -> None:
    for name in ("dev", "blind"):
        print(name, json.dumps(score(HERE / f"{name}.jsonl")))


if __name__ == "__main__":
    main()
