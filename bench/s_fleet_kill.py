"""Scenario 7, failover: one of the fleet's three processes SIGKILLed mid fan-out.

The same stand as :mod:`bench.s_fleet` at its first rate, without /logcall probes. Once
a tenth of the lists are out, the process group (bot and fan-out child) of a sender that
has sent lists and holds open runs gets SIGKILL: nothing of it runs after. Measured: from
the kill to the moment the stand-in accepts the list of the last rep it held (its runs
wait for their lease, LEASE, to run out; a pass still under way looks again every third
of a lease, the next tick otherwise), duplicates (a post Slack accepted before the kill
whose run was not yet marked sent is posted again) and misses."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from bench import procs
from bench.s_fleet import (
    FLEET,
    OPEN,
    TICK_S,
    _check,
    _finished,
    _measure,
    _settings,
    _stand,
    _switch_on,
)
from bot.domain.due_list import OPEN_STATUSES
from bot.services.allowance import BULK_SHARE
from bot.services.digest_runs import LEASE


def run(rate: int, n: int, workdir: Path) -> dict:
    with _stand(rate, n, workdir) as (fake, url, engine, _probe_users, users):
        with procs.bots(fake, url, workdir, FLEET, **_settings(rate)) as fleet:
            _switch_on(engine)
            deadline = time.monotonic() + 3 * n / (BULK_SHARE * rate) + 120
            victim, pid = _wait(lambda: _victim(engine, fleet, n), deadline)
            killed_at = time.monotonic()
            os.killpg(victim.pid, signal.SIGKILL)
            victim.popen.wait(timeout=30)
            held = _held(engine, pid)
            _wait(lambda: _finished(engine) >= n, deadline)
        measured = _measure(fake, engine, users, rate)
        posts = [c for c in fake.calls("chat.postMessage", fields=("channel",))
                 if c["ok"] and c["channel"] in held]
    last = max((c["at"] for c in posts), default=None)
    doubled = Counter(c["channel"] for c in posts)
    return {"reps": n, "rate_limit_per_s": rate, "lease_s": LEASE.total_seconds(),
            "tick_s": TICK_S, "killed_after_s": round(killed_at - measured["first_at"], 1),
            "held_at_kill": len(held),
            "takeover_s": round(last - killed_at, 1) if last else None,
            "held_sent_after_s": sorted(round(c["at"] - killed_at, 1) for c in posts),
            "held_doubled": sum(1 for count in doubled.values() if count > 1),
            **{k: measured[k] for k in ("dms_sent", "duplicates", "reps_missed",
                                        "users_without_dm", "digest_runs", "http_429",
                                        "sent_per_sender")}}


def _wait(predicate, deadline: float):
    """Poll for an event; the deadline only turns a hang into an error."""
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise RuntimeError("the fleet's fan-out did not get there before the deadline")
        time.sleep(0.05)
    return found


def _victim(engine, fleet, n: int):
    """(bot, fan-out pid) of a process whose sender has sent lists and holds open runs,
    once a tenth of the lists are out (the fan-out under way, most of it still to go)."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT owner, status FROM digest_runs")).all()
    if sum(1 for _, status in rows if status == "sent") < n / 10:
        return None
    sent = {owner.split(":")[1] for owner, status in rows if status == "sent"}
    holding = {owner.split(":")[1] for owner, status in rows if status in OPEN_STATUSES}
    groups = {bot.pid: bot for bot in fleet}
    for pid in sorted(sent & holding):
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(int(pid)) in groups:
                return groups[os.getpgid(int(pid))], pid
    return None


def _held(engine, pid: str) -> set[str]:
    """The users whose runs the killed sender held open when it died."""
    with engine.connect() as connection:
        return set(connection.execute(text(
            "SELECT r.slack_user_id FROM digest_runs d JOIN reps r ON r.id = d.rep_id "
            "WHERE d.status = ANY(:open) AND d.owner LIKE :p"),
            {"open": OPEN, "p": f"%:{pid}:%"}).scalars())


def checks(f: dict) -> list[dict]:
    return [
        _check(f"fleet failover: kill -9 to the last held rep's list (lease "
               f"{f['lease_s']:.0f} s, {f['held_at_kill']} runs held)", f["takeover_s"],
               "<= 60 s", f["takeover_s"] is not None and f["takeover_s"] <= 60),
        _check("fleet failover: duplicate DMs", f["duplicates"],
               f"<= runs held ({f['held_at_kill']})", f["duplicates"] <= f["held_at_kill"]),
        _check("fleet failover: reps missed", f["reps_missed"], "0",
               f["reps_missed"] == 0 and f["users_without_dm"] == 0),
    ]
