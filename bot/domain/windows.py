"""Best call windows, in the prospect's time zone, shown in the rep's zone too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_WINDOWS: tuple[tuple[time, time], ...] = ((time(16), time(17)), (time(11), time(12)))


@dataclass(frozen=True)
class CallWindow:
    start: datetime  # aware, prospect's zone
    end: datetime

    def in_zone(self, zone: str) -> CallWindow:
        tz = ZoneInfo(zone)
        return CallWindow(self.start.astimezone(tz), self.end.astimezone(tz))


def windows_on(
    day: date, prospect_tz: str, windows: Sequence[tuple[time, time]] = DEFAULT_WINDOWS
) -> list[CallWindow]:
    """The call windows on ``day`` in the prospect's zone, best first."""
    tz = ZoneInfo(prospect_tz)
    return [
        CallWindow(datetime.combine(day, start, tz), datetime.combine(day, end, tz))
        for start, end in windows
    ]


def clock_text(moment: time | datetime, *, with_suffix: bool = True,
               minutes: bool = False) -> str:
    """The one 12-hour clock: '8:30 am', '9 am', '12:15 pm' (wall time as given);
    ``minutes`` always shows them ('9:00 am', for the preview's exact times)."""
    hour = moment.hour % 12 or 12
    text = f"{hour}" if moment.minute == 0 and not minutes else f"{hour}:{moment.minute:02d}"
    return f"{text} {'am' if moment.hour < 12 else 'pm'}" if with_suffix else text


def format_time(moment: datetime) -> str:
    """'11 am', '4:30 pm' (the moment's own zone)."""
    return clock_text(moment)


def format_range(window: CallWindow) -> str:
    """'4-5 pm', '11 am-12 pm', '4:30-5:30 pm'."""
    same_half = (window.start.hour < 12) == (window.end.hour < 12)
    if same_half:
        return f"{clock_text(window.start, with_suffix=False)}-{clock_text(window.end)}"
    return f"{clock_text(window.start)}-{clock_text(window.end)}"


def format_day(day: date) -> str:
    """'Thu 27 Nov'."""
    return f"{day:%a} {day.day} {day:%b}"


def describe_window(window: CallWindow, rep_tz: str) -> str:
    """'Thu 27 Nov, 4-5 pm their time (3-4 pm yours)'; the rep's weekday is added when the
    window falls on another date for the rep."""
    theirs = f"{format_day(window.start.date())}, {format_range(window)} their time"
    mine = window.in_zone(rep_tz)
    if mine.start.utcoffset() == window.start.utcoffset():
        return f"{format_day(window.start.date())}, {format_range(window)} (your time too)"
    yours = format_range(mine)
    if mine.start.date() != window.start.date():
        yours = f"{format_day(mine.start.date())}, {yours}"
    return f"{theirs} ({yours} yours)"


def stored_window(start: datetime, end: datetime, prospect_tz: str) -> CallWindow:
    """A stored appointment (UTC instants) as a window in the prospect's zone."""
    tz = ZoneInfo(prospect_tz)
    return CallWindow(start.astimezone(tz), end.astimezone(tz))


def describe_appointment(start: datetime, end: datetime, *, prospect_tz: str, rep_tz: str,
                         outside_hours: bool = False, call: bool = True) -> str:
    """How every surface names a stored appointment. A call: its window in both zones
    ("Wed 7 Jan, 11 am-12 pm their time (Tue 6 Jan, 4-5 pm yours)"), marked when it falls
    outside the rep's hours. An email or LinkedIn touch: the prospect's business day."""
    window = stored_window(start, end, prospect_tz)
    if not call:
        return f"{format_day(window.start.date())} (their day)"
    text = describe_window(window, rep_tz)
    return text + " · outside your hours" if outside_hours else text
