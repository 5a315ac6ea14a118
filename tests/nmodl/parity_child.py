"""Run test code in a fresh Python whose XLA computes with NEURON's arithmetic (no FMA, divisions as
written, glibc's `exp`: `validation.arithmetic.use_neuron_arithmetic`, docs/numerics.md sections 8, 10 and
11), as the validation commands do. The flags act only when XLA starts, so such checks cannot run in the
pytest process itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_with_parity_arithmetic(code: str) -> str:
    """`python -c code` from the repository root on the CPU with parity flags; asserts it exits 0 and
    returns its stdout (also printed, for the test log)."""
    from validation.arithmetic import parity_flags

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, XLA_FLAGS=parity_flags(os.environ.get("XLA_FLAGS", "")), JAX_PLATFORMS="cpu",
               PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    code = "from validation.arithmetic import use_neuron_arithmetic\nassert use_neuron_arithmetic()\n" + code
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout
