"""GLOBALs of a mechanism the model never inserts, set from HOC, against NEURON 9.

nrnivmodl compiles every .mod file of the folder, so HOC may set `ntau_unusedk` or `usetable_unusedk`
whether or not any section inserts the mechanism; with no instance, nothing reads them. Published models
that pick one of several cells set the globals of all (ModelDB 82894: `usetable_naf = 0`). bridge stopped
on them as unknown globals of the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hoc.test_live_run import _both, _same_output

MOD = Path(__file__).resolve().parent / "data" / "unused_globals"

HOC = """
load_file("stdrun.hoc")
usetable_unusedk = 0
ntau_unusedk = 5
create soma
soma { L = 20  diam = 20  insert hh }
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.3
tstop = 6
run()
printf("%.17g %g %g\\n", soma.v(0.5), usetable_unusedk, ntau_unusedk)
"""


@pytest.mark.neuron
def test_globals_of_a_mechanism_no_section_inserts_match_neuron(tmp_path):
    theirs, _, ours, _, _ = _both(tmp_path, HOC, (), mod_dir=MOD)
    _same_output(theirs, ours)
    assert any(line.endswith(" 0 5") for line in theirs), theirs
