"""A live run's step after HOC changed only values: the last model's plan with its parameters refreshed.

When HOC changes the model between steps (`proc advance() { stim.amp = ...  fadvance() }`), the live run
(`bridge.hoc.live`) needs the model as HOC has it now. When only values changed (a density mechanism's range
values, a point process's parameters, celsius, v_init, the run's GLOBALs, a HOC scalar a POINTER reads) and
nothing else (the structure digest of `bridge.hoc.runcheck.fingerprints` is the last model's), the tree copy,
node layout and plan of the last model are kept and only the parameter pytree is read again from HOC's tree, in
the plan's instance order, as `bridge.solver.plan.build_plan` reads it. Anything else (geometry, cm, ion values,
inserted mechanisms, point processes placed or moved, POINTERs, NetCons, FUNCTION_TABLEs, which values are set)
builds the model again (`bridge.hoc.live.freeze`). docs/performance.md: "HOC live runs".
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from typing import Any

import numpy as np

from bridge.solver.plan import density_values, initial_v, point_values


def refreshed(state, last, digest: str, structure: str, v_init, recordings, extra, cj):
    """A `Frozen` like `last` with the parameters HOC has now, or None when the run must be built again (the
    structure or the recordings changed, or the model has a network or FUNCTION_TABLEs: those are rebuilt every
    time)."""
    import jax

    from bridge.hoc.setpointer import run_globals

    if (last.structure != structure or state.event_objects is not None or state.function_tables
            or last.dt != float(state.globals["dt"]) or last.secondorder != int(state.globals["secondorder"])
            or last.cj_order != cj or last.network is not None or last.extra != extra
            or len(last.recordings) != len(recordings) or any(a is not b for a, b in zip(last.recordings, recordings))):
        return None  # (the recordings: the Simulation's probes)
    sim = last.simulation()
    settings = run_globals(state, last.tree)
    if sorted(settings) != sorted(last.globals):
        return None
    celsius = float(state.globals["celsius"])
    defaults = plan_defaults(sim.plan, state.tree, last.tree, sim.layout, celsius, v_init, settings)
    new = copy.copy(sim)
    new.plan = dataclasses.replace(sim.plan, defaults=defaults)
    new._batch_runs = {}
    new._jit_run = jax.jit(new._run)  # (a live run steps through its engines, bridge.hoc.live.Engine)
    new._jit_locate = jax.jit(functools.partial(new._run, locate_nan=True))
    return dataclasses.replace(last, digest=digest, celsius=celsius, v_init=v_init, globals=settings,
                               recordings=recordings, extra=extra, _sim=new)


def plan_defaults(plan, tree, built, layout, celsius: float, v_init, settings: dict) -> dict:
    """`plan.defaults` with the values of `tree` (HOC's tree now; `built`: the tree copy `plan` was built from,
    of the same structure): range values and point process parameters, celsius, v_init and `settings` (the
    run's globals by NEURON name; the keys the plan was built with)."""
    from bridge.solver import extracellular

    old = plan.defaults
    mechanisms: dict[str, Any] = {}
    placed = {id(pp): k for k, pp in enumerate(built.point_processes)}
    for inst in plan.mechanisms:
        mech, given = inst.mechanism, old["mechanisms"][inst.name]
        if mech.kind == "density":
            starts = {k: float(mech.state_defaults[k]) for k in given if k not in mech.range_parameters}
            mechanisms[inst.name] = density_values(tree, layout, mech, {**mech.range_parameters, **starts})
        else:
            pps = [tree.point_processes[placed[id(pp)]] for pp in inst.point_processes]
            mechanisms[inst.name] = point_values(mech, pps, [k for k in given if k not in mech.range_parameters])
    if extracellular.NAME in old["mechanisms"]:
        mechanisms[extracellular.NAME] = old["mechanisms"][extracellular.NAME]  # structure (runcheck.live_refreshed)
    globals_ = {}
    for key, value in old["globals"].items():
        if key == "celsius":
            globals_[key] = celsius
        elif key == "v_init":
            globals_[key] = initial_v(v_init, layout.nnode)
        else:
            globals_[key] = float(settings[key]) if key in settings else value
    return {"cm": old["cm"], "mechanisms": mechanisms, "ions": old["ions"], "globals": globals_}


def device_params(sim, last: tuple | None) -> tuple[dict, tuple]:
    """`sim.params()`, with each leaf whose bits equal the one in `last` (what this returned before: (numpy
    leaves, device leaves, tree structure)) reused from the device, the others put there in one call."""
    import jax

    host = sim.host_params()
    leaves, treedef = jax.tree.flatten(host)
    if last is None or last[2] != treedef or len(last[0]) != len(leaves):
        device = jax.device_put(leaves)
    else:
        fresh = [i for i, (a, b) in enumerate(zip(leaves, last[0])) if not same_values(a, b)]
        device = list(last[1])
        for i, leaf in zip(fresh, jax.device_put([leaves[i] for i in fresh])):
            device[i] = leaf
    return jax.tree.unflatten(treedef, device), (leaves, device, treedef)


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """The same shape and bits."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
