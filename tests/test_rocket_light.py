"""The launch's own light at night (orbitview.rocketlight), against hand-derived figures."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from orbitview.ascent import load_vehicle
from orbitview.render.airlight import DAY_RADIANCE_W_M2_SR
from orbitview.render.objects import blackbody_rgb, emitted_flux
from orbitview.render.stars import ZERO_MAG_FLUX_DAY_SR
from orbitview.rocketlight import (burst_radius_km, flame_efficiency, flame_visible_w, flash_energy_j,
                                   flash_radius_km, flash_visible_w, glow_radius_km, impingement_visible_w)

SOYUZ = load_vehicle("soyuz-fg")
LIGHT = SOYUZ.light
STAGES = {s.key: s for s in SOYUZ.stages}


def magnitude(light_w: float, range_km: float) -> float:
    return -2.5 * np.log10(emitted_flux(light_w, range_km) / ZERO_MAG_FLUX_DAY_SR)


def planck_visible_w_m2_sr(temperature_k: float) -> float:
    """A blackbody's radiance (W/m2/sr) between 400 and 700 nm, Planck's law integrated."""
    h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    wavelength = np.linspace(400e-9, 700e-9, 30001)
    spectral = 2 * h * c**2 / wavelength**5 / np.expm1(h * c / (wavelength * k * temperature_k))
    return float(np.sum((spectral[1:] + spectral[:-1]) / 2 * np.diff(wavelength)))


def test_the_flame_at_liftoff_is_the_radiative_estimate():
    # Liftoff: 4 x 838.5 + 792.5 kN at sea level, v_e the thrust-weighted sea-level Isp x g0 = 2.57 km/s.
    thrust = 4 * 838.5e3 + 792.48e3
    watts = flame_visible_w(LIGHT, thrust, 2.5716, 0.0)
    # A 35 m x 10 m flame of emissivity 0.5 at 2,300 K, radiating over 4 pi: 22.6 MW.
    assert planck_visible_w_m2_sr(2300.0) == pytest.approx(10.3e3, rel=0.01)
    radiative = 0.5 * planck_visible_w_m2_sr(2300.0) * 350.0 * 4.0 * np.pi
    assert watts == pytest.approx(radiative, rel=0.05)
    assert magnitude(watts, 1000.0) == pytest.approx(-5.56, abs=0.05)


def test_the_third_stage_at_core_separation_shines_as_a_bright_star():
    # RD-0110 at 170 km: 297.9 kN, Isp 326 s: jet power 1/2 F v_e = 476 MW, 0.043 % of it 205 kW;
    # over 4 pi at 1,495 km 7.29e-9 W/m2, 0.67 times a V = 0 star's 1.09e-8 W/m2: magnitude +0.44.
    watts = flame_visible_w(LIGHT, 297.93e3, 326.0 * 9.80665e-3, 170.0)
    assert watts == pytest.approx(2.047e5, rel=0.01)
    assert magnitude(watts, 1495.0) == pytest.approx(0.44, abs=0.05)


@pytest.mark.parametrize("alt_km, efficiency", [(35.0, 2.364e-3), (45.0, 8.81e-4), (60.0, 4.587e-4)])
def test_afterburning_dies_with_the_air_s_pressure(alt_km, efficiency):
    """By hand, at the US Standard Atmosphere 1976's pressures (574.59, 149.10 and 21.958 Pa): D =
    (p / 575 Pa)^1.5 is 0.9989, 0.1320 and 0.00746, the afterburning share D / (1 + D) 50.0 %,
    11.7 % (the strap-ons' separation) and 0.74 %, of the 3.87e-3 between the dense-air and vacuum
    figures, above the vacuum's 4.3e-4."""
    assert flame_efficiency(LIGHT, alt_km) == pytest.approx(efficiency, rel=2e-3)


def test_the_flame_fades_to_its_vacuum_figure_as_it_climbs():
    heights = np.array([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 80.0, 120.0, 200.0])
    efficiency = flame_efficiency(LIGHT, heights)
    assert np.all(np.diff(efficiency) < 0.0)
    assert efficiency[0] == pytest.approx(4.3e-3, rel=1e-3)
    assert efficiency[-2:] == pytest.approx([4.3e-4, 4.3e-4], rel=1e-6)


def test_the_flame_scales_with_thrust_times_exhaust_speed():
    assert flame_visible_w(LIGHT, 2e6, 3.0, 0.0) == pytest.approx(2.0 * flame_visible_w(LIGHT, 1e6, 3.0, 0.0))
    assert flame_visible_w(LIGHT, 1e6, 3.0, 90.0) == pytest.approx(1.5 * flame_visible_w(LIGHT, 1e6, 2.0, 90.0))
    assert flame_visible_w(LIGHT, 0.0, 3.0, 0.0) == 0.0


def test_a_magnitude_from_emitted_light_matches_a_hand_computed_irradiance():
    # 1 MW over 4 pi at 1,000 km: 7.96e-8 W/m2; a V = 0 star gives 3.63e-11 W/m2/nm x 300 nm.
    irradiance = 1e6 / (4 * np.pi * 1e12)
    assert emitted_flux(1e6, 1000.0) * DAY_RADIANCE_W_M2_SR == pytest.approx(irradiance, rel=1e-9)
    assert magnitude(1e6, 1000.0) == pytest.approx(-2.5 * np.log10(irradiance / 1.089e-8), abs=0.01)


def test_the_core_flash_radiates_the_stated_share_of_its_combustion_energy():
    core = STAGES["core"]
    energy = flash_energy_j(core, LIGHT)
    assert energy == pytest.approx(400.0 * 1.0 * 1.0e7)          # 400 kg, all burnt, 10 MJ/kg: 4 GJ
    t = np.linspace(0.0, 200.0, 400001)
    light = np.trapezoid(flash_visible_w(core.separation_glow, energy, t), t)
    assert light == pytest.approx(6.0e-3 * 4.0e9, rel=1e-3)      # 24 MJ of visible light
    assert flash_visible_w(core.separation_glow, energy, -0.1) == 0.0


def test_the_flash_fades_with_its_time_constant():
    glow = STAGES["core"].separation_glow
    energy = flash_energy_j(STAGES["core"], LIGHT)
    first, later = flash_visible_w(glow, energy, np.array([1.0, 7.0]))
    assert later / first == pytest.approx(np.exp(-1.0), rel=1e-9)          # fade_s = 6 s
    assert flash_visible_w(glow, energy, 12.0 * glow.fade_s + 1.0) == 0.0     # over, not 1e-40 W


def test_the_flash_glows_only_where_its_products_are_hot():
    """Products streaming from a 10 m zone cool as r^-0.4 (gamma 1.2, density r^-2): from 2,300 K
    to 1,500 K at 10 x 1.533^2.5 = 29.1 m; a 1,500 K blackbody's 400-700 nm radiance is under
    1/150 of a 2,300 K one's, so the light is within that radius: a point from the station."""
    glow = STAGES["core"].separation_glow
    energy = flash_energy_j(STAGES["core"], LIGHT)
    assert glow_radius_km(glow, 2300.0) == pytest.approx(0.0291, rel=0.01)
    assert planck_visible_w_m2_sr(1500.0) < planck_visible_w_m2_sr(2300.0) / 150.0
    assert flash_radius_km(glow, 2300.0, energy, np.array([0.0, 10.0]), 170.0) == pytest.approx(0.0291, rel=0.01)
    assert flash_radius_km(glow, 2300.0, energy, -0.1, 170.0) == 0.0
    # 29 m at 1,500 km is 1.1e-3 deg: a fiftieth of the 16 mm fisheye's 0.067 deg pixel at 1080p.
    assert np.degrees(0.0291 / 1500.0) < 0.067 / 50.0


def test_in_the_air_a_burst_stops_where_its_pressure_meets_the_air():
    # 200 MJ at 45 km (149 Pa): (3 x 0.2 x 2e8 / (4 pi 149))^(1/3) = 41 m.
    assert burst_radius_km(2e8, 45.0) == pytest.approx(0.041, rel=0.05)
    glow = STAGES["booster"].separation_glow
    # 0.1 kJ at 45 km fills 0.3 m before it could cool: the air, not the cooling, bounds it.
    assert flash_radius_km(glow, 2300.0, 1e2, 1.0, 45.0) == pytest.approx(burst_radius_km(1e2, 45.0))
    assert flash_radius_km(glow, 2300.0, 2e8, 1.0, 45.0) == pytest.approx(glow_radius_km(glow, 2300.0))


def test_blackbody_colours_redden_as_they_cool_and_bad_temperatures_draw_white():
    hot, flame, glow = blackbody_rgb(6500.0), blackbody_rgb(2300.0), blackbody_rgb(1800.0)
    assert np.allclose(hot, 1.0, atol=0.1)                 # D65-like white
    assert flame[0] == 1.0 and glow[0] == 1.0
    assert 0.3 < flame[1] < 0.6 and glow[1] < flame[1] and glow[2] < flame[2] < 0.2
    for bad in (np.nan, -5.0, 0.0, np.inf):
        assert np.array_equal(blackbody_rgb(bad), np.ones(3))


@pytest.fixture(scope="module")
def progress():
    import orbitview as ov
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ov.load_scenario("progress-ms10")


def _core_window(scn, video_s: float, with_flash: bool) -> np.ndarray:
    """The 8-bit frame's brightest channel (1280x720) within 20 px of the core's sightline pixel
    (``with_flash`` False: without the core's light, its burning residuals and the exhaust on its end)."""
    return _core_rgb(scn, video_s, with_flash).max(axis=2)


def _core_rgb(scn, video_s: float, with_flash: bool) -> np.ndarray:
    """``_core_window``'s pixels, (41, 41, 3) int."""
    import dataclasses

    from orbitview.render import render_frame
    from orbitview.shots import frame_series
    t = float(scn.video_fit.clock.to_t_plus(np.array([video_s]))[0])
    inputs = next(frame_series(scn, [t], (1280, 720)))
    if not with_flash:
        inputs = dataclasses.replace(inputs, objects=[o for o in inputs.objects
                                                      if not (o.name == "core" and o.kind in ("glow", "flame"))])
    core = scn.bodies["core"].itrs_state(scn.times(np.array([t])))[0].reshape(3) - inputs.observer_itrs_km
    px, _ = inputs.camera.project(inputs.cam_to_itrs.T @ (core / np.linalg.norm(core))[:, None])
    u, v = int(px[0, 0]), int(px[1, 0])
    return np.asarray(render_frame(inputs))[v - 20:v + 21, u - 20:u + 21].astype(int)


@pytest.mark.parametrize("video_s", [7.0, 19.0, 34.0])
def test_the_vehicle_is_a_bright_point_at_the_published_moments(progress, video_s):
    """In the scenario's own frames (1920 x 1080), where the rocket is sought by its projected
    position, not by the description's layers."""
    from orbitview.render import render_frame
    from orbitview.shots import frame_series
    t = float(progress.video_fit.clock.to_t_plus(np.array([video_s]))[0])
    inputs = next(frame_series(progress, [t], (progress.camera.width_px, progress.camera.height_px)))
    vehicle = next(o for o in inputs.objects if o.name == "vehicle")
    d = vehicle.itrs_km - inputs.observer_itrs_km
    px, _ = inputs.camera.project(inputs.cam_to_itrs.T @ (d / np.linalg.norm(d))[:, None])
    u, v = int(px[0, 0]), int(px[1, 0])
    assert np.asarray(render_frame(inputs))[v - 2:v + 3, u - 2:u + 3].max() >= 200


@pytest.mark.parametrize("video_s", [19.0, 19.1])
def test_the_core_separation_flash_saturates_where_the_flame_alone_does_not(progress, video_s):
    """In the flash's first 2 s the core's 3-18 MW (hot staging's 14 MW in its first third of a
    second) join the third stage's vacuum flame, 0.2 MW, at one point (the flash's glow is 29 m
    across, 1/50 px): 15-90 times the flame's light, which alone stays below full well."""
    flash, bare = _core_window(progress, video_s, True), _core_window(progress, video_s, False)
    assert bare.max() < 255 and (flash >= 255).sum() >= 10


def test_the_flash_is_whiter_than_the_flame_before_it(progress):
    """The exhaust on the core's end radiates at its stagnation temperature, 3,400 K, the flame at
    2,300 K: by Planck's law blue (450 nm) over red (610 nm) is (610/450)^5 exp(-c2 (1/450 - 1/610)
    / T) = 0.12 at 2,300 K and 0.39 at 3,400 K, three times as blue. In the frames the flash's halo
    (2-6 px from the core, below full well) must show it: blue over red at least 1.5 times the flame's."""
    def halo_blue_over_red(video_s: float) -> float:
        rgb = _core_rgb(progress, video_s, True)
        y, x = np.mgrid[-20:21, -20:21]
        ring = (np.hypot(y, x) >= 2) & (np.hypot(y, x) <= 6) & (rgb.max(axis=2) > 30) & (rgb.max(axis=2) < 250)
        return float((rgb[..., 2][ring] / rgb[..., 0][ring]).mean())
    c2_nm_k = 1.438777e7
    planck = [(610 / 450) ** 5 * np.exp(-c2_nm_k * (1 / 450 - 1 / 610) / k) for k in (2300.0, 3400.0)]
    assert planck == pytest.approx([0.12, 0.39], abs=0.01)
    assert halo_blue_over_red(19.0) >= 1.5 * halo_blue_over_red(18.9)


def test_the_core_separation_flash_has_dissolved_two_video_seconds_later(progress):
    # Video 21.5 s is T+326, 38 s in: 0.2 % of the flash's first light, 6 kW beside the flame's 205 kW.
    late, late_bare = _core_window(progress, 21.5, True), _core_window(progress, 21.5, False)
    assert abs(int((late >= 255).sum()) - int((late_bare >= 255).sum())) <= 1
    assert abs(int((late > 50).sum()) - int((late_bare > 50).sum())) <= 3


def test_hot_staging_exhaust_on_the_core_s_end_by_hand():
    """The RD-0110's 297.93 kN at 3.197 km/s: a 476 MW jet; its 37.6 deg cone is 7.70 m across at
    5 m, of which the 2.95 m end covers (1.475 / 3.85)^2 = 14.7 %; 3 % of that is visible light."""
    glow = STAGES["core"].separation_glow
    jet = 0.5 * 297.93e3 * 3.197e3
    assert impingement_visible_w(glow, jet, 0.005, 1.475) == pytest.approx(
        3.0e-2 * jet * (1.475 / (5.0 * np.tan(np.radians(37.6)))) ** 2, rel=1e-9)
    assert impingement_visible_w(glow, jet, 0.005, 1.475) == pytest.approx(3.0e-2 * jet * 0.147, rel=0.01)
    assert impingement_visible_w(glow, jet, 0.0, 1.475) == pytest.approx(3.0e-2 * jet)      # all of it, not inf
    assert impingement_visible_w(STAGES["booster"].separation_glow, jet, 0.0, 1.34) == 0.0  # no hot staging


def test_the_shock_layer_on_the_core_s_end_radiates_its_share_by_hand():
    """The file's estimate of the impinging exhaust's light, redone from Planck's law and soot's
    optics: 93.2 kg/s on the 2.95 m end at 3.197 km/s, x 11 behind the shock, 1 % soot (1,800
    kg/m3) at 3,400 K, a layer 0.3 m deep: ~70 MW of the 476 MW radiated, ~13 % once it cools,
    and Rayleigh soot's visible share at 3,400 K, 25 %: 0.13 x 0.25 = 3e-2."""
    h, c, k, sigma = 6.62607015e-34, 2.99792458e8, 1.380649e-23, 5.670374e-8
    area = np.pi * 1.475**2
    density = 93.19 / area / 3197.0 * (2.2 / 0.2)
    soot = 0.01 * density / 1800.0
    n, kk = 1.57, 0.56                                          # Dalzell & Sarofim's soot index
    c0 = 36.0 * np.pi * n * kk / ((n * n - kk * kk + 2.0) ** 2 + 4.0 * n * n * kk * kk)
    kappa = 3.83 * soot * c0 * 3400.0 / (h * c / k)
    radiated = 4.0 * kappa * sigma * 3400.0**4 * area * 0.295
    assert radiated == pytest.approx(70e6, rel=0.05)
    wavelength = np.logspace(-7, -3, 400001)
    spectrum = 2 * h * c**2 / wavelength**6 / np.expm1(h * c / (wavelength * k * 3400.0))   # B / lambda
    visible = (wavelength >= 400e-9) & (wavelength <= 700e-9)
    share = np.trapezoid(spectrum * visible, wavelength) / np.trapezoid(spectrum, wavelength)
    assert share == pytest.approx(0.25, abs=0.01)
    assert STAGES["core"].separation_glow.impingement_visible_efficiency == pytest.approx(0.13 * share, rel=0.1)


def test_the_flash_peaks_in_its_first_third_of_a_second(progress):
    """On the flown separation the stages are 1.2 m apart after 0.2 s and 9 m after 1 s: the
    exhaust on the core's end adds 14 MW to the residuals' 3.8 MW at first, and under 1 MW after 1 s."""
    from orbitview.rocketlight import body_light
    ascent = progress.ascent
    t0 = ascent.released["core"]
    t = t0 + np.array([0.1, 1.0])
    impingement = body_light(ascent, "core", t, np.full(2, 170.0)).impingement_w
    assert impingement[0] == pytest.approx(3.0e-2 * 0.5 * 297.93e3 * 3.197e3, rel=0.01)
    assert 0.0 < impingement[1] < 1.0e6
