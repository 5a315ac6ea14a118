"""`usetable = 0` in a mechanism's own code: nocmodl makes it the GLOBAL usetable_<suffix> (the switch of its
TABLEs, src/nocmodl/parsact.cpp table_massage), which NEURON 9.0.2 changes while the model runs (measured here:
HOC's 1 reads 0 after finitialize()). bridge keeps TABLE switches fixed for a run, so it refuses the assignment as
unsupported, naming file:line, rather than run the table the code switched off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bridge
from bridge.errors import UnsupportedFeature

MOD = Path(__file__).resolve().parent / "data" / "usetable_assign" / "utassign.mod"

_NEURON = """
import sys
from neuron import h
h.nrn_load_dll(sys.argv[1])
h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
print("fresh", h.usetable_utassign)
h.usetable_utassign = 1
soma.insert("utassign")
print("before", h.usetable_utassign)
h.finitialize(-65)
print("after", h.usetable_utassign)
"""


def test_assigning_usetable_is_unsupported_naming_the_line():
    with pytest.raises(UnsupportedFeature) as err:
        bridge.load_mod(MOD)
    assert "utassign.mod:6:" in str(err.value) and "usetable" in str(err.value)


@pytest.mark.neuron
def test_neuron_switches_the_table_off_while_running():
    from validation.neuron_run import compile_mod_files

    library = str(compile_mod_files([MOD]))
    proc = subprocess.run([sys.executable, "-c", _NEURON, library], capture_output=True, text=True, timeout=300)
    lines = dict(ln.split() for ln in proc.stdout.splitlines() if ln.startswith(("fresh", "before", "after")))
    # the thread GLOBAL nocmodl makes of it starts at 0, not TABLE's default 1; finitialize() runs the code's 0
    assert lines == {"fresh": "0.0", "before": "1.0", "after": "0.0"}, proc.stdout[-2000:] + proc.stderr[-2000:]
