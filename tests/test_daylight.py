"""Daylight: the sunlit ground's colour and the Sun's disc, against photometry worked by hand.

The ground: a white Lambertian surface under irradiance E has radiance E / pi, the renderer's day
unit, so ground of albedo A under the Sun at zenith angle z, seen through the air, has radiance
A cos z T_sun T_view (+ the skylight on it, + the air's own light in front). Here A is read from the
Blue Marble JPEG directly (sRGB decoded by IEC 61966-2-1), the ground point is where the pixel's ray
meets the WGS84 ellipsoid (solved here), and the transmittances come from the published scattering
coefficients integrated along the slant path through a spherical exponential atmosphere, not from
the renderer's tables.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from orbitview.earth import WGS84_A_KM, WGS84_B_KM, enu_basis, geodetic_to_itrs
from orbitview.render import RenderStyle
from orbitview.render import globe
from orbitview.render.compose import FrameInputs, render_radiance
from orbitview.render.objects import SceneObject, object_sprites, scattering_phase
from orbitview.render.synthetic import look
from orbitview.render.textures import blue_marble_file, earth_texture, merged_levels
from orbitview.view.camera import Camera

BARE = RenderStyle(stars=False, objects=False, text=False)
# Bruneton, "A qualitative and quantitative evaluation of 8 clear sky models" (IEEE TVCG 2017),
# table 1: Rayleigh scattering at sea level for 680, 550, 440 nm and its 8 km scale height; aerosol
# extinction 1.11 x 3.996e-3 /km with a 1.2 km scale height.
RAYLEIGH_PER_KM = np.array([5.802e-3, 13.558e-3, 33.100e-3])
RAYLEIGH_H_KM = 8.0
MIE_EXT_PER_KM = 1.11 * 3.996e-3
MIE_H_KM = 1.2
# A sunlit desert, far from coasts: the Blue Marble varies slowly there (a smooth albedo).
GROUND_LAT_DEG, GROUND_LON_DEG = 24.0, 12.0
ISS_ALT_KM = 406.0


def _transmittance(zenith_deg: float) -> np.ndarray:
    """exp(-tau) (r, g, b) from the ground to space at a zenith angle, through a spherical air."""
    s = np.linspace(0.0, 600.0, 600_001)                       # km along the ray
    mu = np.cos(np.radians(zenith_deg))
    h = np.sqrt(WGS84_A_KM ** 2 + s ** 2 + 2.0 * WGS84_A_KM * s * mu) - WGS84_A_KM
    col_r = np.trapezoid(np.exp(-h / RAYLEIGH_H_KM), s)
    col_m = np.trapezoid(np.exp(-h / MIE_H_KM), s)
    return np.exp(-(RAYLEIGH_PER_KM * col_r + MIE_EXT_PER_KM * col_m))


def _blue_marble_albedo(lat_deg: float, lon_deg: float) -> np.ndarray:
    """Linear RGB albedo at a place: the JPEG's texels around it, bilinear (texel centres at
    (i + 1/2) / W east of 180 W, (j + 1/2) / H south of 90 N)."""
    with Image.open(blue_marble_file()) as im:
        w, h = im.size
        x = (lon_deg + 180.0) / 360.0 * w - 0.5
        y = (90.0 - lat_deg) / 180.0 * h - 0.5
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        patch = np.asarray(im.convert("RGB").crop((x0, y0, x0 + 2, y0 + 2)), dtype=float) / 255.0
    linear = np.where(patch <= 0.04045, patch / 12.92, ((patch + 0.055) / 1.055) ** 2.4)
    fx, fy = x - x0, y - y0
    top = linear[0, 0] * (1 - fx) + linear[0, 1] * fx
    bottom = linear[1, 0] * (1 - fx) + linear[1, 1] * fx
    return top * (1 - fy) + bottom * fy


def _nadir_inputs(sun_zenith_deg: float) -> tuple[FrameInputs, np.ndarray]:
    """A narrow camera looking straight down from 406 km over the desert, the Sun at a zenith
    angle in the east of the ground point; and that ground point (solved from the centre ray)."""
    camera = Camera(17, 17, 0.2)
    observer = geodetic_to_itrs(GROUND_LAT_DEG, GROUND_LON_DEG, ISS_ALT_KM)
    cam_to_itrs = look(GROUND_LAT_DEG, GROUND_LON_DEG, 0.0, -90.0)
    ray = cam_to_itrs @ camera.ray(np.array([8.5, 8.5]))
    w = 1.0 / np.array([WGS84_A_KM, WGS84_A_KM, WGS84_B_KM]) ** 2
    qa, qb, qc = w @ (ray * ray), 2.0 * w @ (observer * ray), w @ (observer * observer) - 1.0
    ground = observer + (-qb - np.sqrt(qb * qb - 4.0 * qa * qc)) / (2.0 * qa) * ray
    normal = w * ground
    normal /= np.linalg.norm(normal)
    east = np.cross([0.0, 0.0, 1.0], normal)
    east /= np.linalg.norm(east)
    z = np.radians(sun_zenith_deg)
    sun = np.cos(z) * normal + np.sin(z) * east
    return FrameInputs(camera, cam_to_itrs, observer, sun, np.eye(3), exposure=1.0), ground


def _centre(inputs: FrameInputs) -> np.ndarray:
    return render_radiance(inputs, BARE)[0][8, 8].astype(float).copy()


def _ground_term(inputs: FrameInputs, monkeypatch) -> tuple[np.ndarray, np.ndarray]:
    """The centre pixel's radiance, and its part that comes from the ground (less the same view over
    black ground: the air's own light)."""
    seen = _centre(inputs)
    albedo_levels, light_levels = earth_texture()
    with monkeypatch.context() as patch:
        black = tuple(np.zeros_like(level) for level in albedo_levels)
        patch.setattr(globe, "surface_texture", lambda: merged_levels(black, light_levels))
        air = _centre(inputs)
    return seen, seen - air


@pytest.mark.parametrize("zenith_deg", [30.0, 70.0])
def test_sunlit_ground_is_the_blue_marble_under_the_suns_irradiance_through_the_air(zenith_deg, monkeypatch):
    """Ground radiance minus the air's own light (the same view over black ground) over the albedo
    and the view's transmittance: cos z T_sun plus the skylight, which on a clear day adds 2-12 % of
    the overhead Sun's irradiance, bluish (diffuse horizontal irradiance under clear skies is about a
    tenth of the global at the sunlit zenith angles: e.g. Iqbal, An Introduction to Solar
    Radiation, 1983, ch. 8)."""
    inputs, ground = _nadir_inputs(zenith_deg)
    lat = np.degrees(np.arctan2(ground[2] * (WGS84_A_KM / WGS84_B_KM) ** 2, np.hypot(ground[0], ground[1])))
    lon = np.degrees(np.arctan2(ground[1], ground[0]))
    assert lat == pytest.approx(GROUND_LAT_DEG, abs=1e-6) and lon == pytest.approx(GROUND_LON_DEG, abs=1e-6)
    albedo = _blue_marble_albedo(lat, lon)
    seen, from_ground = _ground_term(inputs, monkeypatch)
    direct = np.cos(np.radians(zenith_deg)) * _transmittance(zenith_deg)
    on_ground = from_ground / (albedo * _transmittance(0.0))
    skylight = on_ground - direct
    assert np.all(skylight >= 0.02) and np.all(skylight <= 0.12), (on_ground, direct)
    assert skylight[2] > skylight[0]                          # the sky's light is blue
    # The Sahara's colour comes through: red over blue as in the texture, times the air's reddening.
    assert from_ground[0] / from_ground[2] == pytest.approx(
        albedo[0] / albedo[2] * (direct[0] + skylight[0]) / (direct[2] + skylight[2])
        * _transmittance(0.0)[0] / _transmittance(0.0)[2], rel=1e-3)
    assert albedo[0] > 1.5 * albedo[2]                        # sand: the check above is not trivial


def test_the_direct_sunlight_on_the_ground_falls_as_cos_z_times_the_slant_transmittance(monkeypatch):
    """Between the Sun at 30 and at 70 deg from the zenith the ground loses the direct light the
    hand-worked cos z T_sun says, within the skylight's share of the change (it falls with the Sun
    too, by at most a tenth of the overhead Sun's irradiance per unit of cos z)."""
    radiance = {z: _ground_term(_nadir_inputs(z)[0], monkeypatch)[1] for z in (30.0, 70.0)}
    albedo = _blue_marble_albedo(GROUND_LAT_DEG, GROUND_LON_DEG)
    drop = (radiance[30.0] - radiance[70.0]) / (albedo * _transmittance(0.0))
    expected = np.cos(np.radians(30.0)) * _transmittance(30.0) - np.cos(np.radians(70.0)) * _transmittance(70.0)
    sky_change = 0.10 * (np.cos(np.radians(30.0)) - np.cos(np.radians(70.0)))
    assert np.all(drop >= expected - 0.01) and np.all(drop <= expected + sky_change + 0.01), (drop, expected)


def test_the_suns_disc_carries_the_day_units_irradiance():
    """Looking up and away from the Earth at the Sun (no air on the ray): the disc's radiance
    summed over its solid angle is pi day units (a white Lambertian surface under irradiance E has
    radiance E / pi = 1), its centre brighter than its edge (limb darkening), and its angular
    radius 959.6" (the IAU solar radius at 1 au)."""
    camera = Camera(101, 101, 2.0)
    observer = geodetic_to_itrs(GROUND_LAT_DEG, GROUND_LON_DEG, ISS_ALT_KM)
    cam_to_itrs = look(GROUND_LAT_DEG, GROUND_LON_DEG, 0.0, 60.0)
    sun = cam_to_itrs @ camera.ray(np.array([50.5, 50.5]))
    buf = render_radiance(FrameInputs(camera, cam_to_itrs, observer, sun, np.eye(3), exposure=1.0), BARE)[0]
    centre = camera.ray(np.array([50.5, 50.5]))
    rays = camera.pixel_rays()
    solid_angle = (camera.pixel_scale_rad ** 2) * (rays[..., 2] / centre[2]) ** 3      # pinhole: cos^3
    lum = buf.astype(float).mean(axis=2)
    assert np.sum(lum * solid_angle) == pytest.approx(np.pi, rel=2e-3)
    radius_px = np.radians(959.6 / 3600.0) / camera.pixel_scale_rad
    yy, xx = np.mgrid[0:101, 0:101] + 0.5
    r = np.hypot(xx - 50.5, yy - 50.5)
    assert np.all(lum[r > radius_px + 1.0] == 0.0) and np.all(lum[r < radius_px - 1.0] > 0.0)
    # The observed Sun in the visible: I(0.9 R) / I(centre) = 0.6-0.7 (Neckel & Labs, Solar Physics
    # 153, 91, 1994, at 550 nm: mu = 0.44); pixels at 0.87-0.91 R average over that.
    ring = lum[(r > 0.87 * radius_px) & (r < 0.91 * radius_px)]
    assert 0.6 < ring.mean() / lum[50, 50] < 0.75


def test_the_sun_behind_the_earth_adds_nothing_and_at_the_limb_is_reddened():
    """The Sun straight below the station (behind the Earth) draws no pixel; a Sun grazing the
    limb through 20-30 km of air comes through redder than white (more blue scattered out)."""
    observer = geodetic_to_itrs(GROUND_LAT_DEG, GROUND_LON_DEG, ISS_ALT_KM)
    east, _, up = enu_basis(GROUND_LAT_DEG, GROUND_LON_DEG)
    camera = Camera(64, 64, 4.0)
    down = FrameInputs(camera, look(GROUND_LAT_DEG, GROUND_LON_DEG, 0.0, -90.0), observer, -up, np.eye(3), exposure=1.0)
    sky = render_radiance(down, BARE)[0].copy()
    assert not np.any(sky > 10.0)                              # no disc: the Sun is 46,000 day units
    dip = np.degrees(np.arccos(WGS84_A_KM / (WGS84_A_KM + ISS_ALT_KM)))
    elevation = -(dip - 0.45)                                  # a ray ~25 km above the limb
    cam = look(GROUND_LAT_DEG, GROUND_LON_DEG, 90.0, elevation)
    sun = cam[:, 2]
    buf = render_radiance(FrameInputs(camera, cam, observer, sun, np.eye(3), exposure=1.0), BARE)[0]
    disc = buf.astype(float)[buf.astype(float).mean(axis=2) > 100.0]
    r, g, b = disc.sum(axis=0)
    assert disc.size and r > g > b and b < 0.7 * r


def test_the_exhaust_phase_function_keeps_the_light_and_throws_it_forwards():
    """4 pi p(theta) averages 1 over the sphere (the particles scatter what they intercept, no
    more); for g = 0.85 forward over backward is ((1 + g) / (1 - g))^3 = 1,876, side-on
    (1 - g^2) / (1 + g^2)^1.5 = 0.123 (Henyey & Greenstein, ApJ 93, 70, 1941)."""
    mu = np.linspace(-1.0, 1.0, 200_001)
    assert np.trapezoid(scattering_phase(mu), mu) / 2.0 == pytest.approx(1.0, rel=1e-6)
    assert scattering_phase(1.0) / scattering_phase(-1.0) == pytest.approx((1.85 / 0.15) ** 3, rel=1e-9)
    assert scattering_phase(0.0) == pytest.approx((1 - 0.85 ** 2) / (1 + 0.85 ** 2) ** 1.5, rel=1e-9)
    assert scattering_phase(0.3, g=0.0) == 1.0


def test_an_exhaust_cloud_near_the_sun_outshines_the_same_cloud_side_on():
    """One sunlit cloud 1,500 km away in the same pixel: with the Sun 15 deg from it (looking
    through it towards the Sun) and 90 deg from it, its sprites' peaks stand as the phase function
    at those angles."""
    camera = Camera(64, 64, 10.0)
    observer = geodetic_to_itrs(GROUND_LAT_DEG, GROUND_LON_DEG, ISS_ALT_KM)
    cam_to_itrs = look(GROUND_LAT_DEG, GROUND_LON_DEG, 90.0, 10.0)
    ahead = cam_to_itrs[:, 2]
    cloud = SceneObject("exhaust", "exhaust", observer + 1500.0 * ahead, sunlit=1.0, alt_km=500.0,
                        radius_km=5.0, cross_section_m2=1e6)

    def peak(angle_deg: float) -> float:
        side = cam_to_itrs[:, 0]
        sun = np.cos(np.radians(angle_deg)) * ahead + np.sin(np.radians(angle_deg)) * side
        return float(object_sprites(camera, cam_to_itrs, observer, [cloud], None, sun)[5][0, 1])

    # By hand, g = 0.85: at 15 deg q = 1 + g^2 - 2 g cos 15 = 0.08044, 4 pi p = 0.2775 / q^1.5 = 12.17;
    # at 90 deg 0.2775 / 1.7225^1.5 = 0.1228.
    assert peak(15.0) / peak(90.0) == pytest.approx(12.17 / 0.1228, rel=2e-3)


@pytest.mark.parametrize("tangent_km, sun_below_deg, rel", [
    (20.0, -90.0, 0.02), (40.0, -90.0, 0.02),     # the Sun overhead at the tangent point
    (40.0, -10.0, 0.02),                          # 10 deg up there: the light's path rises from every point
    (40.0, 3.0, 0.08), (30.0, 1.0, 0.05),         # just set there: it grazes the air below the ray
])
def test_the_day_side_limb_is_as_bright_as_single_scattering_along_the_ray(tangent_km, sun_below_deg, rel):
    """A ray from the station grazing the limb at 20-40 km over the equator, the Sun across it (90
    deg scattering) at an elevation seen from the tangent point: its radiance against Rayleigh +
    aerosol single scattering summed along the ray by hand (day units: pi x beta x phase x the
    sunlight's and the view's transmittances, each integrated through the spherical exponential air;
    no light where the Sun's path meets the ground). Where sunlight grazes the air the kernel's
    one-column-per-point transmittance errs most (a few per cent, blue)."""
    observer = geodetic_to_itrs(0.0, GROUND_LON_DEG, ISS_ALT_KM)
    dip = np.degrees(np.arccos((WGS84_A_KM + tangent_km) / np.linalg.norm(observer)))
    cam = look(0.0, GROUND_LON_DEG, 90.0, -dip)
    d = cam[:, 2]
    tangent = observer - (observer @ d) * d
    up = tangent / np.linalg.norm(tangent)
    sun = np.cos(np.radians(sun_below_deg)) * np.cross(up, d) - np.sin(np.radians(sun_below_deg)) * up
    seen = render_radiance(FrameInputs(Camera(9, 9, 0.05), cam, observer, sun, np.eye(3), exposure=1.0),
                           BARE)[0][4, 4].astype(float)

    ds, du = 1.0, 2.0
    s = np.arange(observer @ d, 900.0, ds)                       # from the observer to 900 km past the tangent
    p = tangent[None, :] + s[:, None] * d[None, :]
    h = np.linalg.norm(p, axis=1) - WGS84_A_KM

    def extinction(height: np.ndarray) -> np.ndarray:
        return (np.exp(-height / RAYLEIGH_H_KM)[..., None] * RAYLEIGH_PER_KM
                + (MIE_EXT_PER_KM * np.exp(-height / MIE_H_KM))[..., None])

    tau_view = np.cumsum(extinction(h), axis=0) * ds
    toward_sun = p[:, None, :] + np.arange(0.0, 1600.0, du)[None, :, None] * sun[None, None, :]
    sun_heights = np.linalg.norm(toward_sun, axis=2) - WGS84_A_KM
    tau_sun = extinction(sun_heights).sum(axis=1) * du
    lit = ~(sun_heights < 0.0).any(axis=1)
    g = 0.8                                                     # the aerosols' asymmetry (Bruneton 2017)
    cos = d @ sun
    rayleigh_phase = 3.0 / (16.0 * np.pi) * (1.0 + cos * cos)
    mie_phase = (1.0 - g * g) / (4.0 * np.pi) / (1.0 + g * g - 2.0 * g * cos) ** 1.5
    scattering = (np.exp(-h / RAYLEIGH_H_KM)[:, None] * RAYLEIGH_PER_KM * rayleigh_phase
                  + (MIE_EXT_PER_KM / 1.11 * np.exp(-h / MIE_H_KM) * mie_phase)[:, None])
    by_hand = np.pi * (scattering * np.exp(-tau_view - tau_sun) * lit[:, None]).sum(axis=0) * ds
    assert seen == pytest.approx(by_hand, rel=rel)
    assert seen[2] > seen[1] > seen[0]                          # the limb is blue
