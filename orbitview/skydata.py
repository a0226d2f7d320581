"""Offline access to Skyfield's timescale and the DE421 ephemeris.

Both come from installed packages (skyfield's builtin Delta T / leap-second tables and the
``skyfield-data`` wheel); nothing here may touch the network.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

from skyfield.api import Loader
from skyfield.timelib import Timescale
from skyfield_data import get_skyfield_data_path

SUN_RADIUS_KM = 695_700.0           # IAU 2015 Resolution B3, nominal solar radius


@lru_cache(maxsize=None)
def _loader() -> Loader:
    # skyfield-data warns that its finals2000A.all has "expired": it covers every date this
    # project reconstructs, so the warning is noise for our purpose.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        path = get_skyfield_data_path()
    return Loader(path, expire=False, verbose=False)


@lru_cache(maxsize=None)
def timescale() -> Timescale:
    """The one timescale of the process (builtin UT1/leap-second data: no download)."""
    return _loader().timescale(builtin=True)


@lru_cache(maxsize=None)
def ephemeris():
    """JPL DE421 (1900-2050) from the ``skyfield-data`` package."""
    return _loader()("de421.bsp")
