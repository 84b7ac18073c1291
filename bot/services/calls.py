"""log_call: store a call, branch on its outcome, schedule the next touch. One transaction.

``Notes`` lives in bot.domain.model (with NoteField); it is imported here for callers that
build a LogCall from this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, FollowUp, Prospect, Rep, Team
from bot.domain.cadence import Cadence, CallFacts, Plan, Touch, cadence_after_call, plan_after_call
from bot.domain.model import (
    CallType,
    Channel,
    FollowUpStatus,
    Notes,
    Outcome,
    ProspectStatus,
    uses_attempt,
)
from bot.domain.text import search_key
from bot.domain.timing import Appointment, local_date
from bot.services.access import Refused, Who, owned, take_over
from bot.services.cadences import CadenceBook
from bot.services.reps import ensure_rep
from bot.services.scheduling import parties_for, place, schedule, stored_appointment
from bot.services.uow import unit_of_work


class ProspectNotFound(Refused):
    """The submission names no prospect (neither one of the team's nor a new one)."""


@dataclass(frozen=True)
class NewProspect:
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    tz: str = "UTC"
    country: str | None = None  # ISO 3166 code (bot.services.countries.parse_country)


@dataclass(frozen=True)
class LogCall:
    team_id: str
    user_id: str
    rep_tz: str
    call_type: CallType
    outcome: Outcome
    submission_key: str
    prospect_id: int | None = None
    new_prospect: NewProspect | None = None
    notes: Notes = field(default_factory=Notes)
    next_date: date | None = None  # what the modal's date field held at submission
    suggested_date: date | None = None  # what the modal offered; a change is an override
    call_type_explicit: bool = True  # False: the type was left as offered (keep the cadence)
    take_over: bool = False  # the caller confirmed moving another rep's open follow-ups


@dataclass(frozen=True)
class ProspectView:
    id: int
    name: str
    company: str | None
    email: str | None
    phone: str | None
    tz: str
    status: str
    needs_verified_number: bool
    do_not_call: bool


@dataclass(frozen=True)
class LogResult:
    call_id: int
    prospect: ProspectView
    outcome: Outcome
    call_type: CallType
    attempt: int
    max_calls: int
    next_touch: Touch | None
    reason: str
    rep_tz: str
    duplicate: bool = False
    overridden: bool = False
    is_final_touch: bool = False  # the next touch ends the cadence: offer the breakup email
    appointment: Appointment | None = None  # the next touch's stored window


def _view(p: Prospect) -> ProspectView:
    return ProspectView(p.id, p.name, p.company, p.email, p.phone, p.tz, p.status,
                        p.needs_verified_number, p.do_not_call)


def local_today(now: datetime, tz: str) -> date:
    """The date at ``now`` in ``tz`` (bot.domain.timing.local_date, the one "today")."""
    return local_date(now, tz)


@dataclass(frozen=True)
class _Decision:
    cadence: Cadence
    started_on: date
    attempts: int
    plan: Plan


def _decide(book: CadenceBook, prospect: Prospect, call_type: CallType, explicit: bool,
            outcome: Outcome, today: date, calendar) -> _Decision:
    """What this call does to the prospect's cadence. ``today`` is the prospect's date:
    cadence days count in the calendar where the touches land."""
    cadence, continuing = _cadence_for(book, prospect, call_type, explicit)
    started_on = prospect.cadence_started_on if continuing else today
    unanswered = 1 if uses_attempt(outcome) else 0
    attempts = ((prospect.call_attempts or 0) if continuing else 0) + unanswered
    placed = cadence_after_call(book.cadences, cadence, started_on, outcome, today)
    if placed.restarted:  # a conversation on a cold sequence: the warm one starts today
        cadence, started_on, attempts = placed.cadence, placed.started_on, 0
    facts = CallFacts(outcome, today, started_on, attempts, bool(prospect.do_not_call),
                      bool(prospect.needs_verified_number), bool(prospect.email_opt_out))
    return _Decision(cadence, started_on, attempts,
                     plan_after_call(cadence, facts, book.rules, calendar))


def suggested_date(session: Session, book: CadenceBook, *, team_id: str, rep: Rep | None,
                   prospect: Prospect | None, call_type: CallType, now: datetime,
                   rep_tz: str) -> date | None:
    """The date the log form offers before the outcome is known: the rep-local day of the
    touch a "no answer" would schedule, computed exactly as logging it would. No rep yet:
    one in ``rep_tz``; no prospect: a new one, taken to be in the rep's zone (the form's
    default). Writes nothing: it detaches everything from ``session``, so call it last."""
    rep = rep or Rep(team_id=team_id, tz=rep_tz)
    prospect = prospect or Prospect(team_id=team_id, tz=rep_tz,
                                    status=ProspectStatus.ACTIVE.value)
    if prospect.do_not_call:
        return None
    today = local_date(now, prospect.tz)
    parties = parties_for(session, book, prospect, rep, today)
    decision = _decide(book, prospect, call_type, False, Outcome.NO_ANSWER, today,
                       parties.calendar)
    session.expunge_all()  # nothing here is to be written
    if decision.plan.next_touch is None:
        return None
    _, appointment = place(decision.plan.next_touch, parties, now)
    return local_date(appointment.start, rep.tz)


def _close_pending(session: Session, prospect: Prospect, today: date, now: datetime,
                   *, calls_only: bool) -> None:
    query = select(FollowUp).where(
        FollowUp.team_id == prospect.team_id,
        FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value,
    )
    if calls_only:
        query = query.where(FollowUp.channel == Channel.CALL.value)
    for follow_up in session.scalars(query):
        # A touch due by today was done by this call; a later one is replaced by the plan.
        done = follow_up.due_on <= today and follow_up.channel == Channel.CALL.value
        follow_up.status = (FollowUpStatus.DONE if done else FollowUpStatus.CANCELLED).value
        follow_up.completed_at = now


def _prospect(session: Session, command: LogCall, rep_id: int) -> tuple[Prospect, bool]:
    """(the prospect, whether this transaction inserted it: then no follow-up of it
    can be open, another rep's or any, and none is looked for)."""
    if command.prospect_id is not None:  # the team's prospects are shared: the one guard
        prospect = owned(session, Who.rep(command.team_id, command.user_id), Prospect,
                         command.prospect_id)
        take_over(session, prospect, rep_id, confirmed=command.take_over)
        return prospect, False
    return _new_prospect(session, command, rep_id), True


def _new_prospect(session: Session, command: LogCall, owner_id: int) -> Prospect:
    new = command.new_prospect
    if new is None:
        raise ProspectNotFound("Pick a prospect above, or type the new prospect's name.")
    prospect = Prospect(
        team_id=command.team_id, owner_rep_id=owner_id, name=new.name, company=new.company,
        email=new.email, phone=new.phone, tz=new.tz, status=ProspectStatus.ACTIVE.value,
        name_key=search_key(new.name)[:255], company_key=search_key(new.company)[:255],
        country=new.country,
    )
    session.add(prospect)
    session.flush()
    return prospect


def _cadence_for(book: CadenceBook, prospect: Prospect, call_type: CallType,
                 explicit: bool) -> tuple[Cadence, bool]:
    """(cadence, continuing). A running cadence goes on unless the rep chose another call
    type on purpose; a new prospect, a paused or ended one starts the type's cadence."""
    requested = book.for_call_type(call_type)
    running = (prospect.status == ProspectStatus.ACTIVE.value
               and prospect.cadence in book.cadences
               and prospect.cadence_started_on is not None)
    if running and (not explicit or requested.name == prospect.cadence):
        return book.cadences[prospect.cadence], True
    return requested, False


def _existing(session: Session, command: LogCall, book: CadenceBook) -> LogResult | None:
    call = session.scalar(
        select(Call).where(
            Call.team_id == command.team_id, Call.submission_key == command.submission_key
        )
    )
    if call is None:
        return None
    prospect = session.get(Prospect, call.prospect_id)
    follow_up = session.scalar(
        select(FollowUp).where(FollowUp.call_id == call.id, FollowUp.team_id == call.team_id)
    )
    touch = appointment = None
    if follow_up is not None:
        touch = Touch(follow_up.due_on, Channel(follow_up.channel), follow_up.purpose or "",
                      follow_up.step, follow_up.attempt_number, draft=follow_up.draft)
        appointment = stored_appointment(follow_up)
    return LogResult(call.id, _view(prospect), Outcome(call.outcome), CallType(call.call_type),
                     call.attempt_number, book.rules.max_calls, touch, "", command.rep_tz,
                     duplicate=True, appointment=appointment)


def _apply(session: Session, command: LogCall, book: CadenceBook, now: datetime) -> LogResult:
    rep = ensure_rep(session, command.team_id, command.user_id, default_tz=command.rep_tz)
    prospect, fresh = _prospect(session, command, rep.id)
    _team = session.get(Team, command.team_id)  # held: parties_for finds it, twice
    today = local_date(now, prospect.tz)  # where touches land: the prospect's calendar
    parties = parties_for(session, book, prospect, rep, today)
    decision = _decide(book, prospect, command.call_type, command.call_type_explicit,
                       command.outcome, today, parties.calendar)
    plan = decision.plan
    call = Call(
        team_id=command.team_id, prospect_id=prospect.id, rep_id=rep.id, called_at=now,
        outcome=command.outcome.value, call_type=command.call_type.value,
        attempt_number=decision.attempts, submission_key=command.submission_key,
        **command.notes.as_dict(),  # one column per NoteField
    )
    session.add(call)
    session.flush()
    if (plan.cancel_pending or plan.stop_calls) and not fresh:  # a new one has none
        _close_pending(session, prospect, today, now, calls_only=not plan.cancel_pending)
    prospect.status = plan.status.value
    prospect.do_not_call = prospect.do_not_call or plan.status is ProspectStatus.DO_NOT_CALL
    prospect.needs_verified_number = plan.needs_verified_number
    prospect.cadence, prospect.cadence_started_on = decision.cadence.name, decision.started_on
    prospect.call_attempts = decision.attempts
    touch, appointment, picked = plan.next_touch, None, _picked(command, plan, parties, now)
    reason = plan.reason
    if touch is None and command.next_date and command.next_date != command.suggested_date:
        reason = (reason + " The date you picked was not used.").strip()
    if touch is not None:
        follow_up, appointment = schedule(session, book, prospect, rep, touch, now,
                                          call_id=call.id, key=f"call:{call.id}:next",
                                          picked=picked, fresh=fresh)
        touch = Touch(follow_up.due_on, touch.channel, touch.purpose, touch.step,
                      touch.attempt, touch.kind, touch.draft)
    # The cadence ran out (call cap or last step done): its final touch is the breakup.
    final = touch is not None and touch.kind == "nurture"
    return LogResult(call.id, _view(prospect), command.outcome, command.call_type,
                     decision.attempts, book.rules.max_calls, touch, reason, rep.tz,
                     overridden=picked is not None, is_final_touch=final,
                     appointment=appointment)


def _picked(command: LogCall, plan: Plan, parties, now: datetime) -> date | None:
    """The rep-local day the rep chose in the modal, if they changed the suggestion to a
    day other than the one the outcome schedules anyway."""
    if plan.next_touch is None or command.next_date is None:
        return None
    if command.next_date == command.suggested_date:
        return None
    _, planned = place(plan.next_touch, parties, now)
    return None if command.next_date == local_date(planned.start, parties.rep_tz) \
        else command.next_date


def log_call(session_factory: sessionmaker[Session], command: LogCall, book: CadenceBook,
             now: datetime) -> LogResult:
    """Store the call once per submission key; a repeat returns the first result."""
    try:
        with unit_of_work(session_factory) as session:
            existing = _existing(session, command, book)
            if existing is not None:
                return existing
            return _apply(session, command, book, now)
    except IntegrityError:
        with unit_of_work(session_factory) as session:
            existing = _existing(session, command, book)
        if existing is None:
            raise
        return existing
