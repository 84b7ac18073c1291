"""Outbound messages from scheduled jobs: paced per workspace, Slack's faults handled."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from slack_sdk.errors import SlackApiError

from bot.domain.due_list import DueItem, LeaseLost, RepRecord, SendLater
from bot.services.allowance import BULK_SHARE, SharedAllowance
from bot.services.reps import deactivate_rep
from bot.slack.due_message import list_message

log = logging.getLogger(__name__)
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                       "request_timeout"})  # Slack posted nothing: try again later
GONE = frozenset({"user_not_found", "account_inactive", "user_disabled", "users_not_found"})
T = TypeVar("T")


class WorkspaceLimiter:
    """One token bucket per workspace: Slack's posting cap is per workspace, so every
    send to a team waits its turn here, and a 429 pauses that whole team."""

    def __init__(self, per_second: float, burst: int = 1, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.rate, self.burst = per_second, burst
        self.clock, self.sleep = clock, sleep
        self._state: dict[str, tuple[float, float, float]] = {}  # tokens, at, paused until
        self._lock = threading.Lock()

    def acquire(self, team_id: str) -> None:
        while True:
            with self._lock:
                now = self.clock()
                tokens, at, paused = self._state.get(team_id, (float(self.burst), now, 0.0))
                if now < paused:
                    wait = paused - now
                else:
                    tokens = min(float(self.burst), tokens + (now - max(at, paused)) * self.rate)
                    if tokens >= 1:
                        self._state[team_id] = (tokens - 1, now, paused)
                        return
                    self._state[team_id] = (tokens, now, paused)
                    wait = (1 - tokens) / self.rate
            self.sleep(wait)

    def pause(self, team_id: str, seconds: float) -> None:
        """Slack said 429: nobody posts to this workspace until Retry-After has passed."""
        with self._lock:
            now = self.clock()
            self._state[team_id] = (0.0, now, now + seconds)


def bulk_limiter(settings, session_factory) -> WorkspaceLimiter | SharedAllowance:
    """The pace of bulk posts (due lists, recap nudges): at most BULK_SHARE of DIGEST_RATE
    per workspace. On PostgreSQL it is kept in the database and shared by every process
    (several bot processes may post for one workspace); on SQLite, where one bot process
    runs, in this process's memory."""
    if session_factory.kw["bind"].dialect.name == "postgresql":
        return SharedAllowance(session_factory, settings.digest_rate)
    return WorkspaceLimiter(settings.digest_rate * BULK_SHARE, burst=5)


class DigestNotifier:
    """The ``send`` for run_digest_tick: builds the due list DM and posts it."""

    def __init__(self, client, deps, limiter: WorkspaceLimiter | SharedAllowance, *,
                 max_429_retries: int = 5):
        self.client, self.deps, self.limiter = client, deps, limiter
        self.max_429_retries = max_429_retries

    def __call__(self, rep: RepRecord, items: list[DueItem], day: date, *,
                 held: Callable[[], bool] | None = None) -> tuple[str, str]:
        """Post the list; ``held()`` is asked right before each post (after the limiter's
        wait, which can be long): once the sender's lease on the run is in doubt it must
        not post, since another sender may have taken the run over (LeaseLost)."""
        text, blocks = list_message(self.deps, rep.team_id, items, rep_tz=rep.tz, today=day)

        def post() -> tuple[str, str]:
            if held is not None and not held():
                raise LeaseLost(f"lease lost before posting to {rep.slack_user_id}")
            answer = self.client.chat_postMessage(channel=rep.slack_user_id, text=text,
                                                  blocks=blocks)
            return answer["channel"], answer["ts"]

        try:
            return self.paced(rep.team_id, post)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in GONE:
                log.info("rep %s is gone from Slack (%s): marked inactive",
                         rep.slack_user_id, error)
                deactivate_rep(self.deps.session_factory, rep.team_id, rep.rep_id)
                raise
            if exc.response.status_code >= 500 or error in TRANSIENT:
                raise SendLater(error or f"HTTP {exc.response.status_code}") from exc
            raise

    def paced(self, team_id: str, post: Callable[[], T]) -> T:
        """``post()`` in the workspace's bulk pace. A 429 pauses the workspace's bulk posts
        (every process's, on PostgreSQL) for Retry-After; then the post is tried again.
        SendLater when Slack still says 429 after ``max_429_retries``, or when the pace
        cannot be read (nothing was posted)."""
        for _attempt in range(self.max_429_retries + 1):
            self.limiter.acquire(team_id)
            try:
                return post()
            except SlackApiError as exc:
                if exc.response.status_code != 429:
                    raise
                retry = float(exc.response.headers.get("Retry-After", 1) or 1)
                log.warning("rate limited in %s; pausing bulk posts %.0fs", team_id, retry)
                self.limiter.pause(team_id, retry)
        raise SendLater(f"still rate limited after {self.max_429_retries} retries")
