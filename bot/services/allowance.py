"""One allowance per workspace for bulk posts, shared by every bot process on PostgreSQL.

Slack caps posting per workspace, not per process: N replicas that each pace themselves at
DIGEST_RATE post N times too fast, and a Retry-After seen by one of them paused only that
one. So on PostgreSQL the pace lives in one row per workspace (``slack_allowances``), and
every process that posts due lists or recap nudges takes its turn there:

- :meth:`SharedAllowance.acquire` is one ``UPDATE ... RETURNING``: the row's ``next_at``
  (the next free slot) moves one step on, and the caller gets the slot it reserved, sleeps
  until then and posts. A slot is a reservation, so waiters never poll: one short statement
  per post however many processes and threads wait (virtual scheduling, the GCRA form of a
  token bucket, with a burst of one: an idle workspace's first post goes at once, then one
  every ``step``).
- :meth:`SharedAllowance.pause` records Slack's Retry-After in ``paused_until``: no slot is
  handed out before it, and a caller that slept for a slot reserved before the pause looks
  at the row again before posting (a second statement, only after a wait).
- Bulk posts take at most ``share`` (:data:`BULK_SHARE`, 80%) of DIGEST_RATE. The rest is
  headroom for the posts a rep is waiting for (the DM after a log, drafts, button answers):
  those never queue here, and the headroom keeps them inside Slack's limit.

Time is the database's clock (``now()``): one clock for the whole fleet, so hosts whose
clocks disagree cannot speed up the pace. Tests inject a clock and a sleep.

Failure cases:

- A process that reserved a slot and died (or whose lease on the run was lost) leaves that
  slot unused: the pace dips by one post, it never exceeds.
- The database does not answer: :meth:`acquire` raises SendLater. Nothing is posted, the
  run is retried by a later pass; nothing ever posts unpaced.
- Posts already sent when a 429 arrives cannot be recalled: at most one per sending thread
  across the fleet, and each is one more 429 that extends nothing (``paused_until`` only
  moves later).
- Interactive posts are not counted. A whole team logging calls at once could still meet
  a 429 for those; Bolt's client waits out Retry-After and retries.
- One hot row per workspace: each bulk post is one primary-key UPDATE holding the row lock
  for well under a millisecond, far inside what PostgreSQL takes at Slack's pace.

SQLite deployments run one bot process and pace in memory
(:class:`bot.slack.notifier.WorkspaceLimiter`); the table stays empty there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Interval, bindparam, func, literal, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import reason_of
from bot.db.models import SlackAllowance, UTCDateTime
from bot.domain.due_list import SendLater
from bot.services.uow import unit_of_work

BULK_SHARE = 0.8  # of DIGEST_RATE for due lists and nudges; the rest is the reps' headroom
Clock = Callable[[], datetime]


class SharedAllowance:
    """The bulk pace of every workspace, kept in the database (PostgreSQL only).

    ``clock``: None reads the database's clock; a callable is used instead (tests).
    ``sleep`` waits for a slot (tests inject one that moves their clock)."""

    def __init__(self, session_factory: sessionmaker[Session], per_second: float, *,
                 share: float = BULK_SHARE, clock: Clock | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        if per_second <= 0 or not 0 < share <= 1:
            raise ValueError(f"no pace from {per_second} posts/s at a share of {share}")
        self.session_factory, self.clock, self.sleep = session_factory, clock, sleep
        self.step = timedelta(seconds=1 / (per_second * share))
        self._reserve_sql = self._reserve_statement()

    def acquire(self, team_id: str) -> datetime:
        """Wait for this caller's turn to make one bulk post to ``team_id``; its slot."""
        try:
            while True:
                slot, now = self._reserve(team_id)
                wait = (slot - now).total_seconds()
                if wait <= 0:
                    return slot
                self.sleep(wait)
                if not self._paused(team_id):
                    return slot
                # Slack answered 429 while we slept: the slot is void, take one after it.
        except SQLAlchemyError as exc:
            raise SendLater(f"the workspace's allowance is out of reach: {reason_of(exc)}"
                            ) from exc

    def pause(self, team_id: str, seconds: float) -> None:
        """Slack said 429: no bulk post to ``team_id`` from any process for ``seconds``."""
        table = SlackAllowance
        now = self._now()
        try:
            with unit_of_work(self.session_factory) as session:
                self._ensure_row(session, team_id, now)
                session.execute(update(table).where(table.team_id == team_id).values(
                    paused_until=func.greatest(table.paused_until,
                                               now + _interval(timedelta(seconds=seconds))),
                    pauses=table.pauses + 1))
        except SQLAlchemyError as exc:
            raise SendLater(f"could not record Slack's Retry-After: {reason_of(exc)}") from exc

    def _now(self):
        """The clock, as a value (injected) or as SQL (the database's ``now()``)."""
        return type_coerce(func.now(), UTCDateTime) if self.clock is None else self.clock()

    def _reserve(self, team_id: str) -> tuple[datetime, datetime]:
        """Move the workspace's next slot one step on; (the slot reserved, now)."""
        now = None if self.clock is None else self.clock()
        values = {"team": team_id, "now": now}
        with self.session_factory() as session, session.begin():
            row = session.execute(self._reserve_sql, values).one_or_none()
            if row is None:  # the workspace's first bulk post
                self._ensure_row(session, team_id, self._now() if now is None else now)
                row = session.execute(self._reserve_sql, values).one()
        next_at, db_now = row
        return next_at - self.step, db_now if now is None else now

    def _reserve_statement(self):
        """The reservation's UPDATE, built once: building and caching the statement per
        post cost more CPU than the database spent running it (the fan-out's profile,
        issue 15). The team (and an injected clock's now) are bound per call."""
        table = SlackAllowance.__table__
        now = type_coerce(func.now(), UTCDateTime) if self.clock is None else \
            bindparam("now", type_=UTCDateTime)
        slot = func.greatest(table.c.next_at, now, table.c.paused_until, type_=UTCDateTime)
        return (table.update().where(table.c.team_id == bindparam("team"))
                .values(next_at=slot + _interval(self.step))
                .returning(table.c.next_at, now if self.clock is None else table.c.next_at))

    def _paused(self, team_id: str) -> bool:
        table = SlackAllowance
        with unit_of_work(self.session_factory) as session:
            return bool(session.scalar(select(table.paused_until > self._now())
                                       .where(table.team_id == team_id)))

    @staticmethod
    def _ensure_row(session: Session, team_id: str, now) -> None:
        session.execute(insert(SlackAllowance).values(team_id=team_id, next_at=now)
                        .on_conflict_do_nothing(index_elements=["team_id"]))


def _interval(length: timedelta):
    """A bound interval (the datetime column's own type would refuse a timedelta)."""
    return literal(length, Interval())
