"""The one error handler: log with context, tell the person something useful.

Bolt's ``@app.error`` catches what a listener raises before ``ack()``. Work after ``ack()``
goes through :func:`after_ack` instead: Bolt (1.30) can drop an ack it has already
received when the same listener raises afterwards (the request then answers 404), so
slow work runs as its own job and its failures reach the same :func:`report`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

SORRY = ("Sorry, something went wrong on my side and that did not go through. "
         "Please try again in a minute; if it keeps happening, tell your Slack admin.")


def report(error: BaseException, body: dict, client) -> None:
    kind = body.get("type") or body.get("command") or (body.get("event") or {}).get("type")
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    log.error("error handling %s for user %s: %s", kind, user, error, exc_info=error)
    if not user or kind == "event_callback":
        return
    try:
        client.chat_postMessage(channel=user, text=SORRY)
    except SlackApiError:
        log.warning("could not tell %s about the error", user)


def after_ack(deps, body: dict, client, work: Callable[[], None]) -> None:
    """Run ``work`` on the listener executor once the listener has acknowledged."""

    def job() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - handed to the one error reporter
            report(exc, body, client)

    deps.executor.submit(job)


def register(app: App, deps) -> None:
    @app.error
    def handle_error(error, body, client):
        report(error, body, client)
