"""The due list as it was computed before batching (one rep, ORM entities): kept only so
tests can check that the batched computation returns exactly the same lists.

The rep's due list: the open touches whose stored window starts before the end of the
rep's day (overdue ones included), in window order, with the notes that matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep
from bot.domain.drafts import NOTE_DRAFTS
from bot.domain.due_list import DueItem
from bot.domain.model import FollowUpStatus, ProspectStatus
from bot.domain.timing import day_bounds
from bot.services.uow import unit_of_work

SessionFactory = sessionmaker[Session]
# A literal, not a bound parameter: only then can SQLite (and a PostgreSQL generic plan)
# prove the query matches the partial index ix_follow_ups_open_rep_window.
_PENDING = literal_column(f"'{FollowUpStatus.PENDING.value}'")


def due_list_for(session_factory: SessionFactory, team_id: str, rep_id: int, today: date,
                 max_calls: int, *, now: datetime | None = None,
                 rep_tz: str | None = None) -> list[DueItem]:
    """The rep's open touches whose stored window starts before the end of ``today``
    (rep-local), without do-not-call prospects, each with its prospect's latest call, in
    window order, each with its own draft's id when one was written. Overdue: the window
    ended before ``now`` (before ``today`` began when ``now`` is not given). Three queries
    in all (four without ``rep_tz``). Reads only: drafts are written by
    :func:`bot.services.touch_drafts.touch_drafts`."""
    with unit_of_work(session_factory) as session:
        if rep_tz is None:
            rep_tz = session.scalar(select(Rep.tz).where(Rep.id == rep_id)) or "UTC"
        day_start, day_end = day_bounds(today, rep_tz)
        rows = session.execute(
            select(FollowUp, Prospect, EmailDraft.id)
            .join(Prospect, Prospect.id == FollowUp.prospect_id)
            # The touch's own draft, if written (one per touch), and still its rep's.
            .outerjoin(EmailDraft, and_(EmailDraft.follow_up_id == FollowUp.id,
                                        EmailDraft.rep_id == FollowUp.rep_id))
            .where(FollowUp.rep_id == rep_id, FollowUp.status == _PENDING,
                   FollowUp.window_start < day_end, FollowUp.team_id == team_id,
                   Prospect.team_id == team_id, Prospect.do_not_call.is_(False),
                   Prospect.status != ProspectStatus.DO_NOT_CALL.value)
            .order_by(FollowUp.window_start, Prospect.name, FollowUp.id)
        ).all()
        history = _history(session, team_id, sorted({p.id for _, p, _ in rows}))
    late_before, zone = now or day_start, ZoneInfo(rep_tz)
    return [_due_item(follow_up, prospect, draft_id, history, zone=zone, max_calls=max_calls,
                      late_before=late_before)
            for follow_up, prospect, draft_id in rows]


@dataclass(frozen=True)
class _History:
    """What the listed prospects' past says: each one's latest call, latest call with
    notes, and latest email sent (by prospect id)."""

    latest: dict[int, Call]
    noted: dict[int, Call]
    sent: dict[int, datetime]


def _due_item(follow_up: FollowUp, prospect: Prospect, draft_id: int | None,
              history: _History, *, zone: ZoneInfo, max_calls: int,
              late_before: datetime) -> DueItem:
    """One touch of the list, with the notes that matter (a promised resource is owed
    until an email goes out after the call that promised it)."""
    call = history.latest.get(prospect.id)
    notes = history.noted.get(prospect.id)
    last_on = call.called_at.astimezone(zone).date() if call else None
    owed = notes and notes.resource_promised
    sent = history.sent.get(prospect.id)
    if owed and sent and sent >= notes.called_at:
        owed = None
    return DueItem(
        follow_up_id=follow_up.id, prospect_id=prospect.id, prospect_name=prospect.name,
        company=prospect.company, phone=prospect.phone, prospect_tz=prospect.tz,
        due_on=follow_up.due_on, channel=follow_up.channel, step=follow_up.step,
        purpose=follow_up.purpose, attempt=follow_up.attempt_number, max_calls=max_calls,
        last_outcome=call and call.outcome, last_call_on=last_on,
        pain_point=notes and notes.pain_point, next_step=notes and notes.next_step,
        resource_owed=owed or None, overdue=follow_up.window_end < late_before,
        window_start=follow_up.window_start, window_end=follow_up.window_end,
        outside_hours=follow_up.outside_hours, draft=follow_up.draft, draft_id=draft_id)


def _history(session: Session, team_id: str, prospect_ids: list[int]) -> _History:
    """A one-click log has no notes: the list shows those of the latest call that has
    some, and counts a promised resource as owed until an email goes out after that call.
    Two queries (none for an empty list)."""
    if not prospect_ids:
        return _History({}, {}, {})
    latest, noted = _latest_calls(session, team_id, prospect_ids)
    return _History(latest, noted, _last_email_sent(session, team_id, prospect_ids))


def _latest_calls(session: Session, team_id: str, prospect_ids: list[int]
                  ) -> tuple[dict[int, Call], dict[int, Call]]:
    """Each prospect's latest call, and latest call with notes: one query over those
    prospects' calls, newest first, on the (prospect_id, called_at) index. Only
    prospect_id is in the WHERE clause: a team_id condition made SQLite pick the
    (team_id, submission_key) index and scan the team's whole history. A prospect has a
    handful of calls (the cadence caps them), so reading them all is cheap."""
    latest: dict[int, Call] = {}
    noted: dict[int, Call] = {}
    calls = session.scalars(
        select(Call).where(Call.prospect_id.in_(prospect_ids))
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
