"""The morning due list: when each rep's digest goes out, and in what order items appear.

Pure: standard library only, and ``now`` is always an argument. Wall times are resolved
with ``zoneinfo``: a start time inside a spring-forward gap moves to the first instant
after the gap; an ambiguous (fall-back) start time means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Protocol

from bot.domain.timing import day_bounds, local_date, wall_instant

Action = Literal["send", "wait", "skip_not_working_day", "skip_past_cutoff"]


class SendLater(Exception):
    """Slack certainly did not post (rate limited past our retries, a 5xx): the run may be
    tried again on a later tick the same morning, up to MAX_SEND_ATTEMPTS."""


class LeaseLost(Exception):
    """The sender's lease on a run ran out before it posted (it could not renew it): another
    sender may hold the run by now, so this one must not post."""


MAX_SEND_ATTEMPTS = 3  # sends of one run: first try, retries after SendLater, takeovers
RETRY_PREFIX = "retry: "  # the error of a failure that certainly posted nothing
OPEN_STATUSES = ("claimed", "sending")  # a sender holds the run ('sending': taken over)
FINAL_STATUSES = ("sent", "empty", "failed", "skipped")
# What a pass does with a rep's existing run for the day (see :func:`run_verdict`).
Verdict = Literal["take_over", "in_progress", "retry", "resend", "sent_earlier",
                  "empty_earlier", "skipped_earlier", "failed_earlier"]


@dataclass(frozen=True)
class Decision:
    local_date: date  # the rep's calendar date at ``now``
    action: Action
    send_at: datetime | None = None  # in UTC; None on a day off
    cutoff_at: datetime | None = None  # in UTC


@dataclass(frozen=True)
class DueItem:
    follow_up_id: int
    prospect_id: int
    prospect_name: str
    company: str | None
    phone: str | None
    prospect_tz: str
    due_on: date
    channel: str
    step: int
    purpose: str | None
    attempt: int | None
    max_calls: int
    last_outcome: str | None
    last_call_on: date | None  # in the rep's zone
    pain_point: str | None
    next_step: str | None
    resource_owed: str | None
    overdue: bool
    # The appointment stored when the touch was scheduled (UTC instants): what the list
    # shows, never a window recomputed from "now".
    window_start: datetime | None = None
    window_end: datetime | None = None
    outside_hours: bool = False
    draft: str | None = None  # the draft kind the touch's cadence step names
    draft_id: int | None = None  # the touch's own draft (email_drafts.follow_up_id), if written
    # An email touch: the best time to send it that day (bot.domain.send_time), and when
    # the rep asked to be reminded of its draft (email_drafts.remind_at), if they did.
    send_start: datetime | None = None
    send_end: datetime | None = None
    remind_at: datetime | None = None


@dataclass(frozen=True)
class RepRecord:
    rep_id: int
    team_id: str
    slack_user_id: str
    tz: str
    workday_start: time
    working_days: str
    tz_known: bool = True  # False: ``tz`` is only the default; Slack has not said yet


@dataclass(frozen=True)
class RunRecord:
    """One ``digest_runs`` row as plain data."""

    id: int
    team_id: str
    rep_id: int
    local_date: date
    status: str
    channel: str | None
    ts: str | None
    error: str | None
    claimed_at: datetime
    finished_at: datetime | None
    attempts: int = 1
    owner: str | None = None  # the sender holding an open run
    lease_until: datetime | None = None  # None: claimed by a sender from before leases


@dataclass
class TickReport:
    """What one pass did. Each rep it considered is in one of the counts from ``sent`` to
    ``off_day`` (a stopped sender's run of a day gone by, closed by the pass, adds one to
    ``skipped``); ``resumed`` and ``retried`` say how some of them got there."""

    sent: int = 0  # posted by this pass (the admin's --force included)
    empty: int = 0  # nothing due: recorded, nothing posted
    skipped: int = 0  # recorded as skipped by this pass (past the cut-off, or interrupted)
    failed: int = 0  # failed in this pass
    sent_earlier: int = 0  # that day's run was already sent
    empty_earlier: int = 0
    skipped_earlier: int = 0
    failed_earlier: int = 0  # failed earlier and not retried (it may have posted)
    in_progress: int = 0  # another sender holds a live lease on that day's run
    zone_unknown: int = 0  # Slack has not told us the rep's zone: nothing recorded
    waiting: int = 0
    off_day: int = 0
    resumed: int = 0  # runs of a stopped sender taken over (their lease ran out)
    retried: int = 0  # runs that failed before anything was posted, tried again

    @property
    def already_claimed(self) -> int:
        """Reps whose day already had a run this pass left alone."""
        return (self.sent_earlier + self.empty_earlier + self.skipped_earlier
                + self.failed_earlier + self.in_progress)

    def add(self, other: TickReport) -> None:
        for name in vars(other):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def retryable(run: RunRecord) -> bool:
    """A failure that certainly posted nothing, with attempts left."""
    return (run.status == "failed" and (run.error or "").startswith(RETRY_PREFIX)
            and run.attempts < MAX_SEND_ATTEMPTS)


def lease_expired(run: RunRecord, now: datetime, legacy_after: timedelta) -> bool:
    """An open run whose sender stopped renewing its lease: ``lease_until`` has passed. A
    run claimed by a sender from before leases (no ``lease_until``) counts as abandoned
    ``legacy_after`` after its claim, as those senders were promised."""
    if run.status not in OPEN_STATUSES:
        return False
    if run.lease_until is not None:
        return run.lease_until <= now
    return run.claimed_at <= now - legacy_after


def run_verdict(run: RunRecord, now: datetime, *, send_now: bool,
                legacy_after: timedelta) -> Verdict:
    """What a pass does with the run a rep's day already has.

    Open: ``take_over`` once the holder's lease ran out, else ``in_progress`` (a live
    sender has it: never two senders at once). Failed before anything was posted: ``retry``
    while attempts remain. ``send_now`` (``digest --now``) also sends for a day recorded as
    skipped or empty: nothing was posted, so nothing can be doubled. Anything else stands:
    ``sent_earlier``, ``failed_earlier`` (it may have posted; ``--force`` resends), ...
    """
    if run.status in OPEN_STATUSES:
        return "take_over" if lease_expired(run, now, legacy_after) else "in_progress"
    if retryable(run):
        return "retry"
    if send_now and run.status in ("skipped", "empty"):
        return "resend"
    verdict = f"{run.status}_earlier"
    if verdict not in ("sent_earlier", "empty_earlier", "skipped_earlier", "failed_earlier"):
        raise ValueError(f"unknown digest run status {run.status!r}")
    return verdict  # type: ignore[return-value]


def describe_report(report: TickReport) -> str:
    """The admin's one-line account of a pass (``followup-bot digest --now``): always the
    main outcomes in a fixed order ("sent now 3, sent earlier 2, in progress elsewhere 1,
    skipped earlier 0, failed 0, nothing due 4"), then whatever else happened."""
    parts = [f"sent now {report.sent}", f"sent earlier {report.sent_earlier}",
             f"in progress elsewhere {report.in_progress}",
             f"skipped earlier {report.skipped_earlier}", f"failed {report.failed}",
             f"nothing due {report.empty + report.empty_earlier}"]
    extras = [
        (report.skipped, "skipped now"),
        (report.failed_earlier, "failed earlier (it may have posted; --force resends)"),
        (report.zone_unknown, "not sent: time zone unknown (Slack has not said yet)"),
        (report.resumed, "taken over from a stopped sender"),
        (report.retried, "retried after a failure that posted nothing"),
        (report.waiting + report.off_day, "not due yet or a day off"),
    ]
    parts += [f"{label} {count}" for count, label in extras if count]
    return ", ".join(parts)


class DigestSettings(Protocol):
    """What the digest reads from Settings."""

    digest_cutoff: time
    digest_when_empty: bool
    max_call_attempts: int | None
    call_windows: Sequence[tuple[time, time]]


def local_send_time(day: date, tz: str, workday_start: time) -> datetime:
    """``workday_start`` on ``local_date`` in ``tz``, through the one wall-time rule
    (bot.domain.timing.wall_instant): in a spring-forward gap the first valid instant after
    it (02:30 -> 03:00 in New York); when ambiguous (fall-back) the first occurrence."""
    return wall_instant(day, workday_start, tz)


LATE_START_GRACE = timedelta(hours=1)


def send_window(day: date, tz: str, workday_start: time, cutoff: time
                ) -> tuple[datetime, datetime]:
    """[send, cut-off) for ``day``'s list, as UTC instants.

    Normally the rep's start time to the cut-off (noon by default). A start time at or
    after the cut-off (a rep who starts at 1 pm) has until the end of that day instead,
    and at least an hour: a start time inside a clock change at midnight (America/Nuuk,
    Saturday 28 March 2026, 23:00-23:59 do not exist) goes out in the first hour of the
    next day, still as that day's list."""
    send_at = local_send_time(day, tz, workday_start).astimezone(UTC)
    cutoff_at = local_send_time(day, tz, cutoff).astimezone(UTC)
    if cutoff_at <= send_at:
        cutoff_at = max(day_bounds(day, tz)[1], send_at + LATE_START_GRACE)
    return send_at, cutoff_at


def digest_decision(now: datetime, tz: str, workday_start: time, working_days: str,
                    cutoff: time) -> Decision:
    """What a tick at ``now`` should do for a rep: send, wait, or skip (and why).

    The list for a day goes out inside :func:`send_window`. Yesterday's window is looked
    at first: a late start time can run past midnight."""
    today = local_date(now, tz)
    yesterday = today - timedelta(days=1)
    if str(yesterday.isoweekday()) in working_days:
        send_at, cutoff_at = send_window(yesterday, tz, workday_start, cutoff)
        if send_at <= now < cutoff_at:
            return Decision(yesterday, "send", send_at, cutoff_at)
    if str(today.isoweekday()) not in working_days:
        return Decision(today, "skip_not_working_day")
    send_at, cutoff_at = send_window(today, tz, workday_start, cutoff)
    if now < send_at:
        action: Action = "wait"
    elif now < cutoff_at:
        action = "send"
    else:
        action = "skip_past_cutoff"
    return Decision(today, action, send_at, cutoff_at)


# How the list's header names each channel's touches (one, many), in this order.
CHANNEL_WORDS = {"call": ("call", "calls"), "email": ("email", "emails"),
                 "linkedin": ("LinkedIn note", "LinkedIn notes"),
                 "other": ("other touch", "other touches")}


def _count(count: int, words: tuple[str, str]) -> str:
    return f"{count} {words[0] if count == 1 else words[1]}"


def summary_text(by_channel: Mapping[str, int], n_overdue: int) -> str:
    """The list's header and notification text: what is on it, by kind. ``by_channel``
    counts every touch on the list (overdue ones included) by channel; ``n_overdue`` says
    how many of them are overdue. '5 due today: 3 calls, 2 emails'; '6 due today (2
    overdue): 3 calls, 2 emails, 1 LinkedIn note'; '2 overdue: 2 calls'."""
    total = sum(by_channel.values())
    if not total:
        return "Nothing due today"
    counts = {channel: by_channel.get(channel, 0) for channel in CHANNEL_WORDS}
    counts["other"] += sum(n for channel, n in by_channel.items()
                           if channel not in CHANNEL_WORDS)
    kinds = [_count(counts[channel], words) for channel, words in CHANNEL_WORDS.items()
             if counts[channel]]
    if n_overdue >= total:
        head = f"{total} overdue"
    elif n_overdue:
        head = f"{total} due today ({n_overdue} overdue)"
    else:
        head = f"{total} due today"
    return f"{head}: {', '.join(kinds)}"
