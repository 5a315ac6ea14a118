"""`nrn_ghk(v, ci, co, z)`: NEURON's GHK current function (eion.cpp), called from a mechanism, against NEURON."""

from __future__ import annotations

import pytest

GHK_CHANNEL = """
NEURON {
    SUFFIX cghk
    USEION ca READ cai, cao WRITE ica
    RANGE pcabar
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (mM) = (milli/liter) }
PARAMETER { pcabar = 2e-4 (cm/s) }
ASSIGNED { v (mV) ica (mA/cm2) cai (mM) cao (mM) minf }
STATE { m }
INITIAL { rates(v) m = minf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = pcabar * m * m * nrn_ghk(v, cai, cao, 2)
}
DERIVATIVE states { rates(v) m' = (minf - m) / 1.5 }
PROCEDURE rates(v (mV)) { minf = 1 / (1 + exp(-(v + 20) / 6)) }
"""

POOL = """
NEURON { SUFFIX cpool USEION ca READ ica WRITE cai RANGE tau }
UNITS { (mA) = (milliamp) (mM) = (milli/liter) FARADAY = (faraday) (coulomb) }
PARAMETER { tau = 20 (ms) depth = 0.1 (um) cainf = 5e-5 (mM) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = cainf }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { cai' = -ica * 1e4 / (2 * FARADAY * depth) - (cai - cainf) / tau }
"""


@pytest.mark.neuron
@pytest.mark.parametrize("celsius", [6.3, 34.0])
def test_nrn_ghk_current_matches_neuron(tmp_path, celsius):
    """A calcium channel written with nrn_ghk and a pool that moves cai: v (through spikes of hh) and
    ica follow NEURON's at both temperatures (nrn_ghk reads celsius), including v near 0 where
    efun switches to its series."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "cghk.mod").write_text(GHK_CHANNEL)
    (tmp_path / "mod" / "cpool.mod").write_text(POOL)
    (tmp_path / "cell.hoc").write_text(
        f"celsius = {celsius}\n"
        "create soma\nsoma { L = 20 diam = 20 insert hh insert cghk insert cpool }\n"
        "objref stim\nsoma stim = new IClamp(0.5)\nstim.del = 2\nstim.dur = 20\nstim.amp = 0.3\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 30.0}, mechanisms=tmp_path / "mod", atol=1e-9)


def test_nrn_ghk_takes_four_arguments():
    from bridge.errors import SemanticError
    from bridge.nmodl.load import load_text

    with pytest.raises(SemanticError, match=r"nrn_ghk\(\) takes 4 arguments"):
        load_text(GHK_CHANNEL.replace("nrn_ghk(v, cai, cao, 2)", "nrn_ghk(v, cai, cao)"), "cghk.mod")
