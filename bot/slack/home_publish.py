"""Draw a user's App Home, and save one of its settings then draw it again: shared by the
home's listeners (bot.slack.app_home for a rep's settings and the team's holidays,
bot.slack.home_team for managers)."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.services.home_page import home_page
from bot.services.reps import rep_timezone
from bot.slack.context import deps_of, team_of, user_of
from bot.slack.errors import after_ack
from bot.slack.home import HolidaySetting, build_home
from bot.slack.home_team_view import team_blocks
from bot.slack.users import learn_profile

# save(team_id, user_id) -> a note for the user when nothing was saved, else None
Save = Callable[[str, str], str | None]


def workspace_admin(client, user_id: str) -> bool:
    """users.info's is_admin / is_owner; False when Slack won't say."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return bool(user.get("is_admin") or user.get("is_owner")) and not user.get("deleted")


def publish_home(client, deps, *, team_id: str, user_id: str,
                 digest_note: str | None = None) -> None:
    page = home_page(deps.session_factory, deps.settings, team_id=team_id, user_id=user_id,
                     now=deps.clock(), admin=workspace_admin(client, user_id))
    holidays = HolidaySetting(page.holiday_team, deps.settings.holiday_country, page.admin)
    team = team_blocks(page, set(deps.settings.manager_ids))
    client.views_publish(user_id=user_id, view=build_home(
        page.data, page.settings, digest_note=digest_note, holidays=holidays, team=team))


def save_setting(client, deps, *, team_id: str, user_id: str, save: Save,
                 makes_rep: bool = True) -> None:
    """Save one setting, then re-publish the home (with the note if nothing was saved).
    A user who was not a rep yet becomes one with their Slack zone and name, unless the
    setting is the team's (``makes_rep`` False)."""
    new_rep = makes_rep and rep_timezone(deps.session_factory, team_id, user_id) is None
    note = save(team_id, user_id)
    if new_rep and note is None:
        learn_profile(client, deps, team_id, user_id)
    publish_home(client, deps, team_id=team_id, user_id=user_id, digest_note=note)


def save_later(body: dict, context, client, save: Save, *, makes_rep: bool = True) -> None:
    """After the ack: save, then draw the home again for whoever clicked."""
    deps = deps_of(context)
    team_id, user_id = team_of(context, body), user_of(context, body)
    after_ack(deps, body, client, lambda: save_setting(
        client, deps, team_id=team_id, user_id=user_id, save=save, makes_rep=makes_rep))


def first_action(body: dict) -> dict:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    return action if isinstance(action, dict) else {}
