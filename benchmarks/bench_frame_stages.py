"""Where a frame's time goes after the Earth kernel: ms per stage of the real Progress MS-10 scene
at 1920x1080, shutter-integrated (video 15 s on, the rocket above the night Earth), beside the bare
numpy ray-sphere texture lookup (``bench_render.baseline_ms``) run in the same process.

Each stage is timed by wrapping the function the compositor (``render.compose``) or the sensor
(``render.sensor``) calls, so the figures are those of the code as it runs; the wrapped pass is
separate from the plain pass that gives the frame's total, so the wrappers' own cost (a few us a
call) stays out of it. Issue 13's bar is on the whole frame (4 x the lookup's speed, goal 8): the
last lines print the frame beside the lookup and the part of it outside the Earth kernel
(the bar for that part: 10 ms).
Run: ``python benchmarks/bench_frame_stages.py [--frames N]``.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_render import baseline_ms  # noqa: E402

from orbitview import load_scenario, shots  # noqa: E402
from orbitview.render import compose, render_frame, sensor  # noqa: E402
from orbitview.tle import StaleElementsWarning  # noqa: E402

# (module, function name): the stages of a frame, in the order they run. The sensor's inner steps
# are timed inside ``apply_sensor``; the Earth kernel is ``render_earth``.
STAGES = ((compose, "check_inputs"), (compose, "render_earth"), (compose, "draw_sun"), (compose, "star_sprites"),
          (compose, "planet_sprites"), (compose, "_sky_motion"), (compose, "draw_moon"),
          (compose, "object_sprites"), (compose, "_object_motion"), (compose, "splat"),
          (compose, "apply_sensor"), (sensor, "_count_bright"), (sensor, "_take_bright"), (sensor, "wing_kernels"),
          (sensor, "_lay_wing"), (sensor, "_add_cells"), (sensor, "_bloom"), (compose, "tonemap"),
          (compose, "draw_text"))
INNER = {"_count_bright", "_take_bright", "wing_kernels", "_lay_wing", "_add_cells", "_bloom"}


def timed(totals: dict[str, float], name: str, function):
    """``function``, adding the seconds each call takes to ``totals[name]``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - start
    return wrapper


def stage_ms(inputs: list) -> dict[str, float]:
    """ms per frame in each stage over ``inputs``, the stage functions wrapped for the run."""
    totals: dict[str, float] = defaultdict(float)
    saved = [(module, name, getattr(module, name)) for module, name in STAGES]
    for module, name, function in saved:
        setattr(module, name, timed(totals, name, function))
    try:
        for frame in inputs:
            render_frame(frame)
    finally:
        for module, name, function in saved:
            setattr(module, name, function)
    return {name: 1000.0 * totals[name] / len(inputs) for _, name in STAGES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames (default 60, 2 s of video)")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        scn = load_scenario("progress-ms10")
        seconds = shots.video_t_plus_s(scn, 30.0, (15.0, 15.0 + args.frames / 30.0))
        inputs = list(shots.frame_series(scn, seconds, (1920, 1080)))
    for frame in inputs[:2]:
        render_frame(frame)                    # numba cache, textures, per-camera caches
    lookup = min(baseline_ms(inputs[0], repeats=3), baseline_ms(inputs[-1], repeats=3))
    start = time.perf_counter()
    for frame in inputs:
        render_frame(frame)
    frame_ms = 1000.0 * (time.perf_counter() - start) / len(inputs)
    stages = stage_ms(inputs)
    print(f"Progress MS-10, 1920x1080, shutter-integrated, {len(inputs)} frames; "
          f"bare numpy lookup {lookup:.1f} ms/frame")
    for name, ms in stages.items():
        indent = "    " if name in INNER else "  "
        print(f"{indent}{name:<16} {ms:7.2f} ms")
    outside = frame_ms - stages["render_earth"]
    print(f"frame {frame_ms:.1f} ms: {lookup / frame_ms:.2f} x the lookup's speed (bar 4, goal 8)")
    print(f"outside the Earth kernel {outside:.1f} ms ({outside / frame_ms:.0%} of the frame; bar 10 ms), "
          f"kernel {stages['render_earth']:.1f} ms")


if __name__ == "__main__":
    main()
