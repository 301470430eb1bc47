"""Real processes for the reliability tests: `python -m assistant serve` on loopback ports, CLI runs.

Servers run in their own session, log to a file through the CLI's own logging setup (`-v`), and are
stopped — or killed — by their own pid only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SEED_PEOPLE, SEED_ENTERPRISES = 160, 36


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or CLI run on `data_dir`: hash embedder, a high rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YJS_")}
    env.update({"YJS_DATA_DIR": str(data_dir), "YJS_EMBEDDER": "hash", "YJS_RATE_LIMIT_PER_MINUTE": "100000",
                "YJS_SEED_PEOPLE": str(SEED_PEOPLE), "YJS_SEED_ENTERPRISES": str(SEED_ENTERPRISES),
                "YJS_TICKET_MODEL_AUTOTRAIN": "false", "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost", "GRADIO_ANALYTICS_ENABLED": "False"})
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


class Server:
    """One `python -m assistant -v serve` process on a loopback port."""

    def __init__(self, data_dir: Path, log_path: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.env = server_env(data_dir, **env)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "-v", "serve", "--port", str(self.port)],
                                     cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        return self

    def wait_ready(self, timeout: float = 180) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no shutdown handlers run."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
