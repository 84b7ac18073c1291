"""Load what the weekly report counts, and hand it to bot.domain.insights.

Four reads per report whatever the team's size: the calls of every prospect called in the
last few weeks (their whole history, for the call step and "given up"), the open call
touches of those prospects, the follow-ups due in the period, and the recaps marked sent
for the period's calls. Days are each rep's local dates, so the UTC range read is a day
wider on both sides and the domain keeps only the period's days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep
from bot.domain.insights import (
    RECAP_HOURS,
    STALLED_LOOKBACK_DAYS,
    CallRow,
    Period,
    ProspectRow,
    Report,
    TouchRow,
    build,
)
from bot.domain.model import Channel, FollowUpStatus, Outcome, is_conversation
from bot.domain.timing import local_date
from bot.services.uow import unit_of_work

SLACK = timedelta(days=1)  # every zone's local day lies within a day of UTC's


@dataclass(frozen=True)
class RepName:
    user_id: str
    name: str  # the name Slack gave, or the user id


@dataclass(frozen=True)
class TeamReport:
    report: Report
    names: dict[int, RepName]


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def team_report(session_factory: sessionmaker[Session], team_id: str, period: Period, *,
                as_of: date) -> TeamReport:
    """The report for ``period``; ``as_of`` as in :func:`bot.domain.insights.build`."""
    with unit_of_work(session_factory) as session:
        reps = {r.id: r for r in session.scalars(select(Rep).where(Rep.team_id == team_id))}
        zones = {rep_id: rep.tz or "UTC" for rep_id, rep in reps.items()}
        calls, prospects = _calls(session, team_id, period, as_of, zones)
        in_time = _recaps_in_time(session, team_id, period)
        rows = [replace(row, recap_in_time=call_id in in_time)
                for call_id, row in calls if period.holds(row.day)]
        touches = _touches(session, team_id, period, zones)
        active = [r.id for r in reps.values() if r.active]
        report = build(period, rows, touches, prospects, as_of=as_of, rep_ids=active)
        names = {r.id: RepName(r.slack_user_id, r.name or r.slack_user_id)
                 for r in reps.values()}
    return TeamReport(report, names)


def _window(period: Period, since: date | None = None) -> tuple[datetime, datetime]:
    """The UTC range holding every zone's local days from ``since`` to the period's end."""
    return (_utc(since or period.start) - SLACK,
            _utc(period.end + timedelta(days=1)) + SLACK)


def _calls(session: Session, team_id: str, period: Period, as_of: date,
           zones: dict[int, str]) -> tuple[list[tuple[int, CallRow]], dict[int, ProspectRow]]:
    """Every call (up to the period's end) of the prospects called since the look-back
    began, numbered per prospect, with its id; and one summary row per such prospect."""
    since, until = _window(period, min(period.start,
                                       as_of - timedelta(days=STALLED_LOOKBACK_DAYS)))
    recent = (select(Call.prospect_id).where(Call.team_id == team_id, Call.called_at >= since,
                                             Call.called_at < until))
    rows = session.execute(
        select(Call.id, Call.rep_id, Call.prospect_id, Call.outcome, Call.called_at,
               Prospect.owner_rep_id)
        .join(Prospect, Prospect.id == Call.prospect_id)
        .where(Call.team_id == team_id, Call.called_at < until,
               Call.prospect_id.in_(recent))
        .order_by(Call.prospect_id, Call.called_at, Call.id))
    history: dict[int, list[CallRow]] = defaultdict(list)
    owners: dict[int, int] = {}
    calls: list[tuple[int, CallRow]] = []
    for call_id, rep_id, prospect_id, outcome, called_at, owner in rows:
        day = local_date(called_at, zones.get(rep_id, "UTC"))
        if day > period.end:
            continue
        past = history[prospect_id]
        row = CallRow(rep_id, prospect_id, Outcome(outcome), day, len(past) + 1)
        past.append(row)
        owners[prospect_id] = owner
        calls.append((call_id, row))
    due = _next_call_due(session, team_id, list(history))
    prospects = {pid: ProspectRow(owners[pid], len(past),
                                  any(is_conversation(c.outcome) for c in past),
                                  past[-1].outcome, past[-1].day, due.get(pid))
                 for pid, past in history.items()}
    return calls, prospects


def _recaps_in_time(session: Session, team_id: str, period: Period) -> set[int]:
    """The period's calls whose recap was marked sent within RECAP_HOURS."""
    since, until = _window(period)
    limit = timedelta(hours=RECAP_HOURS)
    return {call_id for call_id, called_at, sent_at in session.execute(
        select(Call.id, Call.called_at, EmailDraft.sent_at)
        .join(EmailDraft, EmailDraft.call_id == Call.id)
        .where(Call.team_id == team_id, Call.called_at >= since, Call.called_at < until,
               EmailDraft.template == "recap", EmailDraft.sent_at.is_not(None)))
        if sent_at - called_at <= limit}


def _touches(session: Session, team_id: str, period: Period, zones: dict[int, str]
             ) -> list[TouchRow]:
    """Follow-ups due in the period (closed by an outcome: not counted), with the rep-local
    day each was done or skipped."""
    rows = session.execute(
        select(FollowUp.rep_id, FollowUp.due_on, FollowUp.status, FollowUp.completed_at)
        .where(FollowUp.team_id == team_id, FollowUp.due_on >= period.start,
               FollowUp.due_on <= period.end,
               FollowUp.status != FollowUpStatus.CANCELLED.value))
    touches = []
    for rep_id, due_on, status, completed_at in rows:
        handled = status != FollowUpStatus.PENDING.value and completed_at is not None
        done_on = local_date(completed_at, zones.get(rep_id, "UTC")) if handled else None
        touches.append(TouchRow(rep_id, due_on, done_on))
    return touches


def _next_call_due(session: Session, team_id: str, prospect_ids: list[int]
                   ) -> dict[int, date]:
    due: dict[int, date] = {}
    for i in range(0, len(prospect_ids), 500):
        for prospect_id, due_on in session.execute(
                select(FollowUp.prospect_id, FollowUp.due_on)
                .where(FollowUp.team_id == team_id,
                       FollowUp.prospect_id.in_(prospect_ids[i:i + 500]),
                       FollowUp.status == FollowUpStatus.PENDING.value,
                       FollowUp.channel == Channel.CALL.value)):
            due[prospect_id] = min(due_on, due.get(prospect_id, due_on))
    return due
