"""The morning digest's pure rules: send times per zone, DST days, working days, cut-off,
ordering by call window, and the notification summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.due_list import (
    MAX_SEND_ATTEMPTS,
    RETRY_PREFIX,
    RunRecord,
    TickReport,
    describe_report,
    digest_decision,
    lease_expired,
    local_send_time,
    run_verdict,
    send_window,
    summary_text,
)

START = time(8, 30)
NOON = time(12)
EVERY_DAY = "1234567"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def decide(now: datetime, zone: str, start: time = START, days: str = "12345",
           cutoff: time = NOON):
    return digest_decision(now, zone, start, days, cutoff)


def send_onsets(zone: str, start: time, begin: datetime, hours: int) -> list[datetime]:
    """Every minute in the range where the decision turns to 'send' (a fresh morning)."""
    onsets, previous = [], None
    for minute in range(hours * 60):
        now = begin + timedelta(minutes=minute)
        decision = decide(now, zone, start, EVERY_DAY)
        key = (decision.local_date, decision.action)
        if decision.action == "send" and key != previous:
            onsets.append(now)
        previous = key
    return onsets


@pytest.mark.parametrize(
    ("zone", "send_utc"),
    [
        ("America/New_York", utc(2026, 11, 25, 13, 30)),
        ("Europe/Berlin", utc(2026, 11, 25, 7, 30)),
        ("Asia/Kolkata", utc(2026, 11, 25, 3, 0)),  # +05:30
        ("Pacific/Auckland", utc(2026, 11, 24, 19, 30)),  # +13:00, still Tuesday in UTC
    ],
)
def test_each_zone_sends_at_its_own_workday_start(zone, send_utc):
    wednesday = date(2026, 11, 25)
    assert local_send_time(wednesday, zone, START) == send_utc
    before = decide(send_utc - timedelta(minutes=1), zone)
    at = decide(send_utc, zone)
    assert (before.local_date, before.action) == (wednesday, "wait")
    assert (at.local_date, at.action) == (wednesday, "send")
    assert at.send_at == send_utc and at.cutoff_at == local(zone, 2026, 11, 25, 12)


def test_spring_forward_gap_moves_the_start_to_the_end_of_the_gap():
    zone = "America/New_York"  # 2026-03-08: 02:00 EST jumps to 03:00 EDT
    sent = local_send_time(date(2026, 3, 8), zone, time(2, 30))
    assert sent == utc(2026, 3, 8, 7, 0)
    assert (sent.hour, sent.minute, sent.utcoffset()) == (3, 0, timedelta(hours=-4))
    onsets = send_onsets(zone, time(2, 30), utc(2026, 3, 8, 3), hours=12)
    assert onsets == [utc(2026, 3, 8, 7, 0)]


def test_spring_forward_in_berlin_and_a_half_hour_shift():
    assert local_send_time(date(2026, 3, 29), "Europe/Berlin", time(2, 30)) == utc(
        2026, 3, 29, 1, 0)
    # Lord Howe moves 30 minutes: 02:00 becomes 02:30.
    moved = local_send_time(date(2026, 10, 4), "Australia/Lord_Howe", time(2, 15))
    assert (moved.hour, moved.minute) == (2, 30)


def test_fall_back_ambiguous_start_has_exactly_one_send_instant():
    zone = "America/New_York"  # 2026-11-01: 01:00-02:00 happens twice
    sent = local_send_time(date(2026, 11, 1), zone, time(1, 30))
    assert sent.fold == 0 and sent.utcoffset() == timedelta(hours=-4)
    assert sent.astimezone(UTC) == utc(2026, 11, 1, 5, 30)
    onsets = send_onsets(zone, time(1, 30), utc(2026, 11, 1, 3), hours=12)
    assert onsets == [utc(2026, 11, 1, 5, 30)]
    # The second 01:30 (EST) is the same local date: the claim, not the clock, stops a resend.
    again = decide(utc(2026, 11, 1, 6, 30), zone, time(1, 30), EVERY_DAY)
    assert again.local_date == date(2026, 11, 1)


def test_ordinary_days_around_dst_keep_the_local_start():
    zone = "America/New_York"
    assert local_send_time(date(2026, 3, 9), zone, START) == utc(2026, 3, 9, 12, 30)
    assert local_send_time(date(2026, 11, 2), zone, START) == utc(2026, 11, 2, 13, 30)


@pytest.mark.parametrize(
    ("now", "days", "action"),
    [
        (local("America/New_York", 2026, 11, 28, 9), "12345", "skip_not_working_day"),  # Sat
        (local("America/New_York", 2026, 11, 29, 9), "12345", "skip_not_working_day"),  # Sun
        (local("America/New_York", 2026, 11, 27, 9), "1234", "skip_not_working_day"),  # Fri
        (local("America/New_York", 2026, 11, 26, 9), "1234", "send"),  # Thu
        (local("America/New_York", 2026, 11, 28, 9), "6", "send"),  # a Saturday-only rep
    ],
)
def test_working_days(now, days, action):
    assert decide(now, "America/New_York", days=days).action == action


def test_working_day_is_the_reps_local_weekday_not_utcs():
    # Monday 08:30 in Auckland is still Sunday in UTC.
    now = local("Pacific/Auckland", 2026, 11, 30, 8, 30)
    assert now.astimezone(UTC).weekday() == 6
    decision = decide(now, "Pacific/Auckland")
    assert (decision.local_date, decision.action) == (date(2026, 11, 30), "send")


@pytest.mark.parametrize(
    ("clock", "action"),
    [
        (time(0, 0), "wait"),
        (time(8, 29), "wait"),
        (time(8, 30), "send"),
        (time(10, 0), "send"),  # the bot was down at 08:30: catch up
        (time(11, 59), "send"),
        (time(12, 0), "skip_past_cutoff"),
        (time(12, 30), "skip_past_cutoff"),
        (time(23, 59), "skip_past_cutoff"),
    ],
)
def test_wait_send_and_cutoff(clock, action):
    now = datetime.combine(date(2026, 11, 25), clock, ZoneInfo("Europe/Berlin"))
    assert decide(now, "Europe/Berlin").action == action


def test_a_cutoff_not_after_the_start_keeps_the_window_open_until_midnight():
    zone, late = "America/New_York", time(13)
    assert decide(local(zone, 2026, 11, 25, 12, 30), zone, late).action == "wait"
    assert decide(local(zone, 2026, 11, 25, 13), zone, late).action == "send"
    assert decide(local(zone, 2026, 11, 25, 23, 59), zone, late).action == "send"


def test_a_start_inside_a_midnight_gap_still_sends_that_days_list():
    """America/Nuuk skips Saturday 28 March 2026 23:00-23:59: a 23:30 start goes out in
    the first hour of Sunday, as Saturday's list."""
    zone, start = "America/Nuuk", time(23, 30)
    sunday_0010 = utc(2026, 3, 29, 1, 10)  # 00:10 on Sunday in Nuuk (UTC-1 now)
    decision = digest_decision(sunday_0010, zone, start, "1234567", time(12))
    assert (decision.local_date, decision.action) == (date(2026, 3, 28), "send")
    send_at, cutoff_at = send_window(date(2026, 3, 28), zone, start, time(12))
    assert cutoff_at - send_at == timedelta(hours=1)


def test_a_late_start_has_until_the_end_of_its_day():
    zone = "America/New_York"
    send_at, cutoff_at = send_window(date(2026, 11, 25), zone, time(13), time(12))
    assert send_at == local(zone, 2026, 11, 25, 13)
    assert cutoff_at == local(zone, 2026, 11, 26, 0)
    # Yesterday's late window is looked at first; outside it, today's rules apply.
    assert digest_decision(local(zone, 2026, 11, 26, 0, 30), zone, time(13), "12345",
                           time(12)).local_date == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("by_channel", "overdue", "text"),
    [
        ({"call": 3, "email": 2}, 0, "5 due today: 3 calls, 2 emails"),
        ({"call": 1}, 0, "1 due today: 1 call"),
        ({"email": 1, "linkedin": 1}, 0, "2 due today: 1 email, 1 LinkedIn note"),
        ({"linkedin": 2, "call": 4, "email": 1}, 2,
         "7 due today (2 overdue): 4 calls, 1 email, 2 LinkedIn notes"),
        ({"call": 2}, 2, "2 overdue: 2 calls"),
        ({"call": 1, "other": 1, "fax": 1}, 0, "3 due today: 1 call, 2 other touches"),
        ({"call": 0}, 0, "Nothing due today"),
        ({}, 0, "Nothing due today"),
    ],
)
def test_summary_counts_what_is_due_by_kind(by_channel, overdue, text):
    assert summary_text(by_channel, overdue) == text


# -- runs a day already has: leases, and what a pass (or digest --now) does with them

NINE = utc(2026, 11, 25, 14)
LEGACY = timedelta(minutes=15)


def run(status: str, *, lease_until=None, error=None, attempts=1, claimed_at=NINE):
    return RunRecord(1, "T1", 1, date(2026, 11, 25), status, None, None, error, claimed_at,
                     None, attempts, "host:1:abc", lease_until)


def test_a_lease_runs_out_at_lease_until_and_a_legacy_claim_after_fifteen_minutes():
    leased = run("claimed", lease_until=NINE + timedelta(seconds=60))
    assert not lease_expired(leased, NINE + timedelta(seconds=59), LEGACY)
    assert lease_expired(leased, NINE + timedelta(seconds=60), LEGACY)
    legacy = run("sending")  # claimed by a sender from before leases
    assert not lease_expired(legacy, NINE + timedelta(minutes=14), LEGACY)
    assert lease_expired(legacy, NINE + LEGACY, LEGACY)
    assert not lease_expired(run("sent", lease_until=NINE), NINE + LEGACY, LEGACY)


@pytest.mark.parametrize(("record", "send_now", "verdict"), [
    (run("claimed", lease_until=NINE + timedelta(seconds=61)), True, "in_progress"),
    (run("sending", lease_until=NINE), False, "take_over"),
    (run("failed", error=f"{RETRY_PREFIX}ratelimited"), False, "retry"),
    (run("failed", error=f"{RETRY_PREFIX}ratelimited", attempts=MAX_SEND_ATTEMPTS), True,
     "failed_earlier"),
    (run("failed", error="ReadTimeout: no answer"), True, "failed_earlier"),
    (run("skipped"), False, "skipped_earlier"),
    (run("skipped"), True, "resend"),
    (run("empty"), False, "empty_earlier"),
    (run("empty"), True, "resend"),
    (run("sent"), True, "sent_earlier"),
])
def test_run_verdicts(record, send_now, verdict):
    assert run_verdict(record, NINE + timedelta(seconds=60), send_now=send_now,
                       legacy_after=LEGACY) == verdict


def test_an_unknown_run_status_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        run_verdict(run("queued"), NINE, send_now=True, legacy_after=LEGACY)


def test_the_admins_report_names_what_really_happened():
    report = TickReport(sent=2, empty=1)
    report.add(TickReport(sent_earlier=3, in_progress=1, empty_earlier=1, zone_unknown=1))
    assert (report.sent, report.already_claimed) == (2, 5)
    assert describe_report(report) == (
        "sent now 2, sent earlier 3, in progress elsewhere 1, skipped earlier 0, failed 0, "
        "nothing due 2, not sent: time zone unknown (Slack has not said yet) 1")
