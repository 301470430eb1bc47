"""The one clock: timezone-aware UTC for everything stored (display converts at the edge)."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
