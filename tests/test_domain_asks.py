"""The one ask: the agreed next step classified, two concrete times from the appointment
machinery, and a retry time promised only for a call the cadence scheduled nearby."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.asks import ask_context, promised_retry, propose_slots, say_time
from bot.domain.calendar import BusinessCalendar
from bot.domain.drafts import check_draft, competing_meetings
from bot.domain.next_step import classify, has_time, meeting_terms
from bot.domain.timing import Appointment, Parties, WorkHours, window_on

WINDOWS = ((time(16), time(17)), (time(11), time(12)))
NY = "America/New_York"
MON = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday 30 Nov, 10 am in New York


@pytest.mark.parametrize(("note", "kind"), [
    ("demo Thu 2 pm", "timed"), ("Demo on Thursday", "timed"), ("call back 3 Dec", "timed"),
    ("walkthrough tomorrow 10am", "timed"), ("follow-up call at 14:00", "timed"),
    ("Termin Donnerstag 14 Uhr", "timed"), ("reunión el jueves a las 10", "timed"),
    ("15-minute walkthrough with their ops lead", "meeting"), ("demo w/ CFO", "meeting"),
    ("15 min walkthru with ops lead", "meeting"), ("mtg w/ finance", "meeting"),
    ("walk Mike (their IT lead) through security", "meeting"),
    ("Präsentation für den Einkauf", "meeting"), ("llamada con el director", "meeting"),
    ("send the questionnaire", "action"), ("intro to their CFO by email", "action"),
    ("Angebot schicken", "action"), ("enviar la propuesta", "action"),
    ("", "none"), (None, "none"), ("  ... ", "none"),
])
def test_the_agreed_next_step_is_classified(note, kind):
    assert classify(note).kind == kind


def test_the_step_text_is_one_line_without_trailing_punctuation():
    assert classify("  demo\nThu 2 pm?  ").text == "demo Thu 2 pm"
    assert not has_time("send the 3-page questionnaire")
    assert meeting_terms("Would Tuesday work for a 20-minute follow-up call?") == {"call",
                                                                                  "20min"}
    assert meeting_terms("walk Mike (their IT lead) through it") == \
        meeting_terms("the walk-thru") == {"walkthrough"}


HOURS, CALENDAR = WorkHours(), BusinessCalendar()


def parties(rep_tz=NY, *, hours=HOURS, calendar=CALENDAR) -> Parties:
    return Parties(NY, rep_tz, calendar, WINDOWS, hours)


def local(moment: datetime, tz: str = NY) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def test_two_times_on_the_prospects_best_days_two_days_out_at_two_hours():
    slots = propose_slots(parties(), today=date(2026, 11, 30), now=MON)
    assert [(local(s).date(), local(s).hour) for s in slots] == [
        (date(2026, 12, 2), 16), (date(2026, 12, 3), 11)]  # Wed 4 pm, Thu 11 am
    ask = ask_context(date(2026, 11, 30), retry_at=None, prospect_tz=NY, slots=slots)
    assert (ask["slot_a"], ask["slot_b"]) == ("Wednesday at 4 pm", "Thursday at 11 am")
    assert (ask["day_a"], ask["day_b"]) == ("Wednesday", "Thursday")


def test_the_prospects_holidays_are_skipped():
    calendar = BusinessCalendar(holidays=frozenset({date(2026, 12, 2)}))
    slots = propose_slots(parties(calendar=calendar), today=date(2026, 11, 30), now=MON)
    assert [local(s).date() for s in slots] == [date(2026, 12, 3), date(2026, 12, 8)]


@pytest.mark.parametrize("rep_tz", ["Australia/Sydney", "Europe/Berlin", "Europe/London",
                                    "America/Los_Angeles", NY])
def test_every_proposed_time_is_inside_the_reps_hours(rep_tz):
    party = parties(rep_tz)
    slots = propose_slots(party, today=date(2026, 11, 30), now=MON)
    assert len(slots) == 2 and len({local(s).date() for s in slots}) == 2
    for start in slots:
        day = local(start).date()
        assert day.weekday() < 5 and day >= date(2026, 12, 2)
        window = next(window_on(day, a, b, NY) for a, b in WINDOWS
                      if window_on(day, a, b, NY).start == start)
        assert party.hours.contains(window, rep_tz)


def test_no_time_is_offered_when_none_fits_the_reps_hours():
    narrow = WorkHours(time(2), time(3))
    assert propose_slots(parties(hours=narrow), today=date(2026, 11, 30), now=MON) == ()
    # Kolkata 8-18 meets neither New York window (2:30 am, 9:30 pm there): none either.
    assert propose_slots(parties("Asia/Kolkata"), today=date(2026, 11, 30), now=MON) == ()
    ask = ask_context(date(2026, 11, 30), retry_at=None, prospect_tz=NY, slots=())
    assert ask["slot_a"] == ask["slot_b"] == "" and ask["day_a"]


def test_the_scheduled_call_is_the_first_option_so_draft_and_due_list_agree():
    window = window_on(date(2026, 12, 1), time(11), time(12), NY)  # Tuesday 11 am
    scheduled = Appointment(window.start, window.end, date(2026, 12, 1))
    slots = propose_slots(parties(), today=date(2026, 11, 30), now=MON, scheduled=scheduled)
    assert slots[0] == scheduled.start and local(slots[1]).date() == date(2026, 12, 2)
    outside = Appointment(window.start, window.end, date(2026, 12, 1), outside_hours=True)
    assert scheduled.start not in propose_slots(parties(), today=date(2026, 11, 30), now=MON,
                                                scheduled=outside)


def test_two_times_at_the_same_hour_name_it_once():
    starts = [window_on(day, time(11), time(12), NY).start
              for day in (date(2026, 12, 2), date(2026, 12, 3))]
    ask = ask_context(date(2026, 11, 30), retry_at=None, prospect_tz=NY, slots=starts)
    assert f"{ask['slot_a']} or {ask['slot_b']}" == "Wednesday or Thursday at 11 am"


def test_when_one_time_needs_its_date_both_carry_one():
    starts = [window_on(day, time(11), time(12), NY).start
              for day in (date(2026, 12, 3), date(2026, 12, 8))]
    ask = ask_context(date(2026, 12, 1), retry_at=None, prospect_tz=NY, slots=starts)
    assert f"{ask['slot_a']} or {ask['slot_b']}" == "Thursday 3 Dec or Tuesday 8 Dec at 11 am"


def test_a_time_a_week_out_carries_its_date():
    start = window_on(date(2026, 12, 8), time(16), time(17), NY).start
    assert say_time(start, NY, date(2026, 12, 1)) == "Tuesday 8 Dec at 4 pm"
    assert say_time(start, NY, date(2026, 12, 2)) == "Tuesday at 4 pm"  # six days: unique
    assert say_time(start, "Europe/Berlin", date(2026, 12, 4)) == "Tuesday at 10 pm"


# -- the promised retry time -------------------------------------------------------------

def _call(day: date, *, outside=False) -> Appointment:
    window = window_on(day, time(11), time(12), NY)
    return Appointment(window.start, window.end, day, outside_hours=outside)


@pytest.mark.parametrize(("day", "promised"), [
    (date(2026, 12, 1), True), (date(2026, 12, 7), True),  # Mon + 5 business days
    (date(2026, 12, 8), False),  # six business days out: no specific time
])
def test_a_retry_is_promised_only_within_five_business_days(day, promised):
    got = promised_retry(_call(day), today=date(2026, 11, 30), calendar=BusinessCalendar())
    assert (got == _call(day).start) if promised else got is None


def test_no_retry_is_promised_outside_the_reps_hours_or_without_a_call():
    calendar = BusinessCalendar()
    assert promised_retry(_call(date(2026, 12, 1), outside=True), today=date(2026, 11, 30),
                          calendar=calendar) is None
    assert promised_retry(None, today=date(2026, 11, 30), calendar=calendar) is None


def test_the_prospects_holidays_stretch_the_five_business_days():
    holidays = BusinessCalendar(holidays=frozenset({date(2026, 12, 1)}))
    assert promised_retry(_call(date(2026, 12, 8)), today=date(2026, 11, 30),
                          calendar=holidays) is not None


# -- one question, about the agreed step ---------------------------------------------------

ISSUE_RECAP = ("Hi Dana,\n\nIn your words: \"losing six hours a week\".\n\n"
               "Would Wednesday or Thursday work for a 20-minute follow-up?\n\n"
               "To confirm what we agreed: 15-minute walkthrough with their ops lead.\n\nSam")


def test_a_question_proposing_another_meeting_than_the_agreed_step_is_flagged():
    step = "15-minute walkthrough with their ops lead"
    [problem] = competing_meetings(ISSUE_RECAP, step)
    assert problem.code == "competing_meeting" and problem.line == 5 and step in problem.message
    good = ISSUE_RECAP.replace("Would Wednesday or Thursday work for a 20-minute follow-up?",
                               "Would Wednesday at 4 pm or Thursday at 11 am suit you for it?")
    assert competing_meetings(good, step) == []
    assert competing_meetings(good.replace("for it?", "for the walkthrough?"), step) == []
    assert competing_meetings(ISSUE_RECAP, None) == []  # no step: any short call is fine
    action = competing_meetings("Could we do a quick call on Tuesday?", "send the questionnaire")
    assert [p.code for p in action] == ["competing_meeting"]


def test_check_draft_applies_it_to_the_recap_and_the_confirmation_only():
    notes = {"next_step": "15-minute walkthrough with their ops lead"}
    for kind in ("recap", "meeting_confirmation"):
        codes = [p.code for p in check_draft(kind, "Acme: x", ISSUE_RECAP, company="Acme",
                                             notes=notes)]
        assert "competing_meeting" in codes
    later = check_draft("objection", "Acme: x", ISSUE_RECAP, company="Acme", notes=notes)
    assert "competing_meeting" not in [p.code for p in later]
