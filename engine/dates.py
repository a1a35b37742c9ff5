"""Dates as the law counts them.

Dates become day ordinals inside the engine, so that the rules compare plain integers.
Months are calendar months: the day after a period of six months "from" 31 August is the day
after the last day of February (the corresponding-date rule, with the end of a shorter month).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_date(value: object) -> dt.date:
    """A date from YAML (already a date) or from text in ISO form; raise ValueError otherwise."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        # fromisoformat also takes 2025-W01-3 and 20250101; the contract says YYYY-MM-DD only
        try:
            if not ISO_DAY.fullmatch(value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date of the form YYYY-MM-DD that exists") from None
    raise ValueError(f"expected a date (YYYY-MM-DD), got {type(value).__name__} {value!r}")


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding date `months` calendar months later (or earlier)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def shift(day: dt.date, months: int = 0, days: int = 0) -> dt.date:
    return add_months(day, months) + dt.timedelta(days=days)


def ordinal(day: dt.date) -> int:
    return day.toordinal()


def from_ordinal(n: int) -> dt.date:
    return dt.date.fromordinal(n)
