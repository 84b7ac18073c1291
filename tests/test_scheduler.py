"""The in-process scheduler, the isolated fan-out `run` uses, and the admin's
`digest --now`. No test here depends on how fast the machine is: the scheduled pass runs on
an injected clock or on a schedule that is open at any hour, and every wait is for an event
(a generous timeout only turns a hang into a failure)."""

import dataclasses
import os
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from bot.db.models import DigestRun, FollowUp, Rep
from bot.scheduler import Jobs
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.logcall_helpers import log_call

THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)
HANG = 600  # seconds: only a hang takes this long, however busy the machine


def test_started_scheduler_sends_due_lists_on_its_own(slack, fake_slack, jobs, clock):
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    posts = len(fake_slack.calls_to("chat.postMessage"))
    clock.set(THU_0831_NY)
    jobs.start(tick_seconds=1)
    try:
        digest = fake_slack.wait_for("chat.postMessage", posts + 1, timeout=HANG)[-1]
        assert "Your follow-ups for Thu 26 Nov" in str(digest.params["blocks"])
        assert {job.id for job in jobs.scheduler.get_jobs()} == {"digest", "nudge", "reminders",
                                                                 "reports"}
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
                              env=env, capture_output=True, text=True, timeout=HANG)

    posts = len(fake_slack.calls_to("chat.postMessage"))
    first = digest("--user", "U0001")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent now 1, sent earlier 0, in progress elsewhere 0, "
                                   "skipped earlier 0, failed 0, nothing due 0")
    second = digest()
    assert second.stdout.startswith("sent now 0, sent earlier 1,"), second.stdout
    forced = digest("--force", "--user", "U0001")
    assert forced.stdout.startswith("sent now 1,"), forced.stdout
    assert len(fake_slack.calls_to("chat.postMessage")) == posts + 2


def _open_all_day(jobs, settings, session_factory) -> Jobs:
    """Jobs whose rep is due at any hour of any day (a cut-off not after the start keeps
    the window open until midnight): the child process reads the real clock, and no
    moment of the day may change what it does."""
    with session_factory() as session:
        session.scalars(select(FollowUp)).one().due_on = date(2020, 1, 6)
        rep = session.scalars(select(Rep)).one()
        rep.tz, rep.workday_start, rep.working_days = "UTC", time(0), "1234567"
        session.commit()
    return Jobs(dataclasses.replace(jobs.deps, settings=dataclasses.replace(
        settings, digest_cutoff=time(0))), jobs.client)


def test_isolated_fan_out_runs_in_its_own_process(slack, fake_slack, jobs, settings,
                                                  session_factory):
    """What `run` does: the digest tick in a child process. The run's owner names the
    process that sent it. The child runs at normal priority here (``nice=0``): at nice 10
    beside busy CPUs it may wait minutes for a core, which is its job in production but
    would only slow this test."""
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    isolated = _open_all_day(jobs, settings, session_factory)
    posts = len(fake_slack.calls_to("chat.postMessage"))
    isolated.start(tick_seconds=3600, isolate=True, nice=0)
    try:
        fake_slack.wait_for("chat.postMessage", posts + 1, timeout=HANG)
    finally:
        isolated.shutdown(wait=True)
    assert "Your follow-ups for" in str(fake_slack.calls_to("chat.postMessage")[-1].params)
    with session_factory() as session:
        run = session.scalars(select(DigestRun)).one()
    _host, pid, _pass = run.owner.split(":")
    assert (run.status, int(pid) != os.getpid()) == ("sent", True)


def test_stopping_the_bot_leaves_nothing_in_the_temp_folder(slack, fake_slack, jobs, settings,
                                                            session_factory, tmp_path,
                                                            monkeypatch):
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    isolated = _open_all_day(jobs, settings, session_factory)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # the child's temp folder
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # and ours
    posts = len(fake_slack.calls_to("chat.postMessage"))
    isolated.start(tick_seconds=3600, isolate=True, nice=0)
    try:
        fake_slack.wait_for("chat.postMessage", posts + 1, timeout=HANG)  # the child ran
    finally:
        isolated.shutdown(wait=True)  # the child has ended, too
    assert sorted(path.name for path in temp.iterdir()) == []
