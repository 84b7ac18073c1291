"""The due list as a message: the morning DM, /followups and every refresh of either.

Building a list for sending writes the words of the touches it shows (one draft per
email or LinkedIn touch, kept once written: bot.services.touch_drafts), so each item's
buttons name its own draft and a Copy email button can link to the draft's page.
Shared by the listeners that refresh a list (the due list's, Mark as sent's) and by the
scheduled notifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.due_list import DueItem
from bot.services.due_items import due_list_to_show, with_drafts
from bot.slack.draft_messages import draft_link
from bot.slack.due_list_view import due_list_message, room


def _link(deps, team_id: str):
    """The draft page a Copy email button opens (None: the button opens the text box)."""
    return lambda draft_id: draft_link(deps, team_id, draft_id)


def _message(deps, team_id: str, items: Sequence[DueItem], *, rep_tz: str, today: date,
             note: str | None, now: datetime) -> tuple[str, list]:
    return due_list_message(items, rep_tz=rep_tz, today=today, now=now,
                            windows=deps.cadences.windows, note=note,
                            link=_link(deps, team_id))


def list_message(deps, team_id: str, items: Sequence[DueItem], *, rep_tz: str, today: date,
                 note: str | None = None) -> tuple[str, list]:
    """(notification text, blocks) of the rep's list, the shown touches' drafts written
    first where they are missing (those beyond the 50 blocks wait for a later list)."""
    now = deps.clock()
    items = with_drafts(deps.session_factory, deps.renderer, team_id=team_id,
                        items=list(items), shown=room(note), now=now)
    return _message(deps, team_id, items, rep_tz=rep_tz, today=today, note=note, now=now)


def current_list(deps, team_id: str, user_id: str, note: str | None = None):
    """(notification text, blocks) of the rep's list as it is now."""
    now = deps.clock()
    listing = due_list_to_show(deps.session_factory, deps.renderer, team_id=team_id,
                               user_id=user_id, now=now,
                               max_calls=deps.cadences.rules.max_calls,
                               windows=deps.cadences.windows, shown=room(note))
    return _message(deps, team_id, listing.items, rep_tz=listing.rep_tz,
                    today=listing.today, note=note, now=now)


def refresh(client, deps, body: dict, respond, *, team_id: str, user_id: str, note: str):
    """Update the list message in place (chat.update; an ephemeral one via response_url)."""
    text, blocks = current_list(deps, team_id, user_id, note)
    container = body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        respond(text=text, blocks=blocks, replace_original=True, response_type="ephemeral")
    else:
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                           text=text, blocks=blocks)
