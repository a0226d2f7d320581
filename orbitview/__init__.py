"""orbitview: what the ISS crew saw of a rocket launch, rebuilt from first principles.

The public API (see README.md)::

    import orbitview as ov
    scn = ov.load_scenario("progress-ms10")
    t = scn.clock.t_plus([0, 118, 287, 528])
    scn.observer.at(t)                       # the ISS, GCRS, like skyfield's EarthSatellite.at
    sat = ov.Observer.from_tle(line1, line2, name="ISS")
    ov.tle.load("tle/iss-2018-11.tle")
    ov.visibility("soyuz-ms15")              # when and how each observer sees the launch
    ov.survey(site="baikonur-1/5", vehicle="soyuz-fg", elements="iss-2018-11",
              start="2018-11-01", end="2018-12-01")   # every launch opportunity, one row each
"""
from . import tle
from .clock import Clock
from .errors import (DataError, EphemerisRangeError, EpochRangeError, FramingError, OrbitviewError,
                     PropagationError, TLEError, UnknownNameError, UnreachableOrbitError)
from .orbits import Observer
from .scene import Scene, load_scenario, scenario_names

Scenario = Scene    # the name DESIGN.md's contract gives the loaded scenario


def visibility(*args, **kwargs):
    """When and how each observer sees a launch (``orbitview.sighting.visibility``; imported on
    first use, as it flies the ascent)."""
    from .sighting import visibility as views

    return views(*args, **kwargs)


def survey(*args, **kwargs):
    """One row per launch opportunity in a date range (``orbitview.surveys.survey``)."""
    from .surveys import survey as rows

    return rows(*args, **kwargs)


__all__ = ["Clock", "DataError", "EphemerisRangeError", "EpochRangeError", "FramingError", "Observer",
           "OrbitviewError", "PropagationError", "Scenario", "Scene", "TLEError", "UnknownNameError",
           "UnreachableOrbitError", "load_scenario", "scenario_names", "survey", "tle", "visibility"]
__version__ = "0.1.0"
