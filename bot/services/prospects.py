"""Read-side queries for prospects and follow-ups, always scoped to one team (and rep)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import FollowUp, Prospect
from bot.domain.model import FollowUpStatus
from bot.domain.text import search_key
from bot.domain.timing import day_bounds, local_date
from bot.services.reps import find_rep
from bot.services.uow import unit_of_work


@dataclass(frozen=True)
class ProspectOption:
    id: int
    name: str
    company: str | None
    cadence: str | None = None


@dataclass(frozen=True)
class UpcomingTouch:
    follow_up_id: int
    prospect_name: str
    company: str | None
    purpose: str
    channel: str
    due_on: date  # the rep-local day the stored window starts
    attempt: int | None
    window_start: datetime | None = None
    window_end: datetime | None = None
    outside_hours: bool = False
    prospect_tz: str = "UTC"


@dataclass(frozen=True)
class HomeData:
    today: date
    overdue: list[UpcomingTouch]
    due_today: list[UpcomingTouch]
    upcoming: list[UpcomingTouch]
    rep_tz: str = "UTC"


def search_prospects(session_factory: sessionmaker[Session], team_id: str, query: str,
                     limit: int = 50) -> list[ProspectOption]:
    """Prospects of this team whose name or company contains ``query``, compared on their
    search keys (NFC + case-folded: "zoë" finds "Zoë" however either was typed)."""
    typed = search_key(query.strip()).replace("\\", "\\\\").replace("%", "\\%")
    typed = typed.replace("_", "\\_")
    pattern = f"%{typed}%"
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Prospect.id, Prospect.name, Prospect.company)
            .where(Prospect.team_id == team_id)
            .where(or_(Prospect.name_key.like(pattern, escape="\\"),
                       Prospect.company_key.like(pattern, escape="\\")))
            .order_by(Prospect.name, Prospect.id)
            .limit(limit)
        ).all()
    return [ProspectOption(*row) for row in rows]


def option_of(prospect: Prospect) -> ProspectOption:
    return ProspectOption(prospect.id, prospect.name, prospect.company, prospect.cadence)


def stored_key(text: str) -> str:
    """A name or company as ``name_key`` / ``company_key`` hold it: lookups compare this."""
    return search_key(text)[:255]


def named_prospect(session: Session, team_id: str, name: str, company: str) -> Prospect | None:
    """The one prospect of this team with exactly this name (and company, if given),
    compared on search keys; None when none or several match."""
    if not name:
        return None
    query = select(Prospect).where(Prospect.team_id == team_id,
                                   Prospect.name_key == stored_key(name))
    if company:
        query = query.where(Prospect.company_key == stored_key(company))
    rows = session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def team_prospect(session: Session, team_id: str, prospect_id: int) -> Prospect | None:
    """The prospect by id, if it is this team's (the team's prospects are shared)."""
    return session.scalar(select(Prospect).where(Prospect.id == prospect_id,
                                                 Prospect.team_id == team_id))


def find_prospect(session_factory, team_id: str, name: str, company: str) -> ProspectOption | None:
    """:func:`named_prospect` in its own unit of work, as a picker option."""
    with unit_of_work(session_factory) as session:
        prospect = named_prospect(session, team_id, name, company)
        return option_of(prospect) if prospect is not None else None


def home_for(session_factory: sessionmaker[Session], team_id: str, user_id: str,
             now: datetime, days_ahead: int = 7) -> HomeData:
    """The rep's own pending touches by their stored windows (rep-local days): overdue
    (the window ended), due today, and the next ``days_ahead`` days."""
    with unit_of_work(session_factory) as session:
        rep = find_rep(session, team_id, user_id)
        tz = rep.tz if rep else "UTC"
        today = local_date(now, tz)
        if rep is None:
            return HomeData(today, [], [], [], tz)
        end_of_today = day_bounds(today, tz)[1]
        horizon = day_bounds(today + timedelta(days=days_ahead), tz)[1]
        rows = session.execute(
            select(FollowUp, Prospect.name, Prospect.company, Prospect.tz)
            .join(Prospect, Prospect.id == FollowUp.prospect_id)
            .where(FollowUp.team_id == team_id, FollowUp.rep_id == rep.id,
                   FollowUp.status == FollowUpStatus.PENDING.value,
                   FollowUp.window_start < horizon,
                   Prospect.team_id == team_id, Prospect.do_not_call.is_(False))
            .order_by(FollowUp.window_start, FollowUp.id)
        ).all()
    data = HomeData(today, [], [], [], tz)
    zone = ZoneInfo(tz)
    for follow_up, name, company, prospect_tz in rows:
        item = UpcomingTouch(follow_up.id, name, company, follow_up.purpose or "",
                             follow_up.channel, follow_up.window_start.astimezone(zone).date(),
                             follow_up.attempt_number, follow_up.window_start,
                             follow_up.window_end, follow_up.outside_hours, prospect_tz)
        bucket = (data.overdue if follow_up.window_end < now
                  else data.due_today if follow_up.window_start < end_of_today
                  else data.upcoming)
        bucket.append(item)
    return data
