"""The morning due list: when each rep's digest goes out, and in what order items appear.

Pure: standard library only, and ``now`` is always an argument. Wall times are resolved
with ``zoneinfo``: a start time inside a spring-forward gap moves to the first instant
after the gap; an ambiguous (fall-back) start time means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.windows import DEFAULT_WINDOWS, CallWindow, windows_on

Action = Literal["send", "wait", "skip_not_working_day", "skip_past_cutoff"]


class SendLater(Exception):
    """Slack certainly did not post (rate limited past our retries, a 5xx): the run may be
    tried again on a later tick the same morning, up to MAX_SEND_ATTEMPTS."""


MAX_SEND_ATTEMPTS = 3


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


@dataclass(frozen=True)
class RepRecord:
    rep_id: int
    team_id: str
    slack_user_id: str
    tz: str
    workday_start: time
    working_days: str


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


@dataclass
class TickReport:
    sent: int = 0
    empty: int = 0
    skipped: int = 0  # skip rows recorded by this tick (past the cut-off)
    failed: int = 0
    already_claimed: int = 0  # a run for that rep and date existed, or another process won
    waiting: int = 0
    off_day: int = 0
    resumed: int = 0  # stale claims taken over (see resume_stale_after)
    retried: int = 0  # runs that failed before anything was posted, tried again


class DigestSettings(Protocol):
    """What the digest reads from Settings."""

    digest_cutoff: time
    digest_when_empty: bool
    max_call_attempts: int | None
    call_windows: Sequence[tuple[time, time]]


def _exists(moment: datetime) -> bool:
    """True when the aware wall time ``moment`` survives a round trip through UTC."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None, fold=0)


def local_send_time(local_date: date, tz: str, workday_start: time) -> datetime:
    """``workday_start`` on ``local_date`` in ``tz`` as an aware datetime.

    In a spring-forward gap: the first valid instant after it (02:30 -> 03:00 in New York).
    When ambiguous (fall-back): the first occurrence (fold=0). Compare it with other zones
    only after ``.astimezone(UTC)``: Python never finds an ambiguous wall time equal to
    anything in another zone.
    """
    zone = ZoneInfo(tz)
    wall = datetime.combine(local_date, workday_start.replace(tzinfo=None, fold=0), zone)
    if _exists(wall):
        return wall
    # Inside a gap. fold=1 reads the wall time with the offset in force after the jump
    # (an earlier instant), fold=0 with the offset before it (a later instant); the
    # transition lies between them. Binary search it to the second.
    low = int(wall.replace(fold=1).timestamp())
    high = int(wall.timestamp())
    offset_after = datetime.fromtimestamp(high, zone).utcoffset()
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(high, zone)


def digest_decision(now: datetime, tz: str, workday_start: time, working_days: str,
                    cutoff: time) -> Decision:
    """What a tick at ``now`` should do for a rep: send, wait, or skip (and why).

    The send window is [start, cut-off) on the rep's local date. A cut-off that is not
    after the start would close the window before it opens; then the window runs to the
    end of the local day instead, so such a rep is never skipped every day.
    """
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    today = local.date()
    if str(local.isoweekday()) not in working_days:
        return Decision(today, "skip_not_working_day")
    send_at = local_send_time(today, tz, workday_start).astimezone(UTC)
    cutoff_at = local_send_time(today, tz, cutoff).astimezone(UTC)
    if cutoff_at <= send_at:
        cutoff_at = local_send_time(today + timedelta(days=1), tz, time(0)).astimezone(UTC)
    if now < send_at:
        action: Action = "wait"
    elif now < cutoff_at:
        action = "send"
    else:
        action = "skip_past_cutoff"
    return Decision(today, action, send_at, cutoff_at)


def best_window(item: DueItem, now: datetime,
                windows: Sequence[tuple[time, time]] = DEFAULT_WINDOWS) -> CallWindow | None:
    """The prospect's best call window on their own date at ``now``; tomorrow's when
    today's has already ended. None when no windows are configured. An unknown
    prospect zone is read as UTC rather than breaking the rep's whole list."""
    if not windows:
        return None
    tz = item.prospect_tz
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = "UTC", UTC
    day = now.astimezone(zone).date()
    window = windows_on(day, tz, windows[:1])[0]
    if window.end <= now:
        window = windows_on(day + timedelta(days=1), tz, windows[:1])[0]
    return window


def order_due_items(items: Iterable[DueItem], now: datetime,
                    windows: Sequence[tuple[time, time]] = DEFAULT_WINDOWS) -> list[DueItem]:
    """Items ordered by the UTC start of each prospect's best call window (see
    :func:`best_window`), then by due date, then by prospect name."""
    def key(item: DueItem) -> tuple:
        window = best_window(item, now, windows)
        start = window.start.astimezone(UTC) if window else datetime.min.replace(tzinfo=UTC)
        return (start, item.due_on, item.prospect_name.casefold(), item.follow_up_id)

    return sorted(items, key=key)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_text(n_today: int, n_overdue: int) -> str:
    """The notification fallback: '5 callbacks due today, 2 overdue'."""
    if n_today and n_overdue:
        return f"{_plural(n_today, 'callback')} due today, {n_overdue} overdue"
    if n_today:
        return f"{_plural(n_today, 'callback')} due today"
    if n_overdue:
        return f"{n_overdue} overdue {'callback' if n_overdue == 1 else 'callbacks'}"
    return "Nothing due today"
