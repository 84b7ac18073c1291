"""The App Home tab, and its morning due-list settings that save as soon as they change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from slack_bolt import App

from bot.services.prospects import home_for
from bot.services.rep_settings import (
    WEEKDAYS,
    digest_settings,
    set_digest_enabled,
    set_workday_start,
    set_working_days,
)
from bot.services.reps import rep_timezone, save_rep_profile
from bot.slack import ids
from bot.slack.codec import decode
from bot.slack.context import team_of, user_of
from bot.slack.errors import after_ack
from bot.slack.home import (
    NO_DAYS_NOTE,
    build_home,
)
from bot.slack.users import slack_profile

# save(team_id, user_id) -> a note for the rep when nothing was saved, else None
Save = Callable[[str, str], str | None]
NOT_OFFERED = "That change wasn't one I offered; nothing was saved. Here is the current setting"


def publish_home(client, deps, *, team_id: str, user_id: str,
                 digest_note: str | None = None) -> None:
    data = home_for(deps.session_factory, team_id, user_id, deps.clock())
    settings = digest_settings(deps.session_factory, team_id, user_id)
    client.views_publish(user_id=user_id,
                         view=build_home(data, settings, digest_note=digest_note))


def save_setting(client, deps, *, team_id: str, user_id: str, save: Save) -> None:
    """Save one setting, then re-publish the home (with the note if nothing was saved).
    A user who was not a rep yet becomes one with their Slack zone and name."""
    new_rep = rep_timezone(deps.session_factory, team_id, user_id) is None
    note = save(team_id, user_id)
    if new_rep and note is None:
        tz, name = slack_profile(client, user_id, deps.settings.default_timezone)
        save_rep_profile(deps.session_factory, team_id, user_id, tz, name)
    publish_home(client, deps, team_id=team_id, user_id=user_id, digest_note=note)


def _action(body: dict) -> dict:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    return action if isinstance(action, dict) else {}


def _hhmm(value: object) -> time | None:
    try:
        return datetime.strptime(value, "%H:%M").time() if isinstance(value, str) else None
    except ValueError:
        return None


def _days(action: dict) -> str | None:
    """The ticked ISO weekdays ("135"); None when the value is not what the picker sends."""
    options = action.get("selected_options") or []
    if not isinstance(options, list):
        return None
    days = [option.get("value") if isinstance(option, dict) else None for option in options]
    if not all(isinstance(day, str) and len(day) == 1 and day in WEEKDAYS for day in days):
        return None
    return "".join(days)


def register(app: App, deps) -> None:
    sf = deps.session_factory

    def later(body, context, client, save: Save) -> None:
        team_id, user_id = team_of(context, body), user_of(context, body)
        after_ack(deps, body, client, lambda: save_setting(
            client, deps, team_id=team_id, user_id=user_id, save=save))

    @app.event("app_home_opened")
    def home_opened(event, body, context, client):
        if event.get("tab", "home") != "home":
            return
        publish_home(client, deps, team_id=team_of(context, body),
                     user_id=event.get("user") or user_of(context, body))

    @app.action(ids.HOME_DIGEST_TIME)
    def digest_time(ack, body, context, client):
        ack()
        start = _hhmm(_action(body).get("selected_time"))

        def save(team_id: str, user_id: str) -> str | None:
            if start is None:
                return "Pick a time for the morning DM"
            set_workday_start(sf, team_id, user_id, start)
            return None

        later(body, context, client, save)

    @app.action(ids.HOME_DIGEST_DAYS)
    def digest_days(ack, body, context, client):
        ack()
        days = _days(_action(body))

        def save(team_id: str, user_id: str) -> str | None:
            if days is None:
                return NOT_OFFERED
            return None if set_working_days(sf, team_id, user_id, days) else NO_DAYS_NOTE

        later(body, context, client, save)

    @app.action(ids.HOME_DIGEST_TOGGLE)
    def digest_toggle(ack, body, context, client):
        ack()
        on = decode(_action(body).get("value")).get("on")

        def save(team_id: str, user_id: str) -> str | None:
            if not isinstance(on, bool):
                return NOT_OFFERED
            set_digest_enabled(sf, team_id, user_id, on)
            return None

        later(body, context, client, save)
