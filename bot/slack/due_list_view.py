"""Block Kit for the morning due list (and /followups): at most 50 blocks, always; and the
line a refreshed list opens with after a click on one of its items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from bot.domain.drafts import KIND_TITLES
from bot.domain.due_list import DueItem, summary_text
from bot.domain.model import OUTCOME_LABELS, Outcome
from bot.domain.windows import (
    clock_text,
    describe_appointment,
    describe_window,
    format_day,
    stored_window,
)
from bot.services.due_items import SNOOZES, Snoozed, Verb, Worked
from bot.services.touch_drafts import touch_kind
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import clip_mrkdwn, escape, escape_clipped

ALREADY_LOGGED = "That call is already logged; nothing was changed."
MESSAGE_BLOCKS = 50
LIST_KEY = "l"  # in a draft button's value: the click came from a due list
Link = Callable[[int], "str | None"]
QUICK = ((ids.DIGEST_CONNECTED, "Connected"), (ids.DIGEST_VOICEMAIL, "Voicemail"),
         (ids.DIGEST_NO_ANSWER, "No answer"))


def step_label(item: DueItem) -> str:
    if item.channel == "call" and item.attempt:
        return f"call {item.attempt} of {item.max_calls}"
    return {"email": "email", "linkedin": "LinkedIn note"}.get(item.channel, item.channel)


def item_text(item: DueItem, rep_tz: str, now: datetime, windows) -> str:
    who = f"*{escape(item.prospect_name)}*"
    if item.company:
        who += f" · {escape(item.company)}"
    since = (item.window_start.astimezone(ZoneInfo(rep_tz)).date() if item.window_start
             else item.due_on)
    late = f" · :red_circle: overdue since {format_day(since)}" if item.overdue else ""
    lines = [f"{who} — {step_label(item)}{late}"]
    facts = []
    if item.last_outcome:
        label = OUTCOME_LABELS.get(Outcome(item.last_outcome), item.last_outcome)
        when = f" on {format_day(item.last_call_on)}" if item.last_call_on else ""
        facts.append(f"Last: {label.lower()}{when}")
    if item.phone:
        facts.append(f":telephone_receiver: {escape(item.phone)}")
    if facts:
        lines.append(" · ".join(facts))
    if item.pain_point:
        lines.append(f"Pain: “{escape_clipped(item.pain_point, 200)}”")
    if item.next_step:
        lines.append(f"Agreed next step: {escape_clipped(item.next_step, 200)}")
    if item.resource_owed:
        lines.append(f":package: Still owed: {escape_clipped(item.resource_owed, 150)}")
    if item.window_start is not None and item.window_end is not None:
        when = describe_appointment(item.window_start, item.window_end,
                                    prospect_tz=item.prospect_tz, rep_tz=rep_tz,
                                    outside_hours=item.outside_hours,
                                    call=item.channel == "call")
        lines.append(f":clock4: {when}")
    lines += send_lines(item, rep_tz)
    if item.purpose and item.channel != "call":
        lines.append(f"_{escape_clipped(item.purpose, 150)}_")
    if item.draft_id is not None and item.channel in ("email", "linkedin"):
        title = KIND_TITLES.get(touch_kind(item.channel, item.draft) or "", "Email draft")
        lines.append(f":memo: {title} ready: copy it from here" if item.channel == "linkedin"
                     else f":email: {title} drafted: copy, edit, mark as sent")
    return clip_mrkdwn("\n".join(lines), 3000)


def _clock(moment: datetime, tz: str) -> str:
    return clock_text(moment.astimezone(ZoneInfo(tz)))


def send_lines(item: DueItem, rep_tz: str) -> list[str]:
    """An email touch: the best time to send it today, in both zones, and the reminder."""
    if item.channel != "email" or item.send_start is None or item.send_end is None:
        return []
    best = describe_window(stored_window(item.send_start, item.send_end, item.prospect_tz),
                           rep_tz)
    lines = [f":outbox_tray: Best time to send: {best}"]
    if item.remind_at is not None:
        lines.append(f":bell: I'll DM you this draft at {_clock(item.remind_at, rep_tz)} "
                     "(your time), unless it's marked sent by then.")
    return lines


def _remind(item: DueItem) -> list:
    """"Remind me then" (at the start of the best send time), or "Cancel reminder"."""
    if item.channel != "email" or item.draft_id is None:
        return []
    if item.remind_at is not None:
        return [ButtonElement(action_id=ids.DRAFT_REMIND, text="Cancel reminder",
                              value=encode({"d": item.draft_id, "c": 1, LIST_KEY: 1}))]
    if item.send_start is None:
        return []
    at = int(item.send_start.timestamp())
    return [ButtonElement(action_id=ids.DRAFT_REMIND, text="Remind me then",
                          value=encode({"d": item.draft_id, "t": at, LIST_KEY: 1}))]


def _words(item: DueItem, link: Link) -> list:
    """The buttons of a touch's own draft (its value says "from the list": Mark as sent then
    refreshes the list). Email: Copy (the draft page when there is one, else the text box),
    Edit, Mark as sent. LinkedIn: Copy the note; the step is marked Done."""
    if item.draft_id is None or item.channel not in ("email", "linkedin"):
        return []
    value = encode({"d": item.draft_id, LIST_KEY: 1}, limit=2000)
    if item.channel == "linkedin":
        return [ButtonElement(action_id=ids.DRAFT_COPY, text="Copy note", value=value,
                              style="primary")]
    return [ButtonElement(action_id=ids.DRAFT_COPY, text="Copy email", value=value,
                          url=link(item.draft_id), style="primary"),
            ButtonElement(action_id=ids.DRAFT_EDIT, text="Edit", value=value),
            ButtonElement(action_id=ids.DRAFT_SENT, text="Mark as sent", value=value),
            *_remind(item)]


def _no_link(_draft_id: int) -> str | None:
    return None


def item_actions(item: DueItem, link: Link = _no_link) -> ActionsBlock:
    value = encode({"f": item.follow_up_id}, limit=2000)
    elements: list = _words(item, link)
    if item.channel == "call":
        elements += [ButtonElement(action_id=action, text=text, value=value)
                     for action, text in QUICK]
        elements.append(ButtonElement(action_id=ids.DIGEST_DETAILS, text="Log details",
                                      value=value))
    elif not (item.channel == "email" and elements):  # an email is done by Mark as sent
        elements.append(ButtonElement(action_id=ids.DIGEST_DONE, text="Done", value=value))
    options = [Option(text=f"Snooze: {label}", value=encode({"f": item.follow_up_id, "s": key}))
               for key, label in SNOOZES.items()]
    options.append(Option(text="Skip this step", value=encode({"f": item.follow_up_id,
                                                               "s": "skip"})))
    elements.append(OverflowMenuElement(action_id=ids.DIGEST_MORE, options=options))
    return ActionsBlock(block_id=f"item_{item.follow_up_id}", elements=elements)


def room(note: str | None = None) -> int:
    """How many items one message shows: two blocks each (the text, its buttons) after the
    header, the summary and the note, one block left for "...and N more"."""
    return (MESSAGE_BLOCKS - (3 if note else 2) - 1) // 2


def due_list_message(items: Sequence[DueItem], *, rep_tz: str, today: date, now: datetime,
                     windows, note: str | None = None,
                     link: Link = _no_link) -> tuple[str, list]:
    """(notification text, blocks). Beyond what fits in 50 blocks: how many more, and
    where to find them. ``link(draft_id)``: the draft page a Copy email button opens (None:
    the button opens the text box)."""
    overdue = sum(1 for item in items if item.overdue)
    summary = summary_text(Counter(item.channel for item in items), overdue)
    blocks: list = [
        HeaderBlock(block_id="digest_header", text=f"Your follow-ups for {format_day(today)}"),
        ContextBlock(block_id="digest_summary", elements=[MarkdownTextObject(text=summary)]),
    ]
    if note:
        blocks.append(ContextBlock(block_id="digest_note", elements=[
            MarkdownTextObject(text=clip_mrkdwn(note, 2000))]))
    shown = list(items[:room(note)])
    for item in shown:
        blocks.append(SectionBlock(block_id=f"text_{item.follow_up_id}",
                                   text=MarkdownTextObject(
                                       text=item_text(item, rep_tz, now, windows))))
        blocks.append(item_actions(item, link))
    if len(items) > len(shown):
        blocks.append(ContextBlock(block_id="digest_more", elements=[MarkdownTextObject(
            text=f"…and {len(items) - len(shown)} more. Open the bot's *Home* tab for the "
                 "full list.")]))
    if not items:
        blocks.append(SectionBlock(block_id="digest_empty", text=MarkdownTextObject(
            text="Nothing due today. :tada:")))
    return summary, blocks


def snoozed_note(moved: Snoozed) -> str:
    """What the rep reads after a snooze; a warning when a sent voicemail email had
    promised the old time."""
    note = f":zzz: Snoozed {escape(moved.prospect_name)} to {format_day(moved.day)}."
    if moved.promised is not None:
        local = moved.promised.astimezone(ZoneInfo(moved.prospect_tz))
        note += (f" :warning: Your voicemail email promised a call {local:%A} at "
                 f"{clock_text(local)} their time: let {escape(moved.prospect_name)} "
                 "know about the new time.")
    return note


def worked_note(worked: Worked) -> str:
    """The note a refreshed list opens with: what the click on one of its items did."""
    action, name = worked.action, escape(worked.prospect_name)
    if action.verb is Verb.LOG and action.outcome is not None:
        return f":white_check_mark: Logged {action.outcome.label.lower()} with {name}."
    if action.verb is Verb.DONE:
        return f":white_check_mark: Done: {name}."
    if action.verb is Verb.SKIP:
        then = f" Next touch: {format_day(worked.next_day)}." if worked.next_day else \
            " No more steps."
        return f":fast_forward: Skipped this step with {name}.{then}"
    if worked.snoozed is not None:
        return snoozed_note(worked.snoozed)
    return f"Opened {name}."
