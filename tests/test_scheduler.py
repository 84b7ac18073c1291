"""The in-process scheduler and the admin's `digest --now`."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.db.models import FollowUp
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.logcall_helpers import log_call

THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)


def test_started_scheduler_sends_due_lists_on_its_own(slack, fake_slack, jobs, clock):
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    posts = len(fake_slack.calls_to("chat.postMessage"))
    clock.set(THU_0831_NY)
    jobs.start(tick_seconds=1)
    try:
        digest = fake_slack.wait_for("chat.postMessage", posts + 1)[-1]
        assert "Your follow-ups for Thu 26 Nov" in str(digest.params["blocks"])
        assert {job.id for job in jobs.scheduler.get_jobs()} == {"digest", "nudge"}
    finally:
        jobs.shutdown()


def test_digest_now_cli_sends_once_unless_forced(slack, fake_slack, settings,
                                                  session_factory):
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    with session_factory() as session:  # the CLI runs on the real clock: make it overdue
        session.scalars(select(FollowUp)).one().due_on = date(2020, 1, 6)
        session.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_URL=fake_slack.url, DATABASE_URL=settings.database_url)

    def digest(*extra):
        return subprocess.run([sys.executable, "-m", "bot", "digest", "--now", *extra],
                              env=env, capture_output=True, text=True, timeout=60)

    posts = len(fake_slack.calls_to("chat.postMessage"))
    first = digest("--user", "U0001")
    assert first.returncode == 0, first.stderr
    assert "sent 1" in first.stdout
    second = digest()
    assert "sent 0" in second.stdout and "already sent today 1" in second.stdout
    forced = digest("--force", "--user", "U0001")
    assert "sent 1" in forced.stdout
    assert len(fake_slack.calls_to("chat.postMessage")) == posts + 2


def test_isolated_fan_out_runs_in_its_own_process(slack, fake_slack, jobs, settings,
                                                  session_factory):
    """What `run` does: the digest tick in a child process, on the real clock."""
    import dataclasses
    from datetime import time as clock_time
    from datetime import timedelta

    from bot.db.models import Rep
    from bot.scheduler import Jobs

    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    now = datetime.now(UTC)
    start = max(now - timedelta(minutes=2), now.replace(hour=0, minute=0, second=0))
    with session_factory() as session:  # due now, by the real clock, in UTC
        session.scalars(select(FollowUp)).one().due_on = date(2020, 1, 6)
        rep = session.scalars(select(Rep)).one()
        rep.tz, rep.workday_start, rep.working_days = "UTC", start.time(), "1234567"
        session.commit()
    isolated = Jobs(dataclasses.replace(jobs.deps, settings=dataclasses.replace(
        settings, digest_cutoff=clock_time(23, 59, 59))), jobs.client)
    posts = len(fake_slack.calls_to("chat.postMessage"))
    isolated.start(tick_seconds=3600, isolate=True)
    try:
        fake_slack.wait_for("chat.postMessage", posts + 1, timeout=60)
    finally:
        isolated.shutdown()
    assert "Your follow-ups for" in str(fake_slack.calls_to("chat.postMessage")[-1].params)
