"""Slack users' profiles (zone, name) from users.info: the one place a new rep's profile
is learnt (:func:`learn_profile`). The listeners about users (``user_change``, bringing
back a rep marked gone) are in bot.slack.user_listeners."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.services.rep_settings import is_iana_zone
from bot.services.reps import UnconfirmedZone, save_rep_profile

log = logging.getLogger(__name__)
RECHECK = timedelta(minutes=5)  # a rep's requests look them up at most this often


def display_name(user: dict) -> str | None:
    profile = user.get("profile") or {}
    return profile.get("real_name") or user.get("real_name") or user.get("name")


def slack_profile(client, user_id: str, default_tz: str) -> tuple[str, str | None]:
    """(time zone, display name) from users.info. When Slack won't say (an error, or no
    usable zone), the zone is ``default_tz`` as an :class:`UnconfirmedZone`, which
    :func:`~bot.services.reps.save_rep_profile` does not take as known."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return UnconfirmedZone(default_tz), None
    tz = user.get("tz")
    return (tz if is_iana_zone(tz) else UnconfirmedZone(default_tz)), display_name(user)


def learn_profile(client, deps, team_id: str, user_id: str) -> str:
    """The one place a new rep's profile comes from Slack: users.info, saved (zone and
    name; the zone stays unknown when Slack won't say). Returns the zone saved, which is
    the default zone when Slack would not say."""
    tz, name = slack_profile(client, user_id, deps.settings.default_timezone)
    save_rep_profile(deps.session_factory, team_id, user_id, tz, name)
    return tz


def slack_zone(client, user_id: str) -> str | None:
    """The user's IANA zone from users.info; None when Slack won't say (the digest pass's
    lookup for reps whose zone is not known yet)."""
    tz, _name = slack_profile(client, user_id, "UTC")
    return None if isinstance(tz, UnconfirmedZone) else tz


def register(app: App, deps) -> None:
    """Wire the listeners about users (kept here: bot.slack.register_all calls it)."""
    from bot.slack import user_listeners

    user_listeners.register(app, deps)
