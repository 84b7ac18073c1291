"""Slack users: their profile (zone, name) from users.info, ``user_change`` events, and
bringing back a rep marked gone who uses the bot again."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.services.rep_settings import apply_user_change, is_iana_zone
from bot.services.reps import UnconfirmedZone, reactivate_rep
from bot.slack.context import team_of

log = logging.getLogger(__name__)
# Events a user causes by using the bot; other events (user_change) are about them.
USER_EVENTS = frozenset({"app_home_opened", "app_mention", "message"})
USER_PAYLOADS = frozenset({"block_actions", "block_suggestion", "view_submission",
                           "view_closed", "shortcut", "message_action"})
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


def slack_zone(client, user_id: str) -> str | None:
    """The user's IANA zone from users.info; None when Slack won't say (the digest pass's
    lookup for reps whose zone is not known yet)."""
    tz, _name = slack_profile(client, user_id, "UTC")
    return None if isinstance(tz, UnconfirmedZone) else tz


def from_the_user(body: dict) -> bool:
    """A request the user made (a command, a button, a modal, an option search, opening
    the App Home), as opposed to an event about them such as ``user_change``."""
    if body.get("command"):
        return True
    if body.get("type") == "event_callback":
        return (body.get("event") or {}).get("type") in USER_EVENTS
    return body.get("type") in USER_PAYLOADS


class RecentUsers:
    """Who was looked up lately (per process), so a busy rep costs one read per RECHECK,
    not one per request. Bounded: forgets everyone past ``limit`` entries."""

    def __init__(self, clock, *, every: timedelta = RECHECK, limit: int = 10_000):
        self.clock, self.every, self.limit = clock, every, limit
        self._seen: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def due(self, team_id: str, user_id: str) -> bool:
        """True (and remembered) when this user was not looked up within ``every``."""
        now, key = self.clock(), (team_id, user_id)
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < self.every:
                return False
            if len(self._seen) >= self.limit:
                self._seen.clear()
            self._seen[key] = now
            return True


def register(app: App, deps) -> None:
    recent = RecentUsers(deps.clock)

    def reactivate(team_id: str, user_id: str) -> None:
        try:
            if reactivate_rep(deps.session_factory, team_id, user_id):
                log.info("rep %s in %s uses the bot again: active", user_id, team_id)
        except SQLAlchemyError:  # background upkeep: the next request tries again
            log.warning("could not reactivate rep %s in %s", user_id, team_id, exc_info=True)

    @app.middleware
    def reactivate_users_of_the_bot(body, context, next):  # Bolt passes it by this name
        """A rep marked gone (one ``user_disabled`` answer) who makes a request is back.
        Off the ack path: a lookup queued on the executor, at most once per RECHECK per
        rep and process, and a write only for an inactive rep."""
        user_id, team_id = context.get("user_id"), context.get("team_id")
        if user_id and team_id and from_the_user(body) and recent.due(team_id, user_id):
            try:
                deps.executor.submit(reactivate, team_id, user_id)
            except RuntimeError:  # the executor is shutting down with the bot
                pass
        next()

    @app.event("user_change")
    def user_changed(event, body, context):
        user = event.get("user")
        if not isinstance(user, dict) or not user.get("id"):
            return
        deleted = user.get("deleted", False)  # Slack sends it; absent means not deleted
        found = apply_user_change(
            deps.session_factory, team_of(context, body), user["id"], tz=user.get("tz"),
            name=display_name(user), deleted=deleted if isinstance(deleted, bool) else None)
        log.debug("user_change for %s: %s", user["id"], "applied" if found else "not a rep")
