"""`python -m evals.proxy_alone`: of messages asking whether one person can do a procedure without the other party
(one parent, one spouse, a seller who cannot come), how many the aspects read as the 代办 question, and how many
look-alikes they wrongly do (see README.md here). No model or index: the question is prepared as the retriever
prepares it (folded, tokenised) without embedding."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.aspects import Ask
from knowledge.retrieval import Query
from knowledge.text import fold_question, tokenize_normalized

HERE = Path(__file__).resolve().parent


def asks_proxy(text: str) -> bool:
    folded = fold_question(text)
    tokens = tuple(tokenize_normalized(folded))
    return "proxy" in Ask.of(Query(text, folded, folded, tokens, tokens)).aspects


def score(path: Path) -> dict[str, float | int]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    alone = [r for r in rows if r["alone"]]
    others = [r for r in rows if not r["alone"]]
    read = sum(asks_proxy(r["text"]) for r in alone)
    return {"alone": len(alone), "read_as_proxy": read, "recall": round(read / len(alone), 3),
            "look_alikes": len(others), "false_alarms": sum(asks_proxy(r["text"]) for r in others)}


def main() -> None:
    print("blind", json.dumps(score(HERE / "blind.jsonl")))


if __name__ == "__main__":
    main()
