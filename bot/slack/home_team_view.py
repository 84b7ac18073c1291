"""App Home's blocks for managers and admins: "Team this week" and who the managers are."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
    UserSelectElement,
)

from bot.services.home_page import HomePage
from bot.slack import ids
from bot.slack.report_view import home_blocks

MAX_REMOVE_BUTTONS = 10


def team_blocks(page: HomePage, from_settings: set[str]) -> list:
    """A manager's "Team this week" and, for admins, who the managers are."""
    blocks: list = home_blocks(page.team) if page.team is not None else []
    if page.admin:
        blocks.extend(managers_blocks(list(page.managers), from_settings))
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
