"""A rep's day without sending it (``followup-bot digest --preview``): the due list a rep
would get at an instant, read from the database and nothing else. Reads only: no claim,
no draft written, no Slack call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import EmailDraft, Rep
from bot.domain.due_list import Decision, DueItem, digest_decision
from bot.services.due_list import due_list_for
from bot.services.uow import unit_of_work


@dataclass(frozen=True)
class RepDay:
    """What the rep would see at ``at``: the list of ``decision.local_date``."""

    team_id: str
    user_id: str
    name: str | None
    tz: str
    tz_known: bool
    digest_enabled: bool
    active: bool
    at: datetime
    decision: Decision  # the morning DM's: send now, later, or not that day (and why)
    items: list[DueItem]
    # draft id -> the words' first line (an email's subject, a note's opening), if written
    openings: dict[int, str] = field(default_factory=dict)


def preview_days(session_factory: sessionmaker[Session], *, user_id: str, at: datetime,
                 max_calls: int, cutoff: time) -> list[RepDay]:
    """The rep's day at ``at`` in each workspace where ``user_id`` is a rep (none: not a
    rep anywhere). The day is the one whose morning list a tick at ``at`` would send (a
    start time late in the evening may still be sending yesterday's)."""
    with unit_of_work(session_factory) as session:
        reps = session.scalars(select(Rep).where(Rep.slack_user_id == user_id)
                               .order_by(Rep.team_id)).all()
    days = []
    for rep in reps:
        decision = digest_decision(at, rep.tz, rep.workday_start, rep.working_days, cutoff)
        items = due_list_for(session_factory, rep.team_id, rep.id, decision.local_date,
                             max_calls, now=at, rep_tz=rep.tz)
        days.append(RepDay(rep.team_id, rep.slack_user_id, rep.name, rep.tz, rep.tz_known,
                           rep.digest_enabled, rep.active, at, decision, items,
                           _openings(session_factory, [i.draft_id for i in items])))
    return days


def _openings(session_factory, draft_ids: list[int | None]) -> dict[int, str]:
    wanted = [draft_id for draft_id in draft_ids if draft_id is not None]
    if not wanted:
        return {}
    with unit_of_work(session_factory) as session:
        rows = session.execute(select(EmailDraft.id, EmailDraft.subject, EmailDraft.body)
                               .where(EmailDraft.id.in_(wanted))).all()
    return {draft_id: subject or " ".join(body.split())[:80] for draft_id, subject, body in rows}
