"""Leases on digest runs, `digest --now`, and reps whose zone is not known yet, against a
real database (SQLite file, or PostgreSQL with TEST_DATABASE_URL). Time is the injected
clock; lease lengths are injected; nothing waits on the wall clock."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import DigestRun, Rep
from bot.domain.due_list import MAX_SEND_ATTEMPTS
from bot.services.digest_runs import LEASE, Lease, claim, finish, record_skip, take_over
from bot.services.reps import UnconfirmedZone, ensure_rep, save_rep_profile
from bot.services.uow import unit_of_work
from tests.test_digest_service import (
    TEAM,
    WED,
    Outbox,
    add_rep,
    ny,
    rep_with_work,
    runs,
    tick,
)

START = ny(2026, 11, 25, 8, 31)  # Wednesday, a minute after the reps' workday start


def dead_claim(sf, rep_id: int, at=START, day: date = WED, **kw) -> int:
    """A run claimed by a sender that died at ``at``: its lease ran out one LEASE later."""
    return claim(sf, TEAM, rep_id, day, at, owner="host:1:dead", lease_until=at + LEASE, **kw)


def live_claim(sf, rep_id: int, at=START) -> int:
    """A run whose sender is alive: it renewed its lease a moment ago."""
    return claim(sf, TEAM, rep_id, WED, at, owner="host:2:live", lease_until=at + LEASE)


def statuses(sf) -> list[tuple[str, str | None]]:
    return [(r.status, r.owner) for r in runs(sf)]


# -- a dead sender's runs are taken over within a lease; a live sender's never

@pytest.mark.parametrize("now_run", [False, True], ids=["next-tick", "digest-now"])
def test_a_dead_senders_run_is_taken_over_once_its_lease_ran_out(session_factory, now_run):
    rep_id = rep_with_work(session_factory, "UA")
    dead_claim(session_factory, rep_id)
    outbox = Outbox()
    early = tick(session_factory, START + LEASE / 2, outbox, ignore_schedule=now_run)
    assert (early.in_progress, early.resumed, outbox.sent) == (1, 0, [])
    report = tick(session_factory, START + LEASE, outbox, ignore_schedule=now_run)
    assert (report.resumed, report.sent, report.in_progress) == (1, 1, 0)
    assert outbox.users() == {"UA": 1}
    [run] = runs(session_factory)
    assert (run.status, run.attempts, run.ts) == ("sent", 2, "1.000100")
    assert run.owner != "host:1:dead"  # the taker finished it under its own name


@pytest.mark.parametrize("now_run", [False, True], ids=["next-tick", "digest-now"])
def test_a_live_senders_run_is_left_to_it_and_reported_in_progress(session_factory, now_run):
    rep_id = rep_with_work(session_factory, "UA")
    live_claim(session_factory, rep_id)
    outbox = Outbox()
    report = tick(session_factory, START + LEASE / 2, outbox, ignore_schedule=now_run)
    assert (report.in_progress, report.sent, report.resumed, outbox.sent) == (1, 0, 0, [])
    assert statuses(session_factory) == [("claimed", "host:2:live")]


def test_runs_from_senders_before_leases_wait_the_old_fifteen_minutes(session_factory):
    rep_id = rep_with_work(session_factory, "UA")
    claim(session_factory, TEAM, rep_id, WED, START)  # no owner, no lease_until
    outbox = Outbox()
    assert tick(session_factory, START + timedelta(minutes=14), outbox).in_progress == 1
    later = tick(session_factory, START + timedelta(minutes=15), outbox)
    assert (later.resumed, later.sent) == (1, 1) and outbox.users() == {"UA": 1}


def test_a_live_sender_keeps_its_run_while_a_send_outlasts_the_lease(session_factory):
    """The keeper renews on its own thread while the send waits (on Slack, on the
    limiter): another sender looking long after the first lease would have run out still
    finds the run held. The test waits for the renewal, an event, never for a duration."""
    rep_with_work(session_factory, "UA")
    now = [START]
    lease = Lease(session_factory, lambda: now[0], length=LEASE, renew_every=0.01)
    other, seen = Outbox(), []

    class SlowSlack(Outbox):
        def __call__(self, rep, items, local_date, held=None):
            now[0] = START + 5 * LEASE  # Slack takes five leases to answer
            # +2: a renewal already under way may have read the clock before it moved
            assert lease.wait_renewed(lease.renewals + 2, timeout=600)
            seen.append(tick(session_factory, now[0], other, ignore_schedule=True))
            assert held()  # renewed: still ours to post
            return super().__call__(rep, items, local_date)

    mine = SlowSlack()
    report = tick(session_factory, START, mine, clock=lambda: now[0], lease=lease)
    assert (report.sent, mine.users(), other.sent) == (1, {"UA": 1}, [])
    assert (seen[0].in_progress, seen[0].resumed) == (1, 0)


def test_a_sender_that_cannot_renew_does_not_post_and_its_run_is_taken_over(
        session_factory):
    """The database stopped answering its renewals (here: no keeper runs at all) while
    its clock went on: once its lease is in doubt it must not post, since another sender
    may have taken the run. The run is sent once, by the taker."""
    rep_with_work(session_factory, "UA")
    now = [START]
    never = Lease(session_factory, lambda: now[0], renew_every=10**9)

    class StalledLimiter(Outbox):
        def __call__(self, rep, items, local_date, held=None):
            now[0] = START + LEASE  # the limiter kept it waiting a whole lease
            if not held():
                from bot.domain.due_list import LeaseLost
                raise LeaseLost("lease in doubt")
            return super().__call__(rep, items, local_date)

    stalled = StalledLimiter()
    report = tick(session_factory, START, stalled, clock=lambda: now[0], lease=never)
    assert (report.sent, report.in_progress, stalled.sent) == (0, 1, [])
    assert [r.status for r in runs(session_factory)] == ["claimed"]  # left to a taker
    taker = Outbox()
    assert tick(session_factory, START + LEASE, taker).resumed == 1
    assert taker.users() == {"UA": 1}


def test_a_dead_senders_run_of_a_day_gone_by_is_closed_and_todays_waits_for_its_time(
        session_factory):
    rep_id = rep_with_work(session_factory, "UA")
    tue = WED - timedelta(days=1)
    dead_claim(session_factory, rep_id, at=ny(2026, 11, 24, 8, 31), day=tue)
    dead_claim(session_factory, rep_id, at=ny(2026, 11, 25, 6))  # then 8:30 became later
    outbox = Outbox()
    report = tick(session_factory, ny(2026, 11, 25, 7), outbox)  # before today's start
    assert (report.resumed, report.skipped, report.waiting, outbox.sent) == (1, 1, 1, [])
    assert [r.status for r in runs(session_factory)] == ["skipped", "claimed"]
    assert tick(session_factory, ny(2026, 11, 25, 8, 30), outbox).resumed == 1
    assert outbox.users() == {"UA": 1}


def test_the_honest_gap_a_post_not_recorded_is_sent_once_more_by_the_taker(
        session_factory, monkeypatch):
    """Slack accepted the post, then the sender could not record the ts (here: the
    database refused; a kill does the same). The pass still reports it sent; the run stays
    open, and the taker, seeing no ts, posts again: one duplicate, never a loop."""
    from sqlalchemy.exc import OperationalError

    import bot.services.due_list_pass as digest_pass

    rep_with_work(session_factory, "UA")
    real_finish, failed = digest_pass.finish, []

    def finish_fails_once(*args, **kw):
        if kw.get("status") == "sent" and not failed:
            failed.append(True)
            raise OperationalError("UPDATE digest_runs", {}, Exception("server gone"))
        return real_finish(*args, **kw)

    monkeypatch.setattr(digest_pass, "finish", finish_fails_once)
    outbox = Outbox()
    first = tick(session_factory, START, outbox)
    assert (first.sent, first.failed, [r.status for r in runs(session_factory)]) == (
        1, 0, ["claimed"])
    tick(session_factory, START + LEASE, outbox)
    tick(session_factory, START + 3 * LEASE, outbox)
    assert outbox.users() == {"UA": 2}
    assert [(r.status, r.attempts) for r in runs(session_factory)] == [("sent", 2)]


def test_a_taken_over_run_cannot_be_finished_by_its_old_sender(session_factory):
    rep_id = add_rep(session_factory, "UA")
    run_id = dead_claim(session_factory, rep_id)
    later = START + LEASE
    assert take_over(session_factory, run_id, later, owner="taker",
                     lease_until=later + LEASE) == "taken"
    assert not finish(session_factory, run_id, status="sent", now=later, ts="1.1",
                      owner="host:1:dead")
    assert finish(session_factory, run_id, status="sent", now=later, ts="2.2", owner="taker")
    assert [(r.status, r.ts, r.owner) for r in runs(session_factory)] == [
        ("sent", "2.2", "taker")]


def test_a_list_that_kills_every_sender_is_given_up_after_max_attempts(session_factory):
    rep_id = rep_with_work(session_factory, "UA")
    run_id = dead_claim(session_factory, rep_id)
    at = START
    for attempt in range(2, MAX_SEND_ATTEMPTS + 1):
        at += LEASE
        assert take_over(session_factory, run_id, at, owner=f"victim{attempt}",
                         lease_until=at + LEASE) == "taken"
    outbox = Outbox()
    report = tick(session_factory, at + LEASE, outbox, ignore_schedule=True)
    assert (report.resumed, report.failed, outbox.sent) == (0, 1, [])
    [run] = runs(session_factory)
    assert (run.status, run.attempts) == ("failed", MAX_SEND_ATTEMPTS)
    assert "gave up" in run.error
    again = tick(session_factory, at + 2 * LEASE, outbox, ignore_schedule=True)
    assert (again.failed_earlier, outbox.sent) == (1, [])


# -- digest --now: skipped days are sent; the report says what really happened

def test_digest_now_sends_for_a_day_recorded_as_skipped(session_factory):
    rep_with_work(session_factory, "UA")
    outbox = Outbox()
    assert tick(session_factory, ny(2026, 11, 25, 12, 30), outbox).skipped == 1  # cut-off
    assert tick(session_factory, ny(2026, 11, 25, 12, 31), outbox).skipped_earlier == 1
    now = tick(session_factory, ny(2026, 11, 25, 13), outbox, ignore_schedule=True)
    assert (now.sent, now.skipped_earlier, outbox.users()) == (1, 0, {"UA": 1})
    assert [(r.status, r.error) for r in runs(session_factory)] == [("sent", None)]
    again = tick(session_factory, ny(2026, 11, 25, 13, 1), outbox, ignore_schedule=True)
    assert (again.sent, again.sent_earlier, outbox.users()) == (0, 1, {"UA": 1})


def test_digest_now_sends_a_day_that_was_empty_once_something_is_due(session_factory):
    from tests.test_digest_service import add_follow_up, add_prospect

    rep_id = add_rep(session_factory, "UA")
    outbox = Outbox()
    assert tick(session_factory, ny(2026, 11, 25, 9), outbox).empty == 1
    assert tick(session_factory, ny(2026, 11, 25, 9, 5), outbox).empty_earlier == 1
    add_follow_up(session_factory, rep_id, add_prospect(session_factory, rep_id, "Late"), WED)
    now = tick(session_factory, ny(2026, 11, 25, 10), outbox, ignore_schedule=True)
    assert (now.sent, outbox.users()) == (1, {"UA": 1})


def test_digest_now_reports_each_reps_real_outcome(session_factory):
    sent = rep_with_work(session_factory, "USENT")
    live = rep_with_work(session_factory, "ULIVE")
    dead = rep_with_work(session_factory, "UDEAD")
    skipped = rep_with_work(session_factory, "USKIP")
    failed = rep_with_work(session_factory, "UFAIL")
    rep_with_work(session_factory, "UNEW")
    add_rep(session_factory, "UIDLE")  # nothing due
    at = ny(2026, 11, 25, 9)
    finish(session_factory, claim(session_factory, TEAM, sent, WED, at), status="sent",
           now=at, ts="1.1")
    live_claim(session_factory, live, at + LEASE)
    dead_claim(session_factory, dead, at)
    record_skip(session_factory, TEAM, skipped, WED, at, "past the cut-off")
    finish(session_factory, claim(session_factory, TEAM, failed, WED, at), status="failed",
           now=at, error="ReadTimeout: maybe posted")
    outbox = Outbox()
    report = tick(session_factory, at + LEASE * 1.5, outbox, ignore_schedule=True)
    assert sorted(outbox.users()) == ["UDEAD", "UNEW", "USKIP"]
    assert (report.sent, report.sent_earlier, report.in_progress, report.skipped_earlier,
            report.failed, report.empty, report.failed_earlier, report.resumed) == (
        3, 1, 1, 0, 0, 1, 1, 1)
    from bot.domain.due_list import describe_report

    assert describe_report(report) == (
        "sent now 3, sent earlier 1, in progress elsewhere 1, skipped earlier 0, failed 0, "
        "nothing due 1, failed earlier (it may have posted; --force resends) 1, "
        "taken over from a stopped sender 1")


# -- a rep whose zone is not known yet: nothing recorded on a guessed day

def _new_rep_without_zone(sf, user="UNEW", default_tz="Pacific/Kiritimati") -> int:
    """What /logcall does when users.info failed: the rep exists in DEFAULT_TIMEZONE."""
    save_rep_profile(sf, TEAM, user, UnconfirmedZone(default_tz))
    with sf() as session:
        rep = session.scalar(select(Rep).where(Rep.slack_user_id == user))
        return rep.id


def test_a_rep_created_with_only_the_default_zone_has_no_known_zone(session_factory):
    rep_id = _new_rep_without_zone(session_factory)
    with unit_of_work(session_factory) as session:
        rep = session.get(Rep, rep_id)
        assert (rep.tz, rep.tz_known) == ("Pacific/Kiritimati", False)
        assert ensure_rep(session, TEAM, "UNEW").tz_known is False  # still a guess
        assert ensure_rep(session, TEAM, "UOTHER", default_tz="UTC").tz_known is False
    save_rep_profile(session_factory, TEAM, "UNEW", "America/New_York", "Nia New")
    with session_factory() as session:
        rep = session.get(Rep, rep_id)
        assert (rep.tz, rep.tz_known, rep.name) == ("America/New_York", True, "Nia New")
    save_rep_profile(session_factory, TEAM, "UNEW", UnconfirmedZone("UTC"))  # a failed look-up
    with session_factory() as session:  # never undoes what Slack said
        assert session.scalars(select(Rep.tz).where(Rep.id == rep_id)).one() == (
            "America/New_York")


def test_no_claim_or_skip_is_recorded_on_a_guessed_zone(session_factory):
    """The rep works in New York, but the bot only has the default zone, Kiritimati (UTC+14):
    on Wednesday evening in New York it is already past Thursday's cut-off there. A skip on
    that guess would fall on Thursday and lose the rep's real Thursday list."""
    from tests.test_digest_service import add_follow_up, add_prospect

    rep_id = _new_rep_without_zone(session_factory)
    add_follow_up(session_factory, rep_id, add_prospect(session_factory, rep_id, "P"), WED)
    outbox = Outbox()
    wed_evening = ny(2026, 11, 25, 18)
    for now_run in (False, True):
        report = tick(session_factory, wed_evening, outbox, ignore_schedule=now_run)
        assert (report.zone_unknown, report.skipped, report.sent) == (1, 0, 0)
    unknown = tick(session_factory, wed_evening, outbox, resolve_zone=lambda rep: None)
    assert unknown.zone_unknown == 1  # Slack would not say either
    assert runs(session_factory) == [] and outbox.sent == []
    save_rep_profile(session_factory, TEAM, "UNEW", "America/New_York")  # Slack says
    thursday = tick(session_factory, ny(2026, 11, 26, 8, 31), outbox)
    assert (thursday.sent, [d for _, _, d in outbox.sent]) == (1, [date(2026, 11, 26)])


def test_the_tick_asks_slack_for_an_unknown_zone_and_then_sends(session_factory):
    from tests.test_digest_service import add_follow_up, add_prospect

    rep_id = _new_rep_without_zone(session_factory)
    add_follow_up(session_factory, rep_id, add_prospect(session_factory, rep_id, "P"), WED)
    asked, outbox = [], Outbox()

    def users_info(rep):
        asked.append(rep.slack_user_id)
        return "America/New_York"

    report = tick(session_factory, ny(2026, 11, 25, 8, 45), outbox, resolve_zone=users_info)
    assert (asked, report.sent, report.zone_unknown) == (["UNEW"], 1, 0)
    [run] = runs(session_factory)
    assert run.local_date == WED  # New York's Wednesday, not Kiritimati's Thursday
    tick(session_factory, ny(2026, 11, 25, 8, 50), outbox, resolve_zone=users_info)
    assert asked == ["UNEW"]  # known now: never asked again


# -- the lease's own behaviour

def test_renew_extends_only_the_owners_open_runs(session_factory):
    a, b, c = (add_rep(session_factory, user) for user in ("UA", "UB", "UC"))
    now = [START]
    lease = Lease(session_factory, lambda: now[0], length=timedelta(seconds=30))
    claim(session_factory, TEAM, a, WED, START, owner=lease.owner, lease_until=lease.until())
    done = claim(session_factory, TEAM, b, WED, START, owner=lease.owner,
                 lease_until=lease.until())
    finish(session_factory, done, status="sent", now=START, ts="1.1", owner=lease.owner)
    claim(session_factory, TEAM, c, WED, START, owner="someone else",
          lease_until=START + timedelta(seconds=30))
    now[0] = START + timedelta(seconds=19)
    assert lease.held()
    now[0] = START + timedelta(seconds=20)
    assert not lease.held()  # a third of the lease left: too little to start a post
    assert lease.renew() == 1
    leases = {r.rep_id: r.lease_until for r in runs(session_factory)}
    assert leases == {a: START + timedelta(seconds=50), b: START + timedelta(seconds=30),
                      c: START + timedelta(seconds=30)}
    now[0] = START + timedelta(seconds=31)
    assert lease.held()
    now[0] = START + timedelta(seconds=40)
    assert not lease.held()  # under a third left since the last renewal: do not post


def test_the_keeper_thread_stops_with_the_pass(session_factory):
    lease = Lease(session_factory, lambda: START, renew_every=0.01)
    before = {t.name for t in threading.enumerate()}
    with lease.kept():
        assert f"lease-{lease.owner}" in {t.name for t in threading.enumerate()}
        assert lease.wait_renewed(1, timeout=600)
    assert {t.name for t in threading.enumerate()} <= before | {"MainThread"}


def test_a_skip_is_never_recorded_twice_and_claims_carry_no_lease_then(session_factory):
    rep_id = add_rep(session_factory, "UA", start=time(8, 30))
    assert record_skip(session_factory, TEAM, rep_id, WED, START, "x")
    assert not record_skip(session_factory, TEAM, rep_id, WED, START, "y")
    with session_factory() as session:
        run = session.scalars(select(DigestRun)).one()
    assert (run.status, run.owner, run.lease_until) == ("skipped", None, None)
