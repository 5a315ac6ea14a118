"""HOC reads, after finitialize(), of variables a mechanism's code assigns: a RANGE PARAMETER and a GLOBAL
PARAMETER set in INITIAL, a RANGE ASSIGNED set in BREAKPOINT, Exp2Syn's tau1 (its INITIAL lowers it), and a
PARAMETER HOC assigns after finitialize() that the run then uses; printed to 17 digits and compared with
NEURON 9 running the same files (.mod written for this test)."""

from __future__ import annotations

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

# products only (no a*b + c, which XLA may fuse into one FMA; no division by a literal, which XLA turns into a
# product with its reciprocal: both round otherwise than NEURON's C)
PINIT = """
NEURON { SUFFIX pinit  RANGE p, q, r  GLOBAL gq  NONSPECIFIC_CURRENT i }
PARAMETER { p = 0  gq = 0  r = 1.5  gl = 1e-4 (S/cm2) }
ASSIGNED { v (mV)  i (mA/cm2)  q }
INITIAL { p = v*1e-3  gq = v*r }
BREAKPOINT {
    q = p*v*r
    i = gl*p*v
}
"""

READS = """
objref syn
dend syn = new Exp2Syn(0.5)
syn.tau1 = 5
syn.tau2 = 5
soma insert pinit
finitialize(-65)
x = printf("%.17g %.17g %.17g %.17g %.17g\\n", soma.p_pinit(0.5), soma.q_pinit(0.5), gq_pinit, syn.tau1, syn.tau2)
fadvance()
x = printf("%.17g %.17g %.17g\\n", soma.p_pinit(0.5), soma.q_pinit(0.5), gq_pinit)
soma.p_pinit(0.5) = 0.25
syn.tau1 = 2
tstop = 3
continuerun(tstop)
x = printf("%.17g %.17g %.17g %.17g\\n", soma.p_pinit(0.5), soma.q_pinit(0.5), gq_pinit, syn.tau1)
"""


@pytest.mark.neuron
def test_values_the_code_assigns_read_as_in_neuron(tmp_path):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "pinit.mod").write_text(PINIT)
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + READS, mod_dir=mods)
    print("\n".join(theirs))
    first = next(ln for ln in theirs if len(ln.split()) == 5).split()
    assert first[0] == "-0.065000000000000002" and first[2] == "-97.5" and first[3] != "5"  # INITIAL's values
    _same_output(theirs[:-1], ours[:-1], atol=0.0)  # at finitialize and one step: the same numbers
    _same_output(theirs[-1:], ours[-1:])  # after 3 ms, q = p*v*r carries v's round-off (1e-9 mV)
    _same_vectors(ref, vecs)


def test_a_global_whose_instances_differ_is_refused(tmp_path):
    """NEURON's GLOBAL holds the last instance's value; bridge keeps one per instance and does not guess which."""
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "pinit.mod").write_text(PINIT)
    path = tmp_path / "m.hoc"
    path.write_text(CELL + "soma insert pinit\ndend insert pinit\nfinitialize(-65)\nx = gq_pinit\n"
                    "dend.r_pinit = 2\nfinitialize(-65)\nx = gq_pinit\n")
    with pytest.raises(HocRefusal, match="gq_pinit after finitialize.*different values"):
        HocSession(mods, cwd=tmp_path).load_file(path)
