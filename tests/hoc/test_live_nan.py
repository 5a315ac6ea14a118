"""A NaN in HOC's live run says where and when, as `Simulation` says it (bridge.hoc.live_nan): the first
variable that became NaN (a mechanism's STATE, a point process's STATE, or v where a NaN current entered the
tree matrix), its place (section(x)) and the step and time, through `run()`, `continuerun()` and an
`fadvance()` loop.

NEURON 9.0.2 on the same files raises nothing: sqrt of a negative number in a mechanism is C's NaN, the run
goes on and the values HOC reads print as -nan. Where and when the NaN first appears in NEURON is measured
here (step by step from Python) and is where bridge's message says it appears: with tnan = 2.01 ms at dend(0.7)
the STATE s is NaN after step 81 (t = 2.025 ms: states are updated at t + dt) and, for the current, v at
dend(0.7) after step 81 too (currents at t + dt/2 = 2.0125 ms). A RANGE ASSIGNED that alone becomes NaN is no
failure, in NEURON or in bridge's live run (it once stopped it with "v or a STATE became NaN").
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession

# a STATE whose rate is sqrt(tnan - t): NaN in the first step that ends past tnan
NANST = """
NEURON { SUFFIX nanst  RANGE tnan, g  NONSPECIFIC_CURRENT i }
PARAMETER { tnan = 1e9 (ms)  g = 0 (S/cm2) }
ASSIGNED { v (mV)  i (mA/cm2) }
STATE { s }
INITIAL { s = 0 }
BREAKPOINT { SOLVE states METHOD cnexp  i = g*s*v }
DERIVATIVE states { s' = sqrt(tnan - t) }
"""

# a current sqrt(tnan - t): v goes NaN at its node in the first step whose currents are past tnan
NANCUR = """
NEURON { SUFFIX nancur  RANGE tnan  NONSPECIFIC_CURRENT i }
PARAMETER { tnan = 1e9 (ms) }
ASSIGNED { v (mV)  i (mA/cm2) }
BREAKPOINT { i = 1e-9*sqrt(tnan - t) }
"""

# a point process with NANST's STATE
NANPP = """
NEURON { POINT_PROCESS NanPP  RANGE tnan }
PARAMETER { tnan = 1e9 (ms) }
STATE { s }
INITIAL { s = 0 }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { s' = sqrt(tnan - t) }
"""

# a RANGE ASSIGNED nothing reads: NaN past tnan, v and the STATEs stay finite
NANASG = """
NEURON { SUFFIX nanasg  RANGE tnan, a }
PARAMETER { tnan = 1e9 (ms) }
ASSIGNED { a }
BREAKPOINT { a = sqrt(tnan - t) }
"""

# a STATE NaN from INITIAL where tnan < 0
NANINIT = """
NEURON { SUFFIX naninit  RANGE tnan }
PARAMETER { tnan = 1e9 (ms) }
STATE { s }
INITIAL { s = sqrt(tnan - t) }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { s' = 0 }
"""

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert hh }
dend { L = 200  diam = 2  nseg = 5  insert pas  insert nanst  insert nancur  insert nanasg  insert naninit }
objref pp, pp2
dend pp2 = new NanPP(0.1)
dend pp = new NanPP(0.7)
tstop = 3
"""

WHEN = r"t = 2\.025 ms \(step 81 from t = 0 ms, HOC's live run\); check parameters and dt"


@pytest.fixture(scope="module")
def mod_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("nanmod")
    for name, text in (("nanst", NANST), ("nancur", NANCUR), ("nanpp", NANPP), ("nanasg", NANASG),
                       ("naninit", NANINIT)):
        (folder / f"{name}.mod").write_text(text)
    return folder


def _bridge(mod_dir: Path, tmp_path: Path, text: str) -> str:
    """What bridge prints for the model; raises what the session raises."""
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(CELL + text))
    out = io.StringIO()
    HocSession(mod_dir, cwd=tmp_path, stdout=out).load_file(path)
    return out.getvalue()


def test_run_names_the_state_its_segment_and_the_step(mod_dir, tmp_path):
    with pytest.raises(BridgeError, match=r"s_nanst became NaN at dend\(0\.7\), " + WHEN):
        _bridge(mod_dir, tmp_path, "dend.tnan_nanst(0.7) = 2.01\nrun()\nprint dend.v(0.7)\n")


@pytest.mark.parametrize("extra", [
    """
    objref ns, syn, nc
    ns = new NetStim()
    ns.start = 0.5
    ns.interval = 0.5
    dend syn = new ExpSyn(0.5)
    nc = new NetCon(ns, syn, 0, 1, 0.01)
    """,
    """
    objref stim, amps
    soma stim = new IClamp(0.5)
    stim.dur = 1e9
    amps = new Vector(40)
    amps.indgen(0.001)
    amps.play(&stim.amp, 0.1)
    """], ids=["netcon", "play"])
def test_run_with_events_or_a_play_names_the_state(mod_dir, tmp_path, extra):
    """The live run's step with NetCon events and with a Vector.play (the step function's other forms)."""
    with pytest.raises(BridgeError, match=r"s_nanst became NaN at dend\(0\.7\), " + WHEN):
        _bridge(mod_dir, tmp_path, extra + "dend.tnan_nanst(0.7) = 2.01\nrun()\nprint dend.v(0.7)\n")


def test_nan_at_finitialize_is_step_0(mod_dir, tmp_path):
    with pytest.raises(BridgeError, match=r"s_naninit became NaN at dend\(0\.3\), t = 0 ms \(at the run's start, "
                                          r"HOC's live run\)"):
        _bridge(mod_dir, tmp_path, "dend.tnan_naninit(0.3) = -1\nrun()\nprint dend.v(0.7)\n")


def test_continuerun_counts_the_steps_of_earlier_pieces(mod_dir, tmp_path):
    """The NaN is in the second piece (from 1 ms): its step is counted from finitialize()."""
    with pytest.raises(BridgeError, match=r"s_nanst became NaN at dend\(0\.7\), " + WHEN):
        _bridge(mod_dir, tmp_path, """
            dend.tnan_nanst(0.7) = 2.01
            finitialize(-65)
            continuerun(1)
            print dend.v(0.7)
            continuerun(3)
            print dend.v(0.7)
        """)


def test_fadvance_loop_names_the_point_process(mod_dir, tmp_path):
    """Each fadvance() is simulated on its own (the loop reads the state each step); the point process is
    named by its HOC name (the second NanPP made)."""
    with pytest.raises(BridgeError, match=r"NanPP\[1\]\.s became NaN at dend\(0\.7\), " + WHEN):
        _bridge(mod_dir, tmp_path, """
            pp.tnan = 2.01
            finitialize(-65)
            while (t < 3) { fadvance()  x = pp.s }
        """)


def test_nan_current_names_v_where_it_entered(mod_dir, tmp_path):
    """v goes NaN everywhere in the tree solve; the node where the NaN entered the matrix is named."""
    with pytest.raises(BridgeError, match=r"v became NaN at dend\(0\.7\), " + WHEN):
        _bridge(mod_dir, tmp_path, "dend.tnan_nancur(0.7) = 2.01\nrun()\nprint soma.v(0.5)\n")


def test_nan_parameter_is_named(mod_dir, tmp_path):
    with pytest.raises(BridgeError, match=r"v became NaN at dend\(0\.7\), t = 0\.025 ms \(step 1 from t = 0 ms, "
                                          r"HOC's live run\); the parameter g_pas is NaN at dend\(0\.7\)"):
        _bridge(mod_dir, tmp_path, "x = 1e308*10\ndend.g_pas(0.7) = x - x\nrun()\nprint soma.v(0.5)\n")


_NEURON = r"""
import json, math, os, sys
path, library = sys.argv[1], sys.argv[2]
os.chdir(os.path.dirname(path))
from neuron import h
h.nrn_load_dll(library)
h.load_file(path)
probes = {"s": lambda: h.dend(0.7).nanst.s, "pp": lambda: h.pp.s, "v": lambda: h.dend(0.7).v}
h.finitialize(-65)
first = {}
n = 0
while h.t < 3 - 1e-9:
    h.fadvance()
    n += 1
    for k, f in probes.items():
        if k not in first and math.isnan(f()):
            first[k] = (n, h.t)
print("JSON:" + json.dumps(first))
"""


def _neuron(mod_dir: Path, tmp_path: Path, text: str) -> tuple[list[str], dict]:
    """NEURON's printed lines for the model and the (step, t) where each probe first became NaN."""
    from validation.neuron_run import compile_mod_files

    library = str(compile_mod_files(sorted(mod_dir.glob("*.mod"))))
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(CELL + text))
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(path), library], capture_output=True, text=True,
                          timeout=300)
    lines = proc.stdout.splitlines()
    data = [ln for ln in lines if ln.startswith("JSON:")]
    assert proc.returncode == 0 and data, proc.stderr[-2000:]
    return [ln for ln in lines if not ln.startswith("JSON:")], json.loads(data[0][5:])


@pytest.mark.neuron
def test_neuron_goes_on_and_its_nan_is_where_bridge_says(mod_dir, tmp_path):
    text = "dend.tnan_nanst(0.7) = 2.01\npp.tnan = 2.01\n"
    _, first = _neuron(mod_dir, tmp_path, text)
    assert first["s"][0] == first["pp"][0] == 81 and abs(first["s"][1] - 2.025) < 1e-9
    assert first["v"][0] == 82  # the NaN STATE reaches v through i = g*s*v (g = 0) one step later
    _, first = _neuron(mod_dir, tmp_path, "dend.tnan_nancur(0.7) = 2.01\n")
    assert first == {"v": [81, pytest.approx(2.025, abs=1e-9)]}


@pytest.mark.neuron
def test_an_assigned_alone_going_nan_is_no_failure(mod_dir, tmp_path):
    """NEURON and bridge both run to the end; v is NEURON's (1e-9 mV) and the ASSIGNED reads NaN."""
    text = "dend.tnan_nanasg(0.7) = 2.01\nrun()\nprintf(\"%.12f %.12f %g\\n\", soma.v(0.5), dend.v(0.7), " \
           "dend.a_nanasg(0.7))\n"
    theirs, first = _neuron(mod_dir, tmp_path, text)
    ours = _bridge(mod_dir, tmp_path, text).splitlines()
    assert first == {}  # v and the STATEs stay finite in NEURON
    (ref,) = [ln.split() for ln in theirs if ln.count(" ") == 2]
    (got,) = [ln.split() for ln in ours if ln.count(" ") == 2]
    assert ref[2].lstrip("-") == got[2].lstrip("-") == "nan"
    assert max(abs(float(a) - float(b)) for a, b in zip(ref[:2], got[:2])) <= 1e-9
