"""Eval datasets: the dev set (JSONL files under evals/datasets/dev/) and the MSGABench folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expected: str  # a one-thing id, "refuse" or "clarify"
    key_facts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    # Earlier questions of the same conversation (oldest first): the case's question is a follow-up.
    history: list[str] = field(default_factory=list)

    @property
    def in_scope(self) -> bool:
        return self.expected not in ("refuse", "clarify")


def load_cases(path: Path | None = None) -> list[Case]:
    """All cases of a JSONL file or of every *.jsonl in a folder (default: the dev set)."""
    path = path or DATASETS / "dev"
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    cases = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                cases.append(Case(str(d["id"]), d["question"], d["expected"], list(d.get("key_facts", [])),
                                  list(d.get("tags", [])), list(d.get("options", [])),
                                  list(d.get("history", []))))
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{f}:{n}: bad eval case ({exc})") from exc
    return cases


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
