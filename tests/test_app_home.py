"""App Home: the rep's own overdue, today and next 7 days; the Log a call button."""

from datetime import timedelta

from tests.logcall_helpers import log_call, message_text


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
    assert [b["action_id"] for b in buttons] == ["home_log_call"]


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


def test_prospect_search_sees_only_the_own_team(slack, fake_slack):
    fake_slack.add_token("xoxb-test-token", team_id="T0002")
    fake_slack.add_user("U0100", team_id="T0002", tz="UTC")
    log_call(slack, fake_slack, name="Dana Ours", company="Acme")
    log_call(slack, fake_slack, user_id="U0100", team_id="T0002", name="Dana Theirs",
             company="Acme")
    answer = slack.options("prospect", "dana", user_id="U0001").json()
    assert [o["text"]["text"] for o in answer["options"]] == ["Dana Ours · Acme"]
    answer = slack.options("prospect", "acme", user_id="U0100", team_id="T0002").json()
    assert [o["text"]["text"] for o in answer["options"]] == ["Dana Theirs · Acme"]


def test_a_user_in_two_teams_is_two_reps(slack, fake_slack):
    fake_slack.add_token("xoxb-test-token", team_id="T0002")
    log_call(slack, fake_slack, name="Team One Prospect", outcome="no_answer",
             call_type="post_voicemail")
    _open_home(slack, fake_slack, "U0001", team_id="T0002")
    assert "Team One Prospect" not in _home_text(fake_slack)
