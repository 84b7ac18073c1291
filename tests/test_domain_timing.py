"""The time model's pure rules: wall times across clock changes, business calendars,
and the appointment a touch gets when it is scheduled."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.domain.timing import (
    Appointment,
    BusinessCalendar,
    Parties,
    WorkHours,
    appoint_call,
    appoint_rep_day,
    day_bounds,
    local_date,
    on_rep_day,
    wall_instant,
    whole_day,
    window_on,
)

LA, SYD, NY = "America/Los_Angeles", "Australia/Sydney", "America/New_York"
DEFAULT = ((time(16), time(17)), (time(11), time(12)))


def change_days(tz: str, years=(2026, 2027)) -> list[date]:
    """Days on which ``tz`` changes its UTC offset."""
    zone = ZoneInfo(tz)
    days, day = [], date(years[0], 1, 1)
    while day.year <= years[-1]:
        today = datetime.combine(day, time(0), zone).utcoffset()
        tomorrow = datetime.combine(day + timedelta(days=1), time(0), zone).utcoffset()
        if today != tomorrow:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_a_wall_time_in_a_gap_is_the_first_instant_after_it():
    moment = wall_instant(date(2026, 3, 8), time(2, 30), NY)
    assert moment.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_an_ambiguous_wall_time_is_its_first_occurrence():
    moment = wall_instant(date(2026, 11, 1), time(1, 30), NY)
    assert moment.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_cairo_window_in_the_midnight_gap_is_not_empty():
    window = window_on(date(2026, 4, 24), time(0, 30), time(1, 30), "Africa/Cairo")
    assert window.end - window.start == timedelta(minutes=30)


def test_a_window_swallowed_whole_by_a_gap_keeps_its_length():
    window = window_on(date(2026, 3, 8), time(2, 0), time(2, 30), NY)
    assert window.start == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert window.end - window.start == timedelta(minutes=30)


def test_a_window_ending_after_midnight_runs_into_the_next_day():
    window = window_on(date(2026, 6, 1), time(22), time(1), "UTC")
    assert (window.start.hour, window.end - window.start) == (22, timedelta(hours=3))


@pytest.mark.parametrize("wall", [(time(0, 30), time(1, 30)), (time(2), time(3)),
                                  (time(23), time(23, 59)), (time(16), time(17)),
                                  (time(11), time(12)), (time(0), time(1))])
def test_no_window_is_ever_empty_on_any_clock_change_day(wall):
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    for tz in zones:
        for day in change_days(tz):
            for offset in (-1, 0, 1):
                window = window_on(day + timedelta(days=offset), *wall, tz)
                assert window.end > window.start, (tz, day, wall)


def test_days_last_23_or_25_hours_across_clock_changes():
    start, end = day_bounds(date(2026, 3, 8), NY)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 11, 1), NY)
    assert end - start == timedelta(hours=25)


def test_today_is_the_date_in_the_given_zone():
    now = datetime(2026, 1, 5, 17, tzinfo=UTC)  # Mon 9 am in LA, Tue 4 am in Sydney
    assert local_date(now, LA) == date(2026, 1, 5)
    assert local_date(now, SYD) == date(2026, 1, 6)


def test_business_calendar_follows_its_weekend_and_holidays():
    friday_saturday = BusinessCalendar(weekend=frozenset({4, 5}))
    thursday = date(2026, 12, 3)
    assert friday_saturday.add_business_days(thursday, 1) == date(2026, 12, 6)  # Sunday
    assert BusinessCalendar().add_business_days(thursday, 1) == date(2026, 12, 4)
    christmas = BusinessCalendar(holidays=frozenset({date(2026, 12, 25)}))
    assert christmas.roll_forward(date(2026, 12, 25)) == date(2026, 12, 28)
    with pytest.raises(ValueError):
        BusinessCalendar().add_business_days(thursday, -1)


def test_work_hours_hold_a_window_only_on_working_days_and_whole():
    hours = WorkHours(time(8), time(18), "12345")
    monday_4pm = window_on(date(2026, 1, 5), time(16), time(17), LA)
    assert hours.contains(monday_4pm, LA)
    assert not hours.contains(window_on(date(2026, 1, 5), time(17, 30), time(18, 30), LA), LA)
    assert not hours.contains(window_on(date(2026, 1, 10), time(16), time(17), LA), LA)


def test_la_rep_sydney_prospect_gets_the_window_both_can_keep():
    parties = Parties(SYD, LA, windows=DEFAULT)
    logged = datetime(2026, 1, 5, 17, tzinfo=UTC)  # Mon 5 Jan, 9 am in LA
    appointment = appoint_call(date(2026, 1, 7), parties, not_before=logged)
    rep_view = appointment.start.astimezone(ZoneInfo(LA))
    assert (rep_view.date(), rep_view.hour) == (date(2026, 1, 6), 16)  # Tue 4 pm, LA
    assert appointment.start.astimezone(ZoneInfo(SYD)).hour == 11  # Wed 11 am, Sydney
    assert appointment.day == date(2026, 1, 7) and not appointment.outside_hours


def test_same_zone_takes_the_best_window():
    parties = Parties(NY, NY, windows=DEFAULT)
    appointment = appoint_call(date(2026, 1, 7), parties,
                               not_before=datetime(2026, 1, 5, tzinfo=UTC))
    assert appointment.start.astimezone(ZoneInfo(NY)).hour == 16


def test_when_no_window_fits_the_reps_hours_the_best_one_is_marked_outside():
    parties = Parties(SYD, LA, windows=((time(16), time(17)),))  # 9-10 pm in LA, always
    appointment = appoint_call(date(2026, 1, 7), parties,
                               not_before=datetime(2026, 1, 5, tzinfo=UTC))
    assert appointment.outside_hours
    assert appointment.day == date(2026, 1, 7)
    assert appointment.start.astimezone(ZoneInfo(SYD)).hour == 16


def test_a_rep_day_off_moves_the_call_to_the_next_prospect_business_day_that_fits():
    # The rep works Monday to Thursday; the prospect's Friday window is the rep's Friday.
    parties = Parties(NY, NY, windows=DEFAULT, hours=WorkHours(days="1234"))
    appointment = appoint_call(date(2026, 1, 9), parties,
                               not_before=datetime(2026, 1, 5, tzinfo=UTC))
    assert appointment.day == date(2026, 1, 12) and not appointment.outside_hours


def test_the_call_day_rolls_to_a_prospect_business_day_by_their_weekend():
    parties = Parties("Asia/Riyadh", "Asia/Riyadh", windows=DEFAULT,
                      calendar=BusinessCalendar(weekend=frozenset({4, 5})),
                      hours=WorkHours(days="1234567"))
    appointment = appoint_call(date(2026, 12, 4), parties,  # a Friday
                               not_before=datetime(2026, 12, 1, tzinfo=UTC))
    assert appointment.day == date(2026, 12, 6)  # Sunday is a working day there


def test_windows_before_not_before_are_never_chosen():
    parties = Parties(NY, NY, windows=DEFAULT)
    not_before = datetime(2026, 1, 7, 21, 30, tzinfo=UTC)  # Wed 4:30 pm in New York
    appointment = appoint_call(date(2026, 1, 7), parties, not_before=not_before)
    assert appointment.start >= not_before
    assert appointment.day == date(2026, 1, 8)


def test_without_windows_a_call_gets_the_whole_prospect_day():
    appointment = appoint_call(date(2026, 1, 7), Parties(NY, NY),
                               not_before=datetime(2026, 1, 5, tzinfo=UTC))
    assert appointment == whole_day(date(2026, 1, 7), NY)


def test_a_date_the_rep_picks_is_their_own_day():
    parties = Parties(SYD, LA, windows=DEFAULT)
    appointment = appoint_rep_day(date(2026, 1, 8), parties,
                                  not_before=datetime(2026, 1, 5, tzinfo=UTC))
    assert local_date(appointment.start, LA) == date(2026, 1, 8)
    assert not appointment.outside_hours
    assert appointment.start.astimezone(ZoneInfo(SYD)).hour == 11


def test_a_picked_email_day_is_the_reps_working_hours():
    parties = Parties(SYD, LA, windows=DEFAULT)
    appointment = appoint_rep_day(date(2026, 1, 8), parties, call=False,
                                  not_before=datetime(2026, 1, 5, tzinfo=UTC))
    local = appointment.start.astimezone(ZoneInfo(LA))
    assert (local.date(), local.hour) == (date(2026, 1, 8), 8)


def test_a_touch_is_on_the_list_of_the_rep_day_its_window_starts_and_after():
    start = datetime(2026, 1, 7, 0, tzinfo=UTC)  # Tue 6 Jan, 4 pm in LA
    assert not on_rep_day(start, date(2026, 1, 5), LA)
    assert on_rep_day(start, date(2026, 1, 6), LA)
    assert on_rep_day(start, date(2026, 1, 7), LA)  # still open: overdue


def test_appointments_are_plain_values():
    first = Appointment(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 1, tzinfo=UTC),
                        date(2026, 1, 1))
    assert first.window.end - first.window.start == timedelta(hours=1)
