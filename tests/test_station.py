"""The station frame flies LVLH like the ISS: checked against the orbit's own geometry."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from skyfield.api import EarthSatellite

from orbitview.errors import OrbitviewError
from orbitview.skydata import timescale
from orbitview.view import station
from orbitview.view.station import Attitude, station_axes

ISS_LINE1 = "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997"
ISS_LINE2 = "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"


@pytest.fixture(scope="module")
def iss_state():
    ts = timescale()
    sat = EarthSatellite(ISS_LINE1, ISS_LINE2, "ISS", ts)
    p = sat.at(ts.utc(2018, 11, 16, 18, np.arange(0, 95, 5.0)))
    return p.position.km, p.velocity.km_per_s


def test_plus_xvv_axes(iss_state):
    r, v = iss_state
    axes = station_axes(r, v)
    x, y, z = axes[0], axes[1], axes[2]
    np.testing.assert_allclose(np.einsum("ikn,jkn->ijn", axes, axes), np.eye(3)[:, :, None] * np.ones(r.shape[1]),
                               atol=1e-12)
    np.testing.assert_allclose(np.cross(x, y, axis=0), z, atol=1e-12)           # right-handed
    np.testing.assert_allclose(z, -r / np.linalg.norm(r, axis=0), atol=1e-12)    # nadir
    np.testing.assert_allclose(np.sum(x * r, axis=0), 0.0, atol=1e-9)            # horizontal
    assert (np.sum(x * v, axis=0) / np.linalg.norm(v, axis=0) > 0.999).all()    # near-circular: along v
    h = np.cross(r, v, axis=0)
    np.testing.assert_allclose(y, -h / np.linalg.norm(h, axis=0), atol=1e-12)    # minus orbit normal


def test_minus_xvv_turns_the_station_around(iss_state):
    r, v = iss_state
    plus, minus = station_axes(r, v), station_axes(r, v, Attitude("-XVV"))
    np.testing.assert_allclose(minus[0], -plus[0], atol=1e-12)
    np.testing.assert_allclose(minus[1], -plus[1], atol=1e-12)
    np.testing.assert_allclose(minus[2], plus[2], atol=1e-12)


def test_yaw_pitch_roll_biases(iss_state):
    r, v = iss_state
    plus = station_axes(r, v)
    yawed = station_axes(r, v, Attitude(yaw_deg=10.0))
    # Positive yaw turns the nose from +x towards +y (right-handed about nadir).
    np.testing.assert_allclose(yawed[0], np.cos(np.radians(10)) * plus[0] + np.sin(np.radians(10)) * plus[1],
                               atol=1e-12)
    pitched = station_axes(r, v, Attitude(pitch_deg=5.0))
    # Positive pitch (right-handed about +y, starboard) raises the nose away from nadir.
    assert (np.sum(pitched[0] * plus[2], axis=0) < 0).all()
    rolled = station_axes(r, v, Attitude(roll_deg=3.0))
    np.testing.assert_allclose(rolled[0], plus[0], atol=1e-12)


def test_bad_attitudes_are_refused():
    with pytest.raises(OrbitviewError, match="attitude"):
        Attitude("YVV")
    with pytest.raises(OrbitviewError, match="yaw_deg"):
        Attitude(yaw_deg=float("nan"))


def test_azimuth_elevation_conventions():
    az, el = station.azimuth_elevation(np.array([[1, 0, 0, 0, -1], [0, 1, 0, 0, 0], [0, 0, 1, -1, 0]], float))
    np.testing.assert_allclose(az[[0, 1, 4]], [0.0, 90.0, 180.0])
    np.testing.assert_allclose(el, [0.0, 0.0, -90.0, 90.0, 0.0])


@given(st.floats(0, 359.999), st.floats(-89.9, 89.9))
@settings(max_examples=200, deadline=None)
def test_direction_round_trip(az, el):
    got_az, got_el = station.azimuth_elevation(station.direction(az, el))
    assert got_el == pytest.approx(el, abs=1e-9)
    assert (got_az - az + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-7)
