"""A LinearMechanism on extracellular layers (`new LinearMechanism(..., sl, xvec, layer)`,
bridge.solver.linear_mechanism.solve_blocks) against real NEURON 9.0.2, on models of ours in the patterns of
published ones: two cells' periaxonal layers (vext[0], layer 1) joined segment by segment (ModelDB 240957's
ephaptic link), an electrode circuit on the outer layer (vext[1], layer 2; 112086's LinearCircuit on a
layer), and a gap junction between internal potentials (layer 0, v + vext[0]) of extracellular cells.

NEURON solves it all with sparse13, bridge with the block tree solve plus a Schur complement, or past
linear_mechanism.MAX_COUPLED unknowns with a sparse LU of the whole system (both paths run here): round-off
apart, not bit for bit. Every comparison uses 1e-9 (mV for v and vext, mA/cm2 for i_membrane); measured:
about 2e-11 mV (spiking hh).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import HocRefusal, UnsupportedFeature

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ATOL = 1e-9

CELLS = """
create a, b
forall { L = 200 diam = 2 nseg = 5 Ra = 100 insert hh insert extracellular xraxial = 1e4 xg = 1e-2 xc = 0.1 }
a { xg[1] = 1e-3 xraxial[1] = 2e4 xc[1] = 0.05 }
b { xg[1] = 5e-3 }
objref st
a st = new IClamp(0.1)
st.del = 1
st.dur = 1
st.amp = 0.3
objref cm_, gm_, y, y0, bv, sl, xv, lay, lm
sl = new SectionList()
xv = new Vector()
lay = new Vector()
tstop = 8
"""

# rows: a(0.5) vext[0] and b(0.5) vext[0] (layer 1, joined by ge), a(0.9) and b(0.9) internal (layer 0, a gap
# junction gg), b(0.3) vext[1] (layer 2) through gr to an electrode's potential (an extra state: a capacitor
# with a leak and a source); one section listed several times, as 240957 does
LAYERS = CELLS + """
cm_ = new Matrix(6, 6)
gm_ = new Matrix(6, 6)
y = new Vector(6)
y0 = new Vector(6)
bv = new Vector(6)
a { sl.append() xv.append(0.5) lay.append(1) }
b { sl.append() xv.append(0.5) lay.append(1) }
a { sl.append() xv.append(0.9) lay.append(0) }
b { sl.append() xv.append(0.9) lay.append(0) }
b { sl.append() xv.append(0.3) lay.append(2) }
ge = 0.05
gg = 0.02
gr = 0.01
gm_.x[0][0] = ge
gm_.x[0][1] = -ge
gm_.x[1][0] = -ge
gm_.x[1][1] = ge
gm_.x[2][2] = gg
gm_.x[2][3] = -gg
gm_.x[3][2] = -gg
gm_.x[3][3] = gg
gm_.x[4][4] = gr
gm_.x[4][5] = -gr
gm_.x[5][4] = -gr
gm_.x[5][5] = gr + 1e-3
cm_.x[5][5] = 0.02
cm_.x[0][0] = 1e-3
bv.x[5] = 0.01
y0.x[5] = -3
lm = new LinearMechanism(cm_, gm_, y, y0, bv, sl, xv, lay)
"""

# 240957's sparse link: Matrix(n, n, 2) and every coupled row on layer 1, no extra state
SPARSE_LINK = CELLS + """
cm_ = new Matrix(6, 6, 2)
gm_ = new Matrix(6, 6, 2)
y = new Vector(6)
bv = new Vector(6)
for i = 0, 2 {
  a { sl.append() xv.append(0.1 + 0.4*i) lay.append(1) }
  b { sl.append() xv.append(0.1 + 0.4*i) lay.append(1) }
}
ge = 0.2
for (i = 0; i < 6; i = i + 2) {
  gm_.x[i][i] += ge
  gm_.x[i+1][i+1] += ge
  gm_.x[i][i+1] += -ge
  gm_.x[i+1][i] += -ge
}
lm = new LinearMechanism(cm_, gm_, y, bv, sl, xv, lay)
"""

PROBES = ["a(0.1).v", "a(0.5).v", "b(0.5).v", "a(0.9).v", "b(0.9).v", "a(0.5).vext[0]", "b(0.5).vext[0]",
          "b(0.3).vext[1]", "b(0.9).vext[0]", "a(0.5).i_membrane", "b(0.1).vext[0]"]


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    return path


def _neuron(path: Path, labels: list[str]) -> dict:
    cmd = [sys.executable, str(HERE / "extracellular_neuron.py"), str(path), ",".join(labels)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=str(REPO))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
    assert line is not None, f"NEURON failed on {path}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return json.loads(line[5:])


def _compare(path: Path, labels: list[str]) -> dict:
    ref = _neuron(path, labels)
    model = bridge.load_hoc(path).to_model()
    sim = bridge.Simulation(model, record=labels)
    traces = sim.run(sim.params())
    np.testing.assert_array_equal(np.asarray(traces.t), np.asarray(ref["t"]))
    for label in labels:
        ours, theirs = np.asarray(traces[label]), np.asarray(ref[label])
        assert ours.shape == theirs.shape, label
        worst = float(np.max(np.abs(ours - theirs)))
        assert worst <= ATOL, f"{label}: max |d| {worst:.3g}"
    return ref


# without extracellular: a gap junction between internal potentials and an extra state (the whole-system path)
GAP = LAYERS.replace(" insert extracellular xraxial = 1e4 xg = 1e-2 xc = 0.1", "").replace(
    "a { xg[1] = 1e-3 xraxial[1] = 2e4 xc[1] = 0.05 }\nb { xg[1] = 5e-3 }\n", "").replace(
    "lay.append(1)", "lay.append(0)").replace("lay.append(2)", "lay.append(0)")
GAP_PROBES = ["a(0.1).v", "a(0.5).v", "b(0.5).v", "a(0.9).v", "b(0.9).v", "b(0.3).v"]


@pytest.fixture(params=["schur", "sparse"])
def path(request, monkeypatch):
    """bridge's two solves of the coupled system: the Schur complement on the tree solve, and the whole system's
    sparse LU (solver.linear_sparse; for many coupled nodes, forced here)."""
    if request.param == "sparse":
        from bridge.solver import linear_mechanism

        monkeypatch.setattr(linear_mechanism, "MAX_COUPLED", 0)
    return request.param


@pytest.mark.neuron
def test_layers_0_1_2_and_an_extra_state_match_neuron(tmp_path, path):
    ref = _compare(_write(tmp_path, LAYERS), PROBES)
    assert max(ref["b(0.5).v"]) > 0  # the spike crosses the gap junction
    assert np.ptp(ref["b(0.3).vext[1]"]) > 1  # the electrode moves the outer layer


@pytest.mark.neuron
def test_without_extracellular_the_sparse_solve_matches_neuron(tmp_path, path):
    assert "extracellular" not in GAP and "lay.append(1)" not in GAP
    ref = _compare(_write(tmp_path, GAP), GAP_PROBES)
    assert max(ref["b(0.9).v"]) > 0


@pytest.mark.neuron
def test_a_sparse_link_of_periaxonal_layers_matches_neuron(tmp_path, path):
    ref = _compare(_write(tmp_path, SPARSE_LINK), PROBES)
    without = _neuron(_write(tmp_path, SPARSE_LINK.replace("ge = 0.2", "ge = 0")), ["b(0.5).vext[0]"])
    assert np.max(np.abs(np.subtract(ref["b(0.5).vext[0]"], without["b(0.5).vext[0]"]))) > 1e-2  # the link acts


@pytest.mark.neuron
def test_y_read_after_a_run_matches_neuron(tmp_path):
    """NEURON writes the solution into y (NrnDAE::update): layer 0 is v + vext[0], layer k vext[k-1]."""
    text = LAYERS + '{load_file("stdrun.hoc")}\n{finitialize(-65)}\n{continuerun(3)}\n' \
                    'for i = 0, 5 printf("%.17g\\n", y.x[i])\n'
    path = _write(tmp_path, text)
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    theirs = [float(ln) for ln in proc.stdout.splitlines() if ln and "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    bridge.HocSession(stdout=out, cwd=tmp_path).load_file(path)
    ours = [float(ln) for ln in out.getvalue().splitlines()]
    assert len(theirs) == 6 and len(ours) == 6
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL)
    assert len({round(x, 6) for x in theirs}) == 6  # six different values: each row reads its own layer


def test_a_layer_on_a_node_without_extracellular_is_refused(tmp_path):
    # NEURON grounds that row (nrndae.cpp NrnDAE::alloc: bmap 0) and never updates its y; bridge refuses
    text = LAYERS.replace("b { xg[1] = 5e-3 }", "b { xg[1] = 5e-3 }\nb uninsert extracellular")
    with pytest.raises(UnsupportedFeature, match=r"layer 1 of b\(0.5\), which has no extracellular"):
        bridge.Simulation(bridge.load_hoc(_write(tmp_path, text)).to_model())


def test_a_layer_past_nlayer_is_refused():
    hoc = bridge.HocSession()
    hoc(CELLS + "cm_ = new Matrix(1, 1)\ngm_ = new Matrix(1, 1)\ny = new Vector(1)\nbv = new Vector(1)\n"
                "a { sl.append() xv.append(0.5) lay.append(3) }")
    with pytest.raises(HocRefusal, match="layer 3 is not one of 0"):
        hoc("lm = new LinearMechanism(cm_, gm_, y, bv, sl, xv, lay)")
