"""The pure draft rules: word count, asks, empty phrases, subject, markup, hints, kinds."""

from __future__ import annotations

import pytest

from bot.domain.drafts import (
    EMPTY_PHRASES,
    KINDS,
    NOTE_LIMIT,
    Problem,
    blank_gaps,
    check_draft,
    check_note,
    count_asks,
    drafts_after_call,
    leftover_markup,
    missing_notes,
    word_count,
)
from bot.domain.model import Outcome

GOOD = "Hi Dana,\n\nHere is the benchmark: [link]\n\nWould Tuesday or Thursday work?\n\nSam"


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


@pytest.mark.parametrize(("text", "count"), [
    ("", 0), ("One two  three", 3), ("month-end close, don't stop.", 4),
    ("Here: [link] (3.5 days)", 4), ("\n\n  \n", 0),
])
def test_word_count(text, count):
    assert word_count(text) == count


@pytest.mark.parametrize(("body", "count"), [
    ("No question here.", 0),
    ("Would Tuesday or Thursday work?", 1),
    ("Tuesday? Or Thursday?", 2),
    ("Really?? Yes.", 1),
    ("Is this a fit (or not?)", 1),
    ("See https://example.com/?a=1&b=2 for the data.", 0),
    ('You asked "why does close take nine days?" and I have an answer.', 0),
    ('You asked “why nine days?” Would Tuesday work?', 1),
    ("First line?\nSecond line?\n", 2),
])
def test_count_asks(body, count):
    assert count_asks(body) == count


def test_a_good_draft_has_no_problems():
    assert check_draft("recap", "Acme: close time", GOOD, company="Acme") == []
    assert check_draft("recap", "Close time", GOOD, company=None) == []
    assert check_draft("recap", "Close time", GOOD, company="  ") == []


def test_recap_and_breakup_word_limits():
    long_body = GOOD + "\n" + "word " * 140
    assert "too_long" in codes(check_draft("recap", "Acme", long_body, company="Acme"))
    assert "too_long" in codes(check_draft("breakup", "Acme", long_body, company="Acme"))
    assert "too_long" not in codes(check_draft("value_add", "Acme", long_body, company="Acme"))
    assert "too_long" not in codes(check_draft("breakup", "Acme", GOOD + " x" * 100,
                                               company="Acme"))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_needs_exactly_one_ask(kind):
    none = check_draft(kind, "Acme", "Here is the data: [link]", company="Acme")
    assert codes(none) == ["no_ask"]
    two = check_draft(kind, "Acme", "Hello\nDid you see it?\nWould Tuesday work?",
                      company="Acme")
    assert codes(two) == ["too_many_asks"]
    assert two[0].line == 3 and "2 questions" in two[0].message


@pytest.mark.parametrize("phrase", EMPTY_PHRASES)
def test_empty_phrases_are_reported_with_their_line(phrase):
    body = f"Hello,\n\n{phrase.upper()} about the benchmark.\n\nTuesday or Thursday?"
    problems = check_draft("value_add", "Acme", body, company="Acme")
    assert codes(problems) == ["empty_phrase"]
    assert problems[0].line == 3 and phrase in problems[0].message
    in_subject = check_draft("value_add", f"Acme: {phrase}", GOOD, company="Acme")
    assert codes(in_subject) == ["empty_phrase_subject"]


def test_subject_must_name_the_company_case_insensitively():
    assert codes(check_draft("recap", "Close time", GOOD, company="Acme")) == ["subject_company"]
    assert check_draft("recap", "ACME: close time", GOOD, company="Acme") == []


def test_leftover_markup_finds_unrendered_jinja():
    assert leftover_markup("Hello Dana,\nAll rendered {fine}.") == []
    found = leftover_markup("Hello {{ prospect.first_name }},\n\n{% if x %}\n{# note #}")
    assert [problem.line for problem in found] == [1, 1, 3, 3, 4]
    assert all(problem.code == "leftover_markup" for problem in found)


@pytest.mark.parametrize(("text", "bad"), [
    ("Hi ,", True), ("for  in 2026", True), ("Here is the  I mentioned", True),
    ('about ""', True), ("see ()", True), ("ends .", True),
    ("Hi Dana,", False), ("1. First item\n  indented line", False), ("A (real) note.", False),
])
def test_blank_gaps(text, bad):
    assert bool(blank_gaps(text)) is bad


def test_missing_notes_hints():
    empty = dict.fromkeys(("pain_point", "objection", "next_step", "personal_detail",
                           "resource_promised"), "")
    recap = missing_notes("recap", empty)
    assert recap[0] == "Add their pain point (in their words) to personalise the opening."
    assert not any("resource" in hint for hint in recap)
    assert missing_notes("recap", {"pain_point": "slow close", "next_step": "demo"}) == []
    assert missing_notes("recap", {"pain_point": "   ", "next_step": None})[0].startswith(
        "Add their pain point")
    assert any("objection" in hint for hint in missing_notes("objection", empty))
    assert missing_notes("objection", {"objection": "too pricey"}) == []
    assert missing_notes("breakup", empty) == []
    assert missing_notes("unknown_kind", empty) == []


@pytest.mark.parametrize(("outcome", "own"), [
    ("connected", ["recap"]), ("meeting_booked", ["meeting_confirmation"]),
    ("voicemail", ["voicemail"]), ("no_answer", []), ("wrong_number", []), ("not_now", []),
    ("not_interested", []), ("do_not_call", []),
])
def test_drafts_after_call_for_every_outcome_without_a_next_email(outcome, own):
    assert drafts_after_call(outcome, None, False) == own


def test_every_outcome_is_covered():
    for outcome in Outcome:
        drafts_after_call(outcome.value, None, False)
    with pytest.raises(ValueError):
        drafts_after_call("bounced", None, False)


@pytest.mark.parametrize(("draft", "final", "expected"), [
    ("breakup", False, "breakup"), ("value_add", True, "breakup"),
    ("objection", False, "objection"), ("social_proof", False, "social_proof"),
    ("intro", False, "intro"), ("nurture", False, "nurture"), ("nurture", True, "breakup"),
])
def test_the_next_email_steps_own_draft_follows_the_outcomes(draft, final, expected):
    assert drafts_after_call("connected", draft, final) == ["recap", expected]
    assert drafts_after_call("no_answer", draft, final) == [expected]
    assert drafts_after_call("wrong_number", draft, final) == [expected]


def test_a_linkedin_note_or_a_call_is_not_an_email_draft():
    assert drafts_after_call("voicemail", "linkedin_note", False) == ["voicemail"]
    assert drafts_after_call("voicemail", None, False) == ["voicemail"]


def test_the_final_touch_offers_the_breakup_whatever_its_channel():
    assert drafts_after_call("no_answer", None, True) == ["breakup"]
    assert drafts_after_call("connected", None, True) == ["recap", "breakup"]
    assert drafts_after_call("no_answer", None, False) == []


def test_no_duplicates_and_no_later_step_after_the_cadence_ends():
    assert drafts_after_call("meeting_booked", "breakup", True) == ["meeting_confirmation"]
    assert drafts_after_call("not_interested", "value_add", False) == []
    assert drafts_after_call("connected", "value_add", False) == ["recap", "value_add"]


# -- the step names its draft -------------------------------------------------------------

@pytest.mark.parametrize(("draft", "expected"), [
    ("intro", "intro"), ("social_proof", "social_proof"), ("value_add", "value_add"),
    ("objection", "objection"), ("breakup", "breakup"), ("nurture", "nurture"),
    ("linkedin_note", None), (None, None),  # a note is not an email; a call has none
])
def test_the_next_touchs_own_draft_follows_the_outcomes_email(draft, expected):
    later = [expected] if expected else []
    assert drafts_after_call("connected", draft, False) == ["recap", *later]
    assert drafts_after_call("no_answer", draft, False) == later
    assert drafts_after_call("voicemail", draft, True) == ["voicemail", "breakup"]
    assert drafts_after_call("meeting_booked", draft, True) == ["meeting_confirmation"]
    assert drafts_after_call("do_not_call", draft, True) == []


# -- the LinkedIn note ---------------------------------------------------------------------

NOTE = "Hi Dana,\n\nI noticed the warehouse opening in Leeds. Glad to connect here.\n\nSam"


def test_a_good_note_passes_and_needs_no_subject_or_ask():
    assert check_draft("linkedin_note", "", NOTE, company="Northwind") == []
    assert check_note(NOTE) == []


def test_a_note_stays_within_300_characters():
    assert check_note("x" * NOTE_LIMIT) == []
    [problem] = check_note("x" * (NOTE_LIMIT + 1))
    assert problem.code == "too_long" and "301 characters" in problem.message


def test_a_note_asks_nothing():
    problems = check_note("Hi Dana,\n\nGlad to connect.\nWould Tuesday work?")
    assert codes(problems) == ["note_ask"] and problems[0].line == 4
    assert codes(check_note("Tuesday? Or Thursday?")) == ["note_ask"]  # reported once


@pytest.mark.parametrize("pitch", ["[link]", "https://x.io", "a quick demo", "our pricing",
                                   "our platform", "a free trial"])
def test_a_note_makes_no_pitch(pitch):
    problems = check_note(f"Hi Dana,\n\nGlad to connect; here is {pitch}.")
    assert codes(problems) == ["note_pitch"] and problems[0].line == 3


def test_a_note_has_no_empty_phrase():
    assert codes(check_note("Hi,\nJust checking in.")) == ["empty_phrase"]
    assert missing_notes("linkedin_note", {"personal_detail": ""})[0].startswith(
        "Add a personal detail")


# -- issue 16: more checks ----------------------------------------------------------------

def test_a_repeated_sentence_is_reported_where_it_comes_again():
    body = ("Hi Dana,\n\nHere is the close-time benchmark. It shows five days.\n\n"
            "Here is the close-time benchmark.\nWould Tuesday work?")
    [problem] = [p for p in check_draft("value_add", "Acme", body, company="Acme")
                 if p.code == "repeated_sentence"]
    assert problem.line == 5 and "said twice" in problem.message
    assert "repeated_sentence" not in codes(check_draft("value_add", "Acme", GOOD,
                                                        company="Acme"))


def test_blanks_to_fill_are_counted():
    from bot.domain.drafts import blanks, blanks_label

    body = "Here: [link]\n\n[Your answer in two sentences.]\n\nWould Tuesday work?"
    assert blanks(body) == ["[link]", "[Your answer in two sentences.]"]
    assert blanks_label(len(blanks(body))) == "2 blanks to fill"
    assert blanks_label(1) == "1 blank to fill" and blanks_label(0) == ""
    assert blanks("No blanks (really) here.") == []


@pytest.mark.parametrize(("subject", "code"), [
    ("Acme: losing six hours a week on...", "subject_cut"),
    ("Acme: a demo for", "subject_cut"),
    ("Acme: " + "long words here " * 4, "subject_long"),
])
def test_a_subject_cut_mid_phrase_or_too_long_is_reported(subject, code):
    assert code in codes(check_draft("recap", subject, GOOD, company="Acme"))


def test_too_long_names_the_note_to_shorten():
    notes = {"pain_point": "word " * 90, "objection": "too pricey", "next_step": ""}
    body = GOOD + "\n" + "word " * 150
    [problem] = [p for p in check_draft("recap", "Acme", body, company="Acme", notes=notes)
                 if p.code == "too_long"]
    assert "Shorten the pain point note (90 words)." in problem.message
    note = check_note("x " * 200, {"personal_detail": "a very long detail " * 20})
    assert "Shorten the personal detail note (80 words)." in note[0].message


def test_a_question_mark_in_a_note_is_named():
    body = "Hi,\n\nWe agreed: can we demo thu? Does that work?\n\nSam"
    [problem] = [p for p in check_draft("recap", "Acme", body, company="Acme",
                                        notes={"next_step": "can we demo thu?"})
                 if p.code == "too_many_asks"]
    assert "the next step note asks one" in problem.message


def test_the_prospects_company_is_never_a_pitch_in_a_note():
    note = "Hi Owen,\n\nGlad to connect and follow what Price Auto is working on.\n\nSam"
    assert check_note(note, company="Price Auto") == []
    assert codes(check_note(note)) == ["note_pitch"]
    assert check_draft("linkedin_note", "", note, company="Price Auto") == []
    assert codes(check_note(note + "\nSee our pricing.", company="Price Auto")) == ["note_pitch"]
