"""LINEAR blocks solved as NEURON solves them (nocmodl's augmented matrix, scopmath simeq): stiff clamp
circuits written for this test (gain 1e5, coefficients from 1e-5 to 1e5), a 2x2 block and a 3x3 block whose
first column needs a row swap, driven in a cell run against NEURON 9; v to 1e-9 mV and the LINEAR unknowns
to 1e-12 relative."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.runtime.simeq import simeq
from tests.hoc.test_live_run import CELL, _both, _same_vectors

CLAMP2 = """
NEURON { POINT_PROCESS Lin2  ELECTRODE_CURRENT i  RANGE stim, gain, fac, rstim, i, e, vo }
PARAMETER { stim = -20 (mV)  gain = 1e5  fac = 1e-5  rstim = 1e6 (megohm) }
ASSIGNED { v (mV)  i (nA) }
STATE { e (mV)  vo (mV) }
BREAKPOINT {
    SOLVE amp
    i = (vo - v)/rstim
}
LINEAR amp {
    ~ gain*e + vo = 0
    ~ e - fac*vo = v - fac*v - stim
}
"""

CLAMP3 = """
NEURON { POINT_PROCESS Lin3  ELECTRODE_CURRENT i  RANGE stim, gain, fac, k, rstim, i, e, vo, vi }
PARAMETER { stim = -20 (mV)  gain = 1e5  fac = 1e-5  k = 1e-5  rstim = 1e6 (megohm) }
ASSIGNED { v (mV)  i (nA) }
STATE { e (mV)  vo (mV)  vi (mV) }
BREAKPOINT {
    SOLVE amp
    i = (vo - v)/rstim
}
LINEAR amp {
    LOCAL d
    d = v - fac*v
    ~ k*vi - e*k = stim*k
    ~ vi - fac*vo = d
    ~ 2*vo/2 + gain*e = 0
}
"""


def _run(tmp_path, name, text):
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / f"{name.lower()}.mod").write_text(text)
    return _both(tmp_path, CELL + f"""
        objref lc, ev, vov
        soma lc = new {name}(0.5)
        ev = new Vector()
        ev.record(&lc.e)
        vov = new Vector()
        vov.record(&lc.vo)
        lc.stim = 30
        tstop = 5
        run()
    """, vectors=("vs", "vd", "tv", "ev", "vov"), mod_dir=mods)


@pytest.mark.neuron
@pytest.mark.parametrize("name, text", [("Lin2", CLAMP2), ("Lin3", CLAMP3)])
def test_stiff_linear_block_matches_neuron(tmp_path, name, text):
    _, ref, _, vecs, _ = _run(tmp_path, name, text)
    unknowns = {k: (ref.pop(k), vecs.pop(k)) for k in ("ev", "vov")}
    assert np.all(np.isfinite(ref["vs"])) and np.ptp(ref["vs"]) > 50  # the clamp drives the soma
    _same_vectors(ref, vecs)
    for k, (want, got) in unknowns.items():
        scale = float(np.max(np.abs(want)))
        print(f"{k}: max relative difference {float(np.max(np.abs(got - want))) / scale:.3g}")
        assert np.max(np.abs(got - want)) <= 1e-12 * scale, k


def test_simeq_pivots_and_reports_a_singular_matrix():
    x = simeq([[1e-5, 1.0, 2.0], [1.0, 1.0, 3.0]])
    assert np.allclose([float(v) for v in x], np.linalg.solve([[1e-5, 1.0], [1.0, 1.0]], [2.0, 3.0]), rtol=1e-15)
    assert all(np.isnan(float(v)) for v in simeq([[1.0, 2.0, 1.0], [2.0, 4.0, 1.0]]))


@pytest.mark.parametrize("equation, message", [("~ 2*e*vo = 1", "more than one unknown"),
                                               ("~ exp(e) + vo = 1", "inside parentheses, a function call"),
                                               ("~ 1/e + vo = 1", "denominator")])
def test_terms_nocmodl_refuses_are_refused(equation, message):
    from bridge.nmodl.load import translate

    with pytest.raises(UnsupportedFeature, match=message):
        translate(CLAMP2.replace("~ gain*e + vo = 0", equation), "lin2.mod")
