"""The team's holiday country on App Home, end to end: everyone sees it; only a workspace
admin or owner (users.info, asked on every change) can change it; tampered values and
unknown countries change nothing and say so."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import Rep, Team
from bot.services.team_settings import holiday_country, set_holiday_country
from tests.conftest import SIGNING_SECRET, TEAM
from tests.logcall_helpers import message_text
from tests.slack_requests import SlackSender
from tests.test_app_home import _home_action, _open_home

NOT_ADMIN = "Only a workspace admin or owner can change the team's holiday country"


@pytest.fixture
def admin(fake_slack):
    fake_slack.add_user("U0001", tz="America/New_York", real_name="Rita Rep", is_admin=True)
    return "U0001"


def _type(slack, fake, value: object, *, user="U0001", **kw) -> dict:
    """Enter pressed in the holiday country input (Slack sends its value)."""
    action = {"type": "plain_text_input", "block_id": "holiday_country:",
              "action_id": "home_holiday_country"}
    if value is not ...:
        action["value"] = value
    return _home_action(slack, fake, action, user=user, **kw)


def _clear(slack, fake, *, user="U0001") -> dict:
    return _home_action(slack, fake, {"type": "button", "block_id": "holiday_actions",
                                      "action_id": "home_holiday_clear", "value": "clear",
                                      "text": {"type": "plain_text", "text": "Clear"}},
                        user=user)


def _element(home: dict, action_id: str) -> dict:
    """The element with ``action_id``: an accessory, in an actions block, or an input's."""
    for block in home["blocks"]:
        for element in [block.get("accessory"), block.get("element"),
                        *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} on the home tab")


def _has(home: dict, action_id: str) -> bool:
    try:
        _element(home, action_id)
    except AssertionError:
        return False
    return True


def _reps(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Rep))


def test_everyone_sees_the_holiday_country_read_only(slack, fake_slack, session_factory):
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    assert "*:palm_tree: Team holidays*\nHolidays: none" in message_text(home)
    assert not _has(home, "home_holiday_country") and not _has(home, "home_holiday_clear")
    set_holiday_country(session_factory, TEAM, "US")
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    assert "Holidays: United States (US)" in message_text(home)
    assert not _has(home, "home_holiday_country") and not _has(home, "home_holiday_clear")


def test_the_bots_default_shows_while_the_team_has_none(start_bot, fake_slack):
    url, _ = start_bot(holiday_country="DE")
    slack = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    _open_home(slack, fake_slack)
    assert "Holidays: Germany (DE) (the bot's default)" in message_text(
        fake_slack.home_views["U0001"])


def test_an_admin_sets_it_with_a_code_or_a_name(slack, fake_slack, session_factory, admin):
    _open_home(slack, fake_slack)
    field = _element(fake_slack.home_views["U0001"], "home_holiday_country")
    assert field["dispatch_action_config"] == {"trigger_actions_on": ["on_enter_pressed"]}
    assert field["max_length"] == 64 and "initial_value" not in field
    home = _type(slack, fake_slack, " gb-sct ")
    assert holiday_country(session_factory, TEAM) == "GB-SCT"
    assert "Holidays: United Kingdom, Scotland (GB-SCT)" in message_text(home)
    assert _element(home, "home_holiday_country")["initial_value"] == "GB-SCT"
    assert "holiday_country:GB-SCT" in [b.get("block_id") for b in home["blocks"]]
    home = _type(slack, fake_slack, "United Arab Emirates")
    assert holiday_country(session_factory, TEAM) == "AE"
    assert "Holidays: United Arab Emirates (AE)" in message_text(home)
    assert _element(home, "home_holiday_clear")["text"]["text"] == "Clear: no holidays"
    assert _reps(session_factory) == 0  # a team setting makes nobody a rep


def test_an_owner_may_change_it_too(slack, fake_slack, session_factory):
    fake_slack.add_user("U0002", tz="Europe/Berlin", is_owner=True)
    _type(slack, fake_slack, "DE", user="U0002")
    assert holiday_country(session_factory, TEAM) == "DE"


def test_an_unknown_country_saves_nothing_and_says_why(slack, fake_slack, session_factory,
                                                       admin):
    _type(slack, fake_slack, "US")
    for typed in ("Narnia", "GB-XYZ", "<!channel>" * 10):
        home = _type(slack, fake_slack, typed)
        assert holiday_country(session_factory, TEAM) == "US"
        assert "I don't know the country" in message_text(home)
        assert "Nothing was saved" in message_text(home)
    assert "<!channel>" not in message_text(home)  # what they typed comes back escaped
    assert "&lt;!channel&gt;" in message_text(home)


@pytest.mark.parametrize("empty", ["", None, ...])
def test_empty_clears_it_then_the_default_applies(start_bot, fake_slack, session_factory,
                                                  admin, empty):
    url, _ = start_bot(holiday_country="US")
    slack = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    home = _type(slack, fake_slack, "DE")
    assert _element(home, "home_holiday_clear")["text"]["text"] == "Clear: use the bot's default"
    home = _type(slack, fake_slack, empty)
    assert holiday_country(session_factory, TEAM) is None
    assert "Holidays: United States (US) (the bot's default)" in message_text(home)
    assert not _has(home, "home_holiday_clear")


def test_the_clear_button_clears_it(slack, fake_slack, session_factory, admin):
    home = _type(slack, fake_slack, "DE")
    home = _home_action(slack, fake_slack, {**_element(home, "home_holiday_clear"),
                                            "block_id": "holiday_actions"})
    assert holiday_country(session_factory, TEAM) is None
    assert "Holidays: none" in message_text(home)


def test_a_non_admin_who_sends_a_change_anyway_changes_nothing(slack, fake_slack,
                                                               session_factory):
    """U0001 is no admin: the tab offered no input, but a request can carry one."""
    set_holiday_country(session_factory, TEAM, "US")
    home = _type(slack, fake_slack, "DE")
    assert NOT_ADMIN in message_text(home)
    home = _clear(slack, fake_slack)
    assert NOT_ADMIN in message_text(home)
    assert holiday_country(session_factory, TEAM) == "US"
    assert not _has(home, "home_holiday_country")


def test_admin_rights_are_asked_on_every_change(slack, fake_slack, session_factory, admin):
    _open_home(slack, fake_slack)
    assert _has(fake_slack.home_views["U0001"], "home_holiday_country")
    fake_slack.add_user("U0001", tz="America/New_York", real_name="Rita Rep")  # demoted
    home = _type(slack, fake_slack, "DE")
    assert NOT_ADMIN in message_text(home) and holiday_country(session_factory, TEAM) is None
    assert not _has(home, "home_holiday_country")


def test_when_slack_will_not_say_nothing_is_changed(slack, fake_slack, session_factory, admin):
    fake_slack.fail("users.info", error="fatal_error", times=5)
    home = _type(slack, fake_slack, "DE")
    assert NOT_ADMIN in message_text(home) and holiday_country(session_factory, TEAM) is None


@pytest.mark.parametrize("tampered", [5, {"code": "DE"}, ["DE"], True])
def test_a_value_the_input_never_sends_changes_nothing(slack, fake_slack, session_factory,
                                                       admin, tampered):
    set_holiday_country(session_factory, TEAM, "US")
    home = _type(slack, fake_slack, tampered)
    assert "That change wasn't one I offered" in message_text(home)
    assert holiday_country(session_factory, TEAM) == "US"


def test_the_holiday_country_belongs_to_the_team_it_was_set_in(slack, fake_slack,
                                                               session_factory, admin):
    _type(slack, fake_slack, "DE")
    with session_factory() as session:
        assert session.scalars(select(Team.id).where(Team.holiday_country == "DE")).all() == [
            TEAM]
