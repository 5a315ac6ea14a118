"""HOC runs simulate (bridge.hoc.live): finitialize/fadvance/run/continuerun advance bridge's simulation
while HOC runs, and what HOC reads and prints afterwards is NEURON's.

Each model here is our own HOC file, run by real NEURON 9 and by a `HocSession`; the printed output is
compared line by line (numbers to 1e-9 absolute, the rest exactly) and the recorded Vectors to 1e-9 mV.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bridge.hoc.session import HocSession, load_hoc

EXAMPLE_MOD = Path(__file__).resolve().parents[2] / "examples" / "cell" / "mod"
ATOL = 1e-9  # [mV] and the same absolute bound on printed states and concentrations

_NEURON = r"""
import json, os, sys
path, library = sys.argv[1], sys.argv[2]
os.chdir(os.path.dirname(path))
from neuron import h
if library:
    h.nrn_load_dll(library)
h.load_file(path)
print("JSON:" + json.dumps({name: list(getattr(h, name)) for name in sys.argv[3:]}))
"""

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 2  nseg = 5  insert pas  g_pas = 1e-4  e_pas = -65 }
objref stim, vs, vd, tv
soma stim = new IClamp(0.5)
vs = new Vector()
vs.record(&soma.v(0.5))
vd = new Vector()
vd.record(&dend.v(0.7))
tv = new Vector()
tv.record(&t)
"""


def _both(tmp_path: Path, text: str, vectors: tuple[str, ...] = ("vs", "vd", "tv"), mod_dir: Path | None = None):
    """(NEURON's printed lines, its Vectors, bridge's printed lines, its Vectors, the session)."""
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    library = ""
    if mod_dir is not None:
        from validation.neuron_run import compile_mod_files

        library = str(compile_mod_files(sorted(mod_dir.glob("*.mod"))))
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(path), library, *vectors], capture_output=True,
                          text=True, timeout=300)
    lines = proc.stdout.splitlines()
    data = [ln for ln in lines if ln.startswith("JSON:")]
    assert data, proc.stderr[-2000:]
    theirs = [ln for ln in lines if not ln.startswith("JSON:")]
    ref = {k: np.array(v) for k, v in json.loads(data[0][5:]).items()}
    out = io.StringIO()
    hoc = HocSession(mod_dir, cwd=tmp_path, stdout=out)
    hoc.load_file(path)
    ours = {name: np.array(getattr(hoc, name).data) for name in vectors}
    return theirs, ref, out.getvalue().splitlines(), ours, hoc


def _same_output(theirs: list[str], ours: list[str], atol: float = ATOL) -> None:
    """The same lines; numbers within `atol`, the text between them identical."""
    assert len(ours) == len(theirs), (theirs, ours)
    for a, b in zip(theirs, ours):
        assert _NUMBER.sub("#", a) == _NUMBER.sub("#", b), (a, b)
        for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
            assert abs(float(x) - float(y)) <= atol, (a, b)


def _same_vectors(ref: dict, ours: dict) -> float:
    worst = 0.0
    for name, want in ref.items():
        got = ours[name]
        assert got.shape == want.shape, (name, got.shape, want.shape)
        worst = max(worst, float(np.max(np.abs(got - want))) if want.size else 0.0)
    print(f"max |dV| {worst:.3g} over {', '.join(ref)}")  # shown with pytest -s
    assert worst <= ATOL, worst
    return worst


@pytest.mark.neuron
def test_fi_curve_loop_matches_neuron_and_compiles_once(tmp_path):
    """An f-I curve: set stim.amp, run(), count spikes in the recorded Vector in HOC, print; the step is
    compiled once for all amplitudes (a parameter, not the structure)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        stim.del = 1
        stim.dur = 20
        tstop = 25
        func spikes() { local i, n
            n = 0
            for i = 1, vs.size() - 1 if (vs.x[i-1] < -20 && vs.x[i] >= -20) n += 1
            return n
        }
        for k = 0, 4 {
            stim.amp = 0.1 * k
            run()
            printf("amp %g spikes %d size %d t %.17g v %.17g m %.17g nai %.17g\\n", stim.amp, spikes(), vs.size(), \\
                   t, soma.v(0.5), soma.m_hh(0.5), soma.nai(0.5))
        }
    """)
    _same_output(theirs, ours)
    counts = [int(ln.split()[3]) for ln in theirs if ln.startswith("amp")]
    assert len(counts) == 5 and len(set(counts)) > 2  # the loop counted different numbers of spikes
    _same_vectors(ref, vecs)
    assert hoc.live.compilations == 1


@pytest.mark.neuron
def test_fadvance_loop_driving_a_stimulus_matches_neuron(tmp_path):
    """A stepping loop that sets the stimulus before each fadvance() and tracks the peak of v in HOC."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + """
        stim.del = 0
        stim.dur = 1e9
        vmax = -100
        finitialize(-65)
        while (t < 8) {
            stim.amp = 0.3*sin(t)
            fadvance()
            if (soma.v(0.5) > vmax) vmax = soma.v(0.5)
        }
        proc show() {
            printf("t %.17g vmax %.17g v %.17g n %.17g i %.17g\\n", t, vmax, soma.v(0.5), soma.n_hh(0.5), stim.i)
        }
        show()
    """)
    _same_output(theirs, ours)
    assert _same_vectors(ref, vecs) >= 0.0


@pytest.mark.neuron
def test_continuerun_in_pieces_with_changes_between_them_matches_neuron(tmp_path):
    """continuerun() pieces with a range parameter, v, a STATE, celsius and dt changed between them."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, CELL + """
        stim.del = 1
        stim.dur = 2
        stim.amp = 0.3
        proc show() {
            printf("t %.17g v %.17g n %.17g h %.17g ek %.17g\\n", t, soma.v(0.5), soma.n_hh(0.5), soma.h_hh(0.5), \\
                   soma.ek(0.5))
        }
        finitialize(-65)
        continuerun(4)
        show()
        dend.g_pas = 0.001
        soma.gnabar_hh = 0.2
        continuerun(8)
        soma.v(0.5) = -30
        soma.m_hh(0.5) = 0.5
        continuerun(12)
        celsius = 20
        stim.amp = 0.5
        stim.del = 13
        continuerun(16)
        dt = 0.0125
        continuerun(18)
        show()
    """)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert hoc.live.compilations == 1  # dt is an argument of the compiled step, as the rest (bridge.solver.stepper)


@pytest.mark.neuron
def test_values_after_run_with_a_calcium_pool_match_neuron(tmp_path):
    """v, STATEs, ion concentrations, reversal potentials and currents read after run() and after a second
    run from a changed model (the example cell's own cal/cad mechanisms), and recorded cai."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, """
        load_file("stdrun.hoc")
        create soma
        soma { L = 20  diam = 20  insert na  insert kdr  insert cal  insert cad  insert pas }
        objref stim, vs, vc
        soma stim = new IClamp(0.5)
        stim.del = 2
        stim.dur = 30
        stim.amp = 0.4
        vs = new Vector()
        vs.record(&soma.v(0.5))
        vc = new Vector()
        vc.record(&soma.cai(0.5))
        tstop = 40
        proc show() {
            printf("t %.17g v %.17g cai %.17g eca %.17g ica %.17g ina %.17g\\n", t, soma.v(0.5), soma.cai(0.5), \\
                   soma.eca(0.5), soma.ica(0.5), soma.ina(0.5))
            printf("size %d last %.17g max %.17g\\n", vc.size(), vc.x[vc.size()-1], vc.max())
        }
        run()
        show()
        stim.amp = 0.2
        run()
        show()
    """, vectors=("vs", "vc"), mod_dir=EXAMPLE_MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_recorded_vector_printed_and_assigned_states_match_neuron(tmp_path):
    """A model whose init() sets a STATE after finitialize() (applied to the live run), and prints the
    recorded Vector in HOC; load_hoc(...).simulate() returns the run HOC made, without compiling again."""
    text = CELL + """
        stim.del = 0.2
        stim.dur = 0.5
        stim.amp = 0.5
        tstop = 1
        proc init() {
            finitialize(v_init)
            soma.m_hh(0.5) = 0.2
            dend.v(0.7) = -50
        }
        proc show() { local i
            for i = 0, vs.size() - 1 printf("%d %.17g %.17g\\n", i, tv.x[i], vs.x[i])
        }
        run()
        show()
    """
    theirs, ref, ours, vecs, _ = _both(tmp_path, text)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    model = load_hoc(tmp_path / "model.hoc")
    assert model.live_traces is not None
    traces = model.simulate()
    assert np.max(np.abs(np.asarray(traces["soma(0.5).v"]) - ref["vs"])) <= ATOL


def test_parameter_changes_between_runs_do_not_recompile(tmp_path):
    """Range values, point process values, celsius, a GLOBAL and v_init are parameters of the compiled step:
    runs that change only them reuse it; a changed structure (nseg) compiles a new one."""
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(CELL + """
        stim.del = 0
        stim.dur = 1
        stim.amp = 0.2
        tstop = 2
        proc go() { run()  x = soma.v(0.5) }
        go()
        stim.amp = 0.5
        go()
        soma.gnabar_hh = 0.2
        go()
        celsius = 30
        go()
        v_init = -70
        go()
        tstop = 3
        go()
    """)
    assert hoc.live.compilations == 1 and len(hoc.live.engines) == 1
    hoc("dend.nseg = 7\ngo()")
    assert hoc.live.compilations == 2


def test_a_single_run_read_by_nobody_compiles_nothing_while_the_hoc_runs(tmp_path):
    """load_hoc of a model that calls run() once and reads nothing: the run is simulated by
    HocModel.simulate(), not while the HOC runs (no compile twice)."""
    (tmp_path / "m.hoc").write_text(CELL + "stim.amp = 0.3\nstim.dur = 1\ntstop = 2\nrun()\n")
    model = load_hoc(tmp_path / "m.hoc")
    assert model.live_traces is None


def test_structure_changed_during_a_run_is_refused(tmp_path):
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(CELL + "finitialize(-65)\ncontinuerun(1)\ndend insert hh\ncontinuerun(2)")
    from bridge.errors import HocError

    with pytest.raises(HocError, match="structure .* changed after finitialize"):
        hoc("x = soma.v(0.5)")


PLAYS = CELL + """
dend insert hh
dend.gnabar_hh = 0
stim.del = 0
stim.dur = 1e9
objref amp, tamp, g, gk, tg, cel, tc
// discrete with a dt: the amplitude steps every 0.1 ms (off the grid of dt = 0.025 ms sums)
amp = new Vector(60)
for i = 0, 59 amp.x[i] = 0.2*sin(i/5)
amp.play(&stim.amp, 0.1)
// continuous into a range variable, with a repeated time (a jump)
tg = new Vector(5)
g = new Vector(5)
tg.x[0] = 0
tg.x[1] = 1.01
tg.x[2] = 2.3
tg.x[3] = 2.3
tg.x[4] = 4.05
g.x[0] = 0.12
g.x[1] = 0.3
g.x[2] = 0.05
g.x[3] = 0.2
g.x[4] = 0.1
g.play(&soma.gnabar_hh(0.5), tg, 1)
// discrete with a time Vector into another section's parameter (one time falls on a half step)
gk = new Vector(3)
tamp = new Vector(3)
gk.x[0] = 0.036
gk.x[1] = 0.01
gk.x[2] = 0.06
tamp.x[0] = 0.5
tamp.x[1] = 1.2125
tamp.x[2] = 3
gk.play(&dend.gkbar_hh(0.7), tamp, 0)
// continuous into celsius (hh's TABLE depends on it: rebuilt each step as NEURON does)
tc = new Vector(2)
cel = new Vector(2)
tc.x[0] = 0
tc.x[1] = 5
cel.x[0] = 6.3
cel.x[1] = 30
cel.play(&celsius, tc, 1)
tstop = 6
proc show() {
    printf("t %.17g v %.17g m %.17g n %.17g\\n", t, soma.v(0.5), soma.m_hh(0.5), dend.n_hh(0.7))
}
"""


def _without(text: str, *vectors: str) -> str:
    """The HOC text with the plays of these Vectors commented out."""
    for name in vectors:
        text = text.replace(f"\n{name}.play(", f"\n// {name}.play(")
    return text


@pytest.mark.neuron
def test_vector_play_in_each_form_matches_neuron(tmp_path):
    """Vector.play discrete (dt, time Vector) and continuous, into a point process PARAMETER, range
    PARAMETERs and celsius, then play_remove in the middle of the run (the amplitude keeps its last value)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, PLAYS + """
        run()
        show()
        amp.play_remove()
        continuerun(8)
        show()
    """)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    plain = _both(tmp_path, _without(PLAYS, "amp", "g", "gk", "cel") + "run()\n", vectors=("vs",))[1]["vs"]
    assert np.max(np.abs(plain - ref["vs"][: len(plain)])) > 1.0  # the plays changed the run


@pytest.mark.neuron
def test_each_play_alone_matches_neuron(tmp_path):
    """Each form on its own (so one cannot hide another's error)."""
    names = ["amp", "g", "gk", "cel"]
    for keep in names:
        text = _without(PLAYS, *[n for n in names if n != keep])
        theirs, ref, ours, vecs, _ = _both(tmp_path, text + "run()\nshow()\n", vectors=("vs", "vd"))
        _same_output(theirs, ours)
        _same_vectors(ref, vecs)


def test_a_changed_played_vector_does_not_recompile(tmp_path):
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(PLAYS + "run()\nx = soma.v(0.5)\namp.mul(2)\nrun()\ny = soma.v(0.5)")
    assert hoc.x != hoc.y
    assert hoc.live.compilations == 1


@pytest.mark.parametrize("text, message", [
    ("objref p\np = new Vector(3)\np.play(&soma.v(1), 0.1)", "Vector.play into v at a section's end"),
    ("objref p\np = new Vector(3)\np.play(\"x = $1\", 0.1)", "Vector.play with a statement"),
    ("objref p, q\np = new Vector(3)\nq = new Vector(3)\np.play(&stim.amp, 0.1, 1)",
     "continuous mode must be a time vector"),
    ("objref p\np = new Vector(3)\np.play(&soma.diam(0.5), 0.1)", "Vector.play into diam is not supported"),
    ("objref p\np = new Vector(3)\np.play(&soma.minf_hh(0.5), 0.1)", "into minf_hh is not supported"),
    ("objref p, q\np = new Vector()\nq = new Vector(3)\np.record(&t, q)", "Vector.record(&t, tvec) is not supported"),
    ("objref p\np = new Vector()\np.record(&soma.v(0.5), 0)", "needs Dt > 0 or a time Vector"),
])
def test_plays_bridge_does_not_reproduce_are_refused(tmp_path, text, message):
    from bridge.errors import HocError

    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(CELL)
    with pytest.raises(HocError, match=re.escape(message)):
        hoc(text)


def test_reading_a_played_variable_during_the_run_is_refused(tmp_path):
    from bridge.errors import HocRefusal

    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    hoc(PLAYS + "tstop = 1\nrun()")
    for read in ("x = stim.amp", "x = soma.gnabar_hh(0.5)", "x = celsius"):
        with pytest.raises(HocRefusal, match="read while a Vector plays into it"):
            hoc(read)
    hoc("x = dend.gnabar_hh(0.5)")  # not played


@pytest.mark.neuron
def test_a_second_run_starts_from_the_last_played_value_as_neuron(tmp_path):
    """gk's play starts at t = 0.5 ms: in the second run NEURON's gkbar is the first run's last played value
    until then; bridge carries it over."""
    text = _without(PLAYS, "amp", "g", "cel") + "run()\nshow()\nrun()\nshow()\n"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, vectors=("vs", "vd"))
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
