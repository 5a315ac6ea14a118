"""scopmath's `gauss(x, mean, stddev)` called from NMODL (the SNS library's pregen.mod: `fgauss = gauss(x, mean,
std_dev)`): the normal density, as NEURON's compiled scopmath computes it (bridge.nmodl.runtime.libm.gauss).
Against NEURON 9.0.2: a current through gauss of v in a spiking cell, a recorded ASSIGNED, and a FUNCTION
called from HOC; a file's own FUNCTION named gauss stays the file's."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import bridge.solver  # noqa: F401  (float64 mode, as every simulation runs)
from bridge.nmodl.load import translate
from bridge.nmodl.runtime import libm, libm_mode
from bridge.testing import assert_matches_neuron

MECH = """
NEURON {
    SUFFIX gs
    USEION k READ ek WRITE ik
    RANGE gbar, gg, vm, sd
}
PARAMETER { gbar = 0.02 (S/cm2) vm = -40 (mV) sd = 12 (mV) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) gg }
BREAKPOINT {
    gg = gauss(v, vm, sd)
    ik = gbar*sd*gg*(v - ek)
}
FUNCTION fg(x, m, s) { fg = gauss(x, m, s) }
"""

HOC = """
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh insert gs }
dend { L = 200 diam = 2 nseg = 3 insert pas g_pas = 1e-4 e_pas = -65 insert gs sd_gs = 4 vm_gs = -60 }
objref stim
soma stim = new IClamp(0.5)
stim.del = 2
stim.dur = 30
stim.amp = 0.3
tstop = 40
"""


@pytest.mark.neuron
def test_gauss_matches_neuron(tmp_path):
    (tmp_path / "gs.mod").write_text(textwrap.dedent(MECH))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(HOC))
    protocol = {"tstop": 40, "dt": 0.025, "v_init": -65, "default_steps": False,
                "recordings": ["soma(0.5).v", "dend(0.5).v", "soma(0.5).gg_gs", "dend(0.9).gg_gs"]}
    result = assert_matches_neuron(tmp_path / "model.hoc", protocol, atol=1e-9)
    assert result.comparison.max_dv <= 1e-9
    gg = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).gg_gs")]
    assert np.ptp(gg) > 1e-3  # v moves through the density: the current is not constant


@pytest.mark.neuron
def test_gauss_bits_match_neuron_scopmath(tmp_path):
    """Bit for bit with NEURON's gauss on arguments of every scale (a FUNCTION called from HOC); traced arrays
    where the value is a normal float64."""
    import subprocess
    import sys

    from validation.neuron_run import compile_mod_files

    (tmp_path / "gs.mod").write_text(textwrap.dedent(MECH))
    lib = compile_mod_files([tmp_path / "gs.mod"])
    rng = np.random.default_rng(7)
    args = np.stack([rng.uniform(-200, 200, 3000), rng.uniform(-50, 50, 3000), rng.uniform(0.05, 40, 3000)], 1)
    np.save(tmp_path / "args.npy", args)
    script = ("import sys, numpy as np\nfrom neuron import h\nh.nrn_load_dll(sys.argv[1])\n"
              "a = np.load(sys.argv[2])\nnp.save(sys.argv[3], np.array([h.fg_gs(*r) for r in a]))\n")
    (tmp_path / "run.py").write_text(script)
    subprocess.run([sys.executable, str(tmp_path / "run.py"), str(lib), str(tmp_path / "args.npy"),
                    str(tmp_path / "out.npy")], check=True, capture_output=True, timeout=120, cwd=tmp_path)
    theirs = np.load(tmp_path / "out.npy")
    scalar = np.array([libm.gauss(float(x), float(m), float(s)) for x, m, s in args])
    before = libm_mode.c_library_exp()
    libm_mode.use_c_library_exp(True)  # parity arithmetic, as the validation runs trace mechanisms
    try:
        arrays = np.asarray(libm.gauss(args[:, 0], args[:, 1], args[:, 2]))
    finally:
        libm_mode.use_c_library_exp(before is not None)
    assert (scalar == theirs).all()
    normal = theirs >= np.finfo(float).tiny  # XLA on CPUs flushes subnormal results to 0 (exp(-740): 1e-322)
    assert (arrays[normal] == theirs[normal]).all()
    assert (arrays[~normal] < 1e-300).all() and normal.sum() > 2500
    assert (theirs > 0).sum() > 1000


def test_own_gauss_function_is_the_files():
    text = textwrap.dedent(MECH).replace("FUNCTION fg(x, m, s) { fg = gauss(x, m, s) }",
                                         "FUNCTION gauss(x, m, s) { gauss = 2*x }")
    source = translate(text, filename="gs.mod")
    assert "rt.gauss" not in source and "gauss(s" in source
