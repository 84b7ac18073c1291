"""When to send a cadence email on the day it is due: the prospect's best email hours
(8-10 am, then 3-4 pm, in their zone) where they meet the rep's working hours.

Pure: standard library only; ``now`` is an argument.

>>> from datetime import UTC
>>> slot = send_window(date(2026, 12, 1), prospect_tz="America/New_York",
...                    rep_tz="Europe/London", hours=WorkHours(),
...                    now=datetime(2026, 12, 1, 6, tzinfo=UTC))
>>> slot.start.isoformat(), slot.end.isoformat()
('2026-12-01T13:00:00+00:00', '2026-12-01T15:00:00+00:00')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.domain.timing import Window, WorkHours, local_date, window_on

EMAIL_WINDOWS: tuple[tuple[time, time], ...] = ((time(8), time(10)), (time(15), time(16)))
MIN_SLOT = timedelta(minutes=15)  # a shorter overlap is no real chance to send


def _rep_hours(window: Window, rep_tz: str, hours: WorkHours) -> list[Window]:
    """The rep's working hours on the rep-local days ``window`` touches."""
    days = {local_date(window.start, rep_tz), local_date(window.end, rep_tz)}
    return [window_on(day, hours.start, hours.end, rep_tz) for day in sorted(days)
            if str(day.isoweekday()) in hours.days]


def _quarter(moment: datetime) -> datetime:
    """``moment`` rounded up to a quarter hour (every zone's offset is whole quarters)."""
    spare = timedelta(minutes=moment.minute % 15, seconds=moment.second,
                      microseconds=moment.microsecond)
    return moment if not spare else moment - spare + timedelta(minutes=15)


def send_window(day: date, *, prospect_tz: str, rep_tz: str, hours: WorkHours,
                now: datetime,
                windows: Sequence[tuple[time, time]] = EMAIL_WINDOWS) -> Window | None:
    """The first of the prospect's email windows on ``day`` (their date) that overlaps the
    rep's working hours by at least 15 minutes still ahead of ``now``: that overlap (UTC).
    None when no window does (the rep is off then, or the day is over)."""
    for start, end in windows:
        best = window_on(day, start, end, prospect_tz)
        for shift in _rep_hours(best, rep_tz, hours):
            first = max(best.start, shift.start, _quarter(now))
            last = min(best.end, shift.end)
            if last - first >= MIN_SLOT:
                return Window(first, last)
    return None
