"""Dates of a schedule: plain arithmetic, no database."""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS = {"monthly": 1, "quarterly": 3}
DAYS = {"daily": 1, "weekly": 7}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def next_due(frequency: str, day: dt.date) -> dt.date:
    """The round after one due on `day`."""
    if frequency in DAYS:
        return day + dt.timedelta(days=DAYS[frequency])
    return add_months(day, MONTHS[frequency])


def first_after(frequency: str, day: dt.date, today: dt.date) -> dt.date:
    """The first due date strictly after `today`, counting from `day`."""
    while day <= today:
        day = next_due(frequency, day)
    return day
