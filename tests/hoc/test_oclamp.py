"""OClamp (bridge/mechanisms/builtin/oclamp.mod, NEURON's clamp for optimisation: on between `on` and `off`
while switched_on) against NEURON 9's built-in OClamp: v, the clamp's current, a command voltage played
into vc, and MechanismStandard("OClamp")'s names and defaults, as a PointProcessManager session reads them."""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import CELL, _both, _same_output, _same_vectors

CLAMP = """
objref oc, iv, vcr, vcv, tvc, ms
soma oc = new OClamp(0.5)
oc.on = 2
oc.off = 6.5
oc.vc = -20
oc.rs = 0.5
iv = new Vector()
iv.record(&oc.i)
vcr = new Vector()
vcr.record(&oc.vc)
tstop = 10
"""


@pytest.mark.neuron
@pytest.mark.parametrize("settings", ["oc.switched_on = 1",
                                      "",  # off: no current at all
                                      "oc.switched_on = 1\noc.on = 0\noc.off = 2.5\noc.rs = 2",
                                      # a command voltage played into vc, as an optimisation run drives it
                                      """oc.switched_on = 1
                                      vcv = new Vector(11)
                                      vcv.indgen(-80, 6)
                                      tvc = new Vector(11)
                                      tvc.indgen(0, 1)
                                      vcv.play(&oc.vc, tvc, 1)"""])
def test_oclamp_matches_neuron(tmp_path, settings):
    """v, i and vc to 1e-9 (mV, nA); the printed numbers too."""
    settings = "\n".join(line.strip() for line in settings.splitlines())
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL + CLAMP + settings + """
        run()
        x = printf("%.17g %.17g\\n", soma.v(0.5), oc.i)
        x = printf("%g %g %g %g\\n", oc.on, oc.off, oc.rs, oc.switched_on)
        ms = new MechanismStandard("OClamp")
        x = printf("%d %g %g %g %g\\n", ms.count(), ms.get("rs"), ms.get("on"), ms.get("vc"), ms.get("switched_on"))
    """, vectors=("vs", "vd", "tv", "iv", "vcr"))
    _same_output(theirs, ours)
    assert ref["vs"].size == 401
    if settings == "oc.switched_on = 1":  # the clamp holds v near vc while on: not a do-nothing case
        assert abs(ref["vs"][int(4 / 0.025)] + 20) < 3 and abs(ref["vs"][-1] + 20) > 5
    if not settings:
        assert not ref["iv"].any()
    _same_vectors(ref, vecs)
