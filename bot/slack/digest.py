"""Working the queue from the due-list DM (and /followups): quick outcomes, snooze, skip."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from slack_bolt import App

from bot.domain.model import Outcome
from bot.domain.windows import format_day, format_time
from bot.services.access import Refused
from bot.services.queue import check_item, mark_done, quick_log, skip
from bot.services.queue import snooze as snooze_item
from bot.services.reps import rep_timezone
from bot.slack import ids
from bot.slack.codec import action_value, as_id
from bot.slack.context import team_of, user_of
from bot.slack.due_message import current_list, refresh
from bot.slack.errors import after_ack
from bot.slack.logcall import confirm_logged, open_logcall_modal
from bot.slack.replies import tell
from bot.slack.text import escape

OUTCOMES = {ids.DIGEST_CONNECTED: Outcome.CONNECTED, ids.DIGEST_VOICEMAIL: Outcome.VOICEMAIL,
            ids.DIGEST_NO_ANSWER: Outcome.NO_ANSWER}


def snoozed_note(moved) -> str:
    """What the rep reads after a snooze; a warning when a sent voicemail email had
    promised the old time."""
    note = f":zzz: Snoozed {escape(moved.prospect_name)} to {format_day(moved.day)}."
    if moved.promised is not None:
        local = moved.promised.astimezone(ZoneInfo(moved.prospect_tz))
        note += (f" :warning: Your voicemail email promised a call {local:%A} at "
                 f"{format_time(local)} their time: let {escape(moved.prospect_name)} "
                 "know about the new time.")
    return note


def _item_id(body: dict) -> int | None:
    """The due-list item a button or overflow option names (None when it is not an id)."""
    return as_id(action_value(body).get("f"))


def register(app: App, deps) -> None:
    @app.command(ids.FOLLOWUPS_COMMAND)
    def followups(ack, body, context):
        text, blocks = current_list(deps, team_of(context, body), user_of(context, body))
        ack(response_type="ephemeral", text=text, blocks=blocks)

    @app.action(re.compile(f"^({'|'.join(OUTCOMES)})$"))
    def quick(ack, body, context, client, respond, action):
        ack()
        team_id, user_id = team_of(context, body), user_of(context, body)
        outcome = OUTCOMES[action["action_id"]]
        rep_tz = rep_timezone(deps.session_factory, team_id, user_id) or "UTC"
        try:
            result = quick_log(deps.session_factory, deps.cadences, team_id=team_id,
                               user_id=user_id, rep_tz=rep_tz, follow_up_id=_item_id(body),
                               outcome=outcome, now=deps.clock())
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        if result.duplicate:
            return tell(respond, body, client, "That call is already logged; nothing was changed.")
        note = f":white_check_mark: Logged {outcome.label.lower()} with " \
               f"{escape(result.prospect.name)}."

        def work():
            refresh(client, deps, body, respond, team_id=team_id, user_id=user_id, note=note)
            confirm_logged(client, deps, result, {}, team_id=team_id, user_id=user_id)

        after_ack(deps, body, client, work)

    @app.action(ids.DIGEST_DETAILS)
    def details(ack, body, context, client, respond):
        ack()
        team_id, user_id = team_of(context, body), user_of(context, body)
        try:
            item = check_item(deps.session_factory, team_id, user_id, _item_id(body))
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        after_ack(deps, body, client, lambda: open_logcall_modal(
            client, deps, team_id=team_id, user_id=user_id, trigger_id=body["trigger_id"],
            prospect_id=item.prospect_id))

    @app.action(ids.DIGEST_DONE)
    def done(ack, body, context, client, respond):
        ack()
        team_id, user_id = team_of(context, body), user_of(context, body)
        try:
            name = mark_done(deps.session_factory, deps.cadences, team_id=team_id,
                             user_id=user_id,
                             follow_up_id=_item_id(body), now=deps.clock())
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        after_ack(deps, body, client, lambda: refresh(
            client, deps, body, respond, team_id=team_id, user_id=user_id,
            note=f":white_check_mark: Done: {escape(name)}."))

    @app.action(ids.DIGEST_MORE)
    def more(ack, body, context, client, respond):
        ack()
        team_id, user_id = team_of(context, body), user_of(context, body)
        choice = action_value(body).get("s")
        try:
            if choice == "skip":
                name, due = skip(deps.session_factory, deps.cadences, team_id=team_id,
                                 user_id=user_id, follow_up_id=_item_id(body), now=deps.clock())
                then = f" Next touch: {format_day(due)}." if due else " No more steps."
                note = f":fast_forward: Skipped this step with {escape(name)}.{then}"
            else:
                moved = snooze_item(deps.session_factory, deps.cadences, team_id=team_id,
                                    user_id=user_id, follow_up_id=_item_id(body),
                                    choice=choice, now=deps.clock())
                note = snoozed_note(moved)
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        after_ack(deps, body, client, lambda: refresh(
            client, deps, body, respond, team_id=team_id, user_id=user_id, note=note))
