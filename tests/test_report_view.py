"""The report's blocks stay inside Slack's limits for a big team, and name reps safely."""

from __future__ import annotations

from datetime import date

from bot.domain.insights import CallRow, build, iso_week
from bot.domain.model import Outcome
from bot.services.insights import RepName, TeamReport
from bot.slack.report_view import home_blocks, report_blocks
from tests.slack_double import validate_blocks

W48 = iso_week("2026-W48")


def _big_team(reps: int = 150) -> TeamReport:
    calls = [CallRow(rep, rep * 100 + i, Outcome.CONNECTED if i % 7 == 0 else
                     Outcome.NO_ANSWER, date(2026, 11, 24), 1 + i % 6)
             for rep in range(1, reps + 1) for i in range(30)]
    report = build(W48, calls, [], {}, as_of=date(2026, 11, 30), rep_ids=range(1, reps + 1))
    names = {rep: RepName(f"U{rep:08d}", f"<Rep & {rep}>") for rep in range(1, reps + 1)}
    return TeamReport(report, names)


def test_a_150_rep_report_fits_one_message_and_lists_every_rep():
    report = _big_team()
    blocks = [b.to_dict() for b in report_blocks(report)]
    assert validate_blocks(blocks) == []
    text = "\n".join(b.get("text", {}).get("text", "") for b in blocks if "text" in b)
    assert all(f"<@U{rep:08d}>" in text for rep in range(1, 151))
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def test_app_home_shows_the_team_and_five_reps_inside_the_home_limits():
    blocks = [b.to_dict() for b in home_blocks(_big_team())]
    assert validate_blocks(blocks, surface="home") == []
    text = "\n".join(b.get("text", {}).get("text", "") for b in blocks if "text" in b)
    assert text.count("<@U") == 5
