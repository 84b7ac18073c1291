"""Real-world notes (tests/data/notes_corpus.py) through every template: each draft passes
every check, or its problems tell the rep which note to shorten (or rephrase)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.asks import ask_context, propose_slots
from bot.domain.drafts import ALL_KINDS, NOTE_DRAFTS, leftover_markup
from bot.domain.subjects import SUBJECT_LIMIT, cut_mid_phrase
from bot.domain.timing import Parties, window_on
from bot.services.draft_templates import DraftRenderer
from tests.data.notes_corpus import CORPUS

RENDERER = DraftRenderer()
NY = "America/New_York"
MONDAY, NOW = date(2026, 11, 30), datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
SLOTS = propose_slots(Parties(NY, NY, windows=((time(16), time(17)), (time(11), time(12)))),
                      today=MONDAY, now=NOW)
ASKS = {
    "times": ask_context(MONDAY, retry_at=window_on(date(2026, 12, 1), time(11), time(12),
                                                    NY).start, prospect_tz=NY, slots=SLOTS),
    "no times": ask_context(MONDAY, retry_at=None, prospect_tz=NY),
}
REP = {"name": "Sam Patel"}


def tells_the_rep_which_note(problem) -> bool:
    """A problem caused by a note, naming it: too long (shorten it), or a question in it."""
    return ((problem.code == "too_long" and "Shorten the " in problem.message)
            or (problem.code == "too_many_asks" and " note asks one" in problem.message))


def test_the_corpus_is_big_and_varied():
    assert len(CORPUS) >= 50
    labels = [label for label, _, _ in CORPUS]
    assert len(set(labels)) == len(labels)
    for needle in ("German", "Spanish", "very long", "typos", "nothing at all"):
        assert any(needle in label for label in labels), needle


@pytest.mark.parametrize("ask", list(ASKS), ids=list(ASKS))
@pytest.mark.parametrize(("label", "prospect", "notes"), CORPUS, ids=[c[0] for c in CORPUS])
def test_every_template_renders_every_note_set(label, prospect, notes, ask):
    for kind in ALL_KINDS:
        draft = RENDERER.render(kind, prospect=prospect, rep=REP, notes=notes, ask=ASKS[ask])
        where = f"{label} / {kind}:\n{draft.subject}\n{draft.body}"
        assert all(tells_the_rep_which_note(p) for p in draft.problems), (where,
                                                                          draft.problems)
        assert leftover_markup(draft.body) == [], where
        assert draft.body.startswith(("Hi ", "Hello,")), where
        if kind in NOTE_DRAFTS:
            continue
        assert draft.subject and len(draft.subject) < SUBJECT_LIMIT, where
        assert "..." not in draft.subject and "…" not in draft.subject, where
        assert not cut_mid_phrase(draft.subject), where


def test_the_very_long_note_is_named_for_shortening():
    [(_, prospect, notes)] = [c for c in CORPUS if c[0] == "a very long pain point"]
    draft = RENDERER.render("recap", prospect=prospect, rep=REP, notes=notes,
                            ask=ASKS["times"])
    [problem] = draft.problems
    assert problem.code == "too_long"
    assert "Shorten the pain point note (" in problem.message
