"""Telling the person, where they are, that their action was refused or changed nothing."""

from __future__ import annotations

from bot.slack.text import escape


def tell(respond, body: dict, client, text: str) -> None:
    """An ephemeral note under the message that was clicked (through its response_url);
    a DM when the click came without one. ``text`` is plain: it is escaped here."""
    if body.get("response_url"):
        respond(text=escape(text), response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if user:
        client.chat_postMessage(channel=user, text=escape(text))
