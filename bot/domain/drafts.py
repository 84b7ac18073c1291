"""Draft rules: which emails to draft after a call, and the quality checks every draft
must pass (length, exactly one ask, no empty phrases, the company in the subject, a
subject that reads whole, no meeting competing with the agreed next step, no sentence
said twice). A LinkedIn note has its own rules: no pitch, no ask, at most 300
characters, no subject. Blanks left to fill ("[link]") are counted, not faults.

Pure: standard library only, no clock. The checks run on rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.draft_kinds import (  # noqa: F401 - re-exported: the kinds live there
    ALL_KINDS,
    EMAIL_STEP_DRAFTS,
    KIND_TITLES,
    KINDS,
    NOTE_DRAFTS,
    STEP_DRAFTS,
)
from bot.domain.model import NoteField, Outcome
from bot.domain.next_step import classify, meeting_terms
from bot.domain.subjects import SUBJECT_LIMIT, cut_mid_phrase

EMPTY_PHRASES = ("just checking in", "touching base", "circling back",
                 "hope this email finds you well", "let me know your thoughts")
WORD_LIMITS = {"recap": 150, "breakup": 120, "intro": 120}  # words in the body
NOTE_LIMIT = 300  # characters: a LinkedIn connection note's limit
# A note is not a pitch: no links, no selling words.
_PITCH = re.compile(r"\[link\]|https?://|\bwww\.|\b(?:demo|pricing|price|discount|free trial|"
                    r"our (?:product|platform|tool|solution))\b", re.IGNORECASE)

# The outcome's own draft. Outcomes missing here get none.
_OUTCOME_KIND = {Outcome.CONNECTED: "recap", Outcome.MEETING_BOOKED: "meeting_confirmation",
                 Outcome.VOICEMAIL: "voicemail"}
# Outcomes that end the cadence: no draft for a later step, whatever the caller passes.
_TERMINAL = frozenset({Outcome.DO_NOT_CALL, Outcome.MEETING_BOOKED, Outcome.NOT_INTERESTED})

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”')
_ASK = re.compile(r"\?+(?=[\s)\]'’]*(?:\s|$))")
_MARKUP = re.compile(r"\{\{|\{%|\{#|\}\}|%\}")
_BLANK = re.compile(r"\[[^\[\]\n]{1,120}\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# The drafts written right after the conversation where the next step was agreed: their
# one question is about that step, and no other meeting competes with it.
AGREED_STEP_KINDS = frozenset({"recap", "meeting_confirmation"})
NOTE_LABELS = {field.value: field.label.lower() for field in NoteField}

_HINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "recap": (
        ("pain_point", "Add their pain point (in their words) to personalise the opening."),
        ("next_step", "Add the next step they agreed to, so the recap can confirm it."),
    ),
    "voicemail": (("pain_point", "Add their pain point to give the email one value point."),),
    "value_add": (("pain_point", "Add their pain point so the new information lands on it."),),
    "objection": (
        ("objection", "Add the objection they raised so the email answers it in their words."),
    ),
    "meeting_confirmation": (
        ("pain_point", "Add their pain point so the agenda is built around it."),
    ),
    "breakup": (),
    "intro": (("pain_point", "Add their goal or problem so the intro makes one point that "
                             "matters to them."),),
    "social_proof": (("pain_point", "Add their pain point so the customer result you pick "
                                    "matches it."),),
    "linkedin_note": (("personal_detail", "Add a personal detail (a talk, a launch) so the "
                                          "note is about them."),),
    "nurture": (
        ("pain_point", "Add their pain point so the note connects to what they care about."),
        ("personal_detail", "Add a personal detail (a launch, a conference) to make the "
                            "note personal."),
    ),
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    line: int | None = None  # 1-based line in the body, when the problem has one


def word_count(text: str) -> int:
    """Words: runs of letters/digits, joined by an inner apostrophe, dot or hyphen
    ("don't", "month-end", "3.5" are one word each; "[link]" is one word)."""
    return len(_WORD.findall(text))


def _asks(body: str) -> list[int]:
    """The 1-based line of every ask in ``body`` (see :func:`count_asks`)."""
    lines = []
    for number, line in enumerate(body.splitlines(), start=1):
        lines += [number] * len(_ASK.findall(_QUOTED.sub('""', line)))
    return lines


def count_asks(body: str) -> int:
    """The number of asks: sentences ending in "?" (a run such as "??" is one).

    A "?" counts only where a sentence ends: before whitespace or the end of the text,
    optionally after a closing bracket or quote, so "https://x.io/?a=1" is not an ask.
    Text in double quotes on one line is the prospect's own words quoted back, not an
    ask of ours, so a question inside quotes does not count.
    """
    return len(_asks(body))


def _phrases(text: str) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        folded = line.casefold()
        found += [(phrase, number) for phrase in EMPTY_PHRASES if phrase in folded]
    return found


def check_note(body: str, notes: Mapping[str, str | None] | None = None, *,
               company: str | None = None) -> list[Problem]:
    """A LinkedIn note: at most 300 characters, no ask, no pitch, no empty phrase. The
    prospect's company is a name, never a pitch ("Price Auto")."""
    problems: list[Problem] = []
    if len(body) > NOTE_LIMIT:
        problems.append(Problem("too_long", f"{len(body)} characters; a LinkedIn note stays "
                                f"within {NOTE_LIMIT}." + _longest_note(notes)))
    for number in _asks(body)[:1]:
        problems.append(Problem("note_ask", "A LinkedIn note asks nothing: drop the question.",
                                number))
    name = (company or "").strip()
    for number, line in enumerate(body.splitlines(), start=1):
        if name:
            line = re.sub(re.escape(name), " ", line, flags=re.IGNORECASE)
        for match in _PITCH.finditer(line):
            problems.append(Problem("note_pitch", f'No pitch in a LinkedIn note: drop '
                                    f'"{match.group()}".', number))
    for phrase, number in _phrases(body):
        problems.append(Problem("empty_phrase", f'Empty phrase "{phrase}": say something '
                                "specific instead.", number))
    return problems


def _longest_note(notes: Mapping[str, str | None] | None) -> str:
    """"Shorten the pain point note (64 words)." for the longest note, if any."""
    sizes = [(word_count(notes.get(key) or ""), key) for key in NOTE_LABELS] if notes else []
    words, key = max(sizes, default=(0, ""))
    return f" Shorten the {NOTE_LABELS[key]} note ({words} words)." if words else ""


def _questions(body: str) -> list[tuple[str, int]]:
    """Each question sentence (quoted words set aside) and its 1-based line."""
    found = []
    for number, line in enumerate(body.splitlines(), start=1):
        for sentence in _SENTENCE_END.split(_QUOTED.sub('""', line)):
            if _ASK.search(sentence + " "):
                found.append((sentence.strip(), number))
    return found


def competing_meetings(body: str, next_step: str | None) -> list[Problem]:
    """Questions that propose a meeting other than the agreed next step: a meeting word
    or length ("a 20-minute follow-up") the step does not name. None without a step."""
    step = classify(next_step)
    if step.kind == "none":
        return []
    allowed = meeting_terms(step.text)
    return [Problem("competing_meeting", "This question proposes another meeting than the "
                    f'agreed next step ("{step.text}"): ask about that step only.', number)
            for sentence, number in _questions(body)
            if not meeting_terms(sentence) <= allowed]


def _sentences(body: str) -> list[tuple[str, int]]:
    return [(sentence, number) for number, line in enumerate(body.splitlines(), start=1)
            for sentence in _SENTENCE_END.split(line.strip()) if sentence]


def repeated_sentences(body: str) -> list[Problem]:
    """A sentence (three words or more) said twice, reported where it comes again."""
    seen: set[str] = set()
    problems = []
    for sentence, number in _sentences(body):
        key = " ".join(_WORD.findall(sentence.casefold()))
        if len(key.split()) < 3:
            continue
        if key in seen:
            problems.append(Problem("repeated_sentence", f'"{sentence[:80]}" is said twice: '
                                    "keep it once.", number))
        seen.add(key)
    return problems


def blanks(text: str) -> list[str]:
    """The blanks left to fill in ("[link]", "[your answer]"), in order."""
    return _BLANK.findall(text)


def blanks_label(count: int) -> str:
    """"1 blank to fill", "2 blanks to fill"; "" for none."""
    return f"{count} blank{'s' if count != 1 else ''} to fill" if count else ""


def check_subject(subject: str, company: str | None) -> list[Problem]:
    """Subject rules: under 60 characters, read whole, no empty phrase, the company."""
    problems = [Problem("empty_phrase_subject", f'Empty phrase "{phrase}" in the subject.')
                for phrase, _ in _phrases(subject)]
    if len(subject) >= SUBJECT_LIMIT:
        problems.append(Problem("subject_long", f"The subject is {len(subject)} characters; "
                                f"keep it under {SUBJECT_LIMIT}."))
    if cut_mid_phrase(subject):
        problems.append(Problem("subject_cut", "The subject stops mid-phrase: end it where a "
                                "phrase ends, without an ellipsis."))
    company = (company or "").strip()
    if company and company.casefold() not in subject.casefold():
        problems.append(Problem("subject_company", f'The subject should name "{company}".'))
    return problems


def check_draft(kind: str, subject: str, body: str, *, company: str | None,
                notes: Mapping[str, str | None] | None = None) -> list[Problem]:
    """Every quality rule a draft of ``kind`` breaks; an empty list means it is fine.
    ``notes``: the call's notes the draft was written from; a draft too long names the
    note to shorten, and a recap or confirmation asks only about the agreed next step.
    A note (``linkedin_note``) has no subject: see :func:`check_note`."""
    if kind in NOTE_DRAFTS:
        return check_note(body, notes, company=company)
    problems: list[Problem] = []
    limit = WORD_LIMITS.get(kind)
    words = word_count(body)
    if limit is not None and words > limit:
        problems.append(Problem("too_long", f"{words} words; a {kind} stays within {limit}."
                                + _longest_note(notes)))
    asks = _asks(body)
    if not asks:
        problems.append(Problem("no_ask", "No question: end with one specific, easy ask."))
    elif len(asks) > 1:
        asked = [NOTE_LABELS[key] for key in NOTE_LABELS if "?" in ((notes or {}).get(key)
                                                                     or "")]
        why = f" (the {asked[0]} note asks one: rephrase it)" if asked else ""
        problems.append(Problem("too_many_asks", f"{len(asks)} questions{why}; keep exactly "
                                "one ask (one reply is easier than several).", asks[1]))
    if kind in AGREED_STEP_KINDS and notes:
        problems += competing_meetings(body, notes.get("next_step"))
    problems += repeated_sentences(body)
    for phrase, number in _phrases(body):
        problems.append(Problem("empty_phrase", f'Empty phrase "{phrase}": say something '
                                "specific instead.", number))
    return problems + check_subject(subject, company)


def leftover_markup(text: str) -> list[Problem]:
    """Unrendered Jinja markers ("{{", "{%", "{#", "}}", "%}"). Only for renders of sample
    data: real notes may legitimately contain such text."""
    return [Problem("leftover_markup", f'Unrendered template markup "{match.group()}".', number)
            for number, line in enumerate(text.splitlines(), start=1)
            for match in _MARKUP.finditer(line)]


def blank_gaps(text: str) -> list[Problem]:
    """Holes left by an empty value: doubled spaces, a space before punctuation, "Hi ,".
    Only for renders of sample data, like :func:`leftover_markup`."""
    gap = re.compile(r"\S {2,}\S| [,.;:!?]|\(\s*\)|\"\s*\"")
    return [Problem("blank_gap", f'A gap where a value is missing: "{match.group()}".', number)
            for number, line in enumerate(text.splitlines(), start=1)
            for match in gap.finditer(line)]


def missing_notes(kind: str, notes: Mapping[str, str | None]) -> list[str]:
    """Hints naming the notes that would make a draft of ``kind`` more personal."""
    return [hint for key, hint in _HINTS.get(kind, ())
            if not (notes.get(key) or "").strip()]


def drafts_after_call(outcome: str, next_draft: str | None,
                      is_final_touch: bool) -> list[str]:
    """The emails to draft after a call: the outcome's own email first (recap, meeting
    confirmation, voicemail email), then one for the next touch: the breakup when it is the
    final one (any channel), else the touch's own draft (``Touch.draft``, named by its
    cadence step) when that is an email. A LinkedIn note is not an email: none here.
    Do-not-call, meeting booked and not interested end the cadence: no later-step draft,
    and do-not-call gets nothing at all."""
    result = Outcome(outcome)
    if result is Outcome.DO_NOT_CALL:
        return []
    kinds = [_OUTCOME_KIND[result]] if result in _OUTCOME_KIND else []
    if result not in _TERMINAL:
        later = "breakup" if is_final_touch else next_draft
        if later in EMAIL_STEP_DRAFTS and later not in kinds:
            kinds.append(later)
    return kinds
