"""Divisions rounded as C rounds them (docs/numerics.md, section 10): a mechanism written for this test whose
BREAKPOINT divides by literals, by a GLOBAL, in chains `x/y/z` and `x/(y/z)`, by `sqrt` and by `exp`, run in a
passive cell against NEURON 9 with bridge in parity arithmetic (`validation.arithmetic`: no FMA, no XLA
algebraic simplifier). Every operation of this cell is correctly rounded in both (no hh: XLA's own `exp` of a
traced value is not glibc's), so v and the quotients are required bit for bit, not within a tolerance."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.nmodl.parity_child import run_with_parity_arithmetic

DIVR = """
NEURON { SUFFIX divr  NONSPECIFIC_CURRENT i  RANGE gd, r1, r2, r3, r4, r5, r6  GLOBAL kd, sd }
PARAMETER { gd = 1e-3 (S/cm2)  kd = 7  sd = 3  ed = -65 (mV) }
ASSIGNED { v (mV)  i (mA/cm2)  r1  r2  r3  r4  r5  r6 }
BREAKPOINT {
    r1 = v/7
    r2 = (v + 40)/10
    r3 = v/kd/sd
    r4 = (v - 3)/(kd/sd)
    r5 = (v + 80)/sqrt(kd + v*v/100)
    r6 = (v - 10)/exp(sd)
    i = gd*(v - ed) + gd*(r1 + r2 + r3 + r4 + r5 + r6)/3
}
"""

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert pas  insert divr }
dend { L = 300  diam = 2  nseg = 7  insert pas  g_pas = 1e-4  e_pas = -65  insert divr  gd_divr = 2e-4 }
kd_divr = 6.5
objref stim, vs, vd, tv, r1, r2, r3, r4, r5, r6
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 2
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.7))
tv = new Vector()
tv.record(&t)
r1 = new Vector()
r1.record(&soma.r1_divr(0.5))
r2 = new Vector()
r2.record(&soma.r2_divr(0.5))
r3 = new Vector()
r3.record(&dend.r3_divr(0.3))
r4 = new Vector()
r4.record(&soma.r4_divr(0.5))
r5 = new Vector()
r5.record(&dend.r5_divr(0.9))
r6 = new Vector()
r6.record(&soma.r6_divr(0.5))
tstop = 10
run()
"""

VECTORS = ("vs", "vd", "tv", "r1", "r2", "r3", "r4", "r5", "r6")


def _check_cell(tmp_path: Path) -> None:
    """Run in the child process: NEURON and bridge on the cell; every recorded Vector bit for bit."""
    from tests.hoc.test_live_run import _both
    from validation.arithmetic import in_effect

    assert in_effect(os.environ["XLA_FLAGS"])
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "divr.mod").write_text(DIVR)
    _, ref, _, ours, _ = _both(tmp_path, CELL, vectors=VECTORS, mod_dir=mods)
    assert np.ptp(ref["vs"]) > 20  # the stimulus moves v, so every quotient sweeps many values
    worst = {}
    for name, want in ref.items():
        got = ours[name]
        assert got.shape == want.shape, name
        worst[name] = float(np.max(np.abs(got - want)))
        print(f"{name}: max difference {worst[name]:.3g}, values differing {int(np.sum(got != want))}/{want.size}")
    assert all(w == 0.0 for w in worst.values()), worst


def _check_jit_division() -> None:
    """Run in the child process: XLA's compiled divisions equal NumPy's (C's) for 200,001 values, by a
    literal, by a runtime scalar, in chains, by sqrt and exp, inside a while loop and under vmap."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    x = np.linspace(-100.0, 100.0, 200_001)
    y = np.linspace(0.5, 50.0, x.size)
    z = np.linspace(1.5, 3.0, x.size)
    e = np.asarray(jax.jit(jnp.exp)(z))  # XLA's exp, not glibc's: only the division is under test
    cases = {
        "v/7": (jax.jit(lambda v: v / 7.0)(x), x / 7.0),
        "(v+40)/10": (jax.jit(lambda v: (v + 40.0) / 10.0)(x), (x + 40.0) / 10.0),
        "v/c (runtime scalar)": (jax.jit(lambda v, c: v / c)(x, 7.0), x / 7.0),
        "v/y/z": (jax.jit(lambda v, a, b: v / a / b)(x, y, z), x / y / z),
        "v/(y/z)": (jax.jit(lambda v, a, b: v / (a / b))(x, y, z), x / (y / z)),
        "v/sqrt(y)": (jax.jit(lambda v, a: v / jnp.sqrt(a))(x, y), x / np.sqrt(y)),
        "v/exp(z)": (jax.jit(lambda v, b: v / jnp.exp(b))(x, z), x / e),
        "vmap v/c": (jax.jit(jax.vmap(lambda v, c: v / c, in_axes=(0, None)))(x, 7.0), x / 7.0),
    }
    loop = jax.jit(lambda v: jax.lax.fori_loop(0, 5, lambda i, a: a / 7.0 * 1.5, v))
    want = x.copy()
    for _ in range(5):
        want = want / 7.0 * 1.5
    cases["fori_loop a/7*1.5"] = (loop(x), want)
    bad = {k: int(np.sum(np.asarray(got) != want)) for k, (got, want) in cases.items()}
    print(bad)
    assert not any(bad.values()), bad


def test_jit_divisions_round_as_c_in_parity_arithmetic():
    run_with_parity_arithmetic("from tests.nmodl.test_division_parity import _check_jit_division; "
                               "_check_jit_division()")


@pytest.mark.neuron
def test_mechanism_divisions_match_neuron_bit_for_bit(tmp_path):
    run_with_parity_arithmetic(f"from pathlib import Path; from tests.nmodl.test_division_parity import _check_cell; "
           f"_check_cell(Path({str(tmp_path)!r}))")


def test_parity_flags_add_avx_and_algsimp_and_keep_the_users_flags():
    from validation.arithmetic import NO_ALGSIMP, NO_FMA, in_effect, parity_flags

    assert parity_flags("") == f"{NO_FMA} {NO_ALGSIMP}"
    assert in_effect(parity_flags("")) and not in_effect(NO_FMA) and not in_effect(NO_ALGSIMP)
    assert parity_flags("--xla_cpu_max_isa=SSE4_2") == f"--xla_cpu_max_isa=SSE4_2 {NO_ALGSIMP}"  # the user's ISA
    assert parity_flags("--xla_disable_hlo_passes=foo,bar --x=1") == \
        f"--xla_disable_hlo_passes=foo,bar,algsimp --x=1 {NO_FMA}"
    assert parity_flags(parity_flags("")) == parity_flags("")
