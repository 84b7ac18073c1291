"""The one error handler: log with context, tell the person something useful.

Bolt's ``@app.error`` catches what a listener raises before ``ack()``. Work after ``ack()``
goes through :func:`after_ack` instead: Bolt (1.30) can drop an ack it has already
received when the same listener raises afterwards (the request then answers 404), so
slow work runs as its own job and its failures reach the same :func:`report`.

A database that does not answer (a bounded wait ran out: see
:class:`bot.db.engine.DbTimeouts`) is told as such, where the rep is: before ``ack()`` the
error handler's answer *is* the ack (a field error on the modal, an ephemeral reply to a
slash command); otherwise an ephemeral note through the response_url, or a DM. The unit of
work has rolled back by then, so nothing was half-written and a retry is safe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.slack.trust import VERIFIED

log = logging.getLogger(__name__)

SORRY = ("Sorry, something went wrong on my side and that did not go through. "
         "Please try again in a minute; if it keeps happening, tell your Slack admin.")
DB_DOWN = ("The database is not answering, so that did not go through and nothing changed. "
           "Please try again in a minute; if it keeps happening, tell your Slack admin.")
# Work after ack() follows an action that may already be saved (the call is logged, then
# the confirmation or the drafts fail): never tell the rep to do it again from scratch.
DB_DOWN_LATER = ("The database stopped answering, so I could not finish that. Anything I "
                 "already confirmed is saved; please try again in a minute.")
DB_DOWN_FORM = ("The database is not answering, so this form was not saved. "
                "Submit it again in a minute.")


def database_unreachable(error: BaseException) -> bool:
    """A bounded wait on the database ran out or the connection was lost: statement or
    lock timeout, connect timeout, no pooled connection free, a dropped connection."""
    if isinstance(error, (OperationalError, PoolTimeout, TimeoutError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload),
                        headers={"content-type": "application/json;charset=utf-8"})


def _first_input(view: dict) -> str | None:
    return next((block.get("block_id") for block in view.get("blocks") or []
                 if block.get("type") == "input" and block.get("block_id")), None)


def tell(body: dict, client, text: str) -> None:
    """An ephemeral note where the rep is (the request's response_url), else a DM."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    try:
        if body.get("response_url"):
            WebhookClient(body["response_url"], timeout=5).send(
                text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except (SlackApiError, OSError):
        log.warning("could not tell %s that the database is not answering", user)


def database_down_answer(body: dict, client, executor) -> BoltResponse | None:
    """The ack for a verified request whose listener could not reach the database before
    acknowledging; None when Slack reads nothing from this request's answer (events)."""
    kind = body.get("type")
    if kind == "view_submission" and _first_input(body.get("view") or {}):
        return _json({"response_action": "errors",
                      "errors": {_first_input(body["view"]): DB_DOWN_FORM}})
    if body.get("command"):
        return _json({"response_type": "ephemeral", "text": DB_DOWN})
    if kind == "block_suggestion":
        return _json({"options": []})
    if kind in ("block_actions", "view_submission", "shortcut", "message_action"):
        executor.submit(tell, body, client, DB_DOWN)  # after this answer, not before
        return BoltResponse(status=200, body="")
    return None


def report(error: BaseException, body: dict, client, *, verified: bool = False,
           db_down: str = DB_DOWN) -> None:
    """Log ``error``; tell the user only if the request passed the signature check
    (``verified``): a body that was not verified may name anyone."""
    kind = body.get("type") or body.get("command") or (body.get("event") or {}).get("type")
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    log.error("error handling %s for user %s%s: %s", kind, user,
              "" if verified else " (request not verified: telling no one)", error,
              exc_info=error)
    if not verified or not user or kind == "event_callback":
        return
    if database_unreachable(error):
        return tell(body, client, db_down)
    try:
        client.chat_postMessage(channel=user, text=SORRY)
    except SlackApiError:
        log.warning("could not tell %s about the error", user)


def after_ack(deps, body: dict, client, work: Callable[[], None], *,
              can_wait: bool = False) -> None:
    """Run ``work`` once the listener has acknowledged, on the executor for work after
    ack (bot.after_ack): threads of its own, and only once the other requests being
    answered have their answers (0.1 s at most), so acks never wait behind it. Work that
    ``can_wait`` (nobody is looking at a modal for it) waits for the requests in hand,
    its own too (a second at most)."""

    def job() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - handed to the one error reporter
            # Listeners run only after every global middleware, the signature check too.
            report(exc, body, client, verified=True, db_down=DB_DOWN_LATER)

    if can_wait:
        deps.executor.submit_later(job)
    else:
        deps.executor.submit(job)


def register(app: App, deps) -> None:
    @app.error
    def handle_error(error, body, client, context, response):
        verified = context.get(VERIFIED) is True
        # ``response`` is None once the listener had acknowledged: too late to answer.
        if verified and response is not None and database_unreachable(error):
            answer = database_down_answer(body, client, deps.executor)
            if answer is not None:
                log.warning("database not answering for %s: %s", body.get("type")
                            or body.get("command"), error)
                return answer
        report(error, body, client, verified=verified)
