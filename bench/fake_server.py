"""FakeSlack in its own process, plus a few ``bench.*`` control methods.

Why a subprocess: the load generator's 32 sender threads and the fake's HTTP threads
would otherwise share one GIL, so the fake's answers (which sit inside every measured
views.open / chat.postMessage) would slow down whenever the harness itself is busy.
Timestamps stay comparable: the fake records ``time.monotonic()`` (CLOCK_MONOTONIC, one
clock for every process on the machine).

Trigger ids: the harness makes them itself as ``bench.<monotonic_ns>.<n>``, the instant
it sends the slash command. The fake registers such an id on first sight with that
instant as its issue time, so the 3-second trigger expiry counts from the send, as on
Slack, without one control round trip per request.

Run: ``python bench/fake_server.py`` prints its base URL on stdout and serves until killed.
"""

from __future__ import annotations

import gc
import itertools
import sys
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BOT_TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"


def _bench_slack_class():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.slack_double import FakeSlack

    class BenchSlack(FakeSlack):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._seen = 0
            self._counts: Counter[str] = Counter()

        def _count(self) -> Counter[str]:  # called with the lock held; O(new calls)
            for call in self.calls[self._seen:]:
                self._counts[call.method] += 1
                if call.status == 200 and (call.response or {}).get("ok"):
                    self._counts[call.method + ":ok"] += 1
            self._seen = len(self.calls)
            return self._counts

        def _api_views_open(self, p, team):
            trigger = str(p.get("trigger_id") or "")
            if trigger.startswith("bench.") and trigger not in self._triggers:
                self._triggers[trigger] = [int(trigger.split(".")[1]) / 1e9, False]
            return super()._api_views_open(p, team)

        def _api_bench_users(self, p, team):
            for user in p["users"]:
                self.add_user(user, team_id=team, tz=p.get("tz", "UTC"))
            return {"users": len(self.users)}

        def _api_bench_rate_limit(self, p, team):
            self.set_rate_limit(p["method"], float(p["per_second"]), int(p["burst"]),
                                team_id=p.get("team"))
            return {}

        def _api_bench_wait(self, p, team):
            """Block until ``count`` calls to ``method`` were seen (or timeout); a method
            named ``x:ok`` counts only successful calls to ``x``."""
            deadline = time.monotonic() + float(p.get("wait", 10))
            while self._count()[p["method"]] < int(p["count"]):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
            # What the fake has recorded stays until it exits: out of the collector's
            # sight (O(1)), so full collections stay short instead of pausing a measured
            # answer for longer and longer as the recorded calls pile up.
            gc.freeze()
            return {"count": self._count()[p["method"]]}

        def _api_bench_calls(self, p, team):
            """Calls to ``method`` from index ``since`` (in that method's own sequence)."""
            keep = p.get("fields", ["trigger_id"])
            found = [c for c in self.calls if c.method == p["method"]][int(p.get("since", 0)):]
            return {"calls": [{
                "at": c.at, "received": c.received_at, "status": c.status,
                "ok": bool((c.response or {}).get("ok")),
                "error": (c.response or {}).get("error"),
                "view_id": ((c.response or {}).get("view") or {}).get("id"),
                **{k: c.params.get(k) for k in keep}} for c in found]}

        def _api_bench_stats(self, p, team):
            return {"counts": dict(self._count()), "rate_limited": dict(self.rate_limited),
                    "calls": len(self.calls)}

        def _api_bench_view(self, p, team):
            return {"view": self.views[p["view_id"]]}

        def _api_bench_reset(self, p, team):
            self.reset()
            self._seen, self._counts = 0, Counter()
            return {}

    return BenchSlack


class RemoteFake:
    """The harness's handle on the fake process. Also quacks enough like FakeSlack for
    tests.slack_requests.SlackSender (trigger ids, response urls, users, stored views)."""

    bot_token, team_id, bot_user_id = BOT_TOKEN, TEAM, "UBOT"

    def __init__(self, base_url: str):
        self.base_url, self.url = base_url, base_url + "/api/"
        self.users: dict = {}  # SlackSender only reads display names from here
        self.views = _ViewStore()
        self._seq = itertools.count(1)
        self._http = requests.Session()

    def call(self, api: str, timeout: float = 30, **params) -> dict:
        response = self._http.post(self.url + api, json=params, timeout=timeout,
                                   headers={"Authorization": f"Bearer {BOT_TOKEN}"})
        body = response.json()
        if not body.get("ok"):
            raise RuntimeError(f"fake {api}: {body}")
        return body

    def new_trigger_id(self) -> str:
        return f"bench.{time.monotonic_ns()}.{next(self._seq)}"

    def new_response_url(self) -> str:
        return f"{self.url}response_url/{next(self._seq)}"

    def add_users(self, users: list[str], tz: str = "UTC") -> None:
        for i in range(0, len(users), 2000):
            self.call("bench.users", users=users[i:i + 2000], tz=tz)

    def set_rate_limit(self, method: str, per_second: float, burst: int,
                       team: str | None = None) -> None:
        """A token bucket on ``method``: for every caller, or with ``team`` that
        workspace's allowance (Slack's posting cap is per workspace)."""
        self.call("bench.rate_limit", method=method, per_second=per_second, burst=burst,
                  team=team)

    def wait_count(self, method: str, count: int, timeout: float = 10) -> int:
        return self.call("bench.wait", timeout=timeout + 5, method=method, count=count,
                         wait=timeout)["count"]

    def calls(self, method: str, since: int = 0, fields=("trigger_id",)) -> list[dict]:
        return self.call("bench.calls", method=method, since=since, fields=list(fields))["calls"]

    def stats(self) -> dict:
        return self.call("bench.stats")

    def view(self, view_id: str) -> dict:
        return self.call("bench.view", view_id=view_id)["view"]

    def reset(self) -> None:
        self.call("bench.reset")


class _ViewStore(dict):
    """``get(view_id)`` answers the one base view under any id, so every submission can
    carry a distinct view id (the bot dedupes submissions by view id)."""

    base: dict | None = None

    def get(self, key, default=None):
        if self.base is None:
            return default
        return {**self.base, "id": key, "root_view_id": key}


def main() -> None:
    # Slack does not drop connections; ThreadingHTTPServer's default listen backlog of 5
    # would, under 32 concurrent views.open, and a dropped SYN costs a 1 s retransmit.
    ThreadingHTTPServer.request_queue_size = 1024
    fake = _bench_slack_class()(bot_token=BOT_TOKEN, team_id=TEAM).start()
    print(fake.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
