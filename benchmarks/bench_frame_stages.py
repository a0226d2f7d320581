"""Where a frame's time goes after the Earth kernel: ms per stage of the real Progress MS-10 scene
at 1920x1080, shutter-integrated (video 15 s on, the rocket above the night Earth), beside the bare
numpy ray-sphere texture lookup (``bench_render.baseline_ms``) run in the same process.

The frames are a video's (``sequence``: the Earth kernel reuses a keyframe's light five frames in six,
so the medians are those of a frame that reuses it; ``bench_render.py`` gives the mean). Each stage
(its median over the frames) is timed by wrapping the function the compositor
(``render.compose``) or the sensor (``render.sensor``) calls, so the figures are those of the code
as it runs; the wrapped pass is separate from the plain pass that gives the frame's total, so the
wrappers' own cost (a few us a call) stays out of that. Issue 13's bar is on the whole frame (4 x
the lookup's speed, goal 8): the last lines print the frame beside the lookup and the part of it
outside the Earth kernel (the bar for that part: 10 ms). On a machine busy with other work,
``NUMBA_NUM_THREADS=1 python benchmarks/bench_frame_stages.py --cpu`` gives the work itself in CPU
ms (one thread; no ratio): a parallel region waits for every thread, which another process may
hold off the cores for milliseconds. ``--passes`` (with ``NUMBA_NUM_THREADS=1``) adds the Earth kernel's
own passes (eighth, quarter, half, full resolution) in one thread's CPU ms, apart for keyframes and for
the frames that reuse them: what a change to the kernel is measured by, run in turn with the code before.
Run: ``python benchmarks/bench_frame_stages.py [--frames N] [--cpu] [--passes]``.
"""
from __future__ import annotations

import argparse
import inspect
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_render import baseline_ms, scene_frames  # noqa: E402

from orbitview.render import compose, globe, render_frame, sensor  # noqa: E402

# (module, function name): the stages of a frame, in the order they run. The sensor's inner steps
# are timed inside ``apply_sensor``, which also tone-maps (``_add_cells``, in the pass that adds the
# glare's far wing; ``tonemap_rows`` only when no pixel is bright); the Earth kernel is ``render_earth``.
STAGES = ((compose, "check_inputs"), (compose, "render_earth"), (compose, "draw_sun"), (compose, "sky_sprites"),
          (compose, "_sky_motion"), (compose, "draw_moon"),
          (compose, "object_sprites"), (compose, "_object_motion"), (compose, "splat"),
          (compose, "apply_sensor"), (sensor, "_count_bright"), (sensor, "_take_bright"), (sensor, "wing_kernels"),
          (sensor, "_lay_wings"), (sensor, "_add_cells"), (sensor, "_bloom"),
          (sensor, "tonemap_rows"), (compose, "frame_window"), (compose, "draw_text"))
INNER = {"_count_bright", "_take_bright", "wing_kernels", "_lay_wings", "_add_cells", "_bloom",
         "tonemap_rows"}

CLOCK = time.perf_counter       # --cpu: time.thread_time


@lru_cache(maxsize=1)
def _image(width: int, height: int) -> np.ndarray:
    return np.empty((height, width, 3), dtype=np.uint8)


def draw(frame) -> None:
    """``frame`` drawn as a video's frames are: into a picture kept from frame to frame (``render_video``)."""
    render_frame(frame, sequence=True, out=_image(frame.camera.width_px, frame.camera.height_px))


def timed(frame_s: dict[str, float], name: str, function):
    """``function``, adding the seconds each call takes to ``frame_s[name]``."""
    def wrapper(*args, **kwargs):
        start = CLOCK()
        try:
            return function(*args, **kwargs)
        finally:
            frame_s[name] += CLOCK() - start
    return wrapper


def stage_ms(inputs: list) -> dict[str, float]:
    """The median over ``inputs`` of each stage's ms in a frame, the stage functions wrapped for the
    run (the median: a machine shared with other work slows some frames, not the typical one), and
    of the rest of the frame's time (``rest``: the glue between the stages, the wrappers' own), and
    of all but the Earth kernel."""
    frame_s: dict[str, float] = defaultdict(float)
    saved = [(module, name, getattr(module, name)) for module, name in STAGES]
    per_frame = []
    for module, name, function in saved:
        setattr(module, name, timed(frame_s, name, function))
    try:
        for frame in inputs:
            frame_s.clear()
            start = CLOCK()
            draw(frame)
            whole = CLOCK() - start
            frame_s["rest"] = whole - sum(t for name, t in frame_s.items() if name not in INNER)
            frame_s["outside the kernel"] = whole - frame_s["render_earth"]
            per_frame.append(dict(frame_s))
    finally:
        for module, name, function in saved:
            setattr(module, name, function)
    return {name: 1000.0 * float(np.median([f.get(name, 0.0) for f in per_frame]))
            for name in [name for _, name in STAGES] + ["rest", "outside the kernel"]}


def pass_ms(inputs: list) -> dict[tuple[str, str], float]:
    """The median over ``inputs`` of each Earth kernel pass's CPU ms (the calling thread's: all of it
    with ``NUMBA_NUM_THREADS=1``), keyed by its grid (its block of pixels: full, half, quarter, eighth)
    and by what the frame does with the kept light (keyframe, reused, shaded whole)."""
    kernel = globe._earth_kernel
    mode_at = list(inspect.signature(kernel.py_func).parameters).index("mode")
    grids = {1: "full", 2: "half", 4: "quarter", 8: "eighth"}
    modes = {globe.KEEP: "keyframe", globe.REUSE: "reused", globe.SHADE: "shaded whole"}
    height = inputs[0].camera.height_px
    per_pass: dict[tuple[str, str], list[float]] = defaultdict(list)

    def timed(*args):
        start = time.thread_time()
        try:
            return kernel(*args)
        finally:
            block = grids.get(round(height / args[0].shape[0]), f"1/{height / args[0].shape[0]:.0f}")
            per_pass[(block, modes[args[mode_at]])].append(time.thread_time() - start)

    globe._earth_kernel = timed
    try:
        for frame in inputs:
            draw(frame)
    finally:
        globe._earth_kernel = kernel
    order = list(grids.values())[::-1]          # as they run: the coarsest first
    return {key: 1000.0 * float(np.median(per_pass[key]))
            for key in sorted(per_pass, key=lambda k: order.index(k[0]) if k[0] in order else -1)}


def frame_ms(inputs: list) -> float:
    """The median ms of a whole frame over ``inputs``, nothing wrapped."""
    times = []
    for frame in inputs:
        start = CLOCK()
        draw(frame)
        times.append(CLOCK() - start)
    return 1000.0 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames (default 60, 2 s of video)")
    parser.add_argument("--cpu", action="store_true",
                        help="the calling thread's CPU time, not the wall clock: with NUMBA_NUM_THREADS=1 set, "
                             "the work itself, which other processes on a shared machine do not inflate")
    parser.add_argument("--passes", action="store_true",
                        help="also the Earth kernel's passes, keyframes and reused frames apart (one thread's CPU: "
                             "set NUMBA_NUM_THREADS=1)")
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.thread_time
    inputs = scene_frames(1920, 1080, 15.0, args.frames)
    for frame in inputs[:2]:
        render_frame(frame)                    # numba cache, textures, per-camera caches
    lookup = min(baseline_ms(inputs[0], repeats=3), baseline_ms(inputs[-1], repeats=3))
    whole = frame_ms(inputs)
    stages = stage_ms(inputs)
    print(f"Progress MS-10, 1920x1080, shutter-integrated, {len(inputs)} frames, "
          f"{'CPU time of the calling thread' if args.cpu else 'wall clock'}; bare numpy lookup {lookup:.1f} ms/frame "
          "(wall clock)")
    outside = stages.pop("outside the kernel")
    for name, ms in stages.items():
        indent = "    " if name in INNER else "  "
        print(f"{indent}{name:<16} {ms:7.2f} ms")
    ratio = "" if args.cpu else f": {lookup / whole:.2f} x the lookup's speed (bar 4, goal 8)"
    print(f"frame {whole:.1f} ms (median){ratio}")
    print(f"outside the Earth kernel {outside:.1f} ms (median of the frames' time but the kernel's; bar 10 ms), "
          f"kernel {stages['render_earth']:.1f} ms")
    if args.passes:
        passes = pass_ms(inputs)
        print("the Earth kernel's passes, one thread's CPU (median ms):")
        for kind in ("keyframe", "reused", "shaded whole"):
            line = [f"{grid} {ms:.2f}" for (grid, of), ms in passes.items() if of == kind]
            if line:
                total = sum(ms for (_, of), ms in passes.items() if of == kind)
                print(f"  {kind:<12} {total:6.2f} ms: " + ", ".join(line))

if __name__ == "__main__":
    main()
