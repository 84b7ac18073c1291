"""Percentiles and the round-based load driver shared by the HTTP scenarios."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def summary(values: Sequence[float]) -> dict:
    """p50/p99/max in milliseconds, and the sample count."""
    return {"n": len(values), "p50_ms": ms(percentile(values, 50)),
            "p99_ms": ms(percentile(values, 99)), "max_ms": ms(max(values) if values else None)}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


class Burst:
    """Send ``n`` requests at the same instant (a barrier releases them) from a pool of
    ``n`` threads, and return each request's (start, end, result). ``n`` concurrent reps
    hitting the same command at once is the worst case for queueing inside the app."""

    def __init__(self, threads: int):
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bench-rep")

    def run(self, jobs: Sequence[Callable[[], object]]) -> list[tuple[float, float, object]]:
        barrier = threading.Barrier(len(jobs))

        def one(job):
            barrier.wait()
            start = time.monotonic()
            result = job()
            return start, time.monotonic(), result

        return [f.result() for f in [self.pool.submit(one, job) for job in jobs]]

    def close(self) -> None:
        self.pool.shutdown(wait=True)
