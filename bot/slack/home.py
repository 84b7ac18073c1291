"""App Home: the rep's overdue, today and next 7 days, and a "Log a call" button."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.windows import format_day
from bot.services.prospects import HomeData, UpcomingTouch
from bot.slack import ids
from bot.slack.text import escape

MAX_LINES_PER_BUCKET = 40
SECTION_CHARS = 2900


def _line(item: UpcomingTouch) -> str:
    who = f"*{escape(item.prospect_name)}*"
    if item.company:
        who += f" · {escape(item.company)}"
    step = escape(item.purpose) or item.channel
    return f"{format_day(item.due_on)} — {who} — {step}"


def _sections(lines: list[str], block_prefix: str) -> list[SectionBlock]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > SECTION_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:SECTION_CHARS]
    if current:
        chunks.append(current)
    return [SectionBlock(block_id=f"{block_prefix}_{i}", text=MarkdownTextObject(text=chunk))
            for i, chunk in enumerate(chunks)]


def build_home(data: HomeData) -> View:
    blocks: list = [
        HeaderBlock(block_id="home_header", text="Your follow-ups"),
        ActionsBlock(block_id="home_actions", elements=[
            ButtonElement(action_id=ids.HOME_LOG_CALL, text="Log a call", style="primary"),
        ]),
    ]
    buckets = (("overdue", ":red_circle: Overdue", data.overdue),
               ("today", f":large_yellow_circle: Today, {format_day(data.today)}", data.due_today),
               ("next", ":calendar: Next 7 days", data.upcoming))
    for key, title, items in buckets:
        blocks.append(DividerBlock(block_id=f"{key}_divider"))
        blocks.append(SectionBlock(block_id=f"{key}_title",
                                   text=MarkdownTextObject(text=f"*{title}* ({len(items)})")))
        if not items:
            blocks.append(ContextBlock(block_id=f"{key}_empty", elements=[
                MarkdownTextObject(text="Nothing here.")]))
            continue
        lines = [_line(item) for item in items[:MAX_LINES_PER_BUCKET]]
        if len(items) > MAX_LINES_PER_BUCKET:
            lines.append(f"…and {len(items) - MAX_LINES_PER_BUCKET} more.")
        blocks.extend(_sections(lines, key))
    return View(type="home", blocks=blocks)
