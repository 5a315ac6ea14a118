"""The bundled example mechanisms (examples/cell/mod): NEURON compiles them and a cell with them fires."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bridge.nmodl import parse_file

from ._corpus import EXAMPLE_MOD_DIR, example_mod_files, neuron_share

pytestmark = pytest.mark.neuron

SIM = textwrap.dedent("""
    import json
    from neuron import h  # loads the mechanisms compiled in the working folder (x86_64/)
    h.load_file("stdrun.hoc")
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    for m in ["na", "kdr", "ih", "cal", "cad", "pas"]:
        soma.insert(m)
    soma(0.5).pas.g, soma(0.5).pas.e = 3e-4, -65
    h.celsius = 6.3
    stim = h.IClamp(soma(0.5)); stim.delay, stim.dur, stim.amp = 20, 100, 0.2
    spikes = h.Vector(); nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma); nc.threshold = 0; nc.record(spikes)
    cai = h.Vector().record(soma(0.5)._ref_cai)
    h.finitialize(-65); h.continuerun(150)
    print("RESULT" + json.dumps({"spikes": list(spikes), "cai_max": cai.max(), "cai0": cai[0]}))
""")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    # the console script next to this Python sets up NEURON's paths (the one in .data/bin does not)
    found = Path(sys.executable).with_name("nrnivmodl")
    nrnivmodl = found if found.exists() else (Path(shutil.which("nrnivmodl")) if shutil.which("nrnivmodl") else None)
    if nrnivmodl is None or neuron_share() is None:
        pytest.skip("nrnivmodl not installed")
    work = tmp_path_factory.mktemp("examples")
    for p in example_mod_files():
        shutil.copy(p, work)
    proc = subprocess.run([str(nrnivmodl)], cwd=work, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    libs = list(work.glob("*/.libs/libnrnmech.so")) + list(work.glob("*/libnrnmech.so"))
    assert libs, "nrnivmodl built no library"
    return work, libs[0], proc.stdout + proc.stderr


def test_nrnivmodl_compiles_them_with_the_intended_methods(compiled):
    _, _, log = compiled
    assert "Could not translate using cnexp" not in log  # every DERIVATIVE is cnexp-shaped
    assert "VERBATIM" not in log


def test_a_cell_with_them_fires_and_accumulates_calcium(compiled):
    work, _, _ = compiled
    proc = subprocess.run([sys.executable, "-c", SIM], cwd=work, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("RESULT"))[6:])
    spikes = result["spikes"]
    assert len(spikes) >= 5 and all(20 < t < 125 for t in spikes)  # repetitive firing during the step only
    assert result["cai0"] == pytest.approx(5e-5)  # cad's cainf
    assert result["cai_max"] > 10 * result["cai0"]  # cal's current fills cad's pool


def test_examples_are_plain_nmodl():
    for p in example_mod_files():
        prog = parse_file(p)
        assert prog.neuron.name == p.stem
        assert not any(type(n).__name__ == "Verbatim" for n in prog.items)
    assert {p.stem for p in example_mod_files()} == {"na", "kdr", "ih", "cal", "cad"}
    assert EXAMPLE_MOD_DIR.is_dir()
