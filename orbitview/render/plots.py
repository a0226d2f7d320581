"""Figures for notebooks and the README (matplotlib; not used for video frames).

Both take plain arrays, so they plot any scene, measured or computed:

* ``ground_track_map``: tracks over the Blue Marble, with the pad, impact points and the stretches
  where a body is visible from the station drawn bold;
* ``geometry_timeline``: range against T+, with visibility and lighting bands and event markers.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
from PIL import Image

from .textures import blue_marble_file

MAP_WIDTH_PX = 2700            # the Blue Marble at half resolution: ~15 km a pixel, quick to draw
TRACK_COLOURS = ("#ffd34d", "#5ec8ff", "#ff7a59", "#b4f07a", "#e59cff")
_MARGIN_DEG = 4.0


@lru_cache(maxsize=1)
def _blue_marble_srgb() -> np.ndarray:
    with Image.open(blue_marble_file()) as im:
        return np.asarray(im.convert("RGB").resize((MAP_WIDTH_PX, MAP_WIDTH_PX // 2), Image.LANCZOS))


def _segments(lat: np.ndarray, lon: np.ndarray, mask: np.ndarray | None = None):
    """Runs of consecutive points (split where a track crosses the date line or the mask is off)."""
    keep = np.ones(len(lat), bool) if mask is None else np.asarray(mask, bool)
    breaks = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    for part in np.split(np.arange(len(lat)), breaks):
        for run in np.split(part, np.flatnonzero(np.diff(keep[part].astype(int)) != 0) + 1):
            if len(run) > 1 and keep[run[0]]:
                yield lon[run], lat[run]


def ground_track_map(tracks: Mapping[str, tuple[np.ndarray, np.ndarray]],
                     pad: tuple[float, float] | None = None,
                     impacts: Mapping[str, tuple[float, float]] | None = None,
                     visible: Mapping[str, np.ndarray] | None = None,
                     extent: tuple[float, float, float, float] | None = None, ax=None):
    """Map of ``tracks`` {name: (lat_deg, lon_deg)} on the Blue Marble; returns the figure.

    ``visible`` {name: bool per point} draws those stretches bold; ``extent`` is
    (lon_min, lon_max, lat_min, lat_max), by default the tracks plus a margin.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5.5))
    ax.imshow(_blue_marble_srgb(), extent=(-180, 180, -90, 90), origin="upper", interpolation="bilinear")
    lats = np.concatenate([np.ravel(lat) for lat, _ in tracks.values()] or [np.zeros(0)])
    lons = np.concatenate([np.ravel(lon) for _, lon in tracks.values()] or [np.zeros(0)])
    for k, (name, (lat, lon)) in enumerate(tracks.items()):
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        colour = TRACK_COLOURS[k % len(TRACK_COLOURS)]
        for i, (x, y) in enumerate(_segments(lat, lon)):
            ax.plot(x, y, color=colour, lw=1.0, alpha=0.8, label=name if i == 0 else None)
        if visible is not None and name in visible:
            for i, (x, y) in enumerate(_segments(lat, lon, visible[name])):
                ax.plot(x, y, color=colour, lw=3.2, label=f"{name} visible" if i == 0 else None)
    if pad is not None:
        ax.plot(pad[1], pad[0], marker="^", ms=9, color="white", mec="black", ls="none", label="pad")
    for name, (lat, lon) in (impacts or {}).items():
        ax.plot(lon, lat, marker="x", ms=8, mew=2, color="#ff4040", ls="none")
        ax.annotate(name, (lon, lat), xytext=(4, 4), textcoords="offset points", color="white", fontsize=8)
    if extent is None and len(lats):
        extent = (max(lons.min() - _MARGIN_DEG, -180), min(lons.max() + _MARGIN_DEG, 180),
                  max(lats.min() - _MARGIN_DEG, -90), min(lats.max() + _MARGIN_DEG, 90))
    if extent is not None:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.7)
    return ax.figure


def _spans(t: np.ndarray, flag: np.ndarray):
    """(start, end) of each run where ``flag`` is true."""
    flag = np.asarray(flag, bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flag.astype(int), [0]])))
    return [(t[a], t[min(b, len(t)) - 1]) for a, b in zip(edges[::2], edges[1::2])]


def geometry_timeline(t_plus_s: np.ndarray, visible: np.ndarray, range_km: np.ndarray | None = None,
                      sunlit: np.ndarray | None = None, events: Sequence[tuple[str, float]] = (), ax=None):
    """Range (km) against T+ (s) with visibility spans, the body's lighting and event markers."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.8))
    t = np.asarray(t_plus_s, float)
    for i, (a, b) in enumerate(_spans(t, visible)):
        ax.axvspan(a, b, color="#5ec8ff", alpha=0.18, lw=0, label="visible from the station" if i == 0 else None)
    if range_km is not None:
        ax.plot(t, range_km, color="black", lw=1.4, label="range")
        ax.set_ylabel("range (km)")
    handles = []
    if sunlit is not None and np.any(sunlit):       # a body never sunlit gets no legend entry
        band = ax.twinx()
        handles = [band.fill_between(t, 0, np.asarray(sunlit, float), color="#ffb000", alpha=0.35, step="mid",
                                     label="body sunlit")]
        band.set_ylim(0, 4)
        band.set_yticks([])
    for name, te in events:
        ax.axvline(te, color="#c03030", lw=0.8, ls="--")
        ax.annotate(name.replace("_", " "), (te, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    va="top", ha="right", fontsize=7, color="#c03030")
    ax.set_xlabel("T+ (s)")
    ax.set_xlim(t[0], t[-1])
    own, labels = ax.get_legend_handles_labels()
    ax.legend(own + handles, labels + [h.get_label() for h in handles], loc="upper left", fontsize=8)
    return ax.figure
