"""The fixed step a model asks for, on both sides: dt after stdrun's setdt/steps_per_ms, CVODE turned off.

Each case is a HOC model run by `bridge validate`'s machinery against NEURON 9; the dt both
sides ran is read back from each side's settings and must be the one NEURON's stdrun gives.
"""

from __future__ import annotations

import pytest

from bridge.testing import assert_matches_neuron

pytestmark = pytest.mark.neuron

CELL = """
load_file("stdrun.hoc")
create soma
soma {
    L = 20
    diam = 20
    insert hh
}
objref stim
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 10
stim.amp = 0.3
tstop = 15
"""

CASES = {
    # CVODE on, then dt set: NEURON's cvode_active(0) would put back 0.025; setdt makes 0.01 -> 0.0125
    "cvode_then_dt": ("cvode_active(1)\ndt = 0.01\n", {}, 0.0125),
    # the same through the CVode object
    "cvode_object": ("objref cv\ncv = new CVode()\ncv.active(1)\ndt = 0.01\n", {}, 0.0125),
    # CVODE on, dt set, CVODE off again: stdrun restores the dt saved when CVODE went on
    "cvode_on_off": ("cvode_active(1)\ndt = 0.01\ncvode_active(0)\n", {}, 0.025),
    # steps_per_ms = 20 and dt = 0.03: one step per 0.05 ms
    "steps_per_ms_20": ("steps_per_ms = 20\ndt = 0.03\n", {}, 0.05),
    # steps_per_ms = 10 and dt = 0.02: five steps per 0.1 ms, dt kept
    "steps_per_ms_10": ("steps_per_ms = 10\ndt = 0.02\n", {}, 0.02),
    # the protocol's dt wins over a model with CVODE on
    "cvode_protocol_dt": ("cvode_active(1)\ndt = 0.01\n", {"dt": 0.02}, 0.02),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_dt_from_the_model_matches_neuron(tmp_path, case):
    body, protocol, dt = CASES[case]
    hoc = tmp_path / "init.hoc"
    hoc.write_text(CELL + body)
    with pytest.warns(UserWarning) if "cvode" in case else _nothing():
        result = assert_matches_neuron(hoc, protocol or None)
    print(f"{case}: dt {result.neuron.settings['dt']:g} ms, max |dV| {result.comparison.max_dv:.3g} mV")
    assert result.neuron.settings["dt"] == pytest.approx(dt, rel=1e-12)
    assert result.bridge.settings["dt"] == result.neuron.settings["dt"]
    assert result.comparison.spike_counts[1] > 0
    cvode_note = any("CVODE" in note for note in result.neuron.notes)
    assert cvode_note == (case in ("cvode_then_dt", "cvode_object", "cvode_protocol_dt"))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
