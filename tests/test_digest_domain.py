"""The morning digest's pure rules: send times per zone, DST days, working days, cut-off,
ordering by call window, and the notification summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digest import (
    MAX_SEND_ATTEMPTS,
    RETRY_PREFIX,
    DueItem,
    RunRecord,
    TickReport,
    best_window,
    describe_report,
    digest_decision,
    lease_expired,
    local_send_time,
    order_due_items,
    run_verdict,
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


def item(name: str, tz: str, due: date = date(2026, 11, 25), fid: int = 0) -> DueItem:
    return DueItem(
        follow_up_id=fid, prospect_id=fid, prospect_name=name, company=None, phone=None,
        prospect_tz=tz, due_on=due, channel="call", step=1, purpose=None, attempt=2,
        max_calls=6, last_outcome=None, last_call_on=None, pain_point=None, next_step=None,
        resource_owed=None, overdue=due < date(2026, 11, 25))


def test_items_are_ordered_by_the_best_call_window_across_zones():
    now = utc(2026, 11, 25, 13, 30)  # 08:30 for a New York rep
    items = [
        item("Kolkata", "Asia/Kolkata", fid=1),  # 16:00 IST = 10:30 UTC: over, so tomorrow's
        item("Los Angeles", "America/Los_Angeles", fid=2),  # 00:00 UTC on the 26th
        item("Auckland", "Pacific/Auckland", fid=3),  # their date is the 26th: 03:00 UTC
        item("New York", "America/New_York", fid=4),  # 21:00 UTC
        item("Berlin", "Europe/Berlin", fid=5),  # 15:00 UTC
    ]
    ordered = order_due_items(items, now, ((time(16), time(17)), (time(11), time(12))))
    assert [i.prospect_name for i in ordered] == [
        "Berlin", "New York", "Los Angeles", "Auckland", "Kolkata"]
    assert best_window(items[0], now).start == local("Asia/Kolkata", 2026, 11, 26, 16)


def test_ties_go_to_the_older_due_date_then_the_name():
    now = utc(2026, 11, 25, 13, 30)
    items = [
        item("zoe", "Europe/Berlin", fid=1),
        item("Adam", "Europe/Berlin", fid=2),
        item("Mia", "Europe/Paris", date(2026, 11, 20), fid=3),  # same UTC window, overdue
    ]
    assert [i.prospect_name for i in order_due_items(items, now)] == ["Mia", "Adam", "zoe"]


def test_ordering_without_windows_or_with_a_bad_zone_does_not_break():
    now = utc(2026, 11, 25, 13, 30)
    items = [item("B", "Mars/Olympus", fid=1), item("A", "UTC", date(2026, 11, 24), fid=2)]
    assert [i.prospect_name for i in order_due_items(items, now, ())] == ["A", "B"]
    assert [i.prospect_name for i in order_due_items(items, now)] == ["A", "B"]


@pytest.mark.parametrize(
    ("today", "overdue", "text"),
    [
        (5, 2, "5 callbacks due today, 2 overdue"),
        (1, 1, "1 callback due today, 1 overdue"),
        (1, 0, "1 callback due today"),
        (3, 0, "3 callbacks due today"),
        (0, 1, "1 overdue callback"),
        (0, 4, "4 overdue callbacks"),
        (0, 0, "Nothing due today"),
    ],
)
def test_summary_text(today, overdue, text):
    assert summary_text(today, overdue) == text


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
