"""Listeners for drafted emails: Copy, Edit, Mark as sent, Breakup email."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from slack_bolt import App

from bot.domain.drafts import NOTE_DRAFTS
from bot.services.access import Refused, Who
from bot.services.draft_links import DraftRef, make_token
from bot.services.email_drafts import (
    DraftBlocked,
    DraftRecord,
    draft_breakup,
    edit_draft,
    get_draft,
    mark_sent,
)
from bot.services.reminders import cancel_reminder, set_reminder
from bot.slack import ids
from bot.slack.codec import action_value, as_id, decode, encode, seal, unseal
from bot.slack.context import team_of, user_of
from bot.slack.digest_view import LIST_KEY
from bot.slack.drafts_view import (
    BODY_MAX,
    KIND_TITLES,
    SUBJECT_MAX,
    copy_view,
    draft_blocks,
    edit_view,
)
from bot.slack.errors import after_ack
from bot.slack.replies import tell
from bot.slack.text import escape

log = logging.getLogger(__name__)


def copy_url(deps, draft: DraftRecord) -> str | None:
    """The draft page link; none without PUBLIC_URL or without a secret that outlives
    this process (a link that dies on restart is worse than the copy box)."""
    return draft_link(deps, draft.team_id, draft.id)


def draft_link(deps, team_id: str, draft_id: int) -> str | None:
    """:func:`copy_url` by the draft's team and id (the due list knows only those)."""
    settings = deps.settings
    if not settings.public_url or not copy_url_ok(deps):
        return None
    token = make_token(deps.draft_secret, DraftRef(draft_id, team_id), deps.clock(),
                       timedelta(days=settings.draft_ttl_days))
    return f"{settings.public_url}/drafts/{token}"


def copy_url_ok(deps) -> bool:
    return bool(deps.settings.draft_secret or deps.settings.slack_signing_secret)


def post_draft(client, deps, user_id: str, draft: DraftRecord) -> None:
    text, blocks = draft_blocks(draft, copy_url=copy_url(deps, draft))
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def _who(context, body: dict) -> Who:
    return Who.rep(team_of(context, body), user_of(context, body))


def _draft_id(body: dict) -> int | None:
    return as_id(action_value(body).get("d"))


def _instant(value: object) -> datetime:
    """A button's time (whole seconds since the epoch); the epoch itself when unreadable,
    which the service refuses as a time gone by."""
    seconds = value if isinstance(value, int) and not isinstance(value, bool) else 0
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(0, UTC)


def _typed(view: dict, block_id: str) -> str:
    """What the rep typed in a modal's text input ("" when the state is not Slack's)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    action = block.get(ids.VALUE) if isinstance(block, dict) else None
    value = action.get("value") if isinstance(action, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _where(body: dict) -> tuple[str | None, str | None]:
    """The message the click came from, as Slack reports it."""
    container = body.get("container")
    container = container if isinstance(container, dict) else {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else (None, None)


def from_list(body: dict) -> bool:
    """The click came from a due list (the button's value says so): the list is the
    message to keep, never to be replaced by the draft."""
    return action_value(body).get(LIST_KEY) == 1


def edit_state(deps, draft: DraftRecord, user_id: str, body: dict) -> str:
    """The Edit modal's private_metadata: the draft, and the message to rewrite on Save.
    The message is the container of this rep's click on this draft's Edit button, sealed
    (HMAC under the draft secret, bound to draft and rep): a value crafted in between
    cannot point the rewrite at any other message. A due list is left as it is."""
    channel, ts = _where(body)
    return encode(seal({"d": draft.id, "u": user_id, "c": channel, "ts": ts,
                        LIST_KEY: int(from_list(body))}, deps.draft_secret))


def _sealed(deps, meta: dict, draft_id: int, user_id: str) -> dict | None:
    where = unseal(meta, deps.draft_secret)
    if not where or where.get("d") != draft_id or where.get("u") != user_id:
        return None
    return where


def message_to_rewrite(deps, meta: dict, draft_id: int, user_id: str) -> tuple[str, str] | None:
    """The sealed (channel, ts) of :func:`edit_state`, if it holds for this draft and rep."""
    where = _sealed(deps, meta, draft_id, user_id)
    channel, ts = (where.get("c"), where.get("ts")) if where else (None, None)
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None


def edited_in_list(deps, meta: dict, draft_id: int, user_id: str) -> bool:
    """Edit was opened from a due list (sealed like the message): the list shows no draft
    text, so nothing in it changes, and no copy of the draft is posted either."""
    where = _sealed(deps, meta, draft_id, user_id)
    return bool(where and where.get(LIST_KEY) == 1)


def register(app: App, deps) -> None:
    from bot.slack.due_message import refresh  # due_message builds lists with draft_link

    @app.action(ids.DRAFT_COPY)
    def copy(ack, body, context, client, respond):
        ack()
        try:
            draft = get_draft(deps.session_factory, _who(context, body), _draft_id(body))
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        if draft.kind not in NOTE_DRAFTS and deps.settings.public_url and copy_url_ok(deps):
            return  # a link button: the browser opens the draft page
        after_ack(deps, body, client, lambda: client.views_open(
            trigger_id=body["trigger_id"], view=copy_view(draft)))

    @app.action(ids.DRAFT_EDIT)
    def edit(ack, body, context, client, respond):
        ack()
        who = _who(context, body)
        try:
            draft = get_draft(deps.session_factory, who, _draft_id(body))
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        state = edit_state(deps, draft, who.user_id, body)
        after_ack(deps, body, client, lambda: client.views_open(
            trigger_id=body["trigger_id"], view=edit_view(draft, state=state)))

    @app.view(ids.DRAFT_COPY_CALLBACK)
    def copy_done(ack):
        ack()

    @app.view(ids.DRAFT_EDIT_CALLBACK)
    def edited(ack, body, context, client, view):
        subject, text = _typed(view, "subject"), _typed(view, "body")
        errors = {}
        if not subject or len(subject) > SUBJECT_MAX or "\n" in subject:
            errors["subject"] = f"A subject is one line of 1-{SUBJECT_MAX} characters."
        if not text or len(text) > BODY_MAX:
            errors["body"] = f"The email needs 1-{BODY_MAX} characters."
        if errors:
            return ack(response_action="errors", errors=errors)
        meta = decode(view.get("private_metadata"))
        who = _who(context, body)
        try:
            draft = edit_draft(deps.session_factory, who=who, draft_id=as_id(meta.get("d")),
                               subject=subject, body=text)
        except Refused as exc:
            return ack(response_action="errors", errors={"body": str(exc)})
        ack()
        if edited_in_list(deps, meta, draft.id, who.user_id):
            return
        where = message_to_rewrite(deps, meta, draft.id, who.user_id)
        if where is None:  # no message we can vouch for: the edit arrives as a new one
            return after_ack(deps, body, client,
                             lambda: post_draft(client, deps, who.user_id, draft))
        fallback, blocks = draft_blocks(draft, copy_url=copy_url(deps, draft))
        after_ack(deps, body, client, lambda: client.chat_update(
            channel=where[0], ts=where[1], text=fallback, blocks=blocks))

    @app.action(ids.DRAFT_SENT)
    def sent(ack, body, context, client, respond):
        ack()
        try:
            draft, newly = mark_sent(deps.session_factory, deps.cadences,
                                     who=_who(context, body), draft_id=_draft_id(body),
                                     now=deps.clock())
        except DraftBlocked as exc:
            return tell(respond, body, client, f"{exc} is on do-not-call: don't send this.")
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        if not newly:
            return tell(respond, body, client, "Already marked as sent; nothing changed.")
        if from_list(body):  # that touch is done: the list shows what is left
            note = (f":white_check_mark: Marked as sent: {KIND_TITLES.get(draft.kind, 'email')}"
                    f" to {escape(draft.prospect_name)}.")
            return after_ack(deps, body, client, lambda: refresh(
                client, deps, body, respond, team_id=draft.team_id,
                user_id=user_of(context, body), note=note))
        channel, ts = _where(body)
        if channel is None:
            return
        fallback, blocks = draft_blocks(draft, copy_url=None, sent_on=deps.clock())
        after_ack(deps, body, client, lambda: client.chat_update(
            channel=channel, ts=ts, text=fallback, blocks=blocks))

    @app.action(ids.DRAFT_REMIND)
    def remind(ack, body, context, client, respond):
        ack()
        who, value = _who(context, body), action_value(body)
        try:
            if value.get("c") == 1:
                draft = cancel_reminder(deps.session_factory, who=who, draft_id=_draft_id(body))
                note = f":bell: Reminder cancelled for {escape(draft.prospect_name)}."
            else:
                draft, _ = set_reminder(deps.session_factory, who=who,
                                           draft_id=_draft_id(body), at=_instant(value.get("t")),
                                           now=deps.clock())
                note = (f":bell: I'll DM you the email to {escape(draft.prospect_name)} then, "
                        "as it is at that moment.")
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        after_ack(deps, body, client, lambda: refresh(
            client, deps, body, respond, team_id=draft.team_id, user_id=who.user_id, note=note))

    @app.action(ids.DRAFT_BREAKUP)
    def breakup(ack, body, context, client, respond):
        ack()
        who = _who(context, body)
        try:
            draft = draft_breakup(deps.session_factory, deps.renderer, who=who,
                                  prospect_id=as_id(action_value(body).get("p")),
                                  now=deps.clock(), windows=deps.cadences.windows)
        except DraftBlocked as exc:
            return tell(respond, body, client, f"{exc} is on do-not-call: no more emails.")
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        after_ack(deps, body, client, lambda: post_draft(client, deps, who.user_id, draft))
