"""NMODL constructs of published models, in files we wrote in their style, run against NEURON 9.

One compartment per file (`validation.single_mechanism.validate_mod`: pas, the mechanism, a
depolarising and a hyperpolarising IClamp), v and every STATE compared over the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from validation.single_mechanism import validate_mod

DATA = Path(__file__).parent / "data" / "published_nmodl"


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["kdr_table_arrays.mod", "ktab_range.mod"])
def test_table_variants_match_neuron(name):
    """kdr_table_arrays: a TABLE of arrays filled in a FROM loop by functions that branch on v
    (crashed with 'Incompatible shapes for broadcasting'); ktab_range: FROM vmin TO vmax, and a GLOBAL
    tadj that only table building sets and BREAKPOINT reads (Mainen-style channels)."""
    result = validate_mod(DATA / name)
    assert result.status == "pass", result.line()
    assert result.max_dv <= 1e-9


def test_a_scopmath_function_bridge_lacks_is_refused_by_name(tmp_path):
    mod = tmp_path / "stepped.mod"
    mod.write_text("NEURON { SUFFIX stepped NONSPECIFIC_CURRENT i }\nPARAMETER { g = 0.001 }\n"
                   "ASSIGNED { v i }\nBREAKPOINT {\n  i = g*stepforce(t)*(v + 70)\n}\n")
    result = validate_mod(mod)
    assert result.status == "unsupported", result.line()
    assert "stepforce()" in result.reason and "stepped.mod:5" in result.reason


def test_a_file_may_define_its_own_function_with_a_scopmath_name(tmp_path):
    from bridge.nmodl.load import load_mod

    mod = tmp_path / "own.mod"
    mod.write_text("NEURON { SUFFIX own NONSPECIFIC_CURRENT i }\nASSIGNED { v i }\n"
                   "BREAKPOINT { i = 1e-3*ramp(v) }\nFUNCTION ramp(x) { ramp = x + 70 }\n")
    assert load_mod(mod).name == "own"


POOL_FOLDER = DATA.parent / "global_pool"


@pytest.mark.neuron
@pytest.mark.parametrize("pool", ["cadg", "cadgi", "cadi"])
def test_globals_a_calcium_pool_assigns_match_neuron(pool, tmp_path):
    """cadg: GLOBAL PARAMETERs `depth = diam/4`, `taur = kb/gamma` assigned in the DERIVATIVE block
    before use (each instance sees its own value); cadgi: an ASSIGNED GLOBAL `depth = diam/4` set
    in INITIAL and read in DERIVATIVE (NEURON: one value, the last instance's, for every segment);
    cadi: the same ASSIGNED without GLOBAL (NEURON stores it per instance). Three sections of
    diam 20, 2 and 1 um, so a wrong sharing changes the calcium by orders of magnitude."""
    from bridge.testing import assert_matches_neuron

    hoc = tmp_path / "cell.hoc"
    hoc.write_text((POOL_FOLDER / "cell.hoc").read_text().replace("POOL", pool))
    mod = tmp_path / "mod"
    mod.mkdir()
    for name in ("cal.mod", f"{pool}.mod"):
        (mod / name).write_text((POOL_FOLDER / "mod" / name).read_text())
    result = assert_matches_neuron(hoc, mechanisms=mod, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
