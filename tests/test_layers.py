"""The layers contract (pyproject's [tool.importlinter]): core < knowledge < assistant | prefill < ui < app.

import-linter reads every import statement, those inside functions too, so a lazy import that runs
back up a layer fails here as surely as one at the top of a module.

It runs in a process of its own: its CLI configures logging with `logging.config.dictConfig` and the
default `disable_existing_loggers=True`, which silenced every logger already created in the test process
(later tests of our warnings then saw nothing).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_imports_only_run_down_the_layers():
    r = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                        "sys.exit(lint_imports(config_filename='pyproject.toml'))"],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: " in r.stdout and " broken" in r.stdout, r.stdout  # it did check the contracts
