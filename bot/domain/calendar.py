"""Business days: a calendar's weekend and public holidays are skipped.

A :class:`BusinessCalendar` says whose business days: the prospect's country (its weekend
may be Friday-Saturday), else the team's, else Saturday-Sunday with no holidays. The
functions below also accept a plain set of holidays (a Saturday-Sunday weekend), which is
what most tests and older call sites hand in.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()


@dataclass(frozen=True)
class BusinessCalendar:
    """Whose business days: weekend weekdays (Monday = 0) and public holidays."""

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def roll_forward(self, day: date) -> date:
        """``day`` if it is a business day, else the next one."""
        for _ in range(366):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no business day within a year")

    def add_business_days(self, day: date, count: int) -> date:
        """The business day ``count`` business days after ``day`` (count >= 0)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        while count:
            day += timedelta(days=1)
            count -= self.is_business_day(day)
        return self.roll_forward(day)


CalendarLike = BusinessCalendar | Container[date]


def as_calendar(days_off: CalendarLike) -> BusinessCalendar:
    """A calendar as given, or a Saturday-Sunday one with these holidays."""
    if isinstance(days_off, BusinessCalendar):
        return days_off
    return BusinessCalendar(holidays=frozenset(days_off))  # type: ignore[arg-type]


def is_business_day(day: date, holidays: CalendarLike = NO_HOLIDAYS) -> bool:
    return as_calendar(holidays).is_business_day(day)


def roll_forward(day: date, holidays: CalendarLike = NO_HOLIDAYS) -> date:
    """``day`` itself if it is a business day, else the next one."""
    return as_calendar(holidays).roll_forward(day)


def add_business_days(day: date, count: int, holidays: CalendarLike = NO_HOLIDAYS) -> date:
    """The business day ``count`` business days after ``day`` (count >= 0)."""
    return as_calendar(holidays).add_business_days(day, count)
