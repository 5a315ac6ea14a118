"""Every density mechanism of the NEURON wheel and of our examples, translated and run against NEURON.

Each file runs through `validation.single_mechanism.validate_mod`: one compartment
with pas and the mechanism, a depolarising and a hyperpolarising IClamp,
v and every STATE compared with NEURON running the same file (nrnivmodl).
"""

import pytest

from tests.nmodl._corpus import example_mod_files, neuron_share, wheel_mod_files
from validation.single_mechanism import validate_mod

pytestmark = pytest.mark.neuron

# Files of the wheel that are not density mechanisms, or that bridge refuses, and why.
NOT_DENSITY = {"exp2syn.mod", "expsyn.mod", "netstim.mod", "pattern.mod", "stim.mod", "svclmp.mod", "invlfire.mod"}
KNOWN_UNSUPPORTED: dict[str, str] = {}  # file -> words the 'unsupported' reason must contain


def _density_files():
    return [p for p in wheel_mod_files() if p.name not in NOT_DENSITY]


@pytest.mark.skipif(neuron_share() is None, reason="NEURON wheel not installed")
def test_the_wheel_has_eleven_density_mechanisms():
    # hh, pas and the nine of demo/release: the bar is all of them
    assert len(_density_files()) == 11

@pytest.mark.skipif(neuron_share() is None, reason="NEURON wheel not installed")
@pytest.mark.parametrize("path", _density_files(), ids=lambda p: p.name)
def test_wheel_density_mechanism_matches_neuron(path):
    result = validate_mod(path)
    if path.name in KNOWN_UNSUPPORTED:
        assert result.status == "unsupported" and KNOWN_UNSUPPORTED[path.name] in result.reason
        return
    assert result.status == "pass", result.line()


@pytest.mark.parametrize("path", example_mod_files(), ids=lambda p: p.name)
def test_example_mechanism_matches_neuron(path):
    result = validate_mod(path)
    assert result.status == "pass", result.line()


def test_procedure_ending_in_verbatim_return_matches_neuron():
    """A channel in the style of many published ones: SOLVE of a PROCEDURE that ends with
    `VERBATIM return 0; ENDVERBATIM` (our own file, tests/validation/data/verbatim/nav.mod)."""
    from pathlib import Path

    result = validate_mod(Path(__file__).parent / "data" / "verbatim" / "nav.mod")
    assert result.status == "pass", result.line()


def test_cli_validate_mod_prints_one_line_per_file_and_fails_on_unsupported(tmp_path, capsys):
    from bridge.cli import main

    good = tmp_path / "leak.mod"
    good.write_text("""NEURON { SUFFIX leak NONSPECIFIC_CURRENT i RANGE g, e }
PARAMETER { g = 2e-4 (S/cm2) e = -60 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
""")
    bad = tmp_path / "rand.mod"  # C code bridge cannot run (normrand runs now: bridge.nmodl.runtime.scoprandom)
    bad.write_text("""NEURON { SUFFIX rand NONSPECIFIC_CURRENT i }
ASSIGNED { v i }
BREAKPOINT { i = 0
VERBATIM
    i = 1e-3*drand48();
ENDVERBATIM
}
""")
    assert main(["validate-mod", str(good)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("leak.mod: leak translated") and out[0].endswith("PASS")
    assert main(["validate-mod", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith("rand.mod: unsupported") and "VERBATIM" in out[1]


# An ion variable also declared in PARAMETER (USEION ca READ cai with PARAMETER { cai (mM) }): the
# ion's value is what the mechanism reads; a TABLE that DEPENDs on it is refused, naming the line.
CAI_PARAMETER = """
NEURON { SUFFIX kcai USEION ca READ cai USEION k READ ek WRITE ik RANGE gbar }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (mM) = (milli/liter) }
PARAMETER { gbar = 1e-3 (S/cm2) cai (mM) }
ASSIGNED { v (mV) ik (mA/cm2) ek (mV) ninf tau (ms) }
STATE { n }
INITIAL { rates(cai) n = ninf }
BREAKPOINT { SOLVE s METHOD cnexp ik = gbar*n*(v - ek) }
DERIVATIVE s { rates(cai) n' = (ninf - n)/tau }
PROCEDURE rates(c (mM)) { ninf = c/(c + 1e-3) tau = 5 }
"""


@pytest.mark.neuron
def test_ion_variable_in_parameter_matches_neuron(tmp_path):
    path = tmp_path / "kcai.mod"
    path.write_text(CAI_PARAMETER)
    result = validate_mod(path)
    assert result.status == "pass", result.line()
    table = tmp_path / "kcait.mod"
    table.write_text(CAI_PARAMETER.replace("SUFFIX kcai", "SUFFIX kcait").replace(
        "rates(cai)", "rates(v)").replace(
        "PROCEDURE rates(c (mM)) {", "PROCEDURE rates(vv (mV)) { TABLE ninf, tau DEPEND cai FROM -100 TO 100 WITH 20\n"
        "c = cai").replace("ASSIGNED { v", "ASSIGNED { c (mM) v"))
    result = validate_mod(table)
    assert result.status == "unsupported"
    assert "kcait.mod:10:" in result.reason and "TABLE DEPEND 'cai', an ion variable" in result.reason


RANDOM_MECHANISMS = {
    # a RANDOM variable (NEURON 9's Random123 streams, numbered per instance when HOC inserts it)
    "rnd.mod": ("NEURON { SUFFIX rnd  NONSPECIFIC_CURRENT i  RANDOM r }\nPARAMETER { amp = 1e-3 (mA/cm2) }\n"
                "ASSIGNED { v (mV)  i (mA/cm2) }\nBREAKPOINT { i = amp * random_normal(r) }\n", "RANDOM r"),
    # scop_random through normrand (ModelDB 141063's ou.mod)
    "nrm.mod": ("NEURON { SUFFIX nrm  NONSPECIFIC_CURRENT i }\nPARAMETER { amp = 1e-3 (mA/cm2) }\n"
                "ASSIGNED { v (mV)  i (mA/cm2) }\nBREAKPOINT { i = amp * normrand(0, 1) }\n", "scop_random"),
}


@pytest.mark.parametrize("name", sorted(RANDOM_MECHANISMS))
def test_a_mechanism_that_draws_random_numbers_is_refused_clearly(tmp_path, name):
    text, what = RANDOM_MECHANISMS[name]
    path = tmp_path / name
    path.write_text(text)
    result = validate_mod(path)
    assert result.status == "unsupported", result.line()
    assert what in result.reason and "bridge validate" in result.reason
