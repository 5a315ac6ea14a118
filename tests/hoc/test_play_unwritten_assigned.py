"""`Vector.play` into a RANGE ASSIGNED that no statement of its mechanism assigns (the xtra pattern: published
extracellular-stimulation models play a stimulus waveform into `is_xtra`), against NEURON 9.0.2.

To the mechanism such a variable is a parameter: only HOC and the play write its memory. The mechanism below
(ours) reads the played `amp` in INITIAL, BREAKPOINT and a DERIVATIVE block, so the value at t = 0, at
t + dt/2 (currents) and at t + dt (the state update of a continuous play) each move the traces."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bridge.errors import HocRefusal
from tests.hoc.test_live_run import _both, _same_vectors

DRIVE = """
NEURON {
    SUFFIX drive
    RANGE k, amp, s
    NONSPECIFIC_CURRENT i
}
PARAMETER { k = 0.05 (1)  tau = 0.7 (ms) }
ASSIGNED { v (mV)  amp (mA/cm2)  i (mA/cm2) }
STATE { s (mA/cm2) }
INITIAL { s = amp }
BREAKPOINT {
    SOLVE relax METHOD cnexp
    i = -k*amp - s
}
DERIVATIVE relax { s' = (0.3*amp - s)/tau }
"""

# a cable with hh, `drive` everywhere, the waveform played into every segment and both ends (`for (x)`, as
# ModelDB 138321 does: the ends name the first and last segment)
CELL = """
load_file("stdrun.hoc")
create cable
cable { L = 300 diam = 2 nseg = 5 insert hh insert drive }
objref wave, tw, vs, vd, ss, tv
wave = new Vector()
tw = new Vector()
PLAY
cable for (x) { wave.play(&amp_drive(x), MODE) }
vs = new Vector()
vs.record(&cable.v(0.1))
vd = new Vector()
vd.record(&cable.v(0.9))
ss = new Vector()
ss.record(&cable.s_drive(0.5))
tv = new Vector()
tv.record(&t)
dt = 0.025
tstop = 6
run()
"""

DISCRETE = """for i = 0, 239 { wave.append(0.02*sin(i*0.1) + 0.01*(i < 3)) }"""  # non-zero at t = 0
CONTINUOUS = """for i = 0, 12 { tw.append(i*0.5 + 0.013)  wave.append(0.2*cos(i)) }"""


def _mods(tmp_path: Path) -> Path:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "drive.mod").write_text(DRIVE)
    return mod


@pytest.mark.neuron
@pytest.mark.parametrize("play, mode", [(DISCRETE, "dt"), (CONTINUOUS, "tw, 1"), (CONTINUOUS, "tw")])
def test_play_into_an_unwritten_assigned_matches_neuron(tmp_path, play, mode):
    text = CELL.replace("PLAY", play).replace("MODE", mode)
    _, ref, _, ours, _ = _both(tmp_path, text, ("vs", "vd", "ss", "tv"), mod_dir=_mods(tmp_path))
    assert ref["vs"].max() - ref["vs"].min() > 5  # the played current moves v
    assert abs(ref["ss"]).max() > 1e-3  # and moves the DERIVATIVE's state
    _same_vectors(ref, ours)


def test_play_into_an_assigned_the_mechanism_writes_is_refused(tmp_path):
    mod = _mods(tmp_path)
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent("""
        create cable
        cable insert drive
        objref wave
        wave = new Vector(10, 1)
        cable wave.play(&i_drive(0.5), 0.1)
    """))
    import bridge

    with pytest.raises(HocRefusal, match="Vector.play into i_drive is not supported: bridge plays into a mechanism "
                                         "PARAMETER or an ASSIGNED the mechanism never assigns"):
        bridge.load_hoc(path, mechanisms=mod)


def test_reading_the_played_assigned_after_finitialize_is_refused(tmp_path):
    mod = _mods(tmp_path)
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent("""
        load_file("stdrun.hoc")
        create cable
        cable insert drive
        objref wave
        wave = new Vector(10, 0.01)
        wave.play(&cable.amp_drive(0.5), 0.1)
        tstop = 0.5
        run()
        x = cable.amp_drive(0.5)
    """))
    import bridge

    with pytest.raises(HocRefusal, match=r"cable.amp_drive is read while a Vector plays into it") as err:
        bridge.load_hoc(path, mechanisms=mod)
    assert err.value.location.line == 10
