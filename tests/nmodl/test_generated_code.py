"""Generated mechanism code reads cleanly: ruff finds no unused import or name, no shadowed builtin,
and the imports in isort's order (what `bridge translate` prints for bridge's built-ins, the
examples, NEURON's own .mod files and one file per construct)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from bridge.errors import BridgeError
from bridge.nmodl.load import BUILTIN_DIR, translate
from tests.nmodl._corpus import example_mod_files, wheel_mod_files

# Constructs the built-ins and examples do not all have: WHILE, FROM, LOCAL arrays, KINETIC with
# COMPARTMENT and CONSERVE, STEADYSTATE, LINEAR, NONLINEAR, a FUNCTION with side effects, a
# tabulated FUNCTION, a PROCEDURE without arguments, NET_RECEIVE, METHOD euler and a cnexp
# block nocmodl cannot integrate that way.
CONSTRUCTS = {
    "loops.mod": """
NEURON { SUFFIX loops RANGE g NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 }
ASSIGNED { v i a[3] }
BREAKPOINT { LOCAL k, b[2]
    k = 0
    FROM j = 0 TO 2 { a[j] = j*g }
    WHILE (k < 3) { k = k + 1 }
    b[1] = k
    i = g*(v + 70) + a[2]*b[1]*0 + side(1) + tab(v)*0
    reset()
}
FUNCTION side(x) { a[0] = x  side = x }
FUNCTION tab(x) { TABLE FROM -100 TO 100 WITH 20  tab = exp(x/100) }
PROCEDURE reset() { a[1] = 0 }
""",
    "scheme.mod": """
NEURON { SUFFIX scheme USEION ca READ cai WRITE ica RANGE kf }
PARAMETER { kf = 0.1 kb = 0.2 }
ASSIGNED { v ica cai }
STATE { c o }
INITIAL { SOLVE kin STEADYSTATE sparse }
BREAKPOINT { SOLVE kin METHOD sparse  ica = o*(v - 50)*1e-3 }
KINETIC kin { COMPARTMENT 2 { c o }  ~ c <-> o (kf*cai, kb)  CONSERVE c + o = 1 }
""",
    "systems.mod": """
NEURON { SUFFIX systems NONSPECIFIC_CURRENT i }
ASSIGNED { v i }
STATE { x y z w }
BREAKPOINT { SOLVE lin  SOLVE non  SOLVE ode METHOD euler  SOLVE odd METHOD cnexp  i = (x + y + z + w)*1e-6 }
LINEAR lin { ~ 2*x + y = 1  ~ x - y = 0 }
NONLINEAR non { ~ z*z*z + z = 2 }
DERIVATIVE ode { w' = -w }
DERIVATIVE odd { z' = -z*z }
""",
    "events.mod": """
NEURON { POINT_PROCESS events RANGE tau NONSPECIFIC_CURRENT i }
PARAMETER { tau = 2 }
ASSIGNED { v i }
STATE { g }
BREAKPOINT { SOLVE st METHOD cnexp  i = g*v }
DERIVATIVE st { g' = -g/tau }
NET_RECEIVE(w) { INITIAL { w = 1 }  g = g + w }
""",
}

RULES = "F,A,I,E9"  # pyflakes (unused imports and names, undefined names), shadowed builtins, import order


def _sources(tmp_path):
    files = sorted(BUILTIN_DIR.glob("*.mod")) + example_mod_files() + wheel_mod_files()
    texts = [(f.name, f.read_text(errors="replace")) for f in files] + list(CONSTRUCTS.items())
    out = []
    for name, text in texts:
        try:
            source = translate(text, name)
        except BridgeError:  # what bridge refuses has no source to read
            continue
        path = tmp_path / f"{len(out):03d}_{name.replace('.', '_')}.py"
        path.write_text(source)
        out.append(path)
    return out


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed (the test extra has it)")
def test_generated_code_passes_ruff(tmp_path):
    paths = _sources(tmp_path)
    assert len(paths) >= 14 + len(CONSTRUCTS)
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", RULES,
                          "--output-format", "concise", "--no-cache", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_each_construct_translates():
    for name, text in CONSTRUCTS.items():
        assert "MECHANISM = TranslatedMechanism.from_module(globals())" in translate(text, name), name
