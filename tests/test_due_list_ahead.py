"""A pass reads its reps' due lists a stretch at a time (bot.services.due_list_ahead): the
same lists as one rep at a time, never older than FRESH seconds when used, and no reads
for reps whose day already has a run."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

from sqlalchemy import event, select, update

from bot.db.models import FollowUp, Rep
from bot.domain.due_list import RepRecord, TickReport
from bot.services.digest_runs import LEGACY_STALE, Lease
from bot.services.due_list import due_list_for
from bot.services.due_list_ahead import ListsAhead
from bot.services.due_list_pass import Pass
from bot.services.due_list_sends import reps_to_consider
from tests.test_digest_service import (
    SETTINGS,
    TEAM,
    WED,
    Outbox,
    add_follow_up,
    add_prospect,
    add_rep,
    ny,
    rep_with_work,
    runs,
    tick,
)

ZONES = ("America/New_York", "Asia/Tokyo", "Pacific/Honolulu", "Europe/Berlin")


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _reps(sf, count: int) -> list[tuple[RepRecord, object]]:
    """Reps in zones where it is another date at one moment, each with a touch due."""
    wanted = []
    for n in range(count):
        tz = ZONES[n % len(ZONES)]
        day = WED - timedelta(days=1) if tz == "Pacific/Honolulu" else WED
        rep_id = add_rep(sf, f"U{n:03d}", tz)
        add_follow_up(sf, rep_id, add_prospect(sf, rep_id, f"Prospect {n}", tz), day)
        wanted.append((RepRecord(rep_id, TEAM, f"U{n:03d}", tz, time(8, 30), "12345"), day))
    return wanted


def reps_read(statement: str) -> int:
    """How many reps' touches one read asked for (the bound ids in its IN list)."""
    ids = statement.split("follow_ups.rep_id IN (", 1)[1].split(" AND ", 1)[0]
    return ids.count("?") + ids.count("%(")


@contextmanager
def list_reads(engine):
    """The statements that read pending touches."""
    reads = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM follow_ups" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def test_lists_read_ahead_are_each_reps_own_list(session_factory, engine):
    wanted = _reps(session_factory, 11)
    ahead = ListsAhead(session_factory, wanted, 6, ny(2026, 11, 25, 8, 31), ahead=4)
    with list_reads(engine) as reads:
        got = [ahead.list_for(rep, day) for rep, day in wanted]
    assert len(reads) == ahead.reads == 3  # 4 + 4 + 3 reps
    assert got == [due_list_for(session_factory, TEAM, rep.rep_id, day, 6,
                                now=ny(2026, 11, 25, 8, 31), rep_tz=rep.tz)
                   for rep, day in wanted]
    assert all(len(items) == 1 for items in got)


def test_a_list_read_too_long_ago_is_read_again(session_factory):
    wanted = _reps(session_factory, 3)
    clock = Clock()
    ahead = ListsAhead(session_factory, wanted, 6, ny(2026, 11, 25, 8, 31), fresh=3.0,
                       clock=clock)
    ahead.list_for(*wanted[0])  # reads the next reps' lists too
    with session_factory() as session:  # both their touches are handled meanwhile
        session.execute(update(FollowUp).where(FollowUp.rep_id.in_(
            [wanted[1][0].rep_id, wanted[2][0].rep_id])).values(status="done"))
        session.commit()
    clock.now = 3.0
    assert len(ahead.list_for(*wanted[1])) == 1  # fresh: as read a moment ago
    clock.now = 3.1
    assert ahead.list_for(*wanted[2]) == []  # too old: read again, without the touch
    assert ahead.reads == 2


def test_a_rep_outside_the_plan_or_on_another_day_reads_its_own(session_factory):
    wanted = _reps(session_factory, 3)
    ahead = ListsAhead(session_factory, wanted[:2], 6, ny(2026, 11, 25, 8, 31))
    ahead.list_for(*wanted[0])
    rep, day = wanted[1]
    assert ahead.list_for(rep, day + timedelta(days=2)) == due_list_for(
        session_factory, TEAM, rep.rep_id, day + timedelta(days=2), 6,
        now=ny(2026, 11, 25, 8, 31), rep_tz=rep.tz)
    assert len(ahead.list_for(*wanted[2])) == 1
    assert ahead.reads == 3


def _same_zone_reps(sf, count: int) -> None:
    for n in range(count):
        rep_with_work(sf, f"U{n:03d}")


def test_a_pass_reads_its_lists_in_one_go_and_sends_each_reps_own(session_factory, engine):
    _same_zone_reps(session_factory, 6)
    outbox = Outbox()
    with list_reads(engine) as reads:
        report = tick(session_factory, ny(2026, 11, 25, 8, 31), outbox)
    assert report.sent == 6 and [reps_read(statement) for statement in reads] == [6]
    with session_factory() as session:
        owners = dict(session.execute(select(Rep.slack_user_id, Rep.id)).all())
        touches = {rep_id: [fid] for fid, rep_id in session.execute(
            select(FollowUp.id, FollowUp.rep_id)).all()}
    assert sorted(outbox.sent) == sorted((user, touches[owners[user]], WED)
                                         for user in owners)


def test_no_list_is_read_for_reps_whose_day_has_a_run(session_factory, engine):
    rep_with_work(session_factory, "UNEW", start=time(9))  # due at 9:00, first in order
    _same_zone_reps(session_factory, 5)
    tick(session_factory, ny(2026, 11, 25, 8, 31), Outbox())
    assert len(runs(session_factory)) == 5
    with list_reads(engine) as reads:
        report = tick(session_factory, ny(2026, 11, 25, 8, 40), Outbox())
    assert (report.sent, len(reads)) == (0, 0)  # everyone's list went out earlier
    outbox = Outbox()
    with list_reads(engine) as reads:
        report = tick(session_factory, ny(2026, 11, 25, 9, 1), outbox)
    assert report.sent == 1 and [user for user, _, _ in outbox.sent] == ["UNEW"]
    assert [reps_read(statement) for statement in reads] == [1]  # not the others' lists


def test_a_pass_holds_one_report_per_worker_however_many_reps(session_factory):
    """Workers take the plans one after another; the pass never makes a task and a report
    per rep (10,000 queued tasks held 12-19 MiB of the fan-out process after its pass)."""
    _same_zone_reps(session_factory, 40)
    now = ny(2026, 11, 25, 8, 31)
    lease = Lease(session_factory, lambda: now)
    sender = Pass(session_factory, now, lambda: now, SETTINGS, Outbox(), lease, force=False,
                  send_now=False, legacy_after=LEGACY_STALE)
    report = TickReport()
    plans = sender.plan(reps_to_consider(session_factory, now), report)
    with lease.kept():
        parts = sender.run(plans, {}, workers=4, stop=None)
    assert len(plans) == 40 and len(parts) == 2 * 4
    for part in parts:
        report.add(part)
    assert report.sent == 40 and len(runs(session_factory)) == 40
