"""Scenario 6: importing a CRM export (``followup-bot import``), as an admin runs it.

A HubSpot-shaped file (a BOM, mixed time-zone spellings and countries, 2% do-not-call,
10% email opt-out) is imported by the real command in its own process, into a fresh
database, at two sizes: the import's own time (inside the process, without the
interpreter's start) and the process's peak RSS. Memory is bounded when the larger file
needs about as much as the smaller one. Then the same file again (idempotent: 0 new), and
what the import wrote is checked: one prospect per row, a first touch for each that may
be called, no rep day over the per-day cap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC
from pathlib import Path

from sqlalchemy import select, text

from bench import procs, seed
from bot.config import normalize_database_url
from bot.db.engine import make_engine
from bot.db.models import FollowUp

PER_DAY = 20
TARGET_S = 10.0
ZONES = ("(GMT-05:00) Eastern Time (US & Canada)", "America/Chicago",
         "(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
         "america_slash_los_angeles", "", "(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi")
COUNTRIES = ("United States", "US", "Germany", "", "GB", "China")
# Runs the CLI's main() in this process and reports its own time and peak RSS.
RUNNER = ("import json, resource, sys, time\n"
          "from bot.cli import main\n"
          "t0 = time.perf_counter(); code = main(sys.argv[1:])\n"
          "print(json.dumps({'code': code, 'seconds': time.perf_counter() - t0,\n"
          "  'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),\n"
          "  file=sys.stderr)\n")


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,"
                  "Time Zone,Country/Region,Do Not Call,Unsubscribed from all email\r\n")
        for i in range(rows):
            out.write(f'{i},Ömer{i},Çelik,p{i}@example.com,+1 555 {i % 10000:04d},'
                      f'深圳物流 {i % 500},Buyer,"{ZONES[i % len(ZONES)]}",'
                      f'{COUNTRIES[i % len(COUNTRIES)]},{"yes" if i % 50 == 0 else "no"},'
                      f'{"true" if i % 10 == 3 else "false"}\r\n')


def _cli(url: str, path: Path, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(DATABASE_URL=url, PYTHONPATH=str(procs.ROOT))
    done = subprocess.run([sys.executable, "-c", RUNNER, "import", str(path), "--rep",
                           "U0BENCH", "--team", seed.TEAM, "--per-day", str(PER_DAY)],
                          env=env, cwd=workdir, capture_output=True, text=True, timeout=600)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    summary = next((line for line in done.stdout.splitlines() if " new, " in line), "")
    if result["code"] != 0:
        raise RuntimeError(f"import failed ({result['code']}): {done.stdout[-2000:]}")
    return {"import_s": round(result["seconds"], 2),
            "peak_rss_mib": round(result["maxrss_kib"] / 1024, 1), "summary": summary}


def _written(url: str) -> dict:
    """What the import stored; the rep is new, so their zone is DEFAULT_TIMEZONE (UTC)."""
    engine = make_engine(normalize_database_url(url))
    try:
        with engine.connect() as connection:
            prospects = connection.execute(text("SELECT count(*) FROM prospects")).scalar()
            starts = connection.execute(select(FollowUp.window_start)).scalars()
            days = Counter(start.astimezone(UTC).date() for start in starts)
    finally:
        engine.dispose()
    return {"prospects": prospects, "first_touches": sum(days.values()),
            "max_per_day": max(days.values(), default=0)}


def _one(kind: str, rows: int, workdir: Path) -> dict:
    path = workdir / f"contacts-{rows}.csv"
    write_file(path, rows)
    with procs.database(kind, workdir) as url:
        seed.migrate(url)
        first = _cli(url, path, workdir)
        again = _cli(url, path, workdir)
        written = _written(url)
    return {"rows": rows, **first, "reimport_s": again["import_s"],
            "reimport_summary": again["summary"], **written}


def run(size, kind: str, workdir: Path) -> dict:
    started = time.perf_counter()
    runs = [_one(kind, rows, workdir) for rows in size.import_rows]
    small, large = runs[0], runs[-1]
    growth = round(large["peak_rss_mib"] / small["peak_rss_mib"], 2)
    callable_rows = large["rows"] - (large["rows"] + 49) // 50  # every 50th: do not call
    checks = [
        {"name": f"import {large['rows']:,} rows ({kind})", "value": large["import_s"],
         "target": f"< {TARGET_S:.0f} s", "met": large["import_s"] < TARGET_S},
        {"name": f"  peak RSS {small['rows']:,} -> {large['rows']:,} rows ({kind}, MiB)",
         "value": f"{small['peak_rss_mib']} -> {large['peak_rss_mib']}",
         "target": "bounded (< 1.5x)", "met": growth < 1.5},
        {"name": f"  re-import {large['rows']:,} rows adds nobody ({kind})",
         "value": large["reimport_summary"].split(",")[0], "target": "0 new",
         "met": large["reimport_summary"].startswith("0 new")},
        {"name": f"  first touches written, most on one rep day ({kind})",
         "value": f"{large['first_touches']:,}, {large['max_per_day']}",
         "target": f"{callable_rows:,}, <= {PER_DAY}",
         "met": (large["first_touches"] == callable_rows and large["max_per_day"] <= PER_DAY
                 and large["prospects"] == large["rows"])},
    ]
    return {"db": kind, "runs": runs, "rss_growth": growth, "checks": checks,
            "total_s": round(time.perf_counter() - started, 1)}
