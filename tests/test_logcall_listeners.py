"""/logcall's listeners are module-level functions a test can import and call with Bolt's
arguments; they reach the app's dependencies through the context. And a new rep's zone
is asked of Slack once, after the form is open."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.db.models import Call
from bot.domain.model import CallType, Outcome
from bot.services.calls import LogCall, NewProspect, log_call
from bot.slack.logcall import logcall_submitted, prospect_options
from tests.conftest import SIGNING_SECRET, TEAM
from tests.logcall_helpers import block_ids, open_modal, submit
from tests.slack_requests import SlackSender

WED = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


class Acks:
    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)


@pytest.fixture
def context(running_bot):
    return {"deps": running_bot[1].deps, "team_id": "T0001", "user_id": "U0001"}


def test_the_prospect_search_is_a_module_level_listener(context, session_factory):
    book = context["deps"].cadences
    log_call(session_factory, LogCall("T0001", "U0001", "America/New_York",
                                      CallType.COLD_CALL, Outcome.CONNECTED, "k",
                                      new_prospect=NewProspect("Pat Lee", "Initech")),
             book, WED)
    ack = Acks()
    prospect_options(ack=ack, body={"value": "initech"}, context=context)
    [answer] = ack.calls
    assert [o["text"]["text"] for o in answer["options"]] == ["Pat Lee · Initech"]


def test_the_submission_listener_answers_field_errors_and_logs_nothing(context,
                                                                      session_factory):
    ack = Acks()
    view = {"id": "V1", "state": {"values": {}}, "private_metadata": ""}
    logcall_submitted(ack=ack, body={"type": "view_submission"}, context=context,
                      client=None, view=view)
    [answer] = ack.calls
    assert answer["response_action"] == "errors"
    assert {"new_name", "outcome"} <= set(answer["errors"])
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_a_listener_without_the_apps_deps_says_how_to_build_the_app():
    with pytest.raises(LookupError, match="build_app"):
        prospect_options(ack=Acks(), body={"value": "x"}, context={"team_id": "T0001"})


def test_a_new_rep_in_the_default_zone_is_asked_once_and_the_form_stays(slack, fake_slack,
                                                                        running_bot):
    fake_slack.add_user("U0009", tz="America/New_York")  # DEFAULT_TIMEZONE in the tests
    view = open_modal(slack, fake_slack, user_id="U0009")
    assert "new_tz:America/New_York" in block_ids(view)
    running_bot[1].deps.executor.shutdown(wait=True)  # the work after the ack is done
    assert len(fake_slack.calls_to("users.info")) == 1
    assert fake_slack.calls_to("views.update") == []


def test_acks_never_wait_for_work_after_earlier_acks(start_bot, fake_slack):
    """Work after ack() has threads of its own: with every one of them busy (and more
    queued), /logcall is still acknowledged at once, and its modal opens once they free."""
    url, app = start_bot(listener_threads=4)
    slack = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    release = threading.Event()
    for _ in range(8):
        app.deps.executor.submit(release.wait, 60)  # 60 s: a hang guard
    try:
        answers = [slack.slash("/logcall", "", user_id="U0001") for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        assert fake_slack.calls_to("views.open") == []  # still queued behind the 8
    finally:
        release.set()
    fake_slack.wait_for("views.open", 3)


def test_the_dm_after_a_log_waits_until_no_request_is_being_answered(running_bot, slack,
                                                                       fake_slack):
    """The modal closes on the ack; the DM, drafts and App Home can wait while another
    request's ack is being worked out (bot.after_ack), then come."""
    deps = running_bot[1].deps
    deps.executor.max_defer = 600  # no deadline within the test
    view = open_modal(slack, fake_slack)
    with deps.requests.answering():  # another request, still being answered
        answer = submit(slack, view, name="Pat Lee", company="Initech", outcome="no_answer")
        assert answer.status_code == 200 and answer.text in ("", "null"), answer.text
        with deps.session_factory() as session:  # logged before the ack
            assert session.scalar(select(func.count()).select_from(Call)) == 1
        with pytest.raises(AssertionError):
            fake_slack.wait_for("chat.postMessage", timeout=0.5)
    fake_slack.wait_for("chat.postMessage")  # a hang guard: it comes now
    fake_slack.wait_for("views.publish")
