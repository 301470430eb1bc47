"""The layers contract (pyproject's [tool.importlinter]): core < knowledge < assistant | prefill < ui < app.

import-linter reads every import statement, those inside functions too, so a lazy import that runs
back up a layer fails here as surely as one at the top of a module.
"""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parent.parent


def test_imports_only_run_down_the_layers(monkeypatch):
    monkeypatch.chdir(REPO)
    assert lint_imports(config_filename=os.fspath(REPO / "pyproject.toml")) == 0, "see the contract report above"
