"""Jobs that run inside the bot process (Socket Mode and HTTP alike).

One short interval tick computes each rep's local send time with zoneinfo and lets the
database decide who sends (APScheduler's cron trigger mishandles DST). Jobs run on the
scheduler's own threads, never on Bolt's listener executor.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from apscheduler.executors.pool import ProcessPoolExecutor, ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError

from bot.config import Settings, configure_logging
from bot.domain.digest import TickReport
from bot.services.digest import run_digest_tick
from bot.services.nudges import claim_nudge, nudges_due
from bot.slack.drafts import post_draft
from bot.slack.notifier import DigestNotifier, WorkspaceLimiter
from bot.slack.text import escape

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=15)
class _StopFlag:
    """A file the web process touches on shutdown and the fan-out child polls."""

    @staticmethod
    def _path(pid: int) -> Path:
        return Path(tempfile.gettempdir()) / f"followup-bot-{pid}.stop"

    def mark(self, pid: int) -> None:
        with contextlib.suppress(OSError):
            self._path(pid).touch()

    def exists(self, pid: int) -> bool:
        return self._path(pid).exists()

    def clear(self, pid: int) -> None:
        with contextlib.suppress(OSError):
            self._path(pid).unlink(missing_ok=True)


_STOP = _StopFlag()
SEND_WORKERS = 8  # DMs in flight at once; the workspace limiter sets the pace
_child: Jobs | None = None  # the fan-out process's own jobs (see Jobs.start(isolate=True))


def digest_in_own_process(settings: Settings, parent_pid: int) -> None:
    """The digest tick, run in a separate process: the fan-out's CPU (queries, Block Kit,
    JSON) then never competes with the web threads for the GIL, and at a lower priority,
    so acks stay fast while thousands of due lists go out. When the bot stops, the pass
    stops taking claims at once (runs already claimed finish or are resumed later)."""
    global _child
    if _child is None:
        from bot.app import build_app, make_client

        configure_logging(settings)
        with contextlib.suppress(OSError):
            os.nice(10)
        app = build_app(settings)
        _child = Jobs(app.deps, make_client(settings, retry_rate_limits=False))
    _child.digest_tick(stop=lambda: os.getppid() != parent_pid or _STOP.exists(parent_pid))


@dataclass(frozen=True)
class DigestRules:
    digest_cutoff: time
    digest_when_empty: bool
    max_call_attempts: int
    call_windows: tuple


class Jobs:
    def __init__(self, deps, client):
        self.deps, self.client = deps, client
        settings = deps.settings
        self.notifier = DigestNotifier(client, deps, WorkspaceLimiter(settings.digest_rate,
                                                                      burst=5))
        self.rules = DigestRules(settings.digest_cutoff, settings.digest_when_empty,
                                 deps.cadences.rules.max_calls, tuple(deps.cadences.windows))
        self.scheduler: BackgroundScheduler | None = None

    def digest_tick(self, now: datetime | None = None, *, only_users=None, force=False,
                    ignore_schedule=False, stop=None) -> TickReport:
        report = run_digest_tick(
            self.deps.session_factory, now or self.deps.clock(), settings_like=self.rules,
            send=self.notifier, force=force, only_users=only_users,
            ignore_schedule=ignore_schedule, resume_stale_after=STALE_CLAIM,
            clock=self.deps.clock, workers=SEND_WORKERS, stop=stop)
        if report.sent or report.failed or report.skipped:
            log.info("digest tick: %s", report)
        return report

    def nudge_tick(self, now: datetime | None = None) -> int:
        hours = self.deps.settings.recap_nudge_hours
        if not hours:
            return 0
        now = now or self.deps.clock()
        sent = 0
        for draft_id, _team_id, user_id in nudges_due(self.deps.session_factory, now,
                                                        timedelta(hours=hours)):
            draft = claim_nudge(self.deps.session_factory, draft_id, now)
            if draft is None:
                continue
            try:
                self.client.chat_postMessage(channel=user_id, text=(
                    f":alarm_clock: {hours} hours since your call with "
                    f"{escape(draft.prospect_name)} and the recap isn't marked sent. "
                    "Same-day recaps get the most replies; here it is, ready to go."))
                post_draft(self.client, self.deps, user_id, draft)
                sent += 1
            except SlackApiError as exc:
                log.warning("recap nudge to %s failed: %s", user_id, exc.response.get("error"))
        return sent

    def start(self, tick_seconds: int = 60, *, isolate: bool = False) -> BackgroundScheduler:
        """Start the jobs. ``isolate`` runs the digest tick in a child process (what
        ``followup-bot run`` does); otherwise on a scheduler thread, with this process's
        clock (what tests use)."""
        executors = {"default": ThreadPoolExecutor(4)}
        _STOP.clear(os.getpid())
        if isolate:
            executors["fanout"] = ProcessPoolExecutor(
                1, pool_kwargs={"mp_context": multiprocessing.get_context("spawn")})
        scheduler = BackgroundScheduler(timezone="UTC", executors=executors, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": tick_seconds})
        first = datetime.now().astimezone()
        if isolate:
            scheduler.add_job(digest_in_own_process, IntervalTrigger(seconds=tick_seconds),
                              args=[self.deps.settings, os.getpid()], id="digest",
                              executor="fanout", next_run_time=first)
        else:
            scheduler.add_job(self._safe(self.digest_tick),
                              IntervalTrigger(seconds=tick_seconds), id="digest",
                              next_run_time=first)
        scheduler.add_job(self._safe(self.nudge_tick), IntervalTrigger(minutes=5), id="nudge")
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    def shutdown(self) -> None:
        if self.scheduler is not None:
            _STOP.mark(os.getpid())  # a running fan-out in the child stops taking claims
            self.scheduler.shutdown(wait=False)

    @staticmethod
    def _safe(job):
        def run():
            try:
                job()
            except Exception:  # noqa: BLE001 - a failed tick is logged; the next one runs
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))
        return run
