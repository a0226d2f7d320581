"""Shared fixtures: the bundled element sets and the Progress MS-10 liftoff instant."""
from __future__ import annotations

import warnings

import pytest
from skyfield.api import EarthSatellite

from orbitview import tle
from orbitview.clock import Clock
from orbitview.resources import tle_file
from orbitview.skydata import timescale
from orbitview.tle import StaleElementsWarning

PROGRESS_LIFTOFF_UTC = "2018-11-16T18:14:08Z"


@pytest.fixture(autouse=True)
def _quiet_stale_elements():
    """The 2018 sets are 5.3 days from liftoff: the warning is expected and tested on its own."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        yield


@pytest.fixture(scope="session")
def iss_2018() -> tle.TLEArchive:
    return tle.load("iss-2018-11")


@pytest.fixture(scope="session")
def iss_2019() -> tle.TLEArchive:
    return tle.load("iss-2019-09")


@pytest.fixture(scope="session")
def progress_clock() -> Clock:
    return Clock.from_utc(PROGRESS_LIFTOFF_UTC)


def skyfield_satellite(bundled: str) -> EarthSatellite:
    """Skyfield's own satellite from the last set of a bundled element file, read straight from its
    lines (not through orbitview's parser): the independent reference the scene tests compare to."""
    lines = [line.strip() for line in open(tle_file(bundled)) if line[:2] in ("1 ", "2 ")]
    return EarthSatellite(lines[-2], lines[-1], "ISS", timescale())
