"""A name listed in both RANGE and GLOBAL has one answer everywhere: NEURON's.

nocmodl defines the name's C macro as the global last, so the code reads the GLOBAL; NEURON
also registers a RANGE variable of the same HOC name, which it refuses for a SUFFIX
mechanism ("The user defined name already exists: g_rg") and lets pass, unused, for a
POINT_PROCESS. The analysis (and so the translation) and HOC's catalog agree with that.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bridge.errors import HocError, SemanticError
from bridge.hoc.catalog import Catalog
from bridge.nmodl.load import analyze_text, load_text

DENSITY = """NEURON { SUFFIX rg RANGE g GLOBAL g NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v + 65) }
"""
POINT = """NEURON { POINT_PROCESS ppg RANGE g, gr GLOBAL g NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (uS) gr = 0 (uS) e = -30 (mV) }
ASSIGNED { v (mV) i (nA) }
BREAKPOINT { i = (g + gr)*(v - e) }
"""


def test_a_density_mechanism_with_a_name_in_both_is_refused_as_neuron_refuses_to_load_it(tmp_path):
    with pytest.raises(SemanticError, match=r"rg\.mod:1:.*'g' is listed in both RANGE and GLOBAL"):
        analyze_text(DENSITY, "rg.mod")
    (tmp_path / "rg.mod").write_text(DENSITY)
    with pytest.raises(HocError, match="listed in both RANGE and GLOBAL"):
        Catalog([tmp_path]).get("rg")


def test_a_point_process_name_in_both_is_global_for_the_translator_and_for_hoc(tmp_path):
    info = analyze_text(POINT, "ppg.mod")
    assert info.range_parameters == {"gr": 0.0} and info.global_parameters == {"g": 0.001, "e": -30.0}
    mech = load_text(POINT, "ppg.mod")
    assert dict(mech.range_parameters) == {"gr": 0.0} and dict(mech.global_parameters) == {"g": 0.001, "e": -30.0}
    (tmp_path / "ppg.mod").write_text(POINT)
    hoc = Catalog([tmp_path]).get("ppg")
    assert hoc.parameters == {"gr": 0.0} and hoc.globals == {"g": 0.001, "e": -30.0}
    assert "g" not in hoc.range_names and "gr" in hoc.range_names


@pytest.mark.neuron
def test_neuron_refuses_to_load_the_density_mechanism(tmp_path):
    from validation.neuron_run import compile_mod_files

    (tmp_path / "rg.mod").write_text(DENSITY)
    library = compile_mod_files([tmp_path / "rg.mod"])
    run = subprocess.run([sys.executable, "-c", f"from neuron import h; h.nrn_load_dll({str(library)!r}); "
                          "print('loaded', h.g_rg)"], capture_output=True, text=True, timeout=300)
    assert "loaded" not in run.stdout
    assert "user defined name already exists: g_rg" in run.stdout + run.stderr


@pytest.mark.neuron
def test_the_point_process_runs_on_its_global_as_in_neuron(tmp_path):
    """The HOC sets the GLOBAL g_ppg; NEURON's code reads it (not a per-instance g), and so does bridge's."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "ppg.mod").write_text(POINT)
    (tmp_path / "cell.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert pas }\nobjref syn\n"
                                       "soma syn = new ppg(0.5)\nsyn.gr = 0.0005\ng_ppg = 0.004\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 10.0}, mechanisms=tmp_path / "mod", atol=1e-9)


SUFFIXED = """NEURON { SUFFIX lk GLOBAL gamma_lk NONSPECIFIC_CURRENT i }
PARAMETER { gamma_lk = 1e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = gamma_lk*(v + 80) }
"""


@pytest.mark.neuron
def test_a_global_whose_name_ends_in_the_suffix_is_named_as_neuron_names_it(tmp_path):
    """NEURON names GLOBAL gamma_lk of SUFFIX lk `gamma_lk_lk` (the name, then the suffix, always);
    HOC's assignment reaches the run (bridge took `gamma_lk` for the suffixed name and stopped on an
    unknown global)."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "lk.mod").write_text(SUFFIXED)
    (tmp_path / "cell.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert pas insert lk }\n"
                                       "gamma_lk_lk = 0.002\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 10.0}, mechanisms=tmp_path / "mod", atol=1e-9)
