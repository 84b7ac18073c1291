"""A rep's own settings (the morning due list, working hours), and profile changes Slack
tells us about.

Every function is scoped by (team, Slack user). The setters create the rep on first use
(:func:`~bot.services.reps.ensure_rep`); :func:`apply_user_change` never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import TypeGuard

from sqlalchemy.orm import Session, sessionmaker

from bot.config_values import is_iana_zone as iana_zone
from bot.db.models import Rep
from bot.services.reps import ensure_rep, find_rep
from bot.services.uow import unit_of_work

WEEKDAYS = "1234567"  # ISO weekdays, Monday = 1


@dataclass(frozen=True)
class RepSettings:
    tz: str | None  # None: not a rep yet; the other fields are what a new rep starts with
    workday_start: time
    working_days: str  # ISO weekday digits, ascending: "12345"
    digest_enabled: bool
    # Working hours on the working days (rep-local): call windows are chosen inside them.
    work_start: time = time(8)
    work_end: time = time(18)


def _column_default(column):
    return Rep.__table__.c[column].default.arg


DEFAULTS = RepSettings(tz=None, workday_start=_column_default("workday_start"),
                       working_days=_column_default("working_days"),
                       digest_enabled=_column_default("digest_enabled"),
                       work_start=_column_default("work_start"),
                       work_end=_column_default("work_end"))


def normalize_days(days: Iterable[str]) -> str:
    """ISO weekday digits in any order, repeats allowed -> ascending, unique ("531" -> "135").
    Raises ValueError on anything that is not a weekday digit."""
    days = list(days)
    if any(day not in WEEKDAYS or len(day) != 1 for day in days):
        raise ValueError(f"not ISO weekdays: {days!r}")
    return "".join(sorted(set(days)))


def is_iana_zone(tz: object) -> TypeGuard[str]:
    """A zone Slack may send for a rep: the one IANA check (bot.config_values)."""
    return isinstance(tz, str) and len(tz) <= 64 and iana_zone(tz)


def _of(rep: Rep) -> RepSettings:
    return RepSettings(rep.tz, rep.workday_start, rep.working_days, rep.digest_enabled,
                       rep.work_start, rep.work_end)


def _find(session: Session, team_id: str, user_id: str) -> Rep | None:
    return find_rep(session, team_id, user_id)


def digest_settings(session_factory: sessionmaker[Session], team_id: str,
                    user_id: str) -> RepSettings:
    """The rep's settings; :data:`DEFAULTS` (tz None) when the user is not a rep yet."""
    with unit_of_work(session_factory) as session:
        rep = _find(session, team_id, user_id)
        return _of(rep) if rep else DEFAULTS


def set_workday_start(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                      start: time) -> RepSettings:
    """When the morning DM goes out, in the rep's own zone (to the minute)."""
    with unit_of_work(session_factory) as session:
        rep = ensure_rep(session, team_id, user_id)
        rep.workday_start = start.replace(second=0, microsecond=0, tzinfo=None, fold=0)
        return _of(rep)


def set_working_days(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                     days: str) -> bool:
    """Save the rep's working days ("135" = Mon, Wed, Fri). False, and nothing saved, when
    ``days`` names no day. Raises ValueError on anything that is not an ISO weekday."""
    normalized = normalize_days(days)
    if not normalized:
        return False
    with unit_of_work(session_factory) as session:
        ensure_rep(session, team_id, user_id).working_days = normalized
    return True


def _minute(moment: time) -> time:
    return moment.replace(second=0, microsecond=0, tzinfo=None, fold=0)


def set_working_hours(session_factory: sessionmaker[Session], team_id: str, user_id: str, *,
                      start: time | None = None, end: time | None = None) -> bool:
    """Change the start and/or end of the rep's working hours (to the minute; the other
    one stays). False, and nothing saved (no rep created), unless they end after they
    start. The rep's row is locked while checking, so two changes cannot cross."""
    with unit_of_work(session_factory) as session:
        rep = find_rep(session, team_id, user_id, for_update=True)
        current = _of(rep) if rep else DEFAULTS
        new_start = _minute(start) if start is not None else current.work_start
        new_end = _minute(end) if end is not None else current.work_end
        if new_end <= new_start:
            return False
        rep = rep or ensure_rep(session, team_id, user_id)
        rep.work_start, rep.work_end = new_start, new_end
        return True


def set_digest_enabled(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                       enabled: bool) -> RepSettings:
    """Turn the morning DM on or off (a target state, so a double click is harmless)."""
    with unit_of_work(session_factory) as session:
        rep = ensure_rep(session, team_id, user_id)
        rep.digest_enabled = enabled
        return _of(rep)


def apply_user_change(session_factory: sessionmaker[Session], team_id: str, user_id: str, *,
                      tz: str | None, name: str | None, deleted: bool | None) -> bool:
    """Follow a Slack profile change: zone (only a known IANA name; it is then known), name,
    and whether the account is deactivated (``deleted``: True deactivates, False
    reactivates, None leaves it). Never creates a rep; False when the user is not a rep of
    this team."""
    with unit_of_work(session_factory) as session:
        rep = _find(session, team_id, user_id)
        if rep is None:
            return False
        if is_iana_zone(tz):
            rep.tz, rep.tz_known = tz, True
        if isinstance(name, str) and name.strip():
            rep.name = name.strip()[:255]
        if deleted is not None:
            rep.active = not deleted
        return True
