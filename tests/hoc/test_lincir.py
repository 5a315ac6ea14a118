"""NEURON's LinearCircuit GUI tool (lib/hoc/lincir*.hoc, run by bridge from the installed `neuron` package with its
windows as no-ops) against NEURON 9.0.2. A session file of ours (tests/hoc/data/lincir) places, as ModelDB's
sessions do, cell ports on asoma(0.5) and bdend(0.8), a resistor Rgap between them (a gap junction), and an
electrode on asoma: Re in series to a named node Ve (initial value -20 mV), Ce from Ve to ground and a current
source whose dur/amp steps are 0. The tool computes the matrices and makes the LinearMechanism; the runs must match
to 1e-9 mV, also after HOC changes the element values through the tool's aliases (applied by its
FInitializeHandler at finitialize)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.errors import BridgeError
from bridge.testing import assert_matches_neuron

DATA = Path(__file__).resolve().parent / "data" / "lincir"
RECORD = ["asoma(0.5).v", "bdend(0.8).v", "bsoma(0.5).v"]
ALIASES = ["LinearCircuit[0].Rgap = 20", "LinearCircuit[0].Ce = 0.01", "LinearCircuit[0].Ve_0 = 10"]


@pytest.mark.neuron
def test_session_builds_the_circuit_linear_mechanism():
    model = bridge.load_hoc(DATA / "init.hoc")
    (lm,) = model.tree.linear_mechanisms
    assert lm.sites == (("asoma", 0.5), ("bdend", 0.8))
    assert np.asarray(lm.y0)[2] == -20.0  # restore_ic(1, -20): the named node Ve
    g = np.asarray(lm.g)
    assert g.shape == (4, 4)
    # the resistor's conductance 1/200 uS, scaled by -100/area on each cell row (lincir1.hoc fill_eqn)
    area = np.pi * 20 * 20
    assert np.isclose(g[0, 1], 0.005 * -100 / area) and np.isclose(g[0, 0], -0.105 * -100 / area)


@pytest.mark.neuron
@pytest.mark.parametrize("statements", [[], ALIASES], ids=["session", "aliases_changed"])
def test_lincir_session_matches_neuron(statements):
    result = assert_matches_neuron(DATA, {"tstop": 20, "recordings": RECORD}, statements=statements, atol=1e-9)
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("bdend(0.8).v")]
    assert v.max() - v.min() > 1.0  # the gap junction carries asoma's spike to b


@pytest.mark.neuron
def test_alias_changes_change_neurons_run():
    """The alias test is not vacuous: in NEURON its values change the trace."""
    a = assert_matches_neuron(DATA, {"tstop": 20, "recordings": RECORD}, statements=[], atol=1e-9)
    b = assert_matches_neuron(DATA, {"tstop": 20, "recordings": RECORD}, statements=ALIASES, atol=1e-9)
    i = a.neuron.labels.index("bdend(0.8).v")
    assert np.abs(np.asarray(a.neuron.values)[:, i] - np.asarray(b.neuron.values)[:, i]).max() > 0.1


@pytest.mark.neuron
def test_nonzero_source_amp_is_refused(tmp_path):
    """A Current source with a nonzero step plays into the LinearMechanism's b during the run: refused by name."""
    folder = tmp_path / "lincir"
    shutil.copytree(DATA, folder)
    ses = folder / "circuit.ses"
    ses.write_text(ses.read_text().replace("\n5 0\n", "\n5 0.3\n"))
    with pytest.raises(BridgeError, match=r"circuit.ses:\d+:\d+: .*plays values other than .* LinearCircuit "
                                          r"Battery or Current source"):
        bridge.load_hoc(folder / "init.hoc").simulate()


READ_AFTER_RUN = """
tstop = 5
run()
objref lc
lc = LinearCircuit[0]
printf("after %.17g %.17g %.17g\\n", lc.Ve, lc.Rgap, lc.model.y.x[2])
"""


@pytest.mark.neuron
def test_aliases_read_the_run_as_neuron(tmp_path):
    """The node alias `LinearCircuit[0].Ve` and the LinearMechanism's y read after run() are the run's values."""
    import io
    import subprocess
    import sys

    from bridge import HocSession

    driver = tmp_path / "driver.hoc"
    driver.write_text(f'load_file("{DATA / "init.hoc"}")\n' + READ_AFTER_RUN)
    code = f"from neuron import h\nh.load_file({str(driver)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=DATA)
    theirs = [line for line in proc.stdout.splitlines() if line.startswith("after")]
    assert len(theirs) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = io.StringIO()
    HocSession(cwd=DATA, stdout=out, allow_read=[tmp_path]).load_file(driver)
    ours = [line for line in out.getvalue().splitlines() if line.startswith("after")]
    t, o = [float(x) for x in theirs[0].split()[1:]], [float(x) for x in ours[0].split()[1:]]
    assert t[1] == o[1] == 200.0 and abs(t[0] + 20.0) > 1.0  # Ve moved from its initial -20 mV
    np.testing.assert_allclose(o, t, rtol=0, atol=1e-9)
