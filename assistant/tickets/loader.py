"""The configured ticket-model file, loaded lazily for the help desk and reloaded when it changes."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.tickets.model import TicketRouter
from assistant.tickets.store import TRAIN_COMMAND


class TicketModel:
    """The ticket router loaded lazily from its file, reloaded when the file changes.

    No model ships with the product, so a missing file is a normal state: `get()` returns None and
    `hint` says how to train one. Re-training into the same path takes effect without a restart.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._router: TicketRouter | None = None
        self._mtime: float | None = None
        self._lock = threading.Lock()

    @property
    def hint(self) -> str:
        return (f"No ticket-routing model at {self.path}. Train one with "
                f"`{TRAIN_COMMAND} tickets.jsonl {self.path}` "
                "(records {message, domain, message_type}); `make run` trains one from "
                "../shared/benchmarks/msgabench/messages.jsonl when that file exists.")

    def get(self) -> TicketRouter | None:
        """The loaded `TicketRouter`, or None when no model file exists.

        An unreadable or incompatible file raises `ConfigurationError` (naming the setting and the
        train command) on every call, until the file is replaced.
        """
        if not self.path.is_file():
            return None
        mtime = self.path.stat().st_mtime
        with self._lock:
            if self._router is None or mtime != self._mtime:
                router = TicketRouter(self.path)
                router.warm_up()
                self._router, self._mtime = router, mtime
            return self._router
