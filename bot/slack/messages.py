"""Block Kit for the DM a rep gets after logging a call."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.model import Channel, NoteField, Outcome
from bot.domain.windows import describe_appointment, format_day
from bot.services.calls import LogResult
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import clip_mrkdwn, escape, escape_clipped

CHANNEL_WORDS = {Channel.CALL: "Call", Channel.EMAIL: "Email", Channel.LINKEDIN: "LinkedIn note",
                 Channel.OTHER: "Touch"}
# Each note's title in the post-log DM.
NOTE_TITLES = {
    NoteField.PAIN_POINT: "Pain point",
    NoteField.OBJECTION: "Objection",
    NoteField.NEXT_STEP: "Agreed next step",
    NoteField.PERSONAL_DETAIL: "Personal detail",
    NoteField.RESOURCE_PROMISED: "Promised",
}


def who(result: LogResult) -> str:
    name = f"*{escape(result.prospect.name)}*"
    return f"{name} ({escape(result.prospect.company)})" if result.prospect.company else name


def next_touch_text(result: LogResult, windows) -> str:
    touch = result.next_touch
    if touch is None:
        return "*Next touch:* none. " + escape(result.reason or "The cadence has ended.")
    words = CHANNEL_WORDS[touch.channel]
    appointment = result.appointment
    if appointment is not None:  # the window stored when it was scheduled
        when = describe_appointment(appointment.start, appointment.end,
                                    prospect_tz=result.prospect.tz, rep_tz=result.rep_tz,
                                    outside_hours=appointment.outside_hours,
                                    call=touch.channel is Channel.CALL)
    else:
        when = format_day(touch.due_on)
    attempt = f" · attempt {touch.attempt} of {result.max_calls}" if touch.attempt else ""
    line = f"*Next touch:* {words} on {when}{attempt}"
    line += f"\n_{escape(touch.purpose)}_"
    if result.overridden:
        line += "\n(date set by you)"
    if result.reason:
        line += f"\n{escape(result.reason)}"
    return line


def logged_message(result: LogResult, notes: Mapping[str, str | None],
                   windows) -> tuple[str, list]:
    """(fallback text, blocks) for the post-log DM. ``notes`` keyed by NoteField value."""
    headline = f"Logged: {result.outcome.label.lower()} with {who(result)}."
    if result.outcome is Outcome.DO_NOT_CALL or result.prospect.do_not_call:
        headline = (f":no_entry: {who(result)} is on do-not-call. Every touch is cancelled "
                    "and none will be scheduled again.")
    blocks = [SectionBlock(block_id="log_summary", text=MarkdownTextObject(text=headline))]
    lines = [f"*{NOTE_TITLES[field]}:* {escape_clipped(notes[field], 400)}"
             for field in NoteField if notes.get(field)]
    if lines:
        blocks.append(SectionBlock(block_id="log_notes", text=MarkdownTextObject(
            text=clip_mrkdwn("\n".join(lines), 3000))))
    if result.outcome is Outcome.GATEKEEPER:
        blocks.append(ContextBlock(block_id="log_tip", elements=[MarkdownTextObject(
            text=":bulb: Next time, ask the assistant when "
                 f"{escape(result.prospect.name)} is easiest to reach, and note it.")]))
    if result.prospect.needs_verified_number:
        blocks.append(ContextBlock(block_id="log_flags", elements=[MarkdownTextObject(
            text=":warning: Needs a verified number: no calls until it is fixed.")]))
        blocks.append(ActionsBlock(block_id="log_verify", elements=[ButtonElement(
            action_id=ids.PROSPECT_VERIFIED, text="Number verified",
            value=encode({"p": result.prospect.id}, limit=2000))]))
    if not (result.outcome is Outcome.DO_NOT_CALL or result.prospect.do_not_call):
        blocks.append(SectionBlock(block_id="log_next", text=MarkdownTextObject(
            text=clip_mrkdwn(next_touch_text(result, windows), 3000))))
        blocks.append(ActionsBlock(block_id="log_actions", elements=[ButtonElement(
            action_id=ids.DRAFT_BREAKUP, text="Breakup email",
            value=encode({"p": result.prospect.id}, limit=2000))]))
    fallback = f"Call logged ({result.outcome.label.lower()}): {escape(result.prospect.name)}"
    return fallback, blocks
