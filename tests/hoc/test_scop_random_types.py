"""Several mechanism types drawing from NEURON's one scop_random generator (src/oc/scoprand.cpp), against NEURON
9.0.2: the draws go in NEURON's order of phases (fadvance.cpp `nrn_finitialize`: the thread mechanisms' INITIAL in
type order, the ARTIFICIAL_CELLs' INITIAL in type order, the events at t = 0, one BREAKPOINT pass; a step: the
events <= t + dt/2, each type's BREAKPOINT in type order, each type's SOLVE in type order, the events <= t + dt),
within a type in its instances' order (bridge.solver.scop_shared). Each case prints the values the draws left with
%.17g (identical), the spike times (identical) and compares the recorded traces (<= 1e-9 mV), from NEURON's start
value and again going on where the last run left the generator.

The mechanisms are ours: the type order is nrnivmodl's file order (gfl.mod before wn.mod before zrstim.mod), not the
order of their names or of their insertion.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import load_mechanisms
from bridge.solver.network import ArtificialCell, NetCon, Network
from bridge.solver.scop_shared import KEY as SCOP
from tests.hoc.test_live_run import _both, _same_output, _same_vectors
from tests.hoc.test_random_nmodl import GFL, _printed
from tests.solver.event_cases import run_neuron

pytestmark = pytest.mark.neuron

# a second noisy density type: exprand in INITIAL, normrand in BREAKPOINT (twice per instance per step: nrn_cur at
# v + 0.001, then v); its file sorts after gfl.mod, its name before it. amp is small: the two draws' difference
# over nrn_cur's 0.001 mV enters the Jacobian, and 2e-5 carried log's few-ulp differences (XLA's against glibc's)
# through the hh spikes to 8e-8 mV, while every draw was identical
WN = """
NEURON { SUFFIX awn NONSPECIFIC_CURRENT i RANGE amp, x0, x }
PARAMETER { amp = 2e-6 (mA/cm2) }
ASSIGNED { i (mA/cm2) x0 x }
INITIAL { x0 = exprand(1)  x = 0 }
BREAKPOINT {
    x = normrand(0, 1)
    i = amp * x
}
"""

# a noisy source as an ARTIFICIAL_CELL drawing in INITIAL and NET_RECEIVE (the netstim.mod of NEURON 6, before
# RANDOM): its file sorts last, its name first
RSTIM = """
NEURON { ARTIFICIAL_CELL ARStim RANGE interval, number, start, noise, e0 }
PARAMETER { interval = 10 (ms)  number = 10  start = 5 (ms)  noise = 1 }
ASSIGNED { on ispike e0 }
INITIAL {
    ispike = 0
    e0 = exprand(1)
    net_send(start * e0, 3)
}
FUNCTION invl(mean (ms)) (ms) {
    if (noise == 0) { invl = mean } else { invl = (1 - noise) * mean + noise * mean * exprand(1) }
}
NET_RECEIVE (w) {
    if (flag == 3 || flag == 1) {
        if (ispike < number) {
            ispike = ispike + 1
            net_event(t)
            net_send(invl(interval), 1)
        }
    }
}
"""

# a noisy source as a POINT_PROCESS drawing only in NET_RECEIVE, as ModelDB 139657's netstims.mod (INITIAL sends
# flag 3 at start; each spike draws the next interval with exprand)
PSTIM = """
NEURON { POINT_PROCESS PStims RANGE interval, number, start, noise }
PARAMETER { interval = 10 (ms)  number = 10  start = 5 (ms)  noise = 1 }
ASSIGNED { on event (ms) n }
INITIAL { on = 0  n = 0  if (start >= 0 && number > 0) { event = start  net_send(event, 3) } }
FUNCTION invl(mean (ms)) (ms) {
    if (noise == 0) { invl = mean } else { invl = (1 - noise) * mean + noise * mean * exprand(1) }
}
NET_RECEIVE (w) {
    if (flag == 3) { on = 1  net_send(0, 1) }
    if (flag == 1 && on == 1) {
        net_event(t)
        n = n + 1
        if (n < number) { net_send(invl(interval), 1) } else { on = 0 }
    }
}
"""


def _mods(tmp_path: Path, names=("gfl", "wn", "zrstim", "pstim")) -> Path:
    texts = {"gfl": GFL, "wn": WN, "zrstim": RSTIM, "pstim": PSTIM}
    folder = tmp_path / "mod"
    folder.mkdir()
    for name in names:
        (folder / f"{name}.mod").write_text(texts[name])
    return folder


DENSITIES = """
load_file("stdrun.hoc")
create soma, dend[2]
soma { L = 20  diam = 20  nseg = 1  insert hh  insert awn  insert gfl }
for i = 0, 1 { connect dend[i](0), soma(1)  dend[i] { L = 150  diam = 2  nseg = 3  insert pas } }
dend[0] { insert gfl  insert awn }
dend[1] { insert awn }
dend[0].g0_gfl = 4e-4
objref vs, vd, ve
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend[1].v(0.9))
ve = new Vector()
ve.record(&dend[0].g_gfl(0.5))
tstop = 30
proc show() { printf("%.17g %.17g %.17g %.17g %.17g\\n", soma.e0_gfl(0.5), soma.x0_awn(0.5), dend[1].x0_awn(0.1), \\
    dend[0].g_gfl(0.9), dend[1].x_awn(0.9)) }
"""


def test_two_density_types_drawing_in_initial_breakpoint_and_solve_match_neuron(tmp_path):
    """gfl (exprand in INITIAL, normrand in BREAKPOINT and in a SOLVE'd PROCEDURE) and awn (exprand in INITIAL,
    normrand in BREAKPOINT) in 4 and 7 segments: each phase runs gfl's instances, then awn's (type order), so each
    type draws where the other left the generator; then a run going on from where the first left it."""
    text = DENSITIES + "run()\nshow()\nrun()\nshow()\n"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd", "ve"), mod_dir=_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 2 and theirs[0] != theirs[1]
    _same_output(theirs, ours, atol=1e-15)
    assert _same_vectors(ref, vecs) <= 1e-9


NETWORK = """
load_file("stdrun.hoc")
create soma, dend
soma { L = 20  diam = 20  insert hh  insert gfl }
connect dend(0), soma(1)
dend { L = 100  diam = 2  nseg = 3  insert pas  insert awn }
objref st[3], ps[2], ns, syn[6], nc[6], tv[6], vs, vd
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.9))
for i = 0, 2 {
    st[i] = new ARStim()
    st[i].start = 2 + 3 * i
    st[i].interval = 6 + 2 * i
    st[i].number = 6
}
for i = 0, 1 {
    dend ps[i] = new PStims(0.3 + 0.4 * i)
    ps[i].start = 3
    ps[i].interval = 5 + 4 * i
    ps[i].number = 8
}
ns = new NetStim()
ns.start = 1
ns.interval = 4
ns.number = 10
ns.noise = 0.5
for i = 0, 5 {
    soma syn[i] = new ExpSyn(0.5)
    syn[i].tau = 2
    if (i < 3) { nc[i] = new NetCon(st[i], syn[i]) }
    if (i == 3 || i == 4) { nc[i] = new NetCon(ps[i - 3], syn[i]) }
    if (i == 5) { nc[i] = new NetCon(ns, syn[i]) }
    nc[i].weight = 0.003
    nc[i].delay = 1
    tv[i] = new Vector()
    nc[i].record(tv[i])
}
tstop = 60
proc show() {
    printf("%.17g %.17g %.17g %.17g\\n", st[0].e0, st[2].e0, soma.e0_gfl(0.5), dend.x0_awn(0.5))
    for i = 0, 5 { printf("%d %d:", i, tv[i].size())  for j = 0, tv[i].size() - 1 { printf(" %.17g", tv[i].x[j]) }
        printf("\\n") }
}
"""


def test_artificial_cells_point_processes_and_densities_share_the_generator_as_neuron(tmp_path):
    """ARTIFICIAL_CELLs drawing in INITIAL and NET_RECEIVE, point processes drawing in NET_RECEIVE (139657's
    NetStims), two density types drawing in INITIAL, BREAKPOINT and SOLVE, and a NetStim with noise (its own
    Random123 stream, which must not move the generator): the artificial cells' INITIAL draws after the densities'
    (finitialize's phases), the t = 0 BREAKPOINT pass once after them, each event's draw where the last phase left
    the generator; spike times identical, a second run going on from where the first left it."""
    text = NETWORK + "run()\nshow()\nrun()\nshow()\n"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd"), mod_dir=_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 14 and theirs[:7] != theirs[7:]
    assert all(int(ln.split()[1].rstrip(":")) > 1 for ln in theirs[1:7])  # every source spiked
    _same_output(theirs, ours, atol=0.0)  # draws and spike times identical
    assert _same_vectors(ref, vecs) <= 1e-9


def test_one_finitialize_and_steps_from_python_match_neuron(tmp_path):
    """The same phases in `Simulation.run` (one scan, bridge.solver.integrate): gfl and awn in a soma with hh,
    two ARStim cells and a PStims point process driving ExpSyns; NEURON starts the generator at 1 as bridge's
    default parameter."""
    folder = _mods(tmp_path)
    mechs = load_mechanisms(folder)
    start = {SCOP: 1.0}  # every drawing instance starts from the process's value (NEURON's: 1)
    tree = SectionTree()
    tree.section("soma", L=20.0, diam=20.0, nseg=1, Ra=35.4).insert("hh")
    tree["soma"].insert("gfl", **start)
    tree["soma"].insert("awn", **start)
    tree.add_point_process("PStims", "soma", 0.5, start=3.0, interval=5.0, number=8.0, **start)
    for _ in range(3):
        tree.add_point_process("ExpSyn", "soma", 0.5, tau=2.0)
    cells = tuple(ArtificialCell("ARStim", {"start": 2.0 + 3 * k, "interval": 6.0 + 2 * k, "number": 6.0, **start})
                  for k in range(2))
    netcons = tuple(NetCon(src, ("point", k + 1), weight=(0.003,), delay=1.0, record=True)
                    for k, src in enumerate((("cell", 0), ("cell", 1), ("point", 0))))
    model = Model(tree, mechanisms=mechs, dt=0.025, tstop=40.0, network=Network(cells=cells, netcons=netcons))
    traces = Simulation(model, record=["soma(0.5).v"]).run()
    from validation.neuron_run import compile_mod_files

    case = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {"hh": {}, "gfl": {}, "awn": {}}}],
            "points": [["PStims", "soma", 0.5, {"start": 3.0, "interval": 5.0, "number": 8.0}]]
            + [["ExpSyn", "soma", 0.5, {"tau": 2.0}]] * 3,
            "cells": [["ARStim", {"start": 2.0 + 3 * k, "interval": 6.0 + 2 * k, "number": 6.0}] for k in range(2)],
            "netcons": [{"source": list(src), "target": ["point", k + 1], "weight": [0.003], "delay": 1.0,
                         "record": True} for k, src in enumerate((("cell", 0), ("cell", 1), ("point", 0)))],
            "probes": [["soma", 0.5, "v"]], "tstop": 40.0, "dt": 0.025,
            "dll": str(compile_mod_files(sorted(folder.glob("*.mod"))))}
    ref = run_neuron(case, int(round(40.0 / 0.025)))
    ours = [np.asarray(traces.spikes(i)) for i in range(3)]
    assert [len(s) for s in ours] == [len(s) for s in ref["spikes"]] and all(len(s) > 2 for s in ours)
    for a, b in zip(ours, ref["spikes"]):
        assert np.array_equal(a, np.asarray(b)), (a, b)  # spike times identical
    dv = float(np.max(np.abs(np.asarray(traces.values) - ref["values"])))
    print(f"max |dV| {dv:.3g}")
    assert dv <= 1e-9, dv
