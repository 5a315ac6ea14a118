"""MechanismType(0) lists NEURON's density mechanisms and ions, in NEURON's order, for our own .mod files:
NEURON's built-ins, then file by file each new ion (USEION) and the density mechanism; point processes
add their ions only; the selection starts at the first, an unknown name keeps it. Printed by NEURON 9
(the files compiled with nrnivmodl) and by bridge."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from bridge import HocSession

MODS = {
    "achan.mod": """NEURON { SUFFIX achan USEION ca READ eca WRITE ica RANGE g }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
BREAKPOINT { ica = g*(v - eca) }
""",
    "bsyn.mod": """NEURON { POINT_PROCESS bsyn USEION cl READ ecl WRITE icl VALENCE -1 RANGE g }
PARAMETER { g = 0.001 (uS) }
ASSIGNED { v (mV) ecl (mV) icl (nA) }
BREAKPOINT { icl = g*(v - ecl) }
""",
    "cleak.mod": """NEURON { SUFFIX cleak NONSPECIFIC_CURRENT i RANGE g }
PARAMETER { g = 0.0001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v + 70) }
""",
    "dmix.mod": """NEURON { SUFFIX dmix USEION k READ ek WRITE ik USEION mg READ mgo VALENCE 2 USEION cl READ ecl }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) mgo (mM) ecl (mV) }
BREAKPOINT { ik = g*(v - ek)*mgo/(1 + mgo) + 0*ecl }
""",
}

HOC = """objref mt
strdef s
mt = new MechanismType(0)
mt.selected(s)
print s
print mt.count()
for i = 0, mt.count() - 1 { mt.select(i) mt.selected(s) print s }
mt.select(2)
mt.select("cleak")
mt.selected(s)
print s
mt.select("no_such_type")
mt.selected(s)
print s
"""


@pytest.mark.neuron
@pytest.mark.parametrize("with_mods", [False, True])
def test_density_mechanism_types_match_neuron(tmp_path, with_mods):
    from validation.neuron_run import compile_mod_files

    mod = tmp_path / "mod"
    mod.mkdir()
    if with_mods:
        for name, text in MODS.items():
            (mod / name).write_text(text)
    path = tmp_path / "mt.hoc"
    path.write_text(HOC)
    library = str(compile_mod_files(sorted(mod.glob("*.mod")))) if with_mods else ""
    code = ("import sys\nfrom neuron import h\nif sys.argv[1]:\n    h.nrn_load_dll(sys.argv[1])\n"
            f"h.load_file({str(path)!r})\n")
    proc = subprocess.run([sys.executable, "-c", code, library], capture_output=True, text=True, timeout=300)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(mod, cwd=tmp_path, stdout=out).load_file(path)
    assert out.getvalue().splitlines() == theirs
    assert len(theirs) > 9, proc.stderr[-2000:]
