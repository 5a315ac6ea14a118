"""The HOC cell the live-run tests share: an hh soma with three 7-segment dendrites, an IClamp from 1 ms, and
Vectors recording soma v, dend[2] v and t (our own HOC)."""

from __future__ import annotations


def three_dendrite_cell(dend_mechanism: str) -> str:
    """The cell's HOC, with `dend_mechanism` (HOC statements such as `insert pas  g_pas = 1e-4`) in each dendrite."""
    return f"""
load_file("stdrun.hoc")
create soma, dend[3]
soma {{ L = 20  diam = 20  insert hh }}
for i = 0, 2 {{
  connect dend[i](0), soma(1)
  dend[i] {{ L = 200  diam = 2  nseg = 7  {dend_mechanism} }}
}}
objref stim, vs, vd, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 1e9
stim.amp = 0.1
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend[2].v(0.3))
tv = new Vector()
tv.record(&t)
"""
