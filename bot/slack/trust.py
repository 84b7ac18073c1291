"""Who may talk to the bot: verified requests, from the one workspace its token belongs to.

Two global Bolt middlewares, registered after Bolt's own (signature check, authorization):

- :func:`mark_verified` stamps the context of every request that passed the signature check
  (or came over the authenticated Socket Mode connection). The error reporter only speaks
  to a user when that stamp is present: nothing an unverified body names is ever messaged.
- :func:`one_workspace` refuses, politely and without storing anything, requests from any
  other team or org, including a member of another organisation in a Slack Connect channel.
  The data stays keyed by team, so a multi-workspace install later needs no redesign.

:func:`learn_workspace` asks ``auth.test`` which workspace the token belongs to.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

VERIFIED = "followup_verified"  # context key set by mark_verified
REFUSAL = ("Sorry, this follow-up bot only works for members of the Slack workspace it "
           "is installed in.")
AUTH_HINTS = {
    "invalid_auth": "the token is wrong or was revoked; reinstall the app",
    "not_authed": "no token was sent; set SLACK_BOT_TOKEN",
    "account_inactive": "the app was uninstalled or the workspace is gone",
    "token_revoked": "the token was revoked; reinstall the app",
    "token_expired": "the token expired; reinstall the app",
}
_TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
              "request_timeout"}


@dataclass(frozen=True)
class Workspace:
    """The workspace (and Enterprise Grid org, if any) this deployment serves."""

    team_id: str
    enterprise_id: str | None = None
    name: str | None = None
    bot_user_id: str | None = None


class SlackAuthError(Exception):
    """auth.test failed for good (bad token) or Slack stayed unreachable; for humans."""


def _transient(exc: SlackApiError) -> bool:
    status = getattr(exc.response, "status_code", 200)
    return status >= 500 or status == 429 or exc.response.get("error") in _TRANSIENT


def learn_workspace(client, *, attempts: int = 5, first_wait: float = 1.0,
                    sleep: Callable[[float], None] = time.sleep) -> Workspace:
    """``auth.test``, retried with backoff (1, 2, 4, 8 s) while Slack is unreachable or
    answers 5xx/429; a refused token (invalid_auth, token_revoked, ...) is final at once."""
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            auth = client.auth_test()
            return Workspace(team_id=auth["team_id"], enterprise_id=auth.get("enterprise_id")
                             or None, name=auth.get("team"), bot_user_id=auth.get("user_id"))
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            if not _transient(exc):
                hint = AUTH_HINTS.get(error, "see https://api.slack.com/methods/auth.test")
                raise SlackAuthError(
                    f"Slack refused SLACK_BOT_TOKEN: auth.test said '{error}' ({hint})."
                ) from None
            problem = f"auth.test said '{error}'"
        except OSError as exc:  # connection refused, DNS, timeouts (URLError is an OSError)
            problem = f"cannot reach {client.base_url}: {exc}"
        if attempt == attempts:
            raise SlackAuthError(f"could not check SLACK_BOT_TOKEN with Slack after "
                                 f"{attempts} attempts: {problem}.")
        log.warning("%s; trying again in %.0f s", problem, wait)
        sleep(wait)
        wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def mark_verified(app: App, *, signatures_checked: bool) -> None:
    """Stamp requests that Bolt's signature check let through. Registered after Bolt's
    built-in middleware, so reaching it means the check passed (HTTP) or the request came
    over the authenticated socket (Socket Mode)."""

    def verified(req, context, next):
        if req.mode == "socket_mode" or signatures_checked:
            context[VERIFIED] = True
        return next()

    app.use(verified)


def _named_teams(body: dict, context) -> Iterator[str]:
    """Every team or org id the request names: the installed team, the acting user's home
    team (Slack Connect) and, for events, the actor's and the event user's team."""
    for key in ("team_id", "enterprise_id", "actor_team_id", "actor_enterprise_id"):
        if context.get(key):
            yield context[key]
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        yield user["team_id"]
    event = body.get("event")
    if isinstance(event, dict):
        for key in ("user_team", "team"):
            if isinstance(event.get(key), str) and event[key]:
                yield event[key]
        if isinstance(event.get("user"), dict) and event["user"].get("team_id"):
            yield event["user"]["team_id"]  # user_change


def is_foreign(workspace: Workspace, body: dict, context) -> bool:
    named = list(_named_teams(body, context))
    if not named:
        return True
    ours = {workspace.team_id, workspace.enterprise_id} - {None}
    return any(team not in ours for team in named)


def _refusal(body: dict, context, executor: Executor) -> BoltResponse:
    """What each kind of request gets instead of service."""
    kind = body.get("type")
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": REFUSAL})
    if kind == "view_submission":
        return BoltResponse(status=200, body={"response_action": "update", "view": {
            "type": "modal", "title": {"type": "plain_text", "text": "Not available"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": REFUSAL}}],
        }})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if context.get("response_url"):  # block actions, shortcuts: a note after the ack
        respond = context.respond
        executor.submit(_note, respond)
    return BoltResponse(status=200, body="")


def _note(respond) -> None:
    try:
        respond(text=REFUSAL, response_type="ephemeral", replace_original=False)
    except OSError as exc:
        log.warning("could not tell a foreign user they are refused: %s", exc)


def one_workspace(app: App, workspace: Workspace, executor: Executor) -> None:
    """Serve only ``workspace``: other teams get :data:`REFUSAL` and nothing runs."""

    def only_ours(body, context, next):
        if not is_foreign(workspace, body, context):
            return next()
        log.warning("refused a %s naming teams %s (user %s): this bot serves %s",
                    body.get("type") or body.get("command"),
                    sorted(set(_named_teams(body, context))), context.get("user_id"),
                    workspace.team_id)
        return _refusal(body, context, executor)

    app.use(only_ours)
