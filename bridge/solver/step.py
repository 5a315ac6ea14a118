"""One NEURON fixed step, and finitialize, as pure functions of (plan, params, state).

The step follows NEURON's `nrn_fixed_step` (src/nrnoc/fadvance.cpp;
docs/numerics.md, section 2):

1. t += dt/2;
2. currents at v_n in type order: density mechanisms `rhs -= I(v)`,
   `d += (I(v+.001) - I(v))/.001` [mA/cm2, S/cm2]; point processes scaled by
   1e2/area (ELECTRODE_CURRENT: `rhs += I`, `d -= g`); ion currents and their
   slopes summed per node; axial terms; `d += 1e-3*cj*cm`;
3. Hines solve for the change Δ; secondorder 2 moves ion currents by
   `di/dv * Δ`; v += Δ (secondorder 0) or 2Δ (1, 2);
4. t += dt/2; every mechanism's SOLVE block with v_{n+1} (staggered), and
   concentrations it writes are stored back in the ions.

State pytree: {"t": [ms], "v": (nnode,) [mV], "mech": {name: {var: (ninstance,)}},
"ions": {ion: {"ena", "nai", "nao", "ina", "dinadv": (nnode,)}}}.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp

from bridge.mechanisms import ions as ionlib
from bridge.mechanisms.protocol import Env
from bridge.solver import extracellular, linear_mechanism, long_diffusion, pointer_writes, scop_shared, transfer
from bridge.solver.fstim import add_fstim
from bridge.solver.node_add import add_at, set_at
from bridge.solver.plan import Instances, Plan
from bridge.solver.runge_time import after_runge
from bridge.solver.tree_solve import hines_solve

DV = 0.001  # [mV] NEURON's finite-difference step for di/dv
State = dict
Params = dict


def cj_of(dt: float, secondorder: int) -> float:
    """NEURON's `cj`: 1/dt for secondorder 0, 2/dt otherwise [1/ms]."""
    return (2.0 if secondorder else 1.0) / dt


def _env(plan: Plan, inst: Instances, params: Params, prepared: Any, t, dt: float, secondorder: int = 0) -> Env:
    g = dict(plan.static_globals.get(inst.name, {}))
    for key, user in plan.global_keys.get(inst.name, {}).items():
        g[key] = params["globals"][user]
    dtype = jnp.result_type(params["cm"])
    return Env(t=t, dt=dt, celsius=params["globals"]["celsius"], globals=g,
               tables=None if prepared is None else prepared.get(inst.name), area=jnp.asarray(inst.area, dtype),
               diam=None if inst.diam is None else jnp.asarray(inst.diam, dtype), secondorder=secondorder,
               function_tables=(plan.function_tables or {}).get(inst.name))


def prepare(plan: Plan, params: Params, dt: float, secondorder: int = 0) -> dict:
    """Each mechanism's `prepare` (TABLEs from celsius, globals and, as NEURON, the RANGE PARAMETERs of the
    mechanism's first instance in memory order), once per run."""
    return {inst.name: inst.mechanism.prepare(_table_env(plan, inst, params, dt, secondorder))
            for inst in plan.mechanisms}


def _table_env(plan: Plan, inst: Instances, params: Params, dt: float, secondorder: int) -> Env:
    """The Env TABLEs are built with: t = 0, and the RANGE PARAMETERs of the first instance."""
    env = _env(plan, inst, params, None, 0.0, dt, secondorder)
    if inst.size:
        first = {k: a[0] for k, a in params["mechanisms"].get(inst.name, {}).items() if jnp.ndim(a) >= 1}
        env = dataclasses.replace(env, first=first)
    return env


def prepare_kept(plan: Plan, params: Params, dt: float, secondorder: int, memory: dict | None,
                 moment: str | None = None) -> tuple[dict, dict]:
    """`prepare` as NEURON checks TABLEs (at finitialize, each step's start, fcurrent): a mechanism's TABLE
    is rebuilt only where nothing was built yet or a DEPEND value changed since the last build
    (`bridge.nmodl.runtime.table_memory`). `memory`: mechanism name -> what its TABLEs were last built from
    (None or a missing name: nothing built yet); `moment` ("init", "step", "current"; None: every TABLE is
    checked): a mechanism nocmodl does not vectorize checks a TABLE only where its code calls the tabulated
    FUNCTION/PROCEDURE (`TranslatedMechanism.checked_at`); returns (prepared, the memory after the check)."""
    memory = memory or {}
    out, kept = {}, {}
    for inst in plan.mechanisms:
        mech: Any = inst.mechanism  # a TranslatedMechanism where it has TABLE groups
        env = _table_env(plan, inst, params, dt, secondorder)
        if getattr(mech, "table_groups", ()):
            out[inst.name], kept[inst.name] = mech.prepare_kept(env, memory.get(inst.name), moment)
        else:
            out[inst.name] = mech.prepare(env)
    return out, kept


def table_memory(plan: Plan, params: Params, dt: float, secondorder: int = 0) -> dict:
    """The memory of `prepare_kept` before any TABLE was built (mechanism name -> its memory)."""
    out = {}
    for inst in plan.mechanisms:
        if getattr(inst.mechanism, "table_groups", ()):
            mech: Any = inst.mechanism
            out[inst.name] = mech.table_memory(_table_env(plan, inst, params, dt, secondorder))
    return out


def check_tables(plan: Plan, params: Params, dt: float, secondorder: int, memory: dict | None,
                 moment: str | None = None) -> dict:
    """The memory after `prepare_kept`'s check at `moment`, without building any table (a run not simulated)."""
    memory = memory or {}
    out = {}
    for inst in plan.mechanisms:
        mech: Any = inst.mechanism
        if getattr(mech, "table_groups", ()):
            out[inst.name] = mech.check_tables(_table_env(plan, inst, params, dt, secondorder), memory.get(inst.name),
                                               moment)
    return out


def _gather_ions(inst: Instances, ions: dict, v, mech_state: dict, params: Params, ext: dict | None = None) -> dict:
    """The ion variables `inst` reads, per instance, and the values of its POINTERs, read when the
    block runs as NEURON's `*_p_vgap` is (in nrn_cur the step's start v, not v + 0.001; another
    mechanism's variable as the mechanisms before it in type order left it; `ext` the extracellular state)."""
    out = {name: _pointer_values(sources, inst.size, ions, v, mech_state, params, ext)
           for name, sources in (inst.pointers or {}).items()}
    for use in inst.mechanism.ions:
        names = ionlib.variable_names(use.ion)
        for name in dict.fromkeys(use.read + use.write):
            if name in names.values():
                out[name] = ions[use.ion][name][inst.nodes]
    return out


def _pointer_values(sources, size: int, ions: dict, v, mech_state: dict, params: Params, ext: dict | None = None):
    """One POINTER's value per instance, gathered from where each group of instances points."""
    out = jnp.zeros((size,), v.dtype)
    for src in sources:
        if src.kind == "ext":  # e_extracellular as carried, i_membrane, vext (solver.pointer_writes)
            values = pointer_writes.ext_value(src, mech_state, ext)
        elif src.kind == "v":
            values = v[src.index]
        elif src.kind == "ion":
            values = ions[src.owner][src.var][src.index]
        elif src.kind == "state":
            values = mech_state[src.owner][src.var][src.index]
        elif src.kind == "global":  # a GLOBAL ASSIGNED: one value, kept in every instance (solver.pointer_writes)
            values = jnp.broadcast_to(mech_state[src.owner][src.var][0], (len(src.positions),))
        elif src.kind == "diam":
            values = src.values
        elif src.kind == "hoc":  # a HOC scalar: a global of the run (solver.plan.HOC_OWNER)
            values = jnp.broadcast_to(params["globals"][src.var], (len(src.positions),))
        else:
            values = params["mechanisms"][src.owner][src.var][src.index]
        out = out.at[src.positions].set(jnp.asarray(values, v.dtype))
    return out


def _store_ions(inst: Instances, ions: dict, written: dict) -> dict:
    """Write back concentrations / reversal potentials a mechanism set (INITIAL or SOLVE)."""
    if not written:
        return ions
    ions = {k: dict(v) for k, v in ions.items()}
    for use in inst.mechanism.ions:
        for name in ionlib.variable_names(use.ion).values():
            if name in written:
                ions[use.ion][name] = set_at(ions[use.ion][name], inst.nodes, written[name],
                                             inst.mechanism.kind != "point")  # density: one instance per node
    return ions


def _cast(values: dict, dtype) -> dict:
    """A mechanism's returned values in the run's dtype (keeps the scan carry's types fixed)."""
    return {k: jnp.asarray(x, dtype) for k, x in values.items()}


def _total(nonspecific, ion_currents: dict):
    """Sum of a mechanism's currents, ion currents first (nocmodl's `_current += ina; ...`)."""
    total = None
    for value in ion_currents.values():
        total = value if total is None else total + value
    return nonspecific if total is None else total + nonspecific


def mechanism_currents(plan: Plan, params: Params, prepared: Any, state: State, t, dt: float, secondorder: int = 0,
                       electrode: dict | None = None, state_discon: bool = True, ba: bool = True):
    """NEURON's `nrn_rhs` mechanism part at `t`: returns (d, rhs, mech_state, ions) before the axial and
    capacitance terms. With extracellular (`state["ext"]`), ELECTRODE_CURRENT point processes see
    v + vext[0] and `electrode` (a dict) receives their summed +g and +i per node ("d", "rhs";
    bridge.solver.extracellular). `ba`: run the BEFORE BREAKPOINT blocks first (NEURON's nrn_rhs does)."""
    v = state["v"]
    v_electrode = v + state["ext"]["vext"][0] if "ext" in state else v
    rhs_d = jnp.zeros((2,) + v.shape, v.dtype)  # rhs and d as the rows of one array: one scatter per mechanism
    celsius = params["globals"]["celsius"]
    ions = {s.ion: ionlib.begin_currents(state["ions"][s.ion], s, celsius) for s in plan.ions}
    mech_state = dict(state["mech"])
    if ba:
        mech_state = run_ba(plan, "before_breakpoint", params, prepared, mech_state, v, ions, t, dt, secondorder,
                            state.get("ext"))
    for inst in plan.mechanisms:
        if inst.size == 0:
            continue
        mech, nodes = inst.mechanism, inst.nodes
        env = _env(plan, inst, params, prepared, t, dt, secondorder)
        if not state_discon:  # fcurrent(): NEURON's state_discon_allowed_ is 0 (fadvance.cpp fcurrent)
            env = dataclasses.replace(env, state_discon=False)
        p = params["mechanisms"][inst.name]
        vi = (v_electrode if mech.kind == "point" and mech.electrode_current else v)[nodes]
        ion_in = _gather_ions(inst, ions, v, mech_state, params, state.get("ext"))
        def both(st, mech=mech, p=p, vi=vi, ion_in=ion_in, env=env):
            if getattr(mech, "in_turn", ()):  # values passed from instance to instance (nmodl.runtime.in_turn)
                return mech.current_pair(p, st, vi, DV, ion_in, env)
            i1, ic1, st1 = mech.current(p, st, vi + DV, ion_in, env)
            # nocmodl's nrn_cur (noccout.cpp) runs BREAKPOINT at v + 0.001, then at v, on the same instance data:
            # the second run starts from what the first left (an accumulator `n = n + 1` moves twice per step;
            # a RANDOM stream drawn in the first run goes on in the second)
            i0, ic0, st = mech.current(p, st1, vi, ion_in, dataclasses.replace(env, state_discon=False))
            return st, i1, ic1, i0, ic0

        st = mech_state[inst.name]
        own_slope = getattr(mech, "current_and_slope", None)
        if own_slope is not None:  # a mechanism with its own di/dv (KSChan: kschan.cpp KSChan::jacob), not nrn_cur's
            st, i0, ic0, g, ion_slopes = own_slope(p, st, vi, ion_in, env)
            mech_state[inst.name] = _cast(st, v.dtype)
            g = jnp.asarray(g, v.dtype)
        else:
            # NEURON's one scop_random generator: the instances draw in turn, both runs of one first
            # (solver.scop_shared)
            st, i1, ic1, i0, ic0 = (scop_shared.state_in_turn(both, st, inst.size) if scop_shared.draws(mech)
                                    else both(st))
            mech_state[inst.name] = _cast(st, v.dtype)
            if scop_shared.draws(mech):  # the next type's nrn_cur draws on from here (fadvance.cpp nrn_rhs)
                mech_state = scop_shared.pass_on(mech_state, inst.name)
            g = ((_total(i1, ic1) - _total(i0, ic0)) / DV).astype(v.dtype)
            ion_slopes = {name: (ic1[name] - value) / DV for name, value in ic0.items()}
        cur = _total(i0, ic0).astype(v.dtype)
        scale = None
        if mech.kind == "point":
            scale = 1e2 / jnp.asarray(inst.area, v.dtype)
            g = g * scale
            cur = cur * scale
        density = mech.kind != "point"  # one instance per node, in node order: a sorted, unique scatter
        if mech.kind == "point" and mech.electrode_current:
            rhs_d = rhs_d.at[0, nodes].add(cur).at[1, nodes].add(-g)
            if electrode is not None:
                electrode["rhs"] = electrode.get("rhs", jnp.zeros_like(v)).at[nodes].add(cur)
                electrode["d"] = electrode.get("d", jnp.zeros_like(v)).at[nodes].add(g)
        else:  # the same additions in the same order as two scatters
            rhs_d = add_at(rhs_d, nodes, jnp.stack([-cur, g]), density)
        for name, value in ic0.items():
            ion = name[1:]
            slope = jnp.asarray(ion_slopes[name], v.dtype)
            value = jnp.asarray(value, v.dtype)
            if scale is not None:
                value, slope = value * scale, slope * scale
            names = ionlib.variable_names(ion)
            ions[ion] = {**ions[ion], names["dcurdv"]: add_at(ions[ion][names["dcurdv"]], nodes, slope, density),
                         names["cur"]: add_at(ions[ion][names["cur"]], nodes, value, density)}
    return rhs_d[1], rhs_d[0], mech_state, ions


def run_ba(plan: Plan, block: str, params: Params, prepared: Any, mech_state: dict, v, ions: dict, t, dt: float,
           secondorder: int, ext: dict | None) -> dict:
    """Every mechanism's BEFORE BREAKPOINT or AFTER SOLVE (`block`) in type order at the nodes' v (fadvance.cpp
    `nrn_ba`; nocmodl's `_ba` sets v = NODEV), its POINTER writes stored (solver.pointer_writes)."""
    for inst in plan.mechanisms:
        if inst.size == 0 or block not in getattr(inst.mechanism, "ba_blocks", ()):
            continue
        mech: Any = inst.mechanism
        env = _env(plan, inst, params, prepared, t, dt, secondorder)
        ion_in = _gather_ions(inst, ions, v, mech_state, params, ext)
        st, written = mech.run_ba(block, params["mechanisms"][inst.name], mech_state[inst.name], v[inst.nodes],
                                  ion_in, env)
        mech_state = {**mech_state, inst.name: _cast(st, v.dtype)}
        mech_state = pointer_writes.store(inst, written, mech_state, v.dtype)
    return mech_state


def setup_tree_matrix(plan: Plan, params: Params, prepared: Any, state: State, t, dt: float, cj: float,
                      secondorder: int = 0):
    """NEURON's `setup_tree_matrix` at v_n: the full (d, rhs) of the tree system plus the updated mechanism
    state and ions."""
    lay = plan.layout
    v = state["v"]
    d, rhs, mech_state, ions = mechanism_currents(plan, params, prepared, state, t, dt, secondorder)
    rhs = add_fstim(plan.fstim, rhs, t)  # treeset.cpp nrn_rhs: activstim_rhs before the axial terms
    i = plan.nonroot
    p = lay.parent[i]
    a = jnp.asarray(lay.a, v.dtype)[i]
    b = jnp.asarray(lay.b, v.dtype)[i]
    dv = v[p] - v[i]
    rhs = add_at(rhs, i, -(b * dv), True)
    rhs = rhs.at[p].add(a * dv)
    d = d + 1e-3 * cj * params["cm"]
    d = add_at(d, i, -b, True)
    d = d.at[p].add(-a)
    return d, rhs, mech_state, ions


def fixed_step(plan: Plan, params: Params, prepared: Any, state: State, dt: float, secondorder: int = 0) -> State:
    """Advance `state` by one NEURON fixed step of `dt` [ms] (docs/numerics.md, section 2)."""
    return fixed_step_with_matrix(plan, params, prepared, state, dt, secondorder)[0]


def fixed_step_with_matrix(plan: Plan, params: Params, prepared: Any, state: State, dt: float, secondorder: int = 0,
                           half_dt=None, params_after: Params | None = None, prepared_after: Any = None,
                           cj_order: int | None = None, init=None, before_nonvint=None):
    """`fixed_step`, also returning the tree matrix (d, rhs) it solved (to locate where a NaN first appears).

    NEURON rounds t after each half step. With a constant 0.5*dt XLA folds (t + c) + c into
    t + 2c, so `half_dt` should be a traced scalar (see `integrate`); without it a barrier is used.
    `params_after` (and its `prepared_after`): the parameters of the state update at t + dt when they
    differ from those of the currents at t + dt/2 (a continuous `Vector.play`, `bridge.hoc.play`).
    `cj_order`: the secondorder NEURON last computed `cj` with (fadvance.cpp `dt2thread` recomputes it only at
    finitialize, fcurrent, frecord_init, a changed dt or a t assigned by HOC; a secondorder set after
    finitialize() keeps the old cj while the update already moves v by 2*delta); None: `secondorder`.
    `init` (a traced bool, or None): where true, the result is finitialize's last part instead of a step: `state`
    (finitialize's, `finitialize(..., currents=False)`) with the mechanisms' currents at its t, as the step
    computes them at its start; (d, rhs) are then the unused step's. One compiled copy of the current code
    serves both (bridge.solver.integrate).
    `before_nonvint(v, mech_state) -> (v, mech_state)`: what a continuous `Vector.play` into v or a STATE sets
    after the voltage update, before the state update (fadvance.cpp `nrn_fixed_step_lastpart`:
    `fixed_play_continuous` before `nonvint`), or None.
    """
    cj = cj_of(dt, secondorder if cj_order is None else cj_order)
    if half_dt is None:
        t = jax.lax.optimization_barrier(state["t"] + 0.5 * dt)
        half_dt = 0.5 * dt
    else:
        t = state["t"] + half_dt
    t_currents = t if init is None else jnp.where(init, state["t"], t)  # finitialize's currents: at its t
    ext = None
    if plan.extracellular is not None:  # (with LinearMechanisms too: solver.linear_mechanism.solve_blocks)
        d, rhs, mech_state, ions, delta, v, ext, currents = _extracellular_step(plan, params, prepared, state,
                                                                                t_currents, dt, cj, secondorder)
    else:
        d, rhs, mech_state, ions = setup_tree_matrix(plan, params, prepared, state, t_currents, dt, cj, secondorder)
        currents = {**state, "mech": dict(mech_state), "ions": dict(ions)}
        lay = plan.layout
        dtype = state["v"].dtype
        if plan.linear is None:
            delta = hines_solve(d, rhs, jnp.asarray(lay.a, dtype), jnp.asarray(lay.b, dtype), plan.levels)
        else:  # LinearMechanisms: the tree and their equations solved together (solver.linear_mechanism)
            delta, mech_state[linear_mechanism.KEY] = linear_mechanism.solve(
                plan.linear, d, rhs, jnp.asarray(lay.a, dtype), jnp.asarray(lay.b, dtype), plan.levels, state["v"],
                mech_state[linear_mechanism.KEY], cj, secondorder)
        v = state["v"] + (2.0 * delta if secondorder else delta)
    if secondorder == 2:
        for style in plan.ions:
            names = ionlib.variable_names(style.ion)
            ion = ions[style.ion]
            ions[style.ion] = {**ion, names["cur"]: ion[names["cur"]] + ion[names["dcurdv"]] * delta}
    t = t + half_dt
    if before_nonvint is not None:
        v, mech_state = before_nonvint(v, mech_state)
    if params_after is not None:
        params, prepared = params_after, prepared if prepared_after is None else prepared_after
    mech_state = transfer.apply(plan.transfers, mech_state, v)  # fadvance.cpp nonvint: the v transfer first
    for inst in plan.mechanisms:
        if inst.size == 0:
            continue
        env = _env(plan, inst, params, prepared, t, dt, secondorder)
        ion_in = _gather_ions(inst, ions, v, mech_state, params, state.get("ext") if ext is None else ext)
        vi = v[inst.nodes]
        if ext is not None and inst.mechanism.kind == "point" and inst.mechanism.electrode_current:
            vi = vi + ext["vext"][0][inst.nodes]  # nocmodl: ELECTRODE_CURRENT sees v + vext[0]

        def advance(st, inst=inst, env=env, ion_in=ion_in, vi=vi):
            return inst.mechanism.advance(params["mechanisms"][inst.name], st, vi, ion_in, env)
        st, written = (scop_shared.state_in_turn(advance, mech_state[inst.name], inst.size)
                       if scop_shared.draws(inst.mechanism) else advance(mech_state[inst.name]))
        mech_state[inst.name] = _cast(st, v.dtype)
        runge_calls = inst.size * getattr(inst.mechanism, "runge_solves", 0)
        if runge_calls:  # runge.hpp leaves t where its round trips took it
            t = after_runge(t, half_dt * 0.5 if secondorder else half_dt, runge_calls)
        if scop_shared.draws(inst.mechanism):  # the next type's nrn_state draws on from here (solver.scop_shared)
            mech_state = scop_shared.pass_on(mech_state, inst.name)
        ions = _store_ions(inst, ions, _cast(written, v.dtype))
    for ld in plan.long_diffusion:  # fadvance.cpp nonvint: long_difus_solve after every nrn_state
        inst = plan.mechanisms[ld.position]
        env = _env(plan, inst, params, prepared, t, dt, secondorder)
        mech: Any = inst.mechanism  # a TranslatedMechanism (only translated ones diffuse)
        coefficients = mech.diffusion_coefficients(params["mechanisms"][inst.name], mech_state[inst.name],
                                                   v[inst.nodes], _gather_ions(inst, ions, v, mech_state, params), env)
        mech_state[inst.name], ions = long_diffusion.apply(ld, inst.nodes, coefficients, mech_state[inst.name], ions,
                                                           dt)
    # fadvance.cpp nrn_fixed_step_lastpart: nrn_ba(AFTER_SOLVE) after nonvint
    mech_state = run_ba(plan, "after_solve", params, prepared, mech_state, v, ions, t, dt, secondorder,
                        state.get("ext") if ext is None else ext)
    new = {"t": t, "v": v, "mech": mech_state, "ions": ions}
    if ext is not None:
        new["ext"] = ext
    if init is not None:
        # (an array both leave alone stays the same object: integrate's NaN watch tests it only once)
        new = jax.tree.map(lambda a, b: a if a is b else jnp.where(init, a, b), currents, new)
    # netcvode.cpp fixed_record_continuous (after AFTER SOLVE; finitialize's after its currents): BEFORE STEP
    new = before_step(plan, params, prepared, new, dt, secondorder)
    return new, d, rhs


def _extracellular_step(plan: Plan, params: Params, prepared: Any, state: State, t, dt: float, cj: float,
                        secondorder: int):
    """The matrix, solve and update of a step with extracellular (bridge.solver.extracellular): treeset.cpp
    nrn_rhs/nrn_lhs with nrn_rhs_ext and nrn_setup_ext, the block solve, nrn_update_2d. Returns (d, rhs
    (the internal rows), mech_state, ions, delta (dvi), v, ext, the state with the currents' mech_state and
    ions)."""
    lay = plan.layout
    v = state["v"]
    ep = plan.extracellular
    assert ep is not None
    electrode: dict = {}
    d, rhs, mech_state, ions = mechanism_currents(plan, params, prepared, state, t, dt, secondorder, electrode)
    currents = {**state, "mech": dict(mech_state), "ions": dict(ions)}
    d = d + 1e-3 * cj * params["cm"]  # treeset.cpp nrn_lhs: nrn_cap_jacob before nrn_setup_ext
    zero = jnp.zeros_like(v)
    i = plan.nonroot
    p = lay.parent[i]
    a = jnp.asarray(lay.a, v.dtype)
    b = jnp.asarray(lay.b, v.dtype)
    e_now = mech_state[extracellular.E_KEY]["e"] if ep.carried_e else None  # after BEFORE BREAKPOINT wrote it
    D, R, A, B, sav_g, sav_rhs = extracellular.assemble(
        ep, params, state["ext"], d, rhs, electrode.get("d", zero), electrode.get("rhs", zero),
        a, b, p, i, 1e-3 * cj, e_now)
    R = R.at[:, 0].set(add_fstim(plan.fstim, R[:, 0], t))  # activstim_rhs: after nrn_rhs_ext
    D, R = extracellular.add_axial(D, R, v, a, b, p, i)
    if plan.linear is None:
        U = extracellular.block_solve(D, R, A, B, plan.levels)
    else:  # LinearMechanisms on layers of the block system (nrndae.cpp, bmap_ = eqn_index_ + elayer_)
        U, mech_state[linear_mechanism.KEY] = linear_mechanism.solve_blocks(
            plan.linear, D, R, A, B, plan.levels, v, state["ext"]["vext"], mech_state[linear_mechanism.KEY], cj,
            secondorder)
    v, ext = extracellular.update(state["ext"], v, U, sav_g, sav_rhs, jnp.asarray(ep.has),
                                  secondorder)
    return D[:, 0, 0], R[:, 0], mech_state, ions, U[:, 0], v, ext, currents


def _wrote_concentrations(plan: Plan, inst: Instances, ions: dict, celsius) -> dict:
    """After INITIAL: `nrn_wrote_conc` for each ion whose concentration the mechanism writes."""
    styles = {s.ion: s for s in plan.ions}
    for use in inst.mechanism.ions:
        names = ionlib.variable_names(use.ion)
        if {names["ci"], names["co"]} & set(use.write):
            ions = {**ions, use.ion: ionlib.wrote_concentration(ions[use.ion], styles[use.ion], inst.nodes, celsius)}
    return ions


def finitialize(plan: Plan, params: Params, prepared: Any, dt: float, secondorder: int = 0, dtype=jnp.float64,
                records: dict | None = None, currents: bool = True) -> State:
    """NEURON's `finitialize(v_init)` (fadvance.cpp `nrn_finitialize`; docs/numerics.md, section 4): v_init
    on every node, ion_init, INITIAL blocks in type order, then one current evaluation so assigned
    variables and ion currents hold their t=0 values. `records` (a dict) collects, per mechanism, the
    net_sends of its INITIAL (bridge.solver.events queues them); with it the current evaluation is left to
    the caller, after the events of finitialize; `currents=False` leaves it to the caller too
    (`fixed_step_with_matrix(..., init=...)`)."""
    n = plan.nnode
    g = params["globals"]
    t = jnp.zeros((), dtype)
    v = jnp.broadcast_to(jnp.asarray(g["v_init"], dtype), (n,))  # a float, or per node (plan.initial_v)
    ions = {}
    for style in plan.ions:
        names = ionlib.variable_names(style.ion)
        gnames = ionlib.global_names(style.ion)
        values = {k: jnp.asarray(x, dtype) for k, x in params["ions"][style.ion].items()}
        # eion.cpp ion_init leaves the ion current as the last current evaluation left it (ion_alloc: 0): an
        # INITIAL that reads it (cacumm.mod's `irest = ica`) sees the value the model gives (`_ion_values`)
        values[names["cur"]] = values.get(names["cur"], jnp.zeros((n,), dtype))
        values[names["dcurdv"]] = jnp.zeros((n,), dtype)
        ions[style.ion] = ionlib.initialize(values, style, g[gnames["ci0"]], g[gnames["co0"]], g["celsius"])
    # every mechanism's values before INITIAL, for POINTERs to a mechanism later in type order
    mech_state = {inst.name: {k: jnp.full((inst.size,), val, dtype) for k, val in inst.mechanism.state_defaults.items()}
                  for inst in plan.mechanisms}
    ext = None
    if plan.extracellular is not None:  # extcell_init (type 5) runs before every NMODL mechanism's INITIAL
        ext = extracellular.initial_state(plan.extracellular, n, dtype)
        if plan.extracellular.carried_e:
            mech_state[extracellular.E_KEY] = extracellular.carried_e(plan.extracellular, params, n, dtype)
    scop = None  # scop_random's value as the last drawing INITIAL left it
    for inst in plan.mechanisms:
        mech = inst.mechanism
        st = mech_state[inst.name]
        if inst.size:
            env = _env(plan, inst, params, prepared, t, dt, secondorder)
            ion_in = _gather_ions(inst, ions, v, mech_state, params, ext)
            events = records is not None and int(getattr(mech, "net_send_sites", 0)) > 0 and hasattr(mech,
                                                                                                 "init_events")

            def run(p, mech=mech, st=st, ion_in=ion_in, env=env, inst=inst, events=events):
                return (mech.init_events if events else mech.init)(p, st, v[inst.nodes], ion_in, env)
            # nrn_finitialize: the v transfer after v is set, before INITIAL (solver.transfer)
            p = transfer.init_params(plan.transfers, inst, params["mechanisms"][inst.name], v, dtype)
            p = pointer_writes.initial_globals(plan, inst, p, mech_state)
            if scop_shared.draws(mech):  # NEURON's one generator: the instances draw in turn, the types in type
                # order (solver.scop_shared); the first drawing type starts from its parameter (HOC's process value)
                out, scop = scop_shared.in_turn(run, p, inst.size, scop)
            else:
                out = run(p)
            st, written = out[0], out[1]
            if events and records is not None:
                records[inst.name] = out[2]
            st = _cast(st, dtype)
            ions = _store_ions(inst, ions, _cast(written, dtype))
            ions = _wrote_concentrations(plan, inst, ions, g["celsius"])
        mech_state[inst.name] = st
        if inst.size:
            mech_state = pointer_writes.store(inst, written, mech_state, dtype)
    if scop is not None:  # every drawing type holds the value the last drawing INITIAL left
        mech_state = scop_shared.spread(mech_state, scop_shared.drawing(mech_state), scop)
    if plan.linear is not None:  # fadvance.cpp nrn_finitialize: nrndae_init after the INITIAL blocks
        mech_state[linear_mechanism.KEY] = linear_mechanism.initial_state(plan.linear, dtype)
    state = {"t": t, "v": v, "mech": mech_state, "ions": ions}
    if ext is not None:  # extcell_init: vext and i_membrane start at 0
        state["ext"] = ext
    if records is not None:
        # with events NEURON's one setup_tree_matrix comes after the ARTIFICIAL_CELLs' INITIAL and the t = 0
        # deliveries (fadvance.cpp nrn_finitialize): the caller evaluates the currents then, once (a BREAKPOINT
        # that draws from scop_random or counts its runs would otherwise run twice); AFTER INITIAL runs after the
        # NetCons' INITIAL (solver.event_delivery.initialize_queue)
        return state
    state = after_initial(plan, params, prepared, state, dt, secondorder)
    if not currents:
        return state
    _, _, mech_state, ions = mechanism_currents(plan, params, prepared, state, t, dt, secondorder)
    return before_step(plan, params, prepared, {**state, "mech": mech_state, "ions": ions}, dt, secondorder)


def after_initial(plan: Plan, params: Params, prepared: Any, state: State, dt: float, secondorder: int) -> State:
    """Every mechanism's AFTER INITIAL (fadvance.cpp nrn_finitialize: `nrn_ba(AFTER_INITIAL)` after all INITIAL
    blocks, the NetCons' INITIAL included, before the events at t = 0 and the currents)."""
    mech_state = run_ba(plan, "after_initial", params, prepared, state["mech"], state["v"], state["ions"],
                        state["t"], dt, secondorder, state.get("ext"))
    return {**state, "mech": mech_state}


def before_step(plan: Plan, params: Params, prepared: Any, state: State, dt: float, secondorder: int) -> State:
    """Every mechanism's BEFORE STEP at the state's t and v: netcvode.cpp `fixed_record_continuous` runs
    `nrn_ba(BEFORE_STEP)` before the Vector records, at the end of finitialize (after its currents) and of each
    step (fadvance.cpp nrn_fixed_step_lastpart: after AFTER SOLVE, before the events <= t)."""
    mech_state = run_ba(plan, "before_step", params, prepared, state["mech"], state["v"], state["ions"], state["t"],
                        dt, secondorder, state.get("ext"))
    return {**state, "mech": mech_state}
