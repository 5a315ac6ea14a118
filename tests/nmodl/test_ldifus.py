"""LONGITUDINAL_DIFFUSION in the translator: the STATEs nocmodl diffuses, their rate and volume, its refusals.

Parity with NEURON of the diffusion itself: tests/validation/test_long_diffusion.py."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from bridge.errors import UnsupportedFeature
from bridge.mechanisms.protocol import Env
from bridge.nmodl.load import analyze_text, load_text

HEAD = "NEURON { SUFFIX t USEION ca READ ica WRITE cai RANGE D }\nPARAMETER { D = 0.5 }\n" \
       "ASSIGNED { diam ica cai w[3] }\n"


def test_rate_and_volume_per_state_and_index():
    """The rate with its index bound, the volume of the first COMPARTMENT listing the name, with the
    COMPARTMENT's own index name bound to the same index; STATEs in the file's order."""
    mech = load_text(HEAD + "STATE { ca[3] b }\nBREAKPOINT { SOLVE k METHOD sparse }\n"
                     "KINETIC k {\n  COMPARTMENT j, w[j]*diam {ca}\n  COMPARTMENT 7 {b}\n"
                     "  LONGITUDINAL_DIFFUSION i, D*(i + 1) {ca}\n  LONGITUDINAL_DIFFUSION D/2 {b}\n"
                     "  ~ ca[0] << (-ica)\n  ~ b << (0)\n  cai = ca[0]\n}\n", "t.mod")
    assert mech.long_diffusion == (("ca", 3), ("b", 0))
    params = {"D": jnp.array([0.5, 2.0])}
    state = {"ca": jnp.zeros((2, 3)), "b": jnp.zeros(2), "w": jnp.array([[1.0, 2.0, 3.0]] * 2)}
    env = Env(t=0.0, dt=0.025, celsius=6.3, diam=jnp.array([2.0, 4.0]))
    got = mech.diffusion_coefficients(params, state, jnp.zeros(2), {"ica": jnp.zeros(2), "cai": jnp.zeros(2)}, env)
    assert len(got) == 4
    for i in range(3):
        np.testing.assert_array_equal(got[i][0], params["D"] * (i + 1))
        np.testing.assert_array_equal(got[i][1], (i + 1) * env.diam)
    np.testing.assert_array_equal(got[3][0], params["D"] / 2)
    np.testing.assert_array_equal(got[3][1], [7.0, 7.0])


@pytest.mark.parametrize("body, words", [
    ("  LONGITUDINAL_DIFFUSION D {ca}\n  ~ ca << (0)\n", "which no earlier COMPARTMENT lists"),
    ("  COMPARTMENT diam {ca}\n  LONGITUDINAL_DIFFUSION D {diam}\n  ~ ca << (0)\n", "diam, which is not a STATE"),
    ("  COMPARTMENT diam {ca}\n  FROM i = 0 TO 1 {\n    LONGITUDINAL_DIFFUSION D {ca}\n  }\n  ~ ca << (0)\n",
     "inside a nested statement"),
])
def test_what_nocmodl_refuses_is_refused(body, words):
    with pytest.raises(UnsupportedFeature) as exc:
        analyze_text(HEAD + "STATE { ca }\nBREAKPOINT { SOLVE k METHOD sparse }\nKINETIC k {\n" + body + "}\n",
                     "t.mod")
    assert words in str(exc.value)
    assert "LONGITUDINAL_DIFFUSION" in str(exc.value) and exc.value.location.filename == "t.mod"


def test_a_concentration_state_diffuses_as_the_ion():
    mech = load_text("NEURON { SUFFIX t USEION na READ ina WRITE nai }\nASSIGNED { ina diam }\nSTATE { nai }\n"
                     "BREAKPOINT { SOLVE k METHOD sparse }\nKINETIC k {\n  COMPARTMENT diam {nai}\n"
                     "  LONGITUDINAL_DIFFUSION 0.6*diam {nai}\n  ~ nai << (-ina)\n}\n", "t.mod")
    assert mech.long_diffusion == (("nai", 0),)
