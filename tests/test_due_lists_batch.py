"""Many reps' due lists at once (bot.services.due_list.due_lists_for) hold exactly what
each rep's list held when it was computed alone, the way it was before batching
(tests/due_list_before.py): reps in zones whose days end at other instants, touches on
either side of a day's end, notes, resources owed and emails sent, drafts, do-not-call
prospects and another team's rows."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

import bot.services.due_list as due_list
from bot.db.models import Call, EmailDraft, FollowUp
from bot.domain.timing import day_bounds
from bot.services.due_list import Wanted, due_list_for, due_lists_for
from tests import due_list_before
from tests.conftest import PG_URL
from tests.test_digest_service import TEAM, WED, add, add_prospect, add_rep, utc

ZONES = ("America/New_York", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo",
         "Asia/Kolkata", "Pacific/Auckland", "Pacific/Honolulu")
OTHER = "T0002"


def _touch(sf, rng, rep_id, prospect_id, start: datetime, *, team=TEAM, status="pending"):
    channel = rng.choice(("call", "call", "email", "linkedin"))
    return add(sf, FollowUp(
        team_id=team, rep_id=rep_id, prospect_id=prospect_id, due_on=start.date(),
        status=status, channel=channel, step=rng.randint(1, 6), purpose=rng.choice(
            (None, "Value add", "Second call")), attempt_number=rng.choice((None, 2, 3)),
        idempotency_key=uuid.uuid4().hex, window_start=start,
        window_end=start + timedelta(hours=1), outside_hours=rng.random() < 0.2,
        draft=rng.choice((None, "value_add", "linkedin_note"))))


def _calls(sf, rng, rep_id, prospect_id, team=TEAM):
    calls = []
    for n in range(rng.randint(0, 4)):
        notes = {} if rng.random() < 0.4 else {
            "pain_point": rng.choice((None, "Slow <onboarding> & more")),
            "next_step": rng.choice((None, "Send pricing")),
            "resource_promised": rng.choice((None, "ROI calculator"))}
        at = utc(2026, 11, 10) + timedelta(days=n * 3, hours=rng.randint(0, 23))
        calls.append((at, add(sf, Call(team_id=team, rep_id=rep_id, prospect_id=prospect_id,
                                       called_at=at, outcome=rng.choice(
                                           ("connected", "voicemail", "no_answer")),
                                       call_type="cold_call", **notes))))
    return calls


def _email(sf, rng, rep_id, prospect_id, touch_id, calls, team=TEAM):
    """A draft for the touch (sometimes another rep's), or an email sent before or after
    the latest call."""
    roll = rng.random()
    if roll < 0.3:
        add(sf, EmailDraft(team_id=team, prospect_id=prospect_id, rep_id=rep_id,
                           follow_up_id=touch_id, template="value_add", subject="s", body="b"))
    elif roll < 0.6 and calls:
        at = calls[-1][0] + timedelta(hours=rng.choice((-2, 2)))
        add(sf, EmailDraft(team_id=team, prospect_id=prospect_id, rep_id=rep_id,
                           template=rng.choice(("recap", "linkedin_note")), subject="s",
                           body="b", status="sent", sent_at=at))


def _book(sf, rng, rep_id, tz, team=TEAM):
    """A rep's prospects and touches, around the ends of WED in their zone."""
    end = day_bounds(WED, tz)[1]
    for n in range(4):
        flags = {"do_not_call": n == 3 and rng.random() < 0.5} if n == 3 else {}
        if n == 2 and rng.random() < 0.3:
            flags = {"status": "do_not_call"}
        prospect = add_prospect(sf, rep_id, f"P{rep_id}-{rng.randint(0, 99):02d}",
                                rng.choice(ZONES), team=team, **flags)
        calls = _calls(sf, rng, rep_id, prospect, team)
        for offset in rng.sample((-50, -30, -1, 0, 1, 2, 20, 30), 3):
            status = "pending" if rng.random() < 0.85 else "done"
            touch = _touch(sf, rng, rep_id, prospect, end + timedelta(hours=offset),
                           team=team, status=status)
            _email(sf, rng, rep_id, prospect, touch, calls, team)


@pytest.fixture
def reps(session_factory):
    rng = random.Random(15)
    found = []
    for n, tz in enumerate(ZONES * 2):
        rep_id = add_rep(session_factory, f"U{n:03d}", tz)
        _book(session_factory, rng, rep_id, tz)
        found.append((rep_id, tz))
    stranger = add_rep(session_factory, "UX", "Europe/Berlin", team=OTHER)
    _book(session_factory, rng, stranger, "Europe/Berlin", team=OTHER)
    return found + [(stranger, "Europe/Berlin")]


NOWS = (None, utc(2026, 11, 25, 13, 31), utc(2026, 11, 25, 23, 59))
DAYS = (WED, WED + timedelta(days=1))


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("day", DAYS)
def test_a_batch_of_lists_equals_each_reps_list_computed_alone(session_factory, reps,
                                                               day, now):
    wanted = [Wanted(rep_id, day, tz) for rep_id, tz in reps]
    batch = due_lists_for(session_factory, TEAM, wanted, 6, now=now)
    assert sorted(batch) == sorted(rep_id for rep_id, _ in reps)
    shown = 0
    for rep_id, tz in reps:
        before = due_list_before.due_list_for(session_factory, TEAM, rep_id, day, 6, now=now,
                                              rep_tz=tz)
        assert batch[rep_id] == before
        assert due_list_for(session_factory, TEAM, rep_id, day, 6, now=now) == before
        shown += len(before)
    assert shown > 20  # the data really lists something


def test_the_fixture_has_touches_on_both_sides_of_a_days_end(session_factory, reps):
    """Tomorrow's touches of a rep whose day ends early are before the batch's latest end:
    the batch must drop them per rep (what the equality above relies on)."""
    wanted = [Wanted(rep_id, WED, tz) for rep_id, tz in reps]
    lists = due_lists_for(session_factory, TEAM, wanted, 6)
    latest = max(day_bounds(WED, tz)[1] for _, tz in reps)
    for rep_id, tz in reps:
        assert all(item.window_start < day_bounds(WED, tz)[1] for item in lists[rep_id])
    early = [rep_id for rep_id, tz in reps if day_bounds(WED, tz)[1] < latest]
    beyond = [item for rep_id in early for item in due_list_before.due_list_for(
        session_factory, TEAM, rep_id, WED + timedelta(days=1), 6, rep_tz=dict(reps)[rep_id])
        if item.window_start < latest]
    assert beyond  # rows the chunk's query reads and the rep's own day leaves out


def test_three_queries_per_chunk_of_reps(engine, session_factory, reps, monkeypatch):
    monkeypatch.setattr(due_list, "CHUNK", 5)
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    wanted = [Wanted(rep_id, WED, tz) for rep_id, tz in reps]  # 15 reps: 3 chunks
    event.listen(engine, "before_cursor_execute", remember)
    try:
        lists = due_lists_for(session_factory, TEAM, wanted, 6)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(statements) == 3 * 3
    assert lists == due_lists_for(session_factory, TEAM, wanted, 6)  # chunked or not


def test_no_reps_no_queries_and_empty_lists_are_listed(session_factory):
    assert due_lists_for(session_factory, TEAM, [], 6) == {}
    rep_id = add_rep(session_factory, "UE")
    assert due_lists_for(session_factory, TEAM, [Wanted(rep_id, WED, "UTC")], 6) == {
        rep_id: []}


def test_a_stored_window_is_compared_as_an_instant(session_factory):
    """Exactly at the day's end is tomorrow; a moment before is today (both zones)."""
    rep_id = add_rep(session_factory, "UB", "Asia/Kolkata")
    prospect = add_prospect(session_factory, rep_id, "Edge")
    rng = random.Random(1)
    end = day_bounds(WED, "Asia/Kolkata")[1]
    inside = _touch(session_factory, rng, rep_id, prospect, end - timedelta(microseconds=1))
    _touch(session_factory, rng, rep_id, prospect, end)
    far = add_rep(session_factory, "UC", "Pacific/Honolulu")  # its day ends 15.5 h later
    lists = due_lists_for(session_factory, TEAM, [Wanted(rep_id, WED, "Asia/Kolkata"),
                                                  Wanted(far, WED, "Pacific/Honolulu")], 6)
    assert [item.follow_up_id for item in lists[rep_id]] == [inside]
    assert lists[far] == []


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's planner without statistics; PostgreSQL "
                    "plans from statistics (bench/s_duelist.py keeps its plans at scale)")
def test_a_batch_reads_the_partial_index_for_hundreds_of_reps(engine, session_factory, reps):
    """Without statistics (the bot never runs ANALYZE) SQLite once chose an index led by
    team_id for a long list of reps, and read the team's whole history."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "FROM follow_ups" in statement:
            statements.append((statement, parameters))

    wanted = [Wanted(rep_id, WED, "UTC") for rep_id in range(1, due_list.CHUNK + 1)]
    event.listen(engine, "before_cursor_execute", remember)
    try:
        due_lists_for(session_factory, TEAM, wanted, 6)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    [(statement, parameters)] = statements
    with engine.connect() as connection:
        plan = " ".join(str(row) for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters).all())
    assert "ix_follow_ups_open_rep_window" in plan and "team_id" not in plan
