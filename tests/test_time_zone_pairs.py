"""The window promised is the window called, for every pair of zones.

Every ordered pair of the zones below (rep, prospect), logged on every 2026-2027 day on
which either zone changes its clocks and on the days around it: the touch a "no answer"
schedules is stored as an appointment; the due list shows exactly that window, on the
rep's local day it starts and not before, on one of the prospect's business days; the
post-log DM and the list say the same thing. Runs through the same functions the bot
uses (scheduling rules, the DM builder, the list builder), without a database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.domain.cadence import CallFacts, plan_after_call
from bot.domain.due_list import DueItem
from bot.domain.model import CallType, Channel, Outcome
from bot.domain.timing import Parties, WorkHours, day_bounds, local_date, on_rep_day, wall_instant
from bot.domain.windows import DEFAULT_WINDOWS, describe_appointment
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogResult, ProspectView
from bot.services.scheduling import country_calendar, place
from bot.slack.due_list_view import item_text
from bot.slack.messages import next_touch_text

ZONES = (
    # the odd ones the issue names
    "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "Australia/Lord_Howe",
    "America/St_Johns", "Asia/Tehran", "Africa/Casablanca", "America/Nuuk", "Pacific/Chatham",
    # United States
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
    # Europe
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Athens", "Europe/Helsinki", "Europe/Moscow", "Europe/Istanbul",
    # Australia
    "Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Adelaide",
    "Australia/Perth", "Australia/Darwin",
    # elsewhere, including Friday-Saturday weekends and southern-hemisphere clock changes
    "Asia/Kolkata", "Asia/Tokyo", "Asia/Singapore", "Asia/Dubai", "Asia/Riyadh",
    "Africa/Cairo", "America/Sao_Paulo", "America/Santiago", "America/Havana",
    "America/Asuncion", "Pacific/Auckland", "America/Mexico_City",
)
# Some prospects carry a country: their weekend and holidays follow it.
COUNTRIES = {"Asia/Riyadh": "SA", "Africa/Cairo": "EG", "Asia/Dubai": "AE", "Asia/Tehran": "IR",
             "Europe/Berlin": "DE", "America/New_York": "US", "Australia/Sydney": "AU"}
YEARS = (2026, 2027)
BOOK = load_cadence_book(Settings())


def change_days(tz: str) -> set[date]:
    zone, found = ZoneInfo(tz), set()
    day = date(YEARS[0], 1, 1)
    while day.year <= YEARS[-1]:
        if (datetime.combine(day, time(0), zone).utcoffset()
                != datetime.combine(day + timedelta(days=1), time(0), zone).utcoffset()):
            found.add(day)
        day += timedelta(days=1)
    return found


CHANGES = {tz: change_days(tz) for tz in ZONES}


def log_days(rep_tz: str, prospect_tz: str) -> list[date]:
    days = CHANGES[rep_tz] | CHANGES[prospect_tz] | {date(2026, 1, 5)}
    around = {day + timedelta(days=offset) for day in days for offset in (-2, -1, 0, 1)}
    return sorted(day for day in around if day.year in YEARS)


def scenario(rep_tz: str, prospect_tz: str, log_day: date) -> None:
    now = wall_instant(log_day, time(10), rep_tz).astimezone(UTC)
    prospect_today = local_date(now, prospect_tz)
    calendar = country_calendar(COUNTRIES.get(prospect_tz),
                                (prospect_today.year, prospect_today.year + 1))
    parties = Parties(prospect_tz, rep_tz, calendar, DEFAULT_WINDOWS, WorkHours())
    cadence = BOOK.cadences["post_call"]
    facts = CallFacts(Outcome.NO_ANSWER, prospect_today, prospect_today, 1)
    plan = plan_after_call(cadence, facts, BOOK.rules, calendar)
    touch, appointment = place(plan.next_touch, parties, now)
    where = (rep_tz, prospect_tz, log_day)

    # The appointment: after the call, never empty, on a prospect business day.
    assert appointment.start > now and appointment.end > appointment.start, where
    assert local_date(appointment.start, prospect_tz) == appointment.day == touch.due_on, where
    assert calendar.is_business_day(appointment.day), where
    if not appointment.outside_hours:
        assert WorkHours().contains(appointment.window, rep_tz), where

    # The list: on the rep's local day the window starts, not the day before.
    rep_day = local_date(appointment.start, rep_tz)
    assert on_rep_day(appointment.start, rep_day, rep_tz), where
    assert not on_rep_day(appointment.start, rep_day - timedelta(days=1), rep_tz), where
    assert rep_day > log_day or appointment.start >= day_bounds(log_day, rep_tz)[0], where

    # The DM and the list say the same window, and it is the stored one.
    promised = describe_appointment(appointment.start, appointment.end, prospect_tz=prospect_tz,
                                    rep_tz=rep_tz, outside_hours=appointment.outside_hours)
    result = LogResult(1, ProspectView(1, "Dana", None, None, None, prospect_tz, "active",
                                       False, False), Outcome.NO_ANSWER,
                       CallType.POST_VOICEMAIL, 1, 6, touch, "", rep_tz,
                       appointment=appointment)
    item = DueItem(follow_up_id=1, prospect_id=1, prospect_name="Dana", company=None,
                   phone=None, prospect_tz=prospect_tz, due_on=touch.due_on,
                   channel=Channel.CALL.value, step=touch.step, purpose=touch.purpose,
                   attempt=touch.attempt, max_calls=6, last_outcome="no_answer",
                   last_call_on=log_day, pain_point=None, next_step=None, resource_owed=None,
                   overdue=False, window_start=appointment.start,
                   window_end=appointment.end, outside_hours=appointment.outside_hours)
    list_morning = wall_instant(rep_day, time(8, 30), rep_tz)
    assert promised in next_touch_text(result, DEFAULT_WINDOWS), where
    assert promised in item_text(item, rep_tz, list_morning, DEFAULT_WINDOWS), where


@pytest.mark.parametrize("rep_tz", ZONES)
def test_every_zone_pair_shows_the_stored_window_on_the_right_day(rep_tz):
    assert len(ZONES) >= 40
    count = 0
    for prospect_tz in ZONES:
        for log_day in log_days(rep_tz, prospect_tz):
            scenario(rep_tz, prospect_tz, log_day)
            count += 1
    assert count > len(ZONES) * 10


def test_la_rep_and_sydney_prospect_as_the_issue_tells_it():
    """No answer logged Mon 5 Jan 2026, 9 am in Los Angeles: the call is Wed 7 Jan at 11 am
    in Sydney, which is Tue 6 Jan at 4 pm for the rep (4-5 pm Sydney would be 9-10 pm)."""
    la, sydney = "America/Los_Angeles", "Australia/Sydney"
    now = datetime(2026, 1, 5, 17, tzinfo=UTC)
    parties = Parties(sydney, la, windows=DEFAULT_WINDOWS)
    plan = plan_after_call(BOOK.cadences["post_call"],
                           CallFacts(Outcome.NO_ANSWER, date(2026, 1, 6), date(2026, 1, 6), 1),
                           BOOK.rules)
    touch, appointment = place(plan.next_touch, parties, now)
    assert describe_appointment(appointment.start, appointment.end, prospect_tz=sydney,
                                rep_tz=la) == (
        "Wed 7 Jan, 11 am-12 pm their time (Tue 6 Jan, 4-5 pm yours)")


def test_the_pair_sweep_covers_clock_change_days_of_both_zones():
    days = log_days("America/New_York", "Australia/Sydney")
    for change in CHANGES["America/New_York"] | CHANGES["Australia/Sydney"]:
        assert {change - timedelta(days=1), change, change + timedelta(days=1)} <= set(days)
