"""fcurrent() in a run that plays Vectors: the currents with the values the plays last set.

NEURON's fcurrent() (fadvance.cpp `fcurrent`: the TABLE check, then `setup_tree_matrix`) delivers no
play event and interpolates nothing: it computes with what the variables hold, i.e. what the last
finitialize()/fadvance() left there (a discrete play's last delivered value, a continuous play's value
at the last step's end). Before the fix bridge's fcurrent() used the model's own (unplayed) values.
Our HOC, run by NEURON 9 and by bridge; the printed currents are compared.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

CELL = """
create soma
soma { L = 20  diam = 20  insert hh }
objref stim, vs, tv, amp, tamp, g, tg
soma stim = new IClamp(0.5)
stim.del = 0
stim.dur = 1e9
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
dt = 0.025
// discrete, every 0.1 ms
amp = new Vector(40)
for i = 0, 39 amp.x[i] = 0.05 + 0.2*sin(i/3)
amp.play(&stim.amp, 0.1)
// continuous ramp of gnabar
tg = new Vector(3)
g = new Vector(3)
tg.x[1] = 1.3
tg.x[2] = 4
g.x[0] = 0.12
g.x[1] = 0.02
g.x[2] = 0.3
g.play(&soma.gnabar_hh(0.5), tg, 1)
proc show() {
    fcurrent()
    printf("%.17g %.17g %.17g %.17g\\n", t, stim.i, soma.ina(0.5), soma.ik(0.5))
}
"""


@pytest.mark.neuron
@pytest.mark.parametrize("steps", [0, 1, 7, 40, 97])
def test_fcurrent_sees_played_values(tmp_path, steps):
    """After finitialize() and `steps` fadvance()s, fcurrent() then the currents (IClamp.i, ina, ik)."""
    text = CELL + f"""
finitialize(-65)
for k = 1, {steps} fadvance()
show()
fadvance()
show()
"""
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, ("vs", "tv"))
    _same_output(theirs, ours, atol=1e-12)
    _same_vectors(ref, vecs)
