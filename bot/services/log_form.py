"""The use cases around :func:`bot.services.calls.log_call` that the Slack layer used to
assemble from five services: what the log form opens with, and what follows a log.

Both return plain data; the Slack layer draws it (bot.slack.logcall_view,
bot.slack.messages) and sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Prospect
from bot.domain.model import CallType
from bot.domain.prefill import Prefill, parse_logcall_text
from bot.services.access import held_by_another
from bot.services.cadences import CadenceBook
from bot.services.calls import LogResult, suggested_date
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import DraftRecord, drafts_after_log
from bot.services.due_items import call_type_for
from bot.services.prospects import ProspectOption, named_prospect, option_of, team_prospect
from bot.services.reps import find_rep
from bot.services.uow import unit_of_work


@dataclass(frozen=True)
class FormRequest:
    """Who opens the log form, and what they started from."""

    team_id: str
    user_id: str
    text: str = ""  # typed after the command: "Dana Whitfield, Acme"
    prospect_id: int | None = None  # a due item's prospect ("Log details"): preselected


@dataclass(frozen=True)
class LogForm:
    """What the log form opens with."""

    prefill: Prefill
    rep_tz: str  # the rep's stored zone, else the default
    rep_known: bool  # False: no rep row yet, so rep_tz is the default until Slack says
    prospect: ProspectOption | None  # preselected: the due item's, or the one name typed
    call_type: CallType  # continues the preselected prospect's cadence
    held_by: str | None  # another rep holds the prospect's open follow-ups: who
    suggested: date | None  # the next follow-up a "no answer" would get


def _preselected(session: Session, request: FormRequest, prefill: Prefill) -> Prospect | None:
    if request.prospect_id is not None:
        return team_prospect(session, request.team_id, request.prospect_id)
    return named_prospect(session, request.team_id, prefill.name, prefill.company)


def open_log_form(session_factory: sessionmaker[Session], book: CadenceBook,
                  request: FormRequest, *, now: datetime, default_tz: str) -> LogForm:
    """Everything the form shows, read in one unit of work. A rep seen for the first time
    gets ``default_tz`` and ``rep_known`` False: the caller may learn their zone (which
    takes a Slack round trip, after the form is open) and ask again."""
    prefill = parse_logcall_text(request.text)
    with unit_of_work(session_factory) as session:
        rep = find_rep(session, request.team_id, request.user_id)
        rep_tz = rep.tz if rep is not None else default_tz
        prospect = _preselected(session, request, prefill)
        match = option_of(prospect) if prospect is not None else None
        call_type = call_type_for(book, match.cadence) if match else CallType.COLD_CALL
        held_by = held_by_another(session, prospect, rep) if prospect is not None else None
        suggested = suggested_date(session, book, team_id=request.team_id, rep=rep,
                                   prospect=prospect, call_type=call_type, now=now,
                                   rep_tz=rep_tz)
    return LogForm(prefill, rep_tz, rep is not None, match, call_type, held_by, suggested)


@dataclass(frozen=True)
class AfterLog:
    """What follows a logged call besides its DM (which is drawn from the LogResult)."""

    drafts: list[DraftRecord]  # the emails the outcome and the next touch call for


def after_log(session_factory: sessionmaker[Session], renderer: DraftRenderer,
              book: CadenceBook, result: LogResult, notes: Mapping[str, str | None], *,
              now: datetime) -> AfterLog:
    """The drafts for this call, written once per call (a repeat returns none). ``notes``:
    what the rep wrote, keyed by NoteField; empty after a one-click log (the prospect's
    last notes are used)."""
    drafts = drafts_after_log(session_factory, renderer, result, dict(notes),
                              is_final=result.is_final_touch, now=now,
                              windows=book.windows, book=book)
    return AfterLog(drafts)
