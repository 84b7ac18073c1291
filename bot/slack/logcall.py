"""Listeners for /logcall: the command, the App Home button, prospect search, submission."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.domain.model import CallType
from bot.domain.prefill import parse_logcall_text
from bot.domain.windows import format_day
from bot.services.access import HeldByAnother, Refused, take_over_question
from bot.services.calls import local_today, log_call, suggest_next_date
from bot.services.email_drafts import drafts_after_log
from bot.services.prospects import find_prospect, prospect_option, search_prospects
from bot.services.queue import call_type_for
from bot.services.reps import rep_timezone, save_rep_profile
from bot.services.touches import verify_number
from bot.slack import ids
from bot.slack.app_home import publish_home
from bot.slack.codec import action_value, as_id
from bot.slack.context import team_of, user_of
from bot.slack.drafts import post_draft
from bot.slack.errors import after_ack
from bot.slack.logcall_view import TAKE_OVER, build_logcall_view, read_submission
from bot.slack.logcall_view import prospect_option as option_for
from bot.slack.messages import logged_message
from bot.slack.replies import tell
from bot.slack.users import slack_profile

log = logging.getLogger(__name__)


def open_logcall_modal(client, deps, *, team_id: str, user_id: str, trigger_id: str,
                       text: str = "", channel_id: str | None = None,
                       prospect_id: int | None = None) -> None:
    """Open first (the trigger id dies in 3 s); fetch the rep's zone after, if unknown.
    With ``prospect_id`` (Log details on a due item) that prospect is preselected and the
    call type continues its cadence."""
    known_tz = rep_timezone(deps.session_factory, team_id, user_id)
    tz = known_tz or deps.settings.default_timezone
    prefill = parse_logcall_text(text)
    if prospect_id is not None:
        match = prospect_option(deps.session_factory, team_id, prospect_id)
    else:
        match = find_prospect(deps.session_factory, team_id, prefill.name, prefill.company)
    call_type = call_type_for(deps.cadences, match.cadence) if match else CallType.COLD_CALL
    now = deps.clock()
    held_by = take_over_question(deps.session_factory, team_id=team_id, user_id=user_id,
                                 prospect_id=match.id) if match else None

    def view_for(zone: str):
        suggested = suggest_next_date(deps.session_factory, deps.cadences, team_id=team_id,
                                      user_id=user_id, prospect_id=match.id if match else None,
                                      call_type=call_type, now=now, rep_tz=zone)
        return build_logcall_view(prefill=prefill, rep_tz=zone, suggested=suggested,
                                  preselected=match, channel_id=channel_id,
                                  call_type=call_type, held_by=held_by)

    opened = client.views_open(trigger_id=trigger_id, view=view_for(tz))["view"]
    if known_tz is None:
        real_tz, name = slack_profile(client, user_id, tz)
        save_rep_profile(deps.session_factory, team_id, user_id, real_tz, name)
        if real_tz != tz:
            try:
                client.views_update(view_id=opened["id"], hash=opened.get("hash"),
                                    view=view_for(real_tz))
            except SlackApiError as exc:  # the rep already moved on; the default stays
                log.info("could not refresh the modal's time zone: %s", exc.response.get("error"))


def register(app: App, deps) -> None:
    @app.command(ids.LOGCALL_COMMAND)
    def logcall_command(ack, body, context, client):
        ack()
        after_ack(deps, body, client, lambda: open_logcall_modal(
            client, deps, team_id=team_of(context, body), user_id=user_of(context, body),
            trigger_id=body["trigger_id"], text=body.get("text", ""),
            channel_id=body.get("channel_id")))

    @app.action(ids.HOME_LOG_CALL)
    def home_log_call(ack, body, context, client):
        ack()
        after_ack(deps, body, client, lambda: open_logcall_modal(
            client, deps, team_id=team_of(context, body), user_id=user_of(context, body),
            trigger_id=body["trigger_id"]))

    @app.options(ids.PROSPECT)
    def prospect_options(ack, body, context):
        found = search_prospects(deps.session_factory, team_of(context, body),
                                 body.get("value", ""))
        ack(options=[option_for(option).to_dict() for option in found])

    @app.action(ids.PROSPECT_VERIFIED)
    def number_verified(ack, body, context, client, respond):
        ack()
        try:
            name, touch = verify_number(deps.session_factory, deps.cadences,
                                        team_id=team_of(context, body),
                                        prospect_id=as_id(action_value(body).get("p")),
                                        user_id=user_of(context, body), now=deps.clock())
        except Refused as exc:
            return tell(respond, body, client, str(exc))
        then = f" Next: {touch.purpose} on {format_day(touch.due_on)}." if touch else ""
        tell(respond, body, client, f"Calls to {name} can resume.{then}")

    @app.view(ids.LOGCALL_CALLBACK)
    def logcall_submitted(ack, body, context, client, view):
        team_id, user_id = team_of(context, body), user_of(context, body)
        rep_tz = rep_timezone(deps.session_factory, team_id, user_id)
        rep_tz = rep_tz or deps.settings.default_timezone
        now = deps.clock()
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
            after_ack(deps, body, client, lambda: confirm_logged(
                client, deps, result, vars(form.command.notes), team_id=team_id,
                user_id=user_id))


def confirm_logged(client, deps, result, notes: dict, *, team_id: str, user_id: str) -> None:
    """The DM that outlasts the modal, the drafts it calls for, then a fresh App Home."""
    text, blocks = logged_message(result, notes, deps.cadences.windows)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    for draft in drafts_after_log(deps.session_factory, deps.renderer, result, notes,
                                  is_final=result.is_final_touch, now=deps.clock(),
                                  windows=deps.cadences.windows, book=deps.cadences):
        post_draft(client, deps, user_id, draft)
    publish_home(client, deps, team_id=team_id, user_id=user_id)
