"""The diary chart as a PNG: four metrics over time, infusions, baseline and threshold per
cycle, and suggestions. Rendered headless with matplotlib's Agg canvas (no global state)."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PANELS = (
    ("pain", "Pain\n0 none – 10 worst", "#c0392b", True),
    ("fatigue", "Fatigue\n0 none – 10 worst", "#d35400", True),
    ("mood", "Mood\n0 worst – 10 best", "#2471a3", False),
    ("sleep_quality", "Sleep quality\n0 worst – 10 best", "#7d3c98", False),
)
SIZES = {"phone": (4.2, 7.5, 150), "desktop": (11, 8, 100)}


def render(
    *,
    entries,
    infusions,
    suggestions,
    cycles,
    start: dt.date,
    end: dt.date,
    size: str = "desktop",
    title: str = "",
) -> bytes:
    width, height, dpi = SIZES[size]
    figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(PANELS), 1, sharex=True)
    days = [e.entry_date for e in entries]
    for ax, (metric, label, colour, worse_high) in zip(axes, PANELS, strict=True):
        values = [getattr(e, metric) for e in entries]
        ax.plot(days, values, marker="o", markersize=2.5, linewidth=1.2, color=colour)
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks([0, 5, 10])
        ax.set_ylabel(label, fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.text(
            1.0,
            1.0,
            "↑ worse" if worse_high else "↑ better",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="#555555",
        )
        for infusion in infusions:
            ax.axvline(infusion.administered_on, color="#27ae60", linewidth=1.2, alpha=0.8)
        for cycle in cycles:
            segment_end = min(cycle.ended, end)
            segment_start = max(cycle.cycle_start, start)
            if cycle.baseline and segment_start <= segment_end:
                ax.hlines(
                    cycle.baseline[metric],
                    segment_start,
                    segment_end,
                    colors="#7f8c8d",
                    linestyles="dashed",
                    linewidth=1,
                )
            if metric == "pain" and cycle.thresholds and segment_start <= segment_end:
                ax.hlines(
                    cycle.thresholds["pain_return_at"],
                    segment_start,
                    segment_end,
                    colors="#e67e22",
                    linestyles="dotted",
                    linewidth=1.2,
                )
        for suggestion in suggestions:
            ax.axvline(suggestion.raised_on, color="#8e44ad", linewidth=1, linestyle="-.")
    axes[0].plot([], [], color="#27ae60", label="infusion")
    axes[0].plot([], [], color="#7f8c8d", linestyle="dashed", label="baseline")
    axes[0].plot([], [], color="#e67e22", linestyle="dotted", label="wearing-off threshold")
    axes[0].plot([], [], color="#8e44ad", linestyle="-.", label="booster suggested")
    axes[0].legend(fontsize=6, loc="upper left", ncol=2 if size == "phone" else 4)
    shown_end = max(end, start + dt.timedelta(days=1))
    axes[-1].set_xlim(start - dt.timedelta(days=0.5), shown_end + dt.timedelta(days=0.5))
    locator = AutoDateLocator(maxticks=5 if size == "phone" else 10)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if not entries:
        axes[0].text(
            0.5,
            0.5,
            "no entries in this period",
            transform=axes[0].transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="#555555",
        )
    if title:
        figure.suptitle(title, fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
