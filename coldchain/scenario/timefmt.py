"""Clock times: scenarios speak ``HH:MM`` and dates; the model speaks minutes from midnight.

Minutes are counted from 00:00 of the planning day, so the evening before is negative.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_clock(text: str) -> int:
    """Turn ``'07:30'`` into 450 minutes; accepts 00:00 to 24:00. Raises ``ValueError``."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise ValueError("expected a time of day as HH:MM")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi > 0):
        raise ValueError("expected a time of day between 00:00 and 24:00")
    return h * 60 + mi


def clock(minutes: float) -> str:
    """Format minutes from the planning day's midnight as ``HH:MM`` (``-1d``/``+1d`` outside)."""
    total = round(minutes)
    day, rest = divmod(total, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    if day:
        text += f" ({day:+d}d)"
    return text


def minutes_since(day: date, moment: datetime) -> float:
    """Minutes from 00:00 of ``day`` to ``moment`` (negative before the day starts)."""
    start = datetime(day.year, day.month, day.day)
    return (moment - start) / timedelta(minutes=1)


def at_minutes(day: date, minutes: float) -> datetime:
    """The moment ``minutes`` after 00:00 of ``day``."""
    return datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
