"""What keeps every compiled kernel of the renderer in bounds, whatever floats it is given.

A float turned into an array index must never leave the array: ``int(nan)`` and ``int(1e300)``
are undefined (on x86 a huge negative number), and an exposure of NaN once indexed the tone LUT
far outside it (a segfault). The rules, for every kernel that turns floats into indices (the
others index by loop counters over their own arrays' shapes):

* they compile with ``KERNEL_OPTIONS``: numba's fast-math *without* the "no NaNs" and "no
  infinities" assumptions, under which LLVM may delete a NaN test (``not x > 0`` folded to
  ``x <= 0``); the flags kept (reassociation, contraction, reciprocals, fast library calls) are
  what speed the kernels up, and they give the same results for finite values. Division by zero
  gives inf or NaN as in numpy, not a ZeroDivisionError from inside a kernel;
* a float becomes an index only through :func:`clamp_index`.
"""
from __future__ import annotations

from numba import njit

KERNEL_OPTIONS = {"fastmath": {"nsz", "arcp", "contract", "afn", "reassoc"}, "error_model": "numpy"}


@njit(**KERNEL_OPTIONS, inline="always")
def clamp_index(x: float, top: int) -> int:
    """``int(x)`` (truncated) clipped to ``0..top``: NaN and negatives give 0, +inf gives ``top``."""
    if not x > 0.0:
        return 0
    if x >= top:
        return top
    return int(x)
