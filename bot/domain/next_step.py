"""The agreed next step, as the rep noted it: what kind of ask the recap makes about it.

- **timed**: a meeting with a day or a time already ("demo Thu 2 pm"): the recap confirms it.
- **meeting**: a meeting without one ("15-minute walkthrough with their ops lead"): the
  recap proposes two concrete times for it.
- **action**: anything else ("send the questionnaire"): the recap asks about that.
- **none**: nothing noted: the recap proposes a short call with two concrete times.

Reps type fragments, in English, German or Spanish; the words below cover those. Pure:
standard library only.

>>> [classify(note).kind for note in ("demo Thu 2 pm", "walkthrough w/ ops lead",
...                                   "send the questionnaire", "", "Termin Donnerstag 14 Uhr")]
['timed', 'meeting', 'action', 'none', 'timed']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

StepKind = Literal["timed", "meeting", "action", "none"]

_MEETING = re.compile(
    r"\b(?:call|calls|meeting|meet|mtg|demo|demos|walk[- ]?through|walk[- ]?thru|"
    r"walk(?:\s+\S+){1,5}?\s+(?:through|thru)|session|"
    r"workshop|presentation|present|chat|catch[- ]up|sync|zoom|teams call|video call|"
    r"onsite|on-site|visit|lunch|coffee|review call|pilot kickoff|kick-?off|"
    # German
    r"termin|gespräch|telefonat|anruf|besprechung|präsentation|vorführung|treffen|"
    # Spanish
    r"reunión|reunion|llamada|demostración|presentación|cita|videollamada)\b",
    re.IGNORECASE)
_DAYS = (r"mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|fri|friday|"
         r"sat|saturday|sun|sunday|tomorrow|today|tonight|"
         r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|übermorgen|heute|"
         r"lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|mañana|hoy")
_MONTHS = (r"jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|"
           r"sep|sept|september|oct|october|nov|november|dec|december|januar|februar|märz|mai|"
           r"juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
           r"septiembre|octubre|noviembre|diciembre")
_WHEN = re.compile(
    rf"\b(?:{_DAYS})\b\.?"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)\b"
    r"|\b\d{1,2}:\d{2}\b"
    r"|\b(?:at|um|a las|a la)\s+\d{1,2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:{_MONTHS})\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b"
    r"|\b\d{1,2}[./]\d{1,2}\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class NextStep:
    kind: StepKind
    text: str  # the note as one line, without trailing punctuation ("" for none)


def one_line(note: str | None) -> str:
    """The note as one line, without the trailing punctuation that would clash with ours."""
    return " ".join((note or "").split()).rstrip(" .,;:!?")


def has_time(note: str) -> bool:
    """Whether the note names a day or a time ("Thu 2 pm", "3 Dec", "14:00", "jueves")."""
    return bool(_WHEN.search(note))


def is_meeting(note: str) -> bool:
    """Whether the note is a meeting of some kind (a call, a demo, a walkthrough...)."""
    return bool(_MEETING.search(note))


def classify(note: str | None) -> NextStep:
    """The kind of the agreed next step (see the module docstring)."""
    text = one_line(note)
    if not text:
        return NextStep("none", "")
    if is_meeting(text):
        return NextStep("timed" if has_time(text) else "meeting", text)
    return NextStep("action", text)


def meeting_terms(text: str) -> set[str]:
    """The meeting words and lengths ("20-minute", "15 min") a sentence names, folded, so
    two sentences can be compared: does a question propose the agreed meeting or another?"""
    terms = {_term(match.group()) for match in _MEETING.finditer(text)}
    terms |= {f"{match.group(1)}min" for match in _LENGTH.finditer(text)}
    return terms


_SAME = {"mtg": "meeting", "meet": "meeting", "demos": "demo", "calls": "call",
         "reunion": "reunión", "catchup": "catch-up"}


def _term(word: str) -> str:
    """One spelling per meeting word: "walk-thru", "walk Mike through" -> "walkthrough"."""
    folded = re.sub(r"[\s-]", "", word.casefold())
    if folded.startswith("walk"):
        return "walkthrough"
    return _SAME.get(folded, folded)


_LENGTH = re.compile(r"\b(\d{1,3})[- ]?(?:minute|minutes|min|mins|minuten|minutos)\b",
                     re.IGNORECASE)
