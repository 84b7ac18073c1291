"""App Home: the rep's overdue, today and next 7 days, a "Log a call" button, and the
settings (saved as soon as they change): the morning due-list DM, the rep's working hours,
and the team's holiday country (editable by workspace admins and owners only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.windows import clock_text, describe_appointment, format_day
from bot.services.countries import MAX_INPUT, country_label
from bot.services.prospects import HomeData, UpcomingTouch
from bot.services.rep_settings import WEEKDAYS, RepSettings
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import escape

# Kept here until bot/slack/ids.py takes them.
NO_DAYS_NOTE = "Pick at least one working day"
HOURS_PURPOSE = "Call windows are chosen inside these hours on your working days."
BAD_HOURS_NOTE = "Your working hours must end after they start, so nothing was saved"

MAX_LINES_PER_BUCKET = 40
MAX_SECTIONS_PER_BUCKET = 8  # 3 buckets stay far below the home tab's 100 blocks
SECTION_CHARS = 2900
DAY_NAMES = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def _line(item: UpcomingTouch, rep_tz: str) -> str:
    """One touch: when (its stored window, both zones, for a call), who, what."""
    who = f"*{escape(item.prospect_name)}*"
    if item.company:
        who += f" · {escape(item.company)}"
    step = escape(item.purpose) or item.channel
    when = format_day(item.due_on)
    if item.channel == "call" and item.window_start and item.window_end:
        when = describe_appointment(item.window_start, item.window_end,
                                    prospect_tz=item.prospect_tz, rep_tz=rep_tz,
                                    outside_hours=item.outside_hours)
    return f"{when} — {who} — {step}"


def _sections(items: list[UpcomingTouch], block_prefix: str,
              rep_tz: str = "UTC") -> list[SectionBlock]:
    """At most MAX_LINES_PER_BUCKET lines in at most MAX_SECTIONS_PER_BUCKET sections;
    what does not fit is counted in a closing "…and N more."."""
    chunks: list[str] = []
    current, shown = "", 0
    for line in (_line(item, rep_tz) for item in items[:MAX_LINES_PER_BUCKET]):
        if current and len(current) + 1 + len(line) > SECTION_CHARS:
            if len(chunks) + 1 >= MAX_SECTIONS_PER_BUCKET:
                break
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:SECTION_CHARS]
        shown += 1
    if len(items) > shown:
        current += f"\n…and {len(items) - shown} more."  # SECTION_CHARS leaves room
    chunks.append(current)
    return [SectionBlock(block_id=f"{block_prefix}_{i}", text=MarkdownTextObject(text=chunk))
            for i, chunk in enumerate(chunks)]


def days_text(days: str) -> str:
    """'Weekdays Mon-Fri', 'Every day', 'Mon-Wed, Fri', 'Tue, Thu'."""
    if days == "12345":
        return "Weekdays Mon-Fri"
    if days == WEEKDAYS:
        return "Every day"
    runs: list[list[str]] = []
    for day in days:
        if runs and int(day) == int(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}" if len(run) > 2
                     else ", ".join(DAY_NAMES[day] for day in run) for run in runs)


def digest_summary(settings: RepSettings) -> str:
    """'Weekdays Mon-Fri at 8:30 am, your time (America/New_York)', or 'Off'."""
    if not settings.digest_enabled:
        return "Off"
    zone = f" ({escape(settings.tz)})" if settings.tz else ""
    return (f"{days_text(settings.working_days)} at {clock_text(settings.workday_start)}, "
            f"your time{zone}")


def _day_option(day: str) -> Option:
    return Option(value=day, label=DAY_NAMES[day])


def digest_blocks(settings: RepSettings, note: str | None = None) -> list:
    """The "Morning due list" settings; every control saves on change (no submit)."""
    enabled = settings.digest_enabled
    blocks: list = [
        DividerBlock(block_id="digest_divider"),
        SectionBlock(
            block_id="digest_summary",
            text=MarkdownTextObject(
                text=f"*:sunrise: Morning due list*\n{digest_summary(settings)}"),
            accessory=ButtonElement(
                action_id=ids.HOME_DIGEST_TOGGLE, value=encode({"on": not enabled}),
                text="Turn off morning DM" if enabled else "Turn on morning DM")),
        SectionBlock(
            block_id="digest_time", text=MarkdownTextObject(text="Send it at (your time)"),
            accessory=TimePickerElement(
                action_id=ids.HOME_DIGEST_TIME,
                initial_time=settings.workday_start.strftime("%H:%M"))),
        SectionBlock(
            block_id="digest_days", text=MarkdownTextObject(text="On these days"),
            accessory=CheckboxesElement(
                action_id=ids.HOME_DIGEST_DAYS, options=[_day_option(d) for d in WEEKDAYS],
                initial_options=[_day_option(d) for d in settings.working_days] or None)),
    ]
    if note:
        blocks.append(ContextBlock(block_id="digest_note", elements=[
            MarkdownTextObject(text=f":warning: {escape(note)}")]))
    return blocks


def hours_text(settings: RepSettings) -> str:
    """'8 am-6 pm'."""
    return f"{clock_text(settings.work_start)}-{clock_text(settings.work_end)}"


def working_hours_blocks(settings: RepSettings) -> list:
    """Start and end of the rep's working hours. The block ids carry the stored time, so a
    refused change shows the stored one again (Slack keeps a block's input otherwise)."""
    def picker(key: str, label: str, action_id: str, moment: time) -> SectionBlock:
        hhmm = moment.strftime("%H:%M")
        return SectionBlock(block_id=f"{key}:{hhmm}", text=MarkdownTextObject(text=label),
                            accessory=TimePickerElement(action_id=action_id, initial_time=hhmm))

    return [
        DividerBlock(block_id="work_divider"),
        SectionBlock(block_id="work_summary", text=MarkdownTextObject(
            text=f"*:clock9: Working hours*\n{hours_text(settings)}, your time\n"
                 f"_{HOURS_PURPOSE}_")),
        picker("work_start", "Start", ids.HOME_WORK_START, settings.work_start),
        picker("work_end", "End", ids.HOME_WORK_END, settings.work_end),
    ]


@dataclass(frozen=True)
class HolidaySetting:
    team: str | None  # the team's own holiday country ("US", "GB-SCT")
    default: str | None  # HOLIDAY_COUNTRY, used while the team has none
    editable: bool  # the viewer is a workspace admin or owner


def holiday_text(holidays: HolidaySetting) -> str:
    """'Holidays: United States (US)', '... (the bot's default)', or 'Holidays: none'."""
    if holidays.team:
        return f"Holidays: {escape(country_label(holidays.team))}"
    if holidays.default:
        return f"Holidays: {escape(country_label(holidays.default))} (the bot's default)"
    return "Holidays: none"


def holiday_blocks(holidays: HolidaySetting) -> list:
    """The team's holiday country for everyone; an input (Enter saves) and a Clear button
    for workspace admins and owners."""
    blocks: list = [
        DividerBlock(block_id="holiday_divider"),
        SectionBlock(block_id="holiday_summary", text=MarkdownTextObject(
            text=f"*:palm_tree: Team holidays*\n{holiday_text(holidays)}\n_Follow-ups skip "
                 "the weekend and public holidays of the prospect's country, else of this "
                 "one._")),
    ]
    if not holidays.editable:
        return blocks
    blocks.append(InputBlock(
        block_id=f"holiday_country:{holidays.team or ''}", dispatch_action=True, optional=True,
        label="Team's holiday country (admins only)",
        hint="A code such as US, DE, GB-SCT or AE, or a country's English name.",
        element=PlainTextInputElement(
            action_id=ids.HOME_HOLIDAY_COUNTRY, initial_value=holidays.team or None,
            max_length=MAX_INPUT, placeholder="US",
            dispatch_action_config={"trigger_actions_on": ["on_enter_pressed"]})))
    if holidays.team:
        blocks.append(ActionsBlock(block_id="holiday_actions", elements=[ButtonElement(
            action_id=ids.HOME_HOLIDAY_CLEAR, value="clear",
            text="Clear: use the bot's default" if holidays.default else "Clear: no holidays")]))
    return blocks


def build_home(data: HomeData, settings: RepSettings | None = None, *,
               digest_note: str | None = None, holidays: HolidaySetting | None = None,
               team: list | None = None) -> View:
    """The home tab; the rep's settings only when ``settings`` is given, the team's
    holidays only when ``holidays`` is. ``digest_note`` (why a change was not saved)
    closes the settings."""
    blocks: list = [
        HeaderBlock(block_id="home_header", text="Your follow-ups"),
        ActionsBlock(block_id="home_actions", elements=[
            ButtonElement(action_id=ids.HOME_LOG_CALL, text="Log a call", style="primary"),
            ButtonElement(action_id=ids.HOME_IMPORT, text="Import prospects"),
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
        blocks.extend(_sections(items, key, data.rep_tz))
    blocks.extend(team or ())  # managers: the team this week; admins: who the managers are
    if settings is not None:
        blocks.extend(digest_blocks(settings))
        blocks.extend(working_hours_blocks(settings))
    if holidays is not None:
        blocks.extend(holiday_blocks(holidays))
    if digest_note and (settings is not None or holidays is not None):
        blocks.append(ContextBlock(block_id="digest_note", elements=[
            MarkdownTextObject(text=f":warning: {escape(digest_note)}")]))
    return View(type="home", blocks=blocks)
