"""The weekly report's numbers against a week computed by hand (tests/report_fixture.py),
on the real database; and the domain's rules on rows made up here."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.insights import (
    CallRow,
    Period,
    ProspectRow,
    Rate,
    biggest_gap,
    build,
    iso_week,
    last_seven_days,
    previous_week,
    week_label,
)
from bot.domain.model import Outcome
from bot.services.insights import team_report
from tests.report_fixture import seed_week

W48 = iso_week("2026-W48")
AS_OF = date(2026, 11, 30)


def _numbers(line):
    return (line.calls, line.conversations, line.cadence, line.meetings, line.to_meeting,
            line.recaps, line.on_day, line.overdue, line.stalled)


@pytest.fixture
def week(session_factory):
    ids = seed_week(session_factory)
    report = team_report(session_factory, "T0001", W48, as_of=AS_OF)
    lines = {report.names[line.rep_id].name: line for line in report.report.reps}
    return report, lines, ids


def test_each_reps_week_matches_the_hand_count(week):
    _, lines, _ = week
    assert _numbers(lines["Ann"]) == (9, Rate(4, 9), Rate(3, 4), 1, Rate(1, 4), Rate(1, 4),
                                      1, 2, 0)
    assert _numbers(lines["Ben"]) == (3, Rate(1, 3), Rate(1, 2), 0, Rate(0, 1), Rate(1, 1),
                                      1, 1, 1)
    assert _numbers(lines["Cid"]) == (0, Rate(0, 0), Rate(0, 0), 0, Rate(0, 0), Rate(0, 0),
                                      0, 0, 0)


def test_the_teams_week_and_its_steps_match_the_hand_count(week):
    report, _, _ = week
    r = report.report
    assert _numbers(r.team) == (12, Rate(5, 12), Rate(4, 6), 1, Rate(1, 5), Rate(2, 5),
                                2, 3, 1)
    assert r.steps == (Rate(1, 5), Rate(2, 5), Rate(2, 2), Rate(0, 0), Rate(0, 0), Rate(0, 0))
    assert [s.percent for s in r.steps[:3]] == [20, 40, 100]
    assert r.team.conversations.percent == 42 and r.team.cadence.percent == 67


def test_twelve_calls_are_too_few_to_judge_and_the_sentence_says_so(week):
    report, lines, _ = week
    assert lines["Ann"].conversations.text() == "4/9, 44%"
    assert lines["Ann"].conversations.too_few
    assert report.report.gap.startswith("12 calls logged: too few to judge")


def test_a_call_late_on_sunday_night_local_counts_in_that_week(week, session_factory):
    _, lines, _ = week
    # Ann's 23:30 Sunday call is Monday in UTC; her 00:30 Monday call is next week.
    next_week = team_report(session_factory, "T0001", iso_week("2026-W49"),
                            as_of=date(2026, 12, 7))
    ann = next(line for line in next_week.report.reps
               if next_week.names[line.rep_id].name == "Ann")
    assert (lines["Ann"].calls, ann.calls) == (9, 1)


def _calls(step_rates: list[tuple[int, int]]) -> list[CallRow]:
    """Prospect i gets call 1, 2, ...; a quarter of the conversations book a meeting."""
    rows = []
    for step, (hits, total) in enumerate(step_rates, 1):
        for i in range(total):
            outcome = ((Outcome.MEETING_BOOKED if i % 4 == 0 else Outcome.CONNECTED)
                       if i < hits else Outcome.NO_ANSWER)
            rows.append(CallRow(1, i, outcome, date(2026, 11, 24), step))
    return rows


def _reached(total: int) -> dict[int, ProspectRow]:
    return {i: ProspectRow(1, 3, True, Outcome.CONNECTED, date(2026, 11, 26), None)
            for i in range(total)}


def test_the_biggest_gap_names_the_weak_step_against_call_one():
    period = W48
    report = build(period, _calls([(10, 40), (8, 40), (4, 40)]), [], _reached(40),
                   as_of=AS_OF)
    assert report.gap == ("Call 3 connects at 10%, 40% of the team's call 1 (25%): check "
                          "the timing of that step.")
    report = build(period, _calls([(10, 40), (5, 40)]), [], _reached(40), as_of=AS_OF)
    assert report.gap.startswith("Call 2 connects at 13%, half the team's call 1 (25%)")


def test_the_gap_falls_back_to_a_rate_below_its_benchmark():
    team = build(W48, _calls([(2, 40), (2, 40)]), [], _reached(40), as_of=AS_OF).team
    assert team.conversations.percent == 5
    sentence = biggest_gap(team, (Rate(2, 40), Rate(2, 40)) + (Rate(0, 0),) * 4)
    assert sentence.startswith("Connect rate per dial is 5% (good: 8-15%)")


def test_rates_round_half_up_and_empty_rates_say_no_data():
    assert [Rate(1, 8).percent, Rate(1, 3).percent, Rate(2, 3).percent] == [13, 33, 67]
    assert Rate(0, 0).text() == "no data" and Rate(0, 0).percent is None


def test_weeks_by_iso_label_and_the_last_seven_days():
    assert (W48.start, W48.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert previous_week(date(2026, 11, 30)) == W48
    assert week_label(date(2027, 1, 1)) == "2026-W53"
    assert last_seven_days(date(2026, 11, 30)) == Period(date(2026, 11, 24),
                                                         date(2026, 11, 30), "last 7 days")
    with pytest.raises(ValueError, match="ISO week"):
        iso_week("2026-48")
