"""Send the weekly team report to managers: the numbers as a DM, then the chart.

The tick (every minute, any number of processes) finds managers whose week has started
in their own zone, claims (team, manager, week) in the database and sends once. The chart
is drawn in a short-lived process (bot.services.report_chart) and uploaded with Slack's
current flow (files.getUploadURLExternal, the upload, files.completeUploadExternal); a
chart that fails leaves the numbers delivered and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.domain.due_list import SendLater
from bot.domain.insights import Period, last_seven_days, previous_week, week_label
from bot.domain.timing import local_date
from bot.services.digest_runs import new_owner
from bot.services.insights import TeamReport, team_report
from bot.services.report_chart import Bar, ChartData, ChartFailed, describe, render_chart
from bot.services.reports import (
    claim_report,
    finish_report,
    manager_clocks,
    manager_ids,
    report_due,
    report_status,
)
from bot.slack.report_view import report_blocks, report_fallback
from bot.slack.uploads import upload_png
from bot.slack.users import slack_zone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    manager: str
    status: str  # sent, failed, already (sent earlier this week), elsewhere (in progress)
    detail: str = ""


def chart_data(report: TeamReport) -> ChartData:
    """Every rep, most calls first (the chart draws the first 25 and says how many more)."""
    r = report.report
    steps = tuple(Bar(f"Call {n}{'+' if n == len(r.steps) else ''}", s.hits, s.total)
                  for n, s in enumerate(r.steps, 1))
    lines = sorted(r.reps, key=lambda line: -line.calls)
    reps = tuple(Bar(report.names[line.rep_id].name, line.conversations.hits, line.calls)
                 for line in lines if line.rep_id in report.names)
    return ChartData(f"Connect rate, {r.period.label}", steps, reps)


def send_report(client, deps, *, team_id: str, manager: str, period: Period, as_of: date,
                paced: Callable | None = None) -> tuple[str, str]:
    """Post the report to ``manager`` (and the chart under it); (channel, ts)."""
    report = team_report(deps.session_factory, team_id, period, as_of=as_of)
    post = partial(client.chat_postMessage, channel=manager, text=report_fallback(report),
                   blocks=report_blocks(report), unfurl_links=False)
    answer = paced(team_id, post) if paced else post()
    try:
        data = chart_data(report)
        png = render_chart(data)
        upload_png(client, answer["channel"], png, filename=f"team-report-{period.label}.png"
                   .replace(" ", "-"), title=f"Connect rate, {period.label}",
                   alt_text=describe(data))
    except (ChartFailed, SlackApiError, SlackRequestError, ValueError) as exc:
        log.warning("report chart for %s not delivered: %s", manager, exc)
    return answer["channel"], answer["ts"]


def _zone(client, clock, zones: dict[str, str | None]) -> str | None:
    if clock.tz is not None:
        return clock.tz
    if clock.user_id not in zones:
        zones[clock.user_id] = slack_zone(client, clock.user_id)
    return zones[clock.user_id]


def report_tick(client, deps, team_id: str, now: datetime, *, paced=None,
                zones: dict[str, str | None] | None = None) -> list[Sent]:
    """Send every manager's weekly report that is due and not yet sent."""
    sf, settings = deps.session_factory, deps.settings
    ids = manager_ids(sf, settings, team_id)
    results = []
    zones = {} if zones is None else zones
    for clock in manager_clocks(sf, team_id, ids):
        tz = _zone(client, clock, zones)
        if tz is None or not report_due(now.astimezone(ZoneInfo(tz)), clock.start, clock.days):
            continue
        today = local_date(now, tz)
        results.append(deliver(client, deps, team_id, clock.user_id, week_label(today),
                               previous_week(today), today, now, paced=paced))
    return results


def report_now(client, deps, team_id: str, now: datetime, *, week: Period | None = None,
               force: bool = False, tz: str = "UTC") -> list[Sent]:
    """``followup-bot report --now``: the last 7 days (or ``week``) to every manager."""
    today = local_date(now, tz)
    results = []
    for manager in manager_ids(deps.session_factory, deps.settings, team_id):
        if week is None:
            results.append(deliver(client, deps, team_id, manager, week_label(today),
                                   last_seven_days(today), today, now, force=force))
        else:
            after = week.end.toordinal() + 1
            results.append(deliver(client, deps, team_id, manager,
                                   week_label(date.fromordinal(after)), week,
                                   min(today, date.fromordinal(after)), now, force=force))
    return results


def deliver(client, deps, team_id: str, manager: str, week: str, period: Period,
            as_of: date, now: datetime, *, force: bool = False, paced=None) -> Sent:
    sf, owner = deps.session_factory, new_owner()
    run = claim_report(sf, team_id, manager, week, period, now, owner=owner, force=force)
    if run is None:
        status = report_status(sf, team_id, manager, week)
        return Sent(manager, {"claimed": "elsewhere", "failed": "failed"}.get(status, "already"),
                    "gave up after 3 attempts" if status == "failed" else "")
    try:
        channel, ts = send_report(client, deps, team_id=team_id, manager=manager,
                                  period=period, as_of=as_of, paced=paced)
    except (SlackApiError, SendLater) as exc:
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        finish_report(sf, run, status="failed", now=deps.clock(), owner=owner,
                      error=str(reason))
        log.warning("weekly report to %s failed: %s", manager, reason)
        return Sent(manager, "failed", str(reason))
    finish_report(sf, run, status="sent", now=deps.clock(), owner=owner, channel=channel,
                  ts=ts)
    return Sent(manager, "sent")

