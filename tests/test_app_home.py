"""App Home: the rep's own overdue, today and next 7 days; the Log a call button."""

import json
import time
from datetime import date, timedelta
from datetime import time as dt_time
from urllib.parse import urlencode

from sqlalchemy import select

from bot.db.models import Rep
from bot.services.prospects import HomeData, UpcomingTouch
from bot.services.rep_settings import RepSettings
from bot.services.reps import save_rep_profile
from bot.slack.home import build_home
from tests.conftest import TEAM
from tests.logcall_helpers import log_call, message_text, second_workspace
from tests.slack_double import validate_view


def _home_text(fake, user="U0001"):
    return message_text(fake.home_views[user])


def _open_home(slack, fake, user="U0001", team_id=None):
    before = len(fake.calls_to("views.publish"))
    assert slack.event({"type": "app_home_opened", "user": user, "tab": "home"},
                       team_id=team_id).status_code == 200
    fake.wait_for("views.publish", before + 1)


def test_home_lists_overdue_today_and_next_week(slack, fake_slack, clock):
    log_call(slack, fake_slack, name="Olive Overdue", company="Oldco", outcome="no_answer",
             call_type="post_voicemail")  # due Thu 26 Nov
    clock.set(clock.now + timedelta(days=2))  # Fri 27 Nov: Olive is overdue
    log_call(slack, fake_slack, name="Tina Today", outcome="not_now")  # 60 days out
    clock.set(clock.now + timedelta(days=4))  # Tue 1 Dec
    log_call(slack, fake_slack, name="Ned Next", company="Newco", outcome="no_answer",
             call_type="post_voicemail")  # due Wed 2 Dec
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    text = _home_text(fake_slack)
    overdue = text.index("Overdue")
    upcoming = text.index("Next 7 days")
    assert overdue < text.index("Olive Overdue") < text.index("Today")
    assert upcoming < text.index("Ned Next")
    assert "Newco" in text and "Wed 2 Dec" in text
    assert "Tina Today" not in text  # 60 days away is not in the next 7
    buttons = [e for b in home["blocks"] for e in b.get("elements", [])
               if e.get("type") == "button"]
    assert [b["action_id"] for b in buttons] == ["home_log_call", "home_import"]


def test_home_button_opens_the_same_modal(slack, fake_slack):
    response = slack.block_action("home_log_call", user_id="U0001")
    assert response.status_code == 200
    view = fake_slack.wait_for("views.open")[0].response["view"]
    assert view["callback_id"] == "logcall"


def test_home_shows_only_the_reps_own_follow_ups(slack, fake_slack):
    log_call(slack, fake_slack, name="Mine", outcome="no_answer", call_type="post_voicemail")
    log_call(slack, fake_slack, user_id="U0002", name="Bobs Prospect", outcome="no_answer",
             call_type="post_voicemail")
    _open_home(slack, fake_slack, "U0001")
    assert "Mine" in _home_text(fake_slack) and "Bobs Prospect" not in _home_text(fake_slack)
    _open_home(slack, fake_slack, "U0002")
    assert "Bobs Prospect" in _home_text(fake_slack, "U0002")
    assert "Mine" not in _home_text(fake_slack, "U0002")


def test_prospect_search_sees_only_the_own_team(slack, fake_slack, start_bot):
    two = second_workspace(start_bot, fake_slack)
    fake_slack.add_user("U0100", team_id="T0002", tz="UTC")
    log_call(slack, fake_slack, name="Dana Ours", company="Acme")
    log_call(two, fake_slack, user_id="U0100", name="Dana Theirs", company="Acme")
    answer = slack.options("prospect", "dana", user_id="U0001").json()
    assert [o["text"]["text"] for o in answer["options"]] == ["Dana Ours · Acme"]
    answer = two.options("prospect", "acme", user_id="U0100").json()
    assert [o["text"]["text"] for o in answer["options"]] == ["Dana Theirs · Acme"]


def test_a_user_in_two_teams_is_two_reps(slack, fake_slack, start_bot):
    two = second_workspace(start_bot, fake_slack)
    log_call(slack, fake_slack, name="Team One Prospect", outcome="no_answer",
             call_type="post_voicemail")
    _open_home(two, fake_slack, "U0001")
    assert "Team One Prospect" not in _home_text(fake_slack)


# -- The morning due list: settings on the home tab that save as soon as they change

def _rep(session_factory, user="U0001", team=TEAM):
    with session_factory() as session:
        return session.scalar(select(Rep).where(Rep.team_id == team, Rep.slack_user_id == user))


def _make_rep(session_factory, user="U0001", team=TEAM, tz="America/New_York"):
    save_rep_profile(session_factory, team, user, tz, f"Rep {user}")


def _element(home: dict, action_id: str) -> dict:
    for block in home["blocks"]:
        for element in [block.get("accessory"), *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} on the home tab")


def _home_action(slack, fake, action: dict, *, user="U0001", team_id=TEAM) -> dict:
    """A change on the home tab, sent the way Slack sends it; returns the re-published home."""
    before = len(fake.calls_to("views.publish"))
    view = fake.home_views.get(user) or {"id": "VHOME", "type": "home", "blocks": []}
    payload = {
        "type": "block_actions", "team": {"id": team_id, "domain": "test-team"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": "A0001", "token": "verification-token", "is_enterprise_install": False,
        "enterprise": None, "trigger_id": fake.new_trigger_id(),
        "container": {"type": "view", "view_id": view["id"]},
        "view": {**view, "state": {"values": {}}},
        "actions": [{"action_ts": f"{time.time():.6f}", **action}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = slack.send(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    fake.wait_for("views.publish", before + 1)
    return fake.home_views[user]


def _pick_time(slack, fake, hhmm: str, **kw) -> dict:
    return _home_action(slack, fake, {"type": "timepicker", "block_id": "digest_time",
                                      "action_id": "home_digest_time", "selected_time": hhmm,
                                      "initial_time": "08:30"}, **kw)


def _pick_days(slack, fake, days: str, **kw) -> dict:
    options = [{"text": {"type": "plain_text", "text": d}, "value": d} for d in days]
    return _home_action(slack, fake, {"type": "checkboxes", "block_id": "digest_days",
                                      "action_id": "home_digest_days",
                                      "selected_options": options}, **kw)


def _click_toggle(slack, fake, home: dict, **kw) -> dict:
    button = _element(home, "home_digest_toggle")
    return _home_action(slack, fake, {**button, "block_id": "digest_summary"}, **kw)


def _days_shown(home: dict) -> list[str]:
    return [o["value"] for o in _element(home, "home_digest_days").get("initial_options", [])]


def test_home_shows_the_morning_due_list_settings(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    text = _home_text(fake_slack)
    assert text.index("Next 7 days") < text.index("Morning due list")
    assert "Weekdays Mon-Fri at 8:30 am, your time (America/New_York)" in text
    assert _element(home, "home_digest_time")["initial_time"] == "08:30"
    days = _element(home, "home_digest_days")
    assert [o["value"] for o in days["options"]] == list("1234567")
    assert _days_shown(home) == list("12345")
    assert _element(home, "home_digest_toggle")["text"]["text"] == "Turn off morning DM"
    assert "Pick at least one working day" not in text


def test_changing_the_time_saves_it_and_republishes(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    home = _pick_time(slack, fake_slack, "09:15")
    assert _rep(session_factory).workday_start == dt_time(9, 15)
    assert _element(home, "home_digest_time")["initial_time"] == "09:15"
    assert "Weekdays Mon-Fri at 9:15 am, your time (America/New_York)" in message_text(home)


def test_changing_the_days_saves_them_and_republishes(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    home = _pick_days(slack, fake_slack, "531")
    assert _rep(session_factory).working_days == "135"
    assert _days_shown(home) == ["1", "3", "5"]
    assert "Mon, Wed, Fri at 8:30 am, your time" in message_text(home)
    home = _pick_days(slack, fake_slack, "1234567")
    assert _rep(session_factory).working_days == "1234567"
    assert "Every day at 8:30 am" in message_text(home)


def test_no_working_day_saves_nothing_and_says_why(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    _pick_days(slack, fake_slack, "24")
    home = _pick_days(slack, fake_slack, "")
    assert _rep(session_factory).working_days == "24"
    notes = [b for b in home["blocks"] if b["type"] == "context"
             and "Pick at least one working day" in b["elements"][0]["text"]]
    assert len(notes) == 1
    assert "Tue, Thu at 8:30 am" in message_text(home)
    home = _pick_days(slack, fake_slack, "2")  # the note goes once a day is picked
    assert "Pick at least one working day" not in message_text(home)


def test_the_toggle_turns_the_morning_dm_off_and_on(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    _open_home(slack, fake_slack)
    home = _click_toggle(slack, fake_slack, fake_slack.home_views["U0001"])
    assert _rep(session_factory).digest_enabled is False
    assert "*:sunrise: Morning due list*\nOff" in message_text(home)
    assert _element(home, "home_digest_toggle")["text"]["text"] == "Turn on morning DM"
    home = _click_toggle(slack, fake_slack, home)
    assert _rep(session_factory).digest_enabled is True
    assert "Weekdays Mon-Fri at 8:30 am" in message_text(home)
    # The button carries the state it sets: a stale second click changes nothing.
    _click_toggle(slack, fake_slack, home)
    _click_toggle(slack, fake_slack, home)
    assert _rep(session_factory).digest_enabled is False


def test_a_new_user_becomes_a_rep_with_their_slack_zone(slack, fake_slack, session_factory):
    _open_home(slack, fake_slack, "U0002")
    assert "Weekdays Mon-Fri at 8:30 am, your time\n" in _home_text(fake_slack, "U0002") + "\n"
    assert _rep(session_factory, "U0002") is None  # looking creates nothing
    _pick_days(slack, fake_slack, "", user="U0002")
    assert _rep(session_factory, "U0002") is None  # nor does a rejected change
    home = _pick_days(slack, fake_slack, "24", user="U0002")
    rep = _rep(session_factory, "U0002")
    assert (rep.tz, rep.name, rep.working_days) == ("Europe/Berlin", "Bob Rep", "24")
    assert "Tue, Thu at 8:30 am, your time (Europe/Berlin)" in message_text(home)


def test_settings_belong_to_the_team_they_were_changed_in(slack, fake_slack, session_factory,
                                                         start_bot):
    two = second_workspace(start_bot, fake_slack)
    _make_rep(session_factory)
    _pick_time(two, fake_slack, "07:00", team_id="T0002")
    assert _rep(session_factory).workday_start == dt_time(8, 30)
    assert _rep(session_factory, team="T0002").workday_start == dt_time(7, 0)


def _touch(i: int, due: date) -> UpcomingTouch:
    return UpcomingTouch(i, "<&>" * 40, "&" * 120, "&" * 255, "call", due, 1)


def test_a_full_home_stays_a_valid_home_tab():
    today = date(2026, 11, 25)
    data = HomeData(today, [_touch(i, today - timedelta(days=1)) for i in range(60)],
                    [_touch(i, today) for i in range(60)],
                    [_touch(i, today + timedelta(days=1)) for i in range(60)])
    settings = RepSettings("America/New_York", dt_time(8, 30), "12345", True)
    view = build_home(data, settings, digest_note="Pick at least one working day").to_dict()
    assert validate_view(view, expected_type="home") == []
    assert len(view["blocks"]) < 100
    text = message_text(view)
    assert "Morning due list" in text and "Pick at least one working day" in text
    assert text.count("more.") == 3  # every bucket says what it left out
