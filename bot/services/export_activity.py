"""What the team did, as CSV for a spreadsheet or BI tool: one row per call, or per touch
(a follow-up the cadence scheduled). Shared rules (escaping, streaming, the rep's own
calendar for a date range) are in bot.services.export.

Codes, not words, in the ``*_code`` columns (``meeting_booked``, ``cold_call``): they
never change with the wording of the form, so formulas and pivots keep working; the
``*_label`` beside them is what the rep saw. Instants are UTC (``...Z``); the
``*_rep_local_date`` columns are the rep's own day, the day the bot counts them on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, FollowUp, Prospect, Rep
from bot.domain.model import CallType, NoteField, Outcome
from bot.domain.timing import local_date
from bot.services.export import cells, check_range, csv_writer, on_rep_days, utc_text
from bot.services.uow import unit_of_work

CALL_HEADERS = (
    "call_id", "rep_user_id", "rep_name", "prospect_id", "prospect", "company",
    "outcome_code", "outcome_label", "call_type_code", "call_type_label", "attempt_number",
    *(field.value for field in NoteField), "called_at_utc", "rep_local_date")
TOUCH_HEADERS = (
    "touch_id", "rep_user_id", "rep_name", "prospect_id", "prospect", "company", "channel",
    "step", "purpose", "status", "due_on", "window_start_utc", "window_end_utc",
    "completed_at_utc", "due_rep_local_date", "completed_rep_local_date", "call_id")
# Rows fetched at a time: a call row carries five free-text notes, and a fetch is held
# while the next one is read, so two of these are in memory at the peak.
STREAM = 500


def _label(kind: type[StrEnum], code: str) -> str:
    """The words the rep saw; a code this version does not know stays as it is."""
    try:
        return kind(code).label
    except ValueError:
        return code


def _rep_day(moment: datetime | None, tz: str) -> date | None:
    return None if moment is None else local_date(moment, tz)


def _stream(session_factory: sessionmaker[Session], out: TextIO, headers: Sequence[str],
            query: Callable[[Session], Select], row_cells: Callable) -> int:
    """Header, then one line per row as the database hands them over (``yield_per``:
    column rows, so nothing piles up in the session either); returns the row count."""
    writer = csv_writer(out)
    writer.writerow(headers)
    count = 0
    with unit_of_work(session_factory) as session:
        for row in session.execute(query(session).execution_options(yield_per=STREAM)):
            writer.writerow(cells(row_cells(row)))
            count += 1
    return count


def export_calls(session_factory: sessionmaker[Session], team_id: str, out: TextIO, *,
                 since: date | None = None, until: date | None = None) -> int:
    """Every call the team logged, in the order they were logged; ``since`` / ``until``:
    on those days of the rep who logged it. Returns how many."""
    check_range(since, until)

    def query(session: Session) -> Select:
        return (select(Call.id, Rep.slack_user_id, Rep.name, Rep.tz, Prospect.id,
                       Prospect.name, Prospect.company, Call.outcome, Call.call_type,
                       Call.attempt_number,
                       *(getattr(Call, field.value) for field in NoteField),
                       Call.called_at)
                .join(Rep, Rep.id == Call.rep_id)
                .join(Prospect, Prospect.id == Call.prospect_id)
                .where(Call.team_id == team_id,
                       on_rep_days(session, team_id, Call.called_at, since, until))
                .order_by(Call.id))

    def row_cells(row) -> tuple:
        (call_id, user, name, tz, prospect_id, prospect, company, outcome, call_type,
         attempt, *notes, called_at) = row
        return (call_id, user, name, prospect_id, prospect, company, outcome,
                _label(Outcome, outcome), call_type, _label(CallType, call_type), attempt,
                *notes, utc_text(called_at), _rep_day(called_at, tz))

    return _stream(session_factory, out, CALL_HEADERS, query, row_cells)


def export_touches(session_factory: sessionmaker[Session], team_id: str, out: TextIO, *,
                   since: date | None = None, until: date | None = None) -> int:
    """Every follow-up the team's cadences scheduled (pending, done, skipped, cancelled),
    by due day; ``since`` / ``until``: due on those days (``due_on``, the prospect's
    business day the cadence chose). Returns how many."""
    check_range(since, until)

    def query(_session: Session) -> Select:
        conditions = [FollowUp.team_id == team_id]
        if since is not None:
            conditions.append(FollowUp.due_on >= since)
        if until is not None:
            conditions.append(FollowUp.due_on <= until)
        return (select(FollowUp.id, Rep.slack_user_id, Rep.name, Rep.tz, Prospect.id,
                       Prospect.name, Prospect.company, FollowUp.channel, FollowUp.step,
                       FollowUp.purpose, FollowUp.status, FollowUp.due_on,
                       FollowUp.window_start, FollowUp.window_end, FollowUp.completed_at,
                       FollowUp.call_id)
                .join(Rep, Rep.id == FollowUp.rep_id)
                .join(Prospect, Prospect.id == FollowUp.prospect_id)
                .where(*conditions)
                .order_by(FollowUp.due_on, FollowUp.id))

    def row_cells(row) -> tuple:
        (touch_id, user, name, tz, prospect_id, prospect, company, channel, step, purpose,
         status, due_on, start, end, completed_at, call_id) = row
        due_local = _rep_day(start, tz) or due_on  # the day it is on the rep's list
        return (touch_id, user, name, prospect_id, prospect, company, channel, step,
                purpose, status, due_on, utc_text(start), utc_text(end),
                utc_text(completed_at), due_local, _rep_day(completed_at, tz), call_id)

    return _stream(session_factory, out, TOUCH_HEADERS, query, row_cells)
