"""The built-in email templates render cleanly with full and empty notes, user text stays
data, team templates override by name and fall back when broken, check_templates reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain.drafts import (
    ALL_KINDS,
    EMPTY_PHRASES,
    KINDS,
    NOTE_LIMIT,
    blank_gaps,
    check_draft,
    leftover_markup,
)
from bot.services.draft_templates import BUILTIN_DIR, SAMPLE, DraftRenderer
from bot.services.template_checks import check_templates

FULL = SAMPLE["notes"]
EMPTY = dict.fromkeys(FULL, "")
PAIN = FULL["pain_point"]
COMPANY = SAMPLE["prospect"]["company"]
HOLES = (" ,", "  ", "for  ", "Hi ,", " .", '""', "()", "{{", "{%")


def render(kind, notes=FULL, *, renderer=None, prospect=None, rep=None, ask=None):
    renderer = renderer or DraftRenderer()
    return renderer.render(kind, prospect=SAMPLE["prospect"] if prospect is None else prospect,
                           rep=SAMPLE["rep"] if rep is None else rep, notes=notes,
                           ask=SAMPLE["ask"] if ask is None else ask)


def test_every_kind_has_a_subject_and_a_body_file():
    for kind in KINDS:
        assert (BUILTIN_DIR / f"{kind}.subject.txt").is_file()
        assert (BUILTIN_DIR / f"{kind}.body.txt").is_file()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("notes", [FULL, EMPTY], ids=["full", "empty"])
def test_builtin_renders_pass_every_check(kind, notes):
    draft = render(kind, notes)
    assert draft.problems == []
    assert check_draft(kind, draft.subject, draft.body, company=COMPANY) == []
    assert not draft.used_builtin_fallback
    assert "\n" not in draft.subject and draft.subject == draft.subject.strip()
    assert "\n\n\n" not in draft.body and draft.body == draft.body.strip()
    assert draft.body.startswith("Hi Dana,")
    assert draft.body.rstrip().endswith("Sam Patel")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("notes", [FULL, EMPTY], ids=["full", "empty"])
def test_no_holes_even_when_everything_is_unknown(kind, notes):
    for draft in (render(kind, notes),
                  render(kind, notes, prospect={}, rep={}, ask={})):
        for text in (draft.subject, draft.body):
            assert not [hole for hole in HOLES if hole in text], text
            assert blank_gaps(text) == [] and leftover_markup(text) == []
            assert not re.search(r"\S\d\. ", text)  # a list item glued to the line above
    bare = render(kind, notes, prospect={}, rep={}, ask={})
    assert bare.body.startswith("Hello,")


@pytest.mark.parametrize("kind", KINDS)
def test_no_template_contains_an_empty_phrase(kind):
    for part in ("subject", "body"):
        source = (BUILTIN_DIR / f"{kind}.{part}.txt").read_text().casefold()
        assert [phrase for phrase in EMPTY_PHRASES if phrase in source] == []


def test_recap_names_the_company_and_opens_with_the_pain_point():
    draft = render("recap")
    assert COMPANY in draft.subject
    assert "month-end close" in draft.subject
    opening = draft.body.split("\n\n")[1]
    assert PAIN in opening.split(". ")[0]
    assert "Here is the close-time benchmark I mentioned: [link]" in draft.body
    # The one question is about the agreed next step, with two concrete times for it.
    assert (f"The next step we agreed: {FULL['next_step']}. Would Tuesday at 4 pm or "
            "Thursday at 11 am your time suit you for it?") in draft.body
    assert draft.body.count("?") == 1 and "20-minute" not in draft.body


def test_recap_without_notes_falls_back_politely():
    draft = render("recap", EMPTY)
    assert draft.subject == f"{COMPANY}: recap of our call today"
    assert "I mentioned" not in draft.body  # no resource promised, none delivered
    assert draft.hints and "pain point" in draft.hints[0]


def test_voicemail_names_the_retry_time_and_breakup_gives_an_exit():
    voicemail = render("voicemail")
    assert SAMPLE["ask"]["retry"] in voicemail.body
    assert "your time" in voicemail.body
    assert "your time your time" not in render(
        "voicemail", ask={**SAMPLE["ask"], "retry": "Thursday at 4 pm your time"}).body
    breakup = render("breakup")
    assert "check back in a few months" in breakup.body
    assert "last note for now" in breakup.body
    assert "fine to say no" in breakup.body


def test_meeting_confirmation_asks_who_else_should_join():
    draft = render("meeting_confirmation")
    assert "Is there anyone else who should join?" in draft.body
    assert SAMPLE["ask"]["meeting"] in draft.body and PAIN in draft.body


@pytest.mark.parametrize("payload", [
    "{{ config }}", "{% for x in range(3) %}x{% endfor %}", "{{ 7*7 }}",
    "{{ ''.__class__.__mro__ }}", "{# hidden #}",
])
@pytest.mark.parametrize("kind", ["recap", "objection", "meeting_confirmation"])
def test_user_text_is_data_not_a_template(kind, payload):
    notes = {**FULL, "pain_point": payload, "objection": payload}
    draft = render(kind, notes, prospect={**SAMPLE["prospect"], "company": payload})
    assert payload in draft.body
    assert "49" not in draft.body and "xxx" not in draft.body


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_team_template_overrides_by_file_name(tmp_path):
    write(tmp_path, "recap.body.txt",
          "Hi {{ prospect.first_name }}, our own words about {{ notes.pain_point }}.\n"
          "Tuesday or Thursday?\n")
    renderer = DraftRenderer(tmp_path)
    draft = render("recap", renderer=renderer)
    assert draft.body.startswith("Hi Dana, our own words about month-end close")
    assert draft.subject == render("recap").subject  # the subject is still the built-in
    assert not draft.used_builtin_fallback
    assert render("breakup", renderer=renderer).body == render("breakup").body


@pytest.mark.parametrize(("text", "line", "error"), [
    ("Hello\n\nAbout {{ notes.pain_point \n", 3, "unexpected"),
    ("Hello\n{% if notes.pain_point %}\nno end\n", 3, "endif"),
    ("Hello\n\n\n{{ notes.budget }}\n", 4, "budget"),
    ("Hello {{ prospect.first_name|nosuchfilter }}\n", 1, "nosuchfilter"),
    ("Hello\n{{ 1 // 0 }}\n", 2, "division"),  # not a Jinja error: still no crash
    ('Hello\n\n{{ "%d"|format(prospect.name) }}\n', 3, "number"),
])
def test_a_broken_team_template_falls_back_with_file_and_line(tmp_path, text, line, error):
    path = write(tmp_path, "recap.body.txt", text)
    draft = render("recap", renderer=DraftRenderer(tmp_path))
    assert draft.used_builtin_fallback
    assert f"Team template {path.name}:{line}: " in draft.fallback_reason
    assert str(path.parent) not in draft.fallback_reason  # reps see it: no server paths
    assert error in draft.fallback_reason
    assert draft.body == render("recap").body
    assert draft.problems == []


def test_check_templates_passes_the_builtins_and_a_good_team_folder(tmp_path):
    assert check_templates(None) == []
    write(tmp_path, "breakup.subject.txt", "{{ prospect.company }} - closing the loop\n")
    assert check_templates(tmp_path) == []


def test_check_templates_reports_empty_phrases_and_two_asks_with_file_and_line(tmp_path):
    nurture = write(tmp_path, "nurture.body.txt",
                    "Hi,\n\nJust checking in on where things are.\n\nIs now a better time?\n")
    value = write(tmp_path, "value_add.body.txt",
                  "Hello,\n\nHere is a new data point: [link]\n"
                  "Did you see it?\nWould Tuesday work?\n")
    problems = check_templates(tmp_path)
    assert any(p.startswith(f"{nurture}:3:") and "just checking in" in p for p in problems)
    assert any(p.startswith(f"{value}:5:") and "2 questions" in p for p in problems)
    assert not [p for p in problems if str(BUILTIN_DIR) in p]


def test_check_templates_reports_syntax_errors_and_subject_rules(tmp_path):
    body = write(tmp_path, "objection.body.txt", "Hello\n{% if %}\n")
    subject = write(tmp_path, "breakup.subject.txt", "Touching base\n")
    problems = check_templates(tmp_path)
    assert any(p.startswith(f"{body}:2:") for p in problems)
    assert any(p.startswith(f"{subject}:1:") and "touching base" in p for p in problems)
    assert any(p.startswith(f"{subject}:1:") and COMPANY in p for p in problems)


def test_check_templates_flags_holes_left_by_missing_values(tmp_path):
    body = write(tmp_path, "breakup.body.txt",
                 "Hi {{ prospect.first_name }},\n\nThis is my last note for now. "
                 "Check back in a few months, or not a fit?\n\n{{ rep.name }}\n")
    problems = check_templates(tmp_path)
    assert any(p.startswith(f"{body}:1:") and "gap" in p for p in problems)


# -- intro, social proof and the LinkedIn note ----------------------------------------------

def test_intro_makes_one_relevant_point_and_one_easy_ask():
    draft = render("intro")
    assert draft.subject.startswith(f"{COMPANY}: month-end close")
    assert PAIN in draft.body and "[link]" in draft.body
    assert "Is it worth 15 minutes on Tuesday, or is it not a priority right now?" in draft.body
    assert "teams like Northwind Freight" in render("intro", EMPTY).body


def test_social_proof_brings_a_result_like_theirs():
    draft = render("social_proof")
    assert draft.subject == f"{COMPANY}: a result from a team like yours"
    assert PAIN in draft.body and "[the result they got, with a number]" in draft.body
    assert "a team much like Northwind Freight" in render("social_proof", EMPTY).body


def test_the_linkedin_note_is_a_body_only():
    assert (BUILTIN_DIR / "linkedin_note.body.txt").is_file()
    assert not (BUILTIN_DIR / "linkedin_note.subject.txt").exists()
    assert "linkedin_note" in ALL_KINDS and "linkedin_note" not in KINDS


@pytest.mark.parametrize("notes", [FULL, EMPTY], ids=["full", "empty"])
@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_the_linkedin_note_has_no_pitch_no_ask_and_fits(notes, known):
    people = {} if not known else None
    draft = render("linkedin_note", notes, prospect=people, rep=people, ask=people)
    assert draft.subject == "" and draft.problems == []
    assert len(draft.body) <= NOTE_LIMIT and "?" not in draft.body
    assert blank_gaps(draft.body) == [] and leftover_markup(draft.body) == []
    assert draft.body.startswith("Hi Dana," if known else "Hello,")


def test_the_linkedin_note_stays_short_with_long_notes():
    long = {**FULL, "personal_detail": " ".join(["the long-awaited regional launch"] * 20)}
    draft = render("linkedin_note", long, prospect={**SAMPLE["prospect"],
                                                    "company": "Northwind Freight Holdings"})
    assert draft.problems == [] and len(draft.body) <= NOTE_LIMIT


def test_check_templates_holds_a_team_note_to_the_note_rules(tmp_path):
    note = write(tmp_path, "linkedin_note.body.txt",
                 "Hi {{ prospect.first_name }},\n\nWant a demo of our platform?\n"
                 + "x" * 300 + "\n")
    problems = check_templates(tmp_path)
    assert any(p.startswith(f"{note}:3:") and "asks nothing" in p for p in problems)
    assert any(p.startswith(f"{note}:3:") and '"demo"' in p for p in problems)
    assert any(p.startswith(f"{note}:") and "characters" in p for p in problems)
    assert not [p for p in problems if "subject" in p]


# -- issue 16: the one ask, subjects that read whole, more checks --------------------------

def _recap(next_step, ask=None):
    return render("recap", {**FULL, "next_step": next_step}, ask=ask)


def test_an_untimed_meeting_gets_two_concrete_times_and_nothing_else_asks():
    draft = _recap("15-minute walkthrough with their ops lead")
    assert draft.problems == [] and draft.body.count("?") == 1
    [question] = [line for line in draft.body.splitlines() if "?" in line]
    assert question == ("The next step we agreed: 15-minute walkthrough with their ops lead. "
                        "Would Tuesday at 4 pm or Thursday at 11 am your time suit you for it?")
    assert "20-minute" not in draft.body and "15-minute call" not in draft.body


def test_a_timed_step_is_confirmed_and_an_action_is_asked_about():
    timed = _recap("demo Thu 2 pm")
    assert "The next step we agreed: demo Thu 2 pm. Does that still work for you?" \
        in timed.body
    assert SAMPLE["ask"]["slot_a"] not in timed.body  # no other times offered
    action = _recap("send the questionnaire")
    assert ("The next step we agreed: send the questionnaire. Is that still the plan on your "
            "side?") in action.body
    assert "minute" not in action.body and action.body.count("?") == 1
    for draft in (timed, action):
        assert draft.problems == []


def test_without_an_agreed_step_the_recap_proposes_a_short_call_at_two_times():
    draft = _recap("")
    assert ("Would Tuesday at 4 pm or Thursday at 11 am your time work for a 15-minute call?"
            in draft.body)
    no_slots = _recap("", ask={**SAMPLE["ask"], "slot_a": "", "slot_b": ""})
    assert "Would Tuesday or Thursday work for a 15-minute call?" in no_slots.body


def test_the_meeting_confirmation_confirms_the_booked_meeting_as_noted():
    draft = render("meeting_confirmation", {**FULL, "next_step": "demo Thu 2 pm"},
                   ask={**SAMPLE["ask"], "meeting": ""})
    assert "Our meeting is booked: demo Thu 2 pm." in draft.body
    assert draft.subject == f"{COMPANY}: confirming demo Thu 2 pm"
    assert draft.body.count("?") == 1 and draft.problems == []


def test_subjects_read_whole_under_60_characters():
    pain = "losing six hours a week on manual invoice matching across three teams"
    for kind in KINDS:
        draft = render(kind, {**FULL, "pain_point": pain, "objection": pain},
                       prospect={**SAMPLE["prospect"], "company": "Acme Logistics"})
        assert len(draft.subject) < 60 and "..." not in draft.subject, draft.subject
        assert "Acme Logistics" in draft.subject and draft.problems == []
    assert render("recap", {**FULL, "pain_point": pain},
                  prospect={**SAMPLE["prospect"], "company": "Acme Logistics"}).subject == \
        "Acme Logistics: losing six hours a week"


def test_builtins_read_easily_with_the_sample_notes():
    from bot.services.draft_templates import READING_EASE
    from bot.services.template_checks import reading_ease

    for kind in ALL_KINDS:
        assert reading_ease(render(kind).body) >= READING_EASE, kind


def test_check_templates_reports_the_new_checks_with_file_and_line(tmp_path):
    recap = write(tmp_path, "recap.body.txt",
                  "Hi {{ prospect.first_name }},\n\nThanks.\n\n"
                  "Would Tuesday work for a 20-minute follow-up?\n\n"
                  "To confirm what we agreed: {{ notes.next_step }}.\n\n{{ rep.name }}\n")
    cut = write(tmp_path, "breakup.subject.txt", "{{ prospect.company }}: our last note and...\n")
    long = write(tmp_path, "intro.subject.txt",
                 "{{ prospect.company }}: {{ notes.pain_point }} and more words\n")
    hard = write(tmp_path, "value_add.body.txt",
                 "Hello,\n\nNotwithstanding organisational considerations, institutional "
                 "procurement methodologies necessitate comprehensive multidisciplinary "
                 "evaluation, incorporating quantitative interoperability benchmarking "
                 "alongside longitudinal implementation documentation.\n\n"
                 "Is a consolidated evaluation appropriate?\n\n{{ rep.name }}\n")
    repeat = write(tmp_path, "nurture.body.txt",
                   "Hi,\n\nHere is a new result for you.\n\nHere is a new result for you.\n\n"
                   "Is this worth a look?\n\n{{ rep.name }}\n")
    problems = check_templates(tmp_path)
    assert any(p.startswith(f"{recap}:5:") and "another meeting" in p for p in problems)
    assert any(p.startswith(f"{cut}:1:") and "mid-phrase" in p for p in problems)
    assert any(p.startswith(f"{long}:1:") and "drafts cut it to" in p for p in problems)
    assert any(p.startswith(f"{hard}:1:") and "Reading ease" in p for p in problems)
    assert any(p.startswith(f"{repeat}:5:") and "said twice" in p for p in problems)
