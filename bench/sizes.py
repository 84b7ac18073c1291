"""How big each scenario runs: ``full`` (the issue's numbers) and ``smoke`` (seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    # 1. /logcall: rounds per concurrency level (each round = one burst per app)
    logcall_rounds: dict[int, int]
    logcall_warmup: int
    # 2. submissions: rounds of `submit_concurrency` simultaneous view_submissions
    submit_rounds: int
    submit_concurrency: int
    # 3. due lists: reps at each growth stage, and each rep's book
    duelist_stages: tuple[int, ...]
    follow_ups_per_rep: int
    prospects_per_rep: int
    calls_per_prospect: int
    duelist_samples: int  # reps timed at the last (largest) stage
    duelist_stage_samples: int  # reps timed at the earlier stages
    per_rep_budget_s: float  # stop sampling reps after this long (n then says how many)
    morning_budget_s: float  # stop the all-reps run after this long and extrapolate
    whatif_budget_s: float  # same, for the SQLite after-ANALYZE what-if
    # 4. fan-out
    fanout_reps: int
    fanout_rate: int  # R: chat.postMessage per second (fake's limit and DIGEST_RATE)
    fanout_burst: int  # the fake's bucket size (the bot's own burst: see s_fanout.BOT_BURST)
    fanout_probe_rounds_idle: int  # /logcall bursts of 8 measured before the fan-out
    fanout_probe_interval: float  # seconds between /logcall probe bursts
    # 6. import: rows in the files imported (the last one is the size the target is for)
    import_rows: tuple[int, ...] = (2_000, 10_000)
    # 7. fleet: (DIGEST_RATE, reps) per run, three bots on one PostgreSQL database; then,
    # when fleet_kill_reps, a run at the first rate with that many reps where one bot is
    # killed mid fan-out (takeover time)
    fleet_runs: tuple[tuple[int, int], ...] = ((5, 300), (100, 6_000))
    fleet_kill_reps: int = 300
    # 8. the weekly team report: reps and calls in the week
    report_reps: int = 100
    report_calls: int = 10_000


FULL = Size(
    name="full",
    logcall_rounds={1: 200, 8: 40, 32: 15}, logcall_warmup=3,
    submit_rounds=30, submit_concurrency=8,
    duelist_stages=(100, 1_000, 10_000), follow_ups_per_rep=100, prospects_per_rep=10,
    calls_per_prospect=3, duelist_samples=1_000, duelist_stage_samples=300,
    per_rep_budget_s=90, morning_budget_s=30, whatif_budget_s=15,
    fanout_reps=10_000, fanout_rate=100, fanout_burst=10,
    fanout_probe_rounds_idle=25, fanout_probe_interval=0.5,
)

SMOKE = Size(
    name="smoke",
    logcall_rounds={1: 3, 8: 1, 32: 1}, logcall_warmup=1,
    submit_rounds=2, submit_concurrency=8,
    duelist_stages=(4, 8, 16), follow_ups_per_rep=20, prospects_per_rep=4,
    calls_per_prospect=2, duelist_samples=20, duelist_stage_samples=10,
    per_rep_budget_s=10, morning_budget_s=10, whatif_budget_s=5,
    fanout_reps=30, fanout_rate=20, fanout_burst=10,
    fanout_probe_rounds_idle=2, fanout_probe_interval=0.2,
    import_rows=(40, 200),
    fleet_runs=((5, 12), (100, 200)), fleet_kill_reps=0,
    report_reps=5, report_calls=200,
)

SIZES = {"full": FULL, "smoke": SMOKE}
