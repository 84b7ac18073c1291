"""The first touch of an imported prospect: the cadence starts as a logged call starts it,
and the touch is written by :func:`bot.services.scheduling.schedule` (the one writer), but
no rep gets more than ``per_day`` new first touches on one of their days.

How the spreading works: a prospect's cadence starts today (their date); its first touch
is the first step due after that, given its appointment by the usual rules. When the
rep-local day that appointment falls on already holds ``per_day`` imported first touches
(this import's, and earlier imports' still pending), the start moves one day later and the
touch is placed again, until a day has room. The whole cadence moves with its start, so
its steps keep their spacing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import FollowUp, Prospect, Rep, Team
from bot.domain.cadence import Cadence, CallFacts, Touch, next_step
from bot.domain.model import FollowUpStatus, Outcome, ProspectStatus
from bot.domain.timing import Parties, day_bounds, local_date
from bot.services.cadences import CadenceBook
from bot.services.scheduling import parties_for, place, schedule

KEY_PREFIX = "import:"  # idempotency keys of imported first touches


def first_touch_key(prospect_id: int) -> str:
    return f"{KEY_PREFIX}{prospect_id}"


class FirstTouches:
    """Plans and writes the first touches of one import for one rep."""

    def __init__(self, session: Session, book: CadenceBook, rep: Rep, cadence: Cadence,
                 per_day: int, now: datetime):
        if per_day < 1:
            raise ValueError("per_day must be at least 1")
        self.session, self.book, self.rep, self.cadence = session, book, rep, cadence
        self.per_day, self.now = per_day, now
        self.per_rep_day: Counter[date] = self._pending_imports()
        self.days: Counter[date] = Counter()  # this import's first touches by rep day
        self._cursor: dict[tuple, int] = {}  # per group: the first start offset with room
        self._parties: dict[tuple[str, str | None], Parties] = {}
        self._placements: dict[tuple, tuple[date, Touch, date] | None] = {}
        self._team = session.get(Team, rep.team_id)  # held: schedule() looks it up each time

    def _pending_imports(self) -> Counter[date]:
        """Earlier imports' first touches still pending, by rep-local day (today on)."""
        since = day_bounds(local_date(self.now, self.rep.tz), self.rep.tz)[0]
        starts = self.session.scalars(select(FollowUp.window_start).where(
            FollowUp.team_id == self.rep.team_id, FollowUp.rep_id == self.rep.id,
            FollowUp.status == FollowUpStatus.PENDING.value,
            FollowUp.idempotency_key.like(f"{KEY_PREFIX}%"),
            FollowUp.window_start >= since))
        return Counter(local_date(start, self.rep.tz) for start in starts)

    def rebind(self, session: Session, rep: Rep) -> None:
        """After the caller cleared its session between batches."""
        self.session, self.rep = session, rep
        self._team = session.get(Team, rep.team_id)

    def _parties_for(self, prospect: Prospect) -> Parties:
        key = (prospect.tz, prospect.country)
        if key not in self._parties:  # what schedule() computes for this prospect
            self._parties[key] = parties_for(self.session, self.book, prospect, self.rep,
                                             local_date(self.now, prospect.tz))
        return self._parties[key]

    def _placed(self, prospect: Prospect, offset: int) -> tuple[date, Touch, date] | None:
        """(cadence start, first touch, rep-local day of its window) when the cadence starts
        ``offset`` days after today; the same for every prospect of one zone, country and
        opt-out, so it is worked out once for them all."""
        key = (prospect.tz, prospect.country, bool(prospect.email_opt_out), offset)
        if key not in self._placements:
            parties = self._parties_for(prospect)
            start = local_date(self.now, prospect.tz) + timedelta(days=offset)
            facts = CallFacts(Outcome.NO_ANSWER, start, start, 0,
                              email_opt_out=bool(prospect.email_opt_out))
            touch = next_step(self.cadence, facts, self.book.rules, parties.calendar)
            if touch is None:
                self._placements[key] = None
            else:
                _, appointment = place(touch, parties, self.now)
                self._placements[key] = (start, touch,
                                         local_date(appointment.start, self.rep.tz))
        return self._placements[key]

    def plan(self, prospect: Prospect) -> Touch | None:
        """Start the cadence of a prospect about to be inserted: the first day with room
        for its first touch. None when the cadence has no step the prospect may get (only
        emails, and they opted out)."""
        group = (prospect.tz, prospect.country, bool(prospect.email_opt_out))
        offset = self._cursor.get(group, 0)  # earlier offsets had no room: they still have none
        while True:
            placed = self._placed(prospect, offset)
            if placed is None:
                return None
            start, touch, day = placed
            if self.per_rep_day[day] < self.per_day:
                break
            offset += 1
        self._cursor[group] = offset
        self.per_rep_day[day] += 1
        prospect.status = ProspectStatus.ACTIVE.value
        prospect.cadence, prospect.cadence_started_on = self.cadence.name, start
        prospect.call_attempts = 0
        return touch

    def write(self, prospect: Prospect, touch: Touch) -> FollowUp:
        """The planned first touch, once the prospect has its id, through the one writer."""
        follow_up, appointment = schedule(self.session, self.book, prospect, self.rep, touch,
                                          self.now, call_id=None,
                                          key=first_touch_key(prospect.id), fresh=True)
        self.days[local_date(appointment.start, self.rep.tz)] += 1
        return follow_up
