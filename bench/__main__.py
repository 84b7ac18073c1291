"""``python -m bench [--size smoke|full] [--only SCENARIO] [--db sqlite|postgres|both]``

Runs the real bot (``python -m bot run --http``) against the Slack stand-in, prints a
table of every target, and writes the full results (JSON) to ``bench/results.json``.
See docs/benchmarks.md for the method and the latest numbers."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench import procs, s_duelist, s_fanout, s_fleet, s_import, s_logcall, s_report, s_submit
from bench.sizes import SIZES

SCENARIOS = ("logcall", "submit", "duelist", "fanout", "import", "fleet", "report")
ALIASES = {"memory": "fanout"}  # scenario 5 is measured on the fan-out's bot


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--only", action="append", choices=SCENARIOS + tuple(ALIASES),
                        help="run only this scenario (repeatable)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    return parser


def machine(dbs: list[str]) -> dict:
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    info = {"cpus": os.cpu_count(), "memory_gib": round(int(mem) / 2**20, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
            **{pkg: version(pkg) for pkg in ("slack_bolt", "slack_sdk", "SQLAlchemy",
                                             "waitress", "psycopg")}}
    if "postgres" in dbs:
        from sqlalchemy import create_engine, text

        engine = create_engine(procs.pg_base_url().replace("postgresql://",
                                                           "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            info["postgresql"] = connection.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    return info


def code_version() -> dict:
    """Which bot was measured: the commit, and any uncommitted changes under bot/."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=procs.ROOT, capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": git("status", "--porcelain", "--", "bot", "migrations").splitlines()}


def run(size_name: str, only: list[str] | None, db: str, out: Path) -> dict:
    size = SIZES[size_name]
    dbs = ["sqlite", "postgres"] if db == "both" else [db]
    if "postgres" in dbs and not procs.pg_available():
        raise SystemExit(f"PostgreSQL is not reachable at {procs.pg_base_url()} "
                         "(set BENCH_DATABASE_URL, or use --db sqlite)")
    primary = "postgres" if "postgres" in dbs else "sqlite"
    wanted = [s for s in SCENARIOS if not only or s in {ALIASES.get(o, o) for o in only}]
    load_before = os.getloadavg()[0]  # a busy machine at the start shows in the numbers
    started, results = time.monotonic(), {}
    plan = {
        "logcall": [(primary, s_logcall.run)],
        "submit": [(kind, s_submit.run) for kind in dbs],
        "duelist": [(kind, s_duelist.run) for kind in dbs],
        "fanout": [(primary, s_fanout.run)],
        "import": [(kind, s_import.run) for kind in dbs],
        # several processes share one allowance in PostgreSQL; SQLite runs one process
        "fleet": [("postgres", s_fleet.run)] if "postgres" in dbs else [],
        "report": [(kind, s_report.run) for kind in dbs],
    }
    if "fleet" in wanted and not plan["fleet"] and only:
        print("fleet runs on PostgreSQL only: skipped (use --db postgres or both)", flush=True)
    for name in wanted:
        for kind, scenario in plan[name]:
            print(f"[{time.monotonic() - started:6.1f}s] {name} on {kind} ...", flush=True)
            t0 = time.monotonic()
            with procs.scratch_dir() as workdir:
                try:
                    result = scenario(size, kind, workdir)
                except Exception as exc:  # noqa: BLE001 - reported, the other scenarios go on
                    traceback.print_exc()
                    result = {"db": kind, "error": f"{type(exc).__name__}: {exc}", "checks": [
                        {"name": f"{name} ({kind})", "value": "error", "target": "runs",
                         "met": False}]}
            result["scenario_s"] = round(time.monotonic() - t0, 1)
            results.setdefault(name, {})[kind] = result
    report = {"size": size_name, "dbs": dbs, "primary_db": primary,
              "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "wall_s": round(time.monotonic() - started, 1), "machine": machine(dbs),
              "code": code_version(), "load_before": load_before,
              "scenarios": results,
              "checks": [{"scenario": name, **check} for name, by_db in results.items()
                         for result in by_db.values() for check in result["checks"]]}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return report


def table(report: dict) -> str:
    rows = [("scenario", "measure", "value", "target", "")]
    for check in report["checks"]:
        met = {True: "met", False: "MISSED", None: ""}[check["met"]]
        rows.append((check["scenario"], check["name"], str(check["value"]), check["target"], met))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"\nsize {report['size']}, wall time {report['wall_s']} s, "
                 f"{report['machine']['cpus']} cores, load average at start "
                 f"{report['load_before']:.1f}, bot at {report['code']['commit']}"
                 f"{' + uncommitted changes' if report['code']['uncommitted'] else ''}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    report = run(args.size, args.only, args.db, args.out)
    print(table(report))
    print(f"results written to {args.out}")
    failed = any("error" in r for by_db in report["scenarios"].values() for r in by_db.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
