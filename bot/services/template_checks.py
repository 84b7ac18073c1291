"""``followup-bot templates check``: render every template (built-in and the team's) with
sample notes and with none, run the draft checks, and report problems as file:line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bot.domain.drafts import (
    ALL_KINDS,
    NOTE_DRAFTS,
    Problem,
    blank_gaps,
    check_draft,
    leftover_markup,
)
from bot.domain.subjects import SUBJECT_LIMIT, fit_subject
from bot.services.cadences import missing_drafts
from bot.services.draft_templates import (
    BUILTIN_DIR,
    CONTEXT_KEYS,
    READING_EASE,
    SAMPLE,
    build_context,
    error_location,
    template_environment,
    tidy_body,
    tidy_subject,
)


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
        env = template_environment(folders)
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
