"""The weekly report's chart (bot/services/report_chart.py): a PNG of the stated size, drawn
in a child process so matplotlib never enters the bot's own."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot.services.report_chart import (
    CHART_SIZE_PX,
    MAX_REPS_SHOWN,
    Bar,
    ChartData,
    ChartFailed,
    chart_plan,
    count_text,
    describe,
    label,
    render_chart,
)

STEPS = (Bar("Call 1", 4, 9), Bar("Call 2", 6, 40), Bar("Call 3", 1, 25),
         Bar("Call 4", 0, 3), Bar("Call 5", 0, 0), Bar("Call 6", 2, 2))
REPS = (Bar("Rita Rep", 9, 50), Bar("Bob Rep", 4, 19), Bar("Zoë 😀 Ng", 0, 0))
WEEK = ChartData("Team week 2026-W48", STEPS, REPS)


def _ihdr_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    return image


def _fake_python(tmp_path: Path, script: str) -> str:
    """An 'interpreter' for the worker that misbehaves as ``script`` says."""
    path = tmp_path / "python"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_the_chart_is_a_png_of_the_stated_size():
    png = render_chart(WEEK)
    assert _ihdr_size(png) == CHART_SIZE_PX == (1200, 700)
    image = _decoded(png)
    assert (image.format, image.size) == ("PNG", (1200, 700))
    assert len(image.getcolors(maxcolors=1 << 20) or ()) > 10  # drawn on, not a blank page


def test_matplotlib_never_enters_the_bot_process():
    """Checked in a fresh interpreter: this test process may have imported it already."""
    code = (
        "import json, sys\n"
        "from bot.services.report_chart import Bar, ChartData, png_size, render_chart\n"
        "png = render_chart(ChartData('w', (Bar('Call 1', 4, 9),), (Bar('Rita', 4, 9),)))\n"
        "print(json.dumps({'size': png_size(png),\n"
        "                  'loaded': sorted(m for m in sys.modules\n"
        "                                   if m.split('.')[0] in ('matplotlib', 'PIL'))}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer == {"size": list(CHART_SIZE_PX), "loaded": []}


@pytest.mark.parametrize("data", [
    ChartData("Nothing logged", (), ()),
    ChartData("Nothing logged", tuple(Bar(f"Call {n}", 0, 0) for n in range(1, 7)), ()),
], ids=["no bars", "six empty steps"])
def test_a_week_without_calls_still_renders(data):
    assert _decoded(render_chart(data)).size == CHART_SIZE_PX


def test_rep_names_are_drawn_as_typed_never_as_math():
    """A name with dollar signs would be parsed as a formula, and this one fails to parse."""
    names = (Bar(r"Ana $\frac$ Ruiz", 3, 30), Bar("$ally $mith", 1, 4),
             Bar("Line\nbreak\tand\x00control", 2, 21))
    png = render_chart(ChartData("Names", STEPS, names))
    assert _decoded(png).size == CHART_SIZE_PX


def test_forty_reps_draw_the_first_twenty_five_and_say_so():
    reps = tuple(Bar(f"Rep {n:02d}", n % 5, 20 + n) for n in range(40))
    plan = chart_plan(ChartData("Big team", STEPS, reps))
    shown = plan["panels"][1]["bars"]
    assert [bar["label"] for bar in shown] == [f"Rep {n:02d}" for n in range(MAX_REPS_SHOWN)]
    assert plan["panels"][1]["note"] == ("Showing the first 25 of 40 reps; all are in the "
                                         "report.")
    assert chart_plan(WEEK)["panels"][1]["note"] == ""
    assert _decoded(render_chart(ChartData("Big team", STEPS, reps))).size == CHART_SIZE_PX


def test_the_plan_marks_thin_rates_and_writes_counts():
    plan = chart_plan(WEEK)
    steps, reps = (panel["bars"] for panel in plan["panels"])
    assert [bar["text"] for bar in steps] == ["4/9\n(44%)", "6/40\n(15%)", "1/25\n(4%)",
                                              "0/3\n(0%)", "no calls", "2/2\n(100%)"]
    assert [bar["few"] for bar in steps] == [True, False, False, True, True, True]
    assert [(bar["text"], bar["few"]) for bar in reps] == [
        ("9/50 (18%)", False), ("4/19 (21%)", True), ("no calls", True)]
    assert steps[0]["rate"] == pytest.approx(100 * 4 / 9)
    assert plan["band"] == [8, 15] and "8-15%" in plan["band_label"]
    assert plan["few_label"] == "fewer than 20 calls: too few to judge"
    assert plan["panels"][0]["rate_max"] >= 100  # Call 6's 2/2 fits on the axis


def test_percentages_round_half_up_as_the_report_does():
    assert count_text(Bar("x", 4, 9)) == "4/9 (44%)"
    assert count_text(Bar("x", 1, 8)) == "1/8 (13%)"  # 12.5 -> 13, not banker's 12
    assert count_text(Bar("x", 1, 200)) == "1/200 (1%)"  # 0.5 -> 1


def test_labels_are_one_short_line():
    assert label("Very Long Name Indeed, Longer Than Allowed") == "Very Long Name Indeed,…"
    assert label("Zoë\n\tNg") == "Zoë Ng"
    assert label("👩🏽‍💻" * 30, 3) == "👩🏽‍💻👩🏽‍💻…"  # whole emoji, never half of one
    assert label("   ") == "(no name)"


@pytest.mark.parametrize("bar", [Bar("x", 5, 4), Bar("x", -1, 4), Bar("x", 0, -2)])
def test_impossible_counts_are_refused_before_anything_runs(bar):
    with pytest.raises(ValueError, match="conversations out of"):
        render_chart(ChartData("w", (bar,), ()), python="/nonexistent/python")


def test_the_description_reads_every_bar_for_the_alt_text():
    text = describe(WEEK)
    assert text.startswith("Bar chart: Team week 2026-W48.")
    assert "Call 1 4/9 (44%)" in text and "Call 5 no calls" in text
    assert "Rita Rep 9/50 (18%)" in text and "8-15%" in text
    assert "6 of the bars rest on fewer than 20 calls" in text
    assert "No calls logged" in describe(ChartData("w", (), ()))


def test_a_failing_worker_raises_chart_failed_with_its_stderr(tmp_path):
    python = _fake_python(tmp_path, "echo 'Traceback: no module named matplotlib' >&2; exit 3")
    with pytest.raises(ChartFailed, match="exit status 3.*no module named matplotlib"):
        render_chart(WEEK, python=python)


def test_a_worker_that_answers_no_png_is_refused(tmp_path):
    python = _fake_python(tmp_path, "cat >/dev/null; printf 'not a picture'")
    with pytest.raises(ChartFailed, match="no PNG of 1200x700"):
        render_chart(WEEK, python=python)


def test_a_worker_that_hangs_is_stopped(tmp_path):
    """The time-out is a guard: the 'worker' sleeps a minute, the limit is one second."""
    python = _fake_python(tmp_path, "echo 'stuck' >&2; exec sleep 60")
    with pytest.raises(ChartFailed, match="did not finish within 1 s.*stuck"):
        render_chart(WEEK, timeout=1, python=python)


def test_a_worker_that_cannot_start_is_a_chart_failure(tmp_path):
    with pytest.raises(ChartFailed, match="could not start"):
        render_chart(WEEK, python=str(tmp_path / "no-such-python"))
