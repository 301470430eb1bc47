"""Per-client request budgets (sliding one-minute window, in process)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from core.errors import RateLimited


class RateLimiter:
    """Sliding one-minute window per client, in process (per worker; put a gateway in front for more)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._hits[client]
            while q and now - q[0] > 60:
                q.popleft()
            if len(q) >= self.per_minute:
                raise RateLimited(f"more than {self.per_minute} requests a minute from this client; try again shortly")
            q.append(now)
