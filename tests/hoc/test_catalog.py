"""bridge.hoc.catalog: mechanisms found in .mod folders, parsed only when a model uses them."""

import pytest

from bridge import HocSession
from bridge.errors import HocError
from bridge.hoc.catalog import Catalog

GOOD = """NEURON { SUFFIX leak2 RANGE g, e GLOBAL q10 }
PARAMETER { g = 0.0002 (S/cm2) e = -70 (mV) q10 = 3 }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""
VERBATIM_MOD = """NEURON { SUFFIX trick RANGE x }
PARAMETER { x = 1 }
VERBATIM
static int y;
ENDVERBATIM
"""
COMMENT_ONLY_VERBATIM = """NEURON { SUFFIX quiet RANGE x }
PARAMETER { x = 2 }
VERBATIM
/* nothing but a comment */
ENDVERBATIM
"""
BROKEN = "NEURON { SUFFIX broken RANGE a }\nPARAMETER { a = }\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "leak2.mod").write_text(GOOD)
    (tmp_path / "trick.mod").write_text(VERBATIM_MOD)
    (tmp_path / "broken.mod").write_text(BROKEN)
    (tmp_path / "quiet.mod").write_text(COMMENT_ONLY_VERBATIM)
    return tmp_path


def test_names_are_found_without_parsing(folder):
    cat = Catalog([folder])
    assert {"leak2", "trick", "broken", "hh", "pas", "IClamp"} <= set(cat.names())
    info = cat.get("leak2")
    assert info.kind == "density" and info.parameters == {"g": 0.0002, "e": -70.0}
    assert info.globals == {"q10": 3.0}
    assert cat.lookup_variable("g_leak2") == ("leak2", "g")
    assert cat.lookup_global("q10_leak2") == ("leak2", 3.0)
    assert cat.lookup_variable("gnabar_hh") == ("hh", "gnabar")
    assert cat.lookup_variable("nothing_here") is None


def test_unusable_files_are_errors_only_when_used(folder):
    hoc = HocSession(mechanisms=folder)
    hoc("create a\na { insert leak2 g_leak2 = 1e-3 }\nq10_leak2 = 2")
    assert hoc.tree["a"].mechanisms["leak2"]["g"][0] == 1e-3
    assert hoc.model().protocol.globals == {"q10_leak2": 2.0}
    with pytest.raises(HocError, match="mechanism trick .* cannot be used(.|\n)*VERBATIM block: C outside the subset"):
        hoc("a insert trick")
    with pytest.raises(HocError, match="mechanism broken .* cannot be used"):
        hoc("a insert broken")
    hoc("a insert quiet")  # a VERBATIM block with only a comment is fine, as for the translator


def test_point_process_from_folder(tmp_path):
    (tmp_path / "pp.mod").write_text(
        "NEURON { POINT_PROCESS Kick RANGE amp, i NONSPECIFIC_CURRENT i }\nPARAMETER { amp = 0.25 (nA) }\n"
        "ASSIGNED { i (nA) }\nBREAKPOINT { i = -amp }\n")
    hoc = HocSession(mechanisms=tmp_path)
    hoc("create a\nobjref k\na k = new Kick(0.3)\nk.amp = 1\nx = k.amp\ny = k.i")
    assert (hoc.x, hoc.y) == (1.0, 0.0)
    (pp,) = hoc.model().tree.point_processes
    assert (pp.name, pp.section, pp.x, pp.params) == ("Kick", "a", 0.3, {"amp": 1.0})
    with pytest.raises(HocError, match="Kick is a point process"):
        hoc("a insert Kick")


def test_parameter_defaults_are_rounded_as_nocmodl_writes_them(tmp_path):
    (tmp_path / "p.mod").write_text("NEURON { SUFFIX prec RANGE a }\nPARAMETER { a = 0.0123456789 }\n")
    assert Catalog([tmp_path]).get("prec").parameters == {"a": 0.0123457}
