"""Render drafted follow-up emails from templates, and check the templates themselves.

Templates are files only: ``templates/messages/email/<kind>.subject.txt`` and
``<kind>.body.txt``, overridden by file name from a team folder (Settings.templates_dir).
A note (``linkedin_note``) is a body only: its subject is "". User text (notes, names) is
only ever context data, never a template.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.domain.drafts import (
    ALL_KINDS,
    NOTE_DRAFTS,
    Problem,
    check_draft,
    missing_notes,
)
from bot.domain.model import NoteField
from bot.domain.next_step import classify
from bot.domain.subjects import SUBJECT_LIMIT, fit_phrase, fit_subject
from bot.resources import templates_dir

BUILTIN_DIR = templates_dir() / "messages" / "email"
CONTEXT_KEYS = {
    "prospect": ("name", "first_name", "company", "email"),
    "rep": ("name",),
    "notes": tuple(field.value for field in NoteField),
    "ask": ("day_a", "day_b", "slot_a", "slot_b", "retry", "meeting", "step", "step_kind"),
}
SAMPLE = {
    "prospect": {"name": "Dana Reyes", "first_name": "Dana", "company": "Northwind Freight",
                 "email": "dana@northwind.example"},
    "rep": {"name": "Sam Patel"},
    "notes": {"pain_point": "month-end close takes nine days and the board wants five",
              "objection": "we already have a tool for this",
              "next_step": "a demo for your controller next week",
              "personal_detail": "the warehouse opening in Leeds",
              "resource_promised": "close-time benchmark"},
    "ask": {"day_a": "Tuesday", "day_b": "Thursday", "slot_a": "Tuesday at 4 pm",
            "slot_b": "Thursday at 11 am", "retry": "Thursday at 4 pm",
            "meeting": "Thu 3 Dec at 10 am"},
}
READING_EASE = 60  # Flesch reading ease of a built-in body rendered with the sample notes
_ARTICLE = re.compile(r"^(?:the|a|an|our|my)\s+", re.IGNORECASE)


def _bare(text: str) -> str:
    """Without trailing punctuation, to sit inside a sentence of ours."""
    return text.rstrip(" .,;:!?")


def _topic(text: str, words: int = 6) -> str:
    """At most the first ``words`` words, cut where a phrase ends (no dangling "and",
    "the", no ellipsis)."""
    parts = text.split()
    if len(parts) <= words:
        return _bare(text)
    return _bare(fit_subject(" ".join(parts[:words + 1]), len(" ".join(parts[:words])) + 1))


def _fit(text: str, prefix: str = "") -> str:
    """``text`` cut where a phrase ends so that ``prefix`` + it stays under 60 characters;
    "" when no phrase fits (the template then says it some shorter way)."""
    return _bare(fit_phrase(_bare(" ".join(text.split())), SUBJECT_LIMIT - 1 - len(prefix)))


def _noun(text: str) -> str:
    """Without a leading article: "the ROI sheet" -> "ROI sheet" (after "Here is the")."""
    return _bare(_ARTICLE.sub("", text))


def _upfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Draft:
    kind: str
    subject: str
    body: str
    problems: list[Problem] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    used_builtin_fallback: bool = False
    fallback_reason: str = ""


def template_environment(folders: list[Path]) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(folder) for folder in folders]),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain-text email: no HTML escaping by design
        keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(bare=_bare, topic=_topic, fit=_fit, noun=_noun, upfirst=_upfirst)
    return env


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def build_context(prospect: Mapping, rep: Mapping, notes: Mapping, ask: Mapping) -> dict:
    """Every key the templates use, always a one-line string ("" when unknown)."""
    given = {"prospect": prospect, "rep": rep, "notes": notes, "ask": ask}
    context = {group: {key: _clean(given[group].get(key)) for key in keys}
               for group, keys in CONTEXT_KEYS.items()}
    people = context["prospect"]
    if not people["first_name"] and people["name"]:
        people["first_name"] = people["name"].split()[0]
    # The agreed next step, read once from the notes (bot.domain.next_step): the recap's
    # one question is about it; a booked meeting is confirmed as noted.
    step = classify(context["notes"]["next_step"])
    context["ask"]["step"] = step.text
    context["ask"]["step_kind"] = step.kind if step.text else ""
    if not context["ask"]["meeting"] and step.kind in ("timed", "meeting"):
        context["ask"]["meeting"] = step.text
    return context


def tidy_subject(text: str) -> str:
    """One line, under 60 characters, cut only where a phrase ends."""
    return fit_subject(text)


def tidy_body(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, no blank edges."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def error_location(exc: Exception, name: str) -> tuple[str, int]:
    """(file, line) of a template error: the syntax error's own, else the deepest
    template frame of the traceback (Jinja rewrites frames to template lines)."""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if lineno is None:
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
                  if frame.filename.endswith(".txt")]
        if frames:
            filename, lineno = frames[-1].filename, frames[-1].lineno
    return str(filename or name), int(lineno or 1)


class DraftRenderer:
    """Renders one email kind; a team folder overrides built-in templates by file name."""

    def __init__(self, team_dir: Path | None = None):
        self.team_dir = team_dir
        self.builtin = template_environment([BUILTIN_DIR])
        self.team = template_environment([team_dir, BUILTIN_DIR]) if team_dir is not None else None

    def _file(self, name: str, context: dict) -> tuple[str, str]:
        """The rendered file and, if the team's version failed, why."""
        if self.team is not None and self.team_dir is not None:
            if (self.team_dir / name).is_file():
                try:
                    return self.team.get_template(name).render(context), ""
                # A team template is the team's code: any failure (a Jinja error, 1 // 0,
                # a bad format string) falls back to the built-in one, never loses a log.
                except Exception as exc:  # noqa: BLE001
                    where, line = error_location(exc, name)
                    reason = (f"Team template {Path(where).name}:{line}: {exc} "
                              "(the built-in template was used instead).")
                    return self.builtin.get_template(name).render(context), reason
        return self.builtin.get_template(name).render(context), ""

    def render(self, kind: str, *, prospect: dict, rep: dict, notes: dict, ask: dict) -> Draft:
        if kind not in ALL_KINDS:
            raise ValueError(f"unknown draft kind {kind!r}; expected one of "
                             f"{', '.join(ALL_KINDS)}")
        context = build_context(prospect, rep, notes, ask)
        subject, why_subject = ("", "") if kind in NOTE_DRAFTS else self._file(
            f"{kind}.subject.txt", context)
        body, why_body = self._file(f"{kind}.body.txt", context)
        subject, body = tidy_subject(subject), tidy_body(body)
        reasons = [reason for reason in (why_subject, why_body) if reason]
        problems = check_draft(kind, subject, body, company=context["prospect"]["company"],
                               notes=context["notes"])
        return Draft(kind, subject, body, problems, missing_notes(kind, context["notes"]),
                     bool(reasons), " ".join(reasons))
