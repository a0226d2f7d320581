"""Renderer speed: full frames end to end into an MP4, beside a bare numpy ray-sphere-texture lookup.

The night view of the Progress MS-10 launch (station over Kazakhstan looking at the eastern
horizon: city lights, airglow, stars, the burning third stage and the falling core), the camera
panning a little every frame so nothing is reused but the textures. Reports set-up time (textures,
tables, numba cache), frames per second at 1280x720 and 1920x1080 into H.264 MP4 files in a
temporary folder, the same for the real Progress MS-10 scene (the demo's frames, with the CPU the
renderer and the encoder each take a frame), and the process's peak memory. Bars (issue 5): 10 fps
at 1080p, 20 fps at 720p (the 90 s x 30 fps demo in well under 5 minutes), peak memory under 2 GB. Moonlight (issue 12):
the same night frames with the Moon up and without it, side by side; bar: at most 15 % slower.
Motion during the shutter (issue 13): the real scene's 1080p frames integrated over the camera's
0.4 s shutter and as instants, each beside the bare lookup in the same process, as speed ratios
(lookup ms / frame ms); bar: 4 for the integrated frames, goal 8. The Earth kernel keeps each
pixel's ray classes between frames (``render.raycache``), and a video's frames reuse each pixel's light
apart from its surface from a keyframe (``RayCache.lighting``; the MP4 runs here pass ``sequence``, as
``shots.render_video`` does): the shares of calls served from each are printed beside the ratios, and
the Earth kernel's own time per integrated frame (its passes). There each pose's instant frame comes first
and makes the keyframes; a last figure times integrated frames alone, one after another, keyframes
included, as an MP4 of the scene draws them.
Run: ``make bench`` or ``python benchmarks/bench_render.py [--frames N]``.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from orbitview.earth import enu_basis
from orbitview.render import MoonLight, render_frame
from orbitview.render.synthetic import OBSERVER_LAT_DEG, OBSERVER_LON_DEG, look, synthetic_inputs
from orbitview.render.textures import blue_marble_albedo
from orbitview.render.video import frame_buffers, write_video

SIZES = ((1280, 720), (1920, 1080))


def baseline_ms(inputs, repeats: int = 3) -> float:
    """ms per frame of the plain numpy approach: ray-sphere intersection + nearest texel lookup."""
    cam = inputs.camera
    rays = inputs.cam_to_itrs @ cam.pixel_rays().reshape(-1, 3).T
    albedo = blue_marble_albedo()
    o = inputs.observer_itrs_km
    r = 6371.0

    def frame() -> np.ndarray:
        b = o @ rays
        disc = b * b - (o @ o - r * r)
        hit = (disc > 0) & (b < 0)
        t = -b - np.sqrt(np.where(hit, disc, 0.0))
        p = o[:, None] + t * rays
        lat = np.arcsin(np.clip(p[2] / r, -1, 1))
        lon = np.arctan2(p[1], p[0])
        h, w, _ = albedo.shape
        iy = np.clip(((0.5 - lat / np.pi) * h).astype(int), 0, h - 1)
        ix = ((lon / (2 * np.pi) + 0.5) * w).astype(int) % w
        img = np.where(hit[:, None], albedo[iy, ix], 0.0)
        return (img * 255).astype(np.uint8).reshape(cam.height_px, cam.width_px, 3)

    frame()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        frame()
        times.append(time.perf_counter() - start)
    return 1000.0 * min(times)


def fps_to_mp4(width: int, height: int, frames: int, folder: Path) -> float:
    inputs = synthetic_inputs(width, height, night=True, roll_deg=-25.0, elevation_deg=-14.0,
                              utc="2018-11-16 18:19:08", range_km=1234.0, captions=["core stage separation"])
    render_frame(inputs)                 # per-size caches (camera rays, buffers, window mask)
    buffers = frame_buffers(width, height)

    def stream():
        for i in range(frames):
            inputs.cam_to_itrs = look(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, 90.0 + 0.02 * i, -14.0, -25.0)
            inputs.t_plus_s = 300.0 + i / 30.0
            yield render_frame(inputs, sequence=True, out=next(buffers))

    start = time.perf_counter()
    write_video(folder / f"bench_{height}p.mp4", stream(), fps=30, width=width, height=height, total=frames,
                progress=False)
    return frames / (time.perf_counter() - start)


def scene_frames(width: int, height: int, start_s: float, frames: int) -> list:
    """The real demo scene's frame inputs: Progress MS-10 through its fitted camera, ``frames``
    frames at 30 fps from video second ``start_s`` (its element set's age warning silenced)."""
    import warnings

    from orbitview import load_scenario, shots
    from orbitview.tle import StaleElementsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        seconds = shots.video_t_plus_s(scn, 30.0, (start_s, start_s + frames / 30.0))
        return list(shots.frame_series(scn, seconds, (width, height)))


def scene_fps_to_mp4(width: int, height: int, frames: int, folder: Path) -> tuple[float, float, float]:
    """The real demo scene: Progress MS-10 through its fitted camera, from video 15 s on (the
    rocket above the night Earth, city lights filling the frame: the costliest view). Frames per
    second, and the CPU ms a frame of this process (the renderer: all its threads, an idle OpenMP
    thread's spinning included) and of the encoder (ffmpeg, a child process, counted when it exits):
    on two cores the two share them."""
    inputs = scene_frames(width, height, 15.0, frames)
    render_frame(inputs[0])
    buffers = frame_buffers(width, height)
    cpu, children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    write_video(folder / f"scene_{height}p.mp4", (render_frame(i, sequence=True, out=next(buffers)) for i in inputs),
                fps=30, width=width, height=height, total=frames, progress=False)
    wall = time.perf_counter() - start
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    encoder = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
    return frames / wall, 1000.0 * (time.process_time() - cpu) / frames, 1000.0 * encoder / frames


def shutter_ratios(width: int, height: int, frames: int) -> tuple[float, float, float, float, int, int, int, int]:
    """ms per bare lookup, per instant frame, per shutter-integrated frame of the real scene (video
    15 s on, frame to uint8, no video) and per Earth kernel of those integrated frames (``render_earth``:
    its half- and full-resolution passes), run in turn frame by frame so a busy machine slows all
    alike, each a frame of a sequence as the MP4's are (the light kept from a keyframe: instants and
    integrated frames of one pose share it); the ray cache's hits and misses over those frames, and
    its keyframes' (light) hits and misses."""
    import dataclasses

    from orbitview.render.compose import camera_cache
    from orbitview.render.globe import render_earth

    integrated = scene_frames(width, height, 15.0, frames)
    cam = integrated[0].camera
    cache = camera_cache(cam)
    out = np.empty((height, width, 3), dtype=np.float32)
    frame = np.empty((height, width, 3), dtype=np.uint8)       # drawn into, as a video's frames are
    hits, misses, light_hits, light_misses = cache.hits, cache.misses, cache.light_hits, cache.light_misses
    instants = [dataclasses.replace(i, shutter=None) for i in integrated]
    render_frame(integrated[0])
    render_frame(instants[0])
    totals = [0.0, 0.0, 0.0, 0.0]
    for a, b in zip(instants, integrated):
        totals[0] += baseline_ms(a, repeats=1) / 1000.0
        for k, inputs in ((1, a), (2, b)):
            start = time.perf_counter()
            render_frame(inputs, sequence=True, out=frame)
            totals[k] += time.perf_counter() - start
        start = time.perf_counter()
        render_earth(cache, b.cam_to_itrs, b.observer_itrs_km, b.sun_dir_itrs, cam.pixel_scale_rad, out, None,
                     b.moon, b.shutter, sequence=True, exposure=b.exposure)     # no distances, as render_frame
        totals[3] += time.perf_counter() - start
    n = len(integrated)
    return (*(1000.0 * x / n for x in totals), cache.hits - hits, cache.misses - misses,
            cache.light_hits - light_hits, cache.light_misses - light_misses)


def video_ratio(width: int, height: int, frames: int) -> tuple[float, float, int, float]:
    """ms per bare lookup and per shutter-integrated frame of the real scene drawn as a video draws
    them, one after another, each paying for the keyframes it makes (in ``shutter_ratios`` the instant
    of each pose comes first and makes them), from the video second after ``shutter_ratios``'s; the
    keyframes made; and the page faults a frame took (the lookup gives memory back to the system
    between frames: a frame that allocated its buffers met them as new pages). Frame and lookup
    alternate, so a busy machine slows both alike."""
    from orbitview.render.compose import camera_cache

    inputs = scene_frames(width, height, 15.0 + frames / 30.0, frames)
    cache = camera_cache(inputs[0].camera)
    misses = cache.light_misses
    totals = [0.0, 0.0, 0.0]
    image = np.empty((height, width, 3), dtype=np.uint8)       # drawn into, as a video's frames are
    for frame in inputs:
        totals[0] += baseline_ms(frame, repeats=1) / 1000.0
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        render_frame(frame, sequence=True, out=image)
        totals[1] += time.perf_counter() - start
        totals[2] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    n = len(inputs)
    return 1000.0 * totals[0] / n, 1000.0 * totals[1] / n, cache.light_misses - misses, totals[2] / n


def moon_ms(width: int, height: int, frames: int) -> tuple[float, float]:
    """ms per night frame (Earth, air, airglow, stars, tone map; no video) without and with the Moon, the
    61 %-lit Moon of 2018-11-16 high over the station, so it lights the whole visible Earth and air.
    The two runs alternate frame by frame, so a busy machine slows both alike."""
    inputs = synthetic_inputs(width, height, night=True, roll_deg=-25.0, elevation_deg=-14.0, with_objects=False)
    up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)[2]
    moon = MoonLight(384_400.0 * up, -up, 3.2e-7)
    render_frame(inputs)
    totals = [0.0, 0.0]
    for i in range(frames):
        inputs.cam_to_itrs = look(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, 90.0 + 0.02 * i, -14.0, -25.0)
        for k, light in enumerate((None, moon)):
            inputs.moon = light
            start = time.perf_counter()
            render_frame(inputs)
            totals[k] += time.perf_counter() - start
    return 1000.0 * totals[0] / frames, 1000.0 * totals[1] / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150, help="frames per size (default 150)")
    args = parser.parse_args()
    start = time.perf_counter()
    first = synthetic_inputs(1920, 1080, night=True, roll_deg=-25.0, elevation_deg=-14.0)
    render_frame(first)
    setup_s = time.perf_counter() - start
    print(f"set-up (textures, tables, first 1080p frame, numba cache): {setup_s:.1f} s")
    print(f"baseline: bare numpy ray-sphere + texel lookup at 1080p: {baseline_ms(first):.0f} ms/frame")
    with tempfile.TemporaryDirectory() as tmp:
        for width, height in SIZES:
            fps = fps_to_mp4(width, height, args.frames, Path(tmp))
            print(f"full frame to MP4 at {width}x{height}: {fps:.1f} fps ({1000 / fps:.0f} ms/frame), "
                  f"{args.frames} frames")
        for width, height in SIZES:
            fps, renderer, encoder = scene_fps_to_mp4(width, height, args.frames, Path(tmp))
            print(f"Progress MS-10 scene to MP4 at {width}x{height}: {fps:.1f} fps ({1000 / fps:.0f} ms/frame; "
                  f"CPU a frame: renderer {renderer:.0f} ms, encoder {encoder:.0f} ms)")
    lookup, instant, integrated, earth, hits, misses, light_hits, light_misses = shutter_ratios(
        1920, 1080, max(args.frames // 5, 3))
    print(f"Progress MS-10 at 1920x1080 beside the bare lookup ({lookup:.0f} ms): instant frames {instant:.0f} ms "
          f"({lookup / instant:.2f} x its speed), shutter-integrated {integrated:.0f} ms ({lookup / integrated:.2f} x; "
          f"bar 4, goal 8), of which the Earth kernel {earth:.0f} ms; ray cache: {hits} of {hits + misses} "
          f"kernel calls (instant, integrated, kernel alone) served from it; keyframes' light: {light_hits} of "
          f"{light_hits + light_misses} calls reused it")
    lookup, integrated, keyframes, faults = video_ratio(1920, 1080, max(args.frames // 2, 6))
    print(f"the same, integrated frames one after another as a video draws them, their keyframes ({keyframes}) "
          f"included: {integrated:.0f} ms ({lookup / integrated:.2f} x the lookup's {lookup:.0f} ms), "
          f"{faults:.0f} page faults a frame")
    for width, height in SIZES:
        off, on = moon_ms(width, height, args.frames)
        print(f"night frame at {width}x{height}: Moon off {off:.0f} ms, Moon on {on:.0f} ms, "
              f"ratio {on / off:.3f} (bar: 1.15)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak memory (max RSS): {peak_mb:.0f} MB (bar: 2048)")


if __name__ == "__main__":
    main()
