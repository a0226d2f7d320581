"""The calendar of a survey: each opportunity at its date and UTC hour, coloured by how the
vehicle is lit when the observer sees it, its size by how near the observer comes.

matplotlib's object API (``Figure``), no pyplot state, so it draws the same in a notebook, a
script or a worker; the PNG is written atomically (``orbitview.outputs``).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from .outputs import atomic_output

COLOURS = {"twilight": "#ff8c1a", "night": "#1f3b9c", "daylight": "#e8c547", "none": "#c8c8c8"}
LABELS = {"twilight": "twilight: plume sunlit over dark ground", "night": "night: flame only",
          "daylight": "daylight", "none": "not in view"}
NEAR_KM, FAR_KM = 300.0, 3000.0         # marker sizes span this range of nearest distances
LABELLED = 3                            # the best opportunities are named on the figure


def _size(min_range_km) -> float:
    """Marker area (pt^2): large when the observer passes near, small when far, a dot when unseen."""
    if min_range_km is None:
        return 6.0
    near = np.clip((FAR_KM - min_range_km) / (FAR_KM - NEAR_KM), 0.0, 1.0)
    return float(20.0 + 220.0 * near)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def calendar_axes(rows: list[dict], ax, title: str = "", marks: dict[str, str] | None = None) -> None:
    """Draw the calendar of ``rows`` (survey rows) on a matplotlib axes; ``marks`` (name -> ISO UTC)
    circles real launches for comparison."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    when = [_utc(r["liftoff_utc"]) for r in rows]
    hours = [t.hour + t.minute / 60.0 + t.second / 3600.0 for t in when]
    for lighting in COLOURS:
        picked = [i for i, r in enumerate(rows) if r["lighting"] == lighting]
        if picked:
            ax.scatter([when[i] for i in picked], [hours[i] for i in picked],
                       s=[_size(rows[i]["min_range_km"]) for i in picked], c=COLOURS[lighting],
                       edgecolors="black" if lighting != "none" else "none", linewidths=0.4,
                       label=f"{LABELS[lighting]} ({len(picked)})", zorder=3 if lighting != "none" else 2)
    for i in sorted(range(len(rows)), key=lambda i: -rows[i]["score"])[:LABELLED]:
        if rows[i]["score"] > 0.0:
            ax.annotate(f"{rows[i]['liftoff_utc'][:16]}Z\n{rows[i]['min_range_km']:.0f} km, score "
                        f"{rows[i]['score']:.0f}", (when[i], hours[i]), textcoords="offset points",
                        xytext=(8, 8), fontsize=7)
    for name, utc in (marks or {}).items():
        t = _utc(utc)
        if not when or not min(when) <= t <= max(when):
            continue                        # a launch outside the survey's range is not drawn
        ax.scatter([t], [t.hour + t.minute / 60.0 + t.second / 3600.0], s=420, facecolors="none",
                   edgecolors="red", linewidths=1.2, zorder=4)
        ax.annotate(name, (t, t.hour + t.minute / 60.0), textcoords="offset points", xytext=(-12, -22),
                    fontsize=8, color="red", ha="right")
    ax.set_ylim(0.0, 24.0)
    ax.set_yticks(range(0, 25, 3))
    ax.set_ylabel("liftoff, hour of the day (UTC)")
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("date of the opportunity (UTC)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.9,
              title=f"marker size: nearest approach, {NEAR_KM:.0f} km (large) to {FAR_KM:.0f} km", title_fontsize=7)
    if title:
        ax.set_title(title, fontsize=10)


def calendar_figure(rows: list[dict], path: str | Path, force: bool = False, title: str = "") -> Path:
    """The calendar as a PNG at ``path`` (never over an existing file without ``force``)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 5), dpi=110, layout="constrained")
    calendar_axes(rows, fig.add_subplot(), title)
    with atomic_output(path, (".png",), force) as tmp:
        fig.savefig(tmp, format="png")
    return Path(path)
