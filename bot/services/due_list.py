"""The rep's due list: the open touches whose stored window starts before the end of the
rep's day (overdue ones included), in window order, with the notes that matter.

:func:`due_lists_for` computes many reps' lists at once, in three queries per
:data:`CHUNK` reps: the morning's thousands of lists then cost a few dozen queries instead
of three per rep (statement building and round trips were most of a list's time, the
database's own work a tenth of it: docs/benchmarks.md). :func:`due_list_for` is one rep's
list, computed the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep
from bot.domain.drafts import NOTE_DRAFTS
from bot.domain.due_list import DueItem
from bot.domain.model import FollowUpStatus, ProspectStatus
from bot.domain.timing import day_bounds
from bot.services.uow import read_only

SessionFactory = sessionmaker[Session]
CHUNK = 500  # reps per query: a few thousand bound ids at most, one short read each
# A literal, not a bound parameter: only then can SQLite (and a PostgreSQL generic plan)
# prove the query matches the partial index ix_follow_ups_open_rep_window.
_PENDING = literal_column(f"'{FollowUpStatus.PENDING.value}'")
# Plain columns, not ORM entities: a list needs a dozen values per touch, and building
# identity-mapped objects for them cost more than the query.
_TOUCH = (FollowUp.team_id, Prospect.team_id.label("prospect_team"), FollowUp.rep_id,
          FollowUp.id.label("follow_up_id"), FollowUp.due_on,
          FollowUp.channel, FollowUp.step, FollowUp.purpose, FollowUp.attempt_number,
          FollowUp.window_start, FollowUp.window_end, FollowUp.outside_hours, FollowUp.draft,
          Prospect.id.label("prospect_id"), Prospect.name.label("prospect_name"),
          Prospect.company, Prospect.phone, Prospect.tz.label("prospect_tz"),
          EmailDraft.id.label("draft_id"))
_CALL = (Call.prospect_id, Call.team_id, Call.called_at, Call.outcome, Call.pain_point,
         Call.next_step, Call.resource_promised)


@dataclass(frozen=True)
class Wanted:
    """Whose list, for which of their days (``today``, in their zone ``rep_tz``)."""

    rep_id: int
    today: date
    rep_tz: str


def due_list_for(session_factory: SessionFactory, team_id: str, rep_id: int, today: date,
                 max_calls: int, *, now: datetime | None = None,
                 rep_tz: str | None = None) -> list[DueItem]:
    """The rep's open touches whose stored window starts before the end of ``today``
    (rep-local), without do-not-call prospects, each with its prospect's latest call, in
    window order, each with its own draft's id when one was written. Overdue: the window
    ended before ``now`` (before ``today`` began when ``now`` is not given). Three queries
    in all (four without ``rep_tz``). Reads only: drafts are written by
    :func:`bot.services.touch_drafts.touch_drafts`."""
    with read_only(session_factory) as session:
        if rep_tz is None:
            rep_tz = session.scalar(select(Rep.tz).where(Rep.id == rep_id)) or "UTC"
        return _lists(session, team_id, [Wanted(rep_id, today, rep_tz)], max_calls,
                      now)[rep_id]


def due_lists_for(session_factory: SessionFactory, team_id: str, wanted: Sequence[Wanted],
                  max_calls: int, *, now: datetime | None = None) -> dict[int, list[DueItem]]:
    """Each wanted rep's :func:`due_list_for` (one per rep id, empty lists included), in
    three queries per :data:`CHUNK` reps, each chunk in a read-only unit of work of its
    own (a short snapshot; on SQLite no write lock)."""
    lists: dict[int, list[DueItem]] = {}
    for start in range(0, len(wanted), CHUNK):
        with read_only(session_factory) as session:
            lists.update(_lists(session, team_id, wanted[start:start + CHUNK], max_calls,
                                now))
    return lists


def _lists(session: Session, team_id: str, wanted: Sequence[Wanted], max_calls: int,
           now: datetime | None) -> dict[int, list[DueItem]]:
    """One chunk: every listed rep's touches before the latest of their days' ends, each
    rep then keeping those before its own day's end (reps in other zones end their day
    at other instants)."""
    bounds = {want.rep_id: day_bounds(want.today, want.rep_tz) for want in wanted}
    zones = {want.rep_id: ZoneInfo(want.rep_tz) for want in wanted}
    latest_end = max(end for _start, end in bounds.values())
    rows = [row for row in _open_touches(session, sorted(bounds), latest_end)
            if row.window_start < bounds[row.rep_id][1]
            and row.team_id == team_id and row.prospect_team == team_id]
    history = _history(session, team_id, sorted({row.prospect_id for row in rows}))
    lists: dict[int, list[DueItem]] = {rep_id: [] for rep_id in bounds}
    for row in rows:
        lists[row.rep_id].append(_due_item(
            row, history, zone=zones[row.rep_id], max_calls=max_calls,
            late_before=now or bounds[row.rep_id][0]))
    return lists


def _open_touches(session: Session, rep_ids: list[int], before: datetime) -> list[Row]:
    """The reps' pending touches whose window starts before ``before``, without
    do-not-call prospects, by rep and then in window order, on the partial index
    ix_follow_ups_open_rep_window. The caller keeps its team's: with a team_id condition
    here, SQLite (which has no statistics: the bot never runs ANALYZE) chose an index led
    by team_id for a list of reps and read the team's whole history, 50x slower."""
    return session.execute(
        select(*_TOUCH)
        .join(Prospect, Prospect.id == FollowUp.prospect_id)
        # The touch's own draft, if written (one per touch), and still its rep's.
        .outerjoin(EmailDraft, and_(EmailDraft.follow_up_id == FollowUp.id,
                                    EmailDraft.rep_id == FollowUp.rep_id))
        .where(FollowUp.rep_id.in_(rep_ids), FollowUp.status == _PENDING,
               FollowUp.window_start < before, Prospect.do_not_call.is_(False),
               Prospect.status != ProspectStatus.DO_NOT_CALL.value)
        .order_by(FollowUp.rep_id, FollowUp.window_start, Prospect.name, FollowUp.id)
    ).all()


@dataclass(frozen=True)
class _History:
    """What the listed prospects' past says: each one's latest call, latest call with
    notes (rows of :data:`_CALL`), and latest email sent (by prospect id)."""

    latest: dict[int, Row]
    noted: dict[int, Row]
    sent: dict[int, datetime]


def _due_item(row: Row, history: _History, *, zone: ZoneInfo, max_calls: int,
              late_before: datetime) -> DueItem:
    """One touch of the list, with the notes that matter (a promised resource is owed
    until an email goes out after the call that promised it)."""
    call = history.latest.get(row.prospect_id)
    notes = history.noted.get(row.prospect_id)
    last_on = call.called_at.astimezone(zone).date() if call else None
    owed = notes and notes.resource_promised
    sent = history.sent.get(row.prospect_id)
    if owed and sent and sent >= notes.called_at:
        owed = None
    return DueItem(
        follow_up_id=row.follow_up_id, prospect_id=row.prospect_id,
        prospect_name=row.prospect_name, company=row.company, phone=row.phone,
        prospect_tz=row.prospect_tz, due_on=row.due_on, channel=row.channel, step=row.step,
        purpose=row.purpose, attempt=row.attempt_number, max_calls=max_calls,
        last_outcome=call and call.outcome, last_call_on=last_on,
        pain_point=notes and notes.pain_point, next_step=notes and notes.next_step,
        resource_owed=owed or None, overdue=row.window_end < late_before,
        window_start=row.window_start, window_end=row.window_end,
        outside_hours=row.outside_hours, draft=row.draft, draft_id=row.draft_id)


def _history(session: Session, team_id: str, prospect_ids: list[int]) -> _History:
    """A one-click log has no notes: the list shows those of the latest call that has
    some, and counts a promised resource as owed until an email goes out after that call.
    Two queries (none for an empty list)."""
    if not prospect_ids:
        return _History({}, {}, {})
    latest, noted = _latest_calls(session, team_id, prospect_ids)
    return _History(latest, noted, _last_email_sent(session, team_id, prospect_ids))


def _latest_calls(session: Session, team_id: str, prospect_ids: list[int]
                  ) -> tuple[dict[int, Row], dict[int, Row]]:
    """Each prospect's latest call, and latest call with notes: one query over those
    prospects' calls, newest first, on the (prospect_id, called_at) index. Only
    prospect_id is in the WHERE clause: a team_id condition made SQLite pick the
    (team_id, submission_key) index and scan the team's whole history. A prospect has a
    handful of calls (the cadence caps them), so reading them all is cheap."""
    latest: dict[int, Row] = {}
    noted: dict[int, Row] = {}
    calls = session.execute(
        select(*_CALL).where(Call.prospect_id.in_(prospect_ids))
        .order_by(Call.prospect_id, Call.called_at.desc(), Call.id.desc()))
    for call in calls:
        if call.team_id != team_id:
            continue
        latest.setdefault(call.prospect_id, call)
        if call.prospect_id not in noted and (call.pain_point or call.next_step
                                              or call.resource_promised):
            noted[call.prospect_id] = call
    return latest, noted


def _last_email_sent(session: Session, team_id: str,
                     prospect_ids: list[int]) -> dict[int, datetime]:
    """When each prospect was last sent an email (a draft marked as sent; a LinkedIn note
    is not an email)."""
    rows = session.execute(
        select(EmailDraft.prospect_id, func.max(EmailDraft.sent_at))
        .where(EmailDraft.prospect_id.in_(prospect_ids), EmailDraft.status == "sent",
               EmailDraft.team_id == team_id, EmailDraft.template.not_in(NOTE_DRAFTS))
        .group_by(EmailDraft.prospect_id)).all()
    return {pid: _aware(at) for pid, at in rows if at is not None}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
