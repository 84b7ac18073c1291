"""Block Kit for drafted emails: the DM message and the Edit / Copy modals."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.drafts import KIND_TITLES, NOTE_DRAFTS, blanks, blanks_label
from bot.domain.windows import format_day
from bot.services.drafts import DraftRecord
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import clip, clip_mrkdwn, escape, escape_clipped

SUBJECT_MAX = 255
BODY_MAX = 3000


def full_text(draft: DraftRecord) -> str:
    if draft.kind in NOTE_DRAFTS:  # a note has no subject
        return draft.body
    return f"Subject: {draft.subject}\n\n{draft.body}"


def draft_blocks(draft: DraftRecord, *, copy_url: str | None, sent_on: datetime | None = None):
    """(fallback text, blocks) for one draft. The text sits in a code block so any Slack
    client can select it; user text is escaped like everywhere else."""
    title = KIND_TITLES.get(draft.kind, "Email draft")
    who = f"*{escape(draft.prospect_name)}*"
    if draft.company:
        who += f" ({escape(draft.company)})"
    to = f" · to {escape(draft.to_email)}" if draft.to_email else " · no email address on file"
    text = escape_clipped(full_text(draft).replace("```", "'''"), 2980)
    blocks: list = [
        SectionBlock(block_id="draft_head", text=MarkdownTextObject(
            text=f":email: *{title}* for {who}{to}")),
        SectionBlock(block_id="draft_text", text=MarkdownTextObject(
            text=f"```{text}```")),
    ]
    to_fill = blanks(f"{draft.subject}\n{draft.body}")
    notes = [f":pencil2: {blanks_label(len(to_fill))}: "
             f"{escape_clipped(', '.join(dict.fromkeys(to_fill)), 300)}"] \
        if to_fill and draft.status != "sent" else []
    notes += [f":bulb: {escape(hint)}" for hint in draft.hints]
    notes += [f":mag: {escape(problem)}" for problem in draft.problems]
    if draft.notice:
        notes.append(f":warning: {escape_clipped(draft.notice, 300)}")
    if notes:
        blocks.append(ContextBlock(block_id="draft_hints", elements=[
            MarkdownTextObject(text=clip_mrkdwn("\n".join(notes), 2000))]))
    if draft.status == "sent":
        when = f" on {format_day(sent_on.date())}" if sent_on else ""
        blocks.append(ContextBlock(block_id="draft_done", elements=[
            MarkdownTextObject(text=f":white_check_mark: Marked as sent{when}.")]))
        return f"{title} for {escape(draft.prospect_name)} (sent)", blocks
    value = encode({"d": draft.id}, limit=2000)
    copy = ButtonElement(action_id=ids.DRAFT_COPY, text="Copy email", value=value,
                         url=copy_url, style="primary")
    buttons = [copy,
               ButtonElement(action_id=ids.DRAFT_EDIT, text="Edit", value=value),
               ButtonElement(action_id=ids.DRAFT_SENT, text="Mark as sent", value=value)]
    if draft.kind != "breakup":
        buttons.append(ButtonElement(action_id=ids.DRAFT_BREAKUP, text="Breakup email",
                                     value=encode({"p": draft.prospect_id}, limit=2000)))
    blocks.append(ActionsBlock(block_id="draft_actions", elements=buttons))
    return f"{title} for {escape(draft.prospect_name)}: {escape(draft.subject)}", blocks


def sent_note(draft: DraftRecord) -> str:
    """Over a due list refreshed after Mark as sent: that touch is done."""
    return (f":white_check_mark: Marked as sent: {KIND_TITLES.get(draft.kind, 'email')}"
            f" to {escape(draft.prospect_name)}.")


def reminder_note(draft: DraftRecord, *, cancelled: bool) -> str:
    """Over a due list refreshed after "Remind me then" or "Cancel reminder"."""
    if cancelled:
        return f":bell: Reminder cancelled for {escape(draft.prospect_name)}."
    return (f":bell: I'll DM you the email to {escape(draft.prospect_name)} then, "
            "as it is at that moment.")


def edit_view(draft: DraftRecord, *, state: str) -> View:
    """``state``: the encoded private_metadata (bot.slack.draft_requests.edit_state)."""
    return View(
        type="modal", callback_id=ids.DRAFT_EDIT_CALLBACK, title="Edit email",
        submit="Save", close="Cancel", private_metadata=state,
        blocks=[
            InputBlock(block_id="subject", label="Subject", element=PlainTextInputElement(
                action_id=ids.VALUE, initial_value=clip(draft.subject, SUBJECT_MAX),
                max_length=SUBJECT_MAX)),
            InputBlock(block_id="body", label="Email", element=PlainTextInputElement(
                action_id=ids.VALUE, multiline=True, initial_value=clip(draft.body, BODY_MAX),
                max_length=BODY_MAX)),
        ])


def copy_view(draft: DraftRecord) -> View:
    """Without PUBLIC_URL there is no draft page: the whole email in a text box to copy.
    A LinkedIn note is always copied from here: just the note."""
    note = draft.kind in NOTE_DRAFTS
    text = full_text(draft) if note or not draft.to_email else \
        f"To: {draft.to_email}\n{full_text(draft)}"
    where = "your LinkedIn connection request" if note else "your email"
    return View(
        type="modal", callback_id=ids.DRAFT_COPY_CALLBACK,
        title="Copy note" if note else "Copy email", submit="Done", close="Close",
        blocks=[
            ContextBlock(block_id="copy_help", elements=[MarkdownTextObject(
                text=f"Select all in the box, copy, and paste into {where}.")]),
            InputBlock(block_id="copy_text", label=clip(KIND_TITLES.get(draft.kind, "Email"),
                                                        2000),
                       optional=True, element=PlainTextInputElement(
                           action_id=ids.VALUE, multiline=True,
                           initial_value=clip(text, BODY_MAX), max_length=BODY_MAX)),
        ])
