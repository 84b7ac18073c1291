"""The morning due list: who gets it now, the list itself, and the once-a-day claim.

The database decides who sends: a ``digest_runs`` row per (team, rep, local date) is inserted
before anything is posted; its unique constraint lets exactly one process win. A claim is
final; a crashed claim is only taken over through :func:`reclaim`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, DigestRun, EmailDraft, FollowUp, Prospect, Rep
from bot.domain import digest as rules
from bot.domain.digest import DigestSettings, DueItem, RepRecord, RunRecord, TickReport
from bot.domain.model import FollowUpStatus, ProspectStatus
from bot.domain.windows import DEFAULT_WINDOWS
from bot.services.uow import unit_of_work

log = logging.getLogger(__name__)
SessionFactory = sessionmaker[Session]
FINAL_STATUSES = ("sent", "empty", "failed", "skipped")
OPEN_STATUSES = ("claimed", "sending")
# A literal, not a bound parameter: only then can SQLite (and a PostgreSQL generic plan)
# prove the query matches the partial index ix_follow_ups_open_rep_due.
_PENDING = literal_column(f"'{FollowUpStatus.PENDING.value}'")
_RETRY = "retry: "  # error prefix of a failure that posted nothing
_CHUNK = 500  # reps per query when looking up existing runs
Send = Callable[[RepRecord, list[DueItem], date], tuple[str, str] | None]


def due_list_for(session_factory: SessionFactory, team_id: str, rep_id: int, today: date,
                 max_calls: int, *, now: datetime | None = None,
                 windows: Sequence[tuple[time, time]] = DEFAULT_WINDOWS) -> list[DueItem]:
    """The rep's pending follow-ups due on or before ``today`` (overdue included), without
    do-not-call prospects, each with its prospect's latest call. Two queries in all.
    Ordered by due date and name, or by best call window when ``now`` is given."""
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(FollowUp, Prospect, Rep.tz)
            .join(Prospect, Prospect.id == FollowUp.prospect_id)
            .join(Rep, Rep.id == FollowUp.rep_id)
            .where(FollowUp.rep_id == rep_id, FollowUp.status == _PENDING,
                   FollowUp.due_on <= today, FollowUp.team_id == team_id,
                   Prospect.team_id == team_id, Prospect.do_not_call.is_(False),
                   Prospect.status != ProspectStatus.DO_NOT_CALL.value)
            .order_by(FollowUp.due_on, Prospect.name, FollowUp.id)
        ).all()
        ids = sorted({p.id for _, p, _ in rows})
        # A one-click log has no notes: show those of the latest call that has some, and
        # count a promised resource as owed until an email goes out after that call.
        latest, noted = _latest_calls(session, team_id, ids) if rows else ({}, {})
        sent = _last_email_sent(session, team_id, ids) if rows else {}
    items = []
    for follow_up, prospect, rep_tz in rows:
        call = latest.get(prospect.id)
        notes = noted.get(prospect.id)
        last_on = call.called_at.astimezone(ZoneInfo(rep_tz)).date() if call else None
        owed = notes and notes.resource_promised
        if owed and sent.get(prospect.id) and sent[prospect.id] >= notes.called_at:
            owed = None
        items.append(DueItem(
            follow_up_id=follow_up.id, prospect_id=prospect.id, prospect_name=prospect.name,
            company=prospect.company, phone=prospect.phone, prospect_tz=prospect.tz,
            due_on=follow_up.due_on, channel=follow_up.channel, step=follow_up.step,
            purpose=follow_up.purpose, attempt=follow_up.attempt_number, max_calls=max_calls,
            last_outcome=call and call.outcome, last_call_on=last_on,
            pain_point=notes and notes.pain_point, next_step=notes and notes.next_step,
            resource_owed=owed or None, overdue=follow_up.due_on < today))
    return rules.order_due_items(items, now, windows) if now is not None else items


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
    """When each prospect was last sent an email (a draft marked as sent)."""
    rows = session.execute(
        select(EmailDraft.prospect_id, func.max(EmailDraft.sent_at))
        .where(EmailDraft.prospect_id.in_(prospect_ids), EmailDraft.status == "sent",
               EmailDraft.team_id == team_id)
        .group_by(EmailDraft.prospect_id)).all()
    return {pid: _aware(at) for pid, at in rows if at is not None}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _insert_run(session_factory: SessionFactory, run: DigestRun) -> int | None:
    """Insert ``run``; None when the (team, rep, local date) row already exists."""
    team_id, rep_id, local_date = run.team_id, run.rep_id, run.local_date
    try:
        with unit_of_work(session_factory) as session:
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        with unit_of_work(session_factory) as session:
            if session.scalar(select(DigestRun.id).where(
                    DigestRun.team_id == team_id, DigestRun.rep_id == rep_id,
                    DigestRun.local_date == local_date)) is not None:
                return None
        raise  # not the unique key (e.g. an unknown rep): a real error


def claim(session_factory: SessionFactory, team_id: str, rep_id: int, local_date: date,
          now: datetime) -> int | None:
    """Take today's digest for this rep: the new run id, or None if a run already exists.
    Committed before returning; a claim is final (never re-sent by a plain tick)."""
    return _insert_run(session_factory, DigestRun(
        team_id=team_id, rep_id=rep_id, local_date=local_date, status="claimed",
        claimed_at=now))


def record_skip(session_factory: SessionFactory, team_id: str, rep_id: int, local_date: date,
                now: datetime, reason: str) -> bool:
    """Record a skipped digest once; False when that day already has a run."""
    return _insert_run(session_factory, DigestRun(
        team_id=team_id, rep_id=rep_id, local_date=local_date, status="skipped",
        claimed_at=now, finished_at=now, error=reason[:255])) is not None


def finish(session_factory: SessionFactory, run_id: int, *, status: str, now: datetime,
           channel: str | None = None, ts: str | None = None, error: str | None = None) -> bool:
    """Record a run's outcome; only an open run ('claimed' or 'sending') changes."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"unknown digest status {status!r}")
    with unit_of_work(session_factory) as session:
        result = session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, DigestRun.status.in_(OPEN_STATUSES))
            .values(status=status, finished_at=now, channel=channel, ts=ts,
                    error=error[:255] if error else None))
        return result.rowcount == 1


def stale_claims(session_factory: SessionFactory, now: datetime,
                 older_than: timedelta) -> list[RunRecord]:
    """Runs still 'claimed' (claim taken, outcome never recorded) for over ``older_than``."""
    with unit_of_work(session_factory) as session:
        runs = session.scalars(select(DigestRun).where(
            DigestRun.status == "claimed", DigestRun.claimed_at < now - older_than
        ).order_by(DigestRun.id)).all()
        names = [field.name for field in fields(RunRecord)]
        return [RunRecord(**{name: getattr(run, name) for name in names}) for run in runs]


def reclaim(session_factory: SessionFactory, run_id: int, now: datetime,
            older_than: timedelta) -> bool:
    """Atomically move a stale 'claimed' run to 'sending'; True for the one caller that won.

    The winner re-sends only if no message was recorded (ts is None). Honest limit: a crash
    after Slack accepted the post but before :func:`finish` stored its ts still leads to
    one duplicate DM; keep that gap short (finish right after posting) and ``older_than``
    well above the longest a live send can take, pacing included. A run is reclaimed at
    most once ('sending' is never stale), so a rep gets at most two DMs, never a loop.
    """
    with unit_of_work(session_factory) as session:
        result = session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, DigestRun.status == "claimed",
                   DigestRun.claimed_at < now - older_than)
            .values(status="sending", claimed_at=now))
        return result.rowcount == 1


def reps_to_consider(session_factory: SessionFactory, now: datetime) -> list[RepRecord]:
    """Active reps with the digest turned on (every zone: the decision is per rep)."""
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Rep.id, Rep.team_id, Rep.slack_user_id, Rep.tz, Rep.workday_start,
                   Rep.working_days)
            .where(Rep.active.is_(True), Rep.digest_enabled.is_(True)).order_by(Rep.id)
        ).all()
    return [RepRecord(*row) for row in rows]


def _existing_runs(session_factory: SessionFactory, wanted: list[tuple[RepRecord, date]]
                   ) -> dict[tuple[int, date], tuple[int, bool]]:
    """(rep id, local date) pairs that already have a run -> (run id, may be retried):
    one query per 500 reps."""
    found: dict[tuple[int, date], tuple[int, bool]] = {}
    with unit_of_work(session_factory) as session:
        for chunk in (wanted[i:i + _CHUNK] for i in range(0, len(wanted), _CHUNK)):
            rows = session.execute(select(
                DigestRun.rep_id, DigestRun.local_date, DigestRun.id, DigestRun.status,
                DigestRun.error, DigestRun.attempts).where(
                DigestRun.team_id.in_({rep.team_id for rep, _ in chunk}),
                DigestRun.rep_id.in_({rep.rep_id for rep, _ in chunk}),
                DigestRun.local_date.in_({day for _, day in chunk})))
            for rep_id, day, run_id, status, error, attempts in rows:
                retry = (status == "failed" and (error or "").startswith(_RETRY)
                         and attempts < rules.MAX_SEND_ATTEMPTS)
                found[(rep_id, day)] = (run_id, retry)
    return found


def retake(session_factory: SessionFactory, run_id: int, now: datetime) -> int | None:
    """Claim a run that failed before Slack posted anything, for another try. Atomic: of
    two processes, one wins."""
    with unit_of_work(session_factory) as session:
        won = session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, DigestRun.status == "failed",
                   DigestRun.error.startswith(_RETRY),
                   DigestRun.attempts < rules.MAX_SEND_ATTEMPTS)
            .values(status="claimed", claimed_at=now, attempts=DigestRun.attempts + 1,
                    error=None, finished_at=None)).rowcount == 1
    return run_id if won else None


def run_digest_tick(session_factory: SessionFactory, now: datetime, *,
                    settings_like: DigestSettings, send: Send, force: bool = False,
                    only_users: set[str] | None = None,
                    resume_stale_after: timedelta | None = None,
                    ignore_schedule: bool = False,
                    clock: Callable[[], datetime] | None = None,
                    workers: int = 1,
                    stop: Callable[[], bool] | None = None) -> TickReport:
    """One pass over every rep: claim and send where it is time, record past-cut-off skips.

    ``send(rep, items, local_date)`` posts the DM and returns (channel, ts), or None when
    it posted nothing (recorded as 'skipped'); an exception is recorded as 'failed' and
    not retried that day. ``force`` is the admin's explicit resend: it ignores the time
    of day and working days, always calls ``send`` (even with an empty list), and when a
    run already exists it sends anyway and records nothing new. ``resume_stale_after``
    takes over claims stuck longer than that (see :func:`reclaim`). ``ignore_schedule``
    (``digest --now``) sends to every rep now, still at most once per rep and local date.
    ``clock`` stamps each claim when it is taken (a long pass must not make its own
    late claims look stale to another process); ``now`` decides who is due.
    ``workers`` reps are handled at once (``send`` must then be thread-safe). ``stop``
    is asked before each rep: once it says yes, no new claim is taken (shutdown).
    """
    stamp = clock or (lambda: now)
    report = TickReport()
    reps = [rep for rep in reps_to_consider(session_factory, now)
            if only_users is None or rep.slack_user_id in only_users]
    if resume_stale_after is not None:
        _resume(session_factory, now, resume_stale_after, reps, settings_like, send, report)
    plans: list[tuple[RepRecord, date, str]] = []
    for rep in reps:
        decision = _decide(rep, now, settings_like, report)
        action = ("send" if force or (ignore_schedule and decision) else
                  decision.action if decision else "error")
        if decision is not None and action in ("send", "skip_past_cutoff"):
            plans.append((rep, decision.local_date, action))
        report.waiting += action == "wait"
        report.off_day += action == "skip_not_working_day"
    existing = _existing_runs(session_factory, [(rep, day) for rep, day, _ in plans])

    def handle(rep: RepRecord, day: date, action: str) -> TickReport:
        mine = TickReport()
        if stop is not None and stop():
            return mine
        taken = (rep.rep_id, day) in existing
        run_id, retry = existing.get((rep.rep_id, day), (None, False))
        try:
            if retry and action == "send" and retake(session_factory, run_id, stamp()):
                mine.retried += 1
                _deliver(session_factory, rep, day, run_id, now, settings_like, send, mine,
                         force=False)
            elif action == "skip_past_cutoff":
                recorded = not taken and record_skip(
                    session_factory, rep.team_id, rep.rep_id, day, now,
                    "past the cut-off before the digest could go out")
                mine.skipped += recorded
                mine.already_claimed += not recorded
            elif (run_id := None if taken else claim(
                    session_factory, rep.team_id, rep.rep_id, day, stamp())) or force:
                _deliver(session_factory, rep, day, run_id, now, settings_like, send, mine,
                         force=force)
            else:
                mine.already_claimed += 1
        except Exception:  # noqa: BLE001 - one rep's database trouble must not stop the rest
            log.exception("digest for rep %s on %s could not be handled", rep.rep_id, day)
            mine.failed += 1
        return mine

    # Sends wait on Slack (and on the workspace limiter); a few at once keep the pace
    # at the limit instead of at one round trip per rep. Claims keep it exactly-once.
    if workers <= 1 or len(plans) <= 1:
        parts = [handle(*plan) for plan in plans]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest") as pool:
            parts = list(pool.map(lambda plan: handle(*plan), plans))
    for part in parts:
        for field in fields(TickReport):
            setattr(report, field.name, getattr(report, field.name)
                    + getattr(part, field.name))
    return report


def _decide(rep: RepRecord, now: datetime, settings_like: DigestSettings,
            report: TickReport) -> rules.Decision | None:
    try:
        return rules.digest_decision(now, rep.tz, rep.workday_start, rep.working_days,
                               settings_like.digest_cutoff)
    except (ValueError, KeyError):  # an unknown zone name: ZoneInfoNotFoundError
        log.exception("rep %s has an unusable time zone %r", rep.rep_id, rep.tz)
        report.failed += 1
        return None


def _deliver(session_factory: SessionFactory, rep: RepRecord, day: date, run_id: int | None,
             now: datetime, settings_like: DigestSettings, send: Send, report: TickReport,
             *, force: bool) -> None:
    """Build the list and post it; record the outcome on ``run_id`` when there is one."""
    def record(status: str, **values: str | None) -> None:
        if run_id is not None:
            finish(session_factory, run_id, status=status, now=now, **values)

    try:
        items = due_list_for(session_factory, rep.team_id, rep.rep_id, day,
                             settings_like.max_call_attempts or 6, now=now,
                             windows=settings_like.call_windows)
        if not items and not settings_like.digest_when_empty and not force:
            record("empty")
            report.empty += 1
            return
        posted = send(rep, items, day)
    except rules.SendLater as exc:  # nothing was posted: a later tick may try again
        log.warning("digest for rep %s on %s not sent yet: %s", rep.rep_id, day, exc)
        record("failed", error=f"{_RETRY}{exc}"[:255])
        report.failed += 1
        return
    except Exception as exc:  # noqa: BLE001 - recorded on the run; the fan-out goes on
        log.exception("digest for rep %s on %s failed", rep.rep_id, day)
        record("failed", error=f"{type(exc).__name__}: {exc}")
        report.failed += 1
        return
    if posted is None:
        record("skipped", error="the notifier posted nothing")
        report.skipped += 1
    else:
        record("sent", channel=posted[0], ts=posted[1])
        report.sent += 1


def _resume(session_factory: SessionFactory, now: datetime, older_than: timedelta,
            reps: list[RepRecord], settings_like: DigestSettings, send: Send,
            report: TickReport) -> None:
    """Take over stale claims: re-send if still before the cut-off, else close as skipped."""
    by_id = {rep.rep_id: rep for rep in reps}
    for run in stale_claims(session_factory, now, older_than):
        rep = by_id.get(run.rep_id)
        if rep is None or not reclaim(session_factory, run.id, now, older_than):
            continue
        report.resumed += 1
        decision = _decide(rep, now, settings_like, report)
        try:
            if run.ts is not None:  # it was posted after all
                finish(session_factory, run.id, status="sent", now=now, channel=run.channel,
                       ts=run.ts)
            elif decision and (decision.local_date, decision.action) == (run.local_date, "send"):
                _deliver(session_factory, rep, run.local_date, run.id, now, settings_like,
                         send, report, force=False)
            else:
                finish(session_factory, run.id, status="skipped", now=now,
                       error="interrupted before sending; not resumed before the cut-off")
                report.skipped += 1
        except Exception:  # noqa: BLE001 - as in run_digest_tick
            log.exception("resuming digest run %s failed", run.id)
            report.failed += 1
