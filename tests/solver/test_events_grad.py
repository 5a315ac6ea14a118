"""jax.grad through an event-driven run with respect to channel and synapse parameters (issue 13: gradients
through the continuous state; which events happen, and when, are held fixed). The reference is a central finite
difference of the same jitted run (NEURON computes no gradient); the event delivery itself is compared with
NEURON in test_events_neuron.py."""

import jax
import jax.numpy as jnp

from tests.solver.event_cases import build

CASE = {"sections": [{"name": "soma", "L": 20, "diam": 20, "insert": {"hh": {}}}],
        "points": [["Exp2Syn", "soma", 0.5, {"tau1": 0.5, "tau2": 3.0}]],
        "cells": [["NetStim", {"start": 1.0, "interval": 3.0, "number": 3}]],
        "netcons": [{"source": ["cell", 0], "target": ["point", 0], "weight": [0.002], "delay": 0.5}],
        "probes": [["soma", 0.5, "v"]], "tstop": 10.0, "dt": 0.025,
        # hh's TABLE lookups carry a gradient that is not the finite difference's (test_events_neuron.py says so)
        "globals": {"usetable_hh": 0}}


def test_grad_of_channel_and_synapse_parameters_through_events():
    sim = build(CASE)
    base = sim.params()

    @jax.jit
    def loss(x):  # x = (soma's gnabar_hh [S/cm2], the Exp2Syn's tau2 [ms])
        p = sim.set(base, "gnabar_hh", x[0], section="soma")
        syn = dict(p["mechanisms"]["Exp2Syn"], tau2=p["mechanisms"]["Exp2Syn"]["tau2"].at[0].set(x[1]))
        p = dict(p, mechanisms=dict(p["mechanisms"], Exp2Syn=syn))
        return jnp.mean(sim.run(p, check=False)["soma(0.5).v"])

    x0 = jnp.array([0.12, 3.0])
    grad = jax.grad(loss)(x0)
    for k, h in ((0, 1e-7), (1, 1e-6)):
        step = jnp.zeros(2).at[k].set(h)
        fd = (float(loss(x0 + step)) - float(loss(x0 - step))) / (2 * h)
        assert float(grad[k]) != 0.0
        assert abs(float(grad[k]) - fd) <= 1e-5 * abs(fd), (k, float(grad[k]), fd)
