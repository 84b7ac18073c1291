"""The benchmark harness (bench/) runs end to end at smoke size and reports every result.

No timing assertions: latency targets are for `python -m bench --size full` on a quiet
machine, not for CI. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.slack.errors import DB_DOWN_FORM

ROOT = Path(__file__).resolve().parents[1]


def test_smoke_run_produces_every_result(tmp_path):
    out = tmp_path / "results.json"
    db = "both" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "smoke", "--db", db, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "wall time" in done.stdout  # the table was printed
    report = json.loads(out.read_text())
    dbs = ["sqlite", "postgres"] if db == "both" else ["sqlite"]
    primary = report["primary_db"]
    assert report["size"] == "smoke" and report["machine"]["cpus"] >= 1
    fleet_too = {"fleet"} if "postgres" in dbs else set()  # PostgreSQL only
    assert set(report["scenarios"]) == {"logcall", "submit", "duelist", "fanout",
                                        "import", "report"} | fleet_too

    logcall = report["scenarios"]["logcall"][primary]
    assert set(logcall["levels"]) == {"1", "8", "32"}
    for level in logcall["levels"].values():
        for app in ("bot", "bare"):
            assert level[app]["ack"]["n"] > 0 and level[app]["open"]["n"] > 0
            assert level[app]["ack"]["p99_ms"] >= level[app]["ack"]["p50_ms"] > 0
            # Read before answered, call by call: so every percentile too.
            opened, answered = level[app]["open"], level[app]["open_answered"]
            assert opened["n"] == answered["n"]
            assert 0 < opened["p50_ms"] <= answered["p50_ms"]
            assert opened["p99_ms"] <= answered["p99_ms"]
            assert 0 <= level[app]["within_3s_pct"] <= 100
        assert level["ratio_p99_ack"] > 0 and level["ratio_p99_open"] > 0

    for kind in dbs:
        submit = report["scenarios"]["submit"][kind]
        assert submit["submit_to_row"]["n"] > 0 and submit["submit_to_row"]["p99_ms"] > 0
        # On a box this busy a submission may meet the database bounds (bot.db.engine):
        # then the rep gets the documented field error and nothing is saved. Any other
        # failure is a defect.
        assert len(submit["error_texts"]) == min(submit["errors"], 20)
        for text in submit["error_texts"]:
            status, _, body = text.partition(" ")
            assert status == "200", text
            assert list(json.loads(body)["errors"].values()) == [DB_DOWN_FORM], text
        assert submit["errors"] <= submit["acked"] // 10
        assert submit["visible_at_ack"] == submit["acked"]  # committed before the ack

        duelist = report["scenarios"]["duelist"][kind]
        sizes = [stage["follow_ups"] for stage in duelist["stages"]]
        assert len(sizes) == 3 and sizes == sorted(sizes) and sizes[0] > 0
        assert all(stage["per_rep"]["n"] > 0 for stage in duelist["stages"])
        assert duelist["morning"]["reps"] == duelist["stages"][-1]["reps"]
        assert duelist["morning"]["total_s"] >= 0
        plan = " ".join(duelist["plans"]["queries"][0]["plan"])
        assert "ix_follow_ups_open_rep_window" in plan
        assert (duelist["after_analyze"] is not None) == (kind == "sqlite")

    fanout = report["scenarios"]["fanout"][primary]
    assert fanout["dms_sent"] > 0 and fanout["achieved_per_s"] > 0
    assert fanout["dms_sent"] + fanout["reps_missed"] >= fanout["reps"]
    assert fanout["duplicates"] >= 0 and fanout["http_429"] >= 0
    assert fanout["logcall_idle"]["n"] > 0 and fanout["logcall_during"]["n"] > 0
    assert fanout["memory_kib"]["after_fanout_rss"] > fanout["memory_kib"]["idle_rss"] / 2 > 5000

    for kind in dbs:
        runs = report["scenarios"]["import"][kind]["runs"]
        assert [run["rows"] for run in runs] == [40, 200]
        assert all(run["prospects"] == run["rows"] and run["import_s"] > 0 for run in runs)
        assert runs[-1]["reimport_summary"].startswith("0 new, 200 already present")
        assert 0 < runs[-1]["max_per_day"] <= 20 and runs[-1]["peak_rss_mib"] > 10

    if fleet_too:
        _fleet_results(report["scenarios"]["fleet"]["postgres"])

    for result in report["scenarios"]["report"].values():
        assert result["calls"] == 200 and len(result["timings_s"]) == 5
        assert result["chart_bytes"] > 1000 and result["matplotlib_in_bot"] is False

    names = {check["name"] for check in report["checks"]}
    assert any("modals opened within 3 s" in name for name in names)
    assert all({"name", "value", "target", "met"} <= set(check) for check in report["checks"])


def _fleet_results(fleet: dict) -> None:
    """Three bots on one database, at both allowances: every number the doc reports is
    there (its values are for the full size on a quiet machine)."""
    assert fleet["processes"] == 3 and set(fleet["rates"]) == {"5", "100"}
    for rate, run in fleet["rates"].items():
        assert run["rate_limit_per_s"] == int(rate) and run["bulk_per_s"] < int(rate)
        assert run["dms_sent"] > 0 and run["achieved_per_s"] > 0
        assert run["fraction_of_bulk"] > run["fraction_of_rate"] > 0
        assert run["post_attempts"] == run["dms_sent"] + run["http_429"]
        assert run["dms_sent"] + run["reps_missed"] >= run["reps"]
        assert sum(run["sent_per_sender"]) == run["digest_runs"]["sent"]
        assert run["logcall_idle"]["n"] > 0 and run["logcall_during"]["n"] > 0
        assert run["cpu"]["machine_cores"] > 0
    assert fleet["failover"] is None  # the kill runs at full size only
