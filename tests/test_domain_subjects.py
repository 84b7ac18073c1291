"""Subjects that read whole: under 60 characters, cut where a phrase ends, no ellipsis."""

from __future__ import annotations

import pytest

from bot.domain.subjects import SUBJECT_LIMIT, cut_mid_phrase, fit_phrase, fit_subject


@pytest.mark.parametrize(("subject", "expected"), [
    ("Acme Logistics: losing six hours a week on manual invoice matching",
     "Acme Logistics: losing six hours a week"),
    ("Northwind Freight: month-end close takes nine days and the board wants five",
     "Northwind Freight: month-end close takes nine days"),
    ("Müller GmbH: Rechnungsprüfung dauert zu lange, weil alles manuell läuft und so",
     "Müller GmbH: Rechnungsprüfung dauert zu lange"),
    ("Grupo Norte: el cierre mensual tarda nueve días y el consejo quiere cinco",
     "Grupo Norte: el cierre mensual tarda nueve días"),
    ("Acme: a short subject", "Acme: a short subject"),
    ("  Acme:\n  two   lines ", "Acme: two lines"),
])
def test_long_subjects_are_cut_where_a_phrase_ends(subject, expected):
    fitted = fit_subject(subject)
    assert fitted == expected
    assert len(fitted) < SUBJECT_LIMIT and not cut_mid_phrase(fitted)
    assert "..." not in fitted and "…" not in fitted


def test_a_cut_never_leaves_a_word_that_needs_the_next_one():
    for subject in ("Acme: a demo for the controller and the finance team on Thursday "
                    "afternoon next week",
                    "Acme: " + " ".join(["the cost of the licence for our team"] * 4),
                    "Acme: we lose 6 hours every week because of 12 manual steps in billing"):
        fitted = fit_subject(subject)
        assert len(fitted) < SUBJECT_LIMIT and not cut_mid_phrase(fitted), fitted
        assert subject.startswith(fitted)


def test_no_phrase_fits_means_say_it_shorter():
    assert fit_phrase("onevery" * 12, 40) == ""
    assert fit_phrase("losing six hours a week on manual invoice matching", 10) == ""
    assert fit_phrase("losing six hours a week on manual invoice matching", 30) == \
        "losing six hours a week"
    word = "x" * 80  # one endless word: a hard cut, still under the limit
    assert len(fit_subject(word)) == SUBJECT_LIMIT - 1


@pytest.mark.parametrize(("subject", "cut"), [
    ("Acme: losing six hours a week on...", True), ("Acme: losing six hours…", True),
    ("Acme: a demo for", True), ("Acme: the cost of the", True), ("Acme: pricing,", True),
    ("Acme: Angebot für", True), ("Acme: la propuesta para", True),
    ("Acme: losing six hours a week", False), ("Acme: just checking in", False),
    ("Acme: what we talked about", False), ("Acme: top 5", False), ("", False),
])
def test_a_subject_cut_mid_phrase_is_recognised(subject, cut):
    assert cut_mid_phrase(subject) is cut
