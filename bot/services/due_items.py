"""Working the due list: one-click outcomes, snooze, skip, done. Stale clicks change nothing.

:func:`work_due_item` is the one use case behind every button on a due item; the smaller
functions it calls stay public for the services and tests that need one of them."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import EmailDraft, FollowUp, Prospect, Rep
from bot.domain.model import CallType, FollowUpStatus, Outcome
from bot.services.access import Refused, Who, owned
from bot.services.cadences import CadenceBook
from bot.services.calls import LogCall, LogResult, local_today, log_call
from bot.services.due_list import due_list_for
from bot.services.reps import find_rep
from bot.services.scheduling import rep_working_day, reschedule
from bot.services.touch_drafts import touch_drafts
from bot.services.touches import advance_cadence
from bot.services.uow import unit_of_work

SNOOZES = {"tomorrow": "Tomorrow", "3bd": "+3 business days", "next_week": "Next week"}


class StaleItem(Refused):
    """The button no longer applies; the message says why, in words for the rep."""


@dataclass(frozen=True)
class Item:
    follow_up_id: int
    prospect_id: int
    prospect_name: str
    company: str | None
    cadence: str | None
    rep_tz: str = "UTC"  # the rep's zone: a one-click log is dated on the rep's day


def _load(session: Session, team_id: str, user_id: str, follow_up_id: object
          ) -> tuple[FollowUp, Prospect, Rep]:
    """The rep's own pending item (the one guard decides whose it is), or Refused."""
    follow_up = owned(session, Who.rep(team_id, user_id), FollowUp, follow_up_id)
    rep = session.get(Rep, follow_up.rep_id)
    prospect = session.get(Prospect, follow_up.prospect_id)
    if prospect.do_not_call:
        raise StaleItem(f"{prospect.name} is on do-not-call now; nothing was logged.")
    if follow_up.status != FollowUpStatus.PENDING.value:
        raise StaleItem(f"This follow-up with {prospect.name} was already handled "
                        f"({follow_up.status}); nothing was changed.")
    return follow_up, prospect, rep


def check_item(session_factory, team_id: str, user_id: str, follow_up_id: object) -> Item:
    """The item behind a button, or Refused (StaleItem when it no longer applies)."""
    with unit_of_work(session_factory) as session:
        follow_up, prospect, rep = _load(session, team_id, user_id, follow_up_id)
        return Item(follow_up.id, prospect.id, prospect.name, prospect.company, prospect.cadence,
                    rep.tz)


def call_type_for(book: CadenceBook, cadence: str | None) -> CallType:
    """A call type that continues the prospect's current cadence."""
    for call_type, name in book.by_call_type.items():
        if name == cadence:
            return call_type
    return CallType.POST_VOICEMAIL


def quick_log(session_factory, book: CadenceBook, *, team_id: str, user_id: str,
              rep_tz: str | None = None, follow_up_id: object, outcome: Outcome,
              now: datetime) -> LogResult:
    """One click: log the call for this item with ``outcome``. A double click logs once.
    ``rep_tz`` defaults to the rep's stored zone."""
    item = check_item(session_factory, team_id, user_id, follow_up_id)
    command = LogCall(team_id=team_id, user_id=user_id, rep_tz=rep_tz or item.rep_tz,
                      call_type=call_type_for(book, item.cadence), outcome=outcome,
                      submission_key=f"quick:{item.follow_up_id}",
                      prospect_id=item.prospect_id, call_type_explicit=False)
    return log_call(session_factory, command, book, now)


@dataclass(frozen=True)
class Snoozed:
    prospect_name: str
    day: date  # rep-local
    promised: datetime | None = None  # the call time a sent voicemail email named
    prospect_tz: str = "UTC"


def _promised_time(session: Session, follow_up: FollowUp) -> datetime | None:
    """The start of this call touch if a voicemail email written for the call that
    scheduled it was sent (that email names the scheduled time when it fits the rep's
    hours)."""
    if (follow_up.channel != "call" or follow_up.call_id is None or follow_up.outside_hours
            or follow_up.window_start is None):
        return None
    sent = session.scalar(select(EmailDraft.id).where(
        EmailDraft.team_id == follow_up.team_id, EmailDraft.call_id == follow_up.call_id,
        EmailDraft.template == "voicemail", EmailDraft.status == "sent").limit(1))
    return follow_up.window_start if sent is not None else None


def snooze(session_factory, book: CadenceBook, *, team_id: str, user_id: str,
           follow_up_id: object, choice: str, now: datetime) -> Snoozed:
    """Move the item to the rep's next working day, their third working day from today, or
    their first working day of next week (days the rep sees: rep-local), with a new
    window on that day. Says when a sent voicemail email had promised the old time."""
    with unit_of_work(session_factory) as session:
        follow_up, prospect, rep = _load(session, team_id, user_id, follow_up_id)
        today = local_today(now, rep.tz)
        if choice == "tomorrow":
            day = rep_working_day(rep, today + timedelta(days=1))
        elif choice == "3bd":
            day = rep_working_day(rep, today, after=3)
        elif choice == "next_week":
            day = rep_working_day(rep, today + timedelta(days=7 - today.weekday()))
        else:
            raise StaleItem("Unknown snooze choice.")
        promised = _promised_time(session, follow_up)
        reschedule(session, book, follow_up, prospect, rep, now, picked=day)
        return Snoozed(prospect.name, day, promised, prospect.tz)


@contextmanager
def _once(session_factory):
    """A unit of work where losing a race to a second click reads as 'already handled'."""
    try:
        with unit_of_work(session_factory) as session:
            yield session
    except IntegrityError:
        raise StaleItem("Someone already handled this follow-up; nothing was changed.") from None


def skip(session_factory, book: CadenceBook, *, team_id: str, user_id: str,
         follow_up_id: object, now: datetime) -> tuple[str, date | None]:
    """Skip this step: it is marked skipped and the cadence's next step is scheduled."""
    with _once(session_factory) as session:
        follow_up, prospect, rep = _load(session, team_id, user_id, follow_up_id)
        follow_up.status, follow_up.completed_at = FollowUpStatus.SKIPPED.value, now
        session.flush()
        moved = advance_cadence(session, book, prospect, rep.id, follow_up, now)
        return prospect.name, local_today(moved[1].start, rep.tz) if moved else None


def mark_done(session_factory, book: CadenceBook, *, team_id: str, user_id: str,
              follow_up_id: object, now: datetime) -> str:
    """An email or LinkedIn step done outside the bot: the cadence moves on."""
    with _once(session_factory) as session:
        follow_up, prospect, rep = _load(session, team_id, user_id, follow_up_id)
        follow_up.status, follow_up.completed_at = FollowUpStatus.DONE.value, now
        session.flush()
        advance_cadence(session, book, prospect, rep.id, follow_up, now)
        return prospect.name


@dataclass(frozen=True)
class RepList:
    rep_tz: str
    today: date
    items: list


def rep_due_list(session_factory, *, team_id: str, user_id: str, now: datetime,
                 max_calls: int, windows) -> RepList:
    """The rep's overdue and due-today items right now (empty for an unknown rep)."""
    with unit_of_work(session_factory) as session:
        rep = find_rep(session, team_id, user_id)
        rep_id, tz = (rep.id, rep.tz) if rep else (None, "UTC")
    today = local_today(now, tz)
    if rep_id is None:
        return RepList(tz, today, [])
    items = due_list_for(session_factory, team_id, rep_id, today, max_calls, now=now,
                         rep_tz=tz)
    return RepList(tz, today, items)


def with_drafts(session_factory, renderer, *, team_id: str, items: list, shown: int,
                now: datetime) -> list:
    """``items`` with the words of the first ``shown`` written where missing (those a
    message cannot show wait for a later list: bot.services.touch_drafts)."""
    return touch_drafts(session_factory, renderer, team_id=team_id, items=items[:shown],
                        now=now) + list(items[shown:])


def due_list_to_show(session_factory, renderer, *, team_id: str, user_id: str, now: datetime,
                     max_calls: int, windows, shown: int) -> RepList:
    """The rep's list right now (/followups, a refresh after a click), the drafts of the
    ``shown`` items a message has room for written first."""
    listing = rep_due_list(session_factory, team_id=team_id, user_id=user_id, now=now,
                           max_calls=max_calls, windows=windows)
    items = with_drafts(session_factory, renderer, team_id=team_id, items=listing.items,
                        shown=shown, now=now)
    return RepList(listing.rep_tz, listing.today, items)


class Verb(StrEnum):
    """What a click on a due item asks for."""

    LOG = "log"  # one click logs the call with an outcome
    DETAILS = "details"  # the full log form for the item's prospect: nothing changes yet
    DONE = "done"  # an email or LinkedIn step done outside the bot
    SKIP = "skip"
    SNOOZE = "snooze"  # to ``choice``, a key of SNOOZES


@dataclass(frozen=True)
class DueAction:
    """A rep's click on a due item. ``follow_up_id`` is as the button named it (anyone can
    type one): :func:`work_due_item` checks whose the item is."""

    team_id: str
    user_id: str
    follow_up_id: int | None
    verb: Verb
    outcome: Outcome | None = None  # LOG
    choice: str | None = None  # SNOOZE


@dataclass(frozen=True)
class Worked:
    """What working a due item did, in plain data: the reply is built from it."""

    action: DueAction
    prospect_name: str
    prospect_id: int | None = None  # DETAILS and LOG
    logged: LogResult | None = None  # LOG: the call, for the post-log DM and its drafts
    next_day: date | None = None  # SKIP: the next touch's day (rep-local); None: no more
    snoozed: Snoozed | None = None  # SNOOZE


def work_due_item(session_factory, book: CadenceBook, action: DueAction,
                  now: datetime) -> Worked:
    """Work one item of the rep's due list: the one use case behind every button on it.
    Refused (StaleItem when the item no longer applies: handled, do-not-call) changes
    nothing; a double click on a one-click outcome logs once (``logged.duplicate``)."""
    who = {"team_id": action.team_id, "user_id": action.user_id,
           "follow_up_id": action.follow_up_id}
    if action.verb is Verb.DETAILS:
        item = check_item(session_factory, action.team_id, action.user_id, action.follow_up_id)
        return Worked(action, item.prospect_name, prospect_id=item.prospect_id)
    if action.verb is Verb.LOG:
        if action.outcome is None:
            raise StaleItem("That button names no outcome; nothing was logged.")
        logged = quick_log(session_factory, book, outcome=action.outcome, now=now, **who)
        return Worked(action, logged.prospect.name, prospect_id=logged.prospect.id,
                      logged=logged)
    if action.verb is Verb.DONE:
        return Worked(action, mark_done(session_factory, book, now=now, **who))
    if action.verb is Verb.SKIP:
        name, day = skip(session_factory, book, now=now, **who)
        return Worked(action, name, next_day=day)
    moved = snooze(session_factory, book, choice=action.choice or "", now=now, **who)
    return Worked(action, moved.prospect_name, snoozed=moved)
