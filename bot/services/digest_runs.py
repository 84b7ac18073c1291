"""Digest runs: the once-a-day claim per (team, rep, local date) and the lease on it.

The database decides who sends: a ``digest_runs`` row per (team, rep, local date) is inserted
before anything is posted; its unique constraint lets exactly one sender win. The winner
(``owner``: host, pid and pass) holds the run under a short lease (``lease_until``) that a
:class:`Lease` renews on its own thread while the pass runs, however long Slack or the
workspace limiter makes a send wait. A run whose lease ran out belongs to a sender that
stopped (killed, crashed, frozen): the next pass of any process, a pass already under way
that left the run to that sender (it looks again every third of a lease), or ``digest
--now`` takes it over at once (:func:`take_over`), so a dead sender's reps wait about one
lease plus one tick (30 s + 20 s by default: inside a minute), not the old 15 minutes. A
run claimed by a sender from before leases has no ``lease_until`` and is taken over only
after :data:`LEGACY_STALE`, so a rolling upgrade never steals a live old sender's run.

Exactly once, and where it is honestly not:

- Two live senders never both post for one run: a claim is an insert on the unique key, a
  takeover and a retake are conditional updates (one winner), and a live sender's lease
  never runs out while its process runs and reaches the database.
- Slack accepted the post and the sender died before :func:`finish` stored the ts: the
  taker sees no ts and posts again, one duplicate DM (chat.postMessage has no idempotency
  key). ``finish`` runs right after the post, so the gap is a round trip to the database.
- A sender that cannot reach the database for longer than a lease loses its runs while it
  may still reach Slack. It checks :meth:`Lease.held` before posting (no post once less
  than a third of its last confirmed lease is left); a post already in flight at that
  moment can still double one DM.
- ``lease_until`` is written with the sender's clock and compared with the taker's: the
  hosts' clocks must agree to well within a third of the lease (NTP does).
- Each takeover is an attempt: after MAX_SEND_ATTEMPTS the run is closed as failed, so a
  list that kills its sender every time cannot loop through the fleet.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import DigestRun
from bot.domain.due_list import (
    FINAL_STATUSES,
    MAX_SEND_ATTEMPTS,
    OPEN_STATUSES,
    RETRY_PREFIX,
    RepRecord,
    RunRecord,
)
from bot.services.uow import unit_of_work

log = logging.getLogger(__name__)
SessionFactory = sessionmaker[Session]
Clock = Callable[[], datetime]
# A stopped sender's runs are free for the taking this long after its last renewal
# (the default of DIGEST_LEASE_SECONDS).
LEASE = timedelta(seconds=30)
LEGACY_STALE = timedelta(minutes=15)  # runs claimed before leases (lease_until NULL)
_CHUNK = 500  # reps per query when looking up existing runs
_RUNS = DigestRun.__table__
# A claim and a finish per rep and morning: built once, with the values bound, since
# building and caching an ORM statement took longer than the database ran it (the
# fan-out profile, issue 15; measured 0.9 -> 0.4 ms of CPU per finish).
_FINISH = (_RUNS.update()
           .where(_RUNS.c.id == bindparam("run_id"), _RUNS.c.status.in_(OPEN_STATUSES))
           .values(status=bindparam("to_status"), finished_at=bindparam("at"),
                   channel=bindparam("to_channel"), ts=bindparam("to_ts"),
                   error=bindparam("to_error")))
_FINISH_HELD = _FINISH.where(_RUNS.c.owner == bindparam("held_by"))


def new_owner() -> str:
    """A sender's name: host, pid (which process sent, for people and tests) and a random
    part (one per pass, so two passes of one process never share a lease)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """One pass's hold on the runs it claims: ``owner``, and ``length`` from each renewal.

    :meth:`kept` renews every run the owner holds every ``renew_every`` seconds (a third of
    the lease by default) on a thread of its own, so a send blocked on Slack or the limiter
    keeps its run. ``clock`` stamps ``lease_until`` (inject it in tests)."""

    def __init__(self, session_factory: SessionFactory, clock: Clock, *,
                 length: timedelta = LEASE, owner: str | None = None,
                 renew_every: float | None = None):
        self.session_factory, self.clock, self.length = session_factory, clock, length
        self.owner = owner or new_owner()
        self.renew_every = renew_every or length.total_seconds() / 3
        self.renewals = 0  # successful renewals, for people and tests
        self._confirmed = clock() + length  # every open run of ours holds at least this
        self._changed = threading.Condition()

    def until(self) -> datetime:
        """``lease_until`` for a run claimed or taken over now."""
        return self.clock() + self.length

    def renew(self) -> int:
        """Push back the lease of every open run this owner holds; how many there were."""
        until = self.until()
        with unit_of_work(self.session_factory) as session:
            count = session.execute(
                update(DigestRun)
                .where(DigestRun.owner == self.owner, DigestRun.status.in_(OPEN_STATUSES))
                .values(lease_until=until)).rowcount
        with self._changed:
            self._confirmed, self.renewals = until, self.renewals + 1
            self._changed.notify_all()
        return count

    def held(self) -> bool:
        """True while the last confirmed lease has over a third of its length left: only
        then may a send post (another sender could take the run once the lease is gone)."""
        return self.clock() < self._confirmed - self.length / 3

    def wait_renewed(self, count: int, timeout: float) -> bool:
        """Block until :meth:`renew` has succeeded ``count`` times (for tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.renewals >= count, timeout)

    @contextmanager
    def kept(self) -> Iterator[Lease]:
        """Renew in the background while the block runs; stop when it ends (or dies)."""
        self._confirmed = self.until()
        stop = threading.Event()

        def keep() -> None:
            while not stop.wait(self.renew_every):
                try:
                    self.renew()
                except SQLAlchemyError:  # held() turns False if this goes on
                    log.warning("could not renew the digest lease of %s", self.owner,
                                exc_info=True)

        thread = threading.Thread(target=keep, name=f"lease-{self.owner}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()


def _record(run: DigestRun) -> RunRecord:
    return RunRecord(**{field.name: getattr(run, field.name) for field in fields(RunRecord)})


def _insert_run(session_factory: SessionFactory, **values) -> int | None:
    """Insert a run of ``values``; None when the (team, rep, local date) row already
    exists."""
    try:
        with unit_of_work(session_factory) as session:
            return session.execute(_RUNS.insert(), values).inserted_primary_key[0]
    except IntegrityError:
        with unit_of_work(session_factory) as session:
            if session.scalar(select(DigestRun.id).where(
                    DigestRun.team_id == values["team_id"], DigestRun.rep_id == values["rep_id"],
                    DigestRun.local_date == values["local_date"])) is not None:
                return None
        raise  # not the unique key (e.g. an unknown rep): a real error


def claim(session_factory: SessionFactory, team_id: str, rep_id: int, local_date: date,
          now: datetime, *, owner: str | None = None,
          lease_until: datetime | None = None) -> int | None:
    """Take the rep's digest for ``local_date``: the new run id, or None if a run already
    exists. Committed before returning. Without ``lease_until`` (as senders from before
    leases did) the run is taken over only after :data:`LEGACY_STALE`."""
    return _insert_run(session_factory, team_id=team_id, rep_id=rep_id, local_date=local_date,
                       status="claimed", claimed_at=now, owner=owner, lease_until=lease_until)


def record_skip(session_factory: SessionFactory, team_id: str, rep_id: int, local_date: date,
                now: datetime, reason: str) -> bool:
    """Record a skipped digest once; False when that day already has a run."""
    return _insert_run(session_factory, team_id=team_id, rep_id=rep_id, local_date=local_date,
                       status="skipped", claimed_at=now, finished_at=now,
                       error=reason[:255]) is not None


def finish(session_factory: SessionFactory, run_id: int, *, status: str, now: datetime,
           channel: str | None = None, ts: str | None = None, error: str | None = None,
           owner: str | None = None) -> bool:
    """Record a run's outcome; only an open run changes, and with ``owner`` only while that
    sender still holds it (a run taken over is the taker's to finish)."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"unknown digest status {status!r}")
    values = {"run_id": run_id, "to_status": status, "at": now, "to_channel": channel,
              "to_ts": ts, "to_error": error[:255] if error else None}
    if owner is not None:
        values["held_by"] = owner
    with unit_of_work(session_factory) as session:
        return session.execute(_FINISH if owner is None else _FINISH_HELD,
                               values).rowcount == 1


def _expired(now: datetime, legacy_after: timedelta):
    """SQL twin of :func:`bot.domain.due_list.lease_expired`."""
    return and_(DigestRun.status.in_(OPEN_STATUSES), or_(
        DigestRun.lease_until <= now,
        and_(DigestRun.lease_until.is_(None), DigestRun.claimed_at <= now - legacy_after)))


def expired_runs(session_factory: SessionFactory, now: datetime, *,
                 legacy_after: timedelta = LEGACY_STALE) -> list[RunRecord]:
    """Open runs whose sender stopped renewing (oldest first)."""
    with unit_of_work(session_factory) as session:
        runs = session.scalars(select(DigestRun).where(_expired(now, legacy_after))
                               .order_by(DigestRun.id)).all()
        return [_record(run) for run in runs]


def take_over(session_factory: SessionFactory, run_id: int, now: datetime, *, owner: str,
              lease_until: datetime, legacy_after: timedelta = LEGACY_STALE
              ) -> Literal["taken", "held", "given_up"]:
    """Atomically take an open run whose lease ran out: 'taken' for the one caller that
    won (the run is 'sending' under the new owner); 'held' when it is not up for taking
    (a live lease, another taker was first, or it is finished). Each takeover counts as an
    attempt: once MAX_SEND_ATTEMPTS are spent the run is closed as failed ('given_up')."""
    with unit_of_work(session_factory) as session:
        if session.execute(
                update(DigestRun)
                .where(DigestRun.id == run_id, _expired(now, legacy_after),
                       DigestRun.attempts < MAX_SEND_ATTEMPTS)
                .values(status="sending", owner=owner, lease_until=lease_until,
                        attempts=DigestRun.attempts + 1)).rowcount == 1:
            return "taken"
        given_up = session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, _expired(now, legacy_after),
                   DigestRun.attempts >= MAX_SEND_ATTEMPTS)
            .values(status="failed", finished_at=now,
                    error=f"gave up: its sender stopped {MAX_SEND_ATTEMPTS} times")).rowcount
        return "given_up" if given_up == 1 else "held"


def retake(session_factory: SessionFactory, run: RunRecord, now: datetime, *, owner: str,
           lease_until: datetime) -> bool:
    """Claim a finished run again, atomically (one of two senders wins): a failure that
    posted nothing (counted as another attempt), or, for ``digest --now``, a day recorded as
    skipped or empty. The run must still be as ``run`` describes it."""
    retry = run.status == "failed"
    condition = ([DigestRun.error.startswith(RETRY_PREFIX),
                  DigestRun.attempts < MAX_SEND_ATTEMPTS] if retry else [])
    with unit_of_work(session_factory) as session:
        return session.execute(
            update(DigestRun)
            .where(DigestRun.id == run.id, DigestRun.status == run.status, *condition)
            .values(status="claimed", claimed_at=now, owner=owner, lease_until=lease_until,
                    attempts=DigestRun.attempts + (1 if retry else 0), error=None,
                    finished_at=None, channel=None, ts=None)).rowcount == 1


def existing_runs(session_factory: SessionFactory, wanted: list[tuple[RepRecord, date]]
                  ) -> dict[tuple[int, date], RunRecord]:
    """The runs the wanted (rep, local date) pairs already have: one query per 500 reps."""
    found: dict[tuple[int, date], RunRecord] = {}
    pairs = {(rep.rep_id, day) for rep, day in wanted}
    with unit_of_work(session_factory) as session:
        for chunk in (wanted[i:i + _CHUNK] for i in range(0, len(wanted), _CHUNK)):
            runs = session.scalars(select(DigestRun).where(
                DigestRun.team_id.in_({rep.team_id for rep, _ in chunk}),
                DigestRun.rep_id.in_({rep.rep_id for rep, _ in chunk}),
                DigestRun.local_date.in_({day for _, day in chunk})))
            for run in runs:
                if (run.rep_id, run.local_date) in pairs:
                    found[(run.rep_id, run.local_date)] = _record(run)
    return found
