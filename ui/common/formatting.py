"""How values read on screen: stored times in the desk's own clock, stored values as text."""

from __future__ import annotations

import datetime as dt


def local_time(at: dt.datetime) -> str:
    """Times are stored as naive UTC; people read their own clock."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def display_value(value: object) -> str:
    """A stored value as a cell shows it: nothing for None, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
