"""The one clock: timezone-aware UTC for everything stored; one configured time zone for every time
shown to people (pages, printed copies) and for the date in a tracking number.

The zone is the `timezone` setting (default Asia/Shanghai). Services that stamp local dates take it
as a plain value; display helpers read it from `display_timezone()`, which the app sets once at start
(`set_display_timezone(settings.timezone)`), so a page and the tracking number never disagree on the date.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigurationError

DEFAULT_TIMEZONE = "Asia/Shanghai"
_display = DEFAULT_TIMEZONE


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@lru_cache(maxsize=16)
def zone(name: str) -> dt.tzinfo:
    """The IANA time zone `name` (e.g. Asia/Shanghai); a ConfigurationError naming YJS_TIMEZONE otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(f"YJS_TIMEZONE={name!r} is not an IANA time zone (e.g. Asia/Shanghai); "
                                 "on a minimal system install the tzdata package") from exc


def set_display_timezone(name: str) -> None:
    """Set the zone times are shown in (the app calls this once with the `timezone` setting)."""
    global _display
    zone(name)
    _display = name


def display_timezone() -> dt.tzinfo:
    return zone(_display)


def local(when: dt.datetime | str, tz: dt.tzinfo | None = None) -> dt.datetime:
    """A stored time (aware datetime or ISO text; naive means UTC) in `tz`, by default the display zone."""
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(tz or display_timezone())


def fmt_local(when: dt.datetime | str | None, tz: dt.tzinfo | None = None) -> str:
    """``2026-11-23T07:28:18Z`` → ``2026-11-23 15:28`` in the display zone; unparsable text is shown as is."""
    if not when:
        return ""
    try:
        return local(when, tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(when)[:16].replace("T", " ")
