"""Per-client request budgets: a moving one-minute window from the `limits` library.

The counters live in `limits` storage named by one setting (YJS_RATE_LIMIT_STORAGE_URL):
``memory://`` counts per worker process (the default, nothing to run), ``redis://host:6379`` or
``memcached://host:11211`` share one budget across every worker and machine. A refused request
raises `RateLimited` carrying the seconds until the window frees a slot (the API sends it as
``Retry-After``).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.errors import RateLimited


class RateLimiter:
    """`per_minute` requests per client key in any 60-second window."""

    def __init__(self, per_minute: int, storage_url: str = "memory://", namespace: str = "api") -> None:
        self.per_minute = per_minute
        self.namespace = namespace
        self._item = RateLimitItemPerMinute(per_minute)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def check(self, client: str) -> None:
        if self._limiter.hit(self._item, self.namespace, client):
            return
        reset_at = self._limiter.get_window_stats(self._item, self.namespace, client).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(f"more than {self.per_minute} requests a minute from this client; "
                          f"try again in {retry_after} s", retry_after=retry_after)
