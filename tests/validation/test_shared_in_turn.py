"""Shared GLOBALs and file-level LOCALs passed from instance to instance, against NEURON 9.0.2.

NEURON keeps them as one C variable and runs each block over the instances in turn, so each instance
reads what the previous one left (bridge.nmodl.runtime.in_turn). Files: tests/validation/data/shared_in_turn
(our own): sharedg.mod (GLOBAL read then assigned in a PROCEDURE the SOLVEd DERIVATIVE calls; an array
GLOBAL assigned one element at a time, as ModelDB 3263's nahh.mod), sharedl.mod (a file-level LOCAL read then
assigned in BREAKPOINT), sharedp.mod (a GLOBAL assigned on some paths only).
"""

from __future__ import annotations

import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.mechanisms.protocol import Env
from bridge.nmodl.load import analyze_text, load_mod
from bridge.nmodl.runtime.in_turn import scan

DATA = Path(__file__).parent / "data" / "shared_in_turn"
PROBES = ["soma(0.5).v", "dend[0](0.1).v", "dend[0](0.9).v", "dend[1](0.5).v", "dend[1](0.833333).v",
          "dend[0](0.5).m_sharedg", "dend[1](0.5).h_sharedg"]


@pytest.mark.neuron
def test_values_passed_from_instance_to_instance_match_neuron():
    from bridge.testing import assert_matches_neuron

    result = assert_matches_neuron(DATA / "cell.hoc", {"recordings": PROBES}, mechanisms=DATA / "mod", atol=1e-9)
    assert result.comparison.max_dv <= 1e-9


@pytest.mark.parametrize("name, carried", [("sharedg", ("inf", "lag")), ("sharedl", ("acc",)),
                                           ("sharedp", ("vlast",))])
def test_the_analysis_names_what_passes_between_instances(name, carried):
    info = analyze_text((DATA / "mod" / f"{name}.mod").read_text(), f"{name}.mod")
    assert info.in_turn == carried


def test_both_breakpoint_runs_of_an_instance_come_before_the_next_instance():
    # sharedl's `acc = acc + w*(1 + 0.001*v)`: nrn_cur runs instance k at v + 0.001 and at v, then instance k + 1
    mech = load_mod(DATA / "mod" / "sharedl.mod")
    assert "IN_TURN = ('acc',)" in mech.python_source  # readable in `bridge translate`
    v = jnp.asarray([-65.0, -60.0, -50.0])
    w = jnp.asarray([0.1, 0.2, 0.3])
    env = Env(t=0.0, dt=0.025, celsius=6.3)
    state, _ = mech.init({"w": w}, {}, v, {}, env)
    state, i1, _, i0, _ = mech.current_pair({"w": w}, state, v, 0.001, {}, env)
    acc, want1, want0 = 0.0, [], []
    for vk, wk in zip([-65.0, -60.0, -50.0], [0.1, 0.2, 0.3], strict=True):
        acc = acc + wk*(1 + 0.001*(vk + 0.001))
        want1.append(1e-4*(vk + 0.001 + 70) + 1e-6*math.sin(acc))
        acc = acc + wk*(1 + 0.001*vk)
        want0.append(1e-4*(vk + 70) + 1e-6*math.sin(acc))
    np.testing.assert_allclose(np.asarray(i1), want1, rtol=0, atol=1e-18)
    np.testing.assert_allclose(np.asarray(i0), want0, rtol=0, atol=1e-18)
    np.testing.assert_allclose(np.asarray(state["acc"]), [acc] * 3, rtol=1e-15)  # the last instance's, for all


def test_a_scan_carries_in_order_and_keeps_grad_and_vmap():
    def body(sc):  # one instance: reads the carried c, leaves c + x
        after = {**sc, "y": sc["c"] * sc["x"], "c": sc["c"] + sc["x"]}
        return after, {"y": after["y"], "c": after["c"]}

    def run(x):
        ys, last = scan(body, {"x": x, "c": jnp.asarray(1.0)}, 3, ("x",), {}, ("c",))
        return jnp.sum(ys["y"]) + last["c"]

    x = jnp.asarray([1.0, 2.0, 3.0])
    # c: 1 -> 2 -> 4 -> 7; y: 1*1, 2*2, 4*3
    assert float(run(x)) == 1 + 4 + 12 + 7
    np.testing.assert_allclose(np.asarray(jax.grad(run)(x)), [1 + 2 + 3 + 1, 2 + 3 + 1, 4 + 1])
    np.testing.assert_allclose(np.asarray(jax.vmap(run)(jnp.stack([x, 2 * x]))), [24.0, 2 + 12 + 42 + 13])
