"""Kernel code run with numba's bounds checking: compiled afresh (cached machine code has no checks)
in a subprocess, after proving the checking is on, so an out-of-bounds read raises IndexError
instead of silently reading memory."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).parent.parent
PROOF = '''
import numpy as np
from numba import njit

@njit
def read(a, i):
    return a[i]

try:
    read(np.zeros(3), 7)
except IndexError:
    pass
else:
    raise SystemExit("bounds checking is off")
'''


def run_bounds_checked(body: str, tmp_path: Path) -> None:
    """Run ``body`` (Python source) under bounds checking; fail with its stderr if anything raised."""
    script = PROOF + textwrap.dedent(body) + '\nprint("in bounds")\n'
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"),
               PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().endswith("in bounds")
