"""The best time to send a cadence email on its day: 8-10 am, then 3-4 pm, prospect-local,
where it meets the rep's working hours, across zones and weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.send_time import send_window
from bot.domain.timing import WorkHours

TUE = date(2026, 12, 1)
EARLY = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # midnight in New York
EIGHT_TO_SIX = WorkHours()


def _local(slot, tz):
    start, end = slot.start.astimezone(ZoneInfo(tz)), slot.end.astimezone(ZoneInfo(tz))
    return (start.date(), start.strftime("%H:%M"), end.strftime("%H:%M"))


@pytest.mark.parametrize(("prospect_tz", "rep_tz", "theirs"), [
    ("America/New_York", "America/New_York", (TUE, "08:00", "10:00")),
    ("America/New_York", "Europe/London", (TUE, "08:00", "10:00")),  # 1-3 pm in London
    ("America/Los_Angeles", "Europe/Berlin", (TUE, "08:00", "09:00")),  # Berlin ends at 6
    ("Europe/Berlin", "America/New_York", (TUE, "15:00", "16:00")),  # 8-10 am Berlin: 2-4 am
    ("Asia/Tokyo", "Asia/Kolkata", (TUE, "15:00", "16:00")),  # 8 am Tokyo: 4:30 am Kolkata
    ("Australia/Sydney", "America/Los_Angeles", (TUE, "08:00", "10:00")),  # Mon 1-3 pm LA
    ("Australia/Sydney", "Europe/London", None),  # 9-11 pm the day before, 4-5 am
])
def test_the_best_email_window_inside_the_reps_hours(prospect_tz, rep_tz, theirs):
    slot = send_window(TUE, prospect_tz=prospect_tz, rep_tz=rep_tz, hours=EIGHT_TO_SIX,
                       now=datetime(2026, 11, 29, tzinfo=UTC))
    assert (_local(slot, prospect_tz) if slot else None) == theirs


def test_a_window_that_falls_on_the_reps_weekend_is_not_offered():
    friday = date(2026, 12, 4)  # 3-4 pm Friday in New York is Saturday 7-8 am in Sydney
    early = WorkHours(time(6), time(18))
    assert send_window(friday, prospect_tz="America/New_York", rep_tz="Australia/Sydney",
                       hours=early, now=EARLY) is None
    saturdays = WorkHours(time(6), time(18), "123456")
    slot = send_window(friday, prospect_tz="America/New_York", rep_tz="Australia/Sydney",
                       hours=saturdays, now=EARLY)
    assert _local(slot, "America/New_York") == (friday, "15:00", "16:00")
    assert slot.start.astimezone(ZoneInfo("Australia/Sydney")).weekday() == 5


def test_the_slot_starts_no_earlier_than_now_on_a_quarter_hour():
    now = datetime(2026, 12, 1, 14, 7, tzinfo=UTC)  # 9:07 am in New York
    slot = send_window(TUE, prospect_tz="America/New_York", rep_tz="America/New_York",
                       hours=EIGHT_TO_SIX, now=now)
    assert _local(slot, "America/New_York") == (TUE, "09:15", "10:00")
    late = datetime(2026, 12, 1, 14, 50, tzinfo=UTC)  # 9:50: ten minutes is no real chance
    slot = send_window(TUE, prospect_tz="America/New_York", rep_tz="America/New_York",
                       hours=EIGHT_TO_SIX, now=late)
    assert _local(slot, "America/New_York") == (TUE, "15:00", "16:00")
    evening = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert send_window(TUE, prospect_tz="America/New_York", rep_tz="America/New_York",
                       hours=EIGHT_TO_SIX, now=evening) is None
