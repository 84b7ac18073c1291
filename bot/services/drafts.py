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
    blank_gaps,
    check_draft,
    leftover_markup,
    missing_notes,
)
from bot.domain.next_step import classify
from bot.domain.subjects import SUBJECT_LIMIT, fit_phrase, fit_subject
from bot.resources import templates_dir
from bot.services.cadences import missing_drafts

BUILTIN_DIR = templates_dir() / "messages" / "email"
CONTEXT_KEYS = {
    "prospect": ("name", "first_name", "company", "email"),
    "rep": ("name",),
    "notes": ("pain_point", "objection", "next_step", "personal_detail", "resource_promised"),
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


def _environment(folders: list[Path]) -> ImmutableSandboxedEnvironment:
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
        self.builtin = _environment([BUILTIN_DIR])
        self.team = _environment([team_dir, BUILTIN_DIR]) if team_dir is not None else None

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


def _source_line(path: Path, problem: Problem, rendered: str) -> int:
    """Best guess at the template line behind a problem found in rendered text."""
    try:
        source = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return problem.line or 1
    empty = problem.code.startswith("empty_phrase")
    phrase = re.search(r'"([^"]+)"', problem.message) if empty else None
    lines = rendered.splitlines()
    text = lines[problem.line - 1].strip() if problem.line else ""
    # The same text on several lines (a repeated sentence): the same occurrence.
    nth = sum(1 for line in lines[:problem.line or 0] if line.strip() == text) if text else 0
    for number, line in enumerate(source, start=1):
        if phrase and phrase.group(1) in line.casefold():
            return number
        if text and line.strip() == text:
            nth -= 1
            if nth <= 0:
                return number
    return problem.line or 1


def _variants(sample: Mapping | None) -> list[dict]:
    full = {group: {**SAMPLE[group], **dict((sample or {}).get(group, {}))} for group in SAMPLE}
    no_notes = {**full, "notes": dict.fromkeys(CONTEXT_KEYS["notes"], "")}
    nothing = {group: dict.fromkeys(keys, "") for group, keys in CONTEXT_KEYS.items()}
    return [build_context(**variant) for variant in (full, no_notes, nothing)]


def _parts(kind: str) -> tuple[str, ...]:
    return ("body",) if kind in NOTE_DRAFTS else ("subject", "body")


def reading_ease(text: str) -> float:
    """Flesch reading ease of ``text`` (higher is easier; 60-70 is plain English)."""
    import textstat  # 0.7.4: offline (pyphen); see pyproject.toml

    return float(textstat.flesch_reading_ease(text))


def _readability(body: str) -> list[Problem]:
    score = reading_ease(body)
    if score >= READING_EASE:
        return []
    return [Problem("reading_ease", f"Reading ease {score:.0f} with the sample notes (aim "
                    f"for {READING_EASE} or more): use shorter sentences and plainer words.",
                    1)]


def _long_subject(raw: str) -> list[Problem]:
    """A subject the template makes too long: the bot cuts it where a phrase ends; say so."""
    text = " ".join(raw.split())
    if len(text) < SUBJECT_LIMIT:
        return []
    return [Problem("subject_long", f"The subject is {len(text)} characters with the sample "
                    f'notes; drafts cut it to "{fit_subject(text)}". Use |fit for the notes '
                    f"part to choose the words yourself.")]


def _check_kind(env, folders: list[Path], kind: str, context: dict, *,
                readability: bool = False) -> list[str]:
    paths = {"subject": Path(f"{kind}.subject.txt")}
    rendered = {"subject": ""}
    for part in _parts(kind):
        name = f"{kind}.{part}.txt"
        paths[part] = next((f / name for f in folders if (f / name).is_file()), Path(name))
        try:
            rendered[part] = env.get_template(name).render(context)
        except Exception as exc:  # noqa: BLE001 - reported with file and line, as any error
            where, line = error_location(exc, str(paths[part]))
            return [f"{where}:{line}: {exc}"]
    subject, body = tidy_subject(rendered["subject"]), tidy_body(rendered["body"])
    found = [(paths["body"], p, body) for p in check_draft(
        kind, subject, body, company=context["prospect"]["company"], notes=context["notes"])]
    found += [(paths["body"], p, body) for p in leftover_markup(body) + blank_gaps(body)]
    found += [(paths["subject"], p, subject) for p in _long_subject(rendered["subject"])]
    if readability:
        found += [(paths["body"], p, body) for p in _readability(body)]
    found += [(paths["subject"], p, subject) for p in leftover_markup(subject)
              + blank_gaps(subject)]
    lines = []
    for path, problem, text in found:
        if problem.code.startswith("subject") or problem.code.endswith("_subject"):
            path, problem = paths["subject"], Problem(problem.code, problem.message)
        lines.append(f"{path}:{_source_line(path, problem, text)}: {problem.message}")
    return lines


def check_templates(team_dir: Path | None, sample: dict | None = None, *,
                    cadence_file: Path | None = None) -> list[str]:
    """Render every kind (built-in, then the team's overrides) with full and empty sample
    data; return "<file>:<line>: <message>" for each problem. Empty means all good.
    Every check of a draft applies, and with the full sample notes each body must read
    easily (Flesch reading ease of at least 60).
    With a team ``cadence_file``, also "<file>:<line>: warning: ..." for each step that
    names no draft (it gets its channel's default), or the error that stops it loading."""
    chains = [[BUILTIN_DIR]]
    if team_dir is not None:
        chains.append([team_dir, BUILTIN_DIR])
    lines: list[str] = []
    for folders in chains:
        env = _environment(folders)
        for kind in ALL_KINDS:
            if folders[0] != BUILTIN_DIR and not any(
                    (folders[0] / f"{kind}.{part}.txt").is_file() for part in _parts(kind)):
                continue  # not overridden: already checked as a built-in
            for number, context in enumerate(_variants(sample)):
                for line in _check_kind(env, folders, kind, context,
                                        readability=number == 0):
                    if line not in lines:
                        lines.append(line)
    if cadence_file is not None:
        lines += missing_drafts(cadence_file)
    return lines
