"""The NaN check watches the whole state, not only v: a STATE or an ion concentration that
becomes NaN is reported with its NEURON name, place and time, also when it never feeds into v
(a silently wrong recording otherwise). A kept ASSIGNED variable NaN alone is no failure (NEURON
overwrites it before reading it again: tests/solver/test_nan_transient.py); it names the cause
when the state goes NaN in the same step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.errors import SimulationError
from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import load_text

# m' = 0/0 - m at v = -65 (the resting v of a cell without currents): m becomes NaN in the
# first step, and no current depends on it
STATE_NAN = """
NEURON { SUFFIX stnan }
ASSIGNED { v (mV) }
STATE { m }
INITIAL { m = 0 }
BREAKPOINT { SOLVE st METHOD cnexp }
DERIVATIVE st { m' = (v + 65)/(v + 65) - m }
"""

# calcium accumulates at a rate that becomes 0/0 when t passes 1 ms: cai goes NaN, v never does
# (no mechanism here computes a current from cai)
CONC_NAN = """
NEURON { SUFFIX canan USEION ca WRITE cai }
STATE { cai (mM) }
INITIAL { cai = 5e-5 }
BREAKPOINT { SOLVE st METHOD cnexp }
DERIVATIVE st { cai' = cadrop(t) }
FUNCTION cadrop(t) { if (t > 1) { cadrop = (t - t)/(t - t) } else { cadrop = 0 } }
"""


def _soma(*mechs: str) -> SectionTree:
    tree = SectionTree()
    sec = tree.section("soma", L=20, diam=20, nseg=3)
    tree.section("dend", L=100, diam=2, nseg=2)
    tree.connect("dend", "soma")
    for m in mechs:
        sec.insert(m)
    return tree


def test_state_that_does_not_feed_into_v_is_reported():
    mech = load_text(STATE_NAN, "stnan.mod")
    sim = Simulation(Model(_soma("stnan"), mechanisms={"stnan": mech}, tstop=1.0), record=["soma(0.5).v"])
    traces = sim.run(check=False)
    assert np.isfinite(np.asarray(traces.values)).all()  # v is fine: only the check can tell
    with pytest.raises(SimulationError,
                       match=r"m_stnan became NaN at soma\(0\.166667\), t = 0\.025 ms \(step 1 of 40\)"):
        sim.check(traces, sim.params())
    # the run tracks when; without the parameters the place cannot be found again, and the message says so
    with pytest.raises(SimulationError, match=r"the state became NaN at t = 0\.025 ms \(step 1 of 40\) \(run "
                                              r"sim\.check\(traces, params\) to name the variable and place\)"):
        sim.check(traces)


def test_ion_concentration_going_nan_is_reported():
    mech = load_text(CONC_NAN, "canan.mod")
    sim = Simulation(Model(_soma("canan"), mechanisms={"canan": mech}, tstop=2.0), record=["soma(0.5).v"])
    with pytest.raises(SimulationError) as err:
        sim.run()
    message = str(err.value)
    # the mechanism's own STATE cai and the ion's cai go NaN in the same step; the STATE is reported
    assert "NaN at soma(0.166667), t = 1.025 ms (step 41 of 80)" in message, message
    assert message.split(" became")[0].endswith(("cai_canan", "cai")), message


def test_ion_concentration_of_the_ion_itself_is_watched():
    """A NaN initial concentration set on the tree: the ion's own variable (no mechanism STATE)."""
    tree = _soma("hh")
    tree["dend"].insert("pas")
    tree["dend"].insert("na_ion")
    tree["dend"].set_range("na_ion", "nao", float("nan"), x=0.9)
    sim = Simulation(Model(tree, tstop=1.0), record=["soma(0.5).v"])
    with pytest.raises(SimulationError, match=r"nao became NaN at dend\(0\.75\), t = 0 ms \(step 0 of 40 at "
                                              r"finitialize\); the parameter nao is NaN at dend\(0\.75\)"):
        sim.run()


def test_nan_check_under_jit_vmap_and_grad():
    """The check's outputs batch under vmap (first bad member reported) and do not disturb grad."""
    tree = _soma("hh")
    tree["dend"].insert("pas")
    sim = Simulation(Model(tree, tstop=1.0), record=["soma(0.5).v"])
    base = sim.params()
    batch = jax.vmap(lambda g: sim.set(base, "gnabar_hh", g, section="soma", x=0.9))(jnp.array([0.12, jnp.nan, 0.1]))
    traces = jax.jit(jax.vmap(sim.run))(batch)
    with pytest.raises(SimulationError,
                       match=r"\(batch member 1\); the parameter gnabar_hh is NaN at soma\(0\.833333\)"):
        sim.check(traces, batch)
    sim.check(jax.tree.map(lambda a: a[::2], traces))  # members 0 and 2 are fine
    g = jax.grad(lambda p: jnp.sum(sim.run(p).values))(base)
    assert np.isfinite(np.asarray(g["mechanisms"]["hh"]["gnabar"])).all()


def test_batch_member_is_located_by_running_it_again():
    """run_batch tracks when each member went NaN; check() runs the first bad member again with the full
    watch to name the variable and place (member 1 of 3, one NaN parameter at soma(0.833333))."""
    tree = _soma("hh")
    sim = Simulation(Model(tree, tstop=0.5), record=["soma(0.5).v"])
    base = sim.params()
    batch = jax.vmap(lambda g: sim.set(base, "gnabar_hh", g, section="soma", x=0.9))(jnp.array([0.12, jnp.nan, 0.1]))
    traces = sim.run_batch(batch, check=False)
    assert np.asarray(traces.nan_step).tolist()[0] == -1 and np.asarray(traces.nan_index)[1] == -1  # not located
    with pytest.raises(SimulationError, match=r"became NaN at soma\(0\.833333\), t = 0 ms \(step 0 of 20 at "
                                              r"finitialize\) \(batch member 1\); the parameter gnabar_hh is NaN"):
        sim.check(traces, batch)
