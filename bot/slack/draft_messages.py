"""A draft as a Slack message: its Copy link (the draft page) and the DM that carries it.

Shared, not a listener module: the draft listeners, the post-log DM, the due list and the
scheduled reminders and nudges all post drafts the same way through here.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.drafts import NOTE_DRAFTS
from bot.services.draft_links import DraftRef, make_token
from bot.services.drafts import DraftRecord
from bot.slack.drafts_view import draft_blocks


def copy_url_ok(deps) -> bool:
    """A draft page link needs a secret that outlives this process (a link that dies on
    restart is worse than the copy box)."""
    return bool(deps.settings.draft_secret or deps.settings.slack_signing_secret)


def pages_on(deps) -> bool:
    """Drafts have a page: PUBLIC_URL is set and links can be signed durably."""
    return bool(deps.settings.public_url) and copy_url_ok(deps)


def draft_link(deps, team_id: str, draft_id: int) -> str | None:
    """The draft page link by the draft's team and id (the due list knows only those);
    None when drafts have no page (:func:`pages_on`)."""
    if not pages_on(deps):
        return None
    token = make_token(deps.draft_secret, DraftRef(draft_id, team_id), deps.clock(),
                       timedelta(days=deps.settings.draft_ttl_days))
    return f"{deps.settings.public_url}/drafts/{token}"


def copy_url(deps, draft: DraftRecord) -> str | None:
    """:func:`draft_link` for a draft the bot has in hand."""
    return draft_link(deps, draft.team_id, draft.id)


def copy_is_a_link(deps, draft: DraftRecord) -> bool:
    """Copy email is a link button that opens the draft page: the browser does the work and
    the click needs no answer. A LinkedIn note has no page: it is copied from a text box."""
    return draft.kind not in NOTE_DRAFTS and pages_on(deps)


def draft_message(deps, draft: DraftRecord) -> tuple[str, list]:
    """(fallback text, blocks) of the draft's message, Copy linking to its page if any."""
    return draft_blocks(draft, copy_url=copy_url(deps, draft))


def post_draft(client, deps, user_id: str, draft: DraftRecord) -> None:
    """DM the draft to the rep."""
    text, blocks = draft_message(deps, draft)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
