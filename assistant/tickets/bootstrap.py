"""Train the help-desk ticket model at start-up when it is missing and the deployer's data is at hand.

`make run`, `python -m assistant serve` and ``scripts/train_tickets.py`` share this one function, so a
plain ``serve`` on a machine that has the data gives the staff desk a working ticket panel, as
``make run`` does. The data here is MSGABench's messages (evaluation data outside the product,
never copied into the repo) at ``<benchmarks>/msgabench/messages.jsonl``; training uses its train
split only (rows with ``row % 5 != 0``), the test split is kept for ``python -m evals tickets``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.tickets.data import read_jsonl_records
from assistant.tickets.model import TicketRouter
from core.errors import ConfigurationError

log = logging.getLogger(__name__)

# Beside the project folder, as the Makefile's `../shared/benchmarks`.
DEFAULT_BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


@dataclass(frozen=True)
class Ensured:
    """What `ensure_ticket_model` did: ``exists``, ``trained`` or ``no_data`` (with a one-line note)."""

    outcome: str
    note: str
    report: dict | None = None


def messages_file(benchmarks: Path | None) -> Path:
    return (benchmarks or DEFAULT_BENCHMARKS) / "msgabench" / "messages.jsonl"


def train_split(path: Path) -> list[dict]:
    return [r for r in read_jsonl_records(path) if int(r.get("row", 0)) % 5]


def _usable(out: Path) -> str | None:
    """None when `out` loads; else why not (a file this code cannot read is re-trained, since the staff
    desk could not use it anyway)."""
    try:
        TicketRouter(out).warm_up()
    except ConfigurationError as exc:
        return exc.message
    return None


def ensure_ticket_model(out: Path, benchmarks: Path | None = None, *, force: bool = False,
                        check: bool = True) -> Ensured:
    """Train into `out` from the benchmarks' messages unless a usable model is already there
    (`check=False`: unless any file is there, without loading it).

    Never fails the start-up for want of data: without it the desk shows staff a note and the log
    says how to train one. A training error (`AssistantError`) propagates to the caller."""
    data = messages_file(benchmarks)
    if out.exists() and not force:
        problem = _usable(out) if check else None
        if problem is None:
            return Ensured("exists", f"ticket model: {out} exists (use --force to re-train)")
        if not data.is_file():
            return Ensured("no_data", f"ticket model: {problem}")
        log.warning("ticket model %s is not usable, re-training (%s)", out, problem)
    if not data.is_file():
        return Ensured("no_data", f"ticket model: none at {out} and no training data at {data}; "
                                  "the staff desk says ticket routing is not set up")
    router = TicketRouter()
    report = router.train(train_split(data))
    router.save(out)
    summary = {"ticket_model": str(out), "domain_examples": report.domain_examples,
               "type_examples": report.type_examples, "seconds": report.seconds}
    return Ensured("trained", f"ticket model: trained {out} from {data} in {report.seconds:.0f}s", summary)
