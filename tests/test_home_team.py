"""App Home for managers and admins: "Team this week" for managers only; workspace admins
(asked of Slack on every change) add and remove managers; MANAGER_IDS stays as set;
tampered values change nothing and say so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.reports import add_manager, manager_ids
from tests.conftest import SIGNING_SECRET, TEAM
from tests.logcall_helpers import message_text
from tests.report_fixture import seed_week
from tests.slack_requests import SlackSender
from tests.test_app_home import _home_action, _open_home
from tests.test_home_holidays import _has

MONDAY_NOON_NY = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
NOT_ADMIN = "Only a workspace admin or owner can change who gets the team report"


@pytest.fixture
def admin(fake_slack):
    fake_slack.add_user("U0001", tz="America/New_York", real_name="Rita Rep", is_admin=True)
    return "U0001"


def _add(slack, fake, picked: object, *, user="U0001") -> dict:
    action = {"type": "users_select", "block_id": "managers_title",
              "action_id": "home_manager_add"}
    if picked is not ...:
        action["selected_user"] = picked
    return _home_action(slack, fake, action, user=user)


def _remove(slack, fake, value: object, *, user="U0001") -> dict:
    return _home_action(slack, fake, {"type": "button", "block_id": "manager_0",
                                      "action_id": "home_manager_remove:0", "value": value,
                                      "text": {"type": "plain_text", "text": "Remove"}},
                        user=user)


def test_a_manager_sees_the_team_this_week_and_a_rep_does_not(start_bot, fake_slack, clock,
                                                             session_factory):
    seed_week(session_factory)
    fake_slack.add_user("U0ANN", tz="America/New_York")
    url, _ = start_bot(manager_ids=("U0001",))
    slack = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    clock.set(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))  # Saturday of the fixture week
    _open_home(slack, fake_slack)
    text = message_text(fake_slack.home_views["U0001"])
    assert "Team this week* (2026-W48" in text
    assert "*Connect rate per dial:* 5/11, 45% (good: 8-15%)" in text  # not Sunday's yet
    assert "*Look at first*" in text and "<@U0BEN>" in text
    _open_home(slack, fake_slack, user="U0ANN")
    assert "Team this week" not in message_text(fake_slack.home_views["U0ANN"])


def test_an_admin_adds_and_removes_a_manager(admin, slack, fake_slack, session_factory):
    _open_home(slack, fake_slack)
    assert _has(fake_slack.home_views["U0001"], "home_manager_add")
    home = _add(slack, fake_slack, "U0002")
    assert manager_ids(session_factory, _settings(), TEAM) == ["U0002"]
    assert "<@U0002>" in message_text(home) and _has(home, "home_manager_remove:0")
    home = _remove(slack, fake_slack, "U0002")
    assert manager_ids(session_factory, _settings(), TEAM) == []
    assert not _has(home, "home_manager_remove:0")


def test_someone_who_is_not_an_admin_changes_nothing(slack, fake_slack, session_factory):
    _open_home(slack, fake_slack)
    assert not _has(fake_slack.home_views["U0001"], "home_manager_add")
    home = _add(slack, fake_slack, "U0001")  # a crafted request from a plain member
    assert NOT_ADMIN in message_text(home)
    add_manager(session_factory, TEAM, "U0002", "U0009")
    home = _remove(slack, fake_slack, "U0002")
    assert NOT_ADMIN in message_text(home)
    assert manager_ids(session_factory, _settings(), TEAM) == ["U0002"]


@pytest.mark.parametrize("picked", [..., None, 42, ["U0002"], "C0123", "", "x" * 40])
def test_a_tampered_pick_adds_nobody(admin, slack, fake_slack, session_factory, picked):
    home = _add(slack, fake_slack, picked)
    assert "Pick a person from the list" in message_text(home)
    assert manager_ids(session_factory, _settings(), TEAM) == []


def test_managers_from_manager_ids_are_listed_but_not_removed_here(admin, start_bot,
                                                                   fake_slack):
    url, _ = start_bot(manager_ids=("U0777",))
    slack = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    assert "Set by MANAGER_IDS: <@U0777>" in message_text(home)
    assert not _has(home, "home_manager_remove:0")
    home = _remove(slack, fake_slack, "U0777")
    assert "set by MANAGER_IDS" in message_text(home)


def test_removing_someone_who_is_not_a_manager_says_so(admin, slack, fake_slack):
    home = _remove(slack, fake_slack, "U0002")
    assert "not a manager any more" in message_text(home)


def _settings():
    from bot.config import Settings

    return Settings()
