"""Draws the weekly report's chart: a JSON plan on stdin, PNG bytes on stdout.

Run by bot.services.report_chart as ``python -m bot.services.report_chart_worker`` in a
short-lived process, so matplotlib is imported here and nowhere else. Every decision (which
bars, their labels and counts, the band, the notes) was made by the caller; this module
only draws the plan. Rep names are people's text: math parsing is off, so a name with
dollar signs is shown as typed instead of being read as a formula (or failing as one).
"""

from __future__ import annotations

import io
import json
import sys

DPI = 100
MIN_ROWS = 8
BLUE, PALE_BLUE, BAND_GREEN = "#1f4e79", "#c6d7ea", "#9bd3a4"


def _style_bars(drawn, bars: list[dict]) -> None:
    """Solid for a rate worth judging; pale and hatched when it rests on too few calls."""
    for patch, bar in zip(drawn, bars, strict=True):
        if bar["few"]:
            patch.set_facecolor(PALE_BLUE)
            patch.set_edgecolor(BLUE)
            patch.set_hatch("//")
            patch.set_linewidth(0.8)


def _axes(ax, panel: dict, plan: dict) -> None:
    from matplotlib.ticker import PercentFormatter

    low, high = plan["band"]
    rate_axis = ax.xaxis if panel["horizontal"] else ax.yaxis
    span = ax.axvspan if panel["horizontal"] else ax.axhspan
    span(low, high, color=BAND_GREEN, alpha=0.45, linewidth=0, zorder=0)
    rate_axis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ticks = [t for t in range(0, 101, 10 if panel["rate_max"] <= 60 else 20)
             if t <= panel["rate_max"]]
    rate_axis.set_ticks(ticks)
    limits = ax.set_xlim if panel["horizontal"] else ax.set_ylim
    limits(0, panel["rate_max"])
    (ax.set_xlabel if panel["horizontal"] else ax.set_ylabel)(plan["rate_label"])
    ax.set_title(panel["title"], loc="left", fontsize=12, fontweight="bold")
    ax.grid(axis="x" if panel["horizontal"] else "y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _panel(ax, panel: dict, plan: dict) -> None:
    _axes(ax, panel, plan)
    bars = panel["bars"]
    positions = list(range(len(bars)))
    names = [bar["label"] for bar in bars]
    rates = [bar["rate"] for bar in bars]
    if panel["horizontal"]:
        drawn = ax.barh(positions, rates, height=0.7, color=BLUE, zorder=2)
        ax.set_yticks(positions, labels=names, fontsize=8 if len(bars) > 12 else 9)
        # The first rep on top; room for at least MIN_ROWS keeps a small team's bars slim.
        ax.set_ylim(max(len(bars), MIN_ROWS) - 0.5, -0.5)
    else:
        drawn = ax.bar(positions, rates, width=0.65, color=BLUE, zorder=2)
        ax.set_xticks(positions, labels=names)
    _style_bars(drawn, bars)
    ax.bar_label(drawn, labels=[bar["text"] for bar in bars], padding=3,
                 fontsize=8 if len(bars) > 12 else 9)
    if not bars:
        ax.text(0.5, 0.5, panel["empty"], transform=ax.transAxes, ha="center",
                va="center", fontsize=12, color="#555555",
                bbox={"facecolor": "white", "edgecolor": "none"})
        (ax.set_yticks if panel["horizontal"] else ax.set_xticks)([])
    if panel["note"]:
        ax.set_title(panel["note"], loc="right", fontsize=9, color="#555555")


def _legend(fig, plan: dict) -> None:
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=BLUE, label=plan["rate_label"]),
        Patch(facecolor=PALE_BLUE, edgecolor=BLUE, hatch="//", label=plan["few_label"]),
        Patch(facecolor=BAND_GREEN, alpha=0.45, label=plan["band_label"]),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False,
               fontsize=10)


def draw(plan: dict) -> bytes:
    """The PNG for ``plan`` (see bot.services.report_chart.chart_plan)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
    from matplotlib.figure import Figure

    width, height = plan["size_px"]
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    fig.suptitle(plan["title"], fontsize=15, fontweight="bold")
    steps_ax, reps_ax = fig.subplots(1, 2, width_ratios=[1, 1.35])
    _panel(steps_ax, plan["panels"][0], plan)
    _panel(reps_ax, plan["panels"][1], plan)
    _legend(fig, plan)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def main() -> int:
    sys.stdout.buffer.write(draw(json.load(sys.stdin)))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
