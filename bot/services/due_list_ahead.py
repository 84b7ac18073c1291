"""A pass's due lists, read a few hundred reps ahead of its sends.

One rep's list alone is three short queries, and building and running them was most of a
morning fan-out's database time (docs/benchmarks.md: 3 ms of Python per rep around 0.3 ms
of SQL). A pass knows in which order it will go through its reps, so the first rep of a
stretch that needs its list reads the lists of the next :data:`AHEAD` reps with it
(:func:`bot.services.due_list.due_lists_for`: three queries per stretch).

A list is only used while it is fresh: read at most :data:`FRESH` seconds before it is
handed to its rep's send. A list has always waited a little before it is posted (it was
read right after the claim, then held while the send waited for the workspace's pace:
seconds at Slack's real pace), so a touch handled in that moment may still show, and its
buttons say it was handled. An older list is read again, with the stretch that follows
it: at a slow pace some lists are read twice, which still costs less than a read per rep.
Only reps about to be claimed are read ahead; a rep whose day has a run already reads
its own list if it needs one (the passes after the morning's read nothing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.due_list import DueItem, RepRecord
from bot.services.due_list import Wanted, due_lists_for

AHEAD = 200  # reps whose lists one read covers (2.5 s of sends at 80 a second)
FRESH = 3.0  # seconds a list read ahead may wait for its rep's turn


class ListsAhead:
    """The lists of one pass's reps, each for its own local date, in the order of
    ``wanted`` (the order the pass sends in), read :data:`AHEAD` at a time. Thread-safe:
    the pass's workers share it; a worker whose list is being read with another's waits
    for that read."""

    def __init__(self, session_factory: sessionmaker[Session],
                 wanted: Sequence[tuple[RepRecord, date]], max_calls: int, now: datetime, *,
                 ahead: int = AHEAD, fresh: float = FRESH,
                 clock: Callable[[], float] = time.monotonic):
        self.sf, self.max_calls, self.now = session_factory, max_calls, now
        self.ahead, self.fresh, self.clock = ahead, fresh, clock
        self.reads = 0  # reads of the database, for people and tests
        self._wanted = list(wanted)
        self._position = {rep.rep_id: n for n, (rep, _day) in enumerate(self._wanted)}
        self._read: dict[int, tuple[float, date, list[DueItem]]] = {}  # at, day, list
        self._lock = threading.Lock()

    def list_for(self, rep: RepRecord, day: date) -> list[DueItem]:
        """The rep's list for ``day`` (its local date), read now unless a fresh one was
        read with an earlier rep's; each list read ahead is handed out once."""
        with self._lock:
            at, read_day, items = self._read.pop(rep.rep_id, (None, None, None))
            if at is None or read_day != day or self.clock() - at > self.fresh:
                items = self._read_from(rep, day)
            return items

    def _read_from(self, rep: RepRecord, day: date) -> list[DueItem]:
        """Read ``rep``'s list and those of the (same team's) reps after it; keep theirs
        for later."""
        start = self._position.get(rep.rep_id)
        following = [] if start is None else [
            (other, other_day) for other, other_day in self._wanted[start + 1:start + self.ahead]
            if other.team_id == rep.team_id]
        wanted = [Wanted(rep.rep_id, day, rep.tz)] + [
            Wanted(other.rep_id, other_day, other.tz) for other, other_day in following]
        self.reads += 1
        lists = due_lists_for(self.sf, rep.team_id, wanted, self.max_calls, now=self.now)
        at = self.clock()
        for other, other_day in following:
            self._read[other.rep_id] = (at, other_day, lists[other.rep_id])
        return lists[rep.rep_id]
