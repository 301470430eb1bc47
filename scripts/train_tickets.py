"""Train the help-desk ticket-routing model for `make run`, when it is missing and data is at hand.

Looks for MSGABench's messages (evaluation data outside the product, never copied into the repo)
at ``<benchmarks>/msgabench/messages.jsonl``, trains on its train split only and writes the model to
the configured ``YJS_TICKET_MODEL_PATH`` (default ``var/ticket-model.joblib``). Does nothing when
a usable model already exists or the data is absent. ``python -m assistant serve`` does the same at
start-up (both call `assistant.tickets.bootstrap.ensure_ticket_model`). A deployer trains from their
own messages with ``python -m assistant.tickets train tickets.jsonl var/ticket-model.joblib``.

    python scripts/train_tickets.py [--benchmarks DIR] [--force]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.tickets.bootstrap import DEFAULT_BENCHMARKS, ensure_ticket_model
from core.errors import AssistantError
from core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS, help="folder holding msgabench/")
    p.add_argument("--force", action="store_true", help="re-train even when the model file exists")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        done = ensure_ticket_model(get_settings().resolved_ticket_model_path, args.benchmarks, force=args.force)
    except AssistantError as exc:
        print(f"ticket model: training failed: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps(done.report, ensure_ascii=False) if done.report else done.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
