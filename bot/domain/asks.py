"""The specific asks a draft proposes: two days to choose from, a named retry time."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import NO_HOLIDAYS, is_business_day

BEST_DAYS = (1, 2, 3)  # Tuesday-Thursday


def two_days(today: date, holidays: Container[date] = NO_HOLIDAYS) -> tuple[date, date]:
    """Two business days to offer, at least two days out (a next-day touch pulls fewer
    replies), Tuesday-Thursday when the next ten days allow it."""
    candidates = [today + timedelta(days=n) for n in range(2, 12)]
    candidates = [d for d in candidates if is_business_day(d, holidays)]
    best = [d for d in candidates if d.weekday() in BEST_DAYS]
    picked = (best + [d for d in candidates if d not in best])[:2]
    return tuple(sorted(picked))  # type: ignore[return-value]


def _hour(moment) -> str:
    hour = moment.hour % 12 or 12
    text = f"{hour}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}"
    return f"{text} {'am' if moment.hour < 12 else 'pm'}"


def ask_context(today: date, *, retry_at: datetime | None, prospect_tz: str,
                holidays: Container[date] = NO_HOLIDAYS) -> dict[str, str]:
    """Strings for the templates' ``ask``: day_a, day_b, retry, meeting (always present).
    ``retry_at`` is the start of the call the cadence scheduled (its stored window), named
    in the prospect's time: "Thursday at 11 am"."""
    day_a, day_b = two_days(today, holidays)
    retry = ""
    if retry_at is not None:
        local = retry_at.astimezone(ZoneInfo(prospect_tz))
        retry = f"{local:%A} at {_hour(local)}"
    return {"day_a": f"{day_a:%A}", "day_b": f"{day_b:%A}", "retry": retry, "meeting": ""}
