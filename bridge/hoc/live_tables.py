"""The TABLE memory of HOC's live run: what each mechanism's TABLEs were last built from, carried from one
run to the next as NEURON's static `_maktable` flag and `_sav_<d>` copies are (nocmodl's `_check_<f>`;
`bridge.nmodl.runtime.table_memory`).

NEURON checks a TABLE at each finitialize, at each step's start and at fcurrent (`nrn_thread_table_check`),
and in a HOC call of the tabulated FUNCTION (`_hoc_<f>`), whether or not anyone reads the run's results;
a check rebuilds only when a DEPEND value changed. So the memory after a run bridge never simulates (HOC
read nothing from it) is still needed: `after_requests` checks such requests on the host, from their
parameters alone, without building a table; a run whose played GLOBAL may rebuild its tables at any step
is simulated instead (`needs_run`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bridge.errors import UnsupportedFeature
from bridge.solver.step import _table_env, check_tables, table_memory


def memory_for(sim, params: dict, dt: float, secondorder: int, old: dict | None) -> dict:
    """The memory laid out for `sim`'s plan, `old` kept for each mechanism whose layout is the same."""
    return fit(table_memory(sim.plan, params, dt, secondorder), old)


def needs_run(setters: tuple) -> bool:
    """True when a run's Vector.play of a GLOBAL makes the TABLE check of every step matter
    (`bridge.solver.stepper.make_advance`'s per-step tables)."""
    return any(kind == "global" for kind, *_ in setters)


def checked(sim, params: dict, dt: float, secondorder: int, memory: dict | None, moment: str) -> dict:
    """The memory after one check with `params` at `moment` ("init": finitialize, "step": a piece's first step,
    "current": fcurrent; `bridge.solver.step.prepare_kept`)."""
    return check_tables(sim.plan, params, dt, secondorder, memory_for(sim, params, dt, secondorder, memory), moment)


def held_after(plan, state: dict | None, memory: dict | None) -> dict | None:
    """`memory` with the GLOBALs a tabulated PROCEDURE assigns set to what the run `state` (of `plan`) left in
    them (`TranslatedMechanism.held_after_run`): NEURON's variable keeps that value through a check that does
    not rebuild (a run with `usetable_<suffix> = 0` left the value its calls computed, not the last build's)."""
    if not memory or state is None or plan is None:
        return memory
    out = dict(memory)
    for inst in plan.mechanisms:
        values = state.get("mech", {}).get(inst.name)
        if inst.name in out and values is not None and getattr(inst.mechanism, "table_side_globals", ()):
            out[inst.name] = inst.mechanism.held_after_run(out[inst.name], values)
    return out


def moves_held(sim, params: dict, dt: float, secondorder: int, memory: dict | None, moment: str) -> bool:
    """True when a finitialize or piece (`moment` "init" or "step") with `params`, not simulated, may leave a
    GLOBAL a tabulated PROCEDURE assigns other than the TABLE memory holds: the mechanism's table is off (each
    call computes it) or its check rebuilds (the build sets it). Then the run is simulated, so that
    `held_after` reads the value."""
    for inst in sim.plan.mechanisms:
        mech = inst.mechanism
        if not getattr(mech, "table_side_globals", ()):
            continue
        scope = mech._table_scope(_table_env(sim.plan, inst, params, dt, secondorder))
        kept = (memory or {}).get(inst.name)
        if not scope.get(f"usetable_{mech.name}", 1.0) or kept is None:
            return True
        if any(bool(now) for now in mech.tables_rebuilt(scope, kept, moment)):
            return True
    return False


def fresh(sim, params: dict, dt: float, secondorder: int, memory: dict | None) -> bool:
    """True when the check at a finitialize with `params` leaves every TABLE built from the values `params`
    has (then a `Simulation`, which builds them afresh, runs the same tables)."""
    after = checked(sim, params, dt, secondorder, memory, "init")
    new = checked(sim, params, dt, secondorder, None, "init")
    return all(_same(a["inputs"], b["inputs"]) for name in new for a, b in zip(after[name], new[name], strict=True))


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in b)


def fit(template: dict, old: dict | None) -> dict:
    """`template` (mechanism name -> memory before any build) with the memory `old` kept where it has the
    same layout: NEURON's saved values belong to the mechanism, not to one model structure."""
    out = {}
    for name, fresh in template.items():
        prev = (old or {}).get(name)
        same = prev is not None and _layout(prev) == _layout(fresh)
        out[name] = prev if same else fresh
    return out


def _layout(memory) -> list:
    """Each leaf's path, shape and dtype."""
    import jax

    return [(path, np.shape(a), a.dtype if hasattr(a, "dtype") else np.asarray(a).dtype)
            for path, a in jax.tree_util.tree_flatten_with_path(memory)[0]]


def refuse_changed_side_values(sim, params: dict, state: dict, dt: float, secondorder: int,
                               memory: dict | None) -> None:
    """A piece's first check (a continuerun after HOC changed dt or a DEPEND GLOBAL) that rebuilds a TABLE whose
    PROCEDURE also assigns other variables, giving them a value other than the one they hold: refused, naming the
    mechanism's file and the variable. NEURON assigns them at the rebuild (a GLOBAL for every instance, a
    per-instance ASSIGNED on the first; in the first tabulated call of the step for a mechanism that is not thread
    safe), which bridge applies at finitialize only (`runtime.mechanism._table_side`). A rebuild that leaves the
    same values (Mainen's `tadj`, which does not read dt) changes nothing and runs. A mechanism nocmodl does not
    vectorize checks a TABLE only in a call of its FUNCTION/PROCEDURE: one only INITIAL calls is not rebuilt
    during the run (`TranslatedMechanism.checked_at`), and runs on with its old table, as in NEURON."""
    for inst in sim.plan.mechanisms:
        mech = inst.mechanism
        groups = getattr(mech, "table_groups", ())
        kept = (memory or {}).get(inst.name)
        if not groups or kept is None or inst.name not in state.get("mech", {}):
            continue
        env = _table_env(sim.plan, inst, params, dt, secondorder)
        scope = mech._table_scope(env)
        if not scope.get(f"usetable_{mech.name}", 1.0):
            continue
        if not any(bool(now) for now in mech.tables_rebuilt(scope, kept, "step")):
            continue
        tables, _ = mech.prepare_kept(env, kept, "step")
        held = state["mech"][inst.name]
        for key, first in (("__globals__", False), ("__first__", True)):
            for name, (value, now) in tables.get(key, {}).items():
                if not bool(now) or name not in held:
                    continue
                have = np.asarray(held[name])
                have = have[:1] if first and have.ndim else have
                if not np.array_equal(have, np.broadcast_to(np.asarray(value), have.shape)):
                    raise UnsupportedFeature(
                        f"{mech.name}: a TABLE rebuilt during the run (dt or a DEPEND value changed since "
                        f"finitialize()) sets {name} to a new value ({float(np.ravel(value)[0]):.17g}, "
                        f"was {float(np.ravel(have)[0]):.17g}); NEURON assigns it at the rebuild, bridge only at "
                        f"finitialize(): call finitialize() after the change (file {mech.source_file})")
