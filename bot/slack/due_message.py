"""The due list as a message: the morning DM, /followups and every refresh of either.

Building a list for sending writes the words of the touches it shows (one draft per
email or LinkedIn touch, kept once written: bot.services.touch_drafts), so each item's
buttons name its own draft and a Copy email button can link to the draft's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.digest import DueItem
from bot.services.queue import rep_due_list
from bot.services.touch_drafts import touch_drafts
from bot.slack.digest_view import due_list_message, room
from bot.slack.drafts import draft_link


def list_message(deps, team_id: str, items: Sequence[DueItem], *, rep_tz: str, today: date,
                 note: str | None = None) -> tuple[str, list]:
    """(notification text, blocks) of the rep's list, the shown touches' drafts written
    first where they are missing (those beyond the 50 blocks wait for a later list)."""
    now = deps.clock()
    shown = room(note)
    items = touch_drafts(deps.session_factory, deps.renderer, team_id=team_id,
                         items=items[:shown], now=now) + list(items[shown:])
    return due_list_message(items, rep_tz=rep_tz, today=today, now=now,
                            windows=deps.cadences.windows, note=note,
                            link=lambda draft_id: draft_link(deps, team_id, draft_id))


def current_list(deps, team_id: str, user_id: str, note: str | None = None):
    listing = rep_due_list(deps.session_factory, team_id=team_id, user_id=user_id,
                           now=deps.clock(), max_calls=deps.cadences.rules.max_calls,
                           windows=deps.cadences.windows)
    return list_message(deps, team_id, listing.items, rep_tz=listing.rep_tz,
                        today=listing.today, note=note)


def refresh(client, deps, body: dict, respond, *, team_id: str, user_id: str, note: str):
    """Update the list message in place (chat.update; an ephemeral one via response_url)."""
    text, blocks = current_list(deps, team_id, user_id, note)
    container = body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        respond(text=text, blocks=blocks, replace_original=True, response_type="ephemeral")
    else:
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                           text=text, blocks=blocks)
