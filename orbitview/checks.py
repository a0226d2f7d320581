"""Values a caller hands the application, checked once for the command line and the Python API alike.

``orbitview render ... --exposure nan`` and ``scn.render_frame(exposure=float("nan"))`` must fail
with the same one-line :class:`OrbitviewError`, so both go through these functions. Checks a lower
layer already makes are not repeated: the camera refuses sizes that are not whole pixels > 0, the
renderer an image above its memory limit, the video writer a frame rate outside its range.
"""
from __future__ import annotations

import math
from numbers import Real

from .errors import OrbitviewError, shorten

# Exposure is a gain over a daylight ("sunny 16") exposure; a night time-lapse is 3.3e6. The
# brightest setting a camera has (f/0.95, 30 s, ISO 409,600) is (16/0.95)^2 x 100 x 30 x 4096 =
# 3.5e9, the darkest one worth drawing a solar ND 5 filter in daylight (1e-5): beyond these bounds a
# frame is all white or all black, and beyond float32 the renderer's arithmetic overflows.
EXPOSURE_MIN = 1e-6
EXPOSURE_MAX = 1e10


def _shown(value: object) -> str:
    return shorten(repr(value))


def number(name: str, value: object, expected: str = "a finite number") -> float:
    """``value`` as a float, or an error naming ``name`` if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise OrbitviewError(f"{name} = {_shown(value)}: expected {expected}")
    return float(value)


def within(name: str, value: object, low: float, high: float, unit: str) -> float:
    """``value`` if it is a number from ``low`` to ``high`` (NaN never is)."""
    expected = f"{low:g} to {high:g} {unit}"
    if not low <= number(name, value, expected) <= high:
        raise OrbitviewError(f"{name} = {value:g}: expected {expected}")
    return float(value)


def pair(name: str, value: object, expected: str) -> tuple:
    """``value`` as a tuple of two items, or an error naming ``name``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise OrbitviewError(f"{name} = {_shown(value)}: expected {expected}")
    return value[0], value[1]


def span(name: str, value: object, low: float, high: float, unit: str) -> tuple[float, float]:
    """``(start, end)`` with ``low <= start < end <= high`` (NaN never is), or an error naming ``name``."""
    expected = f"A:B with {low:g} <= A < B <= {high:g} {unit}"
    start, end = (number(name, x, expected) for x in pair(name, value, expected))
    if not low <= start < end <= high:
        raise OrbitviewError(f"{name} {start:g}:{end:g}: expected {expected}")
    return start, end


def exposure(value: object) -> float | None:
    """A gain over a daylight exposure from ``EXPOSURE_MIN`` to ``EXPOSURE_MAX`` (None: the default)."""
    if value is None:
        return None
    expected = f"a gain from {EXPOSURE_MIN:g} to {EXPOSURE_MAX:g} over a daylight exposure (night: 3.3e6)"
    if not EXPOSURE_MIN <= number("exposure", value, expected) <= EXPOSURE_MAX:
        raise OrbitviewError(f"exposure = {value:g}: expected {expected}")
    return float(value)


def size(value: object) -> tuple[int, int] | None:
    """An image size as a (width, height) pair (None: the default); the camera checks the numbers."""
    return None if value is None else pair("size", value, "(width, height) in pixels, such as (1280, 720)")
