"""The weekly team report as Slack blocks: the DM to a manager, and App Home's section.

Every rate is shown with its counts and as a whole percent, the playbook's benchmark beside
it, and a mark when it comes from fewer than MIN_CALLS calls (shown, never hidden). Reps
are named as Slack mentions, which Slack draws with their current name.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.insights import (
    CADENCE,
    MIN_CALLS,
    PER_DIAL,
    RECAP_HOURS,
    TO_MEETING,
    Band,
    Line,
    Period,
    Rate,
)
from bot.services.insights import TeamReport
from bot.slack.text import clip_mrkdwn, escape

SECTION_LIMIT = 3000
TOO_FEW = ":warning: too few to judge"
REPS_PER_SECTION = 12
HOME_REPS = 5  # App Home shows the reps that need attention first; the rest in the report


def period_text(period: Period) -> str:
    days = f"{period.start:%a %-d %b} to {period.end:%a %-d %b %Y}"
    return f"{period.label} ({days})" if period.label.count("-W") else days


def rate_text(rate: Rate, band: Band | None = None, *, judged: bool = True) -> str:
    """``4/9, 44% (good: 8-15%) :warning: too few to judge``."""
    text = rate.text()
    if band is not None and rate.total:
        text += f" ({band.text()})"
    if judged and rate.total and rate.total < MIN_CALLS:
        text += f" {TOO_FEW}"
    return text


def who(line: Line, report: TeamReport) -> str:
    name = report.names.get(line.rep_id)
    return f"<@{name.user_id}>" if name else "someone who left"


def team_text(line: Line) -> str:
    return "\n".join((
        f"*Calls logged:* {line.calls}, of which {line.conversations.hits} conversations",
        f"*Connect rate per dial:* {rate_text(line.conversations, PER_DIAL)}",
        f"*Connect rate over the cadence* (prospects reached / called): "
        f"{rate_text(line.cadence, CADENCE)}",
        f"*Meetings booked:* {line.meetings}; connect-to-meeting "
        f"{rate_text(line.to_meeting, TO_MEETING)}",
        f"*Recaps sent within {RECAP_HOURS} hours of a conversation:* "
        f"{rate_text(line.recaps, judged=False)}",
        f"*Follow-ups done on their day:* {line.on_day}; overdue or late: {line.overdue}",
        f"*Prospects given up before the third call:* {line.stalled}",
    ))


def rep_text(line: Line, report: TeamReport) -> str:
    flag = f" {TOO_FEW}" if line.calls and line.calls < MIN_CALLS else ""
    return (f"{who(line, report)}: {line.calls} calls · connects "
            f"{line.conversations.text()}{flag} · reached {line.cadence.text()} · "
            f"meetings {line.meetings} ({line.to_meeting.text()}) · recaps in time "
            f"{line.recaps.text()} · on their day {line.on_day}, overdue {line.overdue} · "
            f"given up early {line.stalled}")


def steps_text(report: TeamReport) -> str:
    parts = [f"Call {number}{'+' if number == len(report.report.steps) else ''}: "
             f"{rate_text(rate)}" for number, rate in enumerate(report.report.steps, 1)]
    return "*Connect rate by cadence call step* (good per dial: 8-15%)\n" + "\n".join(parts)


def _section(block_id: str, text: str) -> SectionBlock:
    return SectionBlock(block_id=block_id,
                        text=MarkdownTextObject(text=clip_mrkdwn(text, SECTION_LIMIT)))


def report_blocks(report: TeamReport, *, title: str = "Team report") -> list:
    """The DM: header, the team, the biggest gap, steps, then every rep (lines grouped so
    100 reps stay far inside 50 blocks)."""
    r = report.report
    blocks: list = [
        HeaderBlock(block_id="report_header", text=f"{title}: {period_text(r.period)}"[:150]),
        _section("report_team", team_text(r.team)),
        _section("report_gap", f":mag: {escape(r.gap)}"),
        _section("report_steps", steps_text(report)),
        DividerBlock(block_id="report_reps_divider"),
    ]
    lines = sorted(r.reps, key=lambda line: line.needs_attention)
    for i in range(0, len(lines), REPS_PER_SECTION):
        chunk = lines[i:i + REPS_PER_SECTION]
        blocks.append(_section(f"report_reps_{i // REPS_PER_SECTION}",
                               "\n".join(rep_text(line, report) for line in chunk)))
    if not lines:
        blocks.append(_section("report_reps_none", "No reps yet."))
    blocks.append(ContextBlock(block_id="report_note", elements=[MarkdownTextObject(text=(
        f"Days are each rep's own. Rates from fewer than {MIN_CALLS} calls are shown but "
        "too few to judge. A conversation is any outcome but voicemail, no answer, wrong "
        "number and a gatekeeper."))]))
    return blocks[:50]


def report_fallback(report: TeamReport) -> str:
    r = report.report
    return (f"Team report {period_text(r.period)}: {r.team.calls} calls, connect rate "
            f"{r.team.conversations.text()}, {r.team.meetings} meetings. {r.gap}")


def home_blocks(report: TeamReport) -> list:
    """App Home's "Team this week": the team and the reps that need attention first."""
    r = report.report
    lines = sorted(r.reps, key=lambda line: line.needs_attention)[:HOME_REPS]
    blocks: list = [
        DividerBlock(block_id="team_divider"),
        _section("team_title", f"*:bar_chart: Team this week* ({period_text(r.period)}, "
                 "so far)"),
        _section("team_numbers", team_text(r.team)),
        _section("team_gap", f":mag: {escape(r.gap)}"),
    ]
    if lines:
        blocks.append(_section("team_attention", "*Look at first*\n" + "\n".join(
            rep_text(line, report) for line in lines)))
    blocks.append(ContextBlock(block_id="team_note", elements=[MarkdownTextObject(
        text="Every rep, the steps and a chart come in your weekly report.")]))
    return blocks
