"""One time model: wall times to instants, business calendars, and the appointment a
touch is given when it is scheduled.

The rules, once:
- **Today** for what a rep does and sees (the log date, the modal's checks, the due
  list) is the rep's local date: :func:`local_date` with the rep's zone.
- **Where a touch lands** (business days, holidays, call windows) is the prospect's
  calendar: a cadence step's day is a date in the prospect's zone, rolled to one of the
  prospect's business days (:class:`BusinessCalendar`).
- A touch is an **appointment**: when it is scheduled, its window is chosen once and
  stored as two instants (:class:`Appointment`); every surface shows the stored one.
- Wall times resolve through :func:`wall_instant` only: a time inside a spring-forward
  gap becomes the first valid instant after the gap, an ambiguous (fall-back) time its
  first occurrence. A window is never empty.

Pure: standard library only; ``now`` is always an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar

Windows = Sequence[tuple[time, time]]
SEARCH_DAYS = 5  # business days looked ahead for a window inside the rep's hours


def local_date(now: datetime, tz: str) -> date:
    """The calendar date at ``now`` in ``tz``: the one definition of "today"."""
    return now.astimezone(ZoneInfo(tz)).date()


def _exists(moment: datetime) -> bool:
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None, fold=0)


def wall_instant(day: date, wall: time, tz: str) -> datetime:
    """``wall`` on ``day`` in ``tz`` as an aware instant (in ``tz``).

    >>> wall_instant(date(2026, 3, 8), time(2, 30), "America/New_York").isoformat()
    '2026-03-08T03:00:00-04:00'
    >>> wall_instant(date(2026, 11, 1), time(1, 30), "America/New_York").isoformat()
    '2026-11-01T01:30:00-04:00'
    """
    zone = ZoneInfo(tz)
    moment = datetime.combine(day, wall.replace(tzinfo=None, fold=0), zone)
    if _exists(moment):
        return moment
    # In a gap: fold=1 reads the wall time with the offset after the jump (an earlier
    # instant), fold=0 with the offset before it (a later one); the transition lies
    # between them. Binary search it to the second.
    low, high = int(moment.replace(fold=1).timestamp()), int(moment.timestamp())
    offset_after = datetime.fromtimestamp(high, zone).utcoffset()
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(high, zone)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of ``day`` in ``tz`` as UTC instants (a day can last 23 or 25 hours)."""
    return (wall_instant(day, time(0), tz).astimezone(UTC),
            wall_instant(day + timedelta(days=1), time(0), tz).astimezone(UTC))


@dataclass(frozen=True)
class Window:
    """A span between two instants (UTC)."""

    start: datetime
    end: datetime


def window_on(day: date, start: time, end: time, tz: str) -> Window:
    """The wall-time window ``start``-``end`` on ``day`` in ``tz``. An end at or before the
    start means the next day (22:00-01:00). Never empty: when a clock change swallows it,
    it keeps its nominal length from the resolved start."""
    first = wall_instant(day, start, tz)
    end_day = day if end > start else day + timedelta(days=1)
    last = wall_instant(end_day, end, tz)
    if last <= first:
        nominal = (datetime.combine(end_day, end) - datetime.combine(day, start))
        last = first + (nominal if nominal > timedelta(0) else timedelta(hours=1))
    return Window(first.astimezone(UTC), last.astimezone(UTC))


@dataclass(frozen=True)
class WorkHours:
    """When a rep works, in their own zone: hours on their working days (ISO weekdays)."""

    start: time = time(8)
    end: time = time(18)
    days: str = "12345"

    def contains(self, window: Window, tz: str) -> bool:
        """True when ``window`` lies inside these hours on one of these days."""
        local_start = window.start.astimezone(ZoneInfo(tz))
        day = local_start.date()
        if str(day.isoweekday()) not in self.days:
            return False
        hours = window_on(day, self.start, self.end, tz)
        return hours.start <= window.start and window.end <= hours.end


@dataclass(frozen=True)
class Appointment:
    """A touch's window, chosen once when it is scheduled. ``day`` is the date it lands on
    in the prospect's calendar; ``outside_hours`` when no window fitted the rep's hours."""

    start: datetime
    end: datetime
    day: date
    outside_hours: bool = False

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)


@dataclass(frozen=True)
class Parties:
    """Both people a touch is between, as the appointment rules need them."""

    prospect_tz: str
    rep_tz: str
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    windows: Windows = ()
    hours: WorkHours = field(default_factory=WorkHours)


def whole_day(day: date, tz: str) -> Appointment:
    """An email or LinkedIn touch: the prospect's whole business day."""
    start, end = day_bounds(day, tz)
    return Appointment(start, end, day)


def appoint_call(day: date, parties: Parties, *, not_before: datetime,
                 search_days: int = SEARCH_DAYS) -> Appointment:
    """The window for a call on the prospect's business ``day`` (rolled forward).

    The first of the prospect's windows (best first) that lies inside the rep's hours on
    a rep working day, on ``day``; else on the next prospect business day where one does
    (up to ``search_days`` on); else the best window on ``day``, marked outside hours.
    Windows starting before ``not_before`` are never chosen.

    >>> p = Parties("Australia/Sydney", "America/Los_Angeles",
    ...             windows=((time(16), time(17)), (time(11), time(12))))
    >>> a = appoint_call(date(2026, 1, 7), p, not_before=datetime(2026, 1, 5, 17, tzinfo=UTC))
    >>> a.start.astimezone(ZoneInfo("America/Los_Angeles")).isoformat(), a.outside_hours
    ('2026-01-06T16:00:00-08:00', False)
    """
    calendar, tz = parties.calendar, parties.prospect_tz
    day = calendar.roll_forward(day)
    if not parties.windows:
        return whole_day(day, tz)
    candidates = [day]
    for _ in range(search_days):
        candidates.append(calendar.add_business_days(candidates[-1], 1))
    fallback: Appointment | None = None
    for candidate in candidates:
        for start, end in parties.windows:
            window = window_on(candidate, start, end, tz)
            if window.start < not_before:
                continue
            if parties.hours.contains(window, parties.rep_tz):
                return Appointment(window.start, window.end, candidate)
            if fallback is None:
                fallback = Appointment(window.start, window.end, candidate, outside_hours=True)
    if fallback is not None:
        return fallback
    later = calendar.add_business_days(candidates[-1], 1)
    return appoint_call(later, parties, not_before=not_before, search_days=search_days)


def appoint_rep_day(rep_day: date, parties: Parties, *, not_before: datetime,
                    call: bool = True) -> Appointment:
    """The window for a touch on the day the rep picked (``rep_day``, rep-local).

    A call takes the best prospect window that starts on that rep day (not before
    ``not_before``), preferring one inside the rep's hours on a prospect business day;
    without one (or for an email), the rep's working hours that day."""
    rep_tz, tz = parties.rep_tz, parties.prospect_tz
    first, last = day_bounds(rep_day, rep_tz)
    if call and parties.windows:
        prospect_days = {local_date(first, tz) + timedelta(days=offset) for offset in (-1, 0, 1)}
        ranked = []
        for rank, (start, end) in enumerate(parties.windows):
            for prospect_day in sorted(prospect_days):
                window = window_on(prospect_day, start, end, tz)
                if not (first <= window.start < last) or window.start < not_before:
                    continue
                inside = parties.hours.contains(window, rep_tz)
                business = parties.calendar.is_business_day(prospect_day)
                ranked.append(((not inside, not business, rank), window, prospect_day, inside))
        if ranked:
            _, window, prospect_day, inside = min(ranked, key=lambda entry: entry[0])
            return Appointment(window.start, window.end, prospect_day, outside_hours=not inside)
    hours = window_on(rep_day, parties.hours.start, parties.hours.end, rep_tz)
    start = max(hours.start, min(not_before, hours.end - timedelta(minutes=30)))
    return Appointment(start, max(hours.end, start + timedelta(minutes=30)),
                       local_date(start, tz))


def on_rep_day(appointment_start: datetime, rep_day: date, rep_tz: str) -> bool:
    """Whether a touch belongs on the rep's list for ``rep_day``: its window starts before
    that day ends (rep-local); earlier, still-open touches stay on as overdue."""
    return appointment_start < day_bounds(rep_day, rep_tz)[1]
