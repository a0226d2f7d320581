"""Bad input: one clear error naming the file and the field (or the shortfall)."""
from __future__ import annotations

from pathlib import Path

import pytest
from ascent_cases import scene

from orbitview.ascent import fly, load_vehicle
from orbitview.ascent.vehicle import VEHICLES_DIR
from orbitview.errors import DataError, OrbitviewError, UnknownNameError
from orbitview.sites import load_site

SOYUZ = (VEHICLES_DIR / "soyuz-fg.toml").read_text()


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SOYUZ
    path = tmp_path / "variant.toml"
    path.write_text(SOYUZ.replace(old, new, 1))
    return path


def test_the_bundled_vehicle_loads_by_name_and_by_path():
    assert load_vehicle("soyuz-fg").name == load_vehicle(VEHICLES_DIR / "soyuz-fg.toml").name == "Soyuz-FG"
    with pytest.raises(UnknownNameError, match="unknown vehicle 'soyuz-2'.*soyuz-fg"):
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
