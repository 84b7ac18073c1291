"""The morning digest against a real database (SQLite file, or PostgreSQL with
TEST_DATABASE_URL): one DM per rep per local date through restarts, crashes, concurrent
schedulers and clock jumps; catch-up and cut-off; the due list's content and its index.
Leases, takeovers and `digest --now` are in test_digest_leases.py."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

import bot.services.due_list_pass as digest_pass
from bot.config import Settings
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import Call, DigestRun, FollowUp, Prospect, Rep, Team
from bot.domain.calendar import BusinessCalendar
from bot.domain.timing import Parties, WorkHours, appoint_call, day_bounds, whole_day
from bot.domain.windows import DEFAULT_WINDOWS
from bot.services.digest_runs import (
    LEASE,
    claim,
    expired_runs,
    finish,
    record_skip,
    take_over,
)
from bot.services.due_list_sends import due_list_for, reps_to_consider, run_digest_tick

TEAM = "T0001"
NY = "America/New_York"
SETTINGS = Settings()
WED = date(2026, 11, 25)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(NY)).astimezone(UTC)


class Outbox:
    """The ``send`` callable: records every DM; thread-safe; can be told to fail."""

    def __init__(self, fail: Exception | BaseException | None = None,
                 fail_for: str | None = None):
        self.sent: list[tuple[str, list[int], date]] = []
        self.fail, self.fail_for = fail, fail_for
        self.lock = threading.Lock()

    def __call__(self, rep, items, local_date, held=None):
        if self.fail is not None and self.fail_for in (None, rep.slack_user_id):
            raise self.fail
        with self.lock:
            self.sent.append((rep.slack_user_id, [i.follow_up_id for i in items], local_date))
            return f"D{rep.slack_user_id}", f"{len(self.sent)}.000100"

    def users(self) -> Counter:
        return Counter(user for user, _, _ in self.sent)


def add(session_factory, row):
    with session_factory() as session:
        session.add(row)
        session.commit()
        return row.id


def add_rep(sf, user: str, tz: str = NY, *, team: str = TEAM, start: time = time(8, 30),
            days: str = "12345", **extra) -> int:
    with sf() as session:
        if session.get(Team, team) is None:
            session.add(Team(id=team, name=team))
            session.commit()
    return add(sf, Rep(team_id=team, slack_user_id=user, tz=tz, workday_start=start,
                       working_days=days, **extra))


def add_prospect(sf, rep_id: int, name: str, tz: str = NY, *, team: str = TEAM,
                 **extra) -> int:
    return add(sf, Prospect(team_id=team, owner_rep_id=rep_id, name=name, tz=tz,
                            company=f"{name} Co", phone="+1 555 0100", **extra))


def add_follow_up(sf, rep_id: int, prospect_id: int, due_on: date, *, team: str = TEAM,
                  status: str = "pending", channel: str = "call") -> int:
    """A touch with the appointment the bot would have stored for it: a call in the
    prospect's best window on ``due_on`` that fits the rep's day, else that whole day."""
    with sf() as session:
        prospect_tz = session.get(Prospect, prospect_id).tz
        rep_tz = session.get(Rep, rep_id).tz
    if channel == "call":
        parties = Parties(prospect_tz, rep_tz, BusinessCalendar(weekend=frozenset()),
                          windows=DEFAULT_WINDOWS, hours=WorkHours(days="1234567"))
        appointment = appoint_call(due_on, parties,
                                   not_before=day_bounds(due_on, prospect_tz)[0])
    else:
        appointment = whole_day(due_on, prospect_tz)
    return add(sf, FollowUp(team_id=team, rep_id=rep_id, prospect_id=prospect_id,
                            due_on=appointment.day, status=status, channel=channel, step=2,
                            purpose="Second call", attempt_number=2,
                            idempotency_key=uuid.uuid4().hex,
                            window_start=appointment.start, window_end=appointment.end))


def add_call(sf, rep_id: int, prospect_id: int, called_at: datetime, outcome: str,
             **notes) -> int:
    return add(sf, Call(team_id=TEAM, rep_id=rep_id, prospect_id=prospect_id,
                        called_at=called_at, outcome=outcome, call_type="cold_call", **notes))


def rep_with_work(sf, user: str, tz: str = NY, *, due: date = WED, **kw) -> int:
    rep_id = add_rep(sf, user, tz, **kw)
    add_follow_up(sf, rep_id, add_prospect(sf, rep_id, f"Prospect of {user}"), due)
    return rep_id


def runs(sf) -> list[DigestRun]:
    with sf() as session:
        return list(session.scalars(select(DigestRun).order_by(DigestRun.id)))


def tick(sf, now, outbox, **kw):
    kw.setdefault("settings_like", SETTINGS)
    return run_digest_tick(sf, now, send=outbox, **kw)


def test_each_rep_is_sent_once_at_their_own_start(session_factory):
    rep_with_work(session_factory, "UNY", NY)
    rep_with_work(session_factory, "UBER", "Europe/Berlin")
    outbox = Outbox()
    report = tick(session_factory, utc(2026, 11, 25, 7, 29), outbox)
    assert (report.waiting, outbox.sent) == (2, [])
    assert tick(session_factory, utc(2026, 11, 25, 7, 30), outbox).sent == 1
    again = tick(session_factory, utc(2026, 11, 25, 7, 31), outbox)
    assert (again.sent, again.already_claimed, again.waiting) == (0, 1, 1)
    assert tick(session_factory, ny(2026, 11, 25, 8, 30), outbox).sent == 1
    assert tick(session_factory, ny(2026, 11, 25, 8, 31), outbox).sent == 0
    assert outbox.users() == {"UNY": 1, "UBER": 1}
    assert [(r.status, r.local_date, r.channel) for r in runs(session_factory)] == [
        ("sent", WED, "DUBER"), ("sent", WED, "DUNY")]
    assert all(r.ts and r.finished_at for r in runs(session_factory))


@pytest.mark.parametrize("lockstep", [True, False], ids=["lockstep", "free-running"])
def test_two_schedulers_against_one_database_send_once(db_url, session_factory, monkeypatch,
                                                       lockstep):
    users = [f"U{n:03d}" for n in range(12)]
    for user in users:
        rep_with_work(session_factory, user)
    if lockstep:  # both processes reach every claim together, so every insert races
        barrier, real_claim = threading.Barrier(2), digest_pass.claim

        def racing_claim(*args, **kw):
            barrier.wait(timeout=300)
            return real_claim(*args, **kw)

        monkeypatch.setattr(digest_pass, "claim", racing_claim)
    engines = [make_engine(db_url) for _ in range(2)]  # two processes, two pools
    outbox, reports, errors = Outbox(), [], []

    def scheduler(engine):
        try:
            # Three ticks each, 5 s apart: the two processes' clocks disagree by up to 10 s,
            # less than the two thirds of a lease (30 s) a live sender always has left.
            # (Minutes apart, as before leases, would be a skew no real pair of hosts has.)
            for step in range(1 if lockstep else 3):
                now = ny(2026, 11, 25, 8, 30) + timedelta(seconds=5 * step)
                reports.append(tick(make_session_factory(engine), now, outbox))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)  # a safety net for a hang, not a time budget
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert outbox.users() == dict.fromkeys(users, 1)
    assert sum(r.sent for r in reports) == 12 and sum(r.failed for r in reports) == 0
    assert len(runs(session_factory)) == 12


def test_a_crash_mid_fan_out_never_sends_twice_and_the_dead_senders_run_is_taken_over_once(
        session_factory):
    for user in ("UA", "UB", "UC"):
        rep_with_work(session_factory, user)

    class Crash(BaseException):
        """The process dies: nothing after the send runs (and its lease is not renewed)."""

    start = ny(2026, 11, 25, 8, 30)
    with pytest.raises(Crash):
        tick(session_factory, start, Outbox(fail=Crash(), fail_for="UB"))
    assert [r.status for r in runs(session_factory)] == ["sent", "claimed"]
    outbox = Outbox()
    restarted = tick(session_factory, start + LEASE / 2, outbox)
    assert (restarted.sent, restarted.sent_earlier, restarted.in_progress) == (1, 1, 1)
    assert outbox.users() == {"UC": 1}  # UB's lease still runs: no second sender
    later = start + LEASE + timedelta(seconds=1)  # the lease ran out unrenewed
    resumed = tick(session_factory, later, outbox)
    assert (resumed.resumed, resumed.sent, resumed.sent_earlier) == (1, 1, 2)
    tick(session_factory, later + timedelta(minutes=30), outbox)
    assert outbox.users() == {"UC": 1, "UB": 1}
    assert {r.status for r in runs(session_factory)} == {"sent"}
    assert [r.attempts for r in runs(session_factory)] == [1, 2, 1]


def test_exactly_one_caller_wins_an_expired_lease(db_url, session_factory):
    rep_id = add_rep(session_factory, "UA")
    now = ny(2026, 11, 25, 8, 30)
    lease = timedelta(seconds=60)
    run_id = claim(session_factory, TEAM, rep_id, WED, now, owner="dead",
                   lease_until=now + lease)
    assert run_id is not None and claim(session_factory, TEAM, rep_id, WED, now) is None
    later = now + 2 * lease
    [expired] = expired_runs(session_factory, later)
    assert (expired.id, expired.status, expired.owner) == (run_id, "claimed", "dead")
    assert take_over(session_factory, run_id, now + lease / 2, owner="early",
                     lease_until=now + lease * 2) == "held"
    barrier, wins = threading.Barrier(4), []
    engines = [make_engine(db_url) for _ in range(4)]

    def contender(engine, name):
        barrier.wait(timeout=300)
        wins.append((take_over(make_session_factory(engine), run_id, later, owner=name,
                               lease_until=later + lease), name))

    threads = [threading.Thread(target=contender, args=(e, f"taker{n}"))
               for n, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)  # a safety net for a hang, not a time budget
    for engine in engines:
        engine.dispose()
    assert sorted(won for won, _ in wins) == ["held", "held", "held", "taken"]
    [run] = runs(session_factory)
    winner = next(name for won, name in wins if won == "taken")
    assert (run.status, run.owner, run.attempts) == ("sending", winner, 2)
    assert expired_runs(session_factory, later + lease / 2) == []  # the taker's lease runs


def test_an_abandoned_claim_found_after_the_cutoff_is_closed_as_skipped(session_factory):
    rep_id = rep_with_work(session_factory, "UA")
    claim(session_factory, TEAM, rep_id, WED, ny(2026, 11, 25, 11, 50), owner="dead",
          lease_until=ny(2026, 11, 25, 11, 51))
    outbox = Outbox()
    report = tick(session_factory, ny(2026, 11, 25, 12, 30), outbox)
    assert (report.resumed, report.skipped, outbox.sent) == (1, 1, [])
    assert [r.status for r in runs(session_factory)] == ["skipped"]


def test_bot_down_at_start_catches_up_before_the_cutoff(session_factory):
    rep_with_work(session_factory, "UA")
    outbox = Outbox()
    assert tick(session_factory, ny(2026, 11, 25, 8, 29), outbox).waiting == 1
    assert tick(session_factory, ny(2026, 11, 25, 10, 0), outbox).sent == 1  # bot was down
    assert outbox.users() == {"UA": 1}
    assert [r.status for r in runs(session_factory)] == ["sent"]


def test_past_the_cutoff_the_day_is_skipped_and_recorded_once(session_factory):
    rep_with_work(session_factory, "UA")
    outbox = Outbox()
    first = tick(session_factory, ny(2026, 11, 25, 12, 30), outbox)
    second = tick(session_factory, ny(2026, 11, 25, 12, 31), outbox)
    assert (first.skipped, second.skipped, second.already_claimed) == (1, 0, 1)
    assert outbox.sent == []
    [run] = runs(session_factory)
    assert (run.status, run.local_date, run.finished_at is not None) == ("skipped", WED, True)
    assert "cut-off" in run.error
    assert record_skip(session_factory, TEAM, run.rep_id, WED, ny(2026, 11, 25, 13), "x") is False


def test_no_digest_on_days_off(session_factory):
    rep_with_work(session_factory, "UA")
    rep_with_work(session_factory, "UB", days="1234")
    outbox = Outbox()
    saturday = tick(session_factory, ny(2026, 11, 28, 9), outbox)
    friday = tick(session_factory, ny(2026, 11, 27, 9), outbox)
    assert (saturday.off_day, friday.off_day, friday.sent) == (2, 1, 1)
    assert outbox.users() == {"UA": 1} and len(runs(session_factory)) == 1


@pytest.mark.parametrize(
    ("start", "begin", "expected"),
    [
        (time(1, 30), utc(2026, 11, 1, 3), utc(2026, 11, 1, 5, 30)),  # fall back: 01:30 twice
        (time(2, 30), utc(2026, 3, 8, 4), utc(2026, 3, 8, 7, 0)),  # spring forward: no 02:30
    ],
    ids=["fall-back", "spring-forward"],
)
def test_dst_mornings_send_exactly_once(session_factory, start, begin, expected):
    rep_with_work(session_factory, "UA", start=start, days="1234567", due=begin.date())
    outbox, sent_at = Outbox(), []
    for step in range(8 * 12):  # a tick every 5 minutes for 8 hours
        now = begin + timedelta(minutes=5 * step)
        if tick(session_factory, now, outbox).sent:
            sent_at.append(now)
    assert sent_at == [expected]


def test_clock_jumps_do_not_resend(session_factory):
    rep_with_work(session_factory, "UA")
    outbox = Outbox()
    for now in (ny(2026, 11, 25, 9), ny(2026, 11, 25, 7), ny(2026, 11, 25, 9, 5),
                ny(2026, 11, 25, 15)):
        tick(session_factory, now, outbox)
    assert outbox.users() == {"UA": 1}
    tick(session_factory, ny(2026, 11, 26, 9), outbox)  # the next local date is a new day
    assert [d for _, _, d in outbox.sent] == [WED, date(2026, 11, 26)]


def test_an_empty_list_sends_nothing_unless_configured(session_factory):
    add_rep(session_factory, "UA")
    outbox = Outbox()
    report = tick(session_factory, ny(2026, 11, 25, 9), outbox)
    assert (report.empty, outbox.sent) == (1, [])
    assert [r.status for r in runs(session_factory)] == ["empty"]
    add_rep(session_factory, "UB")
    chatty = dataclasses.replace(SETTINGS, digest_when_empty=True)
    assert tick(session_factory, ny(2026, 11, 25, 9, 1), outbox, settings_like=chatty).sent == 1
    assert outbox.sent == [("UB", [], WED)]


def test_a_failed_send_is_recorded_and_not_retried_by_the_next_tick(session_factory):
    rep_with_work(session_factory, "UA")
    rep_with_work(session_factory, "UB")
    failing = Outbox(fail=RuntimeError("slack said ratelimited"), fail_for="UA")
    report = tick(session_factory, ny(2026, 11, 25, 9), failing)
    assert (report.failed, report.sent) == (1, 1)
    outbox = Outbox()
    again = tick(session_factory, ny(2026, 11, 25, 9, 1), outbox)
    assert (again.failed_earlier, again.sent_earlier, again.already_claimed) == (1, 1, 2)
    assert outbox.sent == []
    failed = next(r for r in runs(session_factory) if r.status == "failed")
    assert "ratelimited" in failed.error and failed.ts is None


def test_only_users_and_force(session_factory):
    rep_with_work(session_factory, "UA")
    rep_with_work(session_factory, "UB")
    outbox = Outbox()
    assert tick(session_factory, ny(2026, 11, 25, 9), outbox, only_users={"UA"}).sent == 1
    assert outbox.users() == {"UA": 1}
    forced = tick(session_factory, ny(2026, 11, 25, 15), outbox, force=True, only_users={"UA"})
    assert forced.sent == 1 and outbox.users() == {"UA": 2}
    [run] = runs(session_factory)  # the admin's resend records nothing new
    assert (run.status, run.ts) == ("sent", "1.000100")
    weekend = tick(session_factory, ny(2026, 11, 28, 7), outbox, force=True, only_users={"UB"})
    assert weekend.sent == 1 and outbox.users() == {"UA": 2, "UB": 1}
    assert runs(session_factory)[-1].local_date == date(2026, 11, 28)


def test_reps_to_consider_skips_inactive_and_opted_out_reps(session_factory):
    add_rep(session_factory, "UA")
    add_rep(session_factory, "UB", active=False)
    add_rep(session_factory, "UC", digest_enabled=False)
    [rep] = reps_to_consider(session_factory, utc(2026, 11, 25))
    assert (rep.slack_user_id, rep.team_id, rep.tz, rep.workday_start, rep.working_days) == (
        "UA", TEAM, NY, time(8, 30), "12345")


def test_claim_errors_other_than_the_unique_key_are_raised(session_factory):
    add_rep(session_factory, "UA")
    with pytest.raises(IntegrityError):
        claim(session_factory, TEAM, 999_999, WED, utc(2026, 11, 25))


def test_finish_changes_only_an_open_run(session_factory):
    rep_id = add_rep(session_factory, "UA")
    run_id = claim(session_factory, TEAM, rep_id, WED, utc(2026, 11, 25, 14))
    now = utc(2026, 11, 25, 14, 1)
    assert finish(session_factory, run_id, status="sent", now=now, channel="D1", ts="1.2")
    assert not finish(session_factory, run_id, status="failed", now=now, error="late")
    with pytest.raises(ValueError):
        finish(session_factory, run_id, status="claimed", now=now)
    assert [(r.status, r.ts) for r in runs(session_factory)] == [("sent", "1.2")]


def test_the_due_list_holds_the_reps_own_overdue_and_todays_touches(session_factory):
    sf = session_factory
    rep_id = add_rep(sf, "UA")
    other_rep = add_rep(sf, "UB")
    stranger = add_rep(sf, "UX", team="T0002")
    berlin = add_prospect(sf, rep_id, "Bea Berlin", "Europe/Berlin")
    la = add_prospect(sf, rep_id, "Lou Angeles", "America/Los_Angeles")
    dnc = add_prospect(sf, rep_id, "Dee Nocall", do_not_call=True)
    overdue = add_follow_up(sf, rep_id, la, WED - timedelta(days=3))
    today = add_follow_up(sf, rep_id, berlin, WED, channel="email")
    add_follow_up(sf, rep_id, berlin, WED + timedelta(days=1))  # tomorrow
    add_follow_up(sf, rep_id, la, WED, status="done")
    add_follow_up(sf, rep_id, dnc, WED)
    add_follow_up(sf, other_rep, add_prospect(sf, other_rep, "Not Mine"), WED)
    add_follow_up(sf, stranger, add_prospect(sf, stranger, "Elsewhere", team="T0002"), WED,
                  team="T0002")
    add_call(sf, rep_id, berlin, utc(2026, 11, 20, 15), "voicemail", pain_point="old")
    add_call(sf, rep_id, berlin, utc(2026, 11, 25, 2), "connected", pain_point="Slow onboarding",
             next_step="Send the pricing sheet", resource_promised="ROI calculator")
    items = due_list_for(sf, TEAM, rep_id, WED, 6)
    assert [i.follow_up_id for i in items] == [overdue, today]  # by due date without ``now``
    late, bea = items
    assert (late.overdue, late.last_outcome, late.pain_point) == (True, None, None)
    assert (bea.overdue, bea.channel, bea.prospect_name, bea.company) == (
        False, "email", "Bea Berlin", "Bea Berlin Co")
    assert (bea.last_outcome, bea.pain_point, bea.next_step, bea.resource_owed) == (
        "connected", "Slow onboarding", "Send the pricing sheet", "ROI calculator")
    assert bea.last_call_on == date(2026, 11, 24)  # 02:00 UTC is the evening before in NY
    assert (bea.attempt, bea.max_calls, bea.step, bea.prospect_tz) == (2, 6, 2, "Europe/Berlin")
    # Ordered by the stored windows: the overdue touch's window began days ago.
    assert (late.window_start < bea.window_start) and bea.window_start is not None
    assert due_list_for(sf, "T0002", rep_id, WED, 6) == []


def test_the_due_list_uses_the_partial_index_in_two_queries(engine, session_factory):
    rep_id = add_rep(session_factory, "UA")
    for n in range(3):
        prospect = add_prospect(session_factory, rep_id, f"P{n}")
        add_follow_up(session_factory, rep_id, prospect, WED)
        add_call(session_factory, rep_id, prospect, utc(2026, 11, 20, 15), "no_answer")
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert len(due_list_for(session_factory, TEAM, rep_id, WED, 6,
                                rep_tz="America/New_York")) == 3
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    # A fixed number of queries however many prospects (no N+1): the list, those
    # prospects' calls, the last email sent.
    assert len(statements) == 3
    statement, parameters = statements[0]
    # Inlined, not bound: a PostgreSQL generic plan could not match the index predicate.
    assert "status = 'pending'" in statement
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        else:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert "ix_follow_ups_open_rep_window" in " ".join(str(row) for row in plan)


def test_a_long_pass_does_not_make_its_own_claims_look_abandoned(session_factory):
    """Process A claims rep 2 twenty minutes into a long pass; process B looks at that run
    half a lease later. The lease is stamped when the claim is taken, not when the pass
    began, so B leaves it alone."""
    for user in ("U1", "U2"):
        rep_with_work(session_factory, user)
    start = ny(2026, 11, 25, 8, 31)
    late = start + timedelta(minutes=20)
    other, seen = Outbox(), []

    class SlowOutbox(Outbox):
        def __call__(self, rep, items, local_date, held=None):
            if rep.slack_user_id == "U2":  # while A is sending to U2, B's tick runs
                seen.append(tick(session_factory, late + LEASE / 2, other))
            return super().__call__(rep, items, local_date)

    mine = SlowOutbox()
    tick(session_factory, start, mine, clock=lambda: late)
    assert sorted(user for user, _, _ in mine.sent) == ["U1", "U2"]
    assert other.sent == [] and (seen[0].resumed, seen[0].in_progress) == (0, 1)


def test_a_stopping_bot_takes_no_new_claims(session_factory):
    for user in ("U1", "U2", "U3"):
        rep_with_work(session_factory, user)
    outbox = Outbox()
    report = tick(session_factory, ny(2026, 11, 25, 8, 31), outbox,
                  stop=lambda: len(outbox.sent) >= 1)
    assert report.sent == 1 and len(runs(session_factory)) == 1  # the others stay unclaimed
    assert tick(session_factory, ny(2026, 11, 25, 8, 40), outbox).sent == 2  # picked up later
