"""Who the bot listens to: only signed requests, only from its own workspace.

Driven the way Slack drives the app: raw and signed requests over HTTP to the running bot,
which talks to the Slack stand-in; the assertions read what the stand-in received and what
the database holds.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import requests
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db.models import Call, FollowUp, Prospect, Rep, Team
from bot.slack import ids
from bot.slack.trust import REFUSAL, SlackAuthError, Workspace, learn_workspace
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.logcall_helpers import form_values, log_call, open_modal
from tests.slack_requests import SlackSender

OTHER = "T0999"  # another workspace
CONNECT = "T0777"  # another organisation, meeting ours in a Slack Connect channel


def _slash_body(user: str = "U0001") -> bytes:
    return urlencode({"command": "/logcall", "text": "", "user_id": user, "team_id": TEAM,
                      "channel_id": "C0001", "trigger_id": "1.2.3",
                      "response_url": "http://127.0.0.1:9/r"}).encode()


def _post(slack, body: bytes, headers: dict) -> requests.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    return requests.post(slack.app_url, data=body, headers=headers, timeout=10)


def _spoken(fake_slack) -> list[str]:
    """Every Web API method the bot called, except the auth.test it makes at start."""
    return [c.method for c in fake_slack.calls if c.method != "auth.test"]


def _rows(session_factory, *models) -> int:
    with session_factory() as session:
        return sum(session.scalar(select(func.count()).select_from(m)) for m in models)


# -- 1. Unsigned or malformed requests: 401, and the bot says nothing to anyone

def _cases(slack):
    now = str(int(time.time()))
    body = _slash_body()
    other = slack.__class__(slack.app_url, "not-the-secret")
    return {
        "letters for a timestamp, signed": {"X-Slack-Request-Timestamp": "x",
                                            "X-Slack-Signature": slack.sign(body, "x")},
        "nan timestamp, no signature": {"X-Slack-Request-Timestamp": "nan"},
        "5,000-digit timestamp, signed": {"X-Slack-Request-Timestamp": "9" * 5000,
                                          "X-Slack-Signature": slack.sign(body, "9" * 5000)},
        "negative timestamp": {"X-Slack-Request-Timestamp": "-1",
                               "X-Slack-Signature": slack.sign(body, "-1")},
        "no timestamp": {"X-Slack-Signature": slack.sign(body, now)},
        "no headers at all": {},
        "no signature": {"X-Slack-Request-Timestamp": now},
        "garbage signature": {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=zz"},
        "wrong secret": {"X-Slack-Request-Timestamp": now,
                         "X-Slack-Signature": other.sign(body, now)},
        "six minutes old": {"X-Slack-Request-Timestamp": str(int(now) - 360),
                            "X-Slack-Signature": slack.sign(body, int(now) - 360)},
    }


CASES = ["letters for a timestamp, signed", "nan timestamp, no signature",
         "5,000-digit timestamp, signed", "negative timestamp", "no timestamp",
         "no headers at all", "no signature", "garbage signature", "wrong secret",
         "six minutes old"]


@pytest.mark.parametrize("case", CASES)
def test_unsigned_or_malformed_request_gets_401_and_silence(case, slack, fake_slack,
                                                            running_bot, session_factory):
    response = _post(slack, _slash_body(), _cases(slack)[case])
    running_bot[1].deps.executor.shutdown(wait=True)  # any work it queued has finished
    assert response.status_code == 401, response.text
    assert _spoken(fake_slack) == []
    assert _rows(session_factory, Team, Rep) == 0


def test_error_reporter_never_speaks_for_an_unverified_request(running_bot, fake_slack):
    """Behind the web layer's header check: even if a malformed request reaches Bolt and
    its signature check fails with an error, the error reporter tells no one."""
    app = running_bot[1]
    body = _slash_body().decode()
    response = app.dispatch(BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": "nan", "x-slack-signature": "v0=" + "0" * 64}))
    app.deps.executor.shutdown(wait=True)
    assert response.status >= 400
    assert _spoken(fake_slack) == []


def test_signed_request_still_works_after_refusals(slack, fake_slack):
    assert _post(slack, _slash_body(), {"X-Slack-Request-Timestamp": "x"}).status_code == 401
    assert slack.slash("/logcall").status_code == 200
    fake_slack.wait_for("views.open")


# -- 3. One deployment serves one workspace: the one its token belongs to

def _nothing_stored(session_factory) -> bool:
    return _rows(session_factory, Team, Rep, Prospect, Call, FollowUp) == 0


def test_slash_command_from_another_workspace_is_refused(slack, fake_slack, running_bot,
                                                         session_factory):
    response = slack.slash("/logcall", "Dana", team_id=OTHER)
    running_bot[1].deps.executor.shutdown(wait=True)
    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": REFUSAL}
    assert _spoken(fake_slack) == []
    assert _nothing_stored(session_factory)


def test_button_from_another_workspace_gets_an_ephemeral_note(slack, fake_slack, running_bot,
                                                              session_factory):
    response = slack.block_action(ids.HOME_LOG_CALL, team_id=OTHER, channel_id="D0001")
    assert response.status_code == 200 and response.text == ""
    note = fake_slack.wait_for("response_url")[0].params
    running_bot[1].deps.executor.shutdown(wait=True)
    assert note["text"] == REFUSAL and note["response_type"] == "ephemeral"
    assert note["replace_original"] is False
    assert _spoken(fake_slack) == ["response_url"]
    assert _nothing_stored(session_factory)


def _connect_submission(slack, view: dict, values: dict) -> requests.Response:
    """A view submission by a member of another organisation in a Slack Connect channel:
    the app's own team installed the view, the user's home team is theirs."""
    payload = {
        "type": "view_submission", "team": {"id": TEAM, "domain": "test-team"},
        "user": {"id": "U0003", "username": "carl", "name": "carl", "team_id": CONNECT},
        "api_app_id": "A0001", "token": "t", "trigger_id": "1.2.3", "response_urls": [],
        "view": {**view, "app_installed_team_id": TEAM, "callback_id": ids.LOGCALL_CALLBACK,
                 "state": {"values": {b: {"value": v} if not isinstance(v, dict) else v
                                      for b, v in values.items()}}},
    }
    return slack._form({"payload": json.dumps(payload)})


def test_slack_connect_user_cannot_submit_a_log(slack, fake_slack, running_bot,
                                                session_factory):
    view = open_modal(slack, fake_slack)
    fake_slack.wait_for("users.info")  # the modal's own follow-up work (a new rep's zone)
    before = _spoken(fake_slack)
    values = form_values(view, name="Dana", company="Acme", outcome="connected")
    values = {block: next(iter(actions.values())) for block, actions in values.items()}
    response = _connect_submission(slack, view, values)
    running_bot[1].deps.executor.shutdown(wait=True)
    answer = response.json()
    assert answer["response_action"] == "update"
    assert REFUSAL in json.dumps(answer["view"])
    assert _spoken(fake_slack) == before
    assert _rows(session_factory, Prospect, Call, FollowUp) == 0
    with session_factory() as session:
        assert session.scalar(select(Rep).where(Rep.slack_user_id == "U0003")) is None


def test_slack_connect_user_sees_no_prospects(slack, fake_slack):
    log_call(slack, fake_slack, name="Dana Whitfield", company="Acme")
    ours = slack.options("prospect", "dana").json()["options"]
    assert len(ours) == 1  # the search works for our own members
    payload = {
        "type": "block_suggestion", "team": {"id": TEAM, "domain": "test-team"},
        "user": {"id": "U0003", "team_id": CONNECT}, "api_app_id": "A0001",
        "action_id": ids.PROSPECT, "block_id": ids.PROSPECT, "value": "dana",
        "view": {"id": "V1", "type": "modal", "callback_id": ids.LOGCALL_CALLBACK,
                 "app_installed_team_id": TEAM, "private_metadata": ""},
    }
    response = slack._form({"payload": json.dumps(payload)})
    assert response.json() == {"options": []}


def test_event_from_another_workspace_is_ignored(slack, fake_slack, running_bot,
                                                 session_factory):
    response = slack.event({"type": "app_home_opened", "user": "U0001", "tab": "home",
                            "channel": "D0001"}, team_id=OTHER)
    running_bot[1].deps.executor.shutdown(wait=True)
    assert response.status_code == 200
    assert fake_slack.calls_to("views.publish") == []
    assert _nothing_stored(session_factory)


def test_event_from_a_slack_connect_user_is_ignored(slack, fake_slack, running_bot,
                                                    session_factory):
    response = slack.event({"type": "app_home_opened", "user": "U0003", "tab": "home",
                            "channel": "D0003", "user_team": CONNECT})
    running_bot[1].deps.executor.shutdown(wait=True)
    assert response.status_code == 200
    assert fake_slack.calls_to("views.publish") == []
    assert _nothing_stored(session_factory)


def test_the_token_decides_which_workspace_is_served(start_bot, fake_slack, session_factory):
    """Same code and database, another token: that deployment serves the other workspace,
    and its data is stored under that team."""
    fake_slack.add_token("xoxb-other-token", team_id=OTHER)
    url, _ = start_bot(slack_bot_token="xoxb-other-token")
    theirs = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=OTHER)
    log_call(theirs, fake_slack, name="Dana Theirs", company="Acme")
    assert theirs.slash("/logcall", team_id=TEAM).json()["text"] == REFUSAL
    with session_factory() as session:
        assert session.scalars(select(Prospect.team_id)).all() == [OTHER]


# -- 4. The token is checked at start; a refused token is final, an outage is waited out

def _client(fake_slack, token: str = BOT_TOKEN) -> WebClient:
    return WebClient(token=token, base_url=fake_slack.url, retry_handlers=[])


def test_learn_workspace_names_the_team_of_the_token(fake_slack):
    assert learn_workspace(_client(fake_slack)) == Workspace(
        team_id=TEAM, enterprise_id=None, name="Test Team", bot_user_id="UBOT")


def test_learn_workspace_retries_an_outage_with_backoff(fake_slack):
    fake_slack.fail("auth.test", status=503, times=2)
    waits: list[float] = []
    workspace = learn_workspace(_client(fake_slack), sleep=waits.append)
    assert workspace.team_id == TEAM
    assert waits == [1.0, 2.0]
    assert [c.status for c in fake_slack.calls_to("auth.test")] == [503, 503, 200]


def test_learn_workspace_gives_up_when_slack_stays_unreachable(fake_slack):
    waits: list[float] = []
    closed = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    with pytest.raises(SlackAuthError, match="SLACK_BOT_TOKEN.*after 3 attempts"):
        learn_workspace(closed, attempts=3, sleep=waits.append)
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive",
                                   "not_authed"])
def test_learn_workspace_does_not_retry_a_refused_token(fake_slack, error):
    fake_slack.fail("auth.test", error=error)
    waits: list[float] = []
    with pytest.raises(SlackAuthError, match=f"SLACK_BOT_TOKEN.*'{error}'"):
        learn_workspace(_client(fake_slack), sleep=waits.append)
    assert waits == [] and len(fake_slack.calls_to("auth.test")) == 1
