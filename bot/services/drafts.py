"""Email drafts: written after a log, edited, marked as sent. A draft belongs to its rep:
every id from a request goes through :func:`bot.services.access.owned`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep
from bot.domain.asks import ask_context, promised_retry, propose_slots
from bot.domain.cadence import Touch
from bot.domain.calendar import as_calendar
from bot.domain.drafts import EMAIL_STEP_DRAFTS, check_draft, drafts_after_call
from bot.domain.model import Channel, FollowUpStatus, NoteField
from bot.domain.timing import Parties, WorkHours
from bot.services.access import Refused, Who, owned, rep_of
from bot.services.cadences import CadenceBook
from bot.services.calls import LogResult, local_today
from bot.services.draft_templates import DraftRenderer
from bot.services.scheduling import parties_for
from bot.services.touches import advance_cadence
from bot.services.uow import unit_of_work

STEP_KINDS = frozenset(EMAIL_STEP_DRAFTS)  # drafts written for a cadence email step
NOTE_KEYS = tuple(field.value for field in NoteField)


class DraftBlocked(Refused):
    """The prospect is on do-not-call: no email goes out."""


@dataclass(frozen=True)
class DraftRecord:
    id: int
    team_id: str
    rep_id: int
    prospect_id: int
    call_id: int | None
    kind: str
    subject: str
    body: str
    status: str
    to_email: str | None
    prospect_name: str
    company: str | None
    hints: list[str] = field(default_factory=list)
    notice: str = ""  # e.g. "your team's template failed, the built-in one was used"
    problems: list[str] = field(default_factory=list)  # quality checks the text fails
    follow_up_id: int | None = None  # the touch this draft is the words of, if any


def _record(draft: EmailDraft, prospect: Prospect, hints=(), notice="") -> DraftRecord:
    return DraftRecord(draft.id, draft.team_id, draft.rep_id, draft.prospect_id, draft.call_id,
                       draft.template, draft.subject, draft.body, draft.status, prospect.email,
                       prospect.name, prospect.company, list(hints), notice,
                       list(draft.problems or []), draft.follow_up_id)


def _context(prospect: Prospect, rep: Rep, notes: dict) -> dict:
    first = (prospect.name or "").split(" ")[0]
    return {
        "prospect": {"name": prospect.name or "", "first_name": first,
                     "company": prospect.company or "", "email": prospect.email or ""},
        "rep": {"name": rep.name or ""},
        "notes": {key: (notes.get(key) or "").strip() for key in NOTE_KEYS},
    }


def write_draft(session: Session, renderer: DraftRenderer, kind: str, prospect: Prospect,
                rep: Rep, notes: dict, ask: dict, call_id: int | None,
                follow_up_id: int | None = None) -> DraftRecord:
    """Render ``kind`` from these notes and store it as a draft (``follow_up_id``: the touch
    it is the words of, if any). Flushed: the unique follow_up_id is checked here."""
    draft = renderer.render(kind, ask=ask, **_context(prospect, rep, notes))
    row = EmailDraft(team_id=prospect.team_id, prospect_id=prospect.id, rep_id=rep.id,
                     call_id=call_id, template=kind, subject=draft.subject[:255], body=draft.body,
                     status="draft", problems=[p.message for p in draft.problems],
                     follow_up_id=follow_up_id)
    session.add(row)
    session.flush()
    notice = draft.fallback_reason if draft.used_builtin_fallback else ""
    return _record(row, prospect, draft.hints, notice)


def _parties(session: Session, book: CadenceBook | None, prospect: Prospect, rep: Rep,
             today: date, windows, holidays) -> Parties:
    """Both people as the scheduler sees them (the prospect's country calendar, the
    team's call windows, the rep's hours); without a cadence book, from what was passed."""
    if book is not None:
        return parties_for(session, book, prospect, rep, today)
    hours = WorkHours(rep.work_start or time(8), rep.work_end or time(18),
                      rep.working_days or "12345")
    return Parties(prospect.tz, rep.tz, as_calendar(holidays), tuple(windows or ()), hours)


def _ask(session: Session, book: CadenceBook | None, result: LogResult, prospect: Prospect,
         rep: Rep, now: datetime, windows, holidays) -> dict:
    """The times the outcome's drafts name, all from the stored appointment: the voicemail
    email promises the scheduled call (when it may: bot.domain.asks.promised_retry), and a
    recap proposes two times, the scheduled call first (bot.domain.asks.propose_slots)."""
    today = local_today(now, prospect.tz)
    parties = _parties(session, book, prospect, rep, today, windows, holidays)
    touch = result.next_touch
    call = (result.appointment if result.appointment is not None and touch is not None
            and touch.channel is Channel.CALL else None)
    retry_at = promised_retry(call, today=today, calendar=parties.calendar)
    slots = propose_slots(parties, today=today, now=now, scheduled=call)
    return ask_context(today, retry_at=retry_at, prospect_tz=prospect.tz,
                       holidays=parties.calendar, slots=slots)


def drafts_after_log(session_factory: sessionmaker[Session], renderer: DraftRenderer,
                     result: LogResult, notes: dict, *, is_final: bool, now: datetime,
                     windows, holidays=frozenset(),
                     book: CadenceBook | None = None) -> list[DraftRecord]:
    """The drafts this outcome and the next touch call for. Once per call. ``book``: the
    team's cadence book (the prospect's country calendar); else ``windows``/``holidays``."""
    touch: Touch | None = result.next_touch
    kinds = drafts_after_call(result.outcome.value, touch.draft if touch else None, is_final)
    if not kinds or result.prospect.do_not_call:
        return []
    with unit_of_work(session_factory) as session:
        call = session.get(Call, result.call_id)
        prospect = session.get(Prospect, call.prospect_id)
        rep = session.get(Rep, call.rep_id)
        if not any(notes.values()):  # a one-click log: the last notes still apply
            notes = latest_notes(session, prospect)[0]
        already = {d.template for d in session.scalars(select(EmailDraft).where(
            EmailDraft.team_id == call.team_id, EmailDraft.call_id == call.id))}
        ask = _ask(session, book, result, prospect, rep, now, windows, holidays)
        drafts = [write_draft(session, renderer, kind, prospect, rep, notes, ask, call.id)
                  for kind in kinds if kind not in already]
    return [_adopted(session_factory, draft) if draft.kind in STEP_KINDS else draft
            for draft in drafts]


def _adopted(session_factory, draft: DraftRecord) -> DraftRecord:
    """The draft written after a log for the touch that log scheduled becomes that touch's
    own draft (its words in the due list, the rep's edits kept), unless the touch has one
    already. Its own transaction: losing the one-per-touch race leaves it a plain draft."""
    try:
        with unit_of_work(session_factory) as session:
            touch = session.scalar(select(FollowUp).where(
                FollowUp.team_id == draft.team_id, FollowUp.call_id == draft.call_id,
                FollowUp.prospect_id == draft.prospect_id, FollowUp.rep_id == draft.rep_id,
                FollowUp.status == FollowUpStatus.PENDING.value,
                FollowUp.channel == Channel.EMAIL.value, FollowUp.draft == draft.kind))
            if touch is None or session.scalar(select(EmailDraft.id).where(
                    EmailDraft.follow_up_id == touch.id)) is not None:
                return draft
            session.scalars(select(EmailDraft).where(
                EmailDraft.id == draft.id)).one().follow_up_id = touch.id
        return replace(draft, follow_up_id=touch.id)
    except IntegrityError:  # a list being built wrote the touch's draft a moment ago
        return draft


def latest_notes(session: Session, prospect: Prospect) -> tuple[dict, int | None]:
    """The notes of the prospect's latest call that has any (a one-click log has none)."""
    calls = session.scalars(select(Call).where(
        Call.team_id == prospect.team_id, Call.prospect_id == prospect.id,
    ).order_by(Call.called_at.desc(), Call.id.desc()).limit(20)).all()
    for call in calls:
        notes = {key: getattr(call, key) for key in NOTE_KEYS}
        if any(notes.values()):
            return notes, call.id
    return {}, calls[0].id if calls else None


def draft_breakup(session_factory, renderer: DraftRenderer, *, who: Who, prospect_id: object,
                  now: datetime) -> DraftRecord:
    """A breakup email, drafted for the asking rep, for any of the team's prospects."""
    with unit_of_work(session_factory) as session:
        prospect = owned(session, who, Prospect, prospect_id)
        rep = rep_of(session, who)
        if prospect.do_not_call:
            raise DraftBlocked(prospect.name)
        notes, call_id = latest_notes(session, prospect)
        ask = ask_context(local_today(now, prospect.tz), retry_at=None,
                          prospect_tz=prospect.tz)
        return write_draft(session, renderer, "breakup", prospect, rep, notes, ask, call_id)


def _load(session: Session, who: Who, draft_id: object) -> tuple[EmailDraft, Prospect]:
    draft = owned(session, who, EmailDraft, draft_id)
    return draft, session.get(Prospect, draft.prospect_id)


def get_draft(session_factory, who: Who, draft_id: object) -> DraftRecord:
    """The draft ``draft_id`` names, if ``who`` may see it (else Refused)."""
    with unit_of_work(session_factory) as session:
        return _record(*_load(session, who, draft_id))


def stored_draft(session_factory, team_id: str, draft_id: int) -> DraftRecord:
    """A draft by an id the bot read from its own database (a scheduled job), never by an
    id from a request: those go through :func:`get_draft`."""
    with unit_of_work(session_factory) as session:
        draft = session.scalars(select(EmailDraft).where(
            EmailDraft.id == draft_id, EmailDraft.team_id == team_id)).one()
        return _record(draft, session.get(Prospect, draft.prospect_id))


def edit_draft(session_factory, *, who: Who, draft_id: object, subject: str,
               body: str) -> DraftRecord:
    """The rep's edit becomes the draft. Only the rep who owns it may edit it."""
    with unit_of_work(session_factory) as session:
        draft, prospect = _load(session, who, draft_id)
        draft.subject, draft.body = subject, body
        call = session.get(Call, draft.call_id) if draft.call_id is not None else None
        notes = {key: getattr(call, key) for key in NOTE_KEYS} if call is not None else None
        draft.problems = [p.message for p in check_draft(draft.template, subject, body,
                                                         company=prospect.company,
                                                         notes=notes)]
        return _record(draft, prospect)


class Marked(NamedTuple):
    """What "mark a draft sent" did: the draft as it is now, and whether this request is
    the one that marked it (False: it was already sent; nothing changed)."""

    draft: DraftRecord
    newly: bool


def mark_sent(session_factory, book: CadenceBook, *, who: Who, draft_id: object,
              now: datetime) -> Marked:
    """Record the email touch on the prospect's timeline and in the cadence. A second
    click (even a simultaneous one) changes nothing. Refused (nothing changed) unless
    ``who`` may act on the draft; DraftBlocked when the prospect is on do-not-call."""
    try:
        return _mark_sent(session_factory, book, who=who, draft_id=draft_id, now=now)
    except IntegrityError:  # the other click won
        return Marked(get_draft(session_factory, who, draft_id), False)


def _mark_sent(session_factory, book: CadenceBook, *, who: Who, draft_id: object,
               now: datetime) -> Marked:
    with unit_of_work(session_factory) as session:
        draft, prospect = _load(session, who, draft_id)
        team_id = draft.team_id
        if draft.status == "sent":
            return Marked(_record(draft, prospect), False)
        if prospect.do_not_call:
            raise DraftBlocked(prospect.name)
        draft.status, draft.sent_at = "sent", now
        draft.remind_at = None  # sent: no reminder any more
        today: date = local_today(now, prospect.tz)
        due_email = _touch_sent(session, draft, prospect, today)
        if due_email is not None:  # the cadence's email step is done: on to the next
            due_email.status, due_email.completed_at = FollowUpStatus.DONE.value, now
            session.flush()
            advance_cadence(session, book, prospect, draft.rep_id, due_email, now)
        else:  # an extra touch (a recap, a breakup): on the timeline as done
            session.add(FollowUp(
                team_id=team_id, prospect_id=prospect.id, rep_id=draft.rep_id,
                call_id=draft.call_id, due_on=today, step=-1,
                purpose=f"Email sent: {draft.template}",
                channel=Channel.EMAIL.value, status=FollowUpStatus.DONE.value,
                idempotency_key=f"draft:{draft.id}:sent", completed_at=now))
        return Marked(_record(draft, prospect), True)


def _touch_sent(session: Session, draft: EmailDraft, prospect: Prospect,
                today: date) -> FollowUp | None:
    """The pending touch a sent draft completes. A touch's own draft: exactly that touch
    (None once it was handled some other way). Otherwise a draft written for a cadence
    email step completes that step, even sent early; a recap, voicemail or confirmation
    email completes only a step due by today. Only the draft's rep's own step: a
    team-mate's email on the prospect (a breakup) goes on the timeline without touching
    the owner's cadence."""
    pending = (FollowUp.team_id == draft.team_id, FollowUp.prospect_id == prospect.id,
               FollowUp.rep_id == draft.rep_id,
               FollowUp.status == FollowUpStatus.PENDING.value)
    if draft.follow_up_id is not None:
        return session.scalar(select(FollowUp).where(FollowUp.id == draft.follow_up_id,
                                                     *pending))
    query = select(FollowUp).where(*pending, FollowUp.channel == Channel.EMAIL.value)
    if draft.template not in STEP_KINDS:
        query = query.where(FollowUp.due_on <= today)
    return session.scalar(query.order_by(FollowUp.due_on).limit(1))
