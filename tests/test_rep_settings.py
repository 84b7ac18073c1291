"""The morning due-list settings service and Slack's ``user_change`` event, against a real
database (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from bot.db.models import Rep
from bot.services.rep_settings import (
    DEFAULTS,
    RepSettings,
    apply_user_change,
    digest_settings,
    set_digest_enabled,
    set_workday_start,
    set_working_days,
)
from bot.services.reps import save_rep_profile
from tests.conftest import SIGNING_SECRET, TEAM
from tests.slack_requests import SlackSender

NY = "America/New_York"


def _rep(session_factory, user="U0001", team=TEAM) -> Rep | None:
    with session_factory() as session:
        return session.scalar(select(Rep).where(Rep.team_id == team, Rep.slack_user_id == user))


def _count(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Rep))


@pytest.fixture
def rita(session_factory):
    save_rep_profile(session_factory, TEAM, "U0001", NY, "Rita Rep")
    return _rep(session_factory)


# -- the service

def test_settings_of_someone_who_is_not_a_rep_are_the_defaults(session_factory):
    assert digest_settings(session_factory, TEAM, "U0001") == DEFAULTS
    assert DEFAULTS == RepSettings(None, time(8, 30), "12345", True)
    assert _count(session_factory) == 0


def test_settings_of_a_rep(session_factory, rita):
    assert digest_settings(session_factory, TEAM, "U0001") == RepSettings(
        NY, time(8, 30), "12345", True)


def test_setters_create_the_rep_when_missing(session_factory):
    saved = set_workday_start(session_factory, TEAM, "U0009", time(7, 45, 30, 12))
    assert saved.workday_start == time(7, 45)  # to the minute
    assert _rep(session_factory, "U0009").workday_start == time(7, 45)
    assert set_digest_enabled(session_factory, TEAM, "U0008", False).digest_enabled is False
    assert set_working_days(session_factory, TEAM, "U0007", "67") is True
    assert _rep(session_factory, "U0007").working_days == "67"


def test_working_days_are_normalized(session_factory, rita):
    assert set_working_days(session_factory, TEAM, "U0001", "5311") is True
    assert digest_settings(session_factory, TEAM, "U0001").working_days == "135"


def test_no_working_day_saves_nothing(session_factory, rita):
    assert set_working_days(session_factory, TEAM, "U0001", "") is False
    assert _rep(session_factory).working_days == "12345"
    assert set_working_days(session_factory, TEAM, "U0002", "") is False
    assert _rep(session_factory, "U0002") is None


@pytest.mark.parametrize("days", ["8", "0", "1,2", "Mon"])
def test_anything_but_weekdays_is_refused(session_factory, rita, days):
    with pytest.raises(ValueError):
        set_working_days(session_factory, TEAM, "U0001", days)
    assert _rep(session_factory).working_days == "12345"


def test_settings_are_per_team(session_factory, rita):
    set_workday_start(session_factory, "T0002", "U0001", time(6, 0))
    set_digest_enabled(session_factory, "T0002", "U0001", False)
    assert digest_settings(session_factory, TEAM, "U0001") == RepSettings(
        NY, time(8, 30), "12345", True)
    assert digest_settings(session_factory, "T0002", "U0001").workday_start == time(6, 0)


def test_user_change_updates_zone_name_and_activity(session_factory, rita):
    assert apply_user_change(session_factory, TEAM, "U0001", tz="Europe/Berlin",
                             name="Rita Renamed", deleted=True) is True
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == ("Europe/Berlin", "Rita Renamed", False)
    assert apply_user_change(session_factory, TEAM, "U0001", tz=None, name=None,
                             deleted=False) is True
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == ("Europe/Berlin", "Rita Renamed", True)


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "localtime", "../etc/passwd",
                                "+05:00", "America/" + "X" * 80])
def test_user_change_keeps_the_zone_when_the_new_one_is_not_iana(session_factory, rita, tz):
    assert apply_user_change(session_factory, TEAM, "U0001", tz=tz, name="Rita R",
                             deleted=None) is True
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == (NY, "Rita R", True)


def test_user_change_never_creates_a_rep(session_factory, rita):
    assert apply_user_change(session_factory, TEAM, "U0404", tz=NY, name="Nobody",
                             deleted=False) is False
    assert apply_user_change(session_factory, "T0002", "U0001", tz="Asia/Tokyo",
                             name="Other Rita", deleted=True) is False
    assert _count(session_factory) == 1
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == (NY, "Rita Rep", True)


# -- user_change end to end: signed events in, the database out

@pytest.fixture
def bot(start_bot, fake_slack):
    url, app = start_bot()
    return SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack,
                       team_id=TEAM), app


def _user_change(sender, user_id="U0001", *, team_id=None, tz=NY, real_name="Rita Rep",
                 deleted=False):
    user = {"id": user_id, "team_id": team_id or TEAM, "name": user_id.lower(),
            "deleted": deleted, "real_name": real_name, "tz": tz, "tz_label": "x",
            "tz_offset": 0, "is_bot": False,
            "profile": {"real_name": real_name, "display_name": user_id.lower()}}
    response = sender.event({"type": "user_change", "user": user}, team_id=team_id)
    assert response.status_code == 200, response.text


def _drain(app) -> None:
    """Wait for every event the bot accepted to be handled (listeners run on the executor)."""
    app.deps.executor.shutdown(wait=True)


def test_user_change_event_updates_the_rep(bot, session_factory, rita):
    sender, app = bot
    _user_change(sender, tz="Europe/Lisbon", real_name="Rita Moved")
    _drain(app)
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == ("Europe/Lisbon", "Rita Moved", True)


def test_user_change_event_deactivates_a_deleted_user(bot, session_factory, rita):
    sender, app = bot
    _user_change(sender, deleted=True)
    _drain(app)
    assert _rep(session_factory).active is False


def test_user_change_event_reactivates_a_restored_user(bot, session_factory, rita):
    with session_factory() as session, session.begin():
        session.get(Rep, rita.id).active = False
    sender, app = bot
    _user_change(sender, deleted=False)
    _drain(app)
    assert _rep(session_factory).active is True


def test_user_change_event_ignores_unknown_users_and_bad_zones(bot, session_factory, rita):
    sender, app = bot
    _user_change(sender, "U0404", tz="Asia/Tokyo", real_name="Stranger")
    _user_change(sender, tz="Not/AZone", real_name="Rita Still")
    response = sender.event({"type": "user_change", "user": "U0001"})  # malformed
    assert response.status_code == 200
    _drain(app)
    assert _count(session_factory) == 1
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == (NY, "Rita Still", True)


def test_user_change_from_another_team_leaves_this_teams_rep_alone(bot, session_factory,
                                                                   rita, fake_slack):
    fake_slack.add_token("xoxb-test-token", team_id="T0002")
    sender, app = bot
    _user_change(sender, team_id="T0002", tz="Asia/Tokyo", real_name="Other", deleted=True)
    _drain(app)
    assert _count(session_factory) == 1
    rep = _rep(session_factory)
    assert (rep.tz, rep.name, rep.active) == (NY, "Rita Rep", True)


def test_user_change_event_without_deleted_means_active(bot, session_factory, rita):
    """Slack sends ``deleted`` with every user; a payload without it is not a deletion."""
    with session_factory() as session, session.begin():
        session.get(Rep, rita.id).active = False
    sender, app = bot
    user = {"id": "U0001", "team_id": TEAM, "name": "u0001", "real_name": "Rita Rep",
            "tz": NY, "profile": {"real_name": "Rita Rep"}}
    assert sender.event({"type": "user_change", "user": user}).status_code == 200
    _drain(app)
    assert _rep(session_factory).active is True


# -- a rep marked gone comes back by using the bot

def _deactivate(session_factory, rep_id) -> None:
    from bot.services.reps import deactivate_rep

    deactivate_rep(session_factory, TEAM, rep_id)
    assert _rep(session_factory).active is False


@pytest.mark.parametrize("request_kind", ["slash", "home", "button"])
def test_any_request_from_a_rep_marked_gone_reactivates_them(bot, session_factory, rita,
                                                             request_kind):
    sender, app = bot
    _deactivate(session_factory, rita.id)  # one user_disabled answer to a due list
    if request_kind == "slash":
        response = sender.slash("/followups")
    elif request_kind == "home":
        response = sender.event({"type": "app_home_opened", "user": "U0001", "tab": "home",
                                 "channel": "D0001"})
    else:
        response = sender.block_action("home_log_call", value="log")
    assert response.status_code == 200, response.text
    _drain(app)
    assert _rep(session_factory).active is True


def test_reactivation_is_one_lookup_per_rep_per_recheck(start_bot, fake_slack, session_factory,
                                                        rita, clock):
    """Requests are not slowed by it (it runs after the listener is queued, on the
    executor) and a busy rep costs one read every RECHECK, not one per request: a rep
    marked gone again within RECHECK of their last request waits for the next one after."""
    from datetime import timedelta

    from bot.slack.users import RECHECK

    url, app = start_bot()
    sender = SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
    _deactivate(session_factory, rita.id)
    assert sender.slash("/followups").status_code == 200
    _drain_until_idle(app)
    assert _rep(session_factory).active is True
    _deactivate(session_factory, rita.id)
    clock.set(clock() + RECHECK - timedelta(seconds=1))
    assert sender.slash("/followups").status_code == 200
    _drain_until_idle(app)
    assert _rep(session_factory).active is False  # looked up a moment ago
    clock.set(clock() + timedelta(seconds=1))
    assert sender.slash("/followups").status_code == 200
    _drain(app)
    assert _rep(session_factory).active is True


def _drain_until_idle(app) -> None:
    """Wait for the work queued so far without shutting the executor down."""
    app.deps.executor.submit(lambda: None).result(timeout=600)


def test_events_about_a_user_and_strangers_reactivate_nobody(bot, session_factory, rita):
    sender, app = bot
    _deactivate(session_factory, rita.id)
    _user_change(sender, deleted=True)  # about Rita, not from her: she stays gone
    sender.slash("/followups", user_id="U0404")  # not a rep: no rep is made for them
    _drain(app)
    assert _rep(session_factory).active is False
    assert _count(session_factory) == 1


def test_reactivate_rep_reads_and_writes_only_when_needed(session_factory, rita):
    from bot.services.reps import reactivate_rep

    assert reactivate_rep(session_factory, TEAM, "U0001") is False  # active: nothing written
    assert reactivate_rep(session_factory, TEAM, "U0404") is False  # never creates a rep
    _deactivate(session_factory, rita.id)
    assert reactivate_rep(session_factory, TEAM, "U0001") is True
    assert reactivate_rep(session_factory, "T0002", "U0001") is False
    assert _rep(session_factory).active is True and _count(session_factory) == 1
