"""The times a draft names are the scheduled ones: the voicemail email promises the call the
cadence stored (in the prospect's time), only when it is near and inside the rep's hours;
the recap's two proposed times come from the same appointment machinery."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import FollowUp
from bot.domain.model import CallType, Outcome
from bot.domain.timing import Window, WorkHours
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, Notes, log_call
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import drafts_after_log
from bot.services.rep_settings import set_working_hours
from bot.services.reps import save_rep_profile

BOOK = load_cadence_book(Settings())
RENDERER = DraftRenderer()
WED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
PAIRS = [  # (rep, prospect)
    ("America/New_York", "America/New_York"),
    ("America/Los_Angeles", "Australia/Sydney"),
    ("Australia/Sydney", "America/Los_Angeles"),
    ("Europe/Berlin", "America/Chicago"),
    ("Asia/Kolkata", "Europe/London"),
    ("Europe/London", "Asia/Tokyo"),
]


NO_NOTES = Notes()


def _log(sf, outcome, *, rep_tz, prospect_tz, notes=NO_NOTES, now=WED,
         call_type=CallType.POST_VOICEMAIL):
    save_rep_profile(sf, "T0001", "U0001", rep_tz)
    result = log_call(sf, LogCall("T0001", "U0001", rep_tz, call_type, outcome, "k1",
                                  new_prospect=NewProspect("Dana Reyes", "Northwind",
                                                           "dana@x.example", tz=prospect_tz),
                                  notes=notes), BOOK, now)
    drafts = drafts_after_log(sf, RENDERER, result, vars(notes), is_final=False, now=now,
                              windows=BOOK.windows, book=BOOK)
    with sf() as session:
        touch = session.scalar(select(FollowUp).where(FollowUp.status == "pending"))
        session.expunge_all()
    return result, drafts, touch


def _spoken(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    hour = f"{local.hour % 12 or 12}" + ("" if local.minute == 0 else f":{local.minute:02d}")
    return f"{local:%A} at {hour} {'am' if local.hour < 12 else 'pm'}"


@pytest.mark.parametrize(("rep_tz", "prospect_tz"), PAIRS)
def test_the_voicemail_email_names_the_scheduled_call_in_the_prospects_time(
        session_factory, rep_tz, prospect_tz):
    result, drafts, touch = _log(session_factory, Outcome.VOICEMAIL, rep_tz=rep_tz,
                                 prospect_tz=prospect_tz)
    [voicemail] = [d for d in drafts if d.kind == "voicemail"]
    assert touch.channel == "call" and touch.window_start == result.appointment.start
    if touch.outside_hours:
        assert "I will try you again in a few days." in voicemail.body
        assert not any(day in voicemail.body for day in ("Monday", "Tuesday", "Wednesday",
                                                         "Thursday", "Friday"))
    else:
        promised = f"I will try you again {_spoken(touch.window_start, prospect_tz)} your time."
        assert promised in voicemail.body
        assert WorkHours().contains(Window(touch.window_start, touch.window_end), rep_tz)
    assert voicemail.problems == []


def test_the_sweep_covers_both_branches(session_factory):
    """At least one pair above promises a time and one (rep hours that never meet the
    prospect's windows) promises none: both branches are proven, not assumed."""
    set_working_hours(session_factory, "T0001", "U0001", start=time(2), end=time(3))
    _, drafts, touch = _log(session_factory, Outcome.VOICEMAIL, rep_tz="America/New_York",
                            prospect_tz="America/New_York")
    assert touch.outside_hours
    assert "I will try you again in a few days." in drafts[0].body
    assert "pm" not in drafts[0].body and "am your time" not in drafts[0].body


def test_a_promised_time_is_the_stored_one_not_the_first_window_from_now(session_factory):
    """LA rep, Sydney prospect: the first Sydney window (4 pm) is 9-10 pm in LA, outside the
    rep's hours; the stored call is at 11 am Sydney, and that is what the email names."""
    _, drafts, touch = _log(session_factory, Outcome.VOICEMAIL, rep_tz="America/Los_Angeles",
                            prospect_tz="Australia/Sydney")
    sydney = touch.window_start.astimezone(ZoneInfo("Australia/Sydney"))
    assert not touch.outside_hours and sydney.hour == 11
    assert f"{sydney:%A} at 11 am your time" in drafts[0].body
    assert "at 4 pm" not in drafts[0].body


NEXT_STEP = "15-minute walkthrough with their ops lead"


@pytest.mark.parametrize(("rep_tz", "prospect_tz", "fits"), [
    *((rep, prospect, True) for rep, prospect in PAIRS[:3]),
    ("Europe/London", "America/New_York", True),
    # Chicago's windows are 11 pm and 6-7 pm in Berlin: no time to offer, two days instead.
    ("Europe/Berlin", "America/Chicago", False),
])
def test_the_recap_asks_once_about_the_agreed_step_at_times_the_rep_can_keep(
        session_factory, rep_tz, prospect_tz, fits):
    notes = Notes(pain_point="losing six hours a week on manual invoice matching",
                  next_step=NEXT_STEP)
    result, drafts, touch = _log(session_factory, Outcome.CONNECTED, rep_tz=rep_tz,
                                 prospect_tz=prospect_tz, notes=notes,
                                 call_type=CallType.POST_DEMO)
    [recap] = [d for d in drafts if d.kind == "recap"]
    assert recap.problems == [] and recap.body.count("?") == 1
    [question] = [line for line in recap.body.splitlines() if "?" in line]
    assert question.startswith(f"The next step we agreed: {NEXT_STEP}. ")
    assert "20-minute" not in recap.body and "15-minute call" not in recap.body
    assert recap.subject == "Northwind: losing six hours a week"
    spoken = question.split("Would ")[1].split(" suit you")[0]
    days = r"(Tuesday|Wednesday|Thursday)( \d{1,2} Dec)?"  # best days, 2+ days out
    if fits:  # each a call window inside the rep's hours, in the prospect's time
        pattern = rf"{days}( at (4 pm|11 am))? or {days} at (4 pm|11 am) your time"
    else:  # no window meets the rep's hours: two days, no time
        pattern = r"\w+ or \w+"
    assert re.fullmatch(pattern, spoken), question
