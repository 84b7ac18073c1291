"""The one error handler: log with context, tell the person something useful."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

SORRY = ("Sorry, something went wrong on my side and nothing was saved. "
         "Please try again in a minute; if it keeps happening, tell your Slack admin.")


def register(app: App, deps) -> None:
    @app.error
    def handle_error(error, body, client):
        kind = body.get("type") or body.get("command") or (body.get("event") or {}).get("type")
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        log.error("error handling %s for user %s: %s", kind, user, error, exc_info=error)
        if not user or kind in ("event_callback",):
            return
        try:
            client.chat_postMessage(channel=user, text=SORRY)
        except SlackApiError:
            log.warning("could not tell %s about the error", user)
