"""NMODL FUNCTIONs and PROCEDUREs called from HOC (bridge.hoc.nmodl_calls) against NEURON 9.0.2.

The mechanisms are ours (data/nmodl_calls: fx, a density mechanism with GLOBAL and RANGE
ASSIGNEDs, a GLOBAL PARAMETER and a tabulated FUNCTION; PX, a point process) plus bridge's hh,
which has NEURON 9's names, RANGE minf... and rate TABLE. Printed values (17 digits) must be
NEURON's exactly; runs after calls that change parameters must match to 1e-9 mV.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal
from bridge.testing import assert_matches_neuron

DATA = Path(__file__).resolve().parent / "data" / "nmodl_calls"


def _neuron_output(hoc: Path, tmp_path: Path) -> tuple[list[str], str]:
    """NEURON's printed lines (and its stderr) for `hoc`, with data/nmodl_calls compiled."""
    from validation.neuron_run import compile_mod_files

    lib = compile_mod_files(sorted(DATA.glob("*.mod")))
    code = f"from neuron import h\nh.nrn_load_dll({str(lib)!r})\nh.load_file({str(hoc)!r})\n"
    work = tmp_path / "neuron-cwd"  # an empty folder: NEURON loads a compiled x86_64/ found in its cwd
    work.mkdir()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=work)
    lines = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    return lines, proc.stderr


def _bridge_output(hoc: Path) -> list[str]:
    out = io.StringIO()
    HocSession(mechanisms=DATA, stdout=out).load_file(hoc)
    return out.getvalue().splitlines()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.neuron
def test_calls_print_what_neuron_prints(tmp_path):
    """FUNCTIONs of globals, of a RANGE PARAMETER and of a STATE after steps, PROCEDUREs that assign a
    GLOBAL ASSIGNED, a RANGE ASSIGNED, a RANGE and a GLOBAL PARAMETER, TABLE lookup and usetable = 0,
    hh's rates and vtrap, and a point process's FUNCTION and PROCEDURE."""
    theirs, err = _neuron_output(DATA / "calls.hoc", tmp_path)
    assert any(ln.startswith("m ") for ln in theirs), err[-2000:]  # NEURON ran to the end
    assert _bridge_output(DATA / "calls.hoc") == theirs


NO_INSTANCE = """
create soma
soma { insert fx insert hh }
{CALL}
"""


@pytest.mark.neuron
@pytest.mark.parametrize("call", ["x = getg_fx()", "rates_fx(-50)", "rates_hh(-50)"])
def test_a_call_without_setdata_is_neurons_error(tmp_path, call):
    """nocmodl's rule: code that uses a RANGE name (here gbar, tau, hh's RANGE minf) needs setdata first."""
    path = _write(tmp_path, NO_INSTANCE.replace("{CALL}", call))
    _, err = _neuron_output(path, tmp_path)
    name = call.split("(")[0].split("= ")[-1]
    assert f"No data for {name}" in err
    with pytest.raises(HocError, match=f"No data for {name}. Requires prior call to setdata_"):
        HocSession(mechanisms=DATA).load_file(path)


def test_setdata_needs_the_mechanism_in_the_section(tmp_path):
    path = _write(tmp_path, "create soma, dend\nsoma insert fx\ndend setdata_fx(0.5)\n")
    with pytest.raises(HocError, match="fx mechanism not inserted in section dend"):
        HocSession(mechanisms=DATA).load_file(path)


def test_a_setdata_instance_gone_is_an_error(tmp_path):
    path = _write(tmp_path, "create soma\nsoma insert fx\nsoma setdata_fx(0.5)\nsoma nseg = 3\nx = getg_fx()\n")
    with pytest.raises(HocError, match="No data for getg_fx"):
        HocSession(mechanisms=DATA).load_file(path)


def test_a_global_assigned_after_a_run_is_refused(tmp_path):
    """NEURON's minf_fx after a run is the last instance's value; bridge keeps minf per instance."""
    path = _write(tmp_path, "create soma\nsoma insert fx\nfinitialize(-65)\nx = minf_fx\n")
    with pytest.raises(HocRefusal, match="reading minf_fx after a run"):
        HocSession(mechanisms=DATA).load_file(path)


def test_what_bridge_cannot_call_is_refused_by_name(tmp_path):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "w.mod").write_text(textwrap.dedent("""
        NEURON { SUFFIX w RANGE a, b }
        PARAMETER { a = 1 }
        ASSIGNED { v (mV) b }
        INITIAL { b = b + a }
        FUNCTION atv() { atv = v*a }
        PROCEDURE setb(x) { b = x }
        PROCEDURE readb() { a = b }
    """))
    for call, words in [("x = atv_w()", "it uses v"),
                        ("setb_w(2)", "RANGE ASSIGNED b, which the mechanism's INITIAL does not surely assign")]:
        path = _write(tmp_path, f"create soma\nsoma insert w\nsoma setdata_w(0.5)\n{call}\n")
        with pytest.raises(HocRefusal, match=words) as err:
            HocSession(mechanisms=mod).load_file(path)
        assert err.value.location.line == 4


RUN = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh insert fx }
dend { L = 200 diam = 2 nseg = 3 insert pas g_pas = 1e-4 e_pas = -65 insert fx }
objref stim, p
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 3
stim.amp = 0.15
dend p = new PX(0.7)
p.setamp(-0.02)            // a point process's PROCEDURE sets its RANGE PARAMETER
soma setdata_fx(0.5)
setg_fx(0.004)             // the RANGE PARAMETER gbar of soma's fx
dend setdata_fx(0.9)
setg_fx(0.0005)            // of dend(0.9)'s only
setk_fx(6.5)               // the GLOBAL PARAMETER k_fx
tstop = 12
{EXTRA}
"""


@pytest.mark.neuron
@pytest.mark.parametrize("extra", ["", "usetable_hh = 0"])
def test_a_run_after_calls_matches_neuron(tmp_path, extra):
    """PROCEDUREs that change RANGE and GLOBAL PARAMETERs (and hh without its TABLE) before the run."""
    path = _write(tmp_path, RUN.replace("{EXTRA}", extra))
    result = assert_matches_neuron(path, {"tstop": 12.0, "dt": 0.025, "default_steps": False,
                                          "recordings": ["soma(0.5).v", "dend(0.9).v", "dend(0.1).v"]},
                                   mechanisms=DATA, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
