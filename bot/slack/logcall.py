"""Listeners for /logcall: the command, the App Home button, prospect search, the number
check after a wrong number, and the submission. Module-level: a test can import one.

The replies they send (the form, the post-log DM) are in bot.slack.logcall_replies, shared
with the due list; ``open_logcall_modal`` and ``confirm_logged`` are named here too for the
modules that import them from here.
"""

from __future__ import annotations

from slack_bolt import App

from bot.domain.windows import format_day
from bot.services.access import HeldByAnother, Refused
from bot.services.calls import local_today, log_call
from bot.services.log_form import FormRequest
from bot.services.prospects import search_prospects
from bot.services.reps import rep_timezone
from bot.services.touches import verify_number
from bot.slack import ids
from bot.slack.codec import action_value, as_id
from bot.slack.context import deps_of, team_of, user_of
from bot.slack.errors import after_ack
from bot.slack.logcall_replies import confirm_logged, open_logcall_modal, show_log_form
from bot.slack.logcall_requests import read_submission
from bot.slack.logcall_view import TAKE_OVER, prospect_option
from bot.slack.replies import tell

__all__ = ["confirm_logged", "open_logcall_modal", "register"]


def logcall_command(ack, body, context, client):
    """/logcall [name, company]: the form, prefilled from the text."""
    ack()
    deps = deps_of(context)
    request = FormRequest(team_of(context, body), user_of(context, body),
                          body.get("text", ""))
    after_ack(deps, body, client, lambda: show_log_form(
        client, deps, request, trigger_id=body["trigger_id"],
        channel_id=body.get("channel_id")))


def home_log_call(ack, body, context, client):
    """"Log a call" on the App Home: the empty form."""
    ack()
    deps = deps_of(context)
    request = FormRequest(team_of(context, body), user_of(context, body))
    after_ack(deps, body, client, lambda: show_log_form(
        client, deps, request, trigger_id=body["trigger_id"]))


def prospect_options(ack, body, context):
    """The picker's search: the team's prospects whose name or company holds the text."""
    found = search_prospects(deps_of(context).session_factory, team_of(context, body),
                             body.get("value", ""))
    ack(options=[prospect_option(option) for option in found])


def number_verified(ack, body, context, client, respond):
    """"Number verified" after a wrong number: calls to the prospect resume."""
    ack()
    deps = deps_of(context)
    try:
        name, touch = verify_number(deps.session_factory, deps.cadences,
                                    team_id=team_of(context, body),
                                    prospect_id=as_id(action_value(body).get("p")),
                                    user_id=user_of(context, body), now=deps.clock())
    except Refused as exc:
        return tell(respond, body, client, str(exc))
    then = f" Next: {touch.purpose} on {format_day(touch.due_on)}." if touch else ""
    tell(respond, body, client, f"Calls to {name} can resume.{then}")


def logcall_submitted(ack, body, context, client, view):
    """Save: field errors go back to the form (checked against the rep's zone and date);
    a logged call is acknowledged, then its DM, drafts and App Home follow."""
    deps = deps_of(context)
    team_id, user_id = team_of(context, body), user_of(context, body)
    now = deps.clock()
    rep_tz = (rep_timezone(deps.session_factory, team_id, user_id)
              or deps.settings.default_timezone)
    form = read_submission(view, team_id=team_id, user_id=user_id, rep_tz=rep_tz,
                           today=local_today(now, rep_tz))
    if form.errors:
        return ack(response_action="errors", errors=form.errors)
    try:
        result = log_call(deps.session_factory, form.command, deps.cadences, now)
    except HeldByAnother as exc:  # the rep has not ticked "Take over"
        return ack(response_action="errors", errors={TAKE_OVER: str(exc)})
    except Refused as exc:
        return ack(response_action="errors", errors={ids.PROSPECT: str(exc)})
    ack()
    if not result.duplicate:
        notes = form.command.notes.as_dict()
        # The modal closes on the ack; the DM, drafts and App Home need not come before
        # the acks of other submissions being answered (bot.after_ack).
        after_ack(deps, body, client, lambda: confirm_logged(
            client, deps, result, notes, team_id=team_id, user_id=user_id), can_wait=True)


def register(app: App, deps) -> None:
    """Wire /logcall's ids to their listeners (``deps`` unused: they read the context)."""
    app.command(ids.LOGCALL_COMMAND)(logcall_command)
    app.action(ids.HOME_LOG_CALL)(home_log_call)
    app.options(ids.PROSPECT)(prospect_options)
    app.action(ids.PROSPECT_VERIFIED)(number_verified)
    app.view(ids.LOGCALL_CALLBACK)(logcall_submitted)
