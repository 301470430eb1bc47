"""MSGABench's official answers as documents, and its train-split questions as (question, gold) pairs.

The benchmark is evaluation data outside the product (no licence upstream): it is read from its own
folder at training or evaluation time, indexed into a separate collection, and never copied into the
repo or into the product's index. Splits by row number (every file): ``row % 5 == 0`` is the test
split and is never returned as a training pair; ``row % 5 == 1`` is kept for validation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from knowledge.documents import Document, Section

TRAIN_ROWS, VALIDATION_ROWS, TEST_ROWS = (2, 3, 4), (1,), (0,)


def read_qa(benchmarks: Path) -> list[dict]:
    path = benchmarks / "msgabench" / "qa.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def answer_documents(rows: list[dict]) -> list[Document]:
    """Each official answer as one document (doc_id ``msga:<row>``), titled by its department."""
    return [Document(f"msga:{r['row']}", r["department"],
                     [Section(f"msga:{r['row']}#a", r["department"], r["answer"].strip(), {"department": r["department"]})],
                     {"department": r["department"]})
            for r in rows]


def gold_sets(rows: list[dict]) -> list[set[str]]:
    """Per row, the doc ids that answer it: identical answer texts are one gold set."""
    by_text: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_text[r["answer"].strip()].add(f"msga:{r['row']}")
    return [by_text[r["answer"].strip()] for r in rows]


def training_pairs(rows: list[dict], splits: tuple[int, ...] = TRAIN_ROWS) -> list[tuple[str, set[str]]]:
    if 0 in splits:
        raise ValueError("MSGABench rows with row % 5 == 0 are the test split: never trained on")
    return [(r["question"], gold) for r, gold in zip(rows, gold_sets(rows), strict=True) if r["row"] % 5 in splits]
