"""The weekly report's chart: connect rate by cadence call step and per rep, as a PNG.

Every decision is made here, in plain Python (which reps, their labels, the counts shown,
which bars are too thin to judge, the benchmark band); a short-lived child process,
``python -m bot.services.report_chart_worker``, only draws that plan with matplotlib's Agg
backend. matplotlib is never imported in the bot process: it weighs tens of megabytes,
builds a font cache and keeps global state, none of which a long-running bot should carry
for one picture a week. The child gets the plan as JSON on stdin and answers PNG bytes on
stdout; a crash, a time-out or anything that is not a PNG of ``CHART_SIZE_PX`` raises
``ChartFailed`` with the end of its stderr.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import regex

CHART_SIZE_PX = (1200, 700)  # width, height
WORKER = "bot.services.report_chart_worker"
MAX_REPS_SHOWN = 25
MIN_CALLS = 20  # fewer calls: the rate is drawn, hatched, as too few to judge
PER_DIAL = (8, 15)  # the playbook's good connect rate per dial, in percent
LABEL_CHARS = 24
STDERR_TAIL = 2000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Bar:
    label: str
    conversations: int
    calls: int


@dataclass(frozen=True)
class ChartData:
    """``steps``: Call 1 to Call 6, in order; ``reps``: in the order the report ranks
    them (the first ``MAX_REPS_SHOWN`` are drawn)."""

    title: str
    steps: tuple[Bar, ...]
    reps: tuple[Bar, ...]


class ChartFailed(Exception):
    """The chart could not be drawn; the message says why (the worker's stderr tail)."""


def whole_percent(hits: int, total: int) -> int:
    """Rounded half up, as the report writes it: 4 of 9 -> 44."""
    return (200 * hits + total) // (2 * total)


def count_text(bar: Bar, between: str = " ") -> str:
    """The label beside a bar: "4/9 (44%)"; "no calls" when there were none."""
    if not bar.calls:
        return "no calls"
    percent = whole_percent(bar.conversations, bar.calls)
    return f"{bar.conversations}/{bar.calls}{between}({percent}%)"


def label(text: str, limit: int = LABEL_CHARS) -> str:
    """A name as one short line: whitespace runs and control characters become one space,
    then at most ``limit`` graphemes (an ellipsis when cut, never half an emoji)."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text or "")
    text = " ".join(text.split())
    graphemes = _GRAPHEME.findall(text)
    if len(graphemes) <= limit:
        return text or "(no name)"
    return "".join(graphemes[: limit - 1]).rstrip() + "…"


def _bar_plan(bar: Bar, between: str = " ") -> dict:
    if bar.calls < 0 or not 0 <= bar.conversations <= bar.calls:
        raise ValueError(f"{bar.label!r}: {bar.conversations} conversations out of "
                         f"{bar.calls} calls")
    rate = 100 * bar.conversations / bar.calls if bar.calls else 0.0
    return {"label": label(bar.label), "rate": rate, "text": count_text(bar, between),
            "few": bar.calls < MIN_CALLS}


def _rate_max(bars: list[dict]) -> float:
    """Room for the highest bar, the band and the count written after it."""
    top = max([PER_DIAL[1], *(bar["rate"] for bar in bars)])
    return min(135.0, max(25.0, top * 1.35))


def chart_plan(data: ChartData) -> dict:
    """What the worker draws, as JSON-ready data (ValueError for impossible counts)."""
    steps = [_bar_plan(bar, "\n") for bar in data.steps]  # under a narrow upright bar
    reps = [_bar_plan(bar) for bar in data.reps[:MAX_REPS_SHOWN]]
    hidden = len(data.reps) - len(reps)
    note = (f"Showing the first {len(reps)} of {len(data.reps)} reps; all are in the report."
            if hidden else "")
    return {
        "size_px": list(CHART_SIZE_PX),
        "title": label(data.title, 90),
        "band": list(PER_DIAL),
        "band_label": f"playbook benchmark per dial: {PER_DIAL[0]}-{PER_DIAL[1]}%",
        "rate_label": "connect rate (conversations / calls)",
        "few_label": f"fewer than {MIN_CALLS} calls: too few to judge",
        "panels": [
            {"title": "Connect rate by call step", "horizontal": False, "bars": steps,
             "rate_max": _rate_max(steps), "note": "", "empty": "No calls logged"},
            {"title": "Connect rate per rep", "horizontal": True, "bars": reps,
             "rate_max": _rate_max(reps), "note": note, "empty": "No calls logged"},
        ],
    }


def describe(data: ChartData) -> str:
    """The chart in words, for its alt text: what it shows, then every bar's counts."""
    few = [bar.label for bar in (*data.steps, *data.reps) if bar.calls < MIN_CALLS]
    parts = [f"Bar chart: {data.title}. Connect rate (conversations / calls) against the "
             f"playbook's {PER_DIAL[0]}-{PER_DIAL[1]}% per dial."]
    if data.steps:
        parts.append("By call step: " + ", ".join(
            f"{label(b.label)} {count_text(b)}" for b in data.steps) + ".")
    if data.reps:
        parts.append("Per rep: " + ", ".join(
            f"{label(b.label)} {count_text(b)}" for b in data.reps) + ".")
    if not data.steps and not data.reps:
        parts.append("No calls logged.")
    if few:
        parts.append(f"{len(few)} of the bars rest on fewer than {MIN_CALLS} calls: too few "
                     "to judge.")
    return " ".join(parts)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk; None when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _worker_env() -> dict[str, str]:
    """The bot's environment, with this very copy of ``bot`` first on the child's path
    (a checkout or an installed wheel alike) and matplotlib told there is no display."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"}


def _tail(stderr: bytes | None) -> str:
    text = (stderr or b"").decode("utf-8", "replace").strip()
    return f"; its stderr ends: {text[-STDERR_TAIL:]}" if text else ""


def render_chart(data: ChartData, *, timeout: float = 60, python: str | None = None) -> bytes:
    """PNG bytes of ``CHART_SIZE_PX``, drawn in a child process that ends with the call.

    ``python``: the interpreter for the child (this one by default; tests pass one that
    fails). ChartFailed when the child cannot start, fails, outlives ``timeout`` seconds
    (it is killed) or answers anything but a PNG of the stated size."""
    plan = json.dumps(chart_plan(data)).encode()
    command = [python or sys.executable, "-m", WORKER]
    try:
        done = subprocess.run(command, input=plan, capture_output=True,  # noqa: S603
                              timeout=timeout, env=_worker_env(), check=False)
    except subprocess.TimeoutExpired as exc:
        raise ChartFailed(f"the chart worker did not finish within {timeout:g} s and was "
                          f"stopped{_tail(exc.stderr)}") from None
    except OSError as exc:
        raise ChartFailed(f"the chart worker could not start: {exc}") from None
    if done.returncode != 0:
        raise ChartFailed(f"the chart worker failed (exit status {done.returncode})"
                          f"{_tail(done.stderr)}")
    if png_size(done.stdout) != CHART_SIZE_PX:
        raise ChartFailed(f"the chart worker answered no PNG of {CHART_SIZE_PX[0]}x"
                          f"{CHART_SIZE_PX[1]}{_tail(done.stderr)}")
    return done.stdout
