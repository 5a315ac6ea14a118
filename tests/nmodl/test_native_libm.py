"""The C library's tanh, sinh, cosh, log10, tan, asin, acos, atan, erf and erfc as compiled CPU kernels
(`bridge.nmodl.runtime.native_libm`): bit for bit the functions NEURON's mechanisms call (ctypes' libm) under
jit and vmap, differentiable, used by mechanism code (`rt.tanh`, ...) under parity arithmetic; and a cell whose
channels use them runs bit for bit as NEURON 9.0.2's (XLA's own tanh, sinh, cosh and log10 are not glibc's).

The comparisons run in a child process with parity arithmetic (`tests/nmodl/parity_child.py`), as the
validation commands run."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from bridge.nmodl.runtime import glibc_exp, native_libm
from tests.nmodl.parity_child import run_with_parity_arithmetic

pytestmark = pytest.mark.skipif(not native_libm.available(), reason="no C++ compiler: XLA's functions are used")

# arguments per function: where it is defined, with both signs, tiny and large magnitudes, and edges
DOMAINS = {"tanh": (-40, 40), "sinh": (-720, 720), "cosh": (-720, 720), "log10": (0, 1e6), "tan": (-100, 100),
           "asin": (-1, 1), "acos": (-1, 1), "atan": (-1e3, 1e3), "erf": (-7, 7), "erfc": (-7, 30)}


def _arguments(name: str, n: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    lo, hi = DOMAINS[name]
    x = np.concatenate([rng.uniform(lo, hi, n), rng.uniform(lo, hi, n) * 1e-3,
                        np.ldexp(rng.uniform(0.5, 1.0, n // 10), rng.integers(-60, 0, n // 10)),
                        [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan]])
    return np.abs(x) if lo >= 0 else x


def _differ(out: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return (out.view(np.uint64) != ref.view(np.uint64)) & ~(np.isnan(out) & np.isnan(ref))


def _check_kernels(n: int) -> None:
    """Run in the child: each kernel under jit and vmap equals ctypes' libm bit for bit, its derivative is the
    function's, and `rt.<name>` of a float64 array calls it (not of a float32 one)."""
    import jax
    import jax.numpy as jnp

    from bridge.nmodl.runtime import libm as rt

    jax.config.update("jax_enable_x64", True)
    libm = ctypes.CDLL("libm.so.6")
    xla = {"tanh": jnp.tanh, "sinh": jnp.sinh, "cosh": jnp.cosh, "log10": jnp.log10}
    for name in native_libm.FUNCTIONS:
        c_fn = getattr(libm, name)
        c_fn.restype, c_fn.argtypes = ctypes.c_double, [ctypes.c_double]
        x = _arguments(name, n)
        with np.errstate(all="ignore"):
            want = np.frompyfunc(c_fn, 1, 1)(x).astype(np.float64)
        f = native_libm.function(name)
        got = np.asarray(jax.jit(f)(x))
        size = x.size - x.size % 4
        batched = np.asarray(jax.jit(jax.vmap(f))(x[:size].reshape(4, -1))).ravel()
        through_rt = np.asarray(jax.jit(getattr(rt, name))(x))
        for how, out, ref in (("jit", got, want), ("vmap", batched, want[:size]), ("rt", through_rt, want)):
            bad = _differ(out, ref)
            print(f"{name} {how}: {int(bad.sum())} of {ref.size} differ")
            assert not bad.any(), (name, how, x[:ref.size][bad][:5])
        if name in xla:  # the kernel is needed: XLA's own is not the C library's
            assert _differ(np.asarray(jax.jit(xla[name])(x)), want).sum() > 0, name
        inner = x[np.isfinite(x)][:500]
        inner = inner[(np.abs(inner) < 0.99) if name in ("asin", "acos") else (inner > 1e-3) if name == "log10"
                      else np.abs(inner) < 30]
        slope = np.asarray(jax.jit(jax.vmap(jax.grad(f)))(inner))
        expected = np.asarray(jax.vmap(jax.grad(getattr(jnp, {"asin": "arcsin", "acos": "arccos",
                                                              "atan": "arctan"}.get(name, name), None)
                                                 or getattr(jax.scipy.special, name)))(inner))
        # derivatives are not parity's business: 1 - tanh^2 cancels where tanh is near 1 (absolute 1e-15 there)
        np.testing.assert_allclose(slope, expected, rtol=1e-10, atol=1e-13, err_msg=name)

        def hlo(dtype, fn=name, args=x[:8]):
            return jax.jit(getattr(rt, fn)).lower(jnp.asarray(args, dtype)).as_text()

        assert native_libm.target(name) in hlo(jnp.float64) and native_libm.target(name) not in hlo(jnp.float32)


def test_kernels_equal_the_c_library_bit_for_bit():
    out = run_with_parity_arithmetic("from tests.nmodl.test_native_libm import _check_kernels; _check_kernels(50_000)")
    assert out.count(" 0 of ") == 3 * len(native_libm.FUNCTIONS)


# Our own channel whose gates use tanh, sinh, cosh, log10, atan and erf of v at every step (no TABLE), the way
# published rate functions use them (tanh sigmoids, 1/cosh time constants, a log10 of a concentration).
TRIG = """
NEURON { SUFFIX trig  USEION k READ ek WRITE ik  RANGE gbar }
PARAMETER { gbar = 0.02 (S/cm2)  ko = 5 (mM) }
STATE { n w }
ASSIGNED { v (mV)  ek (mV)  ik (mA/cm2)  ninf  ntau (ms)  winf  wtau (ms) }
BREAKPOINT { SOLVE states METHOD cnexp  ik = gbar*n*n*(1 + 0.1*atan(w))*(v - ek) }
INITIAL { rates(v)  n = ninf  w = winf }
DERIVATIVE states { rates(v)  n' = (ninf - n)/ntau  w' = (winf - w)/wtau }
PROCEDURE rates(v (mV)) {
    ninf = 0.5*(1 + tanh((v + 40)/15))
    ntau = 1/(0.2*cosh((v + 40)/30)) + 0.5
    winf = 0.5*erf((v + 50)/20) + 0.1*log10(ko + 1e-3*(v + 100)^2)
    wtau = 2 + sinh((v + 60)/80)^2
}
"""

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh  insert trig  gbar_trig = 0.004 }
dend { L = 300  diam = 2  nseg = 7  insert hh  insert trig  gbar_trig = 0.002 }
objref stim, vs, vd, tv
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 100
stim.amp = 0.5
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.8))
tv = new Vector()
tv.record(&t)
tstop = 60
run()
"""


def _check_cell(tmp_path) -> None:
    """Run in the child: the cell in NEURON and in bridge under parity arithmetic, required bit for bit."""
    from pathlib import Path

    from tests.hoc.test_live_run import _both

    tmp = Path(tmp_path)
    mods = tmp / "mods"
    mods.mkdir()
    (mods / "trig.mod").write_text(TRIG)
    _, ref, _, ours, _ = _both(tmp, CELL, vectors=("vs", "vd", "tv"), mod_dir=mods)
    spikes = int(np.sum((ref["vs"][1:] >= 0) & (ref["vs"][:-1] < 0)))
    worst = max(float(np.max(np.abs(ours[k] - ref[k]))) for k in ("vs", "vd"))
    print(f"{spikes} spikes, max |dV| {worst:.3g} mV")
    assert spikes >= 3
    assert worst == 0.0, worst  # with XLA's own tanh, sinh, cosh, log10 (BRIDGE_EXP=emulated): 2.7e-11 mV


@pytest.mark.neuron
@pytest.mark.skipif(glibc_exp.c_library_variant() is None, reason="the C library's exp is not glibc's")
def test_a_cell_using_them_runs_bit_for_bit_as_neuron(tmp_path):
    run_with_parity_arithmetic(f"from tests.nmodl.test_native_libm import _check_cell; _check_cell({str(tmp_path)!r})")
