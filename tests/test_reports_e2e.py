"""The weekly report, sent by the real jobs through the Slack stand-in: to each manager on
their first working morning, exactly once (two processes too), with the chart uploaded;
never to reps. The fixture week is tests/report_fixture.py."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import build_app, make_client
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import ReportRun
from bot.domain.insights import iso_week
from bot.scheduler import Jobs
from bot.services.reports import add_manager
from bot.slack.reports import report_now
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.report_fixture import seed_week

MANAGER = "U0MGR"  # New York, not a rep
MON_0829_NY = datetime(2026, 11, 30, 13, 29, tzinfo=UTC)
MON_0831_NY = datetime(2026, 11, 30, 13, 31, tzinfo=UTC)


def _reports(fake, user=MANAGER):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "report_header" for b in m.get("blocks", []))]


def _text(message) -> str:
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in message["blocks"])


@pytest.fixture
def team(fake_slack, session_factory):
    fake_slack.add_user(MANAGER, tz="America/New_York", real_name="Mia Manager")
    for user in ("U0ANN", "U0BEN", "U0CID"):
        fake_slack.add_user(user, tz="America/New_York")
    return seed_week(session_factory)


@pytest.fixture
def manager_jobs(start_bot, settings):
    _, app = start_bot(manager_ids=(MANAGER,))
    return Jobs(app.deps, make_client(settings, retry_rate_limits=False))


def test_the_report_arrives_on_the_managers_monday_morning_once(team, manager_jobs, clock,
                                                                 fake_slack):
    clock.set(MON_0829_NY)
    assert manager_jobs.report_tick() == []
    clock.set(MON_0831_NY)
    [sent] = manager_jobs.report_tick()
    assert sent.status == "sent"
    [message] = _reports(fake_slack)
    text = _text(message)
    assert "Team report: 2026-W48 (Mon 23 Nov to Sun 29 Nov 2026)" in text
    assert "*Connect rate per dial:* 5/12, 42% (good: 8-15%) :warning: too few to judge" in text
    assert "<@U0ANN>: 9 calls · connects 4/9, 44%" in text
    assert "Call 3+" not in text and "Call 6+: no data" in text
    manager_jobs.report_tick()
    clock.set(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # Wednesday: still sent once
    manager_jobs.report_tick()
    assert len(_reports(fake_slack)) == 1
    assert all(_reports(fake_slack, rep) == [] for rep in ("U0ANN", "U0BEN", "U0CID"))


def test_the_chart_is_uploaded_into_the_managers_dm_with_alt_text(team, manager_jobs, clock,
                                                                  fake_slack):
    clock.set(MON_0831_NY)
    manager_jobs.report_tick()
    [upload] = fake_slack.uploads_to(MANAGER)
    png = upload["content"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 700)
    assert upload["filename"] == "team-report-2026-W48.png"
    assert "Call 1 1/5 (20%)" in upload["alt_txt"], upload["alt_txt"]


def test_a_chart_that_cannot_be_uploaded_leaves_the_numbers_delivered(team, manager_jobs,
                                                                      clock, fake_slack):
    fake_slack.fail("files.getUploadURLExternal", error="missing_scope")
    clock.set(MON_0831_NY)
    [sent] = manager_jobs.report_tick()
    assert sent.status == "sent" and len(_reports(fake_slack)) == 1
    assert fake_slack.uploads_to(MANAGER) == []


def test_two_processes_send_each_managers_report_once(team, start_bot, settings, clock,
                                                      fake_slack, db_url):
    _, first = start_bot(manager_ids=(MANAGER,))
    other_engine = make_engine(settings.database_url)
    try:
        second = build_app(first.deps.settings, session_factory=make_session_factory(
            other_engine), clock=clock)
        fleet = [Jobs(app.deps, make_client(settings, retry_rate_limits=False))
                 for app in (first, second) for _ in range(2)]
        clock.set(MON_0831_NY)
        barrier = threading.Barrier(len(fleet))
        results = []

        def tick(jobs):
            barrier.wait()
            results.extend(jobs.report_tick())

        threads = [threading.Thread(target=tick, args=(jobs,)) for jobs in fleet]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other_engine.dispose()
    statuses = [r.status for r in results]  # the others: sent earlier, or still sending
    assert statuses.count("sent") == 1 and set(statuses) - {"sent"} <= {"already", "elsewhere"}
    assert len(_reports(fake_slack)) == 1 and len(fake_slack.uploads_to(MANAGER)) == 1


def test_a_failed_send_is_retried_by_the_next_tick(team, manager_jobs, clock, fake_slack,
                                                   session_factory):
    fake_slack.fail("chat.postMessage", error="fatal_error")
    clock.set(MON_0831_NY)
    [failed] = manager_jobs.report_tick()
    assert (failed.status, failed.detail) == ("failed", "fatal_error")
    assert _reports(fake_slack) == []
    [sent] = manager_jobs.report_tick()
    assert sent.status == "sent" and len(_reports(fake_slack)) == 1
    with session_factory() as session:
        run = session.scalar(select(ReportRun))
    assert (run.status, run.attempts, run.week) == ("sent", 2, "2026-W49")


def test_a_manager_who_is_a_rep_gets_it_at_their_own_due_list_time(team, start_bot,
                                                                   settings, clock,
                                                                   fake_slack):
    _, app = start_bot(manager_ids=("U0BEN",))  # Berlin, due lists at 08:30
    jobs = Jobs(app.deps, make_client(settings, retry_rate_limits=False))
    clock.set(datetime(2026, 11, 30, 7, 25, tzinfo=UTC))  # 08:25 in Berlin
    assert jobs.report_tick() == []
    clock.set(datetime(2026, 11, 30, 7, 35, tzinfo=UTC))
    assert [s.status for s in jobs.report_tick()] == ["sent"]
    assert len(_reports(fake_slack, "U0BEN")) == 1


def test_managers_added_in_app_home_count_and_nobody_else_gets_a_report(
        team, running_bot, settings, clock, fake_slack, session_factory):
    jobs = Jobs(running_bot[1].deps, make_client(settings, retry_rate_limits=False))
    clock.set(MON_0831_NY)
    assert jobs.report_tick() == []
    add_manager(session_factory, "T0001", MANAGER, "U0ADMIN")
    assert [s.status for s in jobs.report_tick()] == ["sent"]


def test_report_now_covers_the_last_seven_days_and_sends_again_only_when_forced(
        team, start_bot, clock, fake_slack):
    _, app = start_bot(manager_ids=(MANAGER,))
    deps = app.deps
    now = MON_0831_NY
    [first] = report_now(app.client, deps, "T0001", now, tz="America/New_York")
    assert first.status == "sent"
    assert "last 7 days" not in _text(_reports(fake_slack)[0])  # dates, not the label
    assert "Tue 24 Nov to Mon 30 Nov 2026" in _text(_reports(fake_slack)[0])
    assert [s.status for s in report_now(app.client, deps, "T0001", now)] == ["already"]
    forced = report_now(app.client, deps, "T0001", now, force=True)
    assert [s.status for s in forced] == ["sent"] and len(_reports(fake_slack)) == 2


def test_a_past_week_is_its_own_report_and_counts_as_the_week_after(team, start_bot, clock,
                                                                     fake_slack):
    _, app = start_bot(manager_ids=(MANAGER,))
    jobs = Jobs(app.deps, make_client(app.deps.settings, retry_rate_limits=False))
    clock.set(MON_0831_NY)
    jobs.report_tick()  # this week's report: 2026-W48
    again = report_now(app.client, app.deps, "T0001", MON_0831_NY, week=iso_week("2026-W48"))
    assert [s.status for s in again] == ["already"]
    older = report_now(app.client, app.deps, "T0001", MON_0831_NY, week=iso_week("2026-W47"))
    assert [s.status for s in older] == ["sent"]
    assert "2026-W47 (Mon 16 Nov to Sun 22 Nov 2026)" in _text(_reports(fake_slack)[-1])


def _cli(fake, settings, *args, managers=MANAGER):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_",
                                                                   "MANAGER_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_URL=fake.url, DATABASE_URL=settings.database_url,
               MANAGER_IDS=managers)
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_report_command_sends_a_past_week_once_unless_forced(team, fake_slack, settings):
    first = _cli(fake_slack, settings, "--week", "2026-W48")
    assert (first.returncode, first.stdout) == (0, f"{MANAGER}: sent\n"), first.stderr
    assert "5/12, 42%" in _text(_reports(fake_slack)[0])
    second = _cli(fake_slack, settings, "--now", "--week", "2026-W48")
    assert second.stdout == f"{MANAGER}: already sent this week (--force sends again)\n"
    forced = _cli(fake_slack, settings, "--now", "--week", "2026-W48", "--force")
    assert forced.stdout == f"{MANAGER}: sent\n" and len(_reports(fake_slack)) == 2


@pytest.mark.parametrize(("args", "managers", "code", "says"), [
    (["--now", "--week", "2026-48"], MANAGER, 2, "is not an ISO week such as 2026-W48"),
    (["--now"], "", 1, "No managers: set MANAGER_IDS"),
    (["--now"], "not-an-id", 2, "MANAGER_IDS must list Slack user ids"),
    (["--force"], MANAGER, 2, "--now (the last 7 days) or --week YYYY-Www"),
])
def test_the_report_command_says_what_is_wrong(fake_slack, settings, args, managers, code,
                                               says):
    done = _cli(fake_slack, settings, *args, managers=managers)
    assert done.returncode == code
    assert says in done.stdout + done.stderr
    assert _reports(fake_slack) == []


def test_two_report_processes_at_once_send_it_once(team, fake_slack, settings):
    """Two real processes, one database: the claim lets one of them send."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_",
                                                                   "MANAGER_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_URL=fake_slack.url, DATABASE_URL=settings.database_url,
               MANAGER_IDS=MANAGER)
    both = [subprocess.Popen([sys.executable, "-m", "bot", "report", "--week", "2026-W48"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = sorted(process.communicate(timeout=120)[0] for process in both)
    assert outputs[1] == f"{MANAGER}: sent\n", outputs
    assert outputs[0] in (f"{MANAGER}: already sent this week (--force sends again)\n",
                          f"{MANAGER}: being sent by another process right now\n"), outputs
    assert len(_reports(fake_slack)) == 1 and len(fake_slack.uploads_to(MANAGER)) == 1


def test_a_report_another_process_is_sending_is_reported_as_such(team, start_bot, clock,
                                                                 fake_slack, session_factory):
    from bot.services.reports import claim_report

    _, app = start_bot(manager_ids=(MANAGER,))
    claim_report(session_factory, "T0001", MANAGER, "2026-W49", iso_week("2026-W48"),
                 MON_0831_NY, owner="web-2:77:live")
    [result] = report_now(app.client, app.deps, "T0001", MON_0831_NY,
                          week=iso_week("2026-W48"))
    assert result.status == "elsewhere" and _reports(fake_slack) == []
