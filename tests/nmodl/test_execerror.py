"""`hoc_execerror()` written in NMODL outside VERBATIM. NEURON 9.0.2 stops the run where a block reaches it
(nrnivmodl compiles it only with two string arguments in a mechanism that is not THREADSAFE; a THREADSAFE one
does not compile); bridge ran it as a no-op, so a run NEURON stops went on. Now it is refused at translation,
naming the .mod line; the NEURON test shows the run it would have gone on with is one NEURON stops."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text

# not THREADSAFE (it assigns a GLOBAL), so nrnivmodl compiles the call
MECH = """
NEURON { SUFFIX ee RANGE lim GLOBAL cnt }
PARAMETER { lim = -20 (mV) }
ASSIGNED { v (mV) cnt }
BREAKPOINT {
    cnt = cnt + 1
    if (v > lim) { hoc_execerror("v above lim", "ee.mod") }
}
"""

RUN = """
import sys
from neuron import h
h.nrn_load_dll(sys.argv[1])
s = h.Section(name="soma")
s.L = s.diam = 10
s.insert("hh")
s.insert("ee")
stim = h.IClamp(s(0.5))
stim.delay, stim.dur, stim.amp = 1, 5, 0.5
h.finitialize(-65)
try:
    while h.t < 10:
        h.fadvance()
    print("ran", h.t)
except RuntimeError as e:
    print("stopped", h.t, s(0.5).v, e)
"""


def test_execerror_refused_with_its_line():
    with pytest.raises(UnsupportedFeature, match="hoc_execerror\\(\\) in NMODL") as info:
        analyze_text(textwrap.dedent(MECH), "ee.mod")
    assert info.value.location.filename == "ee.mod" and info.value.location.line == 7


def test_own_function_named_execerror_is_not_refused():
    text = textwrap.dedent(MECH).replace('hoc_execerror("v above lim", "ee.mod")', "cnt = hoc_execerror(v)")
    text += "FUNCTION hoc_execerror(x) { hoc_execerror = x }\n"
    analyze_text(text, "ee.mod")


@pytest.mark.neuron
def test_neuron_stops_where_execerror_is_reached(tmp_path):
    from validation.neuron_run import compile_mod_files

    (tmp_path / "ee.mod").write_text(textwrap.dedent(MECH))
    lib = compile_mod_files([tmp_path / "ee.mod"])
    (tmp_path / "run.py").write_text(textwrap.dedent(RUN))
    out = subprocess.run([sys.executable, str(tmp_path / "run.py"), str(lib)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    line = next(x for x in out.stdout.splitlines() if x.startswith(("ran", "stopped")))
    word, t, v = line.split()[:3]
    assert word == "stopped" and 1.0 < float(t) < 10.0  # in the spike, not at the end of the run
    assert float(v) > -20.0
    assert "v above lim" in line
