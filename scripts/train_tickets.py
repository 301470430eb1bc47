"""Train the help-desk ticket-routing model for `make run`, when it is missing and data is at hand.

Looks for MSGABench's messages (evaluation data outside the product, never copied into the repo)
at ``<benchmarks>/msgabench/messages.jsonl``, trains on its train split only (rows with
``row % 5 != 0``; the test split is kept for ``python -m evals tickets``) and writes the model to
the configured ``YJS_TICKET_MODEL_PATH`` (default ``var/ticket-model.joblib``). Does nothing when
a usable model already exists or the data is absent; a model file this code cannot read (an older
format version, say) is re-trained, since the staff desk could not use it anyway. A deployer trains
from their own messages with ``python -m assistant.tickets train tickets.jsonl var/ticket-model.joblib``.

    python scripts/train_tickets.py [--benchmarks DIR] [--force]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from core.errors import AssistantError, ConfigurationError
from core.settings import get_settings

DEFAULT_BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


def train_split(path: Path) -> list[dict]:
    from assistant.tickets import read_jsonl_records

    return [r for r in read_jsonl_records(path) if int(r.get("row", 0)) % 5]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS, help="folder holding msgabench/")
    p.add_argument("--force", action="store_true", help="re-train even when the model file exists")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = get_settings().resolved_ticket_model_path
    data = args.benchmarks / "msgabench" / "messages.jsonl"
    from assistant.tickets import TicketRouter

    if out.exists() and not args.force:
        try:
            TicketRouter(out).warm_up()
        except ConfigurationError as exc:
            if not data.is_file():
                print(f"ticket model: {exc.message}", file=sys.stderr)
                return 0
            print(f"ticket model: {out} is not usable, re-training ({exc.message})")
        else:
            print(f"ticket model: {out} exists (use --force to re-train)")
            return 0
    if not data.is_file():
        print(f"ticket model: none at {out} and no training data at {data}; the staff desk will say how to train one")
        return 0

    try:
        router = TicketRouter()
        report = router.train(train_split(data))
        router.save(out)
    except AssistantError as exc:
        print(f"ticket model: training failed: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps({"ticket_model": str(out), "domain_examples": report.domain_examples,
                      "type_examples": report.type_examples, "seconds": report.seconds}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
