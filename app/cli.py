"""`python -m assistant`: ingest, ask (one question, --json, --batch FILE), serve.

Errors print one line naming the problem and exit non-zero; models load once per process.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from core.errors import AssistantError
from core.settings import get_settings

log = logging.getLogger("assistant")


def _setup_logging(verbose: bool) -> None:
    from core.masking import PiiMaskingFilter

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for h in logging.getLogger().handlers:
        h.addFilter(PiiMaskingFilter())


def cmd_ingest(args) -> int:
    from app.pipeline import ingest

    settings = get_settings()
    report = ingest(settings, [Path(p) for p in args.paths], progress=not args.quiet)
    print(report.summary())
    return 0


def _ensure_index(settings) -> None:
    from app.pipeline import index_is_empty, ingest

    if index_is_empty(settings):
        print("index is empty: ingesting the service guides first…", file=sys.stderr)
        ingest(settings, progress=False)


def cmd_ask(args) -> int:
    from app.pipeline import build_assistant

    settings = get_settings()
    _ensure_index(settings)
    bot = build_assistant(settings)
    bot.warm_up()
    if args.batch:
        return _batch(bot, Path(args.batch), args.lang)
    if not args.question:
        raise AssistantError("give a question, or --batch FILE")
    ans = bot.run(" ".join(args.question), session_id=args.session, lang=args.lang)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False))
    else:
        print(ans.answer)
        for n, c in enumerate(ans.citations, 1):
            print(f"  [{n}] {c.title} ({c.source_id})")
        print(f"(session {ans.session_id})")
    return 0


def _batch(bot, path: Path, lang: str | None) -> int:
    """JSONL in ({"id", "question", "session"?}), one answer object per line out, same id."""
    if not path.exists():
        raise AssistantError(f"--batch file {path} does not exist")
    failures = 0
    # A line's "session" is a local label: the first line with a label starts a new conversation
    # (its id issued by the engine) and later lines with that label continue it, so labels never
    # reach, or collide with, conversations already in the database (or another batch's).
    sessions: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            item = None
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "question" not in item:
                    raise ValueError('each line needs {"id": ..., "question": ...}')
                label = item.get("session")
                label = None if label is None else str(label)
                ans = bot.run(item["question"], session_id=sessions.get(label) if label is not None else None,
                              lang=item.get("lang", lang))
                if label is not None:
                    sessions.setdefault(label, ans.session_id)
                out = {"id": item.get("id"), **ans.to_dict()}
            except (ValueError, AssistantError) as exc:
                failures += 1
                msg = exc.message if isinstance(exc, AssistantError) else str(exc)
                out = {"id": item.get("id") if isinstance(item, dict) else None,
                       "error": {"code": "invalid_input", "message": f"line {lineno}: {msg}"}}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def uvicorn_log_config(verbose: bool) -> dict:
    """uvicorn's logging config with the PII masking filters on every handler.

    uvicorn installs its own handlers (access log, errors) that bypass the root handler set up by
    `_setup_logging`, and worker processes (--workers N) start with no root handler at all; without
    this, a request path holding an ID number reached the access log unmasked.
    """
    import copy

    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["filters"] = {"pii": {"()": "core.masking.PiiMaskingFilter"},
                      "pii_args": {"()": "core.masking.PiiArgsMaskingFilter"}}
    cfg["formatters"]["app"] = {"format": "%(levelname)s %(name)s: %(message)s"}
    cfg["handlers"]["default"]["filters"] = ["pii"]
    cfg["handlers"]["access"]["filters"] = ["pii_args"]
    cfg["handlers"]["app"] = {"formatter": "app", "class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                              "filters": ["pii"]}
    cfg["root"] = {"handlers": ["app"], "level": "INFO" if verbose else "WARNING"}
    return cfg


def cmd_serve(args) -> int:
    import uvicorn

    settings = get_settings()
    if settings.environment == "production":
        # Refuse unsafe settings before spending minutes on building the index.
        from core.identity import check_production_safety

        check_production_safety(settings)
    _ensure_index(settings)
    _ensure_ticket_model(settings)
    uvicorn.run("app.main:create_app", factory=True, host=args.host or settings.host,
                port=args.port or settings.port, workers=args.workers, log_level="info",
                log_config=uvicorn_log_config(getattr(args, "verbose", False)), **proxy_options(settings))
    return 0


def _ensure_ticket_model(settings) -> None:
    """Train the staff desk's ticket model when it is missing and the benchmark data is there (as `make
    run` does), so a plain `serve` gives clerks a working 工单分办 panel. A failure is logged, never fatal:
    the desk then tells staff routing is not set up."""
    from assistant.tickets.bootstrap import ensure_ticket_model

    if not settings.ticket_model_autotrain:
        return
    try:
        # An existing file is left alone without loading it (seconds of start-up): the desk loads it
        # lazily and tells staff, in Chinese, when it cannot.
        done = ensure_ticket_model(settings.resolved_ticket_model_path, settings.benchmarks_dir, check=False)
    except AssistantError as exc:
        log.warning("ticket model: training failed, the staff desk will have no ticket routing: %s", exc.message)
        return
    if done.outcome != "exists":
        print(done.note, file=sys.stderr)


def proxy_options(settings) -> dict:
    """Whose X-Forwarded-For / -Proto uvicorn believes: only the configured proxies'. uvicorn's own
    default trusts any loopback peer, which let a local client rotate X-Forwarded-For to dodge
    the per-address rate and sign-in limits."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.trusted_proxies)}


def cmd_hash_password(args) -> int:
    """Read a staff password on stdin, print the scrypt hash for YJS_STAFF_ACCOUNTS (never the password)."""
    import getpass

    from core.identity import hash_password

    password = getpass.getpass("staff password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise AssistantError("use a staff password of at least 12 characters")
    print(hash_password(password))
    return 0


def cmd_hash_api_key(args) -> int:
    """Read an app client's API key on stdin, print its SHA-256 digest for YJS_API_KEYS."""
    import getpass

    from app.deps import hash_key

    key = getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if len(key) < 24:
        raise AssistantError("use an API key of at least 24 random characters (e.g. python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')")
    print(hash_key(key))
    return 0


def cmd_train(args) -> int:
    """Fit the decision model (and, with MSGABench, the passage reranker); --if-missing keeps usable files."""
    from app.pipeline import build_assistant
    from assistant.decision.training import TrainingSources, train
    from knowledge.rerank import PassageReranker

    settings = get_settings()
    out = Path(args.out) if args.out else settings.resolved_decision_model_path
    for path in args.data:
        if not Path(path).exists():
            raise AssistantError(f"--data {path}: no such file or folder")
    bench = Path(args.benchmarks) if args.benchmarks else None
    if bench and not (bench / "msgabench").is_dir():
        print(f"train: no MSGABench at {bench}; training without it", file=sys.stderr)
        bench = None
    need_decision = not (args.if_missing and _usable(out, lambda p: current_decision_model(p, settings.embedder)))
    need_reranker = bench is not None and not (
        args.if_missing and _usable(settings.resolved_reranker_model_path, PassageReranker.load))
    if not (need_decision or need_reranker):
        print("train: the models exist (train without --if-missing to re-train)")
        return 0
    _ensure_index(settings)
    bot = build_assistant(settings)
    if need_decision:
        bot.retriever.warm_up()
        bot.router.warm_up()
        model = train(bot.router, bot.retriever, TrainingSources([Path(p) for p in args.data], bench))
        model.save(out)
        print(json.dumps({"decision_model": str(out), "inputs_sha256": model.inputs_sha256, **model.meta},
                         ensure_ascii=False))
    if need_reranker:
        _train_reranker(settings, bot.retriever.embedder, bench)
    return 0


def current_decision_model(path: Path, embedder: str):
    """The decision model at `path` if it was trained for this code's features; else an AssistantError saying why
    (the index it was trained on is not checked: after an ingest the server warns, see `warn_if_stale`)."""
    from assistant.decision.features import features_signature
    from assistant.decision.model import DecisionModel
    from assistant.decision.training import other_features

    model = DecisionModel.load(path, embedder=embedder)
    trained_on = other_features(model)
    if trained_on is not None:
        raise AssistantError(f"it was trained on other feature definitions ({trained_on}, this code "
                             f"{features_signature()})")
    return model


def _usable(path: Path, load) -> bool:
    if not path.is_file():
        return False
    try:
        load(path)
    except AssistantError as exc:
        print(f"train: {path} is not usable, re-training ({exc.message})")
        return False
    return True


def _train_reranker(settings, embedder, bench: Path) -> None:
    """The passage reranker, from MSGABench's train-split questions over its own answers (indexed in a
    separate collection under the data dir, never into the guide index)."""
    from knowledge.ingest import Ingestor
    from knowledge.msgabench import answer_documents, read_qa, training_pairs
    from knowledge.rerank import train_reranker
    from knowledge.retrieval import HybridRetriever
    from knowledge.store import ChromaStore

    out = settings.resolved_reranker_model_path
    rows = read_qa(bench)
    store = ChromaStore("msgabench", path=settings.data_dir / "msgabench-chroma")
    print(f"reranker: indexing {len(rows)} MSGABench answers (once; a few minutes)…", file=sys.stderr)
    Ingestor(store, embedder, progress=False).run(answer_documents(rows))
    retriever = HybridRetriever(store, embedder, top_k=10, candidates=50)
    retriever.warm_up()
    reranker = train_reranker(retriever, training_pairs(rows))
    reranker.save(out)
    print(json.dumps({"reranker": str(out)}, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant", description="一件事助手 — government-service assistant")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="cmd", required=True)
    pi = sub.add_parser("ingest", help="(re)build the guide index incrementally")
    pi.add_argument("paths", nargs="*", help="extra folders of guides (Markdown/HTML/PDF/DOCX/YAML)")
    pi.add_argument("-q", "--quiet", action="store_true")
    pi.set_defaults(fn=cmd_ingest)
    pa = sub.add_parser("ask", help="answer one question, or a JSONL batch")
    pa.add_argument("question", nargs="*")
    pa.add_argument("--json", action="store_true", help="print the answer object as JSON")
    pa.add_argument("--batch", metavar="FILE", help='JSONL lines {"id", "question", "session"?}')
    pa.add_argument("--session", help="continue a conversation")
    pa.add_argument("--lang", help="zh-Hans | zh-Hant | en (default: detected)")
    pa.set_defaults(fn=cmd_ask)
    ps = sub.add_parser("serve", help="serve the API and the web UI")
    ps.add_argument("--host")
    ps.add_argument("--port", type=int)
    ps.add_argument("--workers", type=int, default=1)
    ps.set_defaults(fn=cmd_serve)
    pt = sub.add_parser("train", help="fit the decision model (which bundle / out of scope / abuse / clarify / follow-up)")
    pt.add_argument("--data", action="append", default=[], metavar="PATH",
                    help='labelled JSONL file or folder, {"text", "label"} per line (repeatable), e.g. your 12345 logs')
    pt.add_argument("--benchmarks", metavar="DIR", help="folder holding msgabench/: adds our labels of its train split")
    pt.add_argument("--out", help="model file (default YJS_DECISION_MODEL_PATH or <data_dir>/decision-model.joblib)")
    pt.add_argument("--if-missing", action="store_true", help="do nothing when a usable model file exists")
    pt.set_defaults(fn=cmd_train)
    # The production start-up check names these commands; secrets are read on stdin, never argv.
    ph = sub.add_parser("hash-password", help="scrypt hash of a staff password (stdin) for YJS_STAFF_ACCOUNTS")
    ph.set_defaults(fn=cmd_hash_password)
    pk = sub.add_parser("hash-api-key", help="SHA-256 digest of an API key (stdin) for YJS_API_KEYS")
    pk.set_defaults(fn=cmd_hash_api_key)
    args = p.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.fn(args)
    except AssistantError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
