"""The deployer's training file: JSONL, one ``{"message", "domain", "message_type"}`` object a line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.tickets.model import TicketRouter
from assistant.tickets.results import TrainReport
from core.errors import InvalidInput


def read_jsonl_records(path: Path | str) -> list[dict[str, Any]]:
    """Every non-blank line of `path` as a dict; a bad line is an error naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"Training file {path} does not exist: give a JSONL file of "
                           "{\"message\", \"domain\", \"message_type\"} records.", field="path")
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise InvalidInput(f"{path}:{n} is not valid JSON ({exc}): one JSON object per line.", field="path") from exc
        if not isinstance(rec, dict):
            raise InvalidInput(f"{path}:{n} is a {type(rec).__name__}, expected a JSON object.", field="path")
        records.append(rec)
    return records


def train_from_jsonl(path: Path | str, out_path: Path | str, **router_options: Any) -> TrainReport:
    """Train a router from a deployer's JSONL file and save it to `out_path` (then set YJS_TICKET_MODEL_PATH)."""
    router = TicketRouter(**router_options)
    report = router.train(read_jsonl_records(path))
    router.save(out_path)
    return report
