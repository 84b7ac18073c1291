"""App Home for managers and admins: "Team this week" (the numbers so far, managers only)
and the list of managers (workspace admins and owners add and remove them).

Who is a manager is read from the database and MANAGER_IDS on every draw; whether the
clicker is an admin is asked of Slack on every change, whatever the tab showed.
"""

from __future__ import annotations

from datetime import datetime

from slack_bolt import App
from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
    UserSelectElement,
)

from bot.domain.insights import Period, iso_week, week_label
from bot.domain.timing import local_date
from bot.services.insights import team_report
from bot.services.reports import add_manager, manager_ids, remove_manager
from bot.slack import ids
from bot.slack.report_view import home_blocks

NOT_ADMIN = "Only a workspace admin or owner can change who gets the team report"
FROM_SETTINGS = "That manager is set by MANAGER_IDS; remove them there"
NOT_A_USER = "Pick a person from the list"
MAX_REMOVE_BUTTONS = 10


def team_blocks(deps, team_id: str, user_id: str, tz: str, now: datetime, *,
                admin: bool) -> list:
    """The manager's "Team this week" and, for admins, who the managers are."""
    managers = manager_ids(deps.session_factory, deps.settings, team_id)
    blocks: list = []
    if user_id in managers:
        today = local_date(now, tz)
        week = iso_week(week_label(today))
        so_far = Period(week.start, today, week.label)
        report = team_report(deps.session_factory, team_id, so_far, as_of=today)
        blocks.extend(home_blocks(report))
    if admin:
        blocks.extend(managers_blocks(managers, set(deps.settings.manager_ids)))
    return blocks


def managers_blocks(managers: list[str], from_settings: set[str]) -> list:
    """Who gets the report, a picker to add one, and a Remove button per manager added
    here (those named by MANAGER_IDS are changed there)."""
    fixed = ", ".join(f"<@{m}>" for m in managers if m in from_settings)
    blocks: list = [SectionBlock(
        block_id="managers_title",
        text=MarkdownTextObject(text="*Managers* get the weekly team report and see the "
                                "team here." + (f" Set by MANAGER_IDS: {fixed}." if fixed
                                                else "")),
        accessory=UserSelectElement(action_id=ids.HOME_MANAGER_ADD,
                                    placeholder="Add a manager"))]
    removable = [m for m in managers if m not in from_settings]
    for i, manager in enumerate(removable[:MAX_REMOVE_BUTTONS]):
        blocks.append(SectionBlock(
            block_id=f"manager_{i}", text=MarkdownTextObject(text=f"<@{manager}>"),
            accessory=ButtonElement(action_id=f"{ids.HOME_MANAGER_REMOVE}:{i}",
                                    value=manager, text="Remove")))
    if len(removable) > MAX_REMOVE_BUTTONS:
        blocks.append(ContextBlock(block_id="managers_more", elements=[MarkdownTextObject(
            text=f"And {len(removable) - MAX_REMOVE_BUTTONS} more.")]))
    return blocks


def register(app: App, deps, *, later) -> None:
    """``later(body, context, client, save, makes_rep=False)`` is App Home's own saver
    (bot.slack.app_home): it runs after ack and re-publishes the tab with any note."""
    from bot.slack.app_home import Save, workspace_admin

    sf = deps.session_factory

    def change(client, action: Save) -> Save:
        def save(team_id: str, user_id: str) -> str | None:
            if not workspace_admin(client, user_id):
                return NOT_ADMIN
            return action(team_id, user_id)
        return save

    @app.action(ids.HOME_MANAGER_ADD)
    def manager_added(ack, body, context, client):
        ack()
        picked = (body.get("actions") or [{}])[0].get("selected_user")

        def add(team_id: str, user_id: str) -> str | None:
            if not isinstance(picked, str) or picked[:1] not in ("U", "W"):
                return NOT_A_USER
            add_manager(sf, team_id, picked, user_id)
            return None

        later(body, context, client, change(client, add), makes_rep=False)

    @app.action(_remove_pattern())
    def manager_removed(ack, body, context, client):
        ack()
        value = (body.get("actions") or [{}])[0].get("value")

        def remove(team_id: str, user_id: str) -> str | None:
            if value in deps.settings.manager_ids:
                return FROM_SETTINGS
            if not isinstance(value, str) or not remove_manager(sf, team_id, value):
                return "That person is not a manager any more; nothing was changed"
            return None

        later(body, context, client, change(client, remove), makes_rep=False)



def _remove_pattern():
    import re

    return re.compile(rf"^{ids.HOME_MANAGER_REMOVE}:\d+$")
