"""log_call: store a call, branch on its outcome, schedule the next touch. One transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, FollowUp, Prospect, Rep, Team
from bot.domain.cadence import CallFacts, Plan, Touch, guard_schedule, next_step, plan_after_call
from bot.domain.model import CallType, Channel, FollowUpStatus, Outcome, ProspectStatus
from bot.domain.text import search_key
from bot.services.access import Refused, Who, owned, take_over
from bot.services.cadences import CadenceBook
from bot.services.reps import ensure_rep
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


@dataclass(frozen=True)
class Notes:
    pain_point: str | None = None
    objection: str | None = None
    next_step: str | None = None
    personal_detail: str | None = None
    resource_promised: str | None = None


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


def _view(p: Prospect) -> ProspectView:
    return ProspectView(p.id, p.name, p.company, p.email, p.phone, p.tz, p.status,
                        p.needs_verified_number, p.do_not_call)


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def suggest_next_date(
    book: CadenceBook, call_type: CallType, now: datetime, tz: str
) -> date | None:
    """The date the modal offers before the outcome is known: the cadence's next step
    as if this call started it and nobody answered."""
    today = local_today(now, tz)
    cadence = book.for_call_type(call_type)
    facts = CallFacts(Outcome.NO_ANSWER, today, today, 0)
    touch = next_step(cadence, facts, book.rules, book.holidays((today.year, today.year + 1)))
    return touch.due_on if touch else None


def schedule_touch(session: Session, prospect: Prospect, rep_id: int, touch: Touch,
                   *, call_id: int | None, key: str) -> FollowUp:
    """The only way a follow-up row is written. Refuses do-not-call prospects; a touch
    already pending (same step, channel and day) is not written twice."""
    guard_schedule(prospect.do_not_call)
    same = session.scalar(select(FollowUp).where(
        FollowUp.team_id == prospect.team_id, FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value, FollowUp.step == touch.step,
        FollowUp.channel == touch.channel.value, FollowUp.due_on == touch.due_on))
    if same is not None:
        return same
    follow_up = FollowUp(
        team_id=prospect.team_id, prospect_id=prospect.id, rep_id=rep_id, call_id=call_id,
        due_on=touch.due_on, step=touch.step, purpose=touch.purpose[:255],
        channel=touch.channel.value, status=FollowUpStatus.PENDING.value,
        attempt_number=touch.attempt, idempotency_key=key,
    )
    session.add(follow_up)
    return follow_up


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


def _prospect(session: Session, command: LogCall, owner_id: int) -> Prospect:
    if command.prospect_id is not None:  # the team's prospects are shared: the one guard
        return owned(session, Who.rep(command.team_id, command.user_id), Prospect,
                     command.prospect_id)
    new = command.new_prospect
    if new is None:
        raise ProspectNotFound("Pick a prospect above, or type the new prospect's name.")
    prospect = Prospect(
        team_id=command.team_id, owner_rep_id=owner_id, name=new.name, company=new.company,
        email=new.email, phone=new.phone, tz=new.tz, status=ProspectStatus.ACTIVE.value,
        name_key=search_key(new.name)[:255], company_key=search_key(new.company)[:255],
    )
    session.add(prospect)
    session.flush()
    return prospect


def _cadence_for(book: CadenceBook, prospect: Prospect, command: LogCall):
    """(cadence, continuing). A running cadence goes on unless the rep chose another call
    type on purpose; a new prospect, a paused or ended one starts the type's cadence."""
    requested = book.for_call_type(command.call_type)
    running = (prospect.status == ProspectStatus.ACTIVE.value
               and prospect.cadence in book.cadences
               and prospect.cadence_started_on is not None)
    if running and (not command.call_type_explicit or requested.name == prospect.cadence):
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
    touch = None
    if follow_up is not None:
        touch = Touch(follow_up.due_on, Channel(follow_up.channel), follow_up.purpose or "",
                      follow_up.step, follow_up.attempt_number)
    return LogResult(call.id, _view(prospect), Outcome(call.outcome), CallType(call.call_type),
                     call.attempt_number, book.rules.max_calls, touch, "", command.rep_tz,
                     duplicate=True)


def _apply(session: Session, command: LogCall, book: CadenceBook, now: datetime) -> LogResult:
    rep = ensure_rep(session, command.team_id, command.user_id, default_tz=command.rep_tz)
    prospect = _prospect(session, command, rep.id)
    take_over(session, prospect, rep.id, confirmed=command.take_over)
    # The later of the two local dates: a rep in Sydney working a Los Angeles prospect
    # has already done "Tuesday" while it is still Monday there.
    today = max(local_today(now, prospect.tz), local_today(now, rep.tz))
    cadence, continuing = _cadence_for(book, prospect, command)
    started_on = prospect.cadence_started_on if continuing else today
    unanswered = 1 if command.outcome in (Outcome.VOICEMAIL, Outcome.NO_ANSWER) else 0
    attempts = (prospect.call_attempts if continuing else 0) + unanswered
    team = session.get(Team, command.team_id)
    holidays = book.holidays((today.year, today.year + 1), team.holiday_country if team else None)
    facts = CallFacts(command.outcome, today, started_on, attempts,
                      prospect.do_not_call, prospect.needs_verified_number)
    plan: Plan = plan_after_call(cadence, facts, book.rules, holidays)
    notes = command.notes
    call = Call(
        team_id=command.team_id, prospect_id=prospect.id, rep_id=rep.id, called_at=now,
        outcome=command.outcome.value, call_type=command.call_type.value,
        pain_point=notes.pain_point, objection=notes.objection, next_step=notes.next_step,
        personal_detail=notes.personal_detail, resource_promised=notes.resource_promised,
        attempt_number=attempts, submission_key=command.submission_key,
    )
    session.add(call)
    session.flush()
    if plan.cancel_pending or plan.stop_calls:
        _close_pending(session, prospect, today, now, calls_only=not plan.cancel_pending)
    prospect.status = plan.status.value
    prospect.do_not_call = prospect.do_not_call or plan.status is ProspectStatus.DO_NOT_CALL
    prospect.needs_verified_number = plan.needs_verified_number
    prospect.cadence, prospect.cadence_started_on = cadence.name, started_on
    prospect.call_attempts = attempts
    touch, overridden = plan.next_touch, False
    if (touch is not None and command.next_date is not None
            and command.next_date != command.suggested_date and command.next_date != touch.due_on):
        touch = Touch(command.next_date, touch.channel, touch.purpose, touch.step,
                      touch.attempt, touch.kind)
        overridden = True
    reason = plan.reason
    if touch is None and command.next_date and command.next_date != command.suggested_date:
        reason = (reason + " The date you picked was not used.").strip()
    if touch is not None:
        schedule_touch(session, prospect, rep.id, touch, call_id=call.id,
                       key=f"call:{call.id}:next")
    # The cadence ran out (call cap or last step done): its final touch is the breakup.
    final = touch is not None and touch.kind == "nurture"
    return LogResult(call.id, _view(prospect), command.outcome, command.call_type, attempts,
                     book.rules.max_calls, touch, reason, rep.tz, overridden=overridden,
                     is_final_touch=final)


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


def advance_cadence(session: Session, book: CadenceBook, prospect: Prospect, rep_id: int,
                    handled: FollowUp, now: datetime) -> Touch | None:
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
    reference = max(local_today(now, prospect.tz), handled.due_on)
    team = session.get(Team, prospect.team_id)
    holidays = book.holidays((reference.year, reference.year + 1),
                             team.holiday_country if team else None)
    facts = CallFacts(Outcome.CONNECTED, reference, prospect.cadence_started_on,
                      prospect.call_attempts, False, prospect.needs_verified_number)
    plan = plan_after_call(cadence, facts, book.rules, holidays)
    if plan.next_touch is None:
        return None
    prospect.status = plan.status.value
    schedule_touch(session, prospect, rep_id, plan.next_touch, call_id=handled.call_id,
                   key=f"after:{handled.id}")
    return plan.next_touch


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
        today = max(local_today(now, prospect.tz), local_today(now, rep.tz))
        team = session.get(Team, team_id)
        holidays = book.holidays((today.year, today.year + 1),
                                 team.holiday_country if team else None)
        facts = CallFacts(Outcome.CONNECTED, today, prospect.cadence_started_on,
                          prospect.call_attempts)
        touch = next_step(cadence, facts, book.rules, holidays)
        if touch is None:
            return prospect.name, None
        schedule_touch(session, prospect, rep.id, touch, call_id=None,
                       key=f"verified:{prospect.id}:{now.isoformat()}")
        return prospect.name, touch
