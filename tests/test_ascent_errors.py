"""Bad input: one clear error naming the file and the field (or the shortfall)."""
from __future__ import annotations

import dataclasses
import json
import math
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from ascent_cases import scene
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbitview.ascent import fly, load_vehicle
from orbitview.ascent.guidance import PoweredExplicitGuidance, Steering
from orbitview.errors import DataError, OrbitviewError, UnknownNameError, UnreachableOrbitError
from orbitview.resources import resolve
from orbitview.sites import load_site

SOYUZ_PATH = resolve("vehicle", "soyuz-fg")
SOYUZ = SOYUZ_PATH.read_text()


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SOYUZ
    path = tmp_path / "variant.toml"
    path.write_text(SOYUZ.replace(old, new, 1))
    return path


def test_the_bundled_vehicle_loads_by_name_and_by_path():
    assert load_vehicle("soyuz-fg").name == load_vehicle(SOYUZ_PATH).name == "Soyuz-FG"
    with pytest.raises(UnknownNameError, match="unknown vehicle file or bundled name 'soyuz-2'.*soyuz-fg"):
        load_vehicle("soyuz-2")


@pytest.mark.parametrize("old, new, message", [
    ("dry_mass_kg = 6550.0", "", r"variant\.toml: stages\.core\.dry_mass_kg missing: expected a value"),
    ("gross_mass_kg = 43400.0", "gross_mass_kg = -43400.0",
     r"stages\.booster\.gross_mass_kg = -43400\.0: expected a number > 0"),
    ("isp_sl_s = 263.3", "isp_sl_s = 200.0", r"stages\.booster\.isp_sl_s = 200\.0: expected a value giving"),
    ('after = "core_separation"', 'after = "core_sepration"',
     r"jettison\.aft_skirt\.after = 'core_sepration': expected one of"),
], ids=["missing field", "negative mass", "inconsistent engine figures", "unknown event name"])
def test_a_bad_vehicle_field_is_named(tmp_path, old, new, message):
    with pytest.raises(DataError, match=message):
        load_vehicle(_variant(tmp_path, old, new))


def test_thrust_below_weight_at_liftoff(tmp_path):
    path = _variant(tmp_path, "thrust_sl_n = 838500.0", "thrust_sl_n = 350000.0")
    path.write_text(path.read_text().replace("isp_sl_s = 263.3", "isp_sl_s = 110.0"))
    clock, target, payload = scene("progress-ms10")
    with pytest.raises(DataError, match=r"stages\.booster\+stages\.core\+?.*thrust_sl_n = .*: expected a liftoff "
                                        r"thrust above the liftoff weight"):
        fly(load_site("baikonur-1/5"), load_vehicle(path), payload, clock, target)


def test_an_unreachable_target_reports_the_shortfall():
    clock, target, _ = scene("progress-ms10")
    with pytest.raises(OrbitviewError, match=r"soyuz-fg\.toml: stages\.third_stage: the target orbit "
                                             r"\(200 x 240 km\) is unreachable: .* \d+ m/s short"):
        fly(load_site("baikonur-1/5"), load_vehicle("soyuz-fg"), 9000.0, clock, target)


def test_a_bad_payload_and_an_unknown_site():
    clock, target, _ = scene("progress-ms10")
    with pytest.raises(OrbitviewError, match="payload_kg = -1.0: expected a mass in kg > 0"):
        fly(load_site("baikonur-1/5"), load_vehicle("soyuz-fg"), -1.0, clock, target)
    with pytest.raises(UnknownNameError, match="unknown site 'baikonur-2'"):
        load_site("baikonur-2")


def _fly(path_or_name, target=None, payload_kg=None):
    clock, scene_target, scene_payload = scene("progress-ms10")
    return fly(load_site("baikonur-1/5"), load_vehicle(path_or_name), payload_kg or scene_payload, clock,
               target or scene_target)


@pytest.mark.parametrize("old, new, message", [
    ("pitchover_deg = 5.0", "pitchover_deg = 0.0", r"guidance\.pitchover_deg = 0\.0: expected a number > 0"),
    ("vertical_rise_s = 8.0", "vertical_rise_s = 1000",
     r"guidance\.vertical_rise_s = 1000\.0: expected a vertical rise plus pitch-over"),
    ("auxiliary_flow_fraction = 0.024", "auxilliary_flow_fraction = 0.024",
     r"stages\.core\.auxilliary_flow_fraction = 0\.024: expected a known field"),
    ('name = "Progress MS"', 'name = "Progress MS"\ncolour = "white"', r"payload\.colour = 'white': expected a known"),
], ids=["no pitch-over", "vertical rise beyond the first stages", "misspelt key", "unknown key"])
def test_a_vehicle_that_cannot_fly_is_refused_on_load(tmp_path, old, new, message):
    with pytest.raises(DataError, match=message):
        load_vehicle(_variant(tmp_path, old, new))


@pytest.mark.parametrize("old, new", [("pitchover_deg = 5.0", "pitchover_deg = 0.3"),
                                      ("vertical_rise_s = 8.0", "vertical_rise_s = 90.0"),
                                      ("pitchover_deg = 5.0", "pitchover_deg = 20.0")])
def test_open_loop_steering_that_never_turns_to_orbit_is_refused_within_seconds(tmp_path, old, new):
    start = time.perf_counter()
    with pytest.raises(OrbitviewError, match=r"variant\.toml: guidance: vertical_rise_s = .*pitchover_deg = "):
        _fly(_variant(tmp_path, old, new))
    assert time.perf_counter() - start < 10.0


@pytest.mark.parametrize("alt_km", [2000.0, 36000.0])
def test_a_target_beyond_reach_is_refused_with_the_shortfall(alt_km):
    _, target, _ = scene("progress-ms10")
    high = dataclasses.replace(target, perigee_alt_km=alt_km, apogee_alt_km=alt_km)
    with pytest.raises(UnreachableOrbitError, match=rf"\({alt_km:g} x {alt_km:g} km\) is unreachable: .* m/s short") as err:
        _fly("soyuz-fg", high)
    assert err.value.shortfall_m_s > 1000.0


def test_the_steering_is_a_unit_vector_even_when_the_target_asks_for_more():
    clock, target, payload = scene("progress-ms10")
    high = dataclasses.replace(target, perigee_alt_km=2000.0, apogee_alt_km=2000.0)
    peg = PoweredExplicitGuidance(high, high.plane(np.array(target.normal_gcrs)), 3.2, 91.0, 297930.0)
    peg.steering = Steering(0.0, 2.0, 0.0, 1.0, 0.0, 100.0, 1.0, np.array([0.0, 0.0, 1.0]))
    u = peg.direction(0.0, 6578.0, 0.0, 0.0, 0.0, 7.5, 0.0, 20000.0)
    assert np.linalg.norm(u) == pytest.approx(1.0)


# Every numeric field of the vehicle file, as (table path, key).
_NUMERIC = [(path, key) for path, table in (
    [(("vehicle",), tomllib.loads(SOYUZ)["vehicle"]), (("guidance",), tomllib.loads(SOYUZ)["guidance"]),
     (("payload",), tomllib.loads(SOYUZ)["payload"])]
    + [(("stages", k), t) for k, t in tomllib.loads(SOYUZ)["stages"].items()]
    + [(("jettison", k), t) for k, t in tomllib.loads(SOYUZ)["jettison"].items()])
    for key, value in table.items() if isinstance(value, float | int) and not isinstance(value, bool)]


def _toml(value) -> str:
    if isinstance(value, dict):
        raise TypeError
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _dump(data: dict, prefix: str = "") -> str:
    """A minimal TOML writer for the vehicle file's shape (tables of scalars and lists)."""
    lines = [f"{k} = {_toml(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            name = f"{prefix}{json.dumps(k) if '.' in k else k}"
            body = _dump(v, name + ".")
            lines.append(f"\n[{name}]\n{body}" if any(not isinstance(x, dict) for x in v.values()) else body)
    return "\n".join(lines)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(_NUMERIC),
       value=st.one_of(st.floats(), st.floats(min_value=-2.0, max_value=3.0)))
def test_any_number_in_any_field_flies_or_is_refused_with_one_error(tmp_path, field, value):
    """Each vehicle field set to an arbitrary float (or scaled from -2x to 3x its value): the
    ascent flies, or one OrbitviewError is raised, within seconds; never another exception."""
    data = tomllib.loads(SOYUZ)
    (*tables, ), key = field
    table = data
    for name in tables:
        table = table[name]
    table[key] = value if abs(value) > 3.0 or math.isnan(value) else table[key] * value
    path = tmp_path / "drawn.toml"
    path.write_text(_dump(data))
    start = time.perf_counter()
    try:
        _fly(path)
    except OrbitviewError:
        pass
    assert time.perf_counter() - start < 15.0
