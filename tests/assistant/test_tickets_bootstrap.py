"""Issue 11 item 13: `serve` (not only `make run`) trains the ticket model when it is missing and the
benchmark data is there; without data it starts anyway and the desk says routing is not set up."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.tickets import TicketModel
from assistant.tickets.bootstrap import ensure_ticket_model, messages_file


def _benchmarks(root: Path, rows: int = 60) -> Path:
    """A tiny MSGABench-shaped messages file (two domains, two types; `row` decides the split)."""
    path = messages_file(root)
    path.parent.mkdir(parents=True)
    lines = []
    for i in range(rows):
        street = i % 2 == 0
        lines.append({"row": i, "message": (f"小区路灯坏了第{i}天，道路坑洼积水，请尽快维修" if street
                                            else f"孩子上学报名第{i}次咨询，学校招生划片怎么算"),
                      "domain": "城建" if street else "教育", "message_type": "投诉" if street else "咨询"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    return root


def test_trains_when_missing_then_leaves_the_file_alone(tmp_path: Path) -> None:
    bench, out = _benchmarks(tmp_path / "benchmarks"), tmp_path / "var" / "ticket-model.joblib"
    done = ensure_ticket_model(out, bench)
    assert done.outcome == "trained" and out.is_file()
    assert done.report["domain_examples"] == 48  # the train split only: every 5th row is held out
    assert TicketModel(out).get().run("路灯坏了，道路积水").domain == "城建"
    mtime = out.stat().st_mtime
    assert ensure_ticket_model(out, bench).outcome == "exists"
    assert ensure_ticket_model(out, bench, check=False).outcome == "exists" and out.stat().st_mtime == mtime


def test_no_data_is_not_an_error(tmp_path: Path) -> None:
    out = tmp_path / "ticket-model.joblib"
    done = ensure_ticket_model(out, tmp_path / "nowhere")
    assert done.outcome == "no_data" and not out.exists()


def test_an_unreadable_model_is_retrained_when_data_is_there(tmp_path: Path) -> None:
    bench, out = _benchmarks(tmp_path / "benchmarks"), tmp_path / "ticket-model.joblib"
    out.write_bytes(b"not a model")
    assert ensure_ticket_model(out, bench).outcome == "trained"
    assert TicketModel(out).get() is not None


def test_serve_trains_the_missing_model(tmp_path: Path, monkeypatch) -> None:
    """`python -m assistant serve` runs the same step before it starts serving."""
    import uvicorn

    from app.cli import main
    from core.settings import get_settings

    bench = _benchmarks(tmp_path / "benchmarks")
    monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YJS_EMBEDDER", "hash")
    monkeypatch.setenv("YJS_BENCHMARKS_DIR", str(bench))
    monkeypatch.setattr("app.cli._ensure_index", lambda settings: None)  # the index is not what this is about
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: served.append(k))
    get_settings.cache_clear()
    try:
        assert main(["serve", "--port", "9"]) == 0
        assert served and (tmp_path / "var" / "ticket-model.joblib").is_file()
        monkeypatch.setenv("YJS_TICKET_MODEL_AUTOTRAIN", "false")
        monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var2"))
        get_settings.cache_clear()
        assert main(["serve", "--port", "9"]) == 0
        assert not (tmp_path / "var2" / "ticket-model.joblib").exists()
    finally:
        get_settings.cache_clear()
