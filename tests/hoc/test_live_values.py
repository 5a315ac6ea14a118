"""A live run whose HOC changes values between steps keeps its plan and refreshes the parameters
(bridge.hoc.live_values); a change of structure builds the model again. Both as NEURON 9 runs them (our own
HOC files, max |dV| <= 1e-9 mV), and the refreshed parameters equal the ones a full build gives, bit for bit."""

from __future__ import annotations

import io
import textwrap

import jax
import numpy as np
import pytest

from bridge.hoc import initstate, live
from bridge.hoc.session import HocSession
from tests.hoc.live_cell import three_dendrite_cell
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

CELL = three_dendrite_cell("insert pas  g_pas = 1e-4  e_pas = -65")

# every step: a point process's field from a STATE HOC reads, range values (a whole section, one segment),
# a density parameter, celsius
VALUES = CELL + """
proc advance() {
  stim.amp = 0.05 + 0.3 * soma.m_hh(0.5)
  dend[1].g_pas = 1e-4 * (1 + 0.5 * sin(t))
  dend[2].g_pas(0.3) = 2e-4 + 1e-5 * k
  soma.gnabar_hh = 0.12 * (1 + 0.2 * cos(t / 3))
  celsius = 6.3 + 0.002 * k
  fadvance()
}
finitialize(-65)
for k = 1, 2000 { advance() }
print soma.v(0.5), dend[2].v(0.3), soma.m_hh(0.5)
"""


def _builds(monkeypatch) -> list:
    """The full builds of the model the live run makes (each a tree copy)."""
    calls = []
    real = initstate.model_tree
    monkeypatch.setattr(initstate, "model_tree", lambda state: calls.append(1) or real(state))
    return calls


@pytest.mark.neuron
def test_values_changed_every_step_match_neuron_without_rebuilding(tmp_path, monkeypatch):
    builds = _builds(monkeypatch)
    theirs, ref, ours_out, ours, hoc = _both(tmp_path, VALUES)
    _same_output(theirs, ours_out)
    _same_vectors(ref, ours)
    assert len(ref["tv"]) == 2001 and hoc.live.compilations == 1
    # finitialize's model, the first step's (dend[2].g_pas(0.3) set for the first time: which values are set is
    # structure) and nothing more over 2000 changed steps
    assert len(builds) <= 3, len(builds)


STRUCTURE = CELL + """
proc advance() {
  stim.amp = 0.05 + 0.3 * soma.m_hh(0.5)
  if (k == 300) { dend[0].L = 300  dend[0].diam = 1.5 }  // geometry, with a value in the same step
  if (k == 500) { dend[1].cm = 2 }
  if (k == 700) { soma.ek = -80 }
  if (k == 900) { dend[2].e_pas = -70 }
  fadvance()
}
finitialize(-65)
for k = 1, 1200 { advance() }
print soma.v(0.5), dend[0].v(0.5), dend[1].v(0.5)
"""


@pytest.mark.neuron
def test_structure_changed_mid_run_is_built_again_and_matches_neuron(tmp_path, monkeypatch):
    builds = _builds(monkeypatch)
    theirs, ref, ours_out, ours, hoc = _both(tmp_path, STRUCTURE)
    _same_output(theirs, ours_out)
    _same_vectors(ref, ours)
    assert 4 <= len(builds) <= 6, len(builds)  # finitialize, L and diam, cm, ek (e_pas is a value)


PARTS = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 100  diam = 1  nseg = 5  insert pas  insert hh  g_pas = 1e-4  g_pas(0.5) = 3e-4  gnabar_hh = 0.1 }
soma.gkbar_hh = 0.03
objref stim, syn
soma stim = new IClamp(0.5)
dend syn = new ExpSyn(0.8)
stim.amp = 0.1
stim.dur = 1
syn.tau = 2
syn.e = 0
finitialize(-65)
"""


@pytest.mark.parametrize("change", [
    "stim.amp = 0.3  stim.dur = 2",
    "syn.tau = 4  syn.e = -10",
    "dend.g_pas(0.1) = 2e-4  dend.gnabar_hh = 0.2",
    "dend.g_pas(0.5) = 0/1e300  soma.gkbar_hh = 0.04",  # a zero; the same set segments
    "celsius = 22",
    "dend.gl_hh(0.9) = 1e-3",  # a value set for the first time: structure, built again
    "stim.del = 1",  # the same for a point process
    "objref vv  vv = new Vector()  vv.record(&soma.v(0.5))  stim.amp = 0.3",  # a new probe: built again
    "dend.L = 80",  # geometry: built again
])
def test_refreshed_parameters_equal_a_full_build(tmp_path, change):
    hoc = HocSession(None, cwd=tmp_path, stdout=io.StringIO())
    hoc(textwrap.dedent(PARTS))
    state = hoc._state
    last = live.freeze(state, -65.0)
    last.simulation()
    hoc(change.replace("  ", "\n"))
    again = live.freeze(state, -65.0, last)
    full = live.freeze(state, -65.0)
    assert again.digest == full.digest != last.digest
    want = jax.tree.leaves(full.simulation().host_params())
    got = jax.tree.leaves(again.simulation().host_params())
    assert jax.tree.structure(full.simulation().host_params()) == jax.tree.structure(again.simulation().host_params())
    assert all(a.dtype == b.dtype and a.tobytes() == b.tobytes() for a, b in zip(got, want))
    incremental = again.simulation().plan.layout is last.simulation().plan.layout
    assert incremental == all(s not in change for s in ("gl_hh(0.9)", "L =", "del =", "record"))
    if incremental:
        assert not np.array_equal(np.concatenate([np.ravel(x) for x in got]),
                                  np.concatenate([np.ravel(x) for x in jax.tree.leaves(
                                      last.simulation().host_params())]), equal_nan=True)
