"""NMODL RANDOM variables (Random123 streams) against NEURON 9.0.2: our own mechanisms with noisy currents, in a
one- and a multi-compartment cell, run by NEURON (nrnivmodl) and by a `HocSession`; traces within 1e-9 mV and the
values the draws left in the mechanisms printed with %.17g.

Draws are bit-identical words (uniform doubles exactly); negexp/normal go through XLA's log in the jitted step,
which may differ from glibc's by a few ulp: the traces stay far below 1e-9 mV.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.errors import BridgeError, HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output, _same_vectors


def _printed(lines: list[str]) -> list[str]:
    """The lines the model printed, without HOC's echo of top-level calls (printf's count of characters
    differs when a %.17g value differs in its last digit: XLA may fuse a + d*(b - a) into one FMA)."""
    return [ln for ln in lines if not ln.startswith("\t")]

MODS = {
    # a noisy density current: random_normal in BREAKPOINT (drawn twice per step: nrn_cur at v + 0.001 and v)
    "noisy.mod": """
NEURON {
    SUFFIX noisy
    NONSPECIFIC_CURRENT i
    RANGE gn, inoise
    RANDOM r
}
PARAMETER { gn = 1e-6 (mA/cm2) }
ASSIGNED { i (mA/cm2) inoise }
INITIAL { inoise = 0 }
BREAKPOINT {
    inoise = random_normal(r)
    i = gn * inoise
}
""",
    # a point process with two streams: random_setseq + random_negexp in INITIAL, uniform(a, b) and negexp(mean)
    "pnoise.mod": """
NEURON {
    POINT_PROCESS PNoise
    NONSPECIFIC_CURRENT i
    RANGE amp, x0, x
    RANDOM rr, r2
}
PARAMETER { amp = 1e-5 (nA) }
ASSIGNED { i (nA) x0 x }
INITIAL { random_setseq(rr, 5) x0 = random_negexp(rr) }
BREAKPOINT {
    x = random_uniform(r2, -1, 1)
    i = -amp * random_negexp(rr, 2) * x
}
""",
    # setids in INITIAL, a FUNCTION that draws, draws inside IF (per instance: sel), ipick and dpick
    "kicks.mod": """
NEURON {
    SUFFIX kicks
    NONSPECIFIC_CURRENT i
    RANGE g, k, w, u, sel
    RANDOM q
}
PARAMETER { g = 2e-6 (mA/cm2)  sel = 0 }
ASSIGNED { i (mA/cm2) k w u }
INITIAL {
    random_setids(q, 7, 8, 9)
    random_setseq(q, 4 * 11 + 2)
    w = random_ipick(q)
    u = random_dpick(q)
    k = 0
}
BREAKPOINT {
    if (sel > 0) {
        k = kick(2)
    } else {
        k = random_uniform(q)
    }
    i = g * k
}
FUNCTION kick(s) {
    kick = s * random_normal(q, 0.5, 0.25)
}
""",
}

MODS["leakr.mod"] = """
NEURON { SUFFIX leakr NONSPECIFIC_CURRENT i RANDOM q }
ASSIGNED { i (mA/cm2) }
BREAKPOINT { i = 1e-7 * random_uniform(q) }
"""

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert pas  insert noisy  gn_noisy = 2e-6  insert kicks }
dend { L = 200  diam = 2  nseg = 5  insert pas  insert noisy  gn_noisy = 1e-6  insert kicks }
dend.sel_kicks(0.3) = 1
dend.sel_kicks(0.7) = 1
objref p, p2, vs, vd, tv
soma p = new PNoise(0.5)
dend p2 = new PNoise(0.3)
p.amp = 2e-5
p2.amp = 1e-5
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.7))
tv = new Vector()
tv.record(&t)
tstop = 10
"""

# NMODLRandom from HOC before the run: a point process's `pp.r` and a density mechanism's `sec.r_mech(x)`
SETS = """
objref ids
p.rr.set_ids(21, 22, 23)
p2.r2.set_seq(17)
dend.r_noisy(0.3).set_ids(11, 12, 13).set_seq(6)
soma.r_noisy(0.5).set_seq(101)
ids = dend.r_noisy(0.3).get_ids()
printf("%g %g %g %g %g\\n", ids.x[0], ids.x[1], ids.x[2], dend.r_noisy(0.3).get_seq(), p2.r2.get_seq())
printf("%.17g %g\\n", dend.r_noisy(0.9).uniform(), dend.r_noisy(0.9).get_seq())
"""

PRINT = """
printf("%.17g %.17g %.17g %.17g\\n", p.x0, p2.x0, p.x, p2.x)
dend { for (x, 0) printf("%.17g %.17g %.17g %.17g\\n", inoise_noisy(x), w_kicks(x), u_kicks(x), k_kicks(x)) }
printf("%.17g %.17g\\n", soma.inoise_noisy(0.5), soma.k_kicks(0.5))
"""


def _mods(tmp_path: Path, names=tuple(MODS)) -> Path:
    folder = tmp_path / "mod"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(MODS[name])
    return folder


@pytest.mark.neuron
def test_random_streams_in_a_branched_cell_match_neuron(tmp_path):
    """Default stream ids as NEURON numbers them (insert: last segment first; point processes when made), ids and
    sequences set from HOC (NMODLRandom), the streams of three mechanisms drawn in INITIAL, BREAKPOINT, a FUNCTION
    and IF branches: traces and printed values as NEURON's."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + SETS + "run()\n" + PRINT, mod_dir=_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 9
    _same_output(theirs, ours, atol=1e-12)
    assert _same_vectors(ref, vecs) <= 1e-9


@pytest.mark.neuron
def test_one_compartment_noisy_current_matches_neuron(tmp_path):
    """One compartment with a noisy density current and a noisy point process."""
    text = """
    load_file("stdrun.hoc")
    create soma
    soma { L = 10  diam = 10  insert pas  insert noisy }
    objref p, vs, vd, tv
    soma p = new PNoise(0.5)
    vs = new Vector()
    vs.record(&soma.v(0.5))
    vd = new Vector()
    vd.record(&soma.inoise_noisy(0.5))
    tv = new Vector()
    tv.record(&t)
    tstop = 20
    run()
    printf("%.17g %.17g\\n", p.x0, soma.inoise_noisy(0.5))
    """
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, mod_dir=_mods(tmp_path, ("noisy.mod", "pnoise.mod")))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 1
    _same_output(theirs, ours, atol=1e-12)
    assert _same_vectors(ref, vecs) <= 1e-9


@pytest.mark.neuron
def test_streams_go_on_across_runs_as_in_neuron(tmp_path):
    """NEURON does not reset a stream at finitialize(): init() then run(), and a second run() after reading
    values, continue the streams (the PNoise INITIAL resets its own rr with random_setseq)."""
    text = CELL + SETS + """
    init()
    printf("%.17g %.17g\\n", soma.inoise_noisy(0.5), p.x0)
    run()
    """ + PRINT + """
    tstop = 5
    run()
    """ + PRINT
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, mod_dir=_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 2 + 1 + 2 * 7
    _same_output(theirs, ours, atol=1e-12)
    assert _same_vectors(ref, vecs) <= 1e-9


@pytest.mark.neuron
def test_nseg_changed_after_insert_keeps_and_makes_streams_as_neuron(tmp_path):
    """nseg changed after insert: NEURON keeps some instances (with their streams) and clones the others with new
    streams (solve.cpp node_realloc); more and fewer segments, then a run."""
    text = """
    load_file("stdrun.hoc")
    create soma, dend
    connect dend(0), soma(1)
    soma { L = 20  diam = 20  nseg = 5  insert pas  insert noisy  gn_noisy = 2e-6 }
    dend { L = 200  diam = 2  nseg = 3  insert pas  insert noisy  gn_noisy = 1e-6 }
    dend.nseg = 7
    soma.nseg = 2
    dend.nseg = 8
    objref ids, vs, vd, tv
    forall for (x, 0) { ids = r_noisy(x).get_ids()  printf("%s %g %g\\n", secname(), x, ids.x[2]) }
    vs = new Vector()
    vs.record(&soma.v(0.5))
    vd = new Vector()
    vd.record(&dend.v(0.7))
    tv = new Vector()
    tv.record(&t)
    tstop = 5
    run()
    """
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, mod_dir=_mods(tmp_path, ("noisy.mod",)))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 10
    assert ours == theirs
    assert _same_vectors(ref, vecs) <= 1e-9


@pytest.mark.parametrize("tail, what", [
    ("dend { insert leakr }\ndend.nseg = 7\n", "nseg increased"),
    ("objref r\nr = new Random()\nx = r.Random123_globalindex(3)\nfinitialize(-65)\n", "Random123_globalindex"),
    ("finitialize(-65)\np.rr.set_seq(3)\n", "after finitialize"),
])
def test_what_bridge_would_draw_differently_is_refused(tmp_path, tail, what):
    """More segments with two RANDOM mechanisms, a global index, NMODLRandom after finitialize: refused, naming
    the construct."""
    path = tmp_path / "m.hoc"
    path.write_text(CELL + tail)
    with pytest.raises(HocRefusal, match=what):
        HocSession(_mods(tmp_path, (*MODS, "leakr.mod")), cwd=tmp_path).load_file(path)


@pytest.mark.parametrize("body, what", [
    ("i = random_normal(r) * 0\n  if (v > 0 && random_uniform(r) > 0.5) { i = 1 }", "operand of &&"),
    ("i = random_normal(3)", "first argument must be a RANDOM"),
    ("i = r", "used as a number"),
    ("i = random_normal(r, 1)", "takes 1 or 3 arguments"),
])
def test_wrong_uses_of_random_are_errors(tmp_path, body, what):
    from bridge import load_mod

    path = tmp_path / "bad.mod"
    path.write_text("NEURON { SUFFIX bad NONSPECIFIC_CURRENT i RANDOM r }\nASSIGNED { i v }\n"
                    f"BREAKPOINT {{\n  {body}\n}}\n")
    with pytest.raises(BridgeError, match=what):
        load_mod(path)


# NEURON's older generator: scop_random and what draws from it, one instance in the model
SCOP_MODS = {
    "ou.mod": """
NEURON { POINT_PROCESS OUn NONSPECIFIC_CURRENT i RANGE tau, sigma, x, mean, seed, e1, p1, u1, reseed }
PARAMETER { tau = 2 (ms)  sigma = 0.0002 (nA)  mean = 0  seed = 7  reseed = 1 }
ASSIGNED { i (nA) x e1 p1 u1 dt (ms) }
INITIAL {
    if (reseed) { set_seed(seed) }
    x = 0
    e1 = exprand(2)
    p1 = poisrand(3)
    u1 = scop_random()
}
BREAKPOINT {
    SOLVE noise
    i = -x + 1e-6 * normrand(0, 1)
}
PROCEDURE noise() {
    x = x + dt * (mean - x) / tau + sigma * sqrt(2 * dt / tau) * normrand(0, 1)
}
""",
    "leakn.mod": """
NEURON { SUFFIX leakn NONSPECIFIC_CURRENT i RANGE g }
PARAMETER { g = 1e-6 (mA/cm2) }
ASSIGNED { i (mA/cm2) }
BREAKPOINT { i = g * normrand(0, 1) }
""",
}

OU_CELL = """
load_file("stdrun.hoc")
create soma
soma { L = 10  diam = 10  insert pas }
objref p, vs, vd, tv
soma p = new OUn(0.5)
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&p.x)
tv = new Vector()
tv.record(&t)
tstop = 20
"""
OU_PRINT = 'printf("%.17g %.17g %.17g %.17g\\n", p.x, p.e1, p.p1, p.u1)\n'


def _scop_mods(tmp_path: Path) -> Path:
    folder = tmp_path / "mod"
    folder.mkdir()
    for name, text in SCOP_MODS.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.neuron
def test_scop_random_family_in_one_instance_matches_neuron(tmp_path):
    """An Ornstein-Uhlenbeck current with set_seed, exprand, poisrand, scop_random in INITIAL, normrand in a
    SOLVE'd PROCEDURE and in BREAKPOINT; runs from NEURON's start value 1 (no set_seed), then seeded, then
    continuing where the last run left the generator."""
    text = OU_CELL + "p.reseed = 0\nrun()\n" + OU_PRINT + "p.reseed = 1\nrun()\n" + OU_PRINT \
        + "p.reseed = 0\ntstop = 10\nrun()\n" + OU_PRINT
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, mod_dir=_scop_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 3
    _same_output(theirs, ours, atol=1e-15)
    assert _same_vectors(ref, vecs) <= 1e-9


@pytest.mark.neuron
def test_scop_random_in_a_density_and_a_point_process_matches_neuron(tmp_path):
    """leakn in two segments and the OUn point process draw from the one generator: each phase runs leakn's
    instances, then OUn's (type order: leakn.mod before ou.mod), as NEURON (bridge.solver.scop_shared; more cases
    in tests/hoc/test_scop_random_types.py)."""
    text = OU_CELL + "soma { nseg = 2  insert leakn }\np.reseed = 0\nrun()\n" + OU_PRINT + "run()\n" + OU_PRINT
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, mod_dir=_scop_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 2 and theirs[0] != theirs[1]
    _same_output(theirs, ours, atol=1e-15)
    assert _same_vectors(ref, vecs) <= 1e-9



# Gfluctdv-style conductance noise (ModelDB 239582): an OU conductance drawn with normrand in a SOLVE'd PROCEDURE
# (nrn_state), a small white current in BREAKPOINT (nrn_cur: twice per instance per step) and exprand in INITIAL
GFL = """
NEURON { SUFFIX gfl NONSPECIFIC_CURRENT i RANGE g, g0, std, tau, e0, w }
PARAMETER { g0 = 2e-4 (S/cm2)  std = 1e-4 (S/cm2)  tau = 3 (ms)  e = 0 (mV)  w = 1e-5 (mA/cm2) }
ASSIGNED { v (mV)  i (mA/cm2) g g1 e0 dt (ms) }
INITIAL { g1 = 0  e0 = exprand(1) }
BREAKPOINT {
    SOLVE oup
    g = g0 + g1
    if (g < 0) { g = 0 }
    i = g * (v - e) + w * normrand(0, 1)
}
PROCEDURE oup() { g1 = g1 * exp(-dt / tau) + std * sqrt(1 - exp(-2 * dt / tau)) * normrand(0, 1) }
"""
GFL_CELL = """
load_file("stdrun.hoc")
create soma, dend[2]
soma { L = 20  diam = 20  nseg = 1  insert hh  insert gfl }
for i = 0, 1 { connect dend[i](0), soma(1)  dend[i] { L = 150  diam = 2  nseg = 3  insert pas  insert gfl } }
dend[1].g0_gfl = 4e-4
objref vs, vd, ve
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend[0].v(0.9))
ve = new Vector()
ve.record(&dend[1].g_gfl(0.5))
tstop = 30
proc show() { printf("%.17g %.17g %.17g\\n", soma.e0_gfl(0.5), dend[1].e0_gfl(0.1), dend[1].g_gfl(0.9)) }
"""


@pytest.mark.neuron
def test_density_noise_in_several_segments_shares_scop_random_as_neuron(tmp_path):
    """The Gfluctdv-style mechanism in 7 segments of 3 sections: NEURON runs each instance's INITIAL, BREAKPOINT
    (at v + 0.001, then v) and SOLVE'd PROCEDURE in turn, in node order, on its one generator; then a second run
    going on from where the first left it."""
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "gfl.mod").write_text(GFL)
    text = GFL_CELL + "run()\nshow()\nrun()\nshow()\n"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd", "ve"), mod_dir=folder)
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 2 and theirs[0] != theirs[1]
    _same_output(theirs, ours, atol=1e-15)
    assert _same_vectors(ref, vecs) <= 1e-9



@pytest.mark.neuron
def test_point_process_noise_in_one_node_shares_scop_random_as_neuron(tmp_path):
    """Three OUn point processes drawing in INITIAL, BREAKPOINT and a SOLVE'd PROCEDURE, two of them in one node:
    NEURON runs them newest first in that node, then the one in the next node (its Memb_list order)."""
    text = OU_CELL.replace("soma { L = 10  diam = 10  insert pas }", "soma { L = 10  diam = 10  nseg = 3  insert pas }"
                           ).replace("objref p, vs", "objref p, q, r, vs").replace(
        "soma p = new OUn(0.5)", "soma p = new OUn(0.5)\nsoma q = new OUn(0.9)\nsoma r = new OUn(0.5)\n"
        "p.reseed = 0\nq.reseed = 0\nr.reseed = 0\nq.sigma = 0.0004")
    show = 'printf("%.17g %.17g %.17g %.17g %.17g %.17g\\n", p.x, p.e1, q.x, q.e1, r.x, r.u1)\n'
    theirs, ref, ours, vecs, _ = _both(tmp_path, text + "run()\n" + show + "run()\n" + show,
                                      mod_dir=_scop_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 2 and theirs[0] != theirs[1]
    _same_output(theirs, ours, atol=1e-15)
    assert _same_vectors(ref, vecs) <= 1e-9


OUD = """
NEURON { SUFFIX oud RANGE i, D, tau NONSPECIFIC_CURRENT i }
PARAMETER { D = 0.2 (/ms)  tau = 1 (ms) }
ASSIGNED { i (mA/cm2) noise (mA/cm2) dt (ms) }
STATE { n (mA/cm2) }
INITIAL { set_seed(11) }
BREAKPOINT {
    SOLVE kin METHOD cnexp
    i = 1e-5 * n
}
DERIVATIVE kin {
    noise = normrand(0, D * dt)
    n' = (-n + noise) / tau
}
"""


@pytest.mark.neuron
def test_draw_in_a_cnexp_derivative_block_matches_neuron(tmp_path):
    """normrand in a DERIVATIVE block solved by cnexp (an Ornstein-Uhlenbeck current, as ModelDB 141063): one
    draw per step, in nrn_state."""
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "oud.mod").write_text(OUD)
    text = """
    load_file("stdrun.hoc")
    create soma
    soma { L = 10  diam = 10  insert pas  insert oud }
    objref vs, vd, tv
    vs = new Vector()
    vs.record(&soma.v(0.5))
    vd = new Vector()
    vd.record(&soma.n_oud(0.5))
    tv = new Vector()
    tv.record(&t)
    tstop = 20
    run()
    """
    _, ref, _, vecs, _ = _both(tmp_path, text, mod_dir=folder)
    assert _same_vectors(ref, vecs) <= 1e-9


def test_a_model_without_stream_parameters_is_refused(tmp_path):
    """Outside HOC nothing numbers the streams: running a RANDOM mechanism whose stream parameters were not
    given is an error, not every instance drawing the same numbers."""
    import bridge

    tree = bridge.SectionTree()
    tree.section("soma", L=10, diam=10).insert("noisy")
    mech = bridge.load_mod(_mods(tmp_path, ("noisy.mod",)) / "noisy.mod")
    with pytest.raises(BridgeError, match="stream parameters"):
        bridge.Simulation(bridge.Model(tree, mechanisms={"noisy": mech}, tstop=1.0)).run(None)


# Several instances on NEURON's one scop_random generator, drawing only in INITIAL and NET_RECEIVE
# (bridge.solver.scop_shared): a NetStim-like source with noise, as ModelDB 106551's netstims.mod
RSTIM = """
NEURON { ARTIFICIAL_CELL RStim RANGE interval, number, start, noise }
PARAMETER { interval = 10 (ms)  number = 10  start = 5 (ms)  noise = 1 }
ASSIGNED { on ispike }
PROCEDURE seed(x) { set_seed(x) }
INITIAL {
    ispike = 0
    on = 1
    net_send(start, 3)
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
RSTIM_NET = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh }
objref st[4], syn[4], nc[4], tv[4], vs
vs = new Vector()
vs.record(&soma.v(0.5))
for i = 0, 3 {
    st[i] = new RStim()
    st[i].start = 2 + 7 * (i % 2)
    st[i].interval = 8 + 3 * i
    st[i].number = 8
    soma syn[i] = new ExpSyn(0.5)
    syn[i].tau = 2
    nc[i] = new NetCon(st[i], syn[i])
    nc[i].weight = 0.002
    nc[i].delay = 1
    tv[i] = new Vector()
    nc[i].record(tv[i])
}
tstop = 200
proc show() {
    for i = 0, 3 { printf("%d %d:", i, tv[i].size())  for j = 0, tv[i].size() - 1 { printf(" %.17g", tv[i].x[j]) }
        printf("\\n") }
}
"""


def _rstim_mods(tmp_path: Path, text: str = RSTIM) -> Path:
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "rstim.mod").write_text(text)
    return folder


@pytest.mark.neuron
def test_artificial_cells_sharing_scop_random_match_neuron(tmp_path):
    """Four noisy artificial cells drawing exprand in NET_RECEIVE, two starting together at 2 ms and two at 9 ms,
    drive ExpSyns on an hh cell; a second run() goes on with the generator where the first left it: NEURON hands
    the numbers to the cells in the order their events come (artificial cells: INITIAL in the order made), so
    every spike time is NEURON's."""
    text = RSTIM_NET + "run()\nshow()\nrun()\nshow()\n"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs",), mod_dir=_rstim_mods(tmp_path))
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 8 and theirs[:4] != theirs[4:]
    _same_output(theirs, ours, atol=0.0)  # spike times identical
    assert _same_vectors(ref, vecs) <= 1e-9


# the sources as point processes in a 5-segment dendrite, all starting at 2 ms: st[1] and st[3] share the first
# segment's node, and st[1] is moved there after st[3] was placed (loc(): it is the newest in that node)
RSTIM_DEND = RSTIM_NET.replace("soma { L = 20  diam = 20  insert hh }", """soma { L = 20  diam = 20  insert hh }
create dend
connect dend(0), soma(1)
dend { L = 200  diam = 2  nseg = 5  insert pas }
double xs[4]
xs[0] = 0.7
xs[1] = 0.9
xs[2] = 0.5
xs[3] = 0.1""").replace("    st[i] = new RStim()", "    dend st[i] = new RStim(xs[i])").replace(
    "2 + 7 * (i % 2)", "2").replace("tstop = 200", "st[1].loc(0.1)\ntstop = 100")


@pytest.mark.neuron
def test_point_processes_sharing_scop_random_match_neuron(tmp_path):
    """The four sources as point processes starting together: NEURON runs their INITIAL (and queues its
    net_sends) in its Memb_list order, node order and newest first in a node (the order they were made would
    give other numbers to st[0] and st[3]); then seed() from HOC and a second run."""
    text = RSTIM_DEND + "run()\nshow()\nst[2].seed(12345)\nrun()\nshow()\n"
    mods = _rstim_mods(tmp_path, RSTIM.replace("ARTIFICIAL_CELL RStim", "POINT_PROCESS RStim"))
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs",), mod_dir=mods)
    theirs, ours = _printed(theirs), _printed(ours)
    assert len(theirs) == 8 and theirs[:4] != theirs[4:]
    _same_output(theirs, ours, atol=0.0)  # spike times identical
    assert _same_vectors(ref, vecs) <= 1e-9


def test_point_processes_sharing_a_node_moved_by_nseg_are_refused(tmp_path):
    """An nseg change after placing them moves point processes in an order of NEURON's own (solve.cpp
    node_realloc): two drawing sources in one node after it are refused."""
    path = tmp_path / "m.hoc"
    path.write_text(RSTIM_DEND.replace("tstop = 100", "dend.nseg = 1\ntstop = 100") + "run()\n")
    mods = _rstim_mods(tmp_path, RSTIM.replace("ARTIFICIAL_CELL RStim", "POINT_PROCESS RStim"))
    with pytest.raises(HocRefusal, match="whose nseg changed after they were placed"):
        HocSession(mods, cwd=tmp_path).load_file(path)
