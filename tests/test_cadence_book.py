"""Cadences as data: the shipped YAML, a team's override file, and clear errors."""

from datetime import date, timedelta

import pytest

from bot.config import Settings, SettingsError
from bot.domain.cadence import schedule
from bot.domain.calendar import add_business_days
from bot.domain.model import CallType, Channel
from bot.services.cadences import BUILTIN, load_cadence_book, missing_drafts
from bot.services.template_checks import check_templates


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


# -- drafts named by the steps; cold and warm cadences -------------------------------------

BUILTIN_BOOK = load_cadence_book(Settings())
TEAM_STEPS = (
    "cadences:\n"
    "  quick:\n"
    "    label: Quick\n"
    "    steps:\n"
    "      - {day: 1, channel: call, purpose: Call}\n"
    "      - {day: 2, channel: email, purpose: Something new}\n"
    "      - {day: 4, channel: linkedin, purpose: Connect}\n"
    "      - {day: 6, channel: other, purpose: Send a gift}\n"
    "      - {day: 9, channel: email, purpose: Last note, draft: breakup}\n"
)


def drafts(cadence):
    return [(s.channel.value, s.draft) for s in cadence.steps]


def test_builtin_steps_name_their_drafts_explicitly():
    assert missing_drafts(BUILTIN) == []  # no step relies on a default
    assert drafts(BUILTIN_BOOK.cadences["cold_outbound"]) == [
        ("email", "intro"), ("linkedin", "linkedin_note"), ("call", None), ("email", "value_add"),
        ("call", None), ("email", "social_proof"), ("call", None), ("call", None),
        ("email", "breakup")]
    assert drafts(BUILTIN_BOOK.cadences["post_demo"])[2] == ("email", "social_proof")
    assert drafts(BUILTIN_BOOK.cadences["post_proposal"])[1] == ("email", "objection")


def test_cold_cadences_hand_a_conversation_to_the_warm_one():
    cold = {n for n, c in BUILTIN_BOOK.cadences.items() if not c.warm}
    assert cold == {"cold_outbound", "inbound"}
    assert {BUILTIN_BOOK.cadences[n].after_connect for n in cold} == {"warm_post_call"}
    assert {"post_call", "post_demo", "post_proposal", "warm_post_call"} <= {
        n for n, c in BUILTIN_BOOK.cadences.items() if c.warm}


def test_the_warm_cadence_follows_the_playbook():
    warm = BUILTIN_BOOK.cadences["warm_post_call"]
    # The recap is the call's own email; then value-add, objection, call, social proof,
    # breakup.
    assert drafts(warm) == [("email", "value_add"), ("email", "objection"), ("call", None),
                            ("email", "social_proof"), ("email", "breakup")]
    assert warm.first_gap == 2


@pytest.mark.parametrize("offset", range(7))
def test_the_warm_cadence_waits_two_business_days_and_is_never_daily(offset):
    start = date(2026, 1, 5) + timedelta(days=offset)
    dates = schedule(BUILTIN_BOOK.cadences["warm_post_call"], start)
    after_start = [add_business_days(start, 2)] + [add_business_days(d, 2) for d in dates[:-1]]
    assert all(due >= earliest for due, earliest in zip(dates, after_start, strict=True)), dates


def test_a_team_step_without_a_draft_gets_its_channels_default_and_a_warning(tmp_path):
    team = tmp_path / "ours.yml"
    team.write_text(TEAM_STEPS)
    quick = load_cadence_book(Settings(cadence_file=team)).cadences["quick"]
    assert drafts(quick) == [("call", None), ("email", "value_add"),
                             ("linkedin", "linkedin_note"), ("other", None),
                             ("email", "breakup")]
    warnings = check_templates(None, cadence_file=team)
    assert warnings == [
        f"{team}:6: warning: cadence 'quick', step 2 (day 2, email) names no draft, so it "
        "uses value_add; add draft: to choose one.",
        f"{team}:7: warning: cadence 'quick', step 3 (day 4, linkedin) names no draft, so "
        "it uses linkedin_note; add draft: to choose one."]
    assert check_templates(None, cadence_file=BUILTIN) == []


@pytest.mark.parametrize(("step", "error"), [
    ("{day: 2, channel: email, purpose: x, draft: pitch}", "unknown draft 'pitch'"),
    ("{day: 2, channel: call, purpose: x, draft: intro}", "a call step takes no draft"),
    ("{day: 2, channel: email, purpose: x, draft: linkedin_note}", "needs an email draft"),
])
def test_a_bad_draft_names_the_file_the_cadence_and_the_step(tmp_path, step, error):
    team = tmp_path / "ours.yml"
    team.write_text("cadences:\n  quick:\n    steps:\n"
                    "      - {day: 1, channel: call, purpose: Call}\n"
                    f"      - {step}\n")
    with pytest.raises(SettingsError) as raised:
        load_cadence_book(Settings(cadence_file=team))
    message = str(raised.value)
    assert str(team) in message and "cadence 'quick', step 2 (day 2" in message
    assert error in message
    # `templates check` reports it as a line instead of crashing.
    assert check_templates(None, cadence_file=team) == [message]


@pytest.mark.parametrize(("after", "error"), [
    ("nowhere", "names unknown cadence 'nowhere'"),
    ("cold_outbound", "must name a warm cadence"),
])
def test_a_bad_handover_is_one_clear_error(tmp_path, after, error):
    team = tmp_path / "ours.yml"
    team.write_text(f"cadences:\n  quick:\n    after_connect: {after}\n    steps:\n"
                    "      - {day: 1, channel: call, purpose: Call}\n")
    with pytest.raises(SettingsError, match=error) as raised:
        load_cadence_book(Settings(cadence_file=team))
    assert str(team) in str(raised.value) and "cadence 'quick'" in str(raised.value)


def test_a_team_cold_cadence_can_hand_over_to_the_builtin_warm_one(tmp_path):
    team = tmp_path / "ours.yml"
    team.write_text("call_types: {cold_call: quick}\ncadences:\n  quick:\n"
                    "    after_connect: warm_post_call\n    first_gap: 1\n    steps:\n"
                    "      - {day: 1, channel: call, purpose: Call}\n")
    quick = load_cadence_book(Settings(cadence_file=team)).for_call_type(CallType.COLD_CALL)
    assert (quick.warm, quick.after_connect, quick.first_gap) == (False, "warm_post_call", 1)


def test_the_draft_of_a_stored_touch():
    book = BUILTIN_BOOK
    assert book.draft_of("cold_outbound", 0, Channel.EMAIL) == "intro"
    assert book.draft_of("cold_outbound", 1, Channel.LINKEDIN) == "linkedin_note"
    assert book.draft_of("cold_outbound", 2, Channel.CALL) is None
    assert book.draft_of("post_call", -1, Channel.EMAIL) == "nurture"  # a nurture touch
    assert book.draft_of("gone", 3, Channel.EMAIL) == "value_add"  # the channel's default
    assert book.draft_of("post_call", 0, Channel.EMAIL) == "value_add"  # the step changed
    assert book.draft_of(None, 0, Channel.LINKEDIN) == "linkedin_note"
