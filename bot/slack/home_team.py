"""App Home's listeners for admins: add and remove managers (who get the team report;
the blocks are bot.slack.home_team_view).

Who is a manager is read from the database and MANAGER_IDS on every draw; whether the
clicker is an admin is asked of Slack on every change, whatever the tab showed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from slack_bolt import App

from bot.services.reports import add_manager, remove_manager
from bot.slack import ids
from bot.slack.context import deps_of
from bot.slack.home_publish import first_action, save_later, workspace_admin

NOT_ADMIN = "Only a workspace admin or owner can change who gets the team report"
FROM_SETTINGS = "That manager is set by MANAGER_IDS; remove them there"
NOT_A_USER = "Pick a person from the list"
Save = Callable[[str, str], str | None]


def _admin_only(client, change: Save, team_id: str, user_id: str) -> str | None:
    """Slack says, at the moment of the change, whether the clicker is an admin."""
    if not workspace_admin(client, user_id):
        return NOT_ADMIN
    return change(team_id, user_id)


def _add(deps, picked: object, team_id: str, user_id: str) -> str | None:
    if not isinstance(picked, str) or picked[:1] not in ("U", "W") or len(picked) > 32:
        return NOT_A_USER
    add_manager(deps.session_factory, team_id, picked, user_id)
    return None


def _remove(deps, value: object, team_id: str, user_id: str) -> str | None:
    if value in deps.settings.manager_ids:
        return FROM_SETTINGS
    if not isinstance(value, str) or not remove_manager(deps.session_factory, team_id, value):
        return "That person is not a manager any more; nothing was changed"
    return None


def manager_added(ack, body, context, client) -> None:
    ack()
    add = partial(_add, deps_of(context), first_action(body).get("selected_user"))
    save_later(body, context, client, partial(_admin_only, client, add), makes_rep=False)


def manager_removed(ack, body, context, client) -> None:
    ack()
    remove = partial(_remove, deps_of(context), first_action(body).get("value"))
    save_later(body, context, client, partial(_admin_only, client, remove), makes_rep=False)


def register(app: App, deps=None) -> None:
    app.action(ids.HOME_MANAGER_ADD)(manager_added)
    app.action(re.compile(rf"^{ids.HOME_MANAGER_REMOVE}:\d+$"))(manager_removed)
