"""Listeners for a drafted email's buttons: Copy email, Edit (and its Save), Mark as sent,
Remind me then, Breakup email. Wired in bot.slack.drafts.register.

Each one acks, reads its typed request (bot.slack.draft_requests), calls one service,
builds the reply (bot.slack.drafts_view) and sends it after the ack
(:func:`bot.slack.errors.after_ack`, on bot.after_ack's threads). A refusal from the
service (another rep's draft, a value the bot never wrote, a prospect on do-not-call) is
told to the rep and changes nothing.
"""

from __future__ import annotations

from bot.services.access import Refused
from bot.services.drafts import DraftBlocked, draft_breakup, edit_draft, get_draft, mark_sent
from bot.services.reminders import change_reminder
from bot.slack.context import deps_of
from bot.slack.draft_messages import copy_is_a_link, draft_message, post_draft
from bot.slack.draft_requests import (
    edit_state,
    edit_target,
    read_breakup,
    read_click,
    read_edit,
    read_reminder,
)
from bot.slack.drafts_view import copy_view, draft_blocks, edit_view, reminder_note, sent_note
from bot.slack.due_message import refresh
from bot.slack.errors import after_ack
from bot.slack.replies import tell


def copy_email(ack, body, context, client, respond) -> None:
    """Copy email without a draft page (no PUBLIC_URL, or a LinkedIn note): the text in a
    box to copy from. With a page the button is a link and the browser opens it."""
    ack()
    deps, click = deps_of(context), read_click(context, body)
    try:
        draft = get_draft(deps.session_factory, click.who, click.draft_id)
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    if copy_is_a_link(deps, draft):
        return
    after_ack(deps, body, client, lambda: client.views_open(
        trigger_id=body["trigger_id"], view=copy_view(draft)))


def copy_closed(ack) -> None:
    """The copy box's Done: nothing to save."""
    ack()


def edit_email(ack, body, context, client, respond) -> None:
    """Edit: the draft in a modal that remembers, sealed, the message to rewrite on Save."""
    ack()
    deps, click = deps_of(context), read_click(context, body)
    try:
        draft = get_draft(deps.session_factory, click.who, click.draft_id)
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    state = edit_state(deps.draft_secret, click, draft.id)
    after_ack(deps, body, client, lambda: client.views_open(
        trigger_id=body["trigger_id"], view=edit_view(draft, state=state)))


def edit_saved(ack, body, context, client, view) -> None:
    """Save: the rep's words become the draft (field errors keep the modal open), then
    show where Edit was opened: that message rewritten, a new DM, or nothing on a list."""
    deps, edit = deps_of(context), read_edit(context, body, view)
    if edit.errors:
        return ack(response_action="errors", errors=edit.errors)
    try:
        draft = edit_draft(deps.session_factory, who=edit.who, draft_id=edit.draft_id,
                           subject=edit.subject, body=edit.text)
    except Refused as exc:
        return ack(response_action="errors", errors={"body": str(exc)})
    ack()
    target = edit_target(deps.draft_secret, edit.meta, draft.id, edit.who.user_id)
    if target.in_list:
        return
    if target.message is None:
        return after_ack(deps, body, client,
                         lambda: post_draft(client, deps, edit.who.user_id, draft))
    (channel, ts), (fallback, blocks) = target.message, draft_message(deps, draft)
    after_ack(deps, body, client, lambda: client.chat_update(
        channel=channel, ts=ts, text=fallback, blocks=blocks))


def mark_as_sent(ack, body, context, client, respond) -> None:
    """Mark as sent: the touch is recorded once; the draft's message says so, or the due
    list it was clicked on is refreshed without that touch."""
    ack()
    deps, click = deps_of(context), read_click(context, body)
    try:
        marked = mark_sent(deps.session_factory, deps.cadences, who=click.who,
                           draft_id=click.draft_id, now=deps.clock())
    except DraftBlocked as exc:
        return tell(respond, body, client, f"{exc} is on do-not-call: don't send this.")
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    if not marked.newly:
        return tell(respond, body, client, "Already marked as sent; nothing changed.")
    draft = marked.draft
    if click.from_list:  # that touch is done: the list shows what is left
        note = sent_note(draft)
        return after_ack(deps, body, client, lambda: refresh(
            client, deps, body, respond, team_id=draft.team_id, user_id=click.who.user_id,
            note=note))
    if click.channel is None:
        return
    fallback, blocks = draft_blocks(draft, copy_url=None, sent_on=deps.clock())
    after_ack(deps, body, client, lambda: client.chat_update(
        channel=click.channel, ts=click.ts, text=fallback, blocks=blocks))


def remind_me(ack, body, context, client, respond) -> None:
    """Remind me then / Cancel reminder on a due-list email; the list is refreshed."""
    ack()
    deps, click = deps_of(context), read_reminder(context, body)
    try:
        draft = change_reminder(deps.session_factory, who=click.who, draft_id=click.draft_id,
                                at=click.at, now=deps.clock())
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    note = reminder_note(draft, cancelled=click.at is None)
    after_ack(deps, body, client, lambda: refresh(
        client, deps, body, respond, team_id=draft.team_id, user_id=click.who.user_id,
        note=note))


def breakup_email(ack, body, context, client, respond) -> None:
    """Breakup email: drafted for the asking rep, on any of the team's prospects."""
    ack()
    deps, click = deps_of(context), read_breakup(context, body)
    try:
        draft = draft_breakup(deps.session_factory, deps.renderer, who=click.who,
                              prospect_id=click.prospect_id, now=deps.clock())
    except DraftBlocked as exc:
        return tell(respond, body, client, f"{exc} is on do-not-call: no more emails.")
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    after_ack(deps, body, client, lambda: post_draft(client, deps, click.who.user_id, draft))
