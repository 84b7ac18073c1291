"""Slack users: their profile (zone, name) from users.info, and ``user_change`` events."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.services.rep_settings import apply_user_change
from bot.slack.context import team_of

log = logging.getLogger(__name__)


def display_name(user: dict) -> str | None:
    profile = user.get("profile") or {}
    return profile.get("real_name") or user.get("real_name") or user.get("name")


def slack_profile(client, user_id: str, default_tz: str) -> tuple[str, str | None]:
    """(time zone, display name) from users.info; the default zone if Slack won't say."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return default_tz, None
    return user.get("tz") or default_tz, display_name(user)


def register(app: App, deps) -> None:
    @app.event("user_change")
    def user_changed(event, body, context):
        user = event.get("user")
        if not isinstance(user, dict) or not user.get("id"):
            return
        deleted = user.get("deleted")
        found = apply_user_change(
            deps.session_factory, team_of(context, body), user["id"], tz=user.get("tz"),
            name=display_name(user), deleted=deleted if isinstance(deleted, bool) else None)
        log.debug("user_change for %s: %s", user["id"], "applied" if found else "not a rep")
