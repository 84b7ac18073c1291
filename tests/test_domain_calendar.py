"""Business days: weekends and the holidays passed in are skipped."""

from datetime import date, timedelta

import holidays
import pytest

from bot.domain.calendar import add_business_days, is_business_day, roll_forward

NEW_YEAR = frozenset({date(2026, 1, 1)})
# A year-end shutdown: every weekday from Wed 24 Dec 2025 to Fri 2 Jan 2026.
SHUTDOWN = frozenset(date(2025, 12, 24) + timedelta(days=n) for n in range(10))


@pytest.mark.parametrize(
    ("day", "holiday_set", "expected"),
    [
        (date(2026, 1, 5), frozenset(), True),  # Monday
        (date(2026, 1, 9), frozenset(), True),  # Friday
        (date(2026, 1, 10), frozenset(), False),  # Saturday
        (date(2026, 1, 11), frozenset(), False),  # Sunday
        (date(2026, 1, 1), NEW_YEAR, False),  # Thursday, but a holiday
        (date(2026, 1, 1), frozenset(), True),  # same Thursday without the holiday
    ],
)
def test_is_business_day(day, holiday_set, expected):
    assert is_business_day(day, holiday_set) is expected


@pytest.mark.parametrize(
    ("start", "count", "holiday_set", "expected"),
    [
        (date(2026, 1, 5), 1, frozenset(), date(2026, 1, 6)),  # Mon -> Tue
        (date(2026, 1, 8), 2, frozenset(), date(2026, 1, 12)),  # Thu + 2 -> Mon
        (date(2026, 1, 9), 5, frozenset(), date(2026, 1, 16)),  # a full week
        (date(2026, 1, 30), 1, frozenset(), date(2026, 2, 2)),  # month end: Fri -> Mon
        (date(2025, 12, 31), 1, NEW_YEAR, date(2026, 1, 2)),  # year end, 1 Jan skipped
        (date(2025, 12, 31), 1, frozenset(), date(2026, 1, 1)),  # ... and not without it
        (date(2025, 12, 23), 1, SHUTDOWN, date(2026, 1, 5)),  # long holiday run
        (date(2026, 1, 10), 1, frozenset(), date(2026, 1, 12)),  # from a Saturday
        (date(2026, 1, 7), 0, frozenset(), date(2026, 1, 7)),  # zero on a business day
        (date(2026, 1, 10), 0, frozenset(), date(2026, 1, 12)),  # zero on Sat rolls to Mon
    ],
)
def test_add_business_days(start, count, holiday_set, expected):
    assert add_business_days(start, count, holiday_set) == expected


def test_add_business_days_with_real_us_holidays():
    us = frozenset(holidays.country_holidays("US", years=2026))
    assert date(2026, 11, 26) in us  # Thanksgiving, from the package, not typed by hand
    assert add_business_days(date(2026, 11, 25), 1, us) == date(2026, 11, 27)
    # 4 July 2026 is a Saturday; the observed holiday is Friday 3 July.
    assert add_business_days(date(2026, 7, 2), 1, us) == date(2026, 7, 6)
    # Fri 16 Jan + 1 skips the weekend and Martin Luther King Jr. Day (Mon 19 Jan).
    assert add_business_days(date(2026, 1, 16), 1, us) == date(2026, 1, 20)
    assert add_business_days(date(2026, 1, 16), 1) == date(2026, 1, 19)


@pytest.mark.parametrize(
    ("day", "holiday_set", "expected"),
    [
        (date(2026, 1, 7), frozenset(), date(2026, 1, 7)),  # a business day stays put
        (date(2026, 1, 10), frozenset(), date(2026, 1, 12)),  # Sat -> Mon
        (date(2026, 1, 11), frozenset(), date(2026, 1, 12)),  # Sun -> Mon
        (date(2026, 1, 31), frozenset(), date(2026, 2, 2)),  # across a month end
        (date(2026, 1, 1), NEW_YEAR, date(2026, 1, 2)),  # holiday -> next day
        (date(2025, 12, 25), SHUTDOWN, date(2026, 1, 5)),  # across a year end
    ],
)
def test_roll_forward(day, holiday_set, expected):
    assert roll_forward(day, holiday_set) == expected


def test_negative_count_raises():
    with pytest.raises(ValueError, match="count"):
        add_business_days(date(2026, 1, 7), -1)
