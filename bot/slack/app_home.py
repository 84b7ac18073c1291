"""The App Home tab, and its settings that save as soon as they change: the morning
due list and working hours (the rep's own), the holiday country (the team's, changed only
by a workspace admin or owner: asked of Slack on every change, whatever the tab showed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.services.countries import UnknownCountry
from bot.services.prospects import home_for
from bot.services.rep_settings import (
    WEEKDAYS,
    digest_settings,
    set_digest_enabled,
    set_workday_start,
    set_working_days,
    set_working_hours,
)
from bot.services.reps import rep_timezone, save_rep_profile
from bot.services.team_settings import holiday_country, set_holiday_country
from bot.slack import home_team, ids
from bot.slack.codec import decode
from bot.slack.context import team_of, user_of
from bot.slack.errors import after_ack
from bot.slack.home import (
    BAD_HOURS_NOTE,
    NO_DAYS_NOTE,
    HolidaySetting,
    build_home,
)
from bot.slack.home_team import team_blocks
from bot.slack.text import clip
from bot.slack.users import slack_profile

# save(team_id, user_id) -> a note for the rep when nothing was saved, else None
Save = Callable[[str, str], str | None]
NOT_OFFERED = "That change wasn't one I offered; nothing was saved. Here is the current setting"
NOT_ADMIN = ("Only a workspace admin or owner can change the team's holiday country; "
             "nothing was saved")


def unknown_country(text: str) -> str:
    return (f"I don't know the country '{clip(text, 40)}': type a code such as US, DE, "
            "GB-SCT or AE, or a country's English name. Nothing was saved")


def workspace_admin(client, user_id: str) -> bool:
    """users.info's is_admin / is_owner; False when Slack won't say."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return bool(user.get("is_admin") or user.get("is_owner")) and not user.get("deleted")


def publish_home(client, deps, *, team_id: str, user_id: str,
                 digest_note: str | None = None) -> None:
    data = home_for(deps.session_factory, team_id, user_id, deps.clock())
    settings = digest_settings(deps.session_factory, team_id, user_id)
    admin = workspace_admin(client, user_id)
    holidays = HolidaySetting(holiday_country(deps.session_factory, team_id),
                              deps.settings.holiday_country, admin)
    team = team_blocks(deps, team_id, user_id, data.rep_tz, deps.clock(), admin=admin)
    client.views_publish(user_id=user_id, view=build_home(
        data, settings, digest_note=digest_note, holidays=holidays, team=team))


def save_setting(client, deps, *, team_id: str, user_id: str, save: Save,
                 makes_rep: bool = True) -> None:
    """Save one setting, then re-publish the home (with the note if nothing was saved).
    A user who was not a rep yet becomes one with their Slack zone and name, unless the
    setting is the team's (``makes_rep`` False)."""
    new_rep = makes_rep and rep_timezone(deps.session_factory, team_id, user_id) is None
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

    def later(body, context, client, save: Save, *, makes_rep: bool = True) -> None:
        team_id, user_id = team_of(context, body), user_of(context, body)
        after_ack(deps, body, client, lambda: save_setting(
            client, deps, team_id=team_id, user_id=user_id, save=save, makes_rep=makes_rep))

    def hours(start: time | None = None, end: time | None = None) -> Save:
        def save(team_id: str, user_id: str) -> str | None:
            if start is None and end is None:
                return NOT_OFFERED
            ok = set_working_hours(sf, team_id, user_id, start=start, end=end)
            return None if ok else BAD_HOURS_NOTE
        return save

    def holidays(client, text: object) -> Save:
        """Whoever clicked, Slack says (now) whether they are an admin or owner."""
        def save(team_id: str, user_id: str) -> str | None:
            if text is not None and not isinstance(text, str):
                return NOT_OFFERED
            if not workspace_admin(client, user_id):
                return NOT_ADMIN
            try:
                set_holiday_country(sf, team_id, text)
            except UnknownCountry:
                return unknown_country(text or "")
            return None
        return save

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

    @app.action(ids.HOME_WORK_START)
    def work_start(ack, body, context, client):
        ack()
        later(body, context, client, hours(start=_hhmm(_action(body).get("selected_time"))))

    @app.action(ids.HOME_WORK_END)
    def work_end(ack, body, context, client):
        ack()
        later(body, context, client, hours(end=_hhmm(_action(body).get("selected_time"))))

    @app.action(ids.HOME_HOLIDAY_COUNTRY)
    def holiday_typed(ack, body, context, client):
        ack()
        later(body, context, client, holidays(client, _action(body).get("value")),
              makes_rep=False)

    @app.action(ids.HOME_HOLIDAY_CLEAR)
    def holiday_cleared(ack, body, context, client):
        ack()
        later(body, context, client, holidays(client, ""), makes_rep=False)

    home_team.register(app, deps, later=later)
