"""``python -m assistant.tickets train IN.jsonl OUT.joblib`` | ``predict --model OUT.joblib "留言"``.

The deployer's command for the ticket model. It stays inside the assistant layer (no app/, no
settings): the output path is given explicitly, then ``YJS_TICKET_MODEL_PATH`` is pointed at it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from assistant.tickets.data import train_from_jsonl
from assistant.tickets.model import CLASSIFIERS, TicketRouter
from assistant.tickets.store import SETTING
from core.errors import ConfigurationError, InvalidInput


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant.tickets", description="Help-desk ticket routing model.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train from JSONL {message, domain, message_type} and save the model")
    t.add_argument("path", type=Path)
    t.add_argument("out_path", type=Path)
    t.add_argument("--classifier", choices=CLASSIFIERS, default="linear_svc")
    t.add_argument("--word-features", action="store_true", help="add jieba word n-grams (slower, rarely better)")
    t.add_argument("--min-class-examples", type=int, default=5)
    pr = sub.add_parser("predict", help="route messages, one JSON line each")
    pr.add_argument("--model", type=Path, required=True)
    pr.add_argument("messages", nargs="+")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors that name a bad value or setting exit with status 2."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "train":
            rep = train_from_jsonl(args.path, args.out_path, classifier=args.classifier,
                                   word_features=args.word_features, min_class_examples=args.min_class_examples)
            print(json.dumps({"model": str(args.out_path), **asdict(rep)}, ensure_ascii=False))
            print(f"set {SETTING}={args.out_path}", file=sys.stderr)
        else:
            router = TicketRouter(args.model)
            for pred in router.run_many(args.messages):
                print(json.dumps(pred.to_dict(), ensure_ascii=False))
    except (ConfigurationError, InvalidInput) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
