"""Ion currents kept across finitialize() (bridge.hoc.ion_carry): eion.cpp `ion_init` does not zero `ica`, so an
INITIAL block that reads it (the Migliore-lab calcium pool cacumm.mod: `irest = ica`) sees the current of the last
current evaluation. Our own pool (capl.mod: READ ica WRITE cai, derivimplicit) and GHK calcium channel (cagh.mod),
run by NEURON 9 and by bridge: a model's `proc init()` of finitialize(), fcurrent(), finitialize() (ModelDB 144392's
idiom), two runs in a row, and `bridge validate` on the first. Every trace and printed value to 1e-9."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors

MOD = Path(__file__).resolve().parent / "data" / "ion_current_init"

CELL = """
load_file("stdrun.hoc")
create soma, dend
connect dend(0), soma(1)
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -60  insert cagh  insert capl }
dend { L = 200  diam = 2  nseg = 3  insert pas  g_pas = 1e-4  e_pas = -60  insert cagh  gbar_cagh = 0.001
       insert capl  depth_capl = 1 }
objref stim, vs, vc, vd, tv
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 3
stim.amp = 0.2
vs = new Vector()
vs.record(&soma.v(0.5))
vc = new Vector()
vc.record(&soma.cai(0.5))
vd = new Vector()
vd.record(&dend.cai(0.9))
tv = new Vector()
tv.record(&t)
tstop = 20
"""

INIT = """
proc init() {
    finitialize(-60)
    fcurrent()
    finitialize(-60)
}
"""

PRINT = """{printf("t %.17g cai %.17g %.17g ica %.17g %.17g\\n", t, soma.cai(0.5), dend.cai(0.9), soma.ica(0.5), \\
        dend.ica(0.9))}
"""
VECTORS = ("vs", "vc", "vd", "tv")


@pytest.mark.neuron
def test_init_reading_the_current_of_an_fcurrent_matches_neuron(tmp_path):
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + INIT + "run()\n" + PRINT, VECTORS, mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    # the pool starts balanced: with irest = 0 instead, cai rises by 1e-4 mM within the first ms
    assert abs(ref["vc"][40] - ref["vc"][0]) < 1e-6


@pytest.mark.neuron
def test_a_second_run_reads_the_current_the_first_left_as_neuron(tmp_path):
    text = CELL + "run()\n" + PRINT + "stim.amp = 0.3\nrun()\n" + PRINT
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, VECTORS, mod_dir=MOD)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_bridge_validate_gives_the_protocol_run_the_kept_currents(tmp_path):
    from validation.case import Case, Protocol
    from validation.suite import run_case

    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(CELL + INIT))
    result = run_case(Case("pool", hoc=path, mechanisms=MOD, protocol=Protocol()))
    assert result.passed, (result.error, result.comparison and result.comparison.reasons)
    print(f"max |dV| {result.comparison.max_dv:.3g} mV")  # shown with pytest -s
    assert result.comparison.max_dv <= 1e-9


def test_a_mechanisms_own_range_variable_is_not_an_ion_current():
    """`ik_k2` (mechanism k2's RANGE `ik`) is not the current of an ion `k_k2`: taking it for one put fake ions
    (`k_k2_ion`) into the run's sections, changing the parameters' structure and recompiling (ModelDB 144482)."""
    from bridge.hoc.ion_carry import _is_current

    ions = {"na", "k", "ca"}
    assert _is_current("ik", ions) and _is_current("ica", ions)
    assert not _is_current("ik_k2", ions) and not _is_current("i_pas", ions) and not _is_current("ica_cat", ions)
