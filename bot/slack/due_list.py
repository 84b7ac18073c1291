"""Working the due list from its message (the morning DM, /followups): one-click outcomes,
Log details, Done, snooze and skip.

Each listener acks, reads the click (:func:`read_click`), calls the one use case
(bot.services.due_items.work_due_item) and answers from the plain data it returns: the list
updated in place (bot.slack.due_message), opening with a note from bot.slack.due_list_view.
"""

from __future__ import annotations

import re

from slack_bolt import App

from bot.domain.model import Outcome
from bot.services.access import Refused
from bot.services.due_items import DueAction, Verb, Worked, work_due_item
from bot.slack import ids
from bot.slack.codec import action_value, as_id
from bot.slack.context import deps_of, team_of, user_of
from bot.slack.due_list_view import ALREADY_LOGGED, worked_note
from bot.slack.due_message import current_list, refresh
from bot.slack.errors import after_ack
from bot.slack.logcall_replies import confirm_logged, open_logcall_modal
from bot.slack.replies import tell

OUTCOMES = {ids.DIGEST_CONNECTED: Outcome.CONNECTED, ids.DIGEST_VOICEMAIL: Outcome.VOICEMAIL,
            ids.DIGEST_NO_ANSWER: Outcome.NO_ANSWER}
QUICK_IDS = re.compile(f"^({'|'.join(OUTCOMES)})$")


def read_click(context, body: dict, action: dict) -> DueAction:
    """The typed request behind a click on a due item: who clicked, the item as the button
    named it (the service checks whose it is), and what the button or option asks."""
    value, action_id = action_value(body), action.get("action_id")
    verb, outcome, choice = Verb.SNOOZE, OUTCOMES.get(action_id), value.get("s")
    if outcome is not None:
        verb = Verb.LOG
    elif action_id == ids.DIGEST_DETAILS:
        verb = Verb.DETAILS
    elif action_id == ids.DIGEST_DONE:
        verb = Verb.DONE
    elif choice == "skip":
        verb = Verb.SKIP
    return DueAction(team_id=team_of(context, body), user_id=user_of(context, body),
                     follow_up_id=as_id(value.get("f")), verb=verb, outcome=outcome,
                     choice=choice if verb is Verb.SNOOZE and isinstance(choice, str) else None)


def _work(context, body: dict, client, respond, action: dict) -> Worked | None:
    """The one service call of a click; a refusal is told where the rep clicked (None)."""
    deps = deps_of(context)
    try:
        return work_due_item(deps.session_factory, deps.cadences,
                             read_click(context, body, action), deps.clock())
    except Refused as exc:
        tell(respond, body, client, str(exc))
        return None


def _refresh(context, body: dict, client, respond, worked: Worked) -> None:
    """Work after ack: the clicked list again, opening with what the click did."""
    refresh(client, deps_of(context), body, respond, team_id=worked.action.team_id,
            user_id=worked.action.user_id, note=worked_note(worked))


def followups_command(ack, body, context):
    """/followups: the rep's list as it is now, answered in the ack (ephemeral)."""
    text, blocks = current_list(deps_of(context), team_of(context, body),
                                user_of(context, body))
    ack(response_type="ephemeral", text=text, blocks=blocks)


def quick_outcome(ack, body, context, client, respond, action):
    """Connected, Voicemail, No answer: the call is logged in one click; the list updates
    in place, then the post-log DM and its drafts follow."""
    ack()
    worked = _work(context, body, client, respond, action)
    if worked is None:
        return None
    if worked.logged.duplicate:
        return tell(respond, body, client, ALREADY_LOGGED)
    deps, who = deps_of(context), worked.action

    def reply() -> None:
        _refresh(context, body, client, respond, worked)
        confirm_logged(client, deps, worked.logged, {}, team_id=who.team_id,
                       user_id=who.user_id)

    return after_ack(deps, body, client, reply)


def log_details(ack, body, context, client, respond, action):
    """Log details: the full log form, the item's prospect preselected."""
    ack()
    worked = _work(context, body, client, respond, action)
    if worked is None:
        return None
    deps, who = deps_of(context), worked.action
    return after_ack(deps, body, client, lambda: open_logcall_modal(
        client, deps, team_id=who.team_id, user_id=who.user_id,
        trigger_id=body["trigger_id"], prospect_id=worked.prospect_id))


def move_item(ack, body, context, client, respond, action):
    """Done, and the ⋯ menu (snooze: tomorrow, +3 business days, next week; skip the
    step): the item moves on, and the list updates in place saying how."""
    ack()
    worked = _work(context, body, client, respond, action)
    if worked is None:
        return None
    return after_ack(deps_of(context), body, client,
                     lambda: _refresh(context, body, client, respond, worked))


def register(app: App, deps) -> None:
    """Wire the due list's command and buttons. ``deps`` is unused: listeners read them
    from Bolt's context (bot.slack.context.deps_of)."""
    app.command(ids.FOLLOWUPS_COMMAND)(followups_command)
    app.action(QUICK_IDS)(quick_outcome)
    app.action(ids.DIGEST_DETAILS)(log_details)
    app.action(ids.DIGEST_DONE)(move_item)
    app.action(ids.DIGEST_MORE)(move_item)
