"""Scenario 7: the morning fan-out across a fleet, three bots on one PostgreSQL database.

For each (R, N) in ``size.fleet_runs``: a fresh stand-in and schema, N reps with two
follow-ups due today (their due lists switched off), and the stand-in capping
chat.postMessage at R a second for the workspace (429 with Retry-After beyond it). Three
identical ``followup-bot run --http`` processes start with DIGEST_RATE=R. /logcall bursts
go to the three in turn (a load balancer's round robin): first idle, then the due lists
are switched on and every process's next tick joins the fan-out while the bursts go on,
until every ``digest_runs`` row is final. The bulk posts share one allowance in the
database, BULK_SHARE of R, so the rate is reported against R and against that share.

Then, when ``size.fleet_kill_reps``: the same at the first rate without probes, and one
process group (bot and fan-out child) is SIGKILLed once its sender holds open runs: how
long until another process has sent its reps, duplicates, misses."""

from __future__ import annotations

import contextlib
import math
import os
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench import procs, seed
from bench.fake_server import TEAM
from bench.s_logcall import Probe, merge, seed_logcall_reps
from bench.stats import Burst, ratio, summary
from bot.config import normalize_database_url
from bot.db.engine import make_engine
from bot.domain.due_list import OPEN_STATUSES
from bot.services.allowance import BULK_SHARE

FLEET = 3
FIRST_REP = 1001  # reps 1..8 are the /logcall probes (due list off)
PROBE_USERS = 8
OPENING = 5  # the rate counts from the 6th DM to the last
TICK_S = 2  # DIGEST_TICK_SECONDS: a switched-on list is seen within 2 s, not 20
OPEN = sorted(OPEN_STATUSES)  # runs a sender still holds


def fake_burst(rate: int) -> int:
    """The stand-in's bucket: a tenth of a second of the allowance, at least 2 (the
    fleet's own pace has a burst of one; this only absorbs timing jitter)."""
    return max(2, math.ceil(rate / 10))


def run(size, kind: str, workdir: Path) -> dict:
    if kind != "postgres":
        raise ValueError("the fleet shares its allowance in PostgreSQL; run it with --db postgres")
    rates = {str(rate): _one_rate(size, rate, reps, workdir) for rate, reps in size.fleet_runs}
    checks = [check for r in rates.values() for check in _checks(r)]
    result = {"db": kind, "processes": FLEET, "bulk_share": BULK_SHARE, "tick_s": TICK_S,
              "rates": rates, "failover": None, "checks": checks}
    if size.fleet_kill_reps:
        from bench import s_fleet_kill  # it builds on this module's stand

        try:
            result["failover"] = s_fleet_kill.run(size.fleet_runs[0][0],
                                                  size.fleet_kill_reps, workdir)
            checks += s_fleet_kill.checks(result["failover"])
        except Exception as exc:  # noqa: BLE001 - the rates measured above are kept
            traceback.print_exc()
            result["error"] = f"failover: {type(exc).__name__}: {exc}"
            checks.append(_check("fleet failover", "error", "runs", False))
    return result


def _midday_zone() -> tuple[str, datetime]:
    """A zone where it is about noon now, and now there: with a workday starting at
    midnight and a 23:59 cut-off, no moment of the real day changes what the bots do."""
    offset = 12 - datetime.now(UTC).hour
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is UTC+3
    return zone, datetime.now(ZoneInfo(zone))


@contextlib.contextmanager
def _stand(rate: int, n: int, workdir: Path) -> Iterator[tuple]:
    """A stand-in capped at ``rate``, a fresh schema with the probe reps and ``n`` reps
    whose lists are due (switched off); yields (fake, url, engine, probe users, users)."""
    with procs.fake_slack(workdir) as fake, procs.database("postgres", workdir) as url:
        seed.migrate(url)
        probe_users = seed_logcall_reps(url, count=PROBE_USERS)
        zone, local = _midday_zone()
        ids = list(range(FIRST_REP, FIRST_REP + n))
        loader = seed.Loader(url)
        seed.add_reps(loader, ids, tz=zone, days="1234567", digest=False,
                      start=local.time().replace(hour=0, minute=0, second=0, microsecond=0))
        for i in range(0, n, 2000):
            seed.add_book(loader, ids[i:i + 2000], prospects=2, calls=1, follow_ups=6,
                          pending=0.0, due_today=2, do_not_call=0.0, today=local.date())
        loader.close(analyze=True)
        users = [seed.user_id(i) for i in ids]
        fake.add_users(probe_users + users)
        fake.set_rate_limit("chat.postMessage", rate, fake_burst(rate), team=TEAM)
        engine = make_engine(normalize_database_url(url))
        try:
            yield fake, url, engine, probe_users, users
        finally:
            engine.dispose()


def _settings(rate: int) -> dict[str, str]:
    return {"DIGEST_RATE": str(rate), "DIGEST_CUTOFF": "23:59",
            "DIGEST_TICK_SECONDS": str(TICK_S)}


def _one_rate(size, rate: int, n: int, workdir: Path) -> dict:
    with _stand(rate, n, workdir) as (fake, url, engine, probe_users, users):
        burst = Burst(PROBE_USERS)
        try:
            with procs.bots(fake, url, workdir, FLEET, **_settings(rate)) as fleet:
                probes = [Probe(fake, bot.url, burst) for bot in fleet]
                opened = {"n": 0}
                for probe in probes:  # warm-up, not counted
                    for _ in range(2):
                        probe.round(probe_users, opened)
                quiet = _cpu(fleet)
                idle = _rounds(probes, probe_users, opened, size,
                               rounds=size.fanout_probe_rounds_idle)
                load, cpu = os.getloadavg()[0], _cpu(fleet)
                _switch_on(engine)
                busy = _rounds(probes, probe_users, opened, size,
                               until=lambda: _finished(engine) >= n,
                               deadline=time.monotonic() + 3 * n / (BULK_SHARE * rate) + 120)
                used = _used(cpu, _cpu(fleet))
            measured = _measure(fake, engine, users, rate)
        finally:
            burst.close()
    window = (measured.pop("first_at"), measured.pop("last_at"))
    during = [ack for t0, t1, part in busy if t1 >= window[0] and t0 <= window[1]
              for ack in part["ack"]]
    result = {**measured, "reps": n, "cpu": used, "cpu_idle_probes": _used(quiet, cpu),
              "load_at_switch_on": round(load, 2),
              "load_after": round(os.getloadavg()[0], 2),
              "logcall_idle": summary([a for *_, part in idle for a in part["ack"]]),
              "logcall_during": summary(during),
              "logcall_probe_failures": sum(p["not_opened"] for *_, p in idle + busy)}
    result["ack_p99_during_over_idle"] = ratio(result["logcall_during"]["p99_ms"],
                                               result["logcall_idle"]["p99_ms"])
    return result


def _rounds(probes, users, opened, size, *, rounds=None, until=None, deadline=None) -> list:
    """/logcall bursts of len(users), to each process in turn, one every
    fanout_probe_interval seconds; [(start, end, that round's results)]."""
    done: list = []
    while True:
        tick = time.monotonic()
        part: dict = {"ack": [], "not_opened": 0}
        merge(part, probes[len(done) % len(probes)].round(users, opened))
        done.append((tick, time.monotonic(), part))
        if rounds is not None and len(done) >= rounds:
            return done
        if until is not None and (until() or time.monotonic() > deadline):
            return done
        time.sleep(max(0.0, size.fanout_probe_interval - (time.monotonic() - tick)))


def _switch_on(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE reps SET digest_enabled = :t WHERE id >= :f"),
                           {"t": True, "f": FIRST_REP})


def _finished(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM digest_runs WHERE status <> ALL(:open)"),
            {"open": OPEN}).scalar_one()


def _cpu(fleet) -> tuple[float, float, tuple[int, int]]:
    """(monotonic now, CPU seconds of the three bot trees, machine jiffies)."""
    return time.monotonic(), sum(procs.tree_cpu_s(b.pid) for b in fleet), procs.machine_cpu()


def _used(before, after) -> dict:
    """CPU between two samples (switch-on to the last final run; or the idle probes): the
    bots' (with their fan-out children) and the whole machine's, in cores."""
    seconds = after[0] - before[0]
    busy = (after[2][0] - before[2][0]) / max(1, after[2][1] - before[2][1])
    return {"seconds": round(seconds, 1), "bots_cores": round((after[1] - before[1]) / seconds, 2),
            "machine_cores": round(busy * (os.cpu_count() or 1), 2)}


def _measure(fake, engine, users: list[str], rate: int) -> dict:
    """What the stand-in saw, and what the database recorded."""
    wanted = set(users)
    posts = [c for c in fake.calls("chat.postMessage", fields=("channel",))
             if c["channel"] in wanted]
    ok = sorted((c["at"], c["channel"]) for c in posts if c["ok"])
    limited = sum(1 for c in posts if c["status"] == 429)
    per_user = Counter(channel for _, channel in ok)
    steady = ok[OPENING:] if len(ok) > OPENING + 1 else ok
    span = steady[-1][0] - steady[0][0] if len(steady) > 1 else 0.0
    achieved = (len(steady) - 1) / span if span else None
    runs, senders, pauses = _runs(engine)
    refused = sorted(c["at"] for c in posts if c["status"] == 429)
    return {
        "rate_limit_per_s": rate, "bulk_per_s": BULK_SHARE * rate, "fake_burst": fake_burst(rate),
        "dms_sent": len(ok), "post_attempts": len(posts), "http_429": limited,
        "http_429_pct": round(100 * limited / len(posts), 2) if posts else None,
        "fanout_s": round(span, 2), "achieved_per_s": round(achieved, 2) if achieved else None,
        "fraction_of_rate": ratio(achieved, rate),
        "fraction_of_bulk": ratio(achieved, BULK_SHARE * rate),
        "duplicates": sum(1 for count in per_user.values() if count > 1),
        "reps_missed": len(users) - runs.get("sent", 0),
        "users_without_dm": len(wanted - set(per_user)), "digest_runs": runs,
        "sent_per_sender": senders, "allowance_pauses": pauses,
        "paused_s": round(_covered(refused, 1.0), 1),  # the stand-in's Retry-After is 1 s
        "max_posts_in_100ms": _densest([at for at, _ in ok], 0.1),
        "first_at": ok[0][0] if ok else 0.0, "last_at": ok[-1][0] if ok else 0.0,
    }


def _covered(starts: list[float], length: float) -> float:
    """Seconds covered by [start, start + length) for the sorted ``starts``: how long
    429s kept the fleet's bulk posts paused."""
    total, end = 0.0, float("-inf")
    for start in starts:
        total += length - max(0.0, min(length, end - start))
        end = max(end, start + length)
    return total


def _densest(times: list[float], window: float) -> int:
    """The most posts the stand-in accepted within any ``window`` seconds (sorted times):
    how bunched the posts arrived, against its bucket of fake_burst."""
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def _runs(engine) -> tuple[dict[str, int], list[int], int]:
    """Runs by status; lists sent per sender process (the owner's pid); the 429 pauses the
    shared allowance recorded."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, owner FROM digest_runs")).all()
        pauses = connection.execute(text(
            "SELECT coalesce(sum(pauses), 0) FROM slack_allowances")).scalar_one()
    by_pid = Counter(owner.split(":")[1] for status, owner in rows if status == "sent")
    return dict(Counter(status for status, _ in rows)), sorted(by_pid.values()), int(pauses)


def _check(name, value, target, met) -> dict:
    return {"name": name, "value": value, "target": target,
            "met": None if met is None else bool(met)}


def _checks(r: dict) -> list[dict]:
    rate, bulk = r["rate_limit_per_s"], r["fraction_of_bulk"]
    pct, slow = r["http_429_pct"], r["ack_p99_during_over_idle"]
    of_rate = r["fraction_of_rate"]
    return [
        _check(f"fleet posts/s / R (R={rate}/s: {r['achieved_per_s']}/s, {r['reps']} reps)",
               of_rate, ">= 0.9 (issue; bulk cap 0.8)", of_rate is not None and of_rate >= 0.9),
        _check(f"fleet posts/s / bulk allowance {BULK_SHARE} R (R={rate}/s)", bulk, ">= 0.9",
               bulk is not None and bulk >= 0.9),
        _check(f"fleet 429 share (R={rate}/s: {r['http_429']} of {r['post_attempts']})",
               f"{pct}%", "< 1%", pct is not None and pct < 1),
        _check(f"fleet duplicate DMs (R={rate}/s)", r["duplicates"], "0", r["duplicates"] == 0),
        _check(f"fleet reps missed (R={rate}/s)", r["reps_missed"], "0",
               r["reps_missed"] == 0 and r["users_without_dm"] == 0),
        _check(f"fleet /logcall ack p99 during / idle (R={rate}/s: "
               f"{r['logcall_during']['p99_ms']} / {r['logcall_idle']['p99_ms']} ms)", slow,
               "<= 1.2", slow is not None and slow <= 1.2),
    ]
