"""The use cases around :func:`bot.services.calls.log_call` that the Slack layer used to
assemble from five services: what the log form opens with, and what follows a log.

Both return plain data; the Slack layer draws it (bot.slack.logcall_view,
bot.slack.messages) and sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import FollowUp, Prospect, Rep, Team
from bot.domain.model import CallType, FollowUpStatus
from bot.domain.prefill import Prefill, parse_logcall_text
from bot.services.access import held_by_another
from bot.services.cadences import CadenceBook
from bot.services.calls import LogResult, suggested_date
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import DraftRecord, drafts_after_log
from bot.services.due_items import call_type_for
from bot.services.prospects import ProspectOption, option_of, stored_key
from bot.services.uow import read_only


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


def _form_statement(by: str | None):
    """The rep, the team (parties_for then finds it in the session: no query of its own),
    the preselected prospect (``by`` "id", "name" or "name+company"; None: no prospect)
    and whether another rep holds open follow-ups on it, in one SELECT: /logcall waits on
    it before the modal opens. Outer joins from a one-row table, so a rep, team or
    prospect not found is None; two rows mean two prospects have the typed name (then
    none is preselected). Built once per shape; the request's values are bound."""
    team = bindparam("team_id")
    query = (select(Rep, Team).select_from(select(literal_column("1")).subquery())
             .outerjoin(Rep, and_(Rep.team_id == team,
                                  Rep.slack_user_id == bindparam("user_id")))
             .outerjoin(Team, Team.id == team))
    if by is None:
        return query
    where = [Prospect.team_id == team]
    where += [Prospect.id == bindparam("prospect_id")] if by == "id" else \
        [Prospect.name_key == bindparam("name_key")]
    if by == "name+company":
        where.append(Prospect.company_key == bindparam("company_key"))
    theirs = exists().where(  # what bot.services.access.held_by_another looks for
        FollowUp.team_id == Prospect.team_id, FollowUp.prospect_id == Prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value,
        FollowUp.rep_id != func.coalesce(Rep.id, -1))
    return query.add_columns(Prospect, theirs).outerjoin(Prospect, and_(*where)).limit(2)


_STATEMENTS = {by: _form_statement(by) for by in (None, "id", "name", "name+company")}


def _lookup(request: FormRequest, prefill: Prefill) -> tuple[str | None, dict]:
    """Which prospect the form opens with: the due item's (by id, if the team's), else
    the one the typed name (and company) names (bot.services.prospects.named_prospect)."""
    params = {"team_id": request.team_id, "user_id": request.user_id}
    if request.prospect_id is not None:
        return "id", {**params, "prospect_id": request.prospect_id}
    if not prefill.name:
        return None, params
    params["name_key"] = stored_key(prefill.name)
    if not prefill.company:
        return "name", params
    return "name+company", {**params, "company_key": stored_key(prefill.company)}


@dataclass(frozen=True)
class _Read:
    """What :func:`_form_query` found. ``team`` is held for as long as the unit of work
    runs: the session only keeps weak references, and parties_for asks it for the team
    by key (found in the session, the team costs no query)."""

    rep: Rep | None
    team: Team | None
    prospect: Prospect | None
    held: bool  # another rep holds open follow-ups on the prospect


def _read_form(session: Session, request: FormRequest, prefill: Prefill) -> _Read:
    by, params = _lookup(request, prefill)
    rows = session.execute(_STATEMENTS[by], params).all()
    rep, team = rows[0][0], rows[0][1]
    if by is None or len(rows) != 1 or rows[0][2] is None:
        return _Read(rep, team, None, False)
    return _Read(rep, team, rows[0][2], bool(rows[0][3]))


def open_log_form(session_factory: sessionmaker[Session], book: CadenceBook,
                  request: FormRequest, *, now: datetime, default_tz: str) -> LogForm:
    """Everything the form shows, read in one read-only unit of work (one SELECT, unless
    another rep holds the prospect: then who, in two more). A rep seen for the first time
    gets ``default_tz`` and ``rep_known`` False: the caller may learn their zone (which
    takes a Slack round trip, after the form is open) and ask again."""
    prefill = parse_logcall_text(request.text)
    with read_only(session_factory) as session:
        found = _read_form(session, request, prefill)
        rep, prospect = found.rep, found.prospect
        rep_tz = rep.tz if rep is not None else default_tz
        match = option_of(prospect) if prospect is not None else None
        call_type = call_type_for(book, match.cadence) if match else CallType.COLD_CALL
        held_by = held_by_another(session, prospect, rep) if found.held else None
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
