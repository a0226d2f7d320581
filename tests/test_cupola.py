"""Cupola windows: each direction goes through at most one pane, and the layout matches the
public description (a round nadir window, six side windows looking out to the horizon)."""
import numpy as np
import pytest

from orbitview.errors import DataError, UnknownNameError
from orbitview.view import station
from orbitview.view.cupola import Cupola, default_cupola, window_for
from orbitview.view.sightline import horizon_dip_deg

SIDES = {"forward": 0.0, "forward-starboard": 60.0, "aft-starboard": 120.0, "aft": 180.0,
         "aft-port": 240.0, "forward-port": 300.0}


def test_seven_windows():
    assert default_cupola().names == ["nadir", *SIDES]


def test_straight_down_is_the_nadir_window_and_up_is_no_window():
    names = window_for(np.array([[0.0, 0.0], [0.0, 0.0], [1.0, -1.0]]))
    assert list(names) == ["nadir", ""]


@pytest.mark.parametrize("name,azimuth", SIDES.items())
def test_the_horizon_shows_in_the_side_window_facing_it(name, azimuth):
    limb_el = -horizon_dip_deg(406.0)
    for offset in (-20.0, 0.0, 20.0):
        assert window_for(station.direction(azimuth + offset, limb_el)) == name
    cupola = default_cupola()
    az, el = station.azimuth_elevation(cupola.direction_station(name))
    assert az == pytest.approx(azimuth, abs=1e-9) and -40.0 < el < 0.0


def test_nadir_window_extent_from_the_eye():
    # An 80 cm disc 0.40 m beyond the eye on the axis: 45 deg half-angle.
    assert default_cupola().half_angle_deg("nadir") == pytest.approx(45.0, abs=1e-6)
    with pytest.raises(UnknownNameError):
        default_cupola().half_angle_deg("zenith")


def test_panes_do_not_overlap():
    cupola = default_cupola()
    az, el = np.meshgrid(np.linspace(0, 360, 721), np.linspace(-90, 30, 241))
    dirs = station.direction(az, el).reshape(3, -1)
    hits = np.array([w.hits(cupola.eye_m, dirs) for w in cupola.windows])
    assert hits.sum(axis=0).max() == 1
    assert hits.any(axis=0).mean() > 0.5


def test_bad_geometry_names_the_field(tmp_path):
    bad = tmp_path / "cupola.toml"
    text = (default_cupola().source.read_text()
            .replace("top_circumradius_m = 0.55", "top_circumradius_m = 1.5"))
    bad.write_text(text)
    with pytest.raises(DataError, match="frustum.top_circumradius_m"):
        Cupola.load(bad)
