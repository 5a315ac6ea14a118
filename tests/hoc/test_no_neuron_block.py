"""A .mod file with no NEURON block, against NEURON 9.

nocmodl names such a file's density mechanism after the file (`mathlib.mod` is `mathlib`): `insert
mathlib` works, its FUNCTIONs are the HOC functions `twice_mathlib()`, and its PARAMETERs are GLOBALs
(`gain_mathlib`). Published models keep math helpers this way (ModelDB 148253's asin.mod). bridge's HOC
catalog named it, but the model's build translated the file without a name and refused it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.nmodl.load import load_mod
from tests.hoc.test_live_run import _both, _same_output

MOD = Path(__file__).resolve().parent / "data" / "no_neuron_block"

HOC = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert hh  insert mathlib }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = twice_mathlib(0.1)
tstop = 5
printf("%.17g %.17g %.17g\\n", twice_mathlib(0.25), logistic_mathlib(0.3), gain_mathlib)
gain_mathlib = 2
printf("%.17g\\n", twice_mathlib(0.25))
run()
printf("%.17g\\n", soma.v(0.5))
"""


def test_a_file_without_neuron_block_is_named_after_the_file():
    assert load_mod(MOD / "mathlib.mod").name == "mathlib"


@pytest.mark.neuron
def test_a_file_without_neuron_block_inserted_and_called_from_hoc_matches_neuron(tmp_path):
    theirs, _, ours, _, _ = _both(tmp_path, HOC, (), mod_dir=MOD)
    _same_output(theirs, ours)
    assert "0.75 0.57444251681165903 1.5" in theirs, theirs  # the GLOBAL's default, before HOC sets it


def test_two_files_of_the_same_text_without_neuron_block_keep_their_own_names(tmp_path):
    """The translation cache is keyed by the file's name too: the same text in `a.mod` and `b.mod` is two
    mechanisms, `a` and `b` (a text-only key gave the second the first one's name); a name Python reserves
    (`__import__`, `import`) is only a string in the generated code."""
    text = (MOD / "mathlib.mod").read_text()
    names = []
    for stem in ("__import__", "import", "mathlib_copy"):
        (tmp_path / f"{stem}.mod").write_text(text)
        names.append(load_mod(tmp_path / f"{stem}.mod").name)
    assert names == ["__import__", "import", "mathlib_copy"]
