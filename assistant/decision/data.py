"""Labelled examples for the decision model, and where they come from.

- `project_examples`: the team's own questions in assistant/decision/data/*.jsonl (see its README).
- `catalogue_examples`: each bundle's profile phrases (names, aliases, life events, FAQ questions)
  and the out-of-scope topics' examples (knowledge/data/out_of_scope.yaml). They are also what the
  router compares a question with, so training reads their features leaving the phrase itself out.
- `msgabench_examples`: real citizen questions of MSGABench's train split, labelled by us as
  (file, row, label) in data/msgabench_labels.jsonl; the text is read from the benchmark folder at
  training time and never copied into the repo. Rows with ``row % 5 == 0`` (test) are never read;
  rows with ``row % 5 == 1`` are kept for validation (`python -m evals routing --cases msgabench:validation`).
- `read_examples`: a deployer's own labelled JSONL ({"text" or "question", "label"}), e.g. from 12345 logs.

Not done, on purpose: Traditional-script and pinyin-typo augmentation. The pipeline folds 繁→简 and
repairs IME homophones before any feature is computed, so such copies would be identical rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.decision.classes import ABUSE, AMBIGUOUS, FOLLOWUP, LAWFUL, OUT_OF_SCOPE, SPECIAL
from core.errors import InvalidInput
from knowledge.catalog import Catalog, ScopeTopic
from knowledge.msgabench import TRAIN_ROWS

DATA_DIR = Path(__file__).resolve().parent / "data"
MSGABENCH_LABELS = DATA_DIR / "msgabench_labels.jsonl"


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a bundle id or one of assistant.decision.classes.SPECIAL
    source: str  # where it came from, for reports: "project", "catalogue", "msgabench", a file name
    # The phrase to leave out of the router's profile signal (the example *is* a profile phrase).
    leave_out: str | None = None
    # For a vague question, the bundles it could mean (its writer's `options`): what it votes for when a later
    # question near it is asked which one is meant (assistant.decision.meant).
    options: tuple[str, ...] = ()

    @property
    def means(self) -> tuple[str, ...]:
        """The bundles this question is about: its label when that is a bundle, else its options (if any)."""
        return self.options if self.label in SPECIAL else (self.label,)


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise InvalidInput(f"{path}:{n}: not JSON ({exc})", field="data") from exc
    return rows


def read_examples(path: Path, known: set[str], source: str | None = None) -> list[Example]:
    """Labelled rows of one JSONL file; a label must be a known bundle id or a special class."""
    out = []
    for n, row in enumerate(_read_jsonl(path), 1):
        text = row.get("text") or row.get("question")
        label = row.get("label")
        if label == LAWFUL:  # a lawful question sharing words with abuse: its bundle, or out of scope
            label = row.get("bundle") or OUT_OF_SCOPE
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"{path}:{n}: needs a non-empty \"text\" (or \"question\")", field="text")
        if label not in known:
            raise InvalidInput(f"{path}:{n}: unknown label {label!r}; use a bundle id or one of "
                               f"{OUT_OF_SCOPE}, {ABUSE}, {AMBIGUOUS}, {FOLLOWUP}", field="label")
        options = (row.get("options") or []) if label == AMBIGUOUS else []
        if not isinstance(options, list) or any(o not in known or o in (*SPECIAL, LAWFUL) for o in options):
            raise InvalidInput(f"{path}:{n}: \"options\" must list the bundle ids the question could mean, got "
                               f"{row.get('options')!r}", field="options")
        out.append(Example(text.strip(), label, source or path.name, options=tuple(options)))
    return out


def project_examples(known: set[str], data_dir: Path = DATA_DIR) -> list[Example]:
    files = sorted(p for p in data_dir.glob("*.jsonl") if p != MSGABENCH_LABELS and p.name != MSGABENCH_LABELS.name)
    return [e for f in files for e in read_examples(f, known)]


def catalogue_examples(catalog: Catalog, out_of_scope: list[ScopeTopic]) -> list[Example]:
    from assistant.router import profile_phrases

    out = [Example(p, o.id, "catalogue", leave_out=p) for o in catalog for p in profile_phrases(o)]
    out += [Example(p, OUT_OF_SCOPE, "out_of_scope.yaml", leave_out=p) for t in out_of_scope for p in t.phrases]
    return out


def msgabench_examples(benchmarks: Path, known: set[str], rows: tuple[int, ...] = TRAIN_ROWS) -> list[Example]:
    """Our labelled MSGABench rows whose ``row % 5`` is in `rows` (never 0: the test split)."""
    if 0 in rows:
        raise InvalidInput("MSGABench rows with row % 5 == 0 are the test split: never trained on", field="rows")
    folder = benchmarks / "msgabench"
    if not folder.is_dir():
        return []
    texts = {name: {r["row"]: r["question"] for r in _read_jsonl(folder / name)}
             for name in ("qa.jsonl", "nlu.jsonl") if (folder / name).is_file()}
    out = []
    for lab in _read_jsonl(MSGABENCH_LABELS):
        if lab["row"] % 5 in rows and lab["label"] in known and lab["row"] in texts.get(lab["file"], {}):
            out.append(Example(texts[lab["file"]][lab["row"]].strip(), lab["label"], "msgabench"))
    return out
