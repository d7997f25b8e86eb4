"""US federal business days: report deadlines skip weekends and federal holidays (observed dates)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _federal(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=(year - 1, year, year + 1))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal(day.year)


def holiday_name(day: date) -> str | None:
    return _federal(day.year).get(day)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` federal business days after ``start`` (``start`` itself does not count)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def skipped_holidays(start: date, end: date) -> list[str]:
    """Federal holidays between two dates (exclusive of start), in words, for the report's notes."""
    out = []
    day = start + timedelta(days=1)
    while day <= end:
        name = holiday_name(day)
        if name and day.weekday() < 5:
            out.append(f"{day.isoformat()} {name}")
        day += timedelta(days=1)
    return out
