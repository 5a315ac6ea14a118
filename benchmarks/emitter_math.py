"""Element-wise math of XLA:CPU's two kernel emitters, bit for bit, and against the C library's.

    .venv/bin/python benchmarks/emitter_math.py

Each of four new processes (XLA's own arithmetic or parity arithmetic's flags, each with XLA:CPU's MLIR fusion
emitters on (jaxlib 0.10's default) or off, `--xla_cpu_use_fusion_emitters=false`) evaluates float64 functions
of 60,000 arguments (uniform in [-100, 100], in [-1, 1], and exp of uniform [-30, 30]) under jit. Printed: per
function, how many values differ between the emitters, and how many of each emitter's differ from Python's
`math` (the C library's: glibc on Linux). Raw `jnp` functions, not bridge's `rt.*` (bridge's `exp` under parity
is glibc's own: docs/numerics.md, section 11).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile

import numpy as np

CHILD = r"""
import sys, numpy as np, jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
rng = np.random.default_rng(0)
x = np.concatenate([rng.uniform(-100, 100, 20000), rng.uniform(-1, 1, 20000), np.exp(rng.uniform(-30, 30, 20000))])
pos = np.abs(x) + 1e-300
fns = {"exp": lambda a, p: jnp.exp(a / 10), "log": lambda a, p: jnp.log(p), "log10": lambda a, p: jnp.log10(p),
       "pow": lambda a, p: jnp.power(p, a / 37), "sqrt": lambda a, p: jnp.sqrt(p), "tanh": lambda a, p: jnp.tanh(a / 5),
       "sin": lambda a, p: jnp.sin(a), "cos": lambda a, p: jnp.cos(a), "expm1": lambda a, p: jnp.expm1(a / 10),
       "log1p": lambda a, p: jnp.log1p(p), "atan": lambda a, p: jnp.arctan(a), "cosh": lambda a, p: jnp.cosh(a / 20),
       "sinh": lambda a, p: jnp.sinh(a / 20), "a*b+c": lambda a, p: a * p + a / 7}
np.savez(sys.argv[1], x=x, **{k: np.asarray(jax.jit(f)(x, pos)) for k, f in fns.items()})
"""


def _c(f, *args) -> float:
    try:
        return f(*args)
    except OverflowError:
        return math.inf


def reference(x: np.ndarray) -> dict[str, np.ndarray]:
    """The C library's value of each function (NaN where there is none to compare)."""
    pos = np.abs(x) + 1e-300
    ref = {"exp": [_c(math.exp, a / 10) for a in x], "log": [math.log(p) for p in pos],
           "log10": [math.log10(p) for p in pos], "pow": [_c(math.pow, p, a / 37) for a, p in zip(x, pos)],
           "sqrt": [math.sqrt(p) for p in pos], "tanh": [math.tanh(a / 5) for a in x],
           "sin": [math.sin(a) for a in x], "cos": [math.cos(a) for a in x],
           "expm1": [_c(math.expm1, a / 10) for a in x], "log1p": [math.log1p(p) for p in pos],
           "atan": [math.atan(a) for a in x], "cosh": [_c(math.cosh, a / 20) for a in x],
           "sinh": [_c(math.sinh, a / 20) for a in x], "a*b+c": [a * p + a / 7 for a, p in zip(x, pos)]}
    return {k: np.asarray(v) for k, v in ref.items()}


def main() -> None:
    arith = {"XLA": "", "parity": "--xla_cpu_max_isa=AVX --xla_disable_hlo_passes=algsimp"}
    with tempfile.TemporaryDirectory() as tmp:
        for label, flags in arith.items():
            got = {}
            for emitters in ("on", "off"):
                out = os.path.join(tmp, f"{label}-{emitters}.npz")
                f = flags + (" --xla_cpu_use_fusion_emitters=false" if emitters == "off" else "")
                subprocess.run([sys.executable, "-c", CHILD, out], check=True,
                               env={**os.environ, "XLA_FLAGS": f.strip(), "JAX_PLATFORMS": "cpu"})
                got[emitters] = np.load(out)
            ref = reference(got["on"]["x"])
            print(f"{label} arithmetic: values that differ (of 60,000; finite ones for the C library)")
            print(f"{'function':<8} {'on vs off':>10} {'on vs C':>8} {'off vs C':>9}")
            for k, r in ref.items():
                on, off = got["on"][k], got["off"][k]
                both_nan = np.isnan(on) & np.isnan(off)
                fin = np.isfinite(r) & np.isfinite(on) & np.isfinite(off)
                print(f"{k:<8} {int(np.sum((on != off) & ~both_nan)):>10} {int(np.sum(on[fin] != r[fin])):>8} "
                      f"{int(np.sum(off[fin] != r[fin])):>9}")


if __name__ == "__main__":
    main()
