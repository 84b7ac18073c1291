"""A rep's working hours: the service on a real database, and App Home end to end (signed
requests in, the published home tab out), tampered values included."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from bot.db.models import Rep
from bot.services.rep_settings import DEFAULTS, digest_settings, set_working_hours
from tests.conftest import TEAM
from tests.logcall_helpers import message_text
from tests.test_app_home import _element, _home_action, _make_rep, _open_home, _rep

NOTE = "Your working hours must end after they start, so nothing was saved"
NOT_OFFERED = "That change wasn't one I offered"


def _count(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Rep))


# -- the service

def test_working_hours_default_to_8_to_6(session_factory):
    assert (DEFAULTS.work_start, DEFAULTS.work_end) == (time(8), time(18))
    _make_rep(session_factory)
    settings = digest_settings(session_factory, TEAM, "U0001")
    assert (settings.work_start, settings.work_end) == (time(8), time(18))


def test_start_and_end_are_saved_to_the_minute(session_factory):
    _make_rep(session_factory)
    assert set_working_hours(session_factory, TEAM, "U0001", start=time(7, 30, 59, 5))
    assert set_working_hours(session_factory, TEAM, "U0001", end=time(16, 45, 1))
    rep = _rep(session_factory)
    assert (rep.work_start, rep.work_end) == (time(7, 30), time(16, 45))
    assert set_working_hours(session_factory, TEAM, "U0001", start=time(10), end=time(19))
    rep = _rep(session_factory)
    assert (rep.work_start, rep.work_end) == (time(10), time(19))


@pytest.mark.parametrize(("start", "end"), [
    (time(18), None), (time(19), None), (None, time(8)), (None, time(7, 59)),
    (time(12), time(12)), (time(12), time(0)),
])
def test_hours_that_do_not_end_after_they_start_save_nothing(session_factory, start, end):
    _make_rep(session_factory)
    assert set_working_hours(session_factory, TEAM, "U0001", start=start, end=end) is False
    rep = _rep(session_factory)
    assert (rep.work_start, rep.work_end) == (time(8), time(18))


def test_a_refused_change_creates_no_rep_and_an_accepted_one_does(session_factory):
    assert set_working_hours(session_factory, TEAM, "U0009", start=time(19)) is False
    assert _count(session_factory) == 0
    assert set_working_hours(session_factory, TEAM, "U0009", end=time(17)) is True
    rep = _rep(session_factory, "U0009")
    assert (rep.work_start, rep.work_end) == (time(8), time(17))


def test_working_hours_are_per_team(session_factory):
    _make_rep(session_factory)
    set_working_hours(session_factory, "T0002", "U0001", start=time(6))
    assert _rep(session_factory).work_start == time(8)
    assert _rep(session_factory, team="T0002").work_start == time(6)


# -- App Home end to end

def _pick(slack, fake, which: str, hhmm: object, **kw) -> dict:
    action = {"type": "timepicker", "block_id": f"work_{which}:08:00",
              "action_id": f"home_work_{which}", "initial_time": "08:00"}
    if hhmm is not ...:
        action["selected_time"] = hhmm
    return _home_action(slack, fake, action, **kw)


def _notes(home: dict) -> list[str]:
    return [b["elements"][0]["text"] for b in home["blocks"] if b["type"] == "context"
            and b["elements"][0]["text"].startswith(":warning:")]


def test_home_shows_working_hours_and_what_they_are_for(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    text = message_text(home)
    assert text.index("Morning due list") < text.index("Working hours")
    assert "*:clock9: Working hours*\n8 am-6 pm, your time" in text
    assert "Call windows are chosen inside these hours on your working days." in text
    assert _element(home, "home_work_start")["initial_time"] == "08:00"
    assert _element(home, "home_work_end")["initial_time"] == "18:00"
    assert _notes(home) == []


def test_changing_start_and_end_saves_them_and_republishes(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    home = _pick(slack, fake_slack, "end", "17:30")
    assert _rep(session_factory).work_end == time(17, 30)
    assert "8 am-5:30 pm, your time" in message_text(home)
    home = _pick(slack, fake_slack, "start", "09:15")
    rep = _rep(session_factory)
    assert (rep.work_start, rep.work_end) == (time(9, 15), time(17, 30))
    assert _element(home, "home_work_start")["initial_time"] == "09:15"
    assert "9:15 am-5:30 pm, your time" in message_text(home) and _notes(home) == []


def test_an_end_before_the_start_saves_nothing_and_says_why(slack, fake_slack, session_factory):
    _make_rep(session_factory)
    home = _pick(slack, fake_slack, "end", "07:00")
    assert _rep(session_factory).work_end == time(18)
    assert _notes(home) == [f":warning: {NOTE}"]
    # The picker shows the stored time again: its block is a new one.
    assert _element(home, "home_work_end")["initial_time"] == "18:00"
    assert "work_end:18:00" in [b.get("block_id") for b in home["blocks"]]
    home = _pick(slack, fake_slack, "start", "18:00")
    assert _rep(session_factory).work_start == time(8) and _notes(home) == [f":warning: {NOTE}"]
    home = _pick(slack, fake_slack, "start", "10:00")  # the note goes with a good change
    assert _notes(home) == [] and _rep(session_factory).work_start == time(10)


@pytest.mark.parametrize("tampered", ["25:00", "9am", "", None, 930, {"h": 9}, ...])
def test_a_time_the_picker_never_sends_changes_nothing(slack, fake_slack, session_factory,
                                                       tampered):
    _make_rep(session_factory)
    for which in ("start", "end"):
        home = _pick(slack, fake_slack, which, tampered)
        assert NOT_OFFERED in message_text(home)
    rep = _rep(session_factory)
    assert (rep.work_start, rep.work_end) == (time(8), time(18))


def test_a_new_user_becomes_a_rep_only_when_the_change_is_saved(slack, fake_slack,
                                                                session_factory):
    _pick(slack, fake_slack, "start", "19:00", user="U0002")
    assert _rep(session_factory, "U0002") is None
    home = _pick(slack, fake_slack, "start", "07:00", user="U0002")
    rep = _rep(session_factory, "U0002")
    assert (rep.tz, rep.work_start, rep.work_end) == ("Europe/Berlin", time(7), time(18))
    assert "7 am-6 pm, your time" in message_text(home)
