"""ion_style() as a model sets it, against NEURON 9: every combination models use, per section.

Our own three mechanisms (written here): `caohm` (READ eca WRITE ica: an ohmic calcium
current, so eca moves v), `capool` (READ ica WRITE cai, INITIAL cai = 2e-4 mM, which is not
cai0, so NEURON's nrn_wrote_conc after INITIAL shows) and `careader` (READ cai only). Each
case is a HOC cell run by `bridge validate`'s machinery on both sides; v everywhere, eca and
cai at the soma must agree to 1e-9 (mV; relative for cai and eca).
"""

from __future__ import annotations

import numpy as np
import pytest

from bridge.testing import assert_matches_neuron

pytestmark = pytest.mark.neuron

MODS = {
    "caohm.mod": """
NEURON { SUFFIX caohm USEION ca READ eca WRITE ica RANGE g }
UNITS { (mA) = (milliamp) (mV) = (millivolt) }
PARAMETER { g = 2e-4 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) }
BREAKPOINT { ica = g*(v - eca) }
""",
    "capool.mod": """
NEURON { SUFFIX capool USEION ca READ ica WRITE cai RANGE tau }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) }
PARAMETER { tau = 20 (ms) cainf = 5e-5 (mM) k = 0.05 (mM cm2/mA/ms) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = 2e-4 }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { cai' = -k*ica - (cai - cainf)/tau }
""",
    "careader.mod": """
NEURON { SUFFIX careader USEION ca READ cai RANGE c }
UNITS { (mM) = (milli/liter) }
ASSIGNED { cai (mM) c (mM) }
BREAKPOINT { c = cai }
""",
}

CELL = """
create soma, dend
connect dend(0), soma(1)
soma {
    L = 20
    diam = 20
    insert hh
    insert caohm
}
dend {
    L = 200
    diam = 2
    nseg = 5
    insert pas
    insert caohm
    g_caohm = 1e-4
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 30
stim.amp = 0.3
tstop = 40
"""

CASES = {
    # the model: eca set by hand stays fixed although capool writes cai
    "fixed_e_with_pool": "forall insert capool\nforall eca = 140\nforall ion_style(\"ca_ion\", 0, 1, 0, 0, 0)\n",
    # full dynamics where only a reader is present: cinit resets cai, eca Nernst every step
    "full_on_reader": "forall insert careader\nforall cai = 1e-3\nforall ion_style(\"ca_ion\", 3, 2, 1, 1, 1)\n",
    # einit only: Nernst at init (after capool's INITIAL, nrn_wrote_conc), then eca stays
    "einit_only_with_pool": "forall insert capool\nforall ion_style(\"ca_ion\", 1, 2, 1, 0, 0)\n",
    # no init, no advance: the hand-set cai and the default eca both kept
    "constant_with_reader": "forall insert careader\nforall cai = 1e-3\nforall ion_style(\"ca_ion\", 2, 1, 0, 0, 0)\n",
    # cinit alone: concentrations reset to cai0, the hand-set eca kept
    "cinit_only_with_reader": ("forall insert careader\nforall cai = 1e-3\nforall eca = 140\n"
                               "forall ion_style(\"ca_ion\", 3, 1, 0, 0, 1)\n"),
    # c_style 1, e_style 0: no flag at all
    "no_flags_with_reader": "forall insert careader\nforall cai = 1e-3\nforall ion_style(\"ca_ion\", 1, 0, 0, 0, 0)\n",
    # the mechanisms' own promotion (no ion_style): capool promotes ca to (3, 2, 1, 1, 1)
    "promoted_by_pool": "forall insert capool\nforall eca = 140\n",
    # ion_style before capool is inserted: the insert promotes the style again
    "style_then_insert": "forall eca = 140\nforall ion_style(\"ca_ion\", 0, 1, 0, 0, 0)\nforall insert capool\n",
    # `sec ion_style(...)`: only dend keeps eca fixed, soma follows its pool
    "per_section": "forall insert capool\nforall eca = 140\ndend ion_style(\"ca_ion\", 0, 1, 0, 0, 0)\n",
}


def _model(folder, body: str):
    for name, text in MODS.items():
        (folder / name).write_text(text)
    hoc = folder / "init.hoc"
    hoc.write_text(CELL + body)
    return hoc


@pytest.mark.parametrize("case", sorted(CASES))
def test_ion_style_matches_neuron(tmp_path, case):
    hoc = _model(tmp_path, CASES[case])
    result = assert_matches_neuron(hoc, {"recordings": ["soma(0.5).eca", "soma(0.5).cai", "dend(0.5).eca"]},
                                   mechanisms=tmp_path)
    print(f"{case}: max |dV| {result.comparison.max_dv:.3g} mV")
    soma_eca, cai, dend_eca = (result.neuron.trace(p) for p in ("soma(0.5).eca", "soma(0.5).cai", "dend(0.5).eca"))
    moves = bool(np.ptp(soma_eca) > 0.0)
    # what NEURON did, so that each case tests what its style means
    if case in ("fixed_e_with_pool", "per_section"):
        assert np.all(dend_eca == 140.0) and moves == (case == "per_section")
    elif case == "full_on_reader":
        assert np.all(cai == 5e-5) and not moves  # cinit reset the hand-set 1e-3 to cai0
    elif case == "cinit_only_with_reader":
        assert np.all(cai == 5e-5) and np.all(soma_eca == 140.0)
    elif case in ("constant_with_reader", "no_flags_with_reader"):
        assert np.all(cai == 1e-3) and not moves and soma_eca[0] == pytest.approx(132.4579, abs=1e-3)
    elif case == "einit_only_with_pool":
        assert not moves and np.ptp(cai) > 1e-5 and soma_eca[0] != pytest.approx(132.4579, abs=1e-3)
    else:
        assert moves


QUERY = """
soma q0 = ion_style("ca_ion")
soma insert capool
soma q1 = ion_style("ca_ion")
soma q2 = ion_style("ca_ion", 0, 1, 0, 0, 0)
soma q3 = ion_style("ca_ion")
soma q4 = ion_style("na_ion")
dend q5 = ion_style("na_ion")
dend q6 = ion_style("ca_ion", 1, 2, 1, 1, 1)
dend insert careader
dend q7 = ion_style("ca_ion")
"""


def test_ion_style_query_matches_neuron(tmp_path):
    """What ion_style() returns (the old style, -1 where the section has no such ion), bit for bit."""
    import subprocess
    import sys

    import bridge
    from validation.neuron_run import compile_mod_files

    hoc = _model(tmp_path, QUERY)
    session = bridge.HocSession(mechanisms=tmp_path, cwd=tmp_path)
    session.load_file(hoc)
    ours = [getattr(session, f"q{i}") for i in range(8)]
    lib = compile_mod_files(sorted(tmp_path.glob("*.mod")))
    script = (f"from neuron import h\nh.nrn_load_dll({str(lib)!r})\nh.load_file({str(hoc)!r})\n"
              "print(' '.join(repr(getattr(h, f'q{i}')) for i in range(8)))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    theirs = [float(x) for x in out.stdout.split()[-8:]]
    assert ours == theirs
    assert -1.0 in theirs and 0o367 in theirs  # absent ion, full promotion: the cases really differ


PP_WITH_ION = """
NEURON { POINT_PROCESS capp USEION ca READ eca WRITE ica RANGE g }
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { g = 1e-4 (uS) }
ASSIGNED { v (mV) eca (mV) ica (nA) }
BREAKPOINT { ica = g*(v - eca) }
"""


@pytest.mark.parametrize("x", ["0", "1"])
def test_point_process_with_an_ion_at_an_end_is_an_error_as_in_neuron(tmp_path, x):
    import subprocess
    import sys

    import bridge
    from bridge.errors import HocError
    from validation.neuron_run import compile_mod_files

    (tmp_path / "capp.mod").write_text(PP_WITH_ION)
    hoc = tmp_path / "init.hoc"
    hoc.write_text(f"create dend\nobjref pp\ndend pp = new capp({x})\nok = 1\n")
    with pytest.raises(HocError, match="position 0 or 1"):
        bridge.load_hoc(hoc, mechanisms=tmp_path)
    lib = compile_mod_files([tmp_path / "capp.mod"])
    script = (f"from neuron import h\nh.nrn_load_dll({str(lib)!r})\n"
              f"h.load_file({str(hoc)!r})\nprint('ok' if h.ok == 1 else 'stopped')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "can't be inserted in this node" in out.stderr + out.stdout


def test_section_tree_ion_style_matches_neuron(tmp_path):
    """A Python-built SectionTree with `Section.ion_styles` set: NEURON's side applies the same style."""
    from bridge.mechanisms.ions import style_bits
    from bridge.morphology.tree import SectionTree

    for name in ("caohm.mod", "capool.mod"):
        (tmp_path / name).write_text(MODS[name])
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20)
    for mech in ("hh", "caohm", "capool"):
        soma.insert(mech)
    soma.insert("ca_ion", eca=140.0)
    soma.ion_styles["ca"] = style_bits(0, 1, 0, 0, 0)
    protocol = {"tstop": 20.0, "stimuli": [{"section": "soma", "delay": 1, "dur": 10, "amp": 0.3}],
                "recordings": ["soma(0.5).eca", "soma(0.5).cai"]}
    result = assert_matches_neuron(tree, protocol, mechanisms=sorted(tmp_path.glob("*.mod")))
    assert np.all(result.neuron.trace("soma(0.5).eca") == 140.0)
    assert np.ptp(result.neuron.trace("soma(0.5).cai")) > 0
