"""The cadence engine: outcome branching, the call cap, business-day landing."""

from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.domain.cadence import (
    Cadence,
    CallFacts,
    Rules,
    Step,
    Touch,
    cadence_after_call,
    default_draft,
    guard_schedule,
    next_step,
    plan_after_call,
    schedule,
    step_draft_error,
)
from bot.domain.model import Channel, DoNotCallError, Outcome, ProspectStatus
from bot.services.cadences import load_cadence_book

CALL, EMAIL = Channel.CALL, Channel.EMAIL
START = date(2026, 1, 6)  # a Tuesday
NEW_YEAR = frozenset({date(2026, 1, 1)})


def calls(*days: int) -> Cadence:
    return Cadence("calls", "Calls", tuple(Step(d, CALL, f"Call on day {d}") for d in days))


POST_CALL_DAYS = (1, 3, 7, 14, 21, 30)
POST_CALL = calls(*POST_CALL_DAYS)
# Email, call, email, call, email: like the default post-demo cadence.
MIXED = Cadence(
    "mixed",
    "Mixed",
    (
        Step(1, EMAIL, "Recap"),
        Step(3, CALL, "Call 1"),
        Step(7, EMAIL, "Case study"),
        Step(10, CALL, "Call 2"),
        Step(14, EMAIL, "Breakup"),
    ),
)


def facts(outcome=Outcome.NO_ANSWER, today=START, started_on=START, attempts=0, **kw):
    return CallFacts(outcome, today, started_on, attempts, **kw)


DEFAULT_RULES = Rules()


def walk(cadence, start, rules=DEFAULT_RULES, holidays=frozenset()):
    """Log a no-answer call on every cadence touch's due date; return every touch planned."""
    plan = plan_after_call(cadence, facts(today=start, started_on=start), rules, holidays)
    touches, attempts = [plan.next_touch], 0
    while plan.next_touch is not None and plan.next_touch.kind == "cadence":
        touch = plan.next_touch
        attempts += touch.channel is CALL
        plan = plan_after_call(
            cadence, facts(today=touch.due_on, started_on=start, attempts=attempts), rules, holidays
        )
        touches.append(plan.next_touch)
        assert len(touches) < 50, "the cadence never ends"
    return touches


# -- outcome branching -------------------------------------------------------------------

EXPECTED_STATUS = {
    Outcome.CONNECTED: ProspectStatus.ACTIVE,
    Outcome.VOICEMAIL: ProspectStatus.ACTIVE,
    Outcome.NO_ANSWER: ProspectStatus.ACTIVE,
    Outcome.GATEKEEPER: ProspectStatus.ACTIVE,
    Outcome.WRONG_NUMBER: ProspectStatus.ACTIVE,
    Outcome.MEETING_BOOKED: ProspectStatus.MEETING_BOOKED,
    Outcome.NOT_INTERESTED: ProspectStatus.CLOSED,
    Outcome.NOT_NOW: ProspectStatus.NURTURE,
    Outcome.DO_NOT_CALL: ProspectStatus.DO_NOT_CALL,
}


def test_every_outcome_has_an_expected_branch():
    assert set(EXPECTED_STATUS) == set(Outcome)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_status_per_outcome(outcome):
    assert plan_after_call(MIXED, facts(outcome)).status is EXPECTED_STATUS[outcome]


@pytest.mark.parametrize("outcome", [Outcome.CONNECTED, Outcome.VOICEMAIL, Outcome.NO_ANSWER])
def test_continuing_outcomes_schedule_the_next_step(outcome):
    plan = plan_after_call(POST_CALL, facts(outcome))
    assert plan.status is ProspectStatus.ACTIVE
    assert plan.cancel_pending and not plan.stop_calls and not plan.needs_verified_number
    assert plan.next_touch == Touch(date(2026, 1, 7), CALL, "Call on day 1", 0, attempt=1)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.MEETING_BOOKED, ProspectStatus.MEETING_BOOKED),
        (Outcome.NOT_INTERESTED, ProspectStatus.CLOSED),
        (Outcome.DO_NOT_CALL, ProspectStatus.DO_NOT_CALL),
    ],
)
def test_ending_outcomes_cancel_everything_and_schedule_nothing(outcome, status):
    plan = plan_after_call(MIXED, facts(outcome, today=date(2026, 1, 9), attempts=1))
    assert plan.status is status
    assert plan.next_touch is None
    assert plan.cancel_pending


def test_not_right_now_pauses_with_one_re_engagement_touch_on_a_business_day():
    plan = plan_after_call(POST_CALL, facts(Outcome.NOT_NOW, today=date(2026, 1, 7)))
    assert plan.status is ProspectStatus.NURTURE
    assert plan.cancel_pending
    # Wed 7 Jan + 60 days is Sunday 8 March: the touch moves to Monday 9 March.
    assert plan.next_touch == Touch(
        date(2026, 3, 9), CALL, plan.next_touch.purpose, -1, None, "re_engage"
    )
    assert "60 days" in plan.reason


def test_not_right_now_follows_the_rules():
    rules = Rules(not_now_days=90, not_now_channel=EMAIL)
    touch = plan_after_call(POST_CALL, facts(Outcome.NOT_NOW), rules).next_touch
    assert (touch.due_on, touch.channel) == (date(2026, 4, 6), EMAIL)  # Tue 6 Jan + 90 = Mon


def test_wrong_number_skips_calls_and_keeps_emails():
    plan = plan_after_call(MIXED, facts(Outcome.WRONG_NUMBER, today=date(2026, 1, 7)))
    assert plan.status is ProspectStatus.ACTIVE
    assert plan.stop_calls and plan.needs_verified_number and plan.cancel_pending
    # The day-3 call is skipped; the day-7 email is next.
    assert plan.next_touch == Touch(date(2026, 1, 13), EMAIL, "Case study", 2, None)


def test_wrong_number_with_no_email_left_schedules_nothing():
    assert plan_after_call(POST_CALL, facts(Outcome.WRONG_NUMBER)).next_touch is None
    late = facts(Outcome.WRONG_NUMBER, today=date(2026, 1, 20), attempts=2)  # day 14
    plan = plan_after_call(MIXED, late)
    assert plan.next_touch is None and plan.stop_calls and plan.needs_verified_number


def test_a_prospect_already_flagged_for_a_number_gets_no_calls():
    plan = plan_after_call(MIXED, facts(Outcome.VOICEMAIL, needs_verified_number=True))
    assert plan.stop_calls and plan.needs_verified_number
    assert plan.next_touch.channel is EMAIL
    assert all(
        plan_after_call(POST_CALL, facts(o, needs_verified_number=True)).next_touch is None
        for o in (Outcome.CONNECTED, Outcome.VOICEMAIL, Outcome.NO_ANSWER)
    )


@pytest.mark.parametrize("outcome", list(Outcome))
def test_do_not_call_flag_wins_over_any_outcome(outcome):
    plan = plan_after_call(MIXED, facts(outcome, do_not_call=True))
    assert plan.status is ProspectStatus.DO_NOT_CALL
    assert plan.next_touch is None
    assert plan.cancel_pending


def test_guard_schedule():
    with pytest.raises(DoNotCallError):
        guard_schedule(True)
    assert guard_schedule(False) is None


# -- the call cap and the walk through a cadence -----------------------------------------


def test_default_post_call_cadence_is_six_calls_on_the_playbook_days():
    book = load_cadence_book(Settings())
    cadence = book.cadences["post_call"]
    assert [(s.day, s.channel) for s in cadence.steps] == [(d, CALL) for d in POST_CALL_DAYS]
    assert book.rules.max_calls == 6 and book.rules.nurture_days == 90


def test_walking_the_default_cadence_makes_six_calls_then_a_90_day_nurture():
    cadence = load_cadence_book(Settings()).cadences["post_call"]
    touches = walk(cadence, START)
    *call_touches, nurture = touches
    assert [t.due_on for t in call_touches] == [
        date(2026, 1, 7),
        date(2026, 1, 9),
        date(2026, 1, 13),
        date(2026, 1, 20),
        date(2026, 1, 27),
        date(2026, 2, 5),
    ]
    assert [t.attempt for t in call_touches] == [1, 2, 3, 4, 5, 6]
    assert all(t.channel is CALL and t.kind == "cadence" for t in call_touches)
    assert nurture.kind == "nurture" and nurture.channel is EMAIL
    assert (nurture.step, nurture.attempt) == (-1, None)
    assert nurture.due_on == date(2026, 5, 6)  # Thu 5 Feb + 90 days, a Wednesday


def test_the_cap_stops_calls_even_when_the_cadence_has_more():
    touches = walk(calls(1, 3, 5, 7, 9, 11, 13, 15, 17), START)
    call_touches = [t for t in touches if t.channel is CALL]
    assert [t.attempt for t in call_touches] == [1, 2, 3, 4, 5, 6]
    assert touches[-1].kind == "nurture"
    last = plan_after_call(POST_CALL, facts(today=date(2026, 2, 5), attempts=6))
    assert last.status is ProspectStatus.NURTURE
    assert "6 calls without an answer" in last.reason


def test_a_smaller_cap_nurtures_after_the_third_call():
    touches = walk(POST_CALL, START, Rules(max_calls=3))
    assert [t.attempt for t in touches[:-1]] == [1, 2, 3]
    assert touches[-1].kind == "nurture"
    assert touches[-1].due_on == date(2026, 4, 13)  # Tue 13 Jan + 90 = Mon 13 Apr


def test_no_seventh_call_even_if_attempts_overshoot():
    plan = plan_after_call(calls(1, 3, 40), facts(today=date(2026, 1, 9), attempts=7))
    assert plan.next_touch.kind == "nurture"
    assert plan.next_touch.channel is EMAIL


def test_capped_calls_still_let_email_steps_through():
    plan = plan_after_call(MIXED, facts(today=date(2026, 1, 9), attempts=1), Rules(max_calls=1))
    assert plan.status is ProspectStatus.ACTIVE
    assert plan.next_touch == Touch(date(2026, 1, 13), EMAIL, "Case study", 2, None)
    # After the day-7 email, the day-10 call is skipped and the day-14 email follows.
    touch = next_step(MIXED, facts(today=date(2026, 1, 13), attempts=1), Rules(max_calls=1))
    assert (touch.due_on, touch.purpose) == (date(2026, 1, 20), "Breakup")


def test_a_short_cadence_ends_in_nurture_because_it_is_complete():
    plan = plan_after_call(calls(1, 3), facts(today=date(2026, 1, 9), attempts=2))
    assert plan.status is ProspectStatus.NURTURE
    assert plan.next_touch.kind == "nurture"
    assert "complete" in plan.reason


def test_attempt_numbers_count_only_calls():
    first = next_step(MIXED, facts(), Rules())
    assert (first.channel, first.attempt) == (EMAIL, None)
    second = next_step(MIXED, facts(today=date(2026, 1, 7)), Rules())
    assert (second.channel, second.attempt, second.step) == (CALL, 1, 1)


# -- landing on business days ------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "today", "holidays", "expected"),
    [
        # Wed 7 Jan + 3 = Sat 10 Jan -> Mon 12 Jan.
        (date(2026, 1, 7), date(2026, 1, 8), frozenset(), date(2026, 1, 12)),
        # Month end: Thu 29 Jan + 3 = Sun 1 Feb -> Mon 2 Feb.
        (date(2026, 1, 29), date(2026, 1, 30), frozenset(), date(2026, 2, 2)),
        # Year end: Mon 29 Dec + 3 = Thu 1 Jan, a holiday -> Fri 2 Jan.
        (date(2025, 12, 29), date(2025, 12, 30), NEW_YEAR, date(2026, 1, 2)),
    ],
)
def test_steps_on_weekends_and_holidays_roll_forward(started, today, holidays, expected):
    touch = next_step(
        POST_CALL, facts(today=today, started_on=started, attempts=1), Rules(), holidays
    )
    assert (touch.step, touch.due_on, touch.attempt) == (1, expected, 2)


def test_first_step_on_new_years_day_rolls_to_the_second():
    eve = date(2025, 12, 31)
    plan = plan_after_call(POST_CALL, facts(today=eve, started_on=eve), Rules(), NEW_YEAR)
    assert plan.next_touch.due_on == date(2026, 1, 2)


def test_a_late_call_skips_the_steps_already_past():
    # The rep logs the first follow-up on day 10 (Fri 16 Jan) instead of day 1.
    touch = next_step(POST_CALL, facts(today=date(2026, 1, 16), attempts=1), Rules())
    assert (touch.step, touch.due_on, touch.attempt) == (3, date(2026, 1, 20), 2)


def test_a_call_logged_on_the_due_date_moves_to_the_following_step():
    touch = next_step(POST_CALL, facts(today=date(2026, 1, 7), attempts=1), Rules())
    assert (touch.step, touch.due_on) == (1, date(2026, 1, 9))


def test_a_friday_start_still_makes_six_follow_up_calls():
    # Day 1 (Sat) and day 3 (Sun) both roll to Monday: neither step may be lost.
    touches = walk(POST_CALL, date(2026, 1, 9))
    call_touches = [t for t in touches if t.channel is CALL]
    assert [t.attempt for t in call_touches] == [1, 2, 3, 4, 5, 6]
    assert [t.step for t in call_touches] == [0, 1, 2, 3, 4, 5]
    # ...and the second keeps its two-day spacing: Mon 12, then Wed 14 Jan, never daily.
    assert [t.due_on for t in call_touches[:2]] == [date(2026, 1, 12), date(2026, 1, 14)]


def test_touch_dates_strictly_increase_whatever_the_start_day():
    for offset in range(7):
        start = START + timedelta(days=offset)
        dates = [t.due_on for t in walk(POST_CALL, start)]
        assert dates == sorted(set(dates)), start
        assert all(d.weekday() < 5 for d in dates), start


@pytest.mark.parametrize(
    "steps",
    [(), (Step(3, CALL, "a"), Step(1, CALL, "b")), (Step(-1, CALL, "a"),)],
)
def test_malformed_cadences_are_rejected(steps):
    with pytest.raises(ValueError):
        Cadence("bad", "Bad", steps)


# -- drafts named by the step, cold and warm cadences --------------------------------------

WARM = Cadence("warm", "Warm", (
    Step(2, EMAIL, "Value-add", "value_add"),
    Step(7, EMAIL, "Objection", "objection"),
    Step(14, CALL, "Call"),
), first_gap=2)
COLD = Cadence("cold", "Cold", (
    Step(1, EMAIL, "Intro", "intro"),
    Step(3, Channel.LINKEDIN, "Note", "linkedin_note"),
    Step(4, CALL, "Call 1"),
), after_connect="warm")
BOOK = {"warm": WARM, "cold": COLD, "calls": POST_CALL}


def test_the_touch_carries_its_steps_draft():
    assert next_step(COLD, facts(), Rules()).draft == "intro"
    assert next_step(COLD, facts(today=date(2026, 1, 7)), Rules()).draft == "linkedin_note"
    assert next_step(COLD, facts(today=date(2026, 1, 9)), Rules()).draft is None  # a call


def test_generated_touches_carry_the_draft_of_their_channel():
    nurture = plan_after_call(calls(1), facts(today=date(2026, 1, 7), attempts=1)).next_touch
    assert (nurture.kind, nurture.channel, nurture.draft) == ("nurture", EMAIL, "nurture")
    again = plan_after_call(POST_CALL, facts(Outcome.NOT_NOW)).next_touch
    assert (again.kind, again.channel, again.draft) == ("re_engage", CALL, None)
    rules = Rules(not_now_channel=Channel.LINKEDIN)
    note = plan_after_call(POST_CALL, facts(Outcome.NOT_NOW), rules).next_touch
    assert note.draft == "linkedin_note"


@pytest.mark.parametrize(("channel", "draft", "error"), [
    (EMAIL, None, None), (CALL, None, None), (Channel.OTHER, "value_add", None),
    (EMAIL, "social_proof", None), (Channel.LINKEDIN, "linkedin_note", None),
    (EMAIL, "sales_pitch", "unknown draft 'sales_pitch'"),
    (EMAIL, "recap", "unknown draft 'recap'"),  # the call's own email, never a step's
    (CALL, "value_add", "a call step takes no draft"),
    (EMAIL, "linkedin_note", "an email step needs an email draft"),
    (Channel.LINKEDIN, "intro", "a LinkedIn step uses linkedin_note"),
])
def test_which_draft_a_step_may_name(channel, draft, error):
    found = step_draft_error(channel, draft)
    assert (found is None) if error is None else error in found


def test_default_drafts_by_channel():
    assert [default_draft(c) for c in Channel] == [None, "value_add", "linkedin_note", None]


def test_a_conversation_on_a_cold_cadence_moves_to_the_warm_one_started_that_day():
    today = date(2026, 1, 8)
    placed = cadence_after_call(BOOK, COLD, START, Outcome.CONNECTED, today)
    assert (placed.cadence, placed.started_on, placed.restarted) == (WARM, today, True)


@pytest.mark.parametrize("cadence", [WARM, POST_CALL])
def test_a_conversation_on_a_warm_cadence_continues_it(cadence):
    placed = cadence_after_call(BOOK, cadence, START, Outcome.CONNECTED, date(2026, 1, 20))
    assert (placed.cadence, placed.started_on, placed.restarted) == (cadence, START, False)


@pytest.mark.parametrize("outcome", [o for o in Outcome if o is not Outcome.CONNECTED])
def test_only_a_conversation_moves_a_cold_cadence(outcome):
    placed = cadence_after_call(BOOK, COLD, START, outcome, date(2026, 1, 8))
    assert (placed.cadence, placed.started_on, placed.restarted) == (COLD, START, False)


def test_a_handover_to_a_missing_cadence_is_an_error():
    with pytest.raises(ValueError, match="unknown cadence 'warm'"):
        cadence_after_call({"cold": COLD}, COLD, START, Outcome.CONNECTED, START)


def test_after_a_move_the_next_touch_is_the_warm_value_add_two_business_days_on():
    thursday = date(2026, 1, 8)
    placed = cadence_after_call(BOOK, COLD, START, Outcome.CONNECTED, thursday)
    plan = plan_after_call(placed.cadence, facts(Outcome.CONNECTED, thursday, placed.started_on))
    assert plan.next_touch == Touch(date(2026, 1, 12), EMAIL, "Value-add", 0, None,
                                    draft="value_add")  # Thu + 2 business days = Mon


@pytest.mark.parametrize(("start", "first"), [
    (date(2026, 1, 5), date(2026, 1, 7)),  # Mon -> Wed (day 2)
    (date(2026, 1, 8), date(2026, 1, 12)),  # Thu -> Sat, rolls to Mon
    (date(2026, 1, 9), date(2026, 1, 13)),  # Fri -> Sun would roll to Mon: 1 business day
    (date(2026, 1, 10), date(2026, 1, 13)),  # Sat -> Mon is not a business day's wait
])
def test_first_gap_holds_the_first_touch_back(start, first):
    assert schedule(WARM, start)[0] == first
    # Without the gap the Friday start would land on Monday, the very next business day.
    plain = Cadence("plain", "Plain", WARM.steps)
    assert schedule(plain, date(2026, 1, 9))[0] == date(2026, 1, 12)


def test_first_gap_counts_holidays():
    # Thu 31 Dec 2026: Fri 1 Jan is a holiday, so 2 business days on is Tue 5 Jan.
    assert schedule(WARM, date(2026, 12, 31), frozenset({date(2027, 1, 1)}))[0] == date(
        2027, 1, 5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"first_gap": -1}, "first_gap"), ({"after_connect": "bad"}, "itself"),
])
def test_bad_cadence_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Cadence("bad", "Bad", (Step(1, CALL, "a"),), **kwargs)
