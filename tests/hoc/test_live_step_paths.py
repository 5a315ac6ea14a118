"""The live run's cheap per-step paths (bridge.hoc.live: the device parameters kept while the piece's model is the
same, t and dt/2 passed as numpy scalars, `set_at` for HOC's assignments into the running state) give NEURON
9.0.2's numbers: an fadvance() loop that reads v every 10th step and sets a stimulus every 5th (steps merged
between reads, values changed between pieces), and every segment's v, a STATE and an ion's reversal potential
assigned after finitialize() (our own HOC, max |dV| <= 1e-9 mV)."""

from __future__ import annotations

import pytest

from tests.hoc.live_cell import three_dendrite_cell
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

CELL = three_dendrite_cell("insert hh  gnabar_hh = 0.02  gkbar_hh = 0.01")

# reads every 10th step, a stimulus set every 5th, nothing in between: pieces of 5 steps with one model, runs of
# 5 steps merged into one piece, a piece after a read with the model of the last piece (its parameters kept)
EVERY_TENTH = CELL + """
finitialize(-65)
for k = 1, 1500 {
  if (k % 5 == 0) { stim.amp = 0.1 + 0.2 * sin(k / 40) }
  fadvance()
  if (k % 10 == 0) { x = soma.v(0.5) + dend[1].m_hh(0.5) }
  if (k % 250 == 0) { print k, t, soma.v(0.5), dend[2].v(0.3), soma.m_hh(0.5) }
}
"""


@pytest.mark.neuron
def test_reads_every_tenth_step_stimulus_every_fifth_match_neuron(tmp_path):
    theirs, ref, ours_out, ours, hoc = _both(tmp_path, EVERY_TENTH)
    _same_output(theirs, ours_out)
    _same_vectors(ref, ours)
    assert len(ref["tv"]) == 1501 and hoc.live.compilations == 1


# every segment's v, m_hh and ena assigned after finitialize(), then steps; again mid-run (after a read)
ASSIGNED = CELL + """
finitialize(-65)
forall { for (x, 0) { v(x) = -60 + 5 * x  m_hh(x) = 0.1 } }
forall ena = 45
for k = 1, 400 { fadvance() }
print t, soma.v(0.5), dend[2].v(0.3), dend[0].ena(0.5)
forall { for (x, 0) { h_hh(x) = 0.4 } }
soma.ena(0.5) = 60
for k = 1, 400 { fadvance() }
print t, soma.v(0.5), dend[2].v(0.3), soma.ena(0.5), dend[1].h_hh(0.5)
"""


@pytest.mark.neuron
def test_every_segment_assigned_after_finitialize_matches_neuron(tmp_path):
    theirs, ref, ours_out, ours, hoc = _both(tmp_path, ASSIGNED)
    _same_output(theirs, ours_out)
    _same_vectors(ref, ours)
    assert len(ref["tv"]) == 801 and hoc.live.compilations == 1
