"""Call windows: prospect-local times on a cadence date, shown in the rep's zone too."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.windows import CallWindow, describe_window, format_day, format_range, windows_on

NY, LONDON, CHICAGO = "America/New_York", "Europe/London", "America/Chicago"


def best(day: date, prospect_tz: str) -> CallWindow:
    return windows_on(day, prospect_tz)[0]


def test_windows_on_are_best_first_and_in_the_prospects_zone():
    late, mid = windows_on(date(2026, 11, 26), NY)
    assert (late.start.time(), late.end.time()) == (time(16), time(17))
    assert (mid.start.time(), mid.end.time()) == (time(11), time(12))
    assert late.start.tzinfo == ZoneInfo(NY)
    assert late.start.astimezone(UTC) == datetime(2026, 11, 26, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "utc_offset"),
    [
        (date(2026, 3, 7), -5),  # the Saturday before the US springs forward
        (date(2026, 3, 8), -4),  # the change happens at 2 am; 4 pm is already EDT
        (date(2026, 10, 31), -4),
        (date(2026, 11, 1), -5),  # falls back at 2 am
    ],
)
def test_windows_follow_the_prospects_dst_on_the_change_day(day, utc_offset):
    window = best(day, NY)
    assert window.start.time() == time(16)  # always 4 pm their time
    assert window.start.utcoffset() == timedelta(hours=utc_offset)
    assert window.end - window.start == timedelta(hours=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 4), "Wed 4 Mar, 4-5 pm their time (9-10 pm yours)"),  # both standard
        (date(2026, 3, 11), "Wed 11 Mar, 4-5 pm their time (8-9 pm yours)"),  # US on DST only
        (date(2026, 3, 25), "Wed 25 Mar, 4-5 pm their time (8-9 pm yours)"),
        (date(2026, 4, 1), "Wed 1 Apr, 4-5 pm their time (9-10 pm yours)"),  # both on DST
        (date(2026, 10, 21), "Wed 21 Oct, 4-5 pm their time (9-10 pm yours)"),
        (date(2026, 10, 28), "Wed 28 Oct, 4-5 pm their time (8-9 pm yours)"),  # UK back first
        (date(2026, 11, 4), "Wed 4 Nov, 4-5 pm their time (9-10 pm yours)"),
    ],
)
def test_new_york_prospect_london_rep_across_both_dst_gaps(day, expected):
    assert describe_window(best(day, NY), LONDON) == expected


def test_gap_weeks_shift_the_late_morning_window_too():
    mid = windows_on(date(2026, 3, 11), NY)[1]
    assert describe_window(mid, LONDON) == "Wed 11 Mar, 11 am-12 pm their time (3-4 pm yours)"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Phoenix keeps MST all year: the same clock as Los Angeles in summer only.
        (date(2026, 7, 1), "Wed 1 Jul, 4-5 pm (your time too)"),
        (date(2026, 12, 2), "Wed 2 Dec, 4-5 pm their time (5-6 pm yours)"),
    ],
)
def test_same_offset_depends_on_the_date(day, expected):
    assert describe_window(best(day, "America/Los_Angeles"), "America/Phoenix") == expected


@pytest.mark.parametrize(
    ("index", "rep_tz", "expected"),
    [
        (0, CHICAGO, "Thu 26 Nov, 4-5 pm their time (3-4 pm yours)"),
        (1, CHICAGO, "Thu 26 Nov, 11 am-12 pm their time (10-11 am yours)"),
        (0, "America/Toronto", "Thu 26 Nov, 4-5 pm (your time too)"),
        (0, NY, "Thu 26 Nov, 4-5 pm (your time too)"),
        (0, "Asia/Kolkata", "Thu 26 Nov, 4-5 pm their time (Fri 27 Nov, 2:30-3:30 am yours)"),
    ],
)
def test_describe_window_for_a_new_york_prospect(index, rep_tz, expected):
    assert describe_window(windows_on(date(2026, 11, 26), NY)[index], rep_tz) == expected


def test_rep_on_the_next_day_sees_their_own_weekday():
    window = best(date(2026, 11, 26), "America/Los_Angeles")
    assert describe_window(window, "Australia/Sydney") == (
        "Thu 26 Nov, 4-5 pm their time (Fri 27 Nov, 11 am-12 pm yours)"
    )


def test_rep_on_the_previous_day_sees_their_own_weekday():
    window = windows_on(date(2026, 11, 26), "Australia/Sydney")[1]
    assert describe_window(window, "America/Los_Angeles") == (
        "Thu 26 Nov, 11 am-12 pm their time (Wed 25 Nov, 4-5 pm yours)"
    )


def test_custom_windows_with_minutes():
    windows = windows_on(date(2026, 11, 26), NY, [(time(16, 30), time(17, 30))])
    assert describe_window(windows[0], CHICAGO) == (
        "Thu 26 Nov, 4:30-5:30 pm their time (3:30-4:30 pm yours)"
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (time(16), time(17), "4-5 pm"),
        (time(11), time(12), "11 am-12 pm"),
        (time(16, 30), time(17, 30), "4:30-5:30 pm"),
        (time(9), time(10), "9-10 am"),
        (time(12), time(13), "12-1 pm"),
        (time(11, 30), time(12, 30), "11:30 am-12:30 pm"),
        (time(0), time(1), "12-1 am"),
    ],
)
def test_format_range(start, end, expected):
    tz = ZoneInfo(NY)
    day = date(2026, 11, 26)
    window = CallWindow(datetime.combine(day, start, tz), datetime.combine(day, end, tz))
    assert format_range(window) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 11, 26), "Thu 26 Nov"), (date(2026, 3, 1), "Sun 1 Mar")],
)
def test_format_day(day, expected):
    assert format_day(day) == expected
