"""Three real `followup-bot run --http` processes on one PostgreSQL database, against the
Slack stand-in (which counts posts per workspace and answers 429 beyond its allowance):
exactly one due list per rep, one workspace allowance for all of them (its pace and its
Retry-After), a rep's own DM during the fan-out, and a process killed mid fan-out.

No test here depends on how fast the machine is: each waits for events (posts at the
stand-in, rows in the database); the timeouts only turn a hang into a failure. Lease and
tick are injected short (DIGEST_LEASE_SECONDS, DIGEST_TICK_SECONDS) so a takeover is an
event a few seconds away, not minutes. The reps' day is open around the clock, in a zone
where it is midday now, so no moment of the real day changes what the bots do."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.db.models import DigestRun, FollowUp, Prospect, Rep, SlackAllowance, Team
from bot.domain.due_list import OPEN_STATUSES
from tests.conftest import BOT_TOKEN, PG_URL, SIGNING_SECRET, TEAM
from tests.logcall_helpers import open_modal, submit

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")]
HANG = 600  # seconds: only a hang takes this long, however busy the machine
RATE = 10  # the workspace's allowance at the stand-in, and DIGEST_RATE (bulk: 8 a second)
OVERDUE = date(2020, 1, 6)


def _midday_zone() -> str:
    """A zone where it is about noon now: the reps' local date stays put for hours."""
    offset = 12 - datetime.now(UTC).hour  # -11 .. +12
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is UTC+3


def _seed(session_factory, fake, count: int) -> list[str]:
    """``count`` reps with one overdue follow-up each and the due list switched off (the
    test switches it on once every process is up)."""
    zone, users = _midday_zone(), [f"U9{n:04d}" for n in range(count)]
    start = datetime(2020, 1, 6, tzinfo=UTC)
    with session_factory() as session:
        if session.get(Team, TEAM) is None:
            session.add(Team(id=TEAM, name="Test Team"))
            session.flush()
        for user in users:
            rep = Rep(team_id=TEAM, slack_user_id=user, tz=zone, workday_start=clock_time(0),
                      working_days="1234567", digest_enabled=False)
            session.add(rep)
            session.flush()
            prospect = Prospect(team_id=TEAM, owner_rep_id=rep.id, name=f"Pat {user}", tz=zone)
            session.add(prospect)
            session.flush()
            session.add(FollowUp(team_id=TEAM, rep_id=rep.id, prospect_id=prospect.id,
                                 due_on=OVERDUE, window_start=start,
                                 window_end=start + timedelta(days=1), channel="email",
                                 step=2, purpose="Second touch",
                                 idempotency_key=uuid.uuid4().hex))
        session.commit()
    for user in users:
        fake.add_user(user, tz=zone)
    return users


def _switch_on(session_factory) -> None:
    with session_factory() as session:
        session.execute(update(Rep).values(digest_enabled=True))
        session.commit()


def _sent(session_factory, users: list[str]) -> int:
    """How many of ``users`` have their list for the day sent."""
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(DigestRun)
                              .join(Rep, Rep.id == DigestRun.rep_id)
                              .where(DigestRun.status == "sent",
                                     Rep.slack_user_id.in_(users)))


def _lists(fake, users) -> list:
    """The stand-in's accepted due-list posts (every post to a seeded rep is one)."""
    wanted = set(users)
    return [c for c in fake.calls_to("chat.postMessage")
            if c.params.get("channel") in wanted and (c.response or {}).get("ok")]


class Fleet:
    """``count`` identical `followup-bot run --http` processes, each in a process group of
    its own (the bot and its fan-out child), with a clean environment."""

    def __init__(self, fake, settings, workdir: Path, count: int = 3, **env: str):
        self.fake, self.workdir, self.count = fake, workdir, count
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SLACK_", "DATABASE_", "DIGEST_"))}
        self.env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=fake.url, DATABASE_URL=settings.database_url,
                        DIGEST_RATE=str(RATE), DIGEST_CUTOFF="23:59", DIGEST_TICK_SECONDS="1",
                        **env)
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Fleet:
        asked = len(self.fake.calls_to("auth.test"))
        try:
            for n in range(self.count):
                with (self.workdir / f"bot-{n}.log").open("wb") as log:
                    self.procs.append(subprocess.Popen(
                        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1",
                         "--port", "0"], env=self.env, cwd=self.workdir, stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True))
            # Each bot asks auth.test at start, and its fan-out child once it is up.
            wait_until("every bot and its fan-out child up", lambda: len(
                self.fake.calls_to("auth.test")) >= asked + 2 * self.count, self)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def groups(self) -> set[int]:
        return {proc.pid for proc in self.procs if proc.poll() is None}

    def kill(self, group: int) -> None:
        """SIGKILL: the bot and its fan-out child die at once, nothing runs after."""
        os.killpg(group, signal.SIGKILL)
        next(proc for proc in self.procs if proc.pid == group).wait(timeout=HANG)

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
            with contextlib.suppress(ProcessLookupError):  # a child left behind
                os.killpg(proc.pid, signal.SIGKILL)

    def logs(self) -> str:
        tails = []
        for path in sorted(self.workdir.glob("bot-*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            tails.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(tails)


def wait_until(what: str, predicate, fleet: Fleet | None = None, timeout: float = HANG):
    """Poll for an event; the timeout is a hang guard, not a speed target."""
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s\n"
                                 + (fleet.logs() if fleet else ""))
        time.sleep(0.05)
    return found


def _pids(session_factory) -> set[str]:
    with session_factory() as session:
        return {owner.split(":")[1] for owner in session.scalars(select(DigestRun.owner))}


def test_three_processes_send_each_rep_one_list_inside_the_workspace_allowance(
        fake_slack, settings, session_factory, tmp_path):
    """Each process alone would post at DIGEST_RATE, three together at three times the
    workspace's allowance. Sharing one pace, they stay inside it: the stand-in, which
    allows RATE posts a second for the workspace, answers (almost) no 429."""
    users = _seed(session_factory, fake_slack, 80)
    fake_slack.set_rate_limit("chat.postMessage", RATE, burst=RATE, team_id=TEAM)
    with Fleet(fake_slack, settings, tmp_path) as fleet:
        _switch_on(session_factory)
        wait_until("every list sent", lambda: _sent(session_factory, users) == len(users), fleet)
    assert Counter(c.params["channel"] for c in _lists(fake_slack, users)) == dict.fromkeys(
        users, 1)
    assert fake_slack.posts_per_team() == {TEAM: len(users)}
    assert len(_pids(session_factory)) >= 2, "the processes did not share the fan-out"
    # A stalled process can bunch a few posts; a pace per process (before the shared
    # allowance) drew 14 429s for these 80 posts.
    assert fake_slack.rate_limited.get("chat.postMessage", 0) <= len(users) // 20


def test_a_429_seen_by_one_process_pauses_every_process(fake_slack, settings,
                                                        session_factory, tmp_path):
    users = _seed(session_factory, fake_slack, 80)
    pause = 4
    with Fleet(fake_slack, settings, tmp_path) as fleet:
        _switch_on(session_factory)
        wait_until("the fan-out under way", lambda: len(_lists(fake_slack, users)) >= 10,
                   fleet)
        fake_slack.fail("chat.postMessage", retry_after=pause)  # the next post, whoever's
        wait_until("every list sent", lambda: _sent(session_factory, users) == len(users), fleet)
    posts = fake_slack.calls_to("chat.postMessage")
    [limited] = [c for c in posts if c.status == 429]
    during = [c for c in posts if limited.at < c.at < limited.at + pause]
    # Only what was already on its way when the pause was recorded (the fleet's pace is
    # 8 a second); the three processes' own paces would have posted ~80 meanwhile.
    assert len(during) <= 8, [c.params.get("channel") for c in during]
    assert Counter(c.params["channel"] for c in _lists(fake_slack, users)) == dict.fromkeys(
        users, 1)
    with session_factory() as session:
        row = session.get(SlackAllowance, TEAM)
    assert row.pauses == 1 and row.paused_until is not None


def test_a_reps_own_dm_goes_out_at_once_during_the_fan_out(slack, fake_slack, settings,
                                                          session_factory, tmp_path):
    """The fan-out takes 80% of the workspace's allowance (that share is pinned in
    test_allowance.py); the rep's confirmation after a log never queues behind it and
    finds room at Slack on its first try."""
    users = _seed(session_factory, fake_slack, 80)
    fake_slack.set_rate_limit("chat.postMessage", RATE, burst=RATE, team_id=TEAM)
    with Fleet(fake_slack, settings, tmp_path) as fleet:
        _switch_on(session_factory)
        wait_until("the fan-out under way", lambda: len(_lists(fake_slack, users)) >= 5,
                   fleet)
        view = open_modal(slack, fake_slack)
        answer = submit(slack, view, name="Pat", outcome="no_answer",
                        call_type="post_voicemail")  # no drafts: one DM
        assert answer.status_code == 200
        [dm] = wait_until("the rep's DM", lambda: [
            c for c in fake_slack.calls_to("chat.postMessage")
            if c.params.get("channel") == "U0001" and "Pat" in str(c.params)], fleet)
        wait_until("every list sent", lambda: _sent(session_factory, users) == len(users), fleet)
    assert dm.status == 200  # the first try: no 429, no retry
    lists = _lists(fake_slack, users)
    assert any(c.at < dm.at for c in lists) and any(c.at > dm.at for c in lists)


def _victim(session_factory, fleet: Fleet) -> tuple[int, int] | None:
    """(process group, pid) of a fan-out child that has sent lists and holds open runs."""
    with session_factory() as session:
        rows = session.execute(select(DigestRun.owner, DigestRun.status)).all()
    open_pids = {int(owner.split(":")[1]) for owner, status in rows if status in OPEN_STATUSES}
    sent_pids = {int(owner.split(":")[1]) for owner, status in rows if status == "sent"}
    for pid in open_pids & sent_pids:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(pid) in fleet.groups():
                return os.getpgid(pid), pid
    return None


def test_a_process_killed_mid_fan_out_has_its_reps_finished_by_the_others(
        fake_slack, settings, session_factory, tmp_path):
    users = _seed(session_factory, fake_slack, 60)
    with Fleet(fake_slack, settings, tmp_path, DIGEST_LEASE_SECONDS="9") as fleet:
        _switch_on(session_factory)
        group, pid = wait_until("a sender mid fan-out", lambda: _victim(session_factory,
                                                                        fleet), fleet)
        fleet.kill(group)
        with session_factory() as session:  # what it held when it died
            held = dict(session.execute(
                select(DigestRun.id, Rep.slack_user_id).join(Rep, Rep.id == DigestRun.rep_id)
                .where(DigestRun.owner.like(f"%:{pid}:%"),
                       DigestRun.status.in_(OPEN_STATUSES))).all())
        wait_until("every list sent", lambda: _sent(session_factory, users) == len(users), fleet)
    posts = Counter(c.params["channel"] for c in _lists(fake_slack, users))
    assert set(posts) == set(users)  # nobody missed
    doubled = {user for user, n in posts.items() if n > 1}
    assert max(posts.values()) <= 2 and doubled <= set(held.values()), (doubled, held)
    with session_factory() as session:
        taken = session.execute(select(DigestRun.status, DigestRun.owner)
                                .where(DigestRun.id.in_(held))).all()
    assert held and all(status == "sent" and f":{pid}:" not in owner
                        for status, owner in taken)
