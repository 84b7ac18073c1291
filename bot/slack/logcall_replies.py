"""What the bot sends around a logged call: the log form it opens, and what follows a log
(the DM, its drafts, a fresh App Home).

Shared, not a listener module: /logcall's listeners (bot.slack.logcall) and the due list's
(bot.slack.due_list: "Log details", the one-click outcomes) both come through here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_sdk.errors import SlackApiError

from bot.services.calls import LogResult
from bot.services.log_form import FormRequest, after_log, open_log_form
from bot.slack.draft_messages import post_draft
from bot.slack.home_publish import publish_home
from bot.slack.logcall_view import build_logcall_view
from bot.slack.messages import logged_message
from bot.slack.users import learn_profile

log = logging.getLogger(__name__)


def show_log_form(client, deps, request: FormRequest, *, trigger_id: str,
                  channel_id: str | None = None) -> None:
    """Open first (the trigger id dies in 3 s). For a rep seen for the first time, learn
    their zone from Slack after, and redraw the form when it is not the default it opened
    with (its suggested date and the new prospect's zone follow the rep's)."""
    now = deps.clock()
    form = open_log_form(deps.session_factory, deps.cadences, request, now=now,
                         default_tz=deps.settings.default_timezone)
    opened = client.views_open(trigger_id=trigger_id,
                               view=build_logcall_view(form, channel_id=channel_id))["view"]
    if form.rep_known or learn_profile(client, deps, request.team_id,
                                       request.user_id) == form.rep_tz:
        return
    form = open_log_form(deps.session_factory, deps.cadences, request, now=now,
                         default_tz=deps.settings.default_timezone)
    try:
        client.views_update(view_id=opened["id"], hash=opened.get("hash"),
                            view=build_logcall_view(form, channel_id=channel_id))
    except SlackApiError as exc:  # the rep already moved on; the default stays
        log.info("could not refresh the modal's time zone: %s", exc.response.get("error"))


def open_logcall_modal(client, deps, *, team_id: str, user_id: str, trigger_id: str,
                       text: str = "", channel_id: str | None = None,
                       prospect_id: int | None = None) -> None:
    """:func:`show_log_form` by keywords. With ``prospect_id`` (Log details on a due item)
    that prospect is preselected and the call type continues its cadence."""
    show_log_form(client, deps, FormRequest(team_id, user_id, text, prospect_id),
                  trigger_id=trigger_id, channel_id=channel_id)


def confirm_logged(client, deps, result: LogResult, notes: Mapping[str, str | None], *,
                   team_id: str, user_id: str) -> None:
    """The DM that outlasts the modal, the drafts it calls for, then a fresh App Home.
    ``notes`` keyed by NoteField value; empty after a one-click log."""
    text, blocks = logged_message(result, notes, deps.cadences.windows)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    follow = after_log(deps.session_factory, deps.renderer, deps.cadences, result, notes,
                       now=deps.clock())
    for draft in follow.drafts:
        post_draft(client, deps, user_id, draft)
    publish_home(client, deps, team_id=team_id, user_id=user_id)
