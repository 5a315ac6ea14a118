"""Loops whose iteration count differs between instances, against NEURON: a FROM loop whose end is a
RANGE PARAMETER (set per instance from HOC, e.g. a number of repeated pulses), and a WHILE whose
condition reads v (a loop traced under `jit`, each instance stopping on its own)."""

from __future__ import annotations

import pytest

TRAIN = """
NEURON {
    POINT_PROCESS ptrain
    RANGE onset, period, npulse, gmax, e, i, g
    NONSPECIFIC_CURRENT i
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { onset = 2 (ms) period = 3 (ms) npulse = 3 gmax = 0.002 (uS) e = 0 (mV) tau = 1 (ms) }
ASSIGNED { v (mV) i (nA) g (uS) }
BREAKPOINT {
    LOCAL j
    g = alphafn(t - onset)
    if (npulse > 1) {
        FROM j = 1 TO (npulse - 1) {
            g = g + alphafn(t - onset - j * period)
        }
    }
    i = g * (v - e)
}
FUNCTION alphafn(x (ms)) (uS) {
    if (x < 0) { alphafn = 0 } else { alphafn = gmax * x / tau * exp(1 - x / tau) }
}
"""

SHELLS = """
NEURON { SUFFIX dshells RANGE nsh, gsum, gl NONSPECIFIC_CURRENT il }
PARAMETER { nsh = 2 gl = 1e-4 (S/cm2) }
ASSIGNED { v (mV) il (mA/cm2) gsum (S/cm2) }
BREAKPOINT {
    LOCAL k
    gsum = 0
    FROM k = 0 TO nsh - 1 BY 2 {
        gsum = gsum + gl / (k + 1)
    }
    il = gsum * (v + 70)
}
"""


@pytest.mark.neuron
def test_from_loop_end_per_instance_matches_neuron(tmp_path):
    """Three point processes with 1, 3 and 5.7 pulses (the end truncated as C's (int)) and a density
    mechanism whose loop count differs per section (including an empty loop): <= 1e-9 mV."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "ptrain.mod").write_text(TRAIN)
    (tmp_path / "mod" / "dshells.mod").write_text(SHELLS)
    (tmp_path / "cell.hoc").write_text(
        "create soma, dend\nconnect dend(0), soma(1)\n"
        "soma { L = 20 diam = 20 insert hh insert dshells nsh_dshells = 5 }\n"
        "dend { L = 200 diam = 2 nseg = 5 insert pas insert dshells nsh_dshells = 0 }\n"
        "objref s1, s2, s3\n"
        "soma s1 = new ptrain(0.5)\ns1.npulse = 1\n"
        "dend s2 = new ptrain(0.3)\ns2.npulse = 3\ns2.gmax = 0.02\n"
        "dend s3 = new ptrain(0.9)\ns3.npulse = 5.7\ns3.period = 2\ns3.gmax = 0.03\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 25.0}, mechanisms=tmp_path / "mod", atol=1e-9)


STAIRS = """
NEURON { SUFFIX stairs RANGE gl, nstep NONSPECIFIC_CURRENT il }
PARAMETER { gl = 2e-4 (S/cm2) }
ASSIGNED { v (mV) il (mA/cm2) nstep }
BREAKPOINT {
    LOCAL x
    x = -90
    nstep = 0
    WHILE (x < v) {
        x = x + 7
        nstep = nstep + 1
    }
    il = gl * nstep / 4 * (v + 65)
}
"""


@pytest.mark.neuron
def test_while_loop_count_per_instance_matches_neuron(tmp_path):
    """A WHILE on v runs a different number of times in each segment (a dendrite depolarised at one
    end): every segment stops on its own count, <= 1e-9 mV (the loop ran on for all instances while
    any was still looping, before the fix)."""
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "stairs.mod").write_text(STAIRS)
    (tmp_path / "cell.hoc").write_text(
        "create soma, dend\nconnect dend(0), soma(1)\n"
        "soma { L = 20 diam = 20 insert hh insert stairs }\n"
        "dend { L = 400 diam = 1 nseg = 9 insert pas insert stairs }\n"
        "objref stim\ndend stim = new IClamp(1)\nstim.del = 1\nstim.dur = 8\nstim.amp = 0.2\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 15.0}, mechanisms=tmp_path / "mod", atol=1e-9)
