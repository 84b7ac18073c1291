"""Listeners about Slack users: ``user_change`` events, and the middleware that brings
back a rep marked gone who uses the bot again. Module-level: a test can import them."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_bolt import App
from sqlalchemy.exc import SQLAlchemyError

from bot.services.rep_settings import apply_user_change
from bot.services.reps import reactivate_rep
from bot.slack.context import deps_of, team_of
from bot.slack.users import RECHECK, display_name

log = logging.getLogger(__name__)
# Events a user causes by using the bot; other events (user_change) are about them.
USER_EVENTS = frozenset({"app_home_opened", "app_mention", "message"})
USER_PAYLOADS = frozenset({"block_actions", "block_suggestion", "view_submission",
                           "view_closed", "shortcut", "message_action"})


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


def _reactivate(session_factory, team_id: str, user_id: str) -> None:
    try:
        if reactivate_rep(session_factory, team_id, user_id):
            log.info("rep %s in %s uses the bot again: active", user_id, team_id)
    except SQLAlchemyError:  # background upkeep: the next request tries again
        log.warning("could not reactivate rep %s in %s", user_id, team_id, exc_info=True)


class Reactivation:
    """The middleware that brings back a rep marked gone, with its memory of who was
    looked up lately (one per app, made by :func:`register`)."""

    def __init__(self, clock):
        self.recent = RecentUsers(clock)

    def reactivate_users_of_the_bot(self, body, context, next):  # noqa: A002 - Bolt's name
        """A rep marked gone (one ``user_disabled`` answer) who makes a request is back.
        Off the ack path: a lookup queued on the executor, at most once per RECHECK per
        rep and process, and a write only for an inactive rep."""
        user_id, team_id = context.get("user_id"), context.get("team_id")
        if user_id and team_id and from_the_user(body) and self.recent.due(team_id, user_id):
            deps = deps_of(context)
            try:
                deps.executor.submit(_reactivate, deps.session_factory, team_id, user_id)
            except RuntimeError:  # the executor is shutting down with the bot
                pass
        next()


def user_changed(event, body, context):
    """Slack says a user's zone, name or status changed: apply it to their rep, if any."""
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("id"):
        return
    deleted = user.get("deleted", False)  # Slack sends it; absent means not deleted
    found = apply_user_change(
        deps_of(context).session_factory, team_of(context, body), user["id"],
        tz=user.get("tz"), name=display_name(user),
        deleted=deleted if isinstance(deleted, bool) else None)
    log.debug("user_change for %s: %s", user["id"], "applied" if found else "not a rep")


def register(app: App, deps) -> None:
    """Wire them; the middleware's memory is this app's (made here, not at import)."""
    app.middleware(Reactivation(deps.clock).reactivate_users_of_the_bot)
    app.event("user_change")(user_changed)
