"""The specific asks a draft makes: two concrete times to choose from, the agreed next
step, a named retry time.

Every time a draft names comes from the appointment machinery (bot.domain.timing): the
prospect's business calendar and call windows, the rep's hours, and the stored window of
the touch the cadence scheduled. Nothing here recomputes a scheduled touch from "now".
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import NO_HOLIDAYS, BusinessCalendar, is_business_day
from bot.domain.timing import Appointment, Parties, local_date, window_on
from bot.domain.windows import clock_text

BEST_DAYS = (1, 2, 3)  # Tuesday-Thursday
PROMISE_DAYS = 5  # a retry time is named only for a call within this many business days
SLOT_SEARCH = 10  # business days looked through for two proposed times
_FALLBACK_WINDOWS = ((11, 12), (16, 17))  # hours when a team has no call windows


def two_days(today: date, holidays: Container[date] = NO_HOLIDAYS) -> tuple[date, date]:
    """Two business days to offer, at least two days out (a next-day touch pulls fewer
    replies), Tuesday-Thursday when the next ten days allow it."""
    candidates = [today + timedelta(days=n) for n in range(2, 12)]
    candidates = [d for d in candidates if is_business_day(d, holidays)]
    best = [d for d in candidates if d.weekday() in BEST_DAYS]
    picked = (best + [d for d in candidates if d not in best])[:2]
    return tuple(sorted(picked))  # type: ignore[return-value]


def _far(start: datetime, prospect_tz: str, today: date) -> bool:
    """A week or more ahead: a weekday name alone would be ambiguous."""
    return (start.astimezone(ZoneInfo(prospect_tz)).date() - today).days >= 7


def say_time(start: datetime, prospect_tz: str, today: date, *,
             dated: bool | None = None) -> str:
    """A time as the prospect reads it, in their zone: "Wednesday at 11 am"; a week or
    more ahead (or ``dated``) the date too ("Wednesday 16 Dec at 11 am")."""
    local = start.astimezone(ZoneInfo(prospect_tz))
    if dated is None:
        dated = _far(start, prospect_tz, today)
    day = f"{local:%A} {local.day} {local:%b}" if dated else f"{local:%A}"
    return f"{day} at {clock_text(local)}"


def _windows(parties: Parties):
    return parties.windows or tuple((time(a), time(b)) for a, b in _FALLBACK_WINDOWS)


def _slot_on(day: date, parties: Parties, now: datetime, avoid: int | None = None):
    """(start, rank) of the best window on the prospect's ``day`` inside the rep's hours
    (another rank than ``avoid`` when one fits: two options at different hours)."""
    found = []
    for rank, (start, end) in enumerate(_windows(parties)):
        window = window_on(day, start, end, parties.prospect_tz)
        if window.start >= now and parties.hours.contains(window, parties.rep_tz):
            found.append((rank == avoid, rank, window.start))
    if not found:
        return None
    _, rank, start = min(found)
    return start, rank


def propose_slots(parties: Parties, *, today: date, now: datetime,
                  scheduled: Appointment | None = None) -> tuple[datetime, ...]:
    """Two concrete times to offer the prospect (UTC instants), on two different
    business days of the prospect's calendar, at least two days out, Tuesday-Thursday
    first, each a call window inside the rep's hours. A call the cadence already
    scheduled (``scheduled``, its stored window, inside the rep's hours) is the first
    option, so the draft and the due list never disagree. Fewer than two when none fit.

    ``today`` is the prospect's date at ``now``."""
    calendar = parties.calendar
    picked: list[datetime] = []
    used_days: set[date] = set()
    last_rank = None
    if scheduled is not None and not scheduled.outside_hours and scheduled.start >= now:
        picked.append(scheduled.start)
        used_days.add(local_date(scheduled.start, parties.prospect_tz))
    days, day = [], today + timedelta(days=1)
    while len(days) < SLOT_SEARCH:
        day = calendar.roll_forward(day + timedelta(days=1))
        days.append(day)
    ordered = [d for d in days if d.weekday() in BEST_DAYS] + \
        [d for d in days if d.weekday() not in BEST_DAYS]
    for day in ordered:
        if len(picked) >= 2:
            break
        if day in used_days:
            continue
        slot = _slot_on(day, parties, now, avoid=last_rank)
        if slot is not None:
            picked.append(slot[0])
            used_days.add(day)
            last_rank = slot[1]
    return tuple(sorted(picked))


def promised_retry(appointment: Appointment | None, *, today: date,
                   calendar: BusinessCalendar,
                   within: int = PROMISE_DAYS) -> datetime | None:
    """The start of the scheduled call a voicemail email may promise: only a call inside
    the rep's hours whose day is at most ``within`` business days after ``today`` (both
    in the prospect's calendar). Otherwise None: the email names no specific time."""
    if appointment is None or appointment.outside_hours:
        return None
    if appointment.day > calendar.add_business_days(today, within):
        return None
    return appointment.start


def ask_context(today: date, *, retry_at: datetime | None, prospect_tz: str,
                holidays: Container[date] = NO_HOLIDAYS,
                slots: Sequence[datetime] = ()) -> dict[str, str]:
    """Strings for the templates' ``ask`` (every key always present):

    - ``day_a``, ``day_b``: two days to offer ("Tuesday"), the days of ``slots`` if given;
    - ``slot_a``, ``slot_b``: two concrete times ("Tuesday at 4 pm"), "" without slots;
    - ``retry``: the scheduled call's start ("Thursday at 11 am"), "" when none may be
      promised (see :func:`promised_retry`);
    - ``meeting``: "" (the booked meeting as noted comes from the notes' next step).

    All in the prospect's time; ``today`` is the prospect's date. The agreed next step
    (``step``, ``step_kind``) is read from the notes where the draft is rendered."""
    zone = ZoneInfo(prospect_tz)
    dated = any(_far(start, prospect_tz, today) for start in slots[:2])  # both, or neither
    times = [say_time(start, prospect_tz, today, dated=dated) for start in slots[:2]]
    if len(times) == 2 and times[0].split(" at ")[1] == times[1].split(" at ")[1]:
        times[0] = times[0].split(" at ")[0]  # "Wednesday or Thursday at 11 am"
    if len(slots) >= 2:
        day_a, day_b = (f"{start.astimezone(zone):%A}" for start in slots[:2])
    else:
        day_a, day_b = (f"{day:%A}" for day in two_days(today, holidays))
    retry = say_time(retry_at, prospect_tz, today) if retry_at is not None else ""
    return {"day_a": day_a, "day_b": day_b,
            "slot_a": times[0] if len(times) == 2 else "",
            "slot_b": times[1] if len(times) == 2 else "",
            "retry": retry, "meeting": ""}
