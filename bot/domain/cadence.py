"""The cadence engine: given what just happened on a call, decide the next touch.

Cadences are data (see ``bot/cadences.yml``). A step's ``day`` counts calendar days
from the day the cadence started (the first call logged in it); the touch lands on
that day, or the next business day when it is a weekend or holiday. A step names the
draft it uses (``draft``: "value_add", "linkedin_note", ...; a call step has none).

Cold and warm: a cadence with ``after_connect`` is a cold one (cold outbound, inbound);
a conversation on it moves the prospect to the warm cadence it names, started that day
(see :func:`after_connect`). A cadence without it is warm: a conversation continues it.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import NO_HOLIDAYS, add_business_days, roll_forward
from bot.domain.drafts import EMAIL_STEP_DRAFTS, NOTE_DRAFTS, STEP_DRAFTS
from bot.domain.model import Channel, DoNotCallError, Outcome, ProspectStatus

# Outcomes after which the cadence simply carries on with its next step.
CONTINUING = frozenset({Outcome.CONNECTED, Outcome.VOICEMAIL, Outcome.NO_ANSWER,
                        Outcome.GATEKEEPER})


@dataclass(frozen=True)
class Step:
    day: int
    channel: Channel
    purpose: str
    draft: str | None = None  # the draft this touch uses (bot.domain.drafts.STEP_DRAFTS)


@dataclass(frozen=True)
class Cadence:
    name: str
    label: str
    steps: tuple[Step, ...]
    # A cold cadence names the warm one a conversation moves the prospect to.
    after_connect: str | None = None
    # The first touch waits at least this many business days after the start (the
    # conversation): "leave about 2 days after the recap".
    first_gap: int = 0

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"cadence {self.name!r} has no steps")
        days = [step.day for step in self.steps]
        if days != sorted(days) or days[0] < 0:
            raise ValueError(f"cadence {self.name!r}: step days must be >= 0 and ascending")
        if self.first_gap < 0:
            raise ValueError(f"cadence {self.name!r}: first_gap must be >= 0")
        if self.after_connect == self.name:
            raise ValueError(f"cadence {self.name!r}: after_connect cannot name itself")

    @property
    def warm(self) -> bool:
        """A conversation continues a warm cadence; a cold one hands over."""
        return self.after_connect is None

    @property
    def call_steps(self) -> int:
        return sum(1 for step in self.steps if step.channel is Channel.CALL)


@dataclass(frozen=True)
class Rules:
    max_calls: int = 6
    nurture_days: int = 90  # after the cadence runs out or the call cap is reached
    not_now_days: int = 60  # "not right now": re-engage in 60-90 days
    nurture_channel: Channel = Channel.EMAIL
    not_now_channel: Channel = Channel.CALL


@dataclass(frozen=True)
class Touch:
    due_on: date
    channel: Channel
    purpose: str
    step: int  # index into the cadence's steps; -1 for nurture / re-engagement touches
    attempt: int | None = None  # call attempt number when the touch is a call
    kind: str = "cadence"  # "cadence" | "nurture" | "re_engage"
    draft: str | None = None  # the draft the touch uses; None for a call


@dataclass(frozen=True)
class Plan:
    status: ProspectStatus
    next_touch: Touch | None
    cancel_pending: bool  # cancel every pending touch before adding next_touch
    stop_calls: bool = False  # cancel pending call touches only (wrong number)
    needs_verified_number: bool = False
    reason: str = ""


@dataclass(frozen=True)
class CallFacts:
    """What the engine needs to know about the prospect after the call just logged."""

    outcome: Outcome
    today: date  # the rep's business day the call happened on, in the prospect's zone
    started_on: date  # when the cadence started
    # Calls without an answer (voicemail, no answer) in this cadence, this one included.
    # The cap counts these: "after the sixth with no response, nurture". A conversation
    # is a response, so it does not use up an attempt.
    attempts_made: int
    do_not_call: bool = False
    needs_verified_number: bool = False
    email_opt_out: bool = False  # no email touches: email steps are skipped


# The draft a step uses when a team file names none: by channel (a call has none).
DEFAULT_DRAFTS = {Channel.EMAIL: "value_add", Channel.LINKEDIN: "linkedin_note"}


def default_draft(channel: Channel) -> str | None:
    return DEFAULT_DRAFTS.get(channel)


def step_draft_error(channel: Channel, draft: str | None) -> str | None:
    """Why ``draft`` cannot be the draft of a ``channel`` step, or None when it can.
    None (no draft) is fine here: a loader fills it with :func:`default_draft`."""
    if draft is None:
        return None
    if draft not in STEP_DRAFTS:
        return f"unknown draft {draft!r}; expected one of {', '.join(STEP_DRAFTS)}"
    if channel is Channel.CALL:
        return f"a call step takes no draft (it has {draft!r})"
    if channel is Channel.EMAIL and draft not in EMAIL_STEP_DRAFTS:
        return f"an email step needs an email draft ({', '.join(EMAIL_STEP_DRAFTS)})"
    if channel is Channel.LINKEDIN and draft not in NOTE_DRAFTS:
        return f"a LinkedIn step uses {' or '.join(NOTE_DRAFTS)}, not {draft!r}"
    return None


@dataclass(frozen=True)
class Placement:
    """The cadence a prospect is on after a call, and since when."""

    cadence: Cadence
    started_on: date
    restarted: bool = False  # a new cadence began: its call attempts count from zero


def cadence_after_call(cadences: Mapping[str, Cadence], cadence: Cadence, started_on: date,
                       outcome: Outcome, today: date) -> Placement:
    """Where a call leaves the prospect. A conversation (connected) on a cold cadence moves
    them to its warm one, started ``today`` (the day of the conversation); on a warm
    cadence it continues, without restarting. Any other outcome keeps the cadence.

    >>> from bot.domain.model import Channel as C
    >>> warm = Cadence("warm", "Warm", (Step(2, C.EMAIL, "Value-add", "value_add"),))
    >>> cold = Cadence("cold", "Cold", (Step(1, C.EMAIL, "Intro", "intro"),), "warm")
    >>> books = {"warm": warm, "cold": cold}
    >>> moved = cadence_after_call(books, cold, date(2026, 1, 1), Outcome.CONNECTED,
    ...                            date(2026, 1, 6))
    >>> (moved.cadence.name, moved.started_on, moved.restarted)
    ('warm', datetime.date(2026, 1, 6), True)
    >>> kept = cadence_after_call(books, warm, date(2026, 1, 6), Outcome.CONNECTED,
    ...                           date(2026, 1, 9))
    >>> (kept.cadence.name, kept.started_on, kept.restarted)
    ('warm', datetime.date(2026, 1, 6), False)
    """
    if outcome is not Outcome.CONNECTED or cadence.warm:
        return Placement(cadence, started_on)
    warm = cadences.get(cadence.after_connect or "")
    if warm is None:
        raise ValueError(f"cadence {cadence.name!r}: after_connect names unknown cadence "
                         f"{cadence.after_connect!r}")
    return Placement(warm, today, restarted=True)


def schedule(cadence: Cadence, started_on: date,
             holidays: Container[date] = NO_HOLIDAYS) -> list[date]:
    """The business day of every step. A step whose day rolls onto (or before) the previous
    step's business day moves after it, keeping the cadence's own spacing (at most two
    business days), so two steps never share a day and none is lost (a Friday start:
    day 1 and day 3 both roll to Monday; day 3 becomes Wednesday). No step lands before
    ``first_gap`` business days after the start (day 2 from a Friday is Tuesday with
    first_gap 2, not Monday)."""
    earliest = add_business_days(started_on, cadence.first_gap, holidays)
    dates: list[date] = []
    for index, step in enumerate(cadence.steps):
        due = max(roll_forward(started_on + timedelta(days=step.day), holidays), earliest)
        if dates and due <= dates[-1]:
            # Keep the spacing the cadence meant (never daily unless it said so), up to 2.
            gap = max(1, min(2, step.day - cadence.steps[index - 1].day))
            due = add_business_days(dates[-1], gap, holidays)
        dates.append(due)
    return dates


def next_step(
    cadence: Cadence,
    facts: CallFacts,
    rules: Rules,
    holidays: Container[date] = NO_HOLIDAYS,
    *,
    calls_allowed: bool = True,
) -> Touch | None:
    """The first step due strictly after today that the prospect may still receive."""
    calls_left = rules.max_calls - facts.attempts_made
    for index, (step, due) in enumerate(zip(cadence.steps, schedule(cadence, facts.started_on,
                                                                    holidays), strict=True)):
        if due <= facts.today:
            continue
        if step.channel is Channel.CALL and (not calls_allowed or calls_left <= 0):
            continue
        if step.channel is Channel.EMAIL and facts.email_opt_out:
            continue
        attempt = facts.attempts_made + 1 if step.channel is Channel.CALL else None
        return Touch(due, step.channel, step.purpose, index, attempt, draft=step.draft)
    return None


def _nurture(facts: CallFacts, rules: Rules, holidays, days: int, channel, purpose, kind):
    due = roll_forward(facts.today + timedelta(days=days), holidays)
    if channel is Channel.EMAIL and facts.email_opt_out:  # they asked for no email
        channel = Channel.CALL
    draft = "nurture" if channel is Channel.EMAIL else default_draft(channel)
    return Touch(due, channel, purpose, -1, None, kind, draft)


def plan_after_call(
    cadence: Cadence,
    facts: CallFacts,
    rules: Rules = Rules(),
    holidays: Container[date] = NO_HOLIDAYS,
) -> Plan:
    """Outcome branching, as the playbook states it."""
    outcome = facts.outcome
    if outcome is Outcome.DO_NOT_CALL or facts.do_not_call:
        return Plan(ProspectStatus.DO_NOT_CALL, None, cancel_pending=True,
                    reason="Do not call: every touch is cancelled for good.")
    if outcome is Outcome.MEETING_BOOKED:
        return Plan(ProspectStatus.MEETING_BOOKED, None, cancel_pending=True,
                    reason="Meeting booked: the cadence stops here.")
    if outcome is Outcome.NOT_INTERESTED:
        return Plan(ProspectStatus.CLOSED, None, cancel_pending=True,
                    reason="Not interested: the cadence ends.")
    if outcome is Outcome.NOT_NOW:
        touch = _nurture(facts, rules, holidays, rules.not_now_days, rules.not_now_channel,
                         "Re-engage with something new", "re_engage")
        return Plan(ProspectStatus.NURTURE, touch, cancel_pending=True,
                    reason=f"Not right now: paused, back in touch in {rules.not_now_days} days.")
    if outcome is Outcome.WRONG_NUMBER or facts.needs_verified_number:
        touch = next_step(cadence, facts, rules, holidays, calls_allowed=False)
        flagged = outcome is Outcome.WRONG_NUMBER
        reason = "Wrong number: calls stop until the number is verified"
        return Plan(ProspectStatus.ACTIVE, touch, cancel_pending=flagged, stop_calls=True,
                    needs_verified_number=True,
                    reason=reason + ("; email touches continue." if touch else "."))
    if outcome not in CONTINUING:  # pragma: no cover - every Outcome is handled above
        raise ValueError(f"unknown outcome {outcome!r}")
    touch = next_step(cadence, facts, rules, holidays)
    if touch is not None:
        return Plan(ProspectStatus.ACTIVE, touch, cancel_pending=True)
    capped = facts.attempts_made >= rules.max_calls
    touch = _nurture(facts, rules, holidays, rules.nurture_days, rules.nurture_channel,
                     "Nurture: re-engage with something new", "nurture")
    why = (f"{facts.attempts_made} calls without an answer" if capped
           else "the cadence is complete")
    return Plan(ProspectStatus.NURTURE, touch, cancel_pending=True,
                reason=f"Moved to a {rules.nurture_days}-day nurture: {why}.")


def guard_schedule(do_not_call: bool) -> None:
    """Call before writing any touch. Do-not-call is a compliance rule, not a preference."""
    if do_not_call:
        raise DoNotCallError("this prospect asked not to be called; nothing can be scheduled")
