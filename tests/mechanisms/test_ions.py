"""bridge.mechanisms.ions: NEURON's ion defaults, Nernst and ion_style rules, checked against NEURON 9."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np
import pytest

from bridge.mechanisms import ions
from bridge.mechanisms.protocol import IonUse
from bridge.model import Model, Simulation
from tests.solver import models
from tests.solver.neuron_ref import run_neuron

TOL = 1e-9  # [mV]


def test_constants_are_neuron_9s():
    assert ions.FARADAY == 96485.33212331001  # h.FARADAY in NEURON 9.0.2
    assert ions.GAS_CONSTANT == 8.31446261815324  # h.R


def test_defaults():
    assert ions.ion_defaults("na") == ions.IonDefaults(1.0, 50.0, 10.0, 140.0)
    assert ions.ion_defaults("k") == ions.IonDefaults(1.0, -77.0, 54.4, 2.5)
    ca = ions.ion_defaults("ca")
    assert ca.valence == 2.0 and ca.ci == 5e-5 and ca.co == 2.0
    assert abs(ca.e - 132.4579341637009) < 1e-12  # 12.5*ln(2/5e-5), a fixed default
    assert ions.ion_defaults("x", valence=-1) == ions.IonDefaults(-1.0, 0.0, 1.0, 1.0)
    # no VALENCE anywhere: NEURON 9 registers the ion with its sentinel charge and runs
    assert ions.ion_defaults("x") == ions.IonDefaults(-10000.0, 0.0, 1.0, 1.0)


# A new ion that no USEION gives a VALENCE (golding-neuron's leak_hcn.mod reads eh, writes ih).
NO_VALENCE_MOD = """
NEURON { SUFFIX hleak  USEION hh READ ehh WRITE ihh  RANGE g }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 2e-4 (S/cm2) }
ASSIGNED { v (mV) ehh (mV) ihh (mA/cm2) }
INITIAL { ehh = -30 }
BREAKPOINT { ihh = g*(v - ehh) }
"""


@pytest.mark.neuron
def test_an_ion_without_valence_runs_as_in_neuron(tmp_path):
    from validation.single_mechanism import validate_mod

    mod = tmp_path / "hleak.mod"
    mod.write_text(NO_VALENCE_MOD)
    result = validate_mod(mod)
    assert result.status == "pass", result.line()
    assert result.max_dv <= 1e-9


def test_nernst():
    assert abs(float(ions.nernst(10.0, 140.0, 1.0, 6.3)) - 63.5515032) < 1e-7  # docs/numerics.md, section 5
    assert float(ions.nernst(0.0, 1.0, 1.0, 6.3)) == 1e6
    assert float(ions.nernst(1.0, 0.0, 1.0, 6.3)) == -1e6


def test_style_rules():
    n = 4
    read_e = ions.ion_style("na", 1, n, [(np.array([0, 1]), ("ena",), ("ina",))])
    assert not read_e.einit.any() and not read_e.cinit.any() and not read_e.eadvance.any()
    reads_c = ions.ion_style("na", 1, n, [(np.array([0, 1]), ("ena",), ("ina",)), (np.array([1]), ("nai",), ())])
    assert reads_c.einit.tolist() == [False, True, False, False] and not reads_c.eadvance.any()
    writes_c = ions.ion_style("ca", 2, n, [(np.array([2, 3]), ("ica",), ("cai",))])
    expected = [False, False, True, True]
    assert writes_c.cinit.tolist() == writes_c.eadvance.tolist() == writes_c.einit.tolist() == expected
    writes_e = ions.ion_style("ca", 2, n, [(np.array([2]), ("cai",), ("cai", "eca"))])
    assert not writes_e.einit.any() and not writes_e.eadvance.any() and writes_e.cinit[2]


@pytest.mark.neuron
def test_hh_alone_keeps_ena_ek():
    tree = models.hh_soma()
    probes = [("soma", 0.5, "ena"), ("soma", 0.5, "ek"), ("soma", 0.5, "ina"), ("soma", 0.5, "ik")]
    ours = np.asarray(Simulation(Model(tree, tstop=15.0), record=probes).run().values)
    _, theirs = run_neuron(tree, probes, tstop=15.0)
    assert (ours[:, 0] == 50.0).all() and (ours[:, 1] == -77.0).all()
    np.testing.assert_array_equal(ours[:, :2], theirs[:, :2])
    np.testing.assert_allclose(ours[:, 2:], theirs[:, 2:], rtol=1e-9, atol=1e-13)


@pytest.mark.neuron
def test_user_ena_per_segment():
    """ena set through the tree (sec.mechanisms['na_ion']['ena']) on one segment, as `seg.ena = ...` in NEURON."""
    tree = models.branched_hh(nsec=6, seed=4)
    tree["dend1"].insert("na_ion")
    tree["dend1"].set_range("na_ion", "ena", 40.0, x=0.1)
    tree["soma"].insert("na_ion", ena=60.0)
    probes = [("soma", 0.5, "v"), ("dend1", 0.1, "v"), ("dend1", 0.1, "ena"), ("dend1", 0.9, "ena")]
    ours = np.asarray(Simulation(Model(tree, tstop=8.0), record=probes).run().values)
    _, theirs = run_neuron(tree, probes, tstop=8.0)
    assert ours[0, 2] == 40.0 and ours[0, 3] == 50.0
    assert np.abs(ours - theirs).max() <= TOL


@dataclass(frozen=True)
class NaAccumulator:
    """Test mechanism equal to naacc.mod below: READ ina, WRITE nai; SOLVE acc: nai = nai - dt*k*ina."""

    name: str = "naacc"
    kind: str = "density"
    electrode_current: bool = False
    range_parameters: dict = field(default_factory=lambda: {"k": 1.0})
    global_parameters: dict = field(default_factory=dict)
    state_defaults: dict = field(default_factory=dict)
    states: tuple = ()
    ions: tuple = (IonUse("na", read=("ina",), write=("nai",)),)

    def prepare(self, env):
        return None

    def init(self, params, state, v, ions_, env):
        return state, {}

    def current(self, params, state, v, ions_, env):
        return 0.0 * v, {}, state

    def advance(self, params, state, v, ions_, env):
        return state, {"nai": ions_["nai"] - env.dt * params["k"] * ions_["ina"]}


@dataclass(frozen=True)
class NaReader(NaAccumulator):
    """READ nai only: NEURON then computes ena by Nernst once, at finitialize."""

    name: str = "nareader"
    ions: tuple = (IonUse("na", read=("nai",)),)

    def advance(self, params, state, v, ions_, env):
        return state, {}


NAACC_MOD = """
NEURON {
    SUFFIX naacc
    USEION na READ ina WRITE nai
    RANGE k
}
PARAMETER { k = 1 }
ASSIGNED { ina (mA/cm2) nai (mM) }
BREAKPOINT { SOLVE acc }
PROCEDURE acc() { nai = nai - dt*k*ina }
"""
NAREADER_MOD = """
NEURON {
    SUFFIX nareader
    USEION na READ nai
    RANGE k
}
PARAMETER { k = 1 }
ASSIGNED { nai (mM) }
"""


@pytest.fixture(scope="module")
def mech_dll(tmp_path_factory):
    nrnivmodl = shutil.which("nrnivmodl") or os.path.join(os.path.dirname(os.sys.executable), "nrnivmodl")
    if not os.path.exists(nrnivmodl):
        pytest.skip("nrnivmodl not available")
    d = tmp_path_factory.mktemp("ionmods")
    (d / "naacc.mod").write_text(NAACC_MOD)
    (d / "nareader.mod").write_text(NAREADER_MOD)
    proc = subprocess.run([nrnivmodl, "naacc.mod", "nareader.mod"], cwd=d, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return d / "x86_64" / "libnrnmech.so"


@pytest.mark.neuron
def test_reading_a_concentration_sets_e_by_nernst_once(mech_dll):
    tree = models.hh_soma()
    tree["soma"].insert("nareader")
    probes = [("soma", 0.5, "v"), ("soma", 0.5, "ena"), ("soma", 0.5, "nai")]
    mechs = {"nareader": NaReader()}
    ours = np.asarray(Simulation(Model(tree, mechanisms=mechs, tstop=15.0), record=probes).run().values)
    _, theirs = run_neuron(tree, probes, tstop=15.0, dlls=[mech_dll])
    assert abs(ours[0, 1] - 63.5515032) < 1e-7  # Nernst(10, 140) at 6.3 degC
    assert np.abs(ours[:, 0] - theirs[:, 0]).max() <= TOL
    np.testing.assert_array_equal(ours[:, 1:], theirs[:, 1:])


@pytest.mark.neuron
@pytest.mark.parametrize("secondorder", [0, 2])
def test_writing_a_concentration_resets_and_advances_e(mech_dll, secondorder):
    """naacc writes nai: cinit (nai = nai0_na_ion), Nernst at init and every step, nai written back after SOLVE;
    with secondorder 2 the summed ina it reads is moved to t+dt/2."""
    tree = models.hh_soma(amp=0.3)
    tree["soma"].insert("naacc", k=0.5)
    tree["soma"].insert("na_ion", nai=20.0)  # overridden by cinit, as in NEURON
    probes = [("soma", 0.5, "v"), ("soma", 0.5, "ena"), ("soma", 0.5, "nai"), ("soma", 0.5, "ina")]
    g = {"nai0_na_ion": 12.0}
    model = Model(tree, mechanisms={"naacc": NaAccumulator()}, tstop=15.0, secondorder=secondorder, globals=g)
    ours = np.asarray(Simulation(model, record=probes).run().values)
    _, theirs = run_neuron(tree, probes, tstop=15.0, secondorder=secondorder, globals=g, dlls=[mech_dll])
    assert ours[0, 2] == 12.0
    assert ours[-1, 2] > 12.05  # sodium came in during the spikes
    assert np.abs(ours[:, 0] - theirs[:, 0]).max() <= TOL
    np.testing.assert_allclose(ours[:, 1:], theirs[:, 1:], rtol=1e-10, atol=1e-12)
