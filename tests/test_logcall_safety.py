"""Validation in the modal, duplicate submissions, do-not-call, escaping, isolation."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Call, FollowUp, Prospect, Rep
from bot.domain.cadence import Touch
from bot.domain.model import Channel, DoNotCallError
from bot.services.cadences import load_cadence_book
from bot.services.scheduling import schedule
from tests.logcall_helpers import (
    form_values,
    log_call,
    message_text,
    open_modal,
    second_workspace,
    submit,
)


def _count(session_factory, model):
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("fields", "block", "words"),
    [
        ({"name": ""}, "new_name", "Pick a prospect"),
        ({"name": "Pat", "email": "pat-at-example"}, "new_email", "email address"),
        ({"name": "Pat", "tz": "Mars/Olympus"}, "new_tz:America/New_York", "Unknown time zone"),
        ({"name": "Pat", "tz": "localtime"}, "new_tz:America/New_York", "Unknown time zone"),
        ({"name": "Pat", "next_date": "2026-11-24"}, "next_date", "past"),
        ({"name": "Pat", "next_date": "2027-12-01"}, "next_date", "within the next year"),
        ({"name": "Pat", "outcome": None}, "outcome", "how the call went"),
        ({"name": "Pat", "pain_point": "x" * 501}, "pain_point", "under 500"),
        ({"name": "P" * 121}, "new_name", "under 120"),
        ({"name": "\u200b\u200b"}, "new_name", "no visible letters"),
        ({"name": "\u2060\u200d \u3164"}, "new_name", "no visible letters"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(slack, fake_slack, session_factory,
                                                         fields, block, words):
    view = open_modal(slack, fake_slack)
    fields.setdefault("outcome", "connected")
    response = submit(slack, view, **fields)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert words in answer["errors"][block]
    assert _count(session_factory, Call) == 0 and _count(session_factory, Prospect) == 0
    assert fake_slack.calls_to("chat.postMessage") == []


def test_prospect_from_another_team_is_refused_in_the_modal(slack, fake_slack, session_factory,
                                                            start_bot):
    two = second_workspace(start_bot, fake_slack)  # another deployment, the same database
    fake_slack.add_user("U0100", team_id="T0002", tz="UTC")
    log_call(two, fake_slack, user_id="U0100", name="Secret Sam")
    with session_factory() as session:
        other_id = session.scalar(select(Prospect.id))
    view = open_modal(slack, fake_slack)
    answer = submit(slack, view, prospect_id=other_id).json()
    assert answer["response_action"] == "errors" and "prospect" in answer["errors"]
    assert _count(session_factory, Call) == 1


def test_a_submission_that_arrives_twice_is_stored_once(slack, fake_slack, session_factory):
    view = open_modal(slack, fake_slack)
    values = form_values(view, name="Pat", outcome="no_answer", call_type="post_voicemail")
    answers = []

    def send():
        answers.append(slack.view_submission("logcall", values, view_id=view["id"]))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200, 200]
    slack.view_submission("logcall", values, view_id=view["id"])  # a late retry too
    fake_slack.wait_for("chat.postMessage")
    assert _count(session_factory, Call) == 1
    assert _count(session_factory, Prospect) == 1
    assert _count(session_factory, FollowUp) == 1
    assert len(fake_slack.messages_to("U0001")) == 1


def test_do_not_call_cancels_everything_and_blocks_rescheduling(slack, fake_slack,
                                                                session_factory):
    log_call(slack, fake_slack, name="Pat", outcome="no_answer", call_type="post_voicemail")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    _, dm = log_call(slack, fake_slack, prospect_id=prospect_id, outcome="do_not_call")
    assert "do-not-call" in message_text(dm)
    with session_factory() as session:
        assert {f.status for f in session.scalars(select(FollowUp))} == {"cancelled"}
    # A later "connected" log (a rep who did not notice) still schedules nothing.
    log_call(slack, fake_slack, prospect_id=prospect_id, outcome="connected",
             next_date="2026-12-01")
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(FollowUp).where(
            FollowUp.status == "pending")) == 0
        prospect = session.get(Prospect, prospect_id)
        assert prospect.do_not_call and prospect.status == "do_not_call"
        # The service itself refuses, whatever the caller.
        with pytest.raises(DoNotCallError):
            schedule(session, load_cadence_book(Settings()), prospect,
                     session.get(Rep, prospect.owner_rep_id),
                     Touch(date(2026, 12, 2), Channel.EMAIL, "x", 0),
                     datetime(2026, 12, 1, tzinfo=UTC), call_id=None, key="manual")


def test_mention_syntax_in_user_text_is_escaped(slack, fake_slack):
    _, dm = log_call(slack, fake_slack, name="<!channel> & co", company="<@U0002>",
                     outcome="connected", pain_point="<https://evil.example|click>")
    text = message_text(dm)
    assert "<!channel>" not in text and "<@U0002>" not in text and "<https" not in text
    assert "&lt;!channel&gt; &amp; co" in text
    assert "&lt;https://evil.example|click&gt;" in text
