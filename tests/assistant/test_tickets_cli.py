"""``python -m assistant.tickets train|predict``: the deployer's command (the hint messages name it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.tickets import TicketRouter
from assistant.tickets.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def _write_training_file(path: Path) -> Path:
    rows = []
    for i in range(6):
        rows.append({"message": f"小区路灯坏了第{i}天，道路坑洼积水，请尽快维修", "domain": "城建", "message_type": "投诉/求助"})
        rows.append({"message": f"孩子上学报名第{i}次咨询，学校招生划片怎么算", "domain": "教育", "message_type": "咨询"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_train_then_predict(tmp_path: Path, capsys) -> None:
    src, out = _write_training_file(tmp_path / "tickets.jsonl"), tmp_path / "model.joblib"
    assert main(["train", str(src), str(out), "--min-class-examples", "2"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out.strip().splitlines()[-1])
    assert report["model"] == str(out) and report["domain_examples"] == 12 and len(report["inputs_sha256"]) == 64
    assert f"YJS_TICKET_MODEL_PATH={out}" in captured.err
    assert main(["predict", "--model", str(out), "路灯坏了，道路积水", "孩子上学报名"]) == 0
    preds = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [p["domain"] for p in preds] == ["城建", "教育"] and preds[0]["department"] == "住房和城乡建设部门"


def test_errors_exit_2_with_the_fix(tmp_path: Path, capsys) -> None:
    assert main(["predict", "--model", str(tmp_path / "missing.joblib"), "路灯坏了"]) == 2
    err = capsys.readouterr().err
    assert "YJS_TICKET_MODEL_PATH" in err and "python -m assistant.tickets train" in err
    assert main(["train", str(tmp_path / "missing.jsonl"), str(tmp_path / "m.joblib")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_arguments_are_argparse_errors(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["train", "only-one-path"])
    assert exc.value.code == 2


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    """The command as deployers type it: the package's __main__ runs, without a runpy warning, and
    the file it writes loads in another process. (When the CLI lived in the same module as the
    classes, ``python -m`` pickled them as ``__main__._Head`` and the server could not load the file.)"""
    src, out = _write_training_file(tmp_path / "tickets.jsonl"), tmp_path / "model.joblib"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "assistant.tickets", "train", str(src),
                        str(out), "--min-class-examples", "2"], capture_output=True, text=True, env=env, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["model"] == str(out) and out.is_file()
    assert TicketRouter(out).run("路灯坏了，道路积水").domain == "城建"
