"""Scenario "report": the weekly team report for 100 reps and 10,000 calls in a week.

Seeding (deterministic): R reps in five zones, each with 40 prospects; the week before
holds a first call to half of them (so the week's calls land on steps 1 to 6); the report
week holds C calls spread over the reps' working days (outcomes in the playbook's
proportions: about 1 in 8 a conversation), a follow-up due for each call, and a recap
marked sent (in time or late) for each conversation. Then the report the manager gets
(``bot.services.insights.team_report``: the queries and the numbers, no Slack) is computed
``ROUNDS`` times in this process; the target is on the slowest. The chart is drawn once
in its short-lived process and timed apart (it is not on anyone's request path).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import procs, seed
from bot.config import normalize_database_url
from bot.db.engine import make_engine, make_session_factory
from bot.domain.insights import iso_week

WEEK = iso_week("2026-W47")
ROUNDS = 5
TARGET_S = 2.0
OUTCOMES = (["no_answer"] * 45 + ["voicemail"] * 30 + ["gatekeeper"] * 8 + ["wrong_number"] * 2
            + ["connected"] * 8 + ["meeting_booked"] * 3 + ["not_now"] * 2
            + ["not_interested"] * 2)
CONVERSATIONS = {"connected", "meeting_booked", "not_now", "not_interested"}
DRAFT_COLS = ("team_id", "prospect_id", "rep_id", "call_id", "template", "subject", "body",
              "status", "created_at", "sent_at")


def _seed(url: str, reps: int, calls: int) -> None:
    rng = random.Random(48)
    loader = seed.Loader(url)
    seed.add_team(loader)
    ids = list(range(1, reps + 1))
    seed.add_reps(loader, ids)
    per_rep = 40
    prospects = [(rep, (rep - 1) * per_rep + i + 1) for rep in ids for i in range(per_rep)]
    now = loader.ts(datetime(2026, 11, 1, tzinfo=UTC))
    loader.insert("prospects", seed.PROSPECT_COLS, (
        (pid, seed.TEAM, rep, f"Prospect {pid}", "Co", None, None, "UTC", "active",
         loader.flag(False), loader.flag(False), "cold_outbound", date(2026, 11, 9), 1, now,
         now, f"prospect {pid}", "co") for rep, pid in prospects))
    rows, drafts, touches = [], [], []
    call_id = 0
    for rep, pid in prospects[::2]:  # a first call the week before
        call_id += 1
        at = datetime.combine(WEEK.start - timedelta(days=rng.randint(1, 5)),
                              datetime.min.time(), UTC) + timedelta(hours=rng.randint(13, 21))
        rows.append((call_id, seed.TEAM, pid, rep, loader.ts(at), "no_answer", "cold_call",
                     None, None, None, 1, loader.ts(at)))
    for _ in range(calls):
        call_id += 1
        rep, pid = prospects[rng.randrange(len(prospects))]
        day = WEEK.start + timedelta(days=rng.randint(0, 4))
        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
            hours=rng.randint(13, 21), minutes=rng.randint(0, 59))
        outcome = rng.choice(OUTCOMES)
        rows.append((call_id, seed.TEAM, pid, rep, loader.ts(at), outcome, "cold_call", None,
                     None, None, 1, loader.ts(at)))
        due = day + timedelta(days=2)
        status = rng.choice(("done",) * 8 + ("pending",) * 2)
        handled = None
        if status == "done":  # most on their day, some a day late
            handled = loader.ts(datetime.combine(due, datetime.min.time(), UTC) + timedelta(
                hours=15 + 24 * (rng.random() < 0.2)))
        touches.append((call_id, seed.TEAM, pid, rep, call_id, due, 1, "call again", "call",
                        status, 1, f"bench-{call_id}", loader.ts(at), handled, None, None))
        if outcome in CONVERSATIONS:
            sent = at + timedelta(minutes=rng.choice((20, 90, 300)))
            drafts.append((seed.TEAM, pid, rep, call_id, "recap", "Recap", "Body", "sent",
                           loader.ts(at), loader.ts(sent)))
    loader.insert("calls", seed.CALL_COLS, rows)
    loader.insert("follow_ups", seed.FOLLOW_UP_COLS, touches)
    loader.insert("email_drafts", DRAFT_COLS, drafts)
    loader.close(analyze=True)


def run(size, kind: str, workdir: Path) -> dict:
    from bot.services.insights import team_report
    from bot.services.report_chart import render_chart
    from bot.slack.reports import chart_data

    reps, calls = size.report_reps, size.report_calls
    with procs.database(kind, workdir) as url:
        seed.migrate(url)
        _seed(url, reps, calls)
        engine = make_engine(normalize_database_url(url))
        try:
            factory = make_session_factory(engine)
            timings, report = [], None
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                report = team_report(factory, seed.TEAM, WEEK, as_of=WEEK.end + timedelta(1))
                timings.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            png = render_chart(chart_data(report))
            chart_s = time.perf_counter() - t0
        finally:
            engine.dispose()
    worst = max(timings)
    team = report.report.team
    return {"db": kind, "reps": reps, "calls": team.calls, "timings_s": timings,
            "chart_s": round(chart_s, 2), "chart_bytes": len(png),
            "matplotlib_in_bot": "matplotlib" in sys.modules,
            "checks": [
                {"name": f"report, {reps} reps / {team.calls} calls: slowest of {ROUNDS} "
                         f"({kind}; median {statistics.median(timings):.2f} s)",
                 "value": f"{worst:.2f} s", "target": f"< {TARGET_S:.0f} s",
                 "met": worst < TARGET_S},
                {"name": f"chart drawn in its own process ({kind})",
                 "value": f"{chart_s:.2f} s", "target": "", "met": None},
                {"name": "matplotlib imported by the bot process",
                 "value": "matplotlib" in sys.modules, "target": "False",
                 "met": "matplotlib" not in sys.modules}]}
