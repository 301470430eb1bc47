"""Eval datasets: the dev set (JSONL files under evals/datasets/dev/) and the MSGABench folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.decision.data import MSGABENCH_LABELS  # our labels of its rows: training data, kept as row ids
from knowledge.msgabench import TEST_ROWS, TRAIN_ROWS, VALIDATION_ROWS

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
# MSGABench splits by row number (every file): test is never read one by one; validation is never trained on.
SPLITS = {"test": TEST_ROWS, "validation": VALIDATION_ROWS, "train": TRAIN_ROWS}


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
    # English questions: each key fact as the English guide states it (verbatim from its `en:` text), parallel
    # to `key_facts`, None where the English guide does not state it. Written blind, like the key facts.
    key_facts_en: list[str | None] = field(default_factory=list)

    def facts(self) -> list[tuple[str, str | None]]:
        """Each key fact with its English form (None when it has none)."""
        en = self.key_facts_en + [None] * (len(self.key_facts) - len(self.key_facts_en))
        return list(zip(self.key_facts, en, strict=False))

    @property
    def in_scope(self) -> bool:
        return self.expected not in ("refuse", "clarify")


def load_cases(path: Path | str | None = None) -> list[Case]:
    """All cases of a JSONL file or of every *.jsonl in a folder (default: the dev set), or
    `msgabench:<split>`: our labelled MSGABench rows of that split (validation or train)."""
    if path is not None and str(path).startswith("msgabench:"):
        return msgabench_cases(str(path).split(":", 1)[1])
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
                                  list(d.get("history", [])), list(d.get("key_facts_en", []))))
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{f}:{n}: bad eval case ({exc})") from exc
    return cases


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def msgabench_cases(split: str, benchmarks: Path = DEFAULT_BENCHMARKS) -> list[Case]:
    """Labelled real citizen questions: in-scope rows expect their bundle, the others a refusal.

    The test split is refused here: its rows are scored only in aggregate by `evals msgabench`."""
    if split not in ("validation", "train"):
        raise SystemExit(f"msgabench:{split}: use msgabench:validation or msgabench:train (the test split is not labelled)")
    folder = benchmarks / "msgabench"
    if not folder.is_dir():
        raise SystemExit(f"MSGABench not found at {folder}")
    texts = {f: {r["row"]: r["question"] for r in read_jsonl(folder / f)} for f in ("qa.jsonl", "nlu.jsonl")}
    cases = []
    for lab in read_jsonl(MSGABENCH_LABELS):
        if lab["row"] % 5 not in SPLITS[split]:
            continue
        expected = "refuse" if lab["label"] == "out_of_scope" else lab["label"]
        cases.append(Case(f"{lab['file']}:{lab['row']}", texts[lab["file"]][lab["row"]], expected,
                          tags=["msgabench"]))
    return cases
