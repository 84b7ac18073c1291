"""Draw the README's example of the weekly team report from fixture data, with the bot's
own code: ``python docs/make_report_example.py`` (from the checkout's root).

A deterministic week (bench/s_report.py's seeding: six reps, 480 calls) goes into a fresh
SQLite file; the report a manager would get is computed by ``team_report``, its message
written as text (mentions shown as names) to docs/report-example.txt and its chart drawn
to docs/report-example.png.
"""

from __future__ import annotations

import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("Ana", "Ben", "Chloe", "Dev", "Emil", "Fatima")


def build(out: Path) -> tuple[Path, Path]:
    """Write the example's text and picture into ``out``; their paths."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import s_report, seed
    from bot.db.engine import make_engine, make_session_factory
    from bot.services.insights import team_report
    from bot.services.report_chart import render_chart
    from bot.slack.report_view import report_blocks
    from bot.slack.reports import chart_data

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/example.db"
        seed.migrate(url)
        s_report._seed(url, reps=len(NAMES), calls=480)
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                for i, name in enumerate(NAMES, 1):
                    connection.exec_driver_sql("UPDATE reps SET name = ? WHERE id = ?",
                                               (name, i))
            week = s_report.WEEK
            report = team_report(make_session_factory(engine), seed.TEAM, week,
                                 as_of=week.end + timedelta(days=1))
        finally:
            engine.dispose()
    users = {name.user_id: name.name for name in report.names.values()}
    text = "\n\n".join(_block_text(block.to_dict()) for block in report_blocks(report))
    text = re.sub(r"<@(\w+)>", lambda m: "@" + users.get(m.group(1), m.group(1)), text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report-example.txt").write_text(text + "\n", encoding="utf-8")
    (out / "report-example.png").write_bytes(render_chart(chart_data(report)))
    return out / "report-example.txt", out / "report-example.png"


def _block_text(block: dict) -> str:
    if block["type"] == "divider":
        return "---"
    text = block.get("text")
    if isinstance(text, dict):
        return text["text"]
    return " ".join(element.get("text", "") for element in block.get("elements", []))


if __name__ == "__main__":
    for path in build(ROOT / "docs"):
        print(f"wrote {path.relative_to(ROOT)}")
