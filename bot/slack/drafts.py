"""Listeners for drafted emails: Copy, Edit, Mark as sent, Breakup email."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from slack_bolt import App

from bot.services.draft_links import DraftRef, make_token
from bot.services.email_drafts import (
    DraftBlocked,
    DraftNotFound,
    DraftRecord,
    draft_breakup,
    edit_draft,
    get_draft,
    mark_sent,
)
from bot.slack import ids
from bot.slack.codec import decode
from bot.slack.context import team_of, user_of
from bot.slack.drafts_view import BODY_MAX, SUBJECT_MAX, copy_view, draft_blocks, edit_view
from bot.slack.errors import after_ack
from bot.slack.text import escape

log = logging.getLogger(__name__)
_PROCESS_SECRET = secrets.token_urlsafe(32)


def draft_secret(settings) -> str:
    """DRAFT_SECRET, else the signing secret; with neither, links die with the process."""
    return settings.draft_secret or settings.slack_signing_secret or _PROCESS_SECRET


def copy_url(deps, draft: DraftRecord) -> str | None:
    """The draft page link; none without PUBLIC_URL or without a secret that outlives
    this process (a link that dies on restart is worse than the copy box)."""
    settings = deps.settings
    if not settings.public_url or not copy_url_ok(deps):
        return None
    token = make_token(draft_secret(deps.settings), DraftRef(draft.id, draft.team_id),
                       deps.clock(), timedelta(days=deps.settings.draft_ttl_days))
    return f"{deps.settings.public_url}/drafts/{token}"


def copy_url_ok(deps) -> bool:
    return bool(deps.settings.draft_secret or deps.settings.slack_signing_secret)


def post_draft(client, deps, user_id: str, draft: DraftRecord) -> None:
    text, blocks = draft_blocks(draft, copy_url=copy_url(deps, draft))
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def _draft_id(body: dict) -> int | None:
    return decode((body.get("actions") or [{}])[0].get("value")).get("d")


def _where(body: dict) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def register(app: App, deps) -> None:
    def stale(respond, text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    @app.action(ids.DRAFT_COPY)
    def copy(ack, body, context, client, respond):
        ack()
        draft_id = _draft_id(body)
        if deps.settings.public_url and copy_url_ok(deps):
            return  # a link button: the browser opens the draft page
        try:
            draft = get_draft(deps.session_factory, team_of(context, body), draft_id)
        except DraftNotFound:
            return stale(respond, "That draft no longer exists.")
        after_ack(deps, body, client, lambda: client.views_open(
            trigger_id=body["trigger_id"], view=copy_view(draft)))

    @app.action(ids.DRAFT_EDIT)
    def edit(ack, body, context, client, respond):
        ack()
        try:
            draft = get_draft(deps.session_factory, team_of(context, body), _draft_id(body))
        except DraftNotFound:
            return stale(respond, "That draft no longer exists.")
        channel, ts = _where(body)
        after_ack(deps, body, client, lambda: client.views_open(
            trigger_id=body["trigger_id"], view=edit_view(draft, channel=channel, ts=ts)))

    @app.view(ids.DRAFT_COPY_CALLBACK)
    def copy_done(ack):
        ack()

    @app.view(ids.DRAFT_EDIT_CALLBACK)
    def edited(ack, body, context, client, view):
        values = view["state"]["values"]
        subject = (values["subject"][ids.VALUE].get("value") or "").strip()
        text = (values["body"][ids.VALUE].get("value") or "").strip()
        errors = {}
        if not subject or len(subject) > SUBJECT_MAX or "\n" in subject:
            errors["subject"] = f"A subject is one line of 1-{SUBJECT_MAX} characters."
        if not text or len(text) > BODY_MAX:
            errors["body"] = f"The email needs 1-{BODY_MAX} characters."
        if errors:
            return ack(response_action="errors", errors=errors)
        meta = decode(view.get("private_metadata"))
        try:
            draft = edit_draft(deps.session_factory, team_id=team_of(context, body),
                               user_id=user_of(context, body), draft_id=meta.get("d"),
                               subject=subject, body=text)
        except DraftNotFound:
            return ack(response_action="errors", errors={"body": "This draft is gone."})
        ack()
        if meta.get("c") and meta.get("ts"):
            fallback, blocks = draft_blocks(draft, copy_url=copy_url(deps, draft))
            after_ack(deps, body, client, lambda: client.chat_update(
                channel=meta["c"], ts=meta["ts"], text=fallback, blocks=blocks))

    @app.action(ids.DRAFT_SENT)
    def sent(ack, body, context, client, respond):
        ack()
        try:
            draft, newly = mark_sent(deps.session_factory, deps.cadences,
                                     team_id=team_of(context, body),
                                     draft_id=_draft_id(body), now=deps.clock())
        except DraftNotFound:
            return stale(respond, "That draft no longer exists.")
        except DraftBlocked as exc:
            return stale(respond, f"{escape(str(exc))} is on do-not-call: don't send this.")
        if not newly:
            return stale(respond, "Already marked as sent; nothing changed.")
        channel, ts = _where(body)
        fallback, blocks = draft_blocks(draft, copy_url=None, sent_on=deps.clock())
        after_ack(deps, body, client, lambda: client.chat_update(
            channel=channel, ts=ts, text=fallback, blocks=blocks))

    @app.action(ids.DRAFT_BREAKUP)
    def breakup(ack, body, context, client, respond):
        ack()
        prospect_id = decode((body.get("actions") or [{}])[0].get("value")).get("p")
        user_id = user_of(context, body)
        try:
            draft = draft_breakup(deps.session_factory, deps.renderer,
                                  team_id=team_of(context, body), user_id=user_id,
                                  prospect_id=prospect_id, now=deps.clock(),
                                  windows=deps.cadences.windows)
        except DraftNotFound:
            return stale(respond, "That prospect is not in this workspace any more.")
        except DraftBlocked as exc:
            return stale(respond, f"{escape(str(exc))} is on do-not-call: no more emails.")
        after_ack(deps, body, client, lambda: post_draft(client, deps, user_id, draft))
