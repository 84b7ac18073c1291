"""Cadences as data: the shipped YAML, a team's override file, and clear errors."""

import pytest

from bot.config import Settings, SettingsError
from bot.domain.model import CallType, Channel
from bot.services.cadences import load_cadence_book


def test_builtin_cadences_follow_the_playbook():
    book = load_cadence_book(Settings())
    post_call = book.cadences["post_call"]
    assert [s.day for s in post_call.steps] == [1, 3, 7, 14, 21, 30]
    assert {s.channel for s in post_call.steps} == {Channel.CALL}
    assert {"post_call", "post_demo", "cold_outbound", "inbound"} <= set(book.cadences)
    assert book.rules.max_calls == 6 and book.rules.nurture_days == 90
    assert all(book.for_call_type(t) for t in CallType)


def test_team_file_overrides_by_name_and_keeps_the_rest(tmp_path):
    team = tmp_path / "ours.yml"
    team.write_text(
        "rules: {max_calls: 4, not_now_days: 75}\n"
        "call_types: {cold_call: quick}\n"
        "cadences:\n"
        "  quick:\n"
        "    label: Quick\n"
        "    steps:\n"
        "      - {day: 2, channel: call, purpose: Call again}\n"
        "      - {day: 5, channel: email, purpose: Breakup}\n")
    book = load_cadence_book(Settings(cadence_file=team))
    assert book.for_call_type(CallType.COLD_CALL).name == "quick"
    assert book.for_call_type(CallType.POST_DEMO).name == "post_demo"  # untouched
    assert (book.rules.max_calls, book.rules.not_now_days) == (4, 75)


def test_environment_cap_wins_over_the_file():
    assert load_cadence_book(Settings(max_call_attempts=3)).rules.max_calls == 3


@pytest.mark.parametrize("text", [
    "cadences: {bad: {steps: [{day: 1, channel: fax, purpose: x}]}}",
    "cadences: {bad: {steps: [{day: 5, channel: call, purpose: x},"
    " {day: 1, channel: call, purpose: y}]}}",
    "call_types: {cold_call: nowhere}",
    "call_types: {telegram: post_call}",
    "rules: {max_calls: many}",
    "cadences: [unclosed",
])
def test_a_broken_team_file_is_one_clear_error(tmp_path, text):
    team = tmp_path / "bad.yml"
    team.write_text(text)
    with pytest.raises(SettingsError):
        load_cadence_book(Settings(cadence_file=team))
