"""The standard atmosphere against the published U.S. Standard Atmosphere 1976 tables."""
from __future__ import annotations

import numpy as np
import pytest

from orbitview import atmosphere

# NASA-TM-X-74335 (= NOAA-S/T 76-1562) Table I, geometric altitude: (km, T K, p Pa, rho kg/m3, sound m/s or None).
PUBLISHED = [
    (0.0, 288.150, 101325.0, 1.2250, 340.294),
    (11.0, 216.774, 22699.9, 0.36480, 295.154),
    (20.0, 216.650, 5529.30, 8.8910e-2, 295.069),
    (32.0, 228.490, 889.063, 1.3555e-2, 303.020),
    (50.0, 270.650, 79.7790, 1.0269e-3, 329.799),
    (80.0, 198.639, 1.05247, 1.8458e-5, 282.543),
    (86.0, 186.867, 0.37338, 6.958e-6, None),
    (100.0, 195.08, 3.2011e-2, 5.604e-7, None),
    (150.0, 634.39, 4.5422e-4, 2.076e-9, None),
    (200.0, 854.56, 8.4736e-5, 2.541e-10, None),
    (400.0, 995.83, 1.4518e-6, 2.803e-12, None),
    (1000.0, 1000.0, 7.5138e-9, 3.561e-15, None),
]


@pytest.mark.parametrize("alt_km, t_k, p_pa, rho, sound", PUBLISHED)
def test_matches_the_published_table(alt_km, t_k, p_pa, rho, sound):
    got = atmosphere.properties(alt_km)
    assert got["temperature_k"] == pytest.approx(t_k, rel=2e-4)
    assert got["pressure_pa"] == pytest.approx(p_pa, rel=2e-4)
    assert got["density_kg_m3"] == pytest.approx(rho, rel=5e-4)
    if sound is not None:
        assert got["speed_of_sound_m_s"] == pytest.approx(sound, rel=2e-4)


# Above 86 km the rows above are the interpolation's own nodes (they check the transcription).
# Between the nodes the monotone cubic in log(rho) and log(p) is tested against the same
# publication's Table I at altitudes that are not nodes. Densities to 4 digits (the table's);
# pressures as rounded to 3 digits in the secondary listings we checked them in.
# Tolerance 1 %: the interpolation measures within 0.6 % (density) and 0.5 % (pressure).
BETWEEN_NODES_DENSITY = [(170.0, 7.815e-10), (190.0, 3.581e-10), (310.0, 1.552e-11), (340.0, 8.503e-12),
                         (380.0, 4.013e-12), (420.0, 1.975e-12), (525.0, 3.509e-13), (550.0, 2.384e-13),
                         (650.0, 5.712e-14), (750.0, 1.788e-14), (850.0, 7.824e-15), (950.0, 4.453e-15)]
BETWEEN_NODES_PRESSURE = [(550.0, 1.51e-7), (650.0, 4.89e-8), (750.0, 2.26e-8), (850.0, 1.34e-8),
                          (950.0, 8.98e-9)]
BETWEEN_NODES_REL = 0.01


@pytest.mark.parametrize("alt_km, rho", BETWEEN_NODES_DENSITY)
def test_density_between_the_interpolation_nodes_matches_the_published_table(alt_km, rho):
    assert alt_km not in atmosphere._UPPER_TABLE[:, 0]
    assert atmosphere.density_kg_m3(alt_km) == pytest.approx(rho, rel=BETWEEN_NODES_REL)


@pytest.mark.parametrize("alt_km, p_pa", BETWEEN_NODES_PRESSURE)
def test_pressure_between_the_interpolation_nodes_matches_the_published_table(alt_km, p_pa):
    assert alt_km not in atmosphere._UPPER_TABLE[:, 0]
    assert atmosphere.pressure_pa(alt_km) == pytest.approx(p_pa, rel=BETWEEN_NODES_REL)


def test_density_and_pressure_fall_monotonically_and_vanish_above_the_model():
    alt = np.linspace(0.0, 1000.0, 20001)
    props = atmosphere.properties(alt)
    assert np.all(np.diff(props["density_kg_m3"]) < 0)
    assert np.all(np.diff(props["pressure_pa"]) < 0)
    assert atmosphere.density_kg_m3(1500.0) == 0.0 and atmosphere.pressure_pa(1500.0) == 0.0


def test_vectorised_shapes_are_kept():
    alt = np.linspace(0, 300, 12).reshape(3, 4)
    assert atmosphere.density_kg_m3(alt).shape == (3, 4)
    assert np.ndim(atmosphere.temperature_k(5.0)) == 0


def test_fast_scalar_lookup_agrees_with_the_model():
    fast = atmosphere.FastAtmosphere()
    alt = np.random.default_rng(1).uniform(0.0, 999.0, 2000)
    exact = atmosphere.properties(alt)
    got = np.array([fast.at(a) for a in alt]).T
    assert np.allclose(got[0], exact["density_kg_m3"], rtol=1e-4, atol=0)
    assert np.allclose(got[1], exact["pressure_pa"], rtol=1e-4, atol=0)
    assert np.allclose(got[2], exact["speed_of_sound_m_s"], rtol=1e-4)
