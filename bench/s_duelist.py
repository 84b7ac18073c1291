"""Scenario 3: the morning due list at scale, through bot.services.due_list.due_list_for.

Growth series: the table grows 100x (10k -> 100k -> 1M follow-ups) while every rep's
own book stays the same shape (100 follow-ups: ~5% pending, the rest done / skipped /
cancelled history; due dates over today +- 60 days). Reps are added stage by stage
(100 -> 1,000 -> 10,000), so a query that scanned anything beyond the rep's own open
rows would grow 100x too. At the last stage, the whole morning: every rep's tick decision
and list, one after another, as a pass computes them (bot.services.due_list_ahead reads
the lists a stretch of reps at a time)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

from bench import procs, seed
from bench.stats import summary
from bot.config import normalize_database_url
from bot.db.engine import make_engine, make_session_factory
from bot.domain.due_list import digest_decision
from bot.services.due_list import CHUNK, Wanted, due_list_for, due_lists_for
from bot.services.due_list_ahead import ListsAhead
from bot.services.due_list_sends import reps_to_consider

MAX_CALLS = 6


def run(size, kind: str, workdir: Path) -> dict:
    with procs.database(kind, workdir) as url:
        seed.migrate(url)
        engine = make_engine(normalize_database_url(url))
        factory = make_session_factory(engine)
        try:
            loader = seed.Loader(url)
            seed.add_team(loader)
            loader.close()
            stages, seeded, now = [], 0, datetime.now(UTC)
            for reps in size.duelist_stages:
                started = time.perf_counter()
                _grow(url, range(seeded + 1, reps + 1), size, now)
                seeded = reps
                stage = {"reps": reps, "seed_s": round(time.perf_counter() - started, 2),
                         **_counts(engine)}
                samples = (size.duelist_samples if reps == size.duelist_stages[-1]
                           else size.duelist_stage_samples)
                stage.update(_per_rep(factory, reps, samples, now, size.per_rep_budget_s))
                stages.append(stage)
            morning = _morning(factory, now, size.morning_budget_s)
            plans = _plans(engine, factory, now)
            analyzed = _after_analyze(engine, factory, size, now) if kind == "sqlite" else None
        finally:
            engine.dispose()
    last = stages[-1]
    flat = round(last["per_rep"]["p50_ms"] / stages[0]["per_rep"]["p50_ms"], 2)
    checks = [
        {"name": f"one rep's due list p99 ({kind}, {last['follow_ups']:,} follow-ups)",
         "value": last["per_rep"]["p99_ms"], "target": "< 20 ms",
         "met": last["per_rep"]["p99_ms"] < 20},
        {"name": f"all {morning['reps']:,} reps' lists ({kind})", "value": morning["total_s"],
         "target": "< 20 s", "met": morning["total_s"] < 20 and not morning["extrapolated"]},
        {"name": f"per-rep p50 growth {stages[0]['follow_ups']:,} -> "
                 f"{last['follow_ups']:,} ({kind})", "value": flat,
         "target": "flat (~1x)", "met": flat < 1.5},
    ]
    if analyzed:
        checks.append({"name": "  same, SQLite after ANALYZE: one rep p99 / all reps (s)",
                       "value": f"{analyzed['per_rep']['p99_ms']} ms / "
                                f"{analyzed['morning']['total_s']} s",
                       "target": "(what-if)", "met": None})
    return {"db": kind, "stages": stages, "morning": morning, "plans": plans,
            "growth_p50_ratio": flat, "after_analyze": analyzed, "checks": checks}


def _grow(url: str, rep_ids: range, size, now: datetime) -> None:
    loader = seed.Loader(url)
    seed.add_reps(loader, rep_ids)
    ids = list(rep_ids)
    for i in range(0, len(ids), 1000):  # bounded memory per batch of reps
        seed.add_book(loader, ids[i:i + 1000], prospects=size.prospects_per_rep,
                      calls=size.calls_per_prospect, follow_ups=size.follow_ups_per_rep,
                      today=now.date())
    loader.close(analyze=True)


def _counts(engine) -> dict:
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM follow_ups")).scalar_one()
        pending = connection.execute(text(
            "SELECT count(*) FROM follow_ups WHERE status = 'pending'")).scalar_one()
    return {"follow_ups": total, "pending": pending}


def _today(rep_tz: str, now: datetime):
    return now.astimezone(ZoneInfo(rep_tz)).date()


def _per_rep(factory, reps: int, samples: int, now: datetime, budget_s: float) -> dict:
    """due_list_for timed for ``samples`` reps picked at random (with replacement while
    there are fewer reps than samples), after a short warm-up; stops early (and says
    so in ``n``) once ``budget_s`` is spent, so a slow database cannot eat the run."""
    rng = random.Random(reps)
    zones = {r.rep_id: r.tz for r in reps_to_consider(factory, now)}
    picks = [rng.randint(1, reps) for _ in range(samples)]
    for rep in picks[:20]:
        due_list_for(factory, seed.TEAM, rep, _today(zones[rep], now), MAX_CALLS, now=now)
    times, items, started = [], 0, time.perf_counter()
    for rep in picks:
        today = _today(zones[rep], now)
        t0 = time.perf_counter()
        found = due_list_for(factory, seed.TEAM, rep, today, MAX_CALLS, now=now)
        times.append(time.perf_counter() - t0)
        items += len(found)
        if time.perf_counter() - started > budget_s:
            break
    return {"per_rep": summary(times), "mean_items": round(items / len(times), 2)}


def _morning(factory, now: datetime, budget_s: float) -> dict:
    """What a pass computes for everyone: reps, decisions, every list, read as the pass
    reads them (a stretch of reps at a time, in the pass's order). Stops after
    ``budget_s`` (the target is already missed then) and extrapolates."""
    started = time.perf_counter()
    reps = reps_to_consider(factory, now)
    wanted = [(rep, digest_decision(now, rep.tz, rep.workday_start, rep.working_days,
                                    datetime.max.time()).local_date) for rep in reps]
    ahead = ListsAhead(factory, wanted, MAX_CALLS, now)
    items = done = 0
    for rep, day in wanted:
        items += len(ahead.list_for(rep, day))
        done += 1
        if time.perf_counter() - started > budget_s:
            break
    spent = time.perf_counter() - started
    total = spent * len(reps) / max(done, 1)
    return {"reps": len(reps), "reps_done": done, "items": items, "total_s": round(total, 2),
            "extrapolated": done < len(reps), "reads": ahead.reads,
            "per_rep_mean_ms": round(1000 * spent / max(done, 1), 2)}


def _after_analyze(engine, factory, size, now: datetime) -> dict:
    """SQLite what-if: the same measurements once ANALYZE has given the planner row
    counts (the bot never runs ANALYZE or PRAGMA optimize itself)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()  # new connections load the fresh statistics
    reps = size.duelist_stages[-1]
    return {**_per_rep(factory, reps, size.duelist_samples, now, size.per_rep_budget_s),
            "morning": _morning(factory, now, size.whatif_budget_s),
            "plans": _plans(engine, factory, now)}


def _plans(engine, factory, now: datetime) -> dict:
    """The SQL due_list_for runs for one rep, and what due_lists_for runs for a chunk of
    reps (a pass's read-ahead), with the database's plan for each query."""
    rep = next((r for r in range(1, 200) if len({item.prospect_id for item in due_list_for(
        factory, seed.TEAM, r, now.date(), MAX_CALLS, now=now)}) >= 2), 1)  # 2+ prospects
    one = _captured(engine, lambda: due_list_for(factory, seed.TEAM, rep, now.date(),
                                                 MAX_CALLS, now=now))
    chunk = [Wanted(r.rep_id, now.date(), r.tz)
             for r in reps_to_consider(factory, now)[:CHUNK]]
    batch = _captured(engine, lambda: due_lists_for(factory, seed.TEAM, chunk, MAX_CALLS,
                                                    now=now))
    with engine.connect() as connection:
        plans = [_explain(connection, statement, parameters) for statement, parameters in one]
        batch_plans = [_explain(connection, statement, parameters)
                       for statement, parameters in batch]
        sizes = {}
        if engine.dialect.name == "postgresql":
            for name in ("follow_ups", "ix_follow_ups_open_rep_window",
                         "uq_follow_ups_team_id_idempotency_key"):
                sizes[name] = connection.execute(text(
                    "SELECT pg_relation_size(CAST(:n AS regclass))"), {"n": name}).scalar_one()
    return {"queries": plans, "batch_reps": len(chunk), "batch_queries": batch_plans,
            "relation_bytes": sizes}


def _captured(engine, work) -> list[tuple[str, object]]:
    """The statements on follow-ups and calls that ``work()`` sends."""
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "follow_ups" in statement or "calls" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return captured


def _explain(connection, statement: str, parameters) -> dict:
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                          parameters).all()
        lines = [row[0] for row in rows]
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        lines = [row[-1] for row in rows]
    return {"sql": " ".join(statement.split()), "plan": lines}
