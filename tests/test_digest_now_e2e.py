"""`digest --now` and the scheduled pass with the real notifier and the Slack stand-in:
a stopped sender's run is taken over, a live one is left alone, a rep whose zone Slack has
not told us yet gets no run on a guessed day. The clock is the injected one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import DigestRun, Rep
from bot.domain.due_list import LeaseLost
from bot.services.digest_runs import LEASE, claim
from bot.slack.notifier import DigestNotifier, WorkspaceLimiter
from tests.logcall_helpers import log_call

THU = date(2026, 11, 26)
THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)


def _digests(fake, user="U0001"):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "digest_header" for b in m.get("blocks", []))]


def _rep_id(session_factory, user="U0001") -> int:
    with session_factory() as session:
        return session.scalar(select(Rep.id).where(Rep.slack_user_id == user))


def _runs(session_factory) -> list[DigestRun]:
    with session_factory() as session:
        return list(session.scalars(select(DigestRun).order_by(DigestRun.id)))


@pytest.fixture
def dana(slack, fake_slack):
    log_call(slack, fake_slack, name="Dana", company="Acme", outcome="no_answer",
             call_type="post_voicemail")


def test_digest_now_takes_over_a_stopped_senders_run_at_once(dana, fake_slack, jobs, clock,
                                                             session_factory):
    killed_at = THU_0831_NY - LEASE  # the sender died a lease ago, mid fan-out
    claim(session_factory, "T0001", _rep_id(session_factory), THU, killed_at,
          owner="web-1:4242:dead", lease_until=killed_at + LEASE)
    clock.set(THU_0831_NY)
    report = jobs.digest_tick(ignore_schedule=True)
    assert (report.resumed, report.sent, report.in_progress) == (1, 1, 0)
    assert len(_digests(fake_slack)) == 1
    [run] = _runs(session_factory)
    assert (run.status, run.attempts, run.owner != "web-1:4242:dead") == ("sent", 2, True)


def test_digest_now_leaves_a_live_senders_run_and_says_so(dana, fake_slack, jobs, clock,
                                                          session_factory):
    claim(session_factory, "T0001", _rep_id(session_factory), THU, THU_0831_NY,
          owner="web-2:77:live", lease_until=THU_0831_NY + LEASE)
    clock.set(THU_0831_NY + LEASE / 2)
    report = jobs.digest_tick(ignore_schedule=True)
    assert (report.in_progress, report.sent, report.resumed) == (1, 0, 0)
    assert _digests(fake_slack) == []
    from bot.domain.due_list import describe_report

    assert "in progress elsewhere 1" in describe_report(report)


def test_the_notifier_never_posts_once_the_lease_is_in_doubt(dana, fake_slack, jobs):
    from bot.services.due_list_sends import reps_to_consider

    [rep] = reps_to_consider(jobs.deps.session_factory, THU_0831_NY)
    posts = len(fake_slack.calls_to("chat.postMessage"))
    notifier = DigestNotifier(jobs.client, jobs.deps, WorkspaceLimiter(100, burst=5))
    with pytest.raises(LeaseLost):
        notifier(rep, [], THU, held=lambda: False)
    assert len(fake_slack.calls_to("chat.postMessage")) == posts
    assert notifier(rep, [], THU, held=lambda: True)[0]


def test_a_rep_made_while_users_info_failed_gets_the_zone_from_the_tick(
        slack, fake_slack, jobs, clock, session_factory):
    """users.info failed when the rep first logged a call: the rep exists in
    DEFAULT_TIMEZONE, not known. The scheduled pass asks Slack again before it records
    anything for them."""
    fake_slack.add_user("U0007", tz="Asia/Tokyo", real_name="Taro")
    fake_slack.fail("users.info", error="ratelimited", times=10)
    log_call(slack, fake_slack, user_id="U0007", name="Dana", outcome="no_answer",
             call_type="post_voicemail")
    with session_factory() as session:
        rep = session.scalars(select(Rep).where(Rep.slack_user_id == "U0007")).one()
        assert (rep.tz, rep.tz_known) == ("America/New_York", False)  # DEFAULT_TIMEZONE
    fake_slack.reset()  # Slack answers again
    fake_slack.add_user("U0007", tz="Asia/Tokyo", real_name="Taro")
    friday_0831_tokyo = datetime(2026, 11, 26, 23, 31, tzinfo=UTC)
    clock.set(friday_0831_tokyo)
    report = jobs.digest_tick()
    assert (report.sent, report.zone_unknown) == (1, 0)
    assert len(fake_slack.calls_to("users.info")) == 1
    [run] = _runs(session_factory)
    assert run.local_date == date(2026, 11, 27)  # Tokyo's Friday
    with session_factory() as session:
        rep = session.scalars(select(Rep).where(Rep.slack_user_id == "U0007")).one()
        assert (rep.tz, rep.tz_known) == ("Asia/Tokyo", True)


def test_no_run_is_recorded_while_slack_will_not_say_the_zone(slack, fake_slack, jobs,
                                                              clock, session_factory):
    fake_slack.add_user("U0007", tz="Asia/Tokyo")
    fake_slack.fail("users.info", error="ratelimited", times=100)
    log_call(slack, fake_slack, user_id="U0007", name="Dana", outcome="no_answer",
             call_type="post_voicemail")
    clock.set(datetime(2026, 11, 26, 18, 0, tzinfo=UTC))  # past the cut-off in New York
    for _ in range(2):
        report = jobs.digest_tick()
        assert report.zone_unknown == 1
        clock.set(clock() + timedelta(minutes=1))
    assert jobs.digest_tick(ignore_schedule=True).zone_unknown == 1
    assert _runs(session_factory) == [] and _digests(fake_slack, "U0007") == []
