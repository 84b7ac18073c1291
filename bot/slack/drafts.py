"""Drafted emails in Slack: which listener answers which button.

The listeners are module-level functions in bot.slack.draft_listeners. Posting a draft
(its Copy link, the DM) lives in bot.slack.draft_messages; ``post_draft`` and friends are
still named here for modules that import them from here (bot.scheduler).
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack import draft_listeners as on
from bot.slack import ids


def register(app: App, deps) -> None:
    """Wire each draft id to its listener (``deps`` unused: listeners read it from the
    context)."""
    app.action(ids.DRAFT_COPY)(on.copy_email)
    app.view(ids.DRAFT_COPY_CALLBACK)(on.copy_closed)
    app.action(ids.DRAFT_EDIT)(on.edit_email)
    app.view(ids.DRAFT_EDIT_CALLBACK)(on.edit_saved)
    app.action(ids.DRAFT_SENT)(on.mark_as_sent)
    app.action(ids.DRAFT_REMIND)(on.remind_me)
    app.action(ids.DRAFT_BREAKUP)(on.breakup_email)
