"""Translated mechanisms inside a simulation are pure JAX: gradients and vmap go through them."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import load_mechanisms
from tests.nmodl._corpus import EXAMPLE_MOD_DIR


@pytest.mark.skipif(not (EXAMPLE_MOD_DIR / "na.mod").exists(), reason="example mechanisms not present")
def test_gradient_through_translated_channels_matches_finite_differences():
    mechs = load_mechanisms(EXAMPLE_MOD_DIR)
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20)
    soma.insert("pas", g=1e-4, e=-65.0)
    soma.insert("na")
    soma.insert("kdr")
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 3.0, "amp": 0.05})
    sim = Simulation(Model(tree, mechanisms={k: mechs[k] for k in ("na", "kdr")}, tstop=5.0), record=["soma(0.5).v"])
    params = sim.params()
    key = next(k for k in params["mechanisms"]["na"] if k.startswith("g"))

    def loss(scale):
        p = jax.tree.map(lambda x: x, params)
        p["mechanisms"]["na"] = {**p["mechanisms"]["na"], key: p["mechanisms"]["na"][key] * scale}
        return jnp.mean(sim.run(p, check=False)["soma(0.5).v"])

    g = float(jax.grad(loss)(1.0))
    h = 1e-5
    fd = (float(loss(1.0 + h)) - float(loss(1.0 - h))) / (2 * h)
    assert np.isfinite(g) and g == pytest.approx(fd, rel=1e-5)


def _soma_loss(mech, key, tstop=5.0):
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20)
    soma.insert("pas", g=1e-4, e=-65.0)
    soma.insert(mech.name)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 3.0, "amp": 0.1})
    sim = Simulation(Model(tree, mechanisms={mech.name: mech}, tstop=tstop), record=["soma(0.5).v"])
    params = sim.params()

    def loss(scale):
        p = jax.tree.map(lambda x: x, params)
        p["mechanisms"][mech.name] = {**p["mechanisms"][mech.name], key: p["mechanisms"][mech.name][key] * scale}
        return jnp.mean(sim.run(p, check=False)["soma(0.5).v"])

    return loss


@pytest.mark.parametrize("case", ["derivimplicit", "kinetic"])
def test_gradient_through_newton_iterations_uses_the_implicit_function_theorem(case):
    from bridge.nmodl.load import BUILTIN_DIR, load_text
    from tests.validation.test_methods import KINETIC_K

    if case == "derivimplicit":
        text = (BUILTIN_DIR / "hh.mod").read_text().replace("METHOD cnexp", "METHOD derivimplicit")
        mech, key = load_text(text.replace("SUFFIX hh", "SUFFIX hhdi"), "hhdi.mod"), "gnabar"
    else:
        mech, key = load_text(KINETIC_K, "kchan.mod"), "gbar"
    loss = _soma_loss(mech, key)
    g = float(jax.grad(loss)(1.0))
    h = 1e-5
    fd = (float(loss(1.0 + h)) - float(loss(1.0 - h))) / (2 * h)
    assert np.isfinite(g) and g == pytest.approx(fd, rel=1e-4)
