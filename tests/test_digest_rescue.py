"""Failover inside a minute: a pass already under way takes over the runs of a sender that
stopped mid-pass, without waiting for its own (maybe long) fan-out to end; lease and tick
add up to less than a minute and can be set. Real database; the clock is injected and moved
by the test's own Slack stand-in (the ``send`` callable), never waited for. With real
processes and a SIGKILL: tests/test_scale_out.py."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.config import SettingsError, load_settings
from bot.db.models import DigestRun
from bot.services.digest_runs import LEASE, claim
from tests.test_digest_leases import START, TEAM, WED
from tests.test_digest_service import Outbox, rep_with_work, runs, tick


@pytest.mark.parametrize("other_dies", [True, False], ids=["other-dies", "other-lives"])
def test_a_pass_takes_over_a_run_whose_sender_stopped_while_it_went_on(session_factory,
                                                                       other_dies):
    """Another sender holds UA's run when this pass starts (a live lease: UA is left to
    it). While this pass sends to UB, a third of a lease goes by: a sender that died has
    let its lease run out, and this pass sends UA's list itself before going on to UC; a
    sender that lives has renewed, and UA stays its own."""
    ua, *_ = (rep_with_work(session_factory, user) for user in ("UA", "UB", "UC"))
    claimed_at = START - LEASE + timedelta(seconds=1)  # its lease runs until START + 1 s
    other = claim(session_factory, TEAM, ua, WED, claimed_at, owner="web-2:77:other",
                  lease_until=claimed_at + LEASE)
    now = [START]

    class Slack(Outbox):
        def __call__(self, rep, items, local_date, held=None):
            if rep.slack_user_id == "UB":
                now[0] = START + LEASE / 3
                if not other_dies:  # its keeper renews, as a live sender's does
                    with session_factory() as session:
                        session.execute(update(DigestRun).where(DigestRun.id == other)
                                        .values(lease_until=now[0] + LEASE))
                        session.commit()
            return super().__call__(rep, items, local_date, held)

    slack = Slack()
    report = tick(session_factory, START, slack, clock=lambda: now[0])
    if other_dies:
        assert [user for user, _, _ in slack.sent] == ["UB", "UA", "UC"]
        assert (report.sent, report.resumed, report.in_progress) == (3, 1, 0)
        assert {(r.status, r.attempts) for r in runs(session_factory)} == {("sent", 1),
                                                                          ("sent", 2)}
    else:
        assert [user for user, _, _ in slack.sent] == ["UB", "UC"]
        assert (report.sent, report.resumed, report.in_progress) == (2, 0, 1)
        assert [r.owner for r in runs(session_factory) if r.rep_id == ua] == [
            "web-2:77:other"]


def test_lease_and_tick_fit_inside_a_minute_and_can_be_set():
    """A stopped sender's reps wait at most about one lease plus one tick."""
    defaults = load_settings({}, dotenv=None)
    assert defaults.digest_lease_seconds + defaults.digest_tick_seconds < 60
    assert LEASE == timedelta(seconds=defaults.digest_lease_seconds)
    short = load_settings({"DIGEST_LEASE_SECONDS": "9", "DIGEST_TICK_SECONDS": "1"},
                          dotenv=None)
    assert (short.digest_lease_seconds, short.digest_tick_seconds) == (9, 1)
    for name, raw in (("DIGEST_LEASE_SECONDS", "2"), ("DIGEST_TICK_SECONDS", "0"),
                      ("DIGEST_LEASE_SECONDS", "soon")):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: raw}, dotenv=None)


def test_the_jobs_take_lease_and_tick_from_the_settings(running_bot, settings):
    from bot.app import make_client
    from bot.scheduler import Jobs

    deps = dataclasses.replace(running_bot[1].deps, settings=dataclasses.replace(
        settings, digest_lease_seconds=9, digest_tick_seconds=2))
    jobs = Jobs(deps, make_client(settings, retry_rate_limits=False))
    assert jobs.lease == timedelta(seconds=9)
    scheduler = jobs.start()
    try:
        assert scheduler.get_job("digest").trigger.interval == timedelta(seconds=2)
    finally:
        jobs.shutdown(wait=True)
