"""The rays' classes kept between frames (``render.raycache``): a frame drawn from a cache made for
a nearby pose is the frame drawn without one, value for value; the cache is made again when the
camera turns or the observer climbs beyond its tolerances; the shutter's rigid turn of the ground
puts each pixel's ground point where its ray meets the Earth at the shutter's ends."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from orbitview.earth import WGS84_A_KM, enu_basis
from orbitview.render import MoonLight
from orbitview.render.airlight import scaled
from orbitview.render.compose import _buffers, camera_half_rays, camera_rays
from orbitview.render.globe import EDGE_LEVELS, FAINT_AIR, NOT_KEPT, PART_MET, limb_band_km, render_earth
from orbitview.render.tonemap import NIGHT_EXPOSURE, tonemap
from orbitview.render.raycache import (HEIGHT_TOLERANCE_KM, LIGHT_CAMERA_TOLERANCE, LIGHT_HEIGHT_TOLERANCE_KM,
                                       LIGHT_LEAD, LIGHT_TURN_RAD, SHUTTER_TURN_TOLERANCE, TURN_TOLERANCE, RayCache,
                                       class_runs, local_frame, shutter_maps)
from orbitview.render.synthetic import OBSERVER_ALT_KM, OBSERVER_LAT_DEG, OBSERVER_LON_DEG, synthetic_inputs


def _turned(rot: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """``rot`` turned by ``angle`` (rad) about the unit ``axis`` (Rodrigues)."""
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return (np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * k @ k) @ rot


def _night_limb():
    """The synthetic night view of the eastern limb, with the Moon high over the station (it lights
    the air above the limb, so the sky skipped and the sky drawn differ)."""
    inputs = synthetic_inputs(480, 270, night=True, fov_deg=90.0, elevation_deg=-20.0, roll_deg=-25.0,
                              with_objects=False)
    up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)[2]
    inputs.moon = MoonLight(384_400.0 * up, -up, 3.2e-7)
    return inputs


def _band_km(inputs) -> float:
    """The band below the limb the renderer shades per pixel for ``inputs`` (``globe.limb_band_km``)."""
    return limb_band_km(inputs.camera.pixel_scale_rad, float(np.linalg.norm(scaled(inputs.observer_itrs_km))))


def _earth(inputs, cam_to_itrs, observer, cache, faint_air=FAINT_AIR):
    """The Earth kernel's frame from ``cache``'s classes, or (None) with every pixel computed."""
    cam = inputs.camera
    out, ground = _buffers(cam.height_px, cam.width_px)
    rays = cache or RayCache(camera_rays(cam), camera_half_rays(cam))
    render_earth(rays, cam_to_itrs, observer, inputs.sun_dir_itrs, cam.pixel_scale_rad, out, ground, inputs.moon,
                 None, classify=cache is not None, faint_air=faint_air)
    return out.copy(), ground.copy()


@pytest.mark.parametrize("altitude_km", [406.0, 315.0])
def test_a_frame_from_cached_classes_is_the_frame_drawn_without_them(altitude_km):
    """The cache is made at one pose; the next frame's camera is tilted by 0.9 of the turn tolerance
    (about the horizontal axis, which moves every ray's tangent height) and the station is 0.9 of
    the height tolerance higher (the band below the limb shaded per pixel the same at both: it
    changes, and the classes with it, where the station's radius crosses a ``BAND_STEP_KM``).
    Drawn from the kept classes, its radiance and ground distances
    equal the uncached frame's exactly (tolerance 0), and it has sky, air and ground in it. At
    315 km the station is inside the airglow's shells (up to 350 km): the rays that turn from
    looking away from the Earth to looking towards it are classified with a margin too."""
    inputs = _night_limb()
    cam = inputs.camera
    cache = RayCache(camera_rays(cam), camera_half_rays(cam))
    east, _, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    rot = np.asarray(inputs.cam_to_itrs)
    obs = np.asarray(inputs.observer_itrs_km) + (altitude_km - OBSERVER_ALT_KM) * up
    _earth(inputs, rot, obs, cache)
    moved_rot = _turned(rot, east, 0.9 * TURN_TOLERANCE)
    moved_obs = obs + 0.9 * HEIGHT_TOLERANCE_KM * up / np.linalg.norm(scaled(up))
    assert np.max(np.abs(local_frame(moved_rot, moved_obs)[1] - local_frame(rot, obs)[1])) > 0.5 * TURN_TOLERANCE
    assert _band_km(dataclasses.replace(inputs, observer_itrs_km=obs)) == _band_km(
        dataclasses.replace(inputs, observer_itrs_km=moved_obs))
    cached, cached_ground = _earth(inputs, moved_rot, moved_obs, cache)
    assert (cache.misses, cache.hits) == (1, 1)
    fresh, fresh_ground = _earth(inputs, moved_rot, moved_obs, None)
    np.testing.assert_array_equal(cached, fresh)
    np.testing.assert_array_equal(cached_ground, fresh_ground)
    lum = cached.sum(axis=2)
    assert np.isfinite(cached).all()
    assert (lum == 0).mean() > 0.1 and np.isfinite(cached_ground).mean() > 0.2      # sky and ground
    assert (lum[~np.isfinite(cached_ground)] > 0).sum() > 1000                         # air and airglow above the limb


def test_the_runs_of_each_row_rebuild_its_classes():
    """The kernel visits each row a run at a time (``class_runs``): the runs, laid end to end, give the
    row's classes back, one class a run, on rows of one class, rows that change at their first or
    last column, and random rows of few classes (the frame test above covers them in the kernel)."""
    rng = np.random.default_rng(7)
    classes = (rng.random((40, 23)) < 0.3).cumsum(axis=1).astype(np.uint8) % 3
    classes[0] = 2
    classes[1, 0] = (classes[1, 1] + 1) % 3
    classes[2, -1] = (classes[2, -2] + 1) % 3
    runs = class_runs(classes)
    assert runs.dtype == np.int32 and runs.shape[0] == classes.shape[0]
    for row, kinds in zip(runs, classes):
        ends = row[1:1 + row[0]]
        starts = np.concatenate(([0], ends[:-1]))
        assert ends[-1] == kinds.size and np.all(ends > starts)
        rebuilt = np.concatenate([np.full(end - start, kinds[start]) for start, end in zip(starts, ends)])
        np.testing.assert_array_equal(rebuilt, kinds)
        assert np.all(kinds[ends[:-1]] != kinds[ends[:-1] - 1])          # a run ends where its class does
    assert runs[0, 0] == 1 and runs[1, 1] == 1 and runs[2, runs[2, 0] - 1] == classes.shape[1] - 1


def test_the_cache_is_made_again_when_the_camera_turns_or_the_station_climbs_beyond_tolerance():
    inputs = _night_limb()
    cam = inputs.camera
    cache = RayCache(camera_rays(cam), camera_half_rays(cam))
    rot, obs = np.asarray(inputs.cam_to_itrs), np.asarray(inputs.observer_itrs_km)
    east, _, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    first = cache.classes(rot, obs, 300.0)
    assert cache.classes(rot, obs, 300.0) is first
    # a turn about the local vertical turns the local frame with the camera: the rays do the same in it
    # (but for the ellipsoid's z-scaling: 0.6 deg of yaw moves the key by < 2e-5)
    assert cache.classes(_turned(rot, up, 0.01), obs, 300.0) is first
    tilted = cache.classes(_turned(rot, east, 2.0 * TURN_TOLERANCE), obs, 300.0)
    assert tilted is not first
    higher = cache.classes(rot, obs + 1.5 * HEIGHT_TOLERANCE_KM * up, 300.0)
    assert higher is not tilted
    assert (cache.misses, cache.hits) == (3, 2)
    # a climb of 100 km changes which rays reach the air: the classes follow
    far = cache.classes(rot, obs + 100.0 * up, 300.0)
    assert not np.array_equal(far.full, higher.full)


def test_the_shutter_turns_each_ground_point_to_where_its_ray_meets_the_earth():
    """Progress MS-10's stills, 0.4 s shutter: the mid-shutter ground points of a grid of pixels,
    turned by the shutter's two rotations, lie within 0.2 km of where the same pixels' rays meet the
    (scaled) Earth at opening and at closing, hand-derived ray-sphere intersections; a camera that
    turns in the station's frame during the shutter gets none."""
    from orbitview import load_scenario, shots
    from orbitview.tle import StaleElementsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        inputs = next(shots.frame_series(scn, [scn.instant_t_plus_s(video_s=19.0)], (192, 108)))
    shutter = inputs.shutter
    maps = shutter_maps(inputs.cam_to_itrs, inputs.observer_itrs_km, *shutter.ends())
    assert maps is not None
    rays = inputs.camera.pixel_rays().reshape(-1, 3).T

    def ground(rot, obs):
        d = scaled(np.asarray(rot) @ rays)
        d /= np.linalg.norm(d, axis=0)
        o = scaled(np.asarray(obs))
        b = o @ d
        disc = WGS84_A_KM ** 2 - (o @ o - b * b)
        with np.errstate(invalid="ignore"):
            t = np.where((b < 0) & (disc > 0), -b - np.sqrt(disc), np.nan)
        return o[:, None] + t * d, t * inputs.camera.pixel_scale_rad / np.abs(np.sum(d * (o[:, None] + t * d), axis=0)
                                                                             / WGS84_A_KM)

    mid, footprint = ground(inputs.cam_to_itrs, inputs.observer_itrs_km)
    hit = np.isfinite(mid[0])
    assert hit.sum() > 1000
    moved = []
    for m, (rot, obs) in zip(maps, shutter.ends()):
        end = ground(rot, obs)[0]
        both = hit & np.isfinite(end[0])
        gap = np.linalg.norm(m @ mid[:, both] - end[:, both], axis=0)
        # metres for most; at grazing, where the station's 3 m climb moves the ground point along the
        # ray most, still a small part of the pixel's own footprint on the ground
        assert np.percentile(gap, 99) < 0.05 and (gap / footprint[both]).max() < 1e-3
        moved.append(np.linalg.norm(end[:, both] - mid[:, both], axis=0).max())
    assert min(moved) > 1.0            # the ground did move (km) while the shutter was open
    east = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)[0]
    turning = (_turned(shutter.cam_to_itrs[0], east, 5.0 * SHUTTER_TURN_TOLERANCE), shutter.observer_itrs_km[0])
    assert shutter_maps(inputs.cam_to_itrs, inputs.observer_itrs_km, turning, shutter.ends()[1]) is None



def test_skipping_the_faint_air_changes_no_pixel_by_more_than_its_bound():
    """The Moon high over the night limb lights the air up to the shells' top; where a ray holds too
    little air to scatter it (above ~180 km of tangent height) its scattering is skipped. Against
    the frame that scatters every light on every ray, each pixel differs by less than the bound,
    FAINT_AIR per light, and not one 8-bit value changes at the night exposure; the skip is taken."""
    inputs = _night_limb()
    rot, obs = np.asarray(inputs.cam_to_itrs), np.asarray(inputs.observer_itrs_km)
    fast, _ = _earth(inputs, rot, obs, None)
    every, _ = _earth(inputs, rot, obs, None, faint_air=0.0)
    diff = np.abs(fast.astype(np.float64) - every)
    assert (diff > 0).sum() > 1000
    assert np.all(diff <= 2.0 * FAINT_AIR + 1e-6 * np.abs(every))
    np.testing.assert_array_equal(tonemap(fast, NIGHT_EXPOSURE, False), tonemap(every, NIGHT_EXPOSURE, False))


def _turned_about(vector: np.ndarray, angle: float) -> np.ndarray:
    """``vector`` turned by ``angle`` (rad) about an axis square to it."""
    axis = np.cross(vector, [0.0, 0.0, 1.0])
    return _turned(np.asarray(vector, dtype=float).reshape(3, 1), axis / np.linalg.norm(axis), angle).ravel()


def test_a_sequence_keeps_its_keyframe_within_tolerance_and_shades_afresh_beyond_it():
    """Frames of a sequence reuse the keyframe's light while the Moon's and the Sun's directions (seen
    from the observer, in the local frame), the camera, the observer's height and the Moon's light
    stay within the tolerances; each beyond them makes a new keyframe, shaded whole: its pixels
    equal those of a frame drawn alone, bit for bit, as does any frame drawn without ``sequence``."""
    inputs = _night_limb()
    cam = inputs.camera
    cache = RayCache(camera_rays(cam), camera_half_rays(cam))
    rot, obs = np.asarray(inputs.cam_to_itrs), np.asarray(inputs.observer_itrs_km)
    east, _, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    moon = inputs.moon

    def frame(rot=rot, obs=obs, sun=inputs.sun_dir_itrs, moon=moon, sequence=True):
        out, ground = _buffers(cam.height_px, cam.width_px)
        render_earth(cache, rot, obs, sun, cam.pixel_scale_rad, out, ground, moon, None, sequence=sequence)
        return out.copy()

    def alone(rot=rot, obs=obs, sun=inputs.sun_dir_itrs, moon=moon):
        return _earth(dataclasses.replace(inputs, sun_dir_itrs=sun, moon=moon), rot, obs, None)[0]

    def moon_turned(angle):
        toward = moon.position_itrs_km - obs
        return dataclasses.replace(moon, position_itrs_km=obs + _turned_about(toward, angle))

    np.testing.assert_array_equal(frame(), alone())
    assert (cache.light_misses, cache.light_hits) == (1, 0)
    frame(moon=moon_turned(0.9 * LIGHT_TURN_RAD))
    frame(rot=_turned(rot, east, 0.5 * LIGHT_CAMERA_TOLERANCE))
    assert (cache.light_misses, cache.light_hits) == (1, 2)
    beyond = [dict(moon=moon_turned(1.2 * LIGHT_TURN_RAD)),
              dict(sun=_turned_about(np.asarray(inputs.sun_dir_itrs, dtype=float), 1.2 * LIGHT_TURN_RAD)),
              dict(rot=_turned(rot, east, 2.0 * LIGHT_CAMERA_TOLERANCE)),
              dict(obs=obs + 1.5 * LIGHT_HEIGHT_TOLERANCE_KM * up / np.linalg.norm(scaled(up))),
              dict(moon=dataclasses.replace(moon, irradiance_ratio=1.01 * moon.irradiance_ratio))]
    for pose in beyond:
        frame()                                   # a keyframe at (or near) the first pose
        misses = cache.light_misses
        np.testing.assert_array_equal(frame(**pose), alone(**pose))
        assert cache.light_misses == misses + 1
    # a camera turning beyond tolerance every frame (one tracking the rocket) keeps no light: after
    # a keyframe that served no frame, each frame is drawn whole without keeping its parts
    for i in range(3):
        frame(rot=_turned(rot, east, 2.0 * i * LIGHT_CAMERA_TOLERANCE))
    assert cache._keyframe.full.size == 0
    # the Moon low beyond the limb (20 deg below the eastern horizon): its shadow edge lies across the
    # limb's air, which the keyframe's light would misplace by 0.9 x LIGHT_TURN_RAD x 6,400 km = 17 km
    # (the soft edge is 25 km wide); the keyframe marks those pixels (and only a few: 3.7 % of the air's)
    # to be shaded afresh, and the frame stays within EDGE_LEVELS (+1: rounding) of itself
    low = dataclasses.replace(moon, position_itrs_km=obs + 384_400.0 * (np.cos(np.radians(-20.0)) * east
                                                                       + np.sin(np.radians(-20.0)) * up))
    frame(moon=low)         # the last keyframe served no frame: this one is drawn whole, unkept
    out, ground = _buffers(cam.height_px, cam.width_px)
    render_earth(cache, rot, obs, inputs.sun_dir_itrs, cam.pixel_scale_rad, out, ground, low, None, sequence=True)
    air = ~np.isfinite(ground) & (out.max(axis=2) > 0.0)                 # rays through the air, all shaded
    marked = air & (cache._keyframe.full[..., PART_MET] == NOT_KEPT)
    assert 0 < marked.sum() < 0.1 * air.sum()
    toward = low.position_itrs_km - obs
    turned = dataclasses.replace(low, position_itrs_km=obs + _turned(toward.reshape(3, 1), np.cross(up, east),
                                                                    0.9 * LIGHT_TURN_RAD).ravel())
    hits = cache.light_hits
    drawn, fresh = frame(moon=turned), alone(moon=turned)
    assert cache.light_hits == hits + 1
    codes = [tonemap(x, NIGHT_EXPOSURE, False).astype(int) for x in (drawn, fresh)]
    assert np.abs(codes[0] - codes[1]).max() <= EDGE_LEVELS + 1
    # drawn without ``sequence``, a frame within tolerance of the keyframe is shaded whole too
    frame()
    near = dict(moon=moon_turned(0.5 * LIGHT_TURN_RAD))
    np.testing.assert_array_equal(frame(**near, sequence=False), alone(**near))


def test_video_frames_from_a_keyframe_stay_within_the_error_budget():
    """Progress MS-10 from video 18 s (the Moon low beyond the limb: its light grazes the ground and
    its shadow edge crosses the limb's air), fifteen consecutive frames at 30 fps through the video
    clock: the first is a keyframe, the five after it reuse its light (the Moon turns 5e-4 rad a
    frame: the sixth is beyond LIGHT_TURN_RAD); the seventh is a keyframe shaded for the lights
    ahead of its own (``LIGHT_LEAD``), and the eight after it reuse that (the camera's own turn in
    the local frame, ~1.7e-6 a frame, ends it a frame later). Each, tone-mapped at the frame's exposure, is within
    EDGE_LEVELS + 1 (the rounding of two values) of the frame drawn alone, on every pixel, with a
    mean difference under 0.1 level, the leading keyframe too; its ground distances are the same.
    Most of the pixels shaded were kept (the reuse is real); those on the Moon's shadow edge were not."""
    from orbitview import load_scenario, shots
    from orbitview.render.raycache import ABOVE, COMPUTE
    from orbitview.tle import StaleElementsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        seconds = shots.video_t_plus_s(scn, 30.0, (18.0, 18.0 + 14.5 / 30.0))
        frames = list(shots.frame_series(scn, seconds, (480, 270)))
    cam = frames[0].camera
    cache = RayCache(camera_rays(cam), camera_half_rays(cam))
    for i, inputs in enumerate(frames):
        args = (inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.sun_dir_itrs, cam.pixel_scale_rad)
        out, ground = (np.empty((270, 480, 3), np.float32), np.empty((270, 480), np.float32))
        render_earth(cache, *args, out, ground, inputs.moon, inputs.shutter, sequence=True, exposure=inputs.exposure)
        fresh, fresh_ground = (np.empty_like(out), np.empty_like(ground))
        render_earth(RayCache(camera_rays(cam), camera_half_rays(cam)), *args, fresh, fresh_ground, inputs.moon,
                     inputs.shutter)
        np.testing.assert_array_equal(ground, fresh_ground)
        diff = np.abs(tonemap(out, inputs.exposure, False).astype(int) - tonemap(fresh, inputs.exposure, False))
        if i == 0:
            assert diff.max() == 0
            met = cache._keyframe.full[..., PART_MET]
            shaded = np.isin(cache._classes.full, (COMPUTE, ABOVE))        # the classes it was drawn with
            assert (met[shaded] != NOT_KEPT).mean() > 0.8 and (met[shaded] == NOT_KEPT).sum() > 100
        if i == 6:                  # shaded for the Moon 0.9 of the tolerance ahead: not the frame's own pixels
            lead = cache._keyframe
            assert cache.light_misses == 2 and 0 < diff.max() and np.allclose(
                np.linalg.norm(lead.moon_itrs_km - inputs.moon.position_itrs_km)
                / np.linalg.norm(inputs.moon.position_itrs_km - inputs.observer_itrs_km), LIGHT_LEAD * LIGHT_TURN_RAD,
                rtol=0.05)
        assert diff.max() <= EDGE_LEVELS + 1 and diff.mean() < 0.1
    assert len(frames) == 15 and (cache.light_misses, cache.light_hits) == (2, 13) and cache._keyframe is lead


def _video_inputs(end_video_s: float) -> list:
    """Progress MS-10's video frames (30 fps) from video 18 s to ``end_video_s``, at 960x540."""
    from orbitview import load_scenario, shots
    from orbitview.tle import StaleElementsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        return list(shots.frame_series(scn, shots.video_t_plus_s(scn, 30.0, (18.0, end_video_s)), (960, 540)))


def _poisoned_cache(camera, fill: float) -> RayCache:
    """A cache of ``camera``'s rays (with the quarter and eighth passes) whose keyframe buffers hold ``fill``
    before any keyframe writes them: a frame that reads a part no keyframe wrote shows it."""
    from orbitview.render.compose import camera_cache
    from orbitview.render.globe import PARTS

    own = camera_cache(camera)
    cache = RayCache(own.rays, own.half_rays, own.quarter_rays, own.eighth_rays)
    cache._parts = tuple(np.full((*rays.shape[:2], PARTS), fill, dtype=np.float32)
                         for rays in (own.rays, own.half_rays, own.quarter_rays, own.eighth_rays))
    return cache


def _video_earth(cache: RayCache, inputs, observer_itrs_km: np.ndarray) -> np.ndarray:
    """The Earth layer of a video frame (``sequence``) of ``inputs`` seen from ``observer_itrs_km``."""
    out, ground = np.empty((540, 960, 3), np.float32), np.empty((540, 960), np.float32)
    render_earth(cache, inputs.cam_to_itrs, observer_itrs_km, inputs.sun_dir_itrs, inputs.camera.pixel_scale_rad,
                 out, ground, inputs.moon, inputs.shutter, sequence=True, exposure=inputs.exposure)
    return out


def test_frames_reusing_a_keyframe_read_only_the_pixels_it_wrote():
    """A keyframe writes its parts only where its classes compute a pixel (the frames that reuse it
    have its classes and read no other): Progress MS-10 at video 18 s, 960x540 through a cache with
    the quarter pass, a keyframe and three frames reusing it, drawn once with the keyframe's buffers
    filled with NaN beforehand and once with 1e30: the frames are the same, bit for bit, and finite."""
    frames = _video_inputs(18.0 + 3.5 / 30.0)
    drawn = []
    for fill in (np.nan, 1e30):
        cache = _poisoned_cache(frames[0].camera, fill)
        run = [_video_earth(cache, inputs, inputs.observer_itrs_km) for inputs in frames]
        assert (cache.light_misses, cache.light_hits) == (1, 3)
        assert np.isnan(cache._keyframe.full).any() == np.isnan(fill)      # pixels left unwritten
        drawn.append(run)
    for poisoned, other in zip(*drawn):
        assert np.all(np.isfinite(poisoned))
        np.testing.assert_array_equal(poisoned, other)


def test_a_reused_frame_whose_rays_dipped_below_the_shells_top_reads_no_unwritten_part():
    """Rays that passed above every shell at the keyframe (not shaded, so not kept) may dip into the
    air in a frame that reuses it: the station 0.19 km lower, inside the keyframe's 0.2 km, lowers
    their tangent heights as much. The keyframe marks such pixels ``NOT_KEPT`` as it skips them, so
    that frame shades them afresh: with the keyframe's buffers filled with NaN beforehand, it is
    finite and the same as with 1e30 (without the mark, 180 of its values at 960x540 are NaN)."""
    inputs = _video_inputs(18.05)[0]
    observer = np.asarray(inputs.observer_itrs_km, dtype=float)
    lower = observer * (1.0 - 0.19 / np.linalg.norm(observer))
    drawn = []
    for fill in (np.nan, 1e30):
        cache = _poisoned_cache(inputs.camera, fill)
        _video_earth(cache, inputs, observer)
        drawn.append(_video_earth(cache, inputs, lower))
        assert (cache.light_misses, cache.light_hits) == (1, 1)
    assert np.all(np.isfinite(drawn[0]))
    np.testing.assert_array_equal(drawn[0], drawn[1])


def test_a_reused_frame_whose_rays_rose_above_the_band_reads_no_unwritten_part():
    """Ground rays more than the band's 300 km below the limb at the keyframe are interpolated there
    (not shaded, so not kept); with the station 0.19 km higher their tangent heights rise by ~0.17 km
    and those at the band's edge are shaded per pixel in a frame that reuses it. The keyframe marks
    them ``NOT_KEPT`` as it interpolates them, so that frame shades them afresh: with the keyframe's
    buffers filled beforehand with 1 (a part that reads as kept ground, which NaN would not), it is
    the same as with 1e30 (without the mark, 39 of its values at 960x540 differ, by up to 1.27 day
    units where the frame holds ~1e-8)."""
    from orbitview.render.globe import GROUND

    inputs = _video_inputs(18.05)[0]
    observer = np.asarray(inputs.observer_itrs_km, dtype=float)
    higher = observer * (1.0 + 0.19 / np.linalg.norm(observer))
    drawn = []
    for fill in (GROUND, 1e30):
        cache = _poisoned_cache(inputs.camera, fill)
        _video_earth(cache, inputs, observer)
        drawn.append(_video_earth(cache, inputs, higher))
        assert (cache.light_misses, cache.light_hits) == (1, 1)
    np.testing.assert_array_equal(drawn[0], drawn[1])


def test_frames_drawn_without_their_distances_have_the_same_pixels():
    """``render_frame`` asks for no ground distances (only a description reads them): the kernel's
    passes then write none, and draw the same pixels, bit for bit, through a keyframe and the frames
    reusing it (the quarter pass's runs and the half pass's interpolation included)."""
    frames = _video_inputs(18.0 + 3.5 / 30.0)
    drawn = []
    for wanted in (True, False):
        cache = _poisoned_cache(frames[0].camera, 0.0)
        run = []
        for inputs in frames:
            out, ground = np.empty((540, 960, 3), np.float32), np.full((540, 960), np.nan, np.float32)
            render_earth(cache, inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.sun_dir_itrs,
                         inputs.camera.pixel_scale_rad, out, ground if wanted else None, inputs.moon, inputs.shutter,
                         sequence=True, exposure=inputs.exposure)
            run.append(out)
            if wanted:
                assert not np.isnan(ground).any() and np.isfinite(ground).any() and np.isinf(ground).any()
        drawn.append(run)
    for with_distances, without in zip(*drawn):
        np.testing.assert_array_equal(with_distances, without)


def test_video_frames_with_the_quarter_pass_stay_within_its_error_budget():
    """Progress MS-10 at 1920x1080 through the camera's own cache (with quarter- and eighth-resolution
    rays), at video 7, 19 and 34 s, a keyframe and the frame after it, against the same frames drawn
    through a cache without the coarse passes (the half pass there). The quarter pass serves only
    the pixels marked QUARTER (over a third of the frame: the saving is real): every other pixel,
    value and ground distance, is the same bit for bit. On the QUARTER pixels (the budget, README's
    Speed), tone-mapped at the frame's exposure: at most 55 levels apart, under 4 % of them more
    than 2 levels apart, 0.15 level on average over the frame; their ground distances agree to 3e-3.
    Without the eighth pass (the quarter pass alone) the budget is 40 levels, 1 % and 0.05.
    A QUARTER pixel's quarter-resolution footprint is within one finest texel, and a DEEP pixel's
    beyond it; a quarter pixel interpolated from the eighth pass (the quarter grid's DEEP) has its
    eighth-resolution footprint within one texel, and one it computes beyond it; every pixel the half
    pass serves (DEEP, QUARTER) has its half-resolution footprint within one texel, where its ray meets
    the ground (1 % slack), by the WGS84 ellipsoid met by the pixel's ray by hand. A still (no
    ``sequence``) never uses the coarse passes: it is the same through either cache."""
    from orbitview import load_scenario, shots
    from orbitview.earth import WGS84_B_KM
    from orbitview.render.compose import camera_cache
    from orbitview.render.globe import COARSE_TEXELS, coarse_reach_km
    from orbitview.render.raycache import COMPUTE, DEEP, EIGHTH_BLOCK, QUARTER, QUARTER_BLOCK
    from orbitview.render.textures import texel_km
    from orbitview.tle import StaleElementsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        runs = [list(shots.frame_series(scn, shots.video_t_plus_s(scn, 30.0, (s, s + 1.5 / 30.0)), (1920, 1080)))
                for s in (7.0, 19.0, 34.0)]
    cam = runs[0][0].camera
    own = camera_cache(cam)
    assert own.quarter_rays is not None and own.eighth_rays is not None

    def draw(cache, inputs, sequence=True):
        out, ground = np.empty((1080, 1920, 3), np.float32), np.empty((1080, 1920), np.float32)
        render_earth(cache, inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.sun_dir_itrs, cam.pixel_scale_rad,
                     out, ground, inputs.moon, inputs.shutter, sequence=sequence, exposure=inputs.exposure)
        return out, ground

    budgets = ((own.eighth_rays, 55, 0.04, 0.15), (None, 40, 0.01, 0.05))     # with the eighth pass, without
    for frames in runs:
        # one cache holds a keyframe at a time: each run drawn whole through one cache, then another
        halved = RayCache(own.rays, own.half_rays)
        refs = [tuple(x.copy() for x in draw(halved, inputs)) for inputs in frames]
        for eighth_rays, most, share, mean in budgets:
            coarse_cache = RayCache(own.rays, own.half_rays, own.quarter_rays, eighth_rays)
            drawn = [tuple(x.copy() for x in draw(coarse_cache, inputs)) for inputs in frames]
            assert (coarse_cache.light_misses, coarse_cache.light_hits) == (1, 1)
            for inputs, (out, ground), (ref, ref_ground) in zip(frames, drawn, refs):
                classes = coarse_cache.classes(inputs.cam_to_itrs, inputs.observer_itrs_km, _band_km(inputs),
                                               coarse_reach_km(cam.pixel_scale_rad, QUARTER_BLOCK))
                assert (classes.eighth is None) == (eighth_rays is None)
                coarse = classes.full == QUARTER
                assert coarse.mean() > 0.33
                np.testing.assert_array_equal(out[~coarse], ref[~coarse])
                np.testing.assert_array_equal(ground[~coarse], ref_ground[~coarse])
                codes = [tonemap(x, inputs.exposure, False).astype(int) for x in (out, ref)]
                diff = np.abs(codes[0] - codes[1]).max(axis=2)
                assert diff.max() <= most and (diff[coarse] > 2).mean() < share and diff.mean() < mean
                np.testing.assert_allclose(ground[coarse], ref_ground[coarse], rtol=3e-3)
    # the classes' choice, against the ellipsoid met by hand: full pixels on a grid, every quarter pixel computed
    inputs = runs[1][0]
    classes = own.classes(inputs.cam_to_itrs, inputs.observer_itrs_km, _band_km(inputs),
                          coarse_reach_km(cam.pixel_scale_rad, QUARTER_BLOCK))
    texel = COARSE_TEXELS * texel_km()
    rows, cols = np.mgrid[0:1080:7, 0:1920:7]

    def footprint(rays: np.ndarray, block: int) -> np.ndarray:
        """Each ray's footprint over ``block`` pixels on the WGS84 ellipsoid (NaN: it misses)."""
        d = np.asarray(inputs.cam_to_itrs) @ rays.reshape(-1, 3).T.astype(np.float64)
        d /= np.linalg.norm(d, axis=0)
        o = np.asarray(inputs.observer_itrs_km, dtype=np.float64)
        axes = np.array([WGS84_A_KM, WGS84_A_KM, WGS84_B_KM])[:, None]
        qa, qb, qc = (np.sum((d / axes) ** 2, axis=0), np.sum(o[:, None] * d / axes ** 2, axis=0),
                      np.sum((o[:, None] / axes) ** 2))
        with np.errstate(invalid="ignore"):
            t = (-qb - np.sqrt(qb * qb - qa * (qc - 1.0))) / qa
            normal = (o[:, None] + t * d) / axes ** 2
            normal /= np.linalg.norm(normal, axis=0)
            return block * t * cam.pixel_scale_rad / np.sqrt(-np.sum(normal * d, axis=0))

    for rays, block, kind, served in ((own.rays[rows, cols], QUARTER_BLOCK, classes.full[rows, cols], QUARTER),
                                      (own.quarter_rays, EIGHTH_BLOCK, classes.quarter, DEEP)):
        size = footprint(rays, block)
        kind = kind.ravel()
        other = DEEP if served == QUARTER else COMPUTE
        beyond = size[(kind == other) & np.isfinite(size)]
        assert (kind == served).sum() > 1000 and beyond.size > 100
        assert size[kind == served].max() <= 1.01 * texel and beyond.min() >= 0.99 * texel
    # the half pass serves the ground below the band (limb_band_km: 130 km here) within a texel, and the
    # band is no deeper than that needs: the limb's ground computed per pixel reaches beyond a texel
    half = footprint(own.rays[rows, cols], 2)
    kind = classes.full[rows, cols].ravel()
    interpolated, limb_ground = np.isin(kind, (DEEP, QUARTER)), (kind == COMPUTE) & np.isfinite(half)
    assert _band_km(inputs) == 130.0 and interpolated.sum() > 1000 and limb_ground.sum() > 1000
    assert half[interpolated].max() <= 1.01 * texel and half[limb_ground].max() > 1.5 * texel
    # a still never uses the quarter pass
    still = runs[2][0]
    np.testing.assert_array_equal(draw(RayCache(own.rays, own.half_rays, own.quarter_rays), still, False)[0],
                                  draw(RayCache(own.rays, own.half_rays), still, False)[0])


def test_the_band_below_the_limb_shaded_per_pixel_follows_the_half_pass_footprint():
    """``limb_band_km``: the Progress MS-10 lens (1.17 mrad a pixel) from the ISS needs 130 km (the
    ellipsoid check of the pixels it serves is in the quarter-pass test above); a lens five times
    narrower only the air's ``AIR_BAND_KM``; a lens too wide for any half pass (its footprint over two
    pixels beyond a texel straight down) the whole ground; a higher observer, or a wider lens, a
    deeper band, always a whole number of ``BAND_STEP_KM``."""
    from orbitview.render.globe import AIR_BAND_KM, BAND_STEP_KM, COARSE_TEXELS
    from orbitview.render.textures import texel_km

    iss = WGS84_A_KM + 410.0
    assert limb_band_km(1.17e-3, iss) == 130.0
    assert limb_band_km(1.17e-3 / 5.0, iss) == AIR_BAND_KM
    straight_down = COARSE_TEXELS * texel_km() / (2.0 * 410.0)       # two pixels' footprint at nadir: a texel
    assert limb_band_km(1.01 * straight_down, iss) == WGS84_A_KM
    assert limb_band_km(0.99 * straight_down, iss) < WGS84_A_KM
    bands = [limb_band_km(scale, radius) for scale, radius in
             ((1.17e-3, iss), (1.17e-3, iss + 400.0), (2.34e-3, iss), (0.0, iss), (1.17e-3, WGS84_A_KM - 1.0))]
    assert bands[0] < bands[1] and bands[0] < bands[2] and bands[3] == bands[4] == AIR_BAND_KM
    assert all(band % BAND_STEP_KM == 0.0 for band in bands)
