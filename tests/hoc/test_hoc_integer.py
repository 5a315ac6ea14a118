"""hoc's `int(x)` and array subscripts take float_epsilon into account (src/oc/math.cpp `hoc_integer`,
code.cpp `hoc_araypt`, matrix.cpp `steer_x`): `int(42799.999999999993)` is 42800 and `m.x[76399.99999999999][0]` is
row 76400, against NEURON 9.0.2. ModelDB 138321 (magstim.hoc) interpolates coordinates, takes int() of them and
indexes a Matrix with a ramp's value; a plain truncation picked the neighbouring field value (0.0128 mV)."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

PRINTS = """
objref vi, m
double a[5]
vi = new Vector(5)
vi.indgen()
m = new Matrix(5, 2)
for i = 0, 4 { a[i] = 10*i  m.x[i][0] = 100*i  m.x[i][1] = -i }
x = -37200.000000000007 + 80000
printf("int %.17g %.17g %.17g %.17g\\n", int(x), int(2.99999999999), int(2.9999999999), int(-2.999999999999))
printf("int %.17g %.17g\\n", int(1e30), int(-1e30))
y = 0.3/0.1
printf("sub %.17g %.17g %.17g %.17g %.17g\\n", y, a[y], vi.x[y], vi.x(y), m.x[y][1 - 1e-12])
float_epsilon = 0.01
printf("eps %.17g %.17g %.17g\\n", int(2.995), a[2.995], m.x[3.991][0])
float_epsilon = 0
printf("zero %.17g %.17g %.17g\\n", int(2.99999999999999), a[y], vi.x[y])
float_epsilon = 1e-11
"""

# a ramp of integers that int() rounds as NEURON does, then a Matrix row picked with a ramp's value, into
# g_pas: the conductances and so the traces differ by a row without float_epsilon
CABLE = """
create cab
cab { L = 800 diam = 2 nseg = 20 insert pas e_pas = -65 }
objref gm, xs, vs, tv, stim
gm = new Matrix(70, 1)
for i = 0, 69 gm.x[i][0] = 1e-5 * (1 + (i % 7))
xs = new Vector(22)
xs.indgen(0.05)
xs.sub(0.025)
xs.x[0] = 0
xs.x[21] = 1
cab for ii = 0, 20 {
    xr = xs.x[ii]
    xrf = xs.x[ii + 1]
    g_pas(xr:xrf) = int(ii*0.3/0.1):int((ii + 1)*0.3/0.1)
}
cab for (x, 0) g_pas(x) = gm.x[g_pas(x)][0]
cab for (x, 0) printf("g %.17g %.17g\\n", x, g_pas(x))
cab stim = new IClamp(0.1)
stim.del = 0.5
stim.dur = 3
stim.amp = 0.5
vs = new Vector()
tv = new Vector()
cab vs.record(&v(0.9))
tv.record(&t)
tstop = 5
v_init = -65
load_file("stdrun.hoc")
run()
"""


@pytest.mark.neuron
def test_int_and_subscripts_match_neuron(tmp_path):
    theirs, _, ours, _, _ = _both(tmp_path, PRINTS, vectors=())
    theirs = [ln for ln in theirs if ln.split(" ")[0] in ("int", "sub", "eps", "zero")]
    assert len(theirs) == 5, theirs
    _same_output(theirs, [ln for ln in ours if ln.split(" ")[0] in ("int", "sub", "eps", "zero")], atol=0.0)


@pytest.mark.neuron
def test_ramp_of_int_indexes_a_matrix_as_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CABLE, vectors=("vs", "tv"))
    gs = [ln for ln in theirs if ln.startswith("g ")]
    assert len(gs) == 20 and len({ln.split()[2] for ln in gs}) > 3  # several rows, not one value
    _same_output(gs, [ln for ln in ours if ln.startswith("g ")], atol=0.0)
    assert _same_vectors(ref, vecs) <= 1e-9
