"""Jobs that run inside the bot process (Socket Mode and HTTP alike).

One short interval tick computes each rep's local send time with zoneinfo and lets the
database decide who sends (APScheduler's cron trigger mishandles DST). Jobs run on the
scheduler's own threads, never on Bolt's listener executor.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError

from bot.domain.due_list import SendLater, TickReport
from bot.due_list_tick import DueListTick
from bot.fanout import FanoutProcess
from bot.services.nudges import claim_nudge, nudges_due
from bot.services.reminders import claim_reminder, reminders_due
from bot.slack.draft_messages import post_draft
from bot.slack.notifier import DigestNotifier, bulk_limiter
from bot.slack.text import escape

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self, deps, client, *, lease: timedelta | None = None):
        """``lease``: how long a pass's claims stay its own without a renewal (default
        DIGEST_LEASE_SECONDS): a stopped sender's reps wait about that long."""
        settings = deps.settings
        self.deps, self.client = deps, client
        self.lease = lease or timedelta(seconds=settings.digest_lease_seconds)
        self.notifier = DigestNotifier(client, deps, bulk_limiter(settings,
                                                                  deps.session_factory))
        self.due_lists = DueListTick(deps, client, self.notifier, self.lease)
        self.scheduler: BackgroundScheduler | None = None
        self.fanout: FanoutProcess | None = None  # the due lists' own process (isolate)
        self._manager_zones: dict[str, str | None] = {}  # Slack's zone of non-rep managers

    def digest_tick(self, now: datetime | None = None, *, only_users=None, force=False,
                    ignore_schedule=False, stop=None) -> TickReport:
        """One pass (a sender with its own lease; see bot.services.digest_runs)."""
        return self.due_lists(now, only_users=only_users, force=force,
                              ignore_schedule=ignore_schedule, stop=stop)

    def nudge_tick(self, now: datetime | None = None) -> int:
        hours = self.deps.settings.recap_nudge_hours
        if not hours:
            return 0
        now = now or self.deps.clock()
        sent = 0
        paced = self.notifier.paced  # nudges are bulk posts: the workspace's pace
        for draft_id, team_id, user_id in nudges_due(self.deps.session_factory, now,
                                                       timedelta(hours=hours)):
            draft = claim_nudge(self.deps.session_factory, draft_id, now)
            if draft is None:
                continue
            try:
                paced(team_id, partial(self.client.chat_postMessage, channel=user_id, text=(
                    f":alarm_clock: {hours} hours since your call with "
                    f"{escape(draft.prospect_name)} and the recap isn't marked sent. "
                    "Same-day recaps get the most replies; here it is, ready to go.")))
                paced(team_id, partial(post_draft, self.client, self.deps, user_id, draft))
                sent += 1
            except SlackApiError as exc:
                log.warning("recap nudge to %s failed: %s", user_id, exc.response.get("error"))
            except SendLater as exc:
                log.warning("recap nudge to %s not sent: %s", user_id, exc)
        return sent

    def reminder_tick(self, now: datetime | None = None) -> int:
        """DM each due "Remind me then": the draft as it is now (edits included), once;
        nothing for a draft marked sent meanwhile (see bot.services.reminders)."""
        now = now or self.deps.clock()
        sent = 0
        for draft_id, _team_id, user_id, due in reminders_due(self.deps.session_factory, now):
            draft = claim_reminder(self.deps.session_factory, draft_id, due)
            if draft is None:
                continue
            try:
                self.client.chat_postMessage(channel=user_id, text=(
                    f":bell: Now is a good time to send your email to "
                    f"{escape(draft.prospect_name)}. Here it is, as you left it."))
                post_draft(self.client, self.deps, user_id, draft)
                sent += 1
            except SlackApiError as exc:
                log.warning("draft reminder to %s failed: %s", user_id,
                            exc.response.get("error"))
        return sent

    def report_tick(self, now: datetime | None = None) -> list:
        """Each manager's weekly report, once their week has begun (bot.slack.reports)."""
        from bot.slack.reports import report_tick

        return report_tick(self.client, self.deps, self.deps.workspace.team_id,
                           now or self.deps.clock(), paced=self.notifier.paced,
                           zones=self._manager_zones)

    def start(self, tick_seconds: int | None = None, *, isolate: bool = False,
              nice: int = 10) -> BackgroundScheduler:
        """Start the jobs. ``isolate`` runs the digest tick in a child process at ``nice``
        (what ``followup-bot run`` does: bot.fanout), which the "digest" job starts again
        if it ever dies; otherwise on a scheduler thread, with this process's clock (what
        tests use). The digest tick comes every ``tick_seconds`` (default
        DIGEST_TICK_SECONDS): with the lease it bounds how long a stopped sender's reps
        wait (20 s + 30 s by default: inside a minute)."""
        tick_seconds = tick_seconds or self.deps.settings.digest_tick_seconds
        scheduler = BackgroundScheduler(
            timezone="UTC", executors={"default": ThreadPoolExecutor(4)}, job_defaults={
                "coalesce": True, "max_instances": 1, "misfire_grace_time": tick_seconds})
        digest = self._safe(self.digest_tick)
        if isolate:
            self.fanout = FanoutProcess(self.deps.settings, tick_seconds, nice)
            digest = self._safe(self.fanout.ensure_running)
        scheduler.add_job(digest, IntervalTrigger(seconds=tick_seconds), id="digest",
                          next_run_time=datetime.now().astimezone())
        scheduler.add_job(self._safe(self.nudge_tick), IntervalTrigger(minutes=5), id="nudge")
        scheduler.add_job(self._safe(self.report_tick), IntervalTrigger(seconds=60),
                          id="reports")
        scheduler.add_job(self._safe(self.reminder_tick), IntervalTrigger(seconds=tick_seconds),
                          id="reminders")
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop the jobs; a fan-out running in the child stops taking claims at once.
        ``wait`` also waits for running jobs (and the child process) to end."""
        if self.fanout is not None:
            self.fanout.stop()  # at once: the child stops taking claims
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=wait)
        if self.fanout is not None and wait:
            self.fanout.stop(wait=True)

    @staticmethod
    def _safe(job):
        def run():
            try:
                job()
            except Exception:  # noqa: BLE001 - a failed tick is logged; the next one runs
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))
        return run
