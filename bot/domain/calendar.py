"""Business days: weekends and an optional set of public holidays are skipped."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()


def is_business_day(day: date, holidays: Container[date] = NO_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def roll_forward(day: date, holidays: Container[date] = NO_HOLIDAYS) -> date:
    """``day`` itself if it is a business day, else the next one."""
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, holidays: Container[date] = NO_HOLIDAYS) -> date:
    """The business day ``count`` business days after ``day`` (count >= 0)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current, holidays):
            remaining -= 1
    return roll_forward(current, holidays)
