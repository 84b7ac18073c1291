"""Text going back into Slack: escaping and safe truncation."""

from __future__ import annotations


def escape(text: str | None) -> str:
    """Escape exactly what Slack's mrkdwn treats as control characters (&, <, >), so user
    text like '<!channel>' shows as text and never pings anyone."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
