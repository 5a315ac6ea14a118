"""VERBATIM blocks of the small C subset bridge translates, against NEURON 9 (bridge.nmodl.analysis.verbatim).

Our own files (tests/validation/data/verbatim_c), written the way published models use VERBATIM:
a calcium pool taking cai from the ion in INITIAL (`cai = _ion_cai; carest = _ion_cai;`) and reading
the ion's cai after its SOLVE (before its own write-back), potassium accumulation taking ki and ko it
only WRITEs, a leak scaled by C arithmetic on v (`v_atten = (v + 60.0) / (60.0);`, if/else), a
PROCEDURE with C on its argument and LOCAL (`_la`, `_lb`, `*=`, exp, fabs, pow, `&&`, `!`, printf,
a final `return 0;`), a FUNCTION setting its value `_lf`, and file-level `#include <math.h>` and an
rcsid string. NEURON compiles the C; bridge runs the translation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "verbatim_c"
PROBES = ["soma(0.5).v", "dend(0.5).v", "soma(0.5).cai", "soma(0.5).cabefore_capool", "soma(0.5).carest_capool",
          "dend(0.5).cabefore_capool", "soma(0.5).ki", "soma(0.5).ko", "soma(0.5).ki_start_kacc",
          "soma(0.5).v_atten_vatt", "soma(0.5).level_vatt", "soma(0.5).w_vatt", "dend(0.9).w_vatt"]


@pytest.mark.neuron
@pytest.mark.filterwarnings("ignore:.*VERBATIM printf")
def test_translated_verbatim_matches_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    diffs = {r.label: r.max_abs for r in result.comparison.recordings}
    # the ion's values in VERBATIM, to round-off of mM values
    for label in ("soma(0.5).cabefore_capool", "soma(0.5).carest_capool", "soma(0.5).ki_start_kacc"):
        assert diffs[label] <= 1e-12, label
    assert diffs["soma(0.5).level_vatt"] <= 1e-12


@pytest.mark.filterwarnings("ignore:.*VERBATIM printf")
def test_the_ion_values_are_the_ones_when_the_block_began():
    """carest is cai0_ca_ion (1e-4 mM), and cabefore (the ion's cai as nrn_state began) lags the pool's cai by
    one step: what the pool wrote back at the previous step."""
    import numpy as np

    import bridge

    hoc = bridge.load_hoc(DATA / "cell.hoc", mechanisms=DATA / "mod")
    traces = bridge.Simulation(hoc.to_model(), record=PROBES).run()
    np.testing.assert_array_equal(np.asarray(traces["soma(0.5).carest_capool"]), 1e-4)
    cai, before = np.asarray(traces["soma(0.5).cai"]), np.asarray(traces["soma(0.5).cabefore_capool"])
    np.testing.assert_array_equal(before[2:], cai[1:-1])
    assert np.abs(np.diff(cai)).max() > 1e-6  # calcium moves: the lag is visible
