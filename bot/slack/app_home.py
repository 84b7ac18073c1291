"""The App Home tab, and its settings that save as soon as they change: the morning
due list and working hours (the rep's own), the holiday country (the team's, changed only
by a workspace admin or owner: asked of Slack on every change, whatever the tab showed)."""

from __future__ import annotations

from datetime import datetime, time
from functools import partial

from slack_bolt import App

from bot.services.countries import UnknownCountry
from bot.services.rep_settings import (
    WEEKDAYS,
    set_digest_enabled,
    set_workday_start,
    set_working_days,
    set_working_hours,
)
from bot.services.team_settings import set_holiday_country
from bot.slack import home_team, ids
from bot.slack.codec import decode
from bot.slack.context import deps_of, team_of, user_of
from bot.slack.home import BAD_HOURS_NOTE, NO_DAYS_NOTE
from bot.slack.home_publish import (
    first_action,
    publish_home,
    save_later,
    save_setting,
    workspace_admin,
)
from bot.slack.text import clip

__all__ = ["publish_home", "register", "save_setting", "workspace_admin"]
NOT_OFFERED = "That change wasn't one I offered; nothing was saved. Here is the current setting"
NOT_ADMIN = ("Only a workspace admin or owner can change the team's holiday country; "
             "nothing was saved")


def unknown_country(text: str) -> str:
    return (f"I don't know the country '{clip(text, 40)}': type a code such as US, DE, "
            "GB-SCT or AE, or a country's English name. Nothing was saved")


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


def _start_time(deps, start: time | None, team_id: str, user_id: str) -> str | None:
    if start is None:
        return "Pick a time for the morning DM"
    set_workday_start(deps.session_factory, team_id, user_id, start)
    return None


def _working_days(deps, days: str | None, team_id: str, user_id: str) -> str | None:
    if days is None:
        return NOT_OFFERED
    ok = set_working_days(deps.session_factory, team_id, user_id, days)
    return None if ok else NO_DAYS_NOTE


def _digest_on(deps, on: object, team_id: str, user_id: str) -> str | None:
    if not isinstance(on, bool):
        return NOT_OFFERED
    set_digest_enabled(deps.session_factory, team_id, user_id, on)
    return None


def _hours(deps, start: time | None, end: time | None, team_id: str,
           user_id: str) -> str | None:
    if start is None and end is None:
        return NOT_OFFERED
    ok = set_working_hours(deps.session_factory, team_id, user_id, start=start, end=end)
    return None if ok else BAD_HOURS_NOTE


def _holidays(deps, client, text: object, team_id: str, user_id: str) -> str | None:
    """Whoever clicked, Slack says (now) whether they are an admin or owner."""
    if text is not None and not isinstance(text, str):
        return NOT_OFFERED
    if not workspace_admin(client, user_id):
        return NOT_ADMIN
    try:
        set_holiday_country(deps.session_factory, team_id, text)
    except UnknownCountry:
        return unknown_country(text or "")
    return None


def home_opened(event, body, context, client) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(client, deps_of(context), team_id=team_of(context, body),
                 user_id=event.get("user") or user_of(context, body))


def digest_time(ack, body, context, client) -> None:
    ack()
    start = _hhmm(first_action(body).get("selected_time"))
    save_later(body, context, client, partial(_start_time, deps_of(context), start))


def digest_days(ack, body, context, client) -> None:
    ack()
    days = _days(first_action(body))
    save_later(body, context, client, partial(_working_days, deps_of(context), days))


def digest_toggle(ack, body, context, client) -> None:
    ack()
    on = decode(first_action(body).get("value")).get("on")
    save_later(body, context, client, partial(_digest_on, deps_of(context), on))


def work_start(ack, body, context, client) -> None:
    ack()
    start = _hhmm(first_action(body).get("selected_time"))
    save_later(body, context, client, partial(_hours, deps_of(context), start, None))


def work_end(ack, body, context, client) -> None:
    ack()
    end = _hhmm(first_action(body).get("selected_time"))
    save_later(body, context, client, partial(_hours, deps_of(context), None, end))


def holiday_typed(ack, body, context, client) -> None:
    ack()
    text = first_action(body).get("value")
    save_later(body, context, client, partial(_holidays, deps_of(context), client, text),
               makes_rep=False)


def holiday_cleared(ack, body, context, client) -> None:
    ack()
    save_later(body, context, client, partial(_holidays, deps_of(context), client, ""),
               makes_rep=False)


def register(app: App, deps=None) -> None:
    app.event("app_home_opened")(home_opened)
    for action_id, listener in ((ids.HOME_DIGEST_TIME, digest_time),
                                (ids.HOME_DIGEST_DAYS, digest_days),
                                (ids.HOME_DIGEST_TOGGLE, digest_toggle),
                                (ids.HOME_WORK_START, work_start),
                                (ids.HOME_WORK_END, work_end),
                                (ids.HOME_HOLIDAY_COUNTRY, holiday_typed),
                                (ids.HOME_HOLIDAY_CLEAR, holiday_cleared)):
        app.action(action_id)(listener)
    home_team.register(app)
