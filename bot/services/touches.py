"""Moving a cadence on without a call: a touch handled (email sent, step done or skipped),
or a wrong number verified. The appointment rules are those of a logged call."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import FollowUp, Prospect, Rep, Team
from bot.domain.cadence import CallFacts, Touch, next_step, plan_after_call
from bot.domain.model import FollowUpStatus, Outcome, ProspectStatus
from bot.domain.timing import Appointment, local_date
from bot.services.access import Who, owned
from bot.services.cadences import CadenceBook
from bot.services.scheduling import calendar_for, schedule
from bot.services.uow import unit_of_work


def _calendar(session: Session, book: CadenceBook, prospect: Prospect, around):
    team = session.get(Team, prospect.team_id)
    return calendar_for(book, prospect_country=prospect.country,
                        team_country=team.holiday_country if team else None, around=around)


def advance_cadence(session: Session, book: CadenceBook, prospect: Prospect, rep_id: int,
                    handled: FollowUp, now: datetime) -> tuple[Touch, Appointment] | None:
    """A touch was handled without a call (email sent, step done or skipped): schedule the
    cadence's next one, as a connected call would, without using up a call attempt. Does
    nothing when another touch is already pending or the prospect has no running cadence."""
    if prospect.do_not_call or prospect.status != ProspectStatus.ACTIVE.value:
        return None
    cadence = book.cadences.get(prospect.cadence or "")
    if cadence is None or prospect.cadence_started_on is None:
        return None
    pending = session.scalar(select(FollowUp.id).where(
        FollowUp.team_id == prospect.team_id, FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value, FollowUp.id != handled.id).limit(1))
    if pending is not None:
        return None
    reference = max(local_date(now, prospect.tz), handled.due_on)
    facts = CallFacts(Outcome.CONNECTED, reference, prospect.cadence_started_on,
                      prospect.call_attempts, False, prospect.needs_verified_number,
                      bool(prospect.email_opt_out))
    plan = plan_after_call(cadence, facts, book.rules,
                           _calendar(session, book, prospect, reference))
    if plan.next_touch is None:
        return None
    prospect.status = plan.status.value
    follow_up, appointment = schedule(session, book, prospect, session.get(Rep, rep_id),
                                      plan.next_touch, now, call_id=handled.call_id,
                                      key=f"after:{handled.id}")
    return replace(plan.next_touch, due_on=follow_up.due_on), appointment


def verify_number(session_factory, book: CadenceBook, *, team_id: str, prospect_id: object,
                  user_id: str, now: datetime) -> tuple[str, Touch | None]:
    """Someone on the team has a working number again: calls resume with the cadence's
    next call, for the prospect's owner (whoever clicked)."""
    with unit_of_work(session_factory) as session:
        prospect = owned(session, Who.rep(team_id, user_id), Prospect, prospect_id)
        rep = session.get(Rep, prospect.owner_rep_id)
        prospect.needs_verified_number = False
        cadence = book.cadences.get(prospect.cadence or "")
        if (prospect.do_not_call or cadence is None or prospect.cadence_started_on is None
                or prospect.status != ProspectStatus.ACTIVE.value):
            return prospect.name, None
        today = local_date(now, prospect.tz)
        facts = CallFacts(Outcome.CONNECTED, today, prospect.cadence_started_on,
                          prospect.call_attempts, email_opt_out=bool(prospect.email_opt_out))
        touch = next_step(cadence, facts, book.rules, _calendar(session, book, prospect, today))
        if touch is None:
            return prospect.name, None
        follow_up, _ = schedule(session, book, prospect, rep, touch, now, call_id=None,
                                key=f"verified:{prospect.id}:{now.isoformat()}")
        return prospect.name, replace(touch, due_on=follow_up.due_on)
