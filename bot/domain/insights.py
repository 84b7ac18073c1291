"""The numbers a sales manager reads once a week, computed from plain rows (pure).

The playbook's loop closes when someone looks at connect rate per dial, connect rate over a
whole cadence, connect-to-meeting rate, recaps within two hours, follow-ups done on their
day and where reps give up. This module turns rows the service loaded into those numbers,
per rep and for the team, with the playbook's benchmark beside each rate and one sentence
on the biggest gap. Days are each rep's local dates; the caller picks the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.model import Outcome, is_conversation

MIN_CALLS = 20  # a rate from fewer calls is shown, marked as too few to judge
STEPS = 6  # cadence call steps reported (a 7th call and later count as call 6)
RECAP_HOURS = 2
STALLED_AFTER_DAYS = 3  # a next call left this long past its day counts as given up
STALLED_LOOKBACK_DAYS = 28  # prospects whose last call was this recent are looked at
FINAL = frozenset({Outcome.MEETING_BOOKED, Outcome.NOT_INTERESTED, Outcome.DO_NOT_CALL})


@dataclass(frozen=True)
class Band:
    """A playbook benchmark: a good team lands between ``low`` and ``high`` percent."""

    low: int
    high: int

    def text(self) -> str:
        return f"good: {self.low}-{self.high}%"


PER_DIAL = Band(8, 15)
CADENCE = Band(40, 55)
TO_MEETING = Band(20, 30)


@dataclass(frozen=True)
class Period:
    """Inclusive local dates; ``label`` names it ("2026-W48", or "last 7 days")."""

    start: date
    end: date
    label: str

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def iso_week(label: str) -> Period:
    """``2026-W48`` -> Monday to Sunday of that ISO week. ValueError when malformed."""
    try:
        year, week = label.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"{label!r} is not an ISO week such as 2026-W48") from None
    return Period(monday, monday + timedelta(days=6), week_label(monday))


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(today: date) -> Period:
    return iso_week(week_label(today - timedelta(days=7)))


def last_seven_days(today: date) -> Period:
    return Period(today - timedelta(days=6), today, "last 7 days")


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half up (4/9 -> 44); None without a denominator."""
        if not self.total:
            return None
        return (200 * self.hits + self.total) // (2 * self.total)

    @property
    def too_few(self) -> bool:
        return self.total < MIN_CALLS

    def text(self) -> str:
        return "no data" if not self.total else f"{self.hits}/{self.total}, {self.percent}%"


@dataclass(frozen=True)
class CallRow:
    rep_id: int
    prospect_id: int
    outcome: Outcome
    day: date  # the rep's local date of the call
    step: int  # 1 for the prospect's first call, 2 for the second, ...
    recap_in_time: bool = False  # a recap for this call was marked sent within 2 hours


@dataclass(frozen=True)
class TouchRow:
    """A follow-up due in the period: ``done_on`` is the rep-local day it was handled."""

    rep_id: int
    due_on: date
    done_on: date | None


@dataclass(frozen=True)
class ProspectRow:
    """A prospect's whole record of calls, for the cadence rate and where reps give up."""

    rep_id: int  # the owner
    calls: int
    reached: bool  # at least one conversation, ever (up to the period's end)
    last_outcome: Outcome
    last_call_day: date
    next_call_due: date | None  # the open call touch, if any


@dataclass(frozen=True)
class Line:
    """One rep's numbers, or the team's."""

    rep_id: int | None
    calls: int
    conversations: Rate  # per dial
    cadence: Rate  # prospects reached / prospects called
    meetings: int
    to_meeting: Rate  # meetings / conversations
    recaps: Rate  # recaps sent within 2 hours / conversations
    on_day: int
    overdue: int
    stalled: int  # prospects given up before the third call

    @property
    def needs_attention(self) -> tuple:
        """Sort key: who a manager should look at first."""
        low = self.conversations.percent
        judged = not self.conversations.too_few and low is not None and low < PER_DIAL.low
        return (-(self.overdue + self.stalled + (10 if judged else 0)), self.calls)


@dataclass(frozen=True)
class Report:
    period: Period
    team: Line
    reps: tuple[Line, ...]
    steps: tuple[Rate, ...]  # call 1..STEPS, team
    gap: str


def stalled(row: ProspectRow, as_of: date) -> bool:
    """Given up before the third call: one or two calls, the last one not final, and the
    next call left STALLED_AFTER_DAYS past its day (or none planned at all)."""
    if row.calls >= 3 or row.last_outcome in FINAL:
        return False
    if (as_of - row.last_call_day).days > STALLED_LOOKBACK_DAYS:
        return False
    if row.next_call_due is None:
        return (as_of - row.last_call_day).days >= STALLED_AFTER_DAYS
    return (as_of - row.next_call_due).days >= STALLED_AFTER_DAYS


def build(period: Period, calls: Iterable[CallRow], touches: Iterable[TouchRow],
          prospects: dict[int, ProspectRow], *, as_of: date,
          rep_ids: Iterable[int] = ()) -> Report:
    """The report. ``prospects`` by id (every prospect called in the period, plus those
    owned that may have stalled); ``as_of``: the first day after the period for a past
    week, today for a report so far (today's open touches are not overdue yet)."""
    calls = [c for c in calls if period.holds(c.day)]
    touches = [t for t in touches if period.holds(t.due_on)]
    by_rep: dict[int, list] = defaultdict(list)
    touches_by_rep: dict[int, list] = defaultdict(list)
    owned: dict[int, list] = defaultdict(list)
    for c in calls:
        by_rep[c.rep_id].append(c)
    for t in touches:
        touches_by_rep[t.rep_id].append(t)
    for p in prospects.values():
        owned[p.rep_id].append(p)
    reached = ({pid for pid, p in prospects.items() if p.reached}
               | {c.prospect_id for c in calls if is_conversation(c.outcome)})
    reps = sorted(set(rep_ids) | set(by_rep) | set(touches_by_rep))
    lines = tuple(_rep_line(r, by_rep[r], touches_by_rep[r], owned[r], reached, as_of)
                  for r in reps)
    team = _rep_line(None, calls, touches, list(prospects.values()), reached, as_of)
    steps = _steps(calls)
    return Report(period, team, lines, steps, biggest_gap(team, steps))


def _rep_line(rep_id, calls, touches, prospects, reached: set[int], as_of: date) -> Line:
    talks = [c for c in calls if is_conversation(c.outcome)]
    meetings = sum(c.outcome is Outcome.MEETING_BOOKED for c in calls)
    called = {c.prospect_id for c in calls}
    on_day = sum(t.done_on is not None and t.done_on <= t.due_on for t in touches)
    overdue = sum(t.done_on > t.due_on if t.done_on is not None else t.due_on < as_of
                  for t in touches)
    return Line(rep_id, len(calls), Rate(len(talks), len(calls)),
                Rate(len(called & reached), len(called)), meetings,
                Rate(meetings, len(talks)), Rate(sum(c.recap_in_time for c in talks),
                                                 len(talks)),
                on_day, overdue, sum(stalled(p, as_of) for p in prospects))


def _steps(calls: list[CallRow]) -> tuple[Rate, ...]:
    totals, hits = [0] * STEPS, [0] * STEPS
    for c in calls:
        i = min(max(c.step, 1), STEPS) - 1
        totals[i] += 1
        hits[i] += is_conversation(c.outcome)
    return tuple(Rate(h, t) for h, t in zip(hits, totals, strict=True))


def _share_words(ratio: float) -> str:
    for words, value in (("half", 1 / 2), ("a third of", 1 / 3), ("a quarter of", 1 / 4),
                         ("two thirds of", 2 / 3)):
        if abs(ratio - value) <= 0.04:
            return words
    return f"{round(100 * ratio)}% of"


def biggest_gap(team: Line, steps: tuple[Rate, ...]) -> str:
    """One plain sentence on the largest shortfall against the playbook, judged only on
    rates from MIN_CALLS calls or more."""
    if team.calls < MIN_CALLS:
        return (f"{team.calls} calls logged: too few to judge the rates "
                f"(they mean something from {MIN_CALLS} calls).")
    gaps: list[tuple[float, str]] = []
    first = steps[0]
    for number, step in enumerate(steps[1:], start=2):
        if step.too_few or first.too_few or not first.percent:
            continue
        ratio = step.hits * first.total / (step.total * first.hits)
        if ratio < 1:
            gaps.append((1 - ratio, f"Call {number} connects at {step.percent}%, "
                         f"{_share_words(ratio)} the team's call 1 ({first.percent}%): "
                         "check the timing of that step."))
    for rate, band, sentence in (
        (team.conversations, PER_DIAL, "Connect rate per dial is {p}% ({b}): check the "
         "numbers and the call windows."),
        (team.cadence, CADENCE, "Only {p}% of prospects called were ever reached ({b}): "
         "keep going past the first attempts."),
        (team.to_meeting, TO_MEETING, "{p}% of conversations became meetings ({b}): "
         "work on the ask."),
    ):
        if rate.percent is not None and rate.total >= MIN_CALLS and rate.percent < band.low:
            gaps.append((1 - rate.hits / rate.total * 100 / band.low,
                         sentence.format(p=rate.percent, b=band.text())))
    if not gaps:
        return "Every rate is inside or above the playbook's range this week."
    return max(gaps, key=lambda gap: gap[0])[1]
