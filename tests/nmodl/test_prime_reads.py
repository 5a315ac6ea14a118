"""`x'` read on a right-hand side inside a DERIVATIVE block (ModelDB 126467's Cont.mod:
`Qd1 = (1e+6)*(Yd * (X')^2 * TA)` after `X' = ...`, METHOD derivimplicit): nocmodl reads the stored
derivative `Dx` that the block's `x' = e` just set (bridge.nmodl.analysis.prime_reads). Against NEURON
9.0.2: derivimplicit, euler and a METHOD cnexp that nocmodl turns into derivimplicit, each with the read
derivative driving a current; and the reads bridge refuses."""

from __future__ import annotations

import textwrap

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import translate
from bridge.testing import assert_matches_neuron

# the read of x' feeds an ASSIGNED, another STATE and the current, so a wrong value moves v
MECH = """
NEURON {{
    SUFFIX {suffix}
    NONSPECIFIC_CURRENT i
    RANGE g, q, w
}}
PARAMETER {{ g = 0.002 (S/cm2) tau = 3 (ms) k = 0.05 }}
ASSIGNED {{ v (mV) i (mA/cm2) q w }}
STATE {{ x z }}
INITIAL {{ x = 0 z = 0 }}
BREAKPOINT {{
    SOLVE st METHOD {method}
    i = g*(z + 0.2*w)*(v + 70)
}}
DERIVATIVE st {{
    x' = ({rhs} - x)/tau
    q = k*(x')^2
    if (x' > 0) {{ w = x' }} else {{ w = -0.5*x' }}
    z' = q - z/tau + 0.01*x'
}}
"""

HOC = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh insert pd insert pe insert pf }
dend { L = 200 diam = 2 nseg = 3 insert pas g_pas = 1e-4 e_pas = -65 insert pd g_pd = 0.004 }
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 30
stim.amp = 0.2
tstop = 40
"""


@pytest.mark.neuron
def test_derivative_read_matches_neuron(tmp_path):
    cases = (("pd", "derivimplicit", "v + 65"), ("pe", "euler", "v + 65"),
             ("pf", "cnexp", "(v + 65)*exp(-x/50)"))  # not linear in x: nocmodl runs derivimplicit
    for suffix, method, rhs in cases:
        (tmp_path / f"{suffix}.mod").write_text(textwrap.dedent(MECH.format(suffix=suffix, method=method, rhs=rhs)))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(HOC))
    protocol = {"tstop": 40, "dt": 0.025, "v_init": -65, "default_steps": False,
                "recordings": ["soma(0.5).v", "dend(0.5).v", "soma(0.5).q_pd", "soma(0.5).w_pe",
                               "soma(0.5).z_pf", "dend(0.9).q_pd"]}
    result = assert_matches_neuron(tmp_path / "model.hoc", protocol, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    values = result.neuron.values
    for label in ("soma(0.5).q_pd", "soma(0.5).w_pe", "soma(0.5).z_pf"):
        column = [row[result.neuron.labels.index(label)] for row in values]
        assert max(column) > 1e-3  # the read derivative is not 0: a run that read 0 would fail here


REFUSED = """
NEURON {{ SUFFIX r RANGE q }}
ASSIGNED {{ v (mV) q }}
STATE {{ x z }}
BREAKPOINT {{ SOLVE st METHOD {method} }}
DERIVATIVE st {{
{body}
}}
"""


@pytest.mark.parametrize("method, body, message", [
    ("cnexp", "x' = -x\n q = x'\n z' = -z", "x' read on a right-hand side in METHOD cnexp"),
    ("derivimplicit", "q = x'\n x' = -x\n z' = -z", "x' read before the DERIVATIVE block assigns it"),
    ("derivimplicit", "x' = -x + x'\n z' = -z", "x' read before the DERIVATIVE block assigns it"),
    ("euler", "if (q > 0) { x' = -x } else { x' = x }\n q = x'\n z' = -z",
     "x' read before the DERIVATIVE block assigns it"),
])
def test_refused_derivative_reads(method, body, message):
    text = textwrap.dedent(REFUSED.format(method=method, body=body))
    with pytest.raises(UnsupportedFeature, match=message) as info:
        translate(text, filename="r.mod")
    assert "r.mod:" in str(info.value)


def test_derivative_read_outside_its_block_is_refused():
    # nocmodl accepts it (the stored Dx: what the last evaluation left); bridge keeps no such value
    text = textwrap.dedent(REFUSED.format(method="derivimplicit", body="x' = -x\n z' = -z"))
    text = text.replace("SOLVE st METHOD derivimplicit }", "SOLVE st METHOD derivimplicit\n q = x' }")
    assert "q = x'" in text
    with pytest.raises(UnsupportedFeature, match="x' read outside the DERIVATIVE block") as info:
        translate(text, filename="r.mod")
    assert "r.mod:6:" in str(info.value)
