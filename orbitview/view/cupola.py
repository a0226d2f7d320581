"""The Cupola's seven windows in the station frame, and which one a line of sight goes through.

The geometry (``data/cupola.toml``) is a hexagonal frustum on the nadir port of Node 3: the round
80 cm nadir window in its flat end and six trapezoidal panes in its sloping faces. A direction
passes through a window when the ray from the crew's eye point along it crosses that pane, so
each window's angular extent follows from the solid rather than from a table of angles (which
no public source gives). Window names are body-fixed: see the data file for which faces where.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..datafile import Table, load_toml
from ..errors import UnknownNameError

HEXAGON_HALF_SECTOR_RAD = np.pi / 6.0     # each face spans 60 deg of azimuth
_ROUND_RIM_SAMPLES = 72                   # rim points for the round window's angular extent


@dataclass(frozen=True)
class Window:
    """One pane: a convex planar polygon (``corners_m``, counter-clockwise seen from outside)
    or a disc (``radius_m`` about ``centre_m``), with its outward unit ``normal``."""

    name: str
    centre_m: np.ndarray
    normal: np.ndarray
    corners_m: np.ndarray | None = None
    radius_m: float | None = None

    def rim_m(self) -> np.ndarray:
        """Points ``(3, K)`` on the pane's edge."""
        if self.corners_m is not None:
            return self.corners_m
        u = np.cross(self.normal, [1.0, 0.0, 0.0] if abs(self.normal[0]) < 0.9 else [0.0, 1.0, 0.0])
        u /= np.linalg.norm(u)
        w = np.cross(self.normal, u)
        a = np.linspace(0.0, 2.0 * np.pi, _ROUND_RIM_SAMPLES, endpoint=False)
        return self.centre_m[:, None] + self.radius_m * (np.outer(u, np.cos(a)) + np.outer(w, np.sin(a)))

    def hits(self, eye_m: np.ndarray, dirs_station: np.ndarray) -> np.ndarray:
        """Whether rays from ``eye_m`` along ``dirs_station`` ``(3, N)`` cross this pane."""
        if self.corners_m is None:
            # |eye + t d - centre| <= r where the ray meets the pane's plane (t > 0).
            w = eye_m - self.centre_m
            denom = self.normal @ dirs_station
            with np.errstate(invalid="ignore", divide="ignore"):
                t = -(self.normal @ w) / denom
                reach = w @ w + 2.0 * t * (w @ dirs_station) + t * t
            return (denom > 0.0) & (t > 0.0) & (reach <= self.radius_m**2)
        # A convex pane seen from the eye is a pointed convex cone bounded by one plane per edge.
        rays = self.corners_m - eye_m[:, None]
        edge_normals = np.cross(rays, np.roll(rays, -1, axis=1), axis=0).T
        return np.all(edge_normals @ dirs_station >= 0.0, axis=0)


class Cupola:
    """The windows and the eye point the crew looks from (station frame, metres)."""

    def __init__(self, windows: list[Window], eye_m: np.ndarray, source: str | Path | None = None):
        self.windows, self.eye_m, self.source = windows, np.asarray(eye_m, dtype=float), source

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Cupola":
        """Read the geometry from ``path`` (default: the shipped ``data/cupola.toml``)."""
        if path is None:
            path = resources.files("orbitview") / "data" / "cupola.toml"
        table = load_toml(path)
        return cls(_windows(table), np.array(table.table("eye").numbers("position_m", length=3)), path)

    @property
    def names(self) -> list[str]:
        return [w.name for w in self.windows]

    def direction_station(self, name: str) -> np.ndarray:
        """Unit direction from the eye to a window's centre."""
        d = self._window(name).centre_m - self.eye_m
        return d / np.linalg.norm(d)

    def half_angle_deg(self, name: str) -> float:
        """Angular radius of a window about its centre direction, as seen from the eye."""
        rim = self._window(name).rim_m() - self.eye_m[:, None]
        cos = self.direction_station(name) @ (rim / np.linalg.norm(rim, axis=0))
        return float(np.degrees(np.arccos(np.clip(cos.min(), -1.0, 1.0))))

    def window_index(self, dirs_station: np.ndarray) -> np.ndarray:
        """Index into :attr:`windows` of the pane each direction ``(3, ...)`` goes through, or -1."""
        d = np.asarray(dirs_station, dtype=float)
        flat = d.reshape(3, -1)
        index = np.full(flat.shape[1], -1)
        for i, window in enumerate(self.windows):
            index[(index < 0) & window.hits(self.eye_m, flat)] = i
        return index.reshape(d.shape[1:])

    def window_for(self, dirs_station: np.ndarray) -> np.ndarray:
        """Name of the window each direction ``(3, ...)`` goes through, or ``""``."""
        names = np.array(self.names + [""])
        return names[self.window_index(dirs_station)]

    def _window(self, name: str) -> Window:
        for window in self.windows:
            if window.name == name:
                return window
        raise UnknownNameError("Cupola window", name, self.names)


def _windows(table: Table) -> list[Window]:
    """The nadir disc and the six side trapezoids described by the data file."""
    frustum = table.table("frustum")
    r_base = frustum.number("base_circumradius_m", above=0)
    r_top = frustum.number("top_circumradius_m", above=0)
    height = frustum.number("height_m", above=0)
    inset = frustum.number("pane_inset_m", min=0)
    if r_top >= r_base:
        raise frustum.error("top_circumradius_m", r_top, f"a radius < base_circumradius_m ({r_base:g})")
    nadir = table.table("nadir")
    radius = nadir.number("diameter_m", above=0) / 2.0
    apothem_top = r_top * np.cos(HEXAGON_HALF_SECTOR_RAD)
    if radius > apothem_top:
        raise nadir.error("diameter_m", 2 * radius, f"a window that fits the top ({2 * apothem_top:.3f} m across)")
    windows = [Window(nadir.string("name"), np.array([0.0, 0.0, height]), np.array([0.0, 0.0, 1.0]),
                      radius_m=radius)]
    for side in table.tables("side"):
        corners = _side_pane(np.radians(side.number("azimuth_deg", min=0, max=360)),
                             r_base, r_top, height, inset)
        if corners is None:
            raise frustum.error("pane_inset_m", inset, "a frame narrower than half the side window")
        normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 1])
        windows.append(Window(side.string("name"), corners.mean(axis=1), normal / np.linalg.norm(normal),
                              corners_m=corners))
    names = [w.name for w in windows]
    if len(set(names)) != len(names):
        raise table.error("side", names, "distinct window names")
    return windows


def _side_pane(azimuth: float, r_base: float, r_top: float, height: float, inset: float) -> np.ndarray | None:
    """Corners ``(3, 4)`` of the pane in the face centred on ``azimuth`` (rad), counter-clockwise
    seen from outside; ``None`` if the frame leaves no glass."""
    cos30 = np.cos(HEXAGON_HALF_SECTOR_RAD)
    a_base, a_top = r_base * cos30, r_top * cos30           # apothems
    half_base, half_top = r_base / 2.0, r_top / 2.0         # half edge lengths (sin 30 = 1/2)
    mid_base = np.array([a_base * np.cos(azimuth), a_base * np.sin(azimuth), 0.0])
    mid_top = np.array([a_top * np.cos(azimuth), a_top * np.sin(azimuth), height])
    slant = np.linalg.norm(mid_top - mid_base)
    along = np.array([-np.sin(azimuth), np.cos(azimuth), 0.0])     # in-plane, along the edges
    up_slope = (mid_top - mid_base) / slant                          # in-plane, base -> top
    leg = np.hypot(half_top - half_base, slant)
    w_low, w_high = inset, slant - inset
    half_at = lambda w: half_base + (half_top - half_base) * w / slant - inset * leg / slant  # noqa: E731
    if w_high <= w_low or half_at(w_high) <= 0.0:
        return None
    local = [(-half_at(w_low), w_low), (half_at(w_low), w_low), (half_at(w_high), w_high), (-half_at(w_high), w_high)]
    corners = np.array([mid_base + u * along + w * up_slope for u, w in local]).T
    outward = np.array([np.cos(azimuth), np.sin(azimuth), 0.0])
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 1])
    return corners if normal @ outward > 0.0 else corners[:, ::-1]


@lru_cache(maxsize=None)
def default_cupola() -> Cupola:
    """The shipped Cupola geometry, read once."""
    return Cupola.load()


def window_for(dirs_station: np.ndarray, cupola: Cupola | None = None) -> np.ndarray:
    """Name of the Cupola window each station-frame direction ``(3, ...)`` goes through, or ``""``."""
    return (cupola or default_cupola()).window_for(dirs_station)
