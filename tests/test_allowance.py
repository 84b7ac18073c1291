"""The workspace's bulk-post allowance: one pace per workspace shared through PostgreSQL
by every process (bot.services.allowance), 80% of DIGEST_RATE, Retry-After honoured by
all; in memory on SQLite. Clocks and sleeps are injected: nothing waits on the wall clock.
Several bot processes against the Slack stand-in: tests/test_scale_out.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import make_engine, make_session_factory
from bot.db.models import SlackAllowance, Team
from bot.domain.due_list import SendLater
from bot.services.allowance import BULK_SHARE, SharedAllowance
from bot.slack.notifier import WorkspaceLimiter, bulk_limiter
from tests.conftest import PG_URL

T0 = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
STEP = timedelta(seconds=1 / (10 * BULK_SHARE))  # DIGEST_RATE=10: 8 bulk posts a second


def postgres_only(test):
    skip = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
    return pytest.mark.postgres(skip(test))


class Time:
    """One clock for every 'process' in a test; sleeping moves it (and may run a hook,
    e.g. another process's 429 arriving while this one waits for its slot)."""

    def __init__(self, now: datetime = T0):
        self.now, self.slept, self.during_sleep = now, [], None

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.during_sleep is not None:
            hook, self.during_sleep = self.during_sleep, None
            hook()
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def teams(session_factory):
    with session_factory() as session:
        session.add_all([Team(id="T0001", name="one"), Team(id="T0002", name="two")])
        session.commit()


@pytest.fixture
def processes(db_url, teams):
    """Three bot processes' allowances: own engines (own pools), one database, one clock."""
    time, engines = Time(), [make_engine(db_url) for _ in range(3)]
    yield time, [SharedAllowance(make_session_factory(engine), 10, clock=time,
                                 sleep=time.sleep) for engine in engines]
    for engine in engines:
        engine.dispose()


def _row(session_factory, team="T0001") -> SlackAllowance:
    with session_factory() as session:
        return session.scalars(select(SlackAllowance).where(
            SlackAllowance.team_id == team)).one()


@postgres_only
def test_three_processes_take_turns_from_one_pace(processes):
    """Each process alone would post at once; sharing, their posts are one step apart,
    whoever asks, and a step is 1 / (80% of DIGEST_RATE)."""
    time, (a, b, c) = processes
    slots = [proc.acquire("T0001") for proc in (a, b, c, a, c, b)]
    assert slots == [T0 + i * STEP for i in range(6)]
    assert time.now == T0 + 5 * STEP  # each waited for its own slot, no longer
    assert a.step == timedelta(seconds=0.125)


@postgres_only
def test_an_idle_workspace_posts_at_once_and_bursts_never(processes):
    time, (a, b, _c) = processes
    a.acquire("T0001")
    time.now += timedelta(minutes=10)  # a quiet morning: no credit piles up meanwhile
    assert (b.acquire("T0001"), a.acquire("T0001")) == (time.now - STEP, time.now)


@postgres_only
def test_a_429_seen_by_one_process_pauses_the_others(processes, session_factory):
    time, (a, b, c) = processes
    a.acquire("T0001")
    a.pause("T0001", 30)  # Slack answered a's post with Retry-After: 30
    assert b.acquire("T0001") == T0 + timedelta(seconds=30)
    assert c.acquire("T0001") == T0 + timedelta(seconds=30) + STEP
    row = _row(session_factory)
    assert (row.paused_until, row.pauses) == (T0 + timedelta(seconds=30), 1)


@postgres_only
def test_a_slot_reserved_before_a_pause_is_not_used_during_it(processes):
    """b reserved the next slot, then a's post met a 429 while b slept: b looks again
    before posting and takes a slot after the pause instead."""
    time, (a, b, _c) = processes
    a.acquire("T0001")
    time.during_sleep = lambda: a.pause("T0001", 20)
    assert b.acquire("T0001") == T0 + timedelta(seconds=20)
    assert time.slept[0] == pytest.approx(STEP.total_seconds())


@postgres_only
def test_each_workspace_has_its_own_pace_and_pause(processes):
    time, (a, b, _c) = processes
    a.acquire("T0001")
    a.pause("T0001", 60)
    assert b.acquire("T0002") == T0  # another workspace: not paused, not queued
    assert b.acquire("T0002") == T0 + STEP


@postgres_only
def test_the_database_clock_paces_when_none_is_injected(db_url, teams):
    engines = [make_engine(db_url) for _ in range(2)]
    slept = []
    slow = [SharedAllowance(make_session_factory(e), 0.01, share=1, sleep=slept.append)
            for e in engines]  # one post per 100 s
    try:
        first, second = slow[0].acquire("T0001"), slow[1].acquire("T0001")
    finally:
        for engine in engines:
            engine.dispose()
    assert second - first == timedelta(seconds=100)
    assert len(slept) == 1 and 0 < slept[0] <= 100


@postgres_only
def test_an_unreachable_database_means_send_later_never_an_unpaced_post():
    nowhere = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test")
    allowance = SharedAllowance(make_session_factory(nowhere), 10)
    try:
        with pytest.raises(SendLater, match="allowance is out of reach"):
            allowance.acquire("T0001")
        with pytest.raises(SendLater, match="Retry-After"):
            allowance.pause("T0001", 5)
    finally:
        nowhere.dispose()


def test_bulk_posts_are_paced_in_the_database_on_postgresql_in_memory_on_sqlite(
        settings, session_factory):
    limiter = bulk_limiter(settings, session_factory)
    if PG_URL:
        assert isinstance(limiter, SharedAllowance)
        assert limiter.step == timedelta(seconds=1 / (settings.digest_rate * BULK_SHARE))
    else:
        assert isinstance(limiter, WorkspaceLimiter)
        assert limiter.rate == settings.digest_rate * BULK_SHARE


class Turns:
    """A limiter that records the turns taken and the 429s it was told about."""

    def __init__(self):
        self.taken, self.paused = [], []

    def acquire(self, team_id: str) -> None:
        self.taken.append(team_id)

    def pause(self, team_id: str, seconds: float) -> None:
        self.paused.append((team_id, seconds))


def test_recap_nudges_take_turns_from_the_bulk_pace_and_honour_retry_after(
        slack, fake_slack, jobs):
    from tests.logcall_helpers import log_call

    log_call(slack, fake_slack, name="Dana", company="Acme", outcome="connected",
             call_type="post_voicemail", pain_point="invoices")
    jobs.notifier.limiter = turns = Turns()
    posts = len(fake_slack.calls_to("chat.postMessage"))
    fake_slack.fail("chat.postMessage", retry_after=3)  # the nudge's first post meets a 429
    assert jobs.nudge_tick(datetime(2026, 11, 25, 21, 1, tzinfo=UTC)) == 1
    assert turns.taken == ["T0001"] * 3  # the nudge (twice: 429, then again), the draft
    assert turns.paused == [("T0001", 3.0)]
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")[posts:]]
    assert statuses == [429, 200, 200]
    assert "isn't marked sent" in fake_slack.messages_to("U0001")[-2]["text"]


def test_the_stand_in_counts_and_limits_posts_per_workspace(fake_slack):
    """What tests/test_scale_out.py relies on: the allowance is the workspace's, whoever
    posts with its token; another workspace has its own."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    fake_slack.add_token("xoxb-other", team_id="T0002")
    one, two = (WebClient(token=token, base_url=fake_slack.url, retry_handlers=[])
                for token in (fake_slack.bot_token, "xoxb-other"))
    fake_slack.set_rate_limit("chat.postMessage", 0.001, burst=2, team_id="T0001")
    for client in (one, one, two, two, two):
        client.chat_postMessage(channel="U0001", text="hi")
    with pytest.raises(SlackApiError) as refused:
        one.chat_postMessage(channel="U0001", text="one too many")
    assert refused.value.response.status_code == 429
    assert fake_slack.posts_per_team() == {"T0001": 2, "T0002": 3}
    assert [c.team for c in fake_slack.calls_to("chat.postMessage")] == [
        "T0001", "T0001", "T0002", "T0002", "T0002", "T0001"]
