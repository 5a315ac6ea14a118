"""Reverse mode through a TABLE lookup (bridge.nmodl.runtime.tables `_interpolate`'s custom VJP) and through
the checkpointed step (bridge.solver.integrate): the lookup's derivative is that of NEURON's interpolation
formula, and d(mean v)/d(celsius) of an hh cell, whose rate tables DEPEND on celsius, is NEURON's (central
differences of real NEURON 9.0.2 runs)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.nmodl.runtime import tables
from tests.solver import models
from tests.solver.neuron_ref import run_neuron


def _reference(values: dict, x, *, lo: float, mfac: float, n: int) -> dict:
    """nocmodl's `_n_<name>` for each output, written out per output (the formula `tables.lookup` documents)."""
    xi = mfac * (x - lo)
    nan = jnp.isnan(xi)
    i = jnp.clip(jnp.floor(jnp.where(nan, 0.0, xi)), 0, n - 1).astype(jnp.int32)
    theta = xi - i
    out = {}
    for k, T in values.items():
        val = T[i] + theta * (T[i + 1] - T[i])
        out[k] = jnp.where(nan, xi, jnp.where(xi <= 0.0, T[0], jnp.where(xi >= n, T[n], val)))
    return out


def test_lookup_values_and_vjp_are_the_interpolation_formulas():
    """Points inside the table, on its grid, at and beyond both ends, and NaN: the values bit for bit,
    the cotangents of the table columns and of x to round-off (the custom VJP sums in its own order)."""
    rng = np.random.default_rng(3)
    n, lo, hi = 20, -100.0, 100.0
    mfac = n / (hi - lo)
    values = {k: jnp.asarray(rng.normal(size=n + 1)) for k in ("minf", "mtau", "hinf")}
    x = jnp.asarray(np.concatenate([rng.uniform(-120, 120, 40), [-100.0, 100.0, -130.0, 130.0, 0.0, 10.0, np.nan]]))
    table = {"n": n, "lo": lo, "mfac": mfac, "values": values}
    got = tables.lookup(table, x, tuple(values))
    want = _reference(values, x, lo=lo, mfac=mfac, n=n)
    for k in values:
        np.testing.assert_array_equal(np.asarray(got[k]), np.asarray(want[k]))
    cts = {k: jnp.asarray(rng.normal(size=x.shape)) for k in values}

    def vjp(fn):
        out, pull = jax.vjp(fn, values, x)
        return pull({k: cts[k] for k in out})

    (g_values, g_x) = vjp(lambda v, x: tables.lookup({**table, "values": v}, x, tuple(v)))
    (r_values, r_x) = vjp(lambda v, x: _reference(v, x, lo=lo, mfac=mfac, n=n))
    for k in values:
        assert np.any(np.asarray(r_values[k]) != 0.0)
        np.testing.assert_allclose(np.asarray(g_values[k]), np.asarray(r_values[k]), rtol=1e-13, atol=1e-14)
    finite = ~np.isnan(np.asarray(x))
    np.testing.assert_allclose(np.asarray(g_x)[finite], np.asarray(r_x)[finite], rtol=1e-13, atol=1e-14)
    assert np.asarray(g_x)[~finite] == np.asarray(r_x)[~finite]  # a NaN point: xi's own cotangent, times mfac


@pytest.mark.neuron
def test_grad_wrt_celsius_through_hh_tables_matches_neuron():
    """jax.grad of the mean soma v over 15 ms w.r.t. celsius (hh's rate TABLE DEPENDs on it, so the table is a
    function of the parameter) against a central difference of NEURON runs at celsius +- 1e-4 degC."""
    tree = models.hh_soma(amp=0.2)
    tstop, celsius, h = 15.0, 6.3, 1e-4
    sim = Simulation(Model(tree, tstop=tstop, celsius=celsius), record=["soma(0.5).v"])
    base = sim.params()

    def loss(c):
        return jnp.mean(sim.run(sim.set(base, "celsius", c), check=False).values)

    grad = float(jax.jit(jax.grad(loss))(celsius))
    _, v0 = run_neuron(tree, [("soma", 0.5, "v")], tstop=tstop, celsius=celsius)
    np.testing.assert_allclose(np.asarray(sim.run(base).values), v0, rtol=0, atol=1e-9)
    _, up = run_neuron(tree, [("soma", 0.5, "v")], tstop=tstop, celsius=celsius + h)
    _, down = run_neuron(tree, [("soma", 0.5, "v")], tstop=tstop, celsius=celsius - h)
    fd = (float(np.mean(up)) - float(np.mean(down))) / (2 * h)
    assert abs(fd) > 1e-2
    # The loss has kinks in celsius (the interpolation's slope jumps where a sample of v crosses a table point),
    # so a central difference errs by O(h) where its interval holds one: 4e-4 relative at h = 1e-2, 2e-9 at
    # h = 1e-4 (round-off: 1e-15 * 65 mV / h = 6e-10)
    assert abs(grad - fd) <= 1e-7 * abs(fd), (grad, fd)
