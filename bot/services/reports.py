"""Managers and the weekly report's claims: who receives it, and exactly once per week.

A manager is named by MANAGER_IDS or added in App Home by a workspace admin; for now a
manager's team is every rep of the workspace. The report goes out on the manager's first
working day of the ISO week at their own due-list time (their rep settings when they are
a rep too, else Slack's zone and the bot's defaults), covering the previous ISO week.

Exactly once, as for due lists: a ``report_runs`` row per (team, manager, ISO week the
report is sent in) is inserted before anything is posted; the unique key lets one process
win. A claim left by a process that died is taken over after STALE; a failed send is
retried by later ticks up to MAX_ATTEMPTS. ``report --now`` claims under the current
week, so a second one in the same week sends nothing new unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db.models import Manager, Rep, ReportRun
from bot.domain.insights import Period
from bot.services.reps import ensure_team
from bot.services.uow import unit_of_work

STALE = timedelta(minutes=10)  # a claim this old without a result belongs to a dead sender
MAX_ATTEMPTS = 3
DEFAULT_START, DEFAULT_DAYS = time(8, 30), "12345"  # a manager who is not a rep


@dataclass(frozen=True)
class ManagerClock:
    """When a manager's week starts: zone, due-list time and working days."""

    user_id: str
    tz: str | None  # None: not a rep; ask Slack
    start: time = DEFAULT_START
    days: str = DEFAULT_DAYS


def first_working_day(day: date, days: str) -> date:
    monday = day - timedelta(days=day.weekday())
    for offset in range(7):
        if str(offset + 1) in days:
            return monday + timedelta(days=offset)
    return monday


def report_due(local_now: datetime, start: time, days: str) -> bool:
    """From the week's first working day at the due-list time until the week ends (a bot
    that was down on Monday morning still sends on Tuesday)."""
    today, first = local_now.date(), first_working_day(local_now.date(), days)
    return today > first or (today == first and local_now.time() >= start)


def manager_ids(session_factory: sessionmaker[Session], settings: Settings,
                team_id: str) -> list[str]:
    with unit_of_work(session_factory) as session:
        added = session.scalars(select(Manager.slack_user_id)
                                .where(Manager.team_id == team_id)).all()
    return sorted(set(settings.manager_ids) | set(added))


def is_manager(session_factory: sessionmaker[Session], settings: Settings, team_id: str,
               user_id: str) -> bool:
    return user_id in manager_ids(session_factory, settings, team_id)


def add_manager(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                added_by: str) -> None:
    with unit_of_work(session_factory) as session:
        ensure_team(session, team_id)
        if session.get(Manager, (team_id, user_id)) is None:
            try:
                with session.begin_nested():
                    session.add(Manager(team_id=team_id, slack_user_id=user_id,
                                        added_by=added_by))
            except IntegrityError:
                pass  # added by a concurrent click


def remove_manager(session_factory: sessionmaker[Session], team_id: str, user_id: str) -> bool:
    with unit_of_work(session_factory) as session:
        return session.execute(delete(Manager).where(
            Manager.team_id == team_id, Manager.slack_user_id == user_id)).rowcount == 1


def manager_clocks(session_factory: sessionmaker[Session], team_id: str,
                   user_ids: list[str]) -> list[ManagerClock]:
    with unit_of_work(session_factory) as session:
        reps = {r.slack_user_id: r for r in session.scalars(
            select(Rep).where(Rep.team_id == team_id, Rep.slack_user_id.in_(user_ids)))}
        return [ManagerClock(u, reps[u].tz, reps[u].workday_start or DEFAULT_START,
                             reps[u].working_days or DEFAULT_DAYS)
                if u in reps and reps[u].tz_known else ManagerClock(u, None)
                for u in user_ids]


def claim_report(session_factory: sessionmaker[Session], team_id: str, manager: str,
                 week: str, period: Period, now: datetime, *, owner: str,
                 force: bool = False) -> int | None:
    """The run's id when this sender is to send it; None when it is sent or under way."""
    try:
        with unit_of_work(session_factory) as session:
            ensure_team(session, team_id)
            run = ReportRun(team_id=team_id, manager_user_id=manager, week=week,
                            period_start=period.start, period_end=period.end,
                            owner=owner, claimed_at=now)
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        pass
    free = [ReportRun.status.in_(("claimed", "sent", "failed"))] if force else [or_(
        (ReportRun.status == "failed") & (ReportRun.attempts < MAX_ATTEMPTS),
        (ReportRun.status == "claimed") & (ReportRun.claimed_at <= now - STALE))]
    key = (ReportRun.team_id == team_id, ReportRun.manager_user_id == manager,
           ReportRun.week == week)
    with unit_of_work(session_factory) as session:
        taken = session.execute(
            update(ReportRun).where(*key, *free).values(
                status="claimed", owner=owner, claimed_at=now, attempts=ReportRun.attempts + 1,
                period_start=period.start, period_end=period.end, error=None)
            .returning(ReportRun.id)).scalar_one_or_none()
    return taken


def report_status(session_factory: sessionmaker[Session], team_id: str, manager: str,
                  week: str) -> str | None:
    """The week's run for that manager: claimed, sent or failed (None: no run)."""
    with unit_of_work(session_factory) as session:
        return session.scalar(select(ReportRun.status).where(
            ReportRun.team_id == team_id, ReportRun.manager_user_id == manager,
            ReportRun.week == week))


def finish_report(session_factory: sessionmaker[Session], run_id: int, *, status: str,
                  now: datetime, owner: str, channel: str | None = None,
                  ts: str | None = None, error: str | None = None) -> bool:
    with unit_of_work(session_factory) as session:
        return session.execute(update(ReportRun).where(
            ReportRun.id == run_id, ReportRun.owner == owner, ReportRun.status == "claimed")
            .values(status=status, finished_at=now, channel=channel, ts=ts,
                    error=error[:255] if error else None)).rowcount == 1
