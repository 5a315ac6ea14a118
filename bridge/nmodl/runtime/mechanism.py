"""`TranslatedMechanism`: a generated module seen through the solver's Mechanism protocol.

The generated functions work on one scope dict holding every NMODL name of the
mechanism. This class builds that scope from the protocol's arguments (RANGE
parameters, kept state, ion values, `Env`), runs a block, and splits the result
back into what the protocol returns. Nothing here is specific to one mechanism.
Each call runs inside one `flow.loop_budget()`: its loops together unroll at most
`Limits.max_loop_iterations` iterations.

Scope contents: CONSTANTs and UNITS constants, GLOBALs (defaults, overridden by
`env.globals`, keyed by NMODL name or by NEURON's `name_suffix`), RANGE
parameters, kept state, the ion variables the mechanism reads, `v`, `t`, `dt`,
`celsius`, `area` and `diam` (from `env`), and the TABLEs (`env.tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp

from bridge.errors import BridgeError
from bridge.mechanisms.protocol import Env, IonUse, Values, memory_key, played_key
from bridge.nmodl.runtime import in_turn, randomvars, scoprandom, table_memory
from bridge.nmodl.runtime.events import FNC_ARGS, FNC_ON, FNC_SELF, site_keys
from bridge.nmodl.runtime.flow import loop_budget

# the BEFORE/AFTER blocks a generated module may define (nmodl.analysis.ba_blocks.NAMES; the solver runs them)
BA_BLOCKS = ("before_breakpoint", "after_solve", "before_initial", "after_initial", "before_step")


@dataclass(frozen=True, eq=False)
class TranslatedMechanism:
    """A mechanism translated from NMODL; implements `bridge.mechanisms.protocol.Mechanism`."""

    name: str
    kind: str
    electrode_current: bool
    range_parameters: Mapping[str, float]
    global_parameters: Mapping[str, float]
    state_defaults: Mapping[str, float]
    states: tuple[str, ...]
    ions: tuple[IonUse, ...]
    ion_reads: tuple[str, ...] = ()
    ion_writes: tuple[str, ...] = ()
    ion_currents: tuple[str, ...] = ()
    nonspecific_currents: tuple[str, ...] = ()
    electrode_currents: tuple[str, ...] = ()
    constants: Mapping[str, float] = field(default_factory=dict)
    geometry: tuple[str, ...] = ()
    array_sizes: Mapping[str, int] = field(default_factory=dict)
    source_file: str = ""
    python_source: str = ""
    functions: Mapping[str, Callable] = field(default_factory=dict, repr=False)
    net_receive_args: tuple[str, ...] = ()  # NET_RECEIVE(weight, ...): what an event carries
    assigned_parameters: tuple[str, ...] = ()  # RANGE PARAMETERs code assigns: also kept as state
    assigned_global_parameters: tuple[str, ...] = ()  # GLOBAL PARAMETERs code assigns: kept, start at the global
    shared_globals: tuple[str, ...] = ()  # NEURON's one shared value: the last instance's after each block
    in_turn: tuple[str, ...] = ()  # shared values passed from instance to instance: runtime.in_turn
    pointers: tuple[str, ...] = ()  # POINTER names: the solver passes their values with the ions (read only)
    externals: tuple[str, ...] = ()  # EXTERNAL names (`gscale_oth`): the solver passes them in env.globals
    function_tables: tuple[str, ...] = ()  # FUNCTION_TABLE names: their values come in env.function_tables
    hoc_functions: Mapping[str, Callable] = field(default_factory=dict, repr=False)  # FUNCTIONs, PROCEDUREs by name
    net_send_sites: int = 0  # call sites of net_send() (INITIAL, NET_RECEIVE): runtime.events
    net_event_sites: int = 0  # call sites of net_event() (NET_RECEIVE)
    net_move_sites: int = 0  # call sites of net_move() (NET_RECEIVE)
    for_netcons: bool = False  # NET_RECEIVE loops over the NetCons targeting the instance (FOR_NETCONS)
    net_receive_sets_v: bool = False  # NET_RECEIVE assigns v: its value is written to the node after delivery
    event_sites: tuple[tuple[str, int], ...] = ()  # ("send"|"event"|"move", site) in the file's order
    randoms: tuple[str, ...] = ()  # RANDOM variables: each 9 RANGE parameters and kept state (runtime.randomvars)
    scop_random: bool = False  # draws from scop_random: its value is a RANGE parameter and kept state too
    watch_flags: tuple[float, ...] = ()  # each WATCH condition's flag, in text order (runtime.events.watch)
    long_diffusion: tuple[tuple[str, int], ...] = ()  # LONGITUDINAL_DIFFUSION: (STATE, array size or 0)
    pointer_writes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # block -> POINTERs it assigns
    table_groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # (DEPEND names, tabulated names)
    table_side_globals: tuple[str, ...] = ()  # GLOBALs a tabulated PROCEDURE also assigns (table_memory "held")
    # per TABLE group: (what a rebuild also sets, the .mod line of its TABLE), or empty (codegen.tables)
    table_group_sides: tuple[tuple[tuple[str, ...], int], ...] = ()
    table_off_shared: tuple[str, ...] = ()  # GLOBALs its instances share with usetable 0 (analysis.table_points)
    # per TABLE group, the moments NEURON checks it at ("init", "step", "current"; () : all, a vectorized file):
    # a file nocmodl does not vectorize checks a TABLE only where code calls it (analysis.vectorize)
    table_checks: tuple[tuple[str, ...], ...] = ()
    runge_solves: int = 0  # SOLVEs by METHOD runge: each moves t by a round trip per instance (analysis.runge)
    runge_reads_t: bool = False  # a runge block reads t: the instances advance in turn, t passed on

    @classmethod
    def from_module(cls, ns: dict[str, Any]) -> TranslatedMechanism:
        """Build from the globals of a generated module."""
        names = ("initial", "currents", "advance", "make_tables", "long_diffusion", *BA_BLOCKS)
        randoms = tuple(ns.get("RANDOMS", ()))
        streams = {k: v for r in randoms for k, v in zip(randomvars.fields(r), randomvars.default_stream().values(),
                                                         strict=True)}
        if ns.get("SCOP_RANDOM"):  # scop_random's value, 1 at NEURON's start (runtime.scoprandom)
            streams[scoprandom.KEY] = 1.0
        return cls(
            name=ns["NAME"], kind=ns["KIND"], electrode_current=ns["ELECTRODE_CURRENT"],
            range_parameters={**ns["RANGE_PARAMETERS"], **streams}, global_parameters=dict(ns["GLOBAL_PARAMETERS"]),
            state_defaults={**ns["STATE_DEFAULTS"], **streams}, states=tuple(ns["STATES"]),
            ions=tuple(IonUse(*use) for use in ns["IONS"]),
            ion_reads=tuple(ns["ION_READS"]), ion_writes=tuple(ns["ION_WRITES"]),
            ion_currents=tuple(ns["ION_CURRENTS"]), nonspecific_currents=tuple(ns["NONSPECIFIC_CURRENTS"]),
            electrode_currents=tuple(ns["ELECTRODE_CURRENTS"]), constants=dict(ns["CONSTANTS"]),
            geometry=tuple(ns["GEOMETRY"]), array_sizes=dict(ns["ARRAY_SIZES"]), source_file=ns["SOURCE_FILE"],
            python_source=ns.get("__source__", ""),
            functions={k: ns[k] for k in names + ("net_receive", "net_receive_initial", "watch_conditions")
                       if ns.get(k) is not None},
            net_receive_args=tuple(ns.get("NET_RECEIVE_ARGS", ())),
            assigned_parameters=tuple(ns.get("ASSIGNED_PARAMETERS", ())) + tuple(streams),
            assigned_global_parameters=tuple(ns.get("ASSIGNED_GLOBAL_PARAMETERS", ())),
            shared_globals=tuple(ns.get("SHARED_GLOBALS", ())),
            in_turn=tuple(ns.get("IN_TURN", ())),
            pointers=tuple(ns.get("POINTERS", ())),
            externals=tuple(ns.get("EXTERNALS", ())),
            function_tables=tuple(ns.get("FUNCTION_TABLES", ())),
            hoc_functions=dict(ns.get("HOC_FUNCTIONS", {})),
            net_send_sites=int(ns.get("NET_SEND_SITES", 0)), net_event_sites=int(ns.get("NET_EVENT_SITES", 0)),
            net_move_sites=int(ns.get("NET_MOVE_SITES", 0)), for_netcons=bool(ns.get("FOR_NETCONS", False)),
            net_receive_sets_v=bool(ns.get("NET_RECEIVE_SETS_V", False)),
            event_sites=tuple((str(a), int(b)) for a, b in ns.get("EVENT_SITES", ())),
            randoms=randoms,
            scop_random=bool(ns.get("SCOP_RANDOM")),
            watch_flags=tuple(float(f) for f in ns.get("WATCH_FLAGS", ())),
            long_diffusion=tuple((str(n), int(k)) for n, k in ns.get("LONG_DIFFUSION", ())),
            pointer_writes={str(k): tuple(str(n) for n in v) for k, v in ns.get("POINTER_WRITES", {}).items()},
            table_groups=tuple((tuple(d), tuple(n)) for d, n in ns.get("TABLE_GROUPS", ())),
            table_side_globals=tuple(ns.get("TABLE_SIDE_GLOBALS", ())),
            table_group_sides=tuple((tuple(s), int(line)) for s, line in ns.get("TABLE_GROUP_SIDES", ())),
            table_off_shared=tuple(ns.get("TABLE_OFF_SHARED", ())),
            table_checks=tuple(tuple(m) for m in ns.get("TABLE_CHECKS", ())),
            runge_solves=int(ns.get("RUNGE", (0, False))[0]), runge_reads_t=bool(ns.get("RUNGE", (0, False))[1]),
        )

    # -- scope ----------------------------------------------------------------------------
    def _globals(self, env: Env) -> dict[str, Any]:
        given = dict(env.globals or {})
        out = {}
        for k, default in self.global_parameters.items():
            if k in given:
                out[k] = given[k]
            elif f"{k}_{self.name}" in given:
                out[k] = given[f"{k}_{self.name}"]
            else:
                out[k] = default
            if k in self.array_sizes and jnp.ndim(out[k]) == 0:  # PARAMETER x[n]: n copies of the default
                out[k] = jnp.full((self.array_sizes[k],), out[k], dtype=jnp.result_type(float))
        return out

    def _scope(self, params: Values, state: Values, v, ions: Values, env: Env) -> dict[str, Any]:
        s: dict[str, Any] = dict(self.constants)
        s.update(self._globals(env))
        for k, default in self.range_parameters.items():
            s[k] = params.get(k, default)
            if k in self.array_sizes and jnp.ndim(s[k]) <= 1 and jnp.shape(s[k]) != (self.array_sizes[k],):
                s[k] = jnp.asarray(s[k])[..., None] + jnp.zeros(self.array_sizes[k])
        for k, default in self.state_defaults.items():
            # a played ASSIGNED that no statement assigns (bridge.hoc.play) has a slot among the parameters: its
            # value is the play's, as NEURON's memory holds what the play last wrote there
            played = played_key(k)
            value = params[played] if played in params else state.get(k, default)
            if k in self.array_sizes and jnp.ndim(value) <= 1 and jnp.shape(value) in ((), (self.array_sizes[k],)):
                # a default or one value for all (INITIAL starts from it): one row per instance, as `_state_out`
                # keeps them, so an IF over instances can select rows (runtime.flow `_per_instance`)
                value = jnp.full((self.array_sizes[k],), value, dtype=jnp.result_type(float))
                if jnp.ndim(v) == 1:
                    value = jnp.broadcast_to(value, (jnp.shape(v)[0], self.array_sizes[k]))
            s[k] = value
        for k in self.ion_reads:
            if k not in ions:
                raise BridgeError(f"mechanism {self.name}: the solver gave no value for ion variable {k!r}")
            s[k] = ions[k]
        for k in self.externals:
            if k not in (env.globals or {}):
                raise BridgeError(f"mechanism {self.name}: the solver gave no value for EXTERNAL {k!r}")
            s[k] = env.globals[k]
        for k in self.pointers:
            if k not in ions:
                raise BridgeError(f"mechanism {self.name}: the solver gave no value for POINTER {k!r}")
            s[k] = ions[k]
        s["v"] = v
        s["t"] = env.t
        s["dt"] = env.dt
        s["celsius"] = env.celsius
        s["secondorder"] = int(getattr(env, "secondorder", 0) or 0)
        s["area"] = env.area if env.area is not None else 0.0
        diam = getattr(env, "diam", None)
        if "diam" in self.geometry and diam is None:
            raise BridgeError(f"mechanism {self.name} reads diam but the solver gave none (Env.diam)")
        s["diam"] = diam if diam is not None else 0.0
        s["__tables__"] = env.tables or {}
        s["__functables__"] = getattr(env, "function_tables", None) or {}
        s["__discon__"] = bool(getattr(env, "state_discon", True))
        return s

    def _shaped(self, x, v):
        v = jnp.asarray(v)
        dtype = v.dtype if jnp.issubdtype(v.dtype, jnp.floating) else jnp.result_type(float)
        return (jnp.zeros_like(v, dtype=dtype) + x).astype(dtype)

    def _state_out(self, s, v) -> Values:
        out = {}
        for k in self.state_defaults:
            if k in self.array_sizes:  # (instances, size)
                shaped = self._shaped(jnp.zeros(self.array_sizes[k]), v[..., None] if jnp.ndim(v) else v)
                out[k] = shaped + s[k]
            else:
                out[k] = self._shaped(s[k], v)
        for k in self.shared_globals:  # NEURON's loop over instances leaves the last one's value
            if jnp.ndim(v) and k in out:
                out[k] = jnp.broadcast_to(out[k][-1], out[k].shape)
        return out

    def _turns(self, v, carried: tuple[str, ...] | None = None) -> int:
        """How many instances run one after another (runtime.in_turn) carrying `carried` (default `in_turn`);
        0 when they may run all at once."""
        if not (self.in_turn if carried is None else carried) or jnp.ndim(v) != 1 or jnp.shape(v)[0] < 2:
            return 0
        return int(jnp.shape(v)[0])

    def _sites(self) -> tuple[str, ...]:
        return tuple(site_keys(self.net_send_sites, self.net_event_sites, len(self.watch_flags), self.net_move_sites))

    def _per_instance(self) -> tuple[str, ...]:
        """The scope names `_scope` fills with one value per instance."""
        return (*self.range_parameters, *self.state_defaults, *self.ion_reads, *self.pointers, "v", "area", "diam",
                *self._sites())

    def _outputs(self) -> tuple[str, ...]:
        """The scope names the protocol methods read after a block."""
        written = tuple(n for names in self.pointer_writes.values() for n in names)  # POINTERs a block assigns
        return (*self.state_defaults, *self.ion_writes, *self.ion_currents, *self.nonspecific_currents,
                *self.electrode_currents, "v", *self._sites(), *written)

    def _block(self, name: str, s: dict[str, Any], v, carried: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The generated block `name` on scope `s`: all instances at once, or in turn (runtime.in_turn) carrying
        `carried` (default `in_turn`)."""
        fn = self.functions[name]
        carried = self.in_turn if carried is None else carried
        n = self._turns(v, carried)
        with loop_budget():
            if not n:
                return fn(s)
            ys, _ = in_turn.scan(lambda sc: (after := fn(sc), in_turn.picked(after, self._outputs())), s, n,
                                 self._per_instance(), self.array_sizes, carried)
        return {**s, **ys}

    def current_pair(self, params: Values, state: Values, v, dv, ions: Values, env: Env):
        """nocmodl's nrn_cur (noccout.cpp): BREAKPOINT at v + dv, then at v starting from what the first
        run left, each instance both runs before the next; the instances in turn when `in_turn` names
        values they pass on. Returns (state, current at v + dv, its ion currents, current at v, its ion
        currents), the currents as `current` gives them."""
        fn = self.functions["currents"]
        names = (*self.ion_currents, *self.nonspecific_currents, *self.electrode_currents)

        def both(sc):
            first = fn({**sc, "v": sc["v"] + dv})
            after = fn({**sc, **{k: first[k] for k in self.state_defaults}, "__discon__": False})
            return after, (in_turn.picked(first, names), in_turn.picked(after, self._outputs()))

        s = self._scope(params, state, v, ions, env)
        n = self._turns(v)
        with loop_budget():
            if n:
                (first, after), _ = in_turn.scan(both, s, n, self._per_instance(), self.array_sizes, self.in_turn)
                after = {**s, **after}
            else:
                _, (first, after) = both(s)
                after = {**s, **after}
        out = []
        for sc in (first, after):
            total = 0.0
            for k in self.nonspecific_currents + self.electrode_currents:
                total = total + sc[k]
            out.append((self._shaped(total, v), {k: self._shaped(sc[k], v) for k in self.ion_currents}))
        return self._state_out(after, v), out[0][0], out[0][1], out[1][0], out[1][1]

    def _ion_out(self, s, v, block: str = "") -> Values:
        """The ion values a block wrote (concentrations, e), and the POINTERs `block` assigns (the solver writes
        their targets: bridge.solver.step `_store_pointers`)."""
        out = {k: self._shaped(s[k], v) for k in self.ion_writes if k not in self.ion_currents}
        out.update((k, self._shaped(s[k], v)) for k in self.pointer_writes.get(block, ()))
        return out

    # -- protocol -------------------------------------------------------------------------
    def prepare(self, env: Env) -> Any:
        """TABLEs from the globals and celsius (NEURON rebuilds them when a DEPEND changes)."""
        s = self._table_scope(env)
        with loop_budget():
            return self.functions["make_tables"](s)

    def table_memory(self, env: Env) -> Any:
        """The memory of `prepare_kept` before any TABLE was built (None without TABLEs)."""
        if not self.table_groups:
            return None
        s = self._table_scope(env)
        return table_memory.initial(self.table_groups, table_memory.kept_names(self.global_parameters,
                                                                               self.range_parameters, s), s,
                                    self.table_side_globals)

    def checked_at(self, moment: str | None) -> tuple[bool, ...] | None:
        """Per TABLE group, whether NEURON checks it at `moment` ("init": finitialize, "step": a fixed step,
        "current": fcurrent; `table_checks`); None (every group) for a vectorized file or `moment` None.
        `"call:<f>,<g>,..."`: a HOC call that checks the TABLEs of f, g, ... only (`_hoc_f` checks f's own; in a
        file nocmodl does not vectorize each tabulated g f's code calls checks its own too: the caller says which),
        in any file."""
        if moment is not None and moment.startswith("call:"):
            called = set(moment[len("call:"):].split(","))
            return tuple(bool(called & set(names)) for _, names in self.table_groups)
        if moment is None or not self.table_checks:
            return None
        return tuple(moment in m for m in self.table_checks)

    def tables_rebuilt(self, scope: dict[str, Any], memory: Any, moment: str | None = None) -> tuple:
        """Per TABLE group, whether a check with `scope` (`_table_scope`) at `moment` (`checked_at`) rebuilds it
        from `memory`."""
        return table_memory.rebuilt(self.table_groups, memory, scope, self.checked_at(moment))

    def prepare_kept(self, env: Env, memory: Any = None, moment: str | None = None) -> tuple[Any, Any]:
        """`prepare` as NEURON checks TABLEs between runs: (the tables, the memory after the check).
        `memory`: what each TABLE was last built from (`runtime.table_memory`; None: nothing built yet);
        `moment` (`checked_at`): a group NEURON does not check then keeps its memory, and its tables are built
        from what the memory holds (NEURON's table as it is)."""
        s = self._table_scope(env)
        if not self.table_groups:
            with loop_budget():
                return self.functions["make_tables"](s), memory
        checked = self.checked_at(moment)
        if memory is None:
            memory = self._checked(s, None, moment)
            # an array, as rebuilt() gives: one compile
            fresh = tuple(jnp.asarray(checked is None or on) for on in (checked or (True,) * len(self.table_groups)))
        else:
            fresh = table_memory.rebuilt(self.table_groups, memory, s, checked)
            memory = self._checked(s, memory, moment)
        if not s.get(f"usetable_{self.name}", 1.0):
            return {}, memory
        out: dict[str, Any] = {}
        side: dict[str, Any] = {}
        first: dict[str, Any] = {}
        held = table_memory.held(memory)  # a build starts from what NEURON's GLOBALs hold (analysis.table_points)
        for (_, names), m, now in zip(self.table_groups, memory, fresh, strict=True):
            with loop_budget():
                built = self.functions["make_tables"]({**s, **m["inputs"], **held, "__only__": names})
            # NEURON's variables get them only from a build at this check (else they keep their value)
            side.update((k, (value, now)) for k, value in built.pop("__globals__", {}).items())
            first.update((k, (value, now)) for k, value in built.pop("__first__", {}).items())
            out.update(built)
        kept = table_memory.held(memory)  # where no build ran, NEURON's GLOBAL keeps what it holds
        side = {k: ((jnp.where(now, value, kept[k]), now) if k in kept else (value, now))
                for k, (value, now) in side.items()}
        memory = table_memory.with_held(memory, {k: value for k, (value, _) in side.items()})
        if side:
            out["__globals__"] = side
        if first:
            out["__first__"] = first
        return out, memory

    def held_after_run(self, memory: Any, values: Mapping[str, Any]) -> Any:
        """`memory` (`runtime.table_memory`) with each GLOBAL a tabulated PROCEDURE assigns
        (`table_side_globals`) set to what a run left in it: `values`, the run's state of this mechanism
        (instances first; NEURON's one variable holds the last instance's write)."""
        if memory is None or not self.table_side_globals:
            return memory
        kept = table_memory.held(memory)
        got = {}
        for k in self.table_side_globals:
            if k in values and k in kept:
                a = jnp.asarray(values[k])
                if a.ndim > jnp.ndim(kept[k]):
                    if not a.shape[0]:
                        continue
                    a = a[-1]
                got[k] = a
        return table_memory.with_held(memory, got)

    def check_tables(self, env: Env, memory: Any = None, moment: str | None = None) -> Any:
        """The memory after `prepare_kept`'s check at `moment`, without building the tables (a run bridge does
        not simulate still checks them in NEURON)."""
        return self._checked(self._table_scope(env), memory, moment) if self.table_groups else None

    def _checked(self, s: dict[str, Any], memory: Any, moment: str | None = None) -> Any:
        if memory is None:
            names = table_memory.kept_names(self.global_parameters, self.range_parameters, s)
            memory = table_memory.initial(self.table_groups, names, s, self.table_side_globals)
        if not s.get(f"usetable_{self.name}", 1.0):  # nocmodl's check returns at once: nothing saved
            return memory
        return table_memory.check(self.table_groups, memory, s, self.checked_at(moment))

    def _table_scope(self, env: Env) -> dict[str, Any]:
        """The scope TABLEs are built in: constants, globals, celsius, dt, the first instance's RANGE
        PARAMETERs, other variables at their defaults."""
        s: dict[str, Any] = dict(self.constants)
        s.update(self._globals(env))
        s["celsius"] = env.celsius
        s["dt"] = env.dt
        s["t"] = 0.0
        s["v"] = 0.0
        s["secondorder"] = 0.0
        first = getattr(env, "first", None) or {}
        for k, default in {**self.range_parameters, **self.state_defaults}.items():
            value: Any = default
            if k in self.array_sizes:
                value = jnp.full((self.array_sizes[k],), default, dtype=jnp.result_type(float))
            if k in self.range_parameters and k in first:  # NEURON builds TABLEs at its first instance
                value = first[k]
            s.setdefault(k, value)
        s["__functables__"] = getattr(env, "function_tables", None) or {}  # a TABLE built from a FUNCTION_TABLE
        return s

    def init(self, params: Values, state: Values, v, ions: Values, env: Env):
        """Kept variables reset to their defaults (STATE x to x0), then INITIAL at v."""
        state, written, _ = self.init_events(params, state, v, ions, env)
        return state, written

    def init_events(self, params: Values, state: Values, v, ions: Values, env: Env):
        """`init`, also returning the events INITIAL asked for (`_event_records`)."""
        start: dict[str, Any] = dict(self.state_defaults)
        for k in self.assigned_parameters:  # their kept value starts as the parameter
            start[k] = params.get(k, self.range_parameters[k])
        for k in self.assigned_global_parameters:  # NEURON's C global, as HOC last set it
            start[k] = self._globals(env)[k]
        held = set()  # names whose start is what NEURON's variable holds (the last run's, HOC's), not a default
        for k, value in params.items():  # a kept ASSIGNED the model gave (solver.plan.assigned_starts): NEURON's
            if k not in self.range_parameters and k in start and k not in self.states:  # variable holds it
                start[k] = value
                held.add(k)
        given = env.globals or {}
        for k in self.state_defaults:  # a file LOCAL or GLOBAL ASSIGNED as a HOC call left NEURON's one C variable
            if memory_key(k) in given:  # a float, or a tuple for an array (static: hashable in the plan)
                start[k] = jnp.asarray(given[memory_key(k)], dtype=jnp.result_type(float))
                held.add(k)
        for k in self.states:  # NEURON: x = x0 before INITIAL, x0 a PARAMETER when declared
            if f"{k}0" in self.range_parameters:
                start[k] = params.get(f"{k}0", self.range_parameters[f"{k}0"])
            elif f"{k}0" in self.global_parameters:
                start[k] = self._globals(env)[f"{k}0"]
        start.update(_table_side(start, env.tables or {}, v, held))  # values left by TABLE building: it follows them
        if "before_initial" in self.functions:  # fadvance.cpp nrn_finitialize: BEFORE INITIAL on the memory INITIAL
            # starts from (it may touch no STATE, POINTER or ion: analysis.ba_blocks, so it may run just before)
            start = {**start, **self._state_out(self._block("before_initial", self._scope(params, start, v, ions, env),
                                                            v), v)}
        s = self._block("initial", self._with_sites(self._scope(params, start, v, ions, env), v), v)
        return self._state_out(s, v), self._ion_out(s, v, "initial"), self._event_records(s, v)

    def _with_sites(self, s: dict[str, Any], v) -> dict[str, Any]:
        """The scope with every net_send/net_event site cleared (runtime.events)."""
        zero = self._shaped(0.0, v)
        for key in site_keys(self.net_send_sites, self.net_event_sites, len(self.watch_flags), self.net_move_sites):
            s[key] = zero
        return s

    def _event_records(self, s, v) -> dict[str, tuple]:
        """{"send": ((on, t, flag) per net_send site), "event": ((on, t) per net_event site)}, per instance."""
        return {"send": tuple(tuple(self._shaped(s[f"__send_{p}{k}"], v) for p in ("on", "t", "flag"))
                              for k in range(self.net_send_sites)),
                "event": tuple(tuple(self._shaped(s[f"__event_{p}{k}"], v) for p in ("on", "t"))
                               for k in range(self.net_event_sites)),
                "watch": tuple(tuple(self._shaped(s[f"__watch_{p}{k}"], v) for p in ("on", "above"))
                               for k in range(len(self.watch_flags))),
                "move": tuple(tuple(self._shaped(s[f"__move_{p}{k}"], v) for p in ("on", "t"))
                              for k in range(self.net_move_sites))}

    def current(self, params: Values, state: Values, v, ions: Values, env: Env):
        """BREAKPOINT (without SOLVE) at v: (nonspecific + electrode current, ion currents, state)."""
        s = self._block("currents", self._scope(params, state, v, ions, env), v)
        total = 0.0
        for k in self.nonspecific_currents + self.electrode_currents:
            total = total + s[k]
        return self._shaped(total, v), {k: self._shaped(s[k], v) for k in self.ion_currents}, self._state_out(s, v)

    def advance(self, params: Values, state: Values, v, ions: Values, env: Env):
        """The SOLVE statements at the new v over env.dt: (state, ion concentrations written). A runge block
        that reads t runs its instances in turn, each at the t the one before left (nmodl.analysis.runge)."""
        carried = (*self.in_turn, "t") if self.runge_reads_t else None
        s = self._block("advance", self._scope(params, state, v, ions, env), v, carried)
        return self._state_out(s, v), self._ion_out(s, v)

    @property
    def ba_blocks(self) -> tuple[str, ...]:
        """The BEFORE/AFTER blocks it has, of `BA_BLOCKS` (analysis.ba_blocks)."""
        return tuple(k for k in BA_BLOCKS if k in self.functions)

    def run_ba(self, block: str, params: Values, state: Values, v, ions: Values, env: Env):
        """A BEFORE/AFTER block (`block`, of `BA_BLOCKS`) at the node's v: (state, POINTER values it wrote)."""
        s = self._scope(params, state, v, ions, env)
        with loop_budget():
            s = self.functions[block](s)
        return self._state_out(s, v), {k: self._shaped(s[k], v) for k in self.pointer_writes.get(block, ())}

    def diffusion_coefficients(self, params: Values, state: Values, v, ions: Values, env: Env):
        """LONGITUDINAL_DIFFUSION's (rate, volume) per instance for each (STATE, index) of `long_diffusion`,
        array elements in index order, from the values now (nocmodl's `_difcoef`, called by NEURON's
        long_difus_solve after every mechanism's nrn_state)."""
        s = self._scope(params, state, v, ions, env)
        with loop_budget():
            pairs = self.functions["long_diffusion"](s)
        return tuple((self._shaped(rate, v), self._shaped(vol, v)) for rate, vol in pairs)

    @property
    def receives_events(self) -> bool:
        """True when the file has a NET_RECEIVE block (see `net_receive`)."""
        return "net_receive" in self.functions

    def net_receive(self, params: Values, state: Values, v, ions: Values, env: Env, args, flag=0.0):
        """Deliver one event to every instance: NET_RECEIVE with `args` (e.g. (weight,)) at env.t.

        Returns (new state, the NetCon's arguments after the block: NEURON keeps them per
        NetCon). The solver decides when and to which instances events go (NEURON delivers
        NetCon events at the start of a step, before the currents)."""
        if not self.receives_events:
            raise BridgeError(f"{self.name} has no NET_RECEIVE block")
        if len(args) != len(self.net_receive_args):
            raise BridgeError(f"{self.name}: NET_RECEIVE takes {len(self.net_receive_args)} arguments "
                              f"({', '.join(self.net_receive_args)}), got {len(args)}")
        state, new_args, _ = self.net_receive_events(params, state, v, ions, env, args, flag)
        return state, new_args

    def net_receive_events(self, params: Values, state: Values, v, ions: Values, env: Env, args, flag=0.0,
                           netcons=None):
        """`net_receive`, also returning the events the block asked for (as `init_events`). `netcons`:
        for FOR_NETCONS, the arguments of the NetCons targeting the instance (F, W), which are real
        (F,) and which one delivers this event (F,); the records then hold them after the block
        under "netcons" (runtime.events.for_netcons)."""
        if not self.receives_events:
            raise BridgeError(f"{self.name} has no NET_RECEIVE block")
        s = self._with_sites(self._scope(params, state, v, ions, env), v)
        if netcons is not None:
            s[FNC_ARGS], s[FNC_ON], s[FNC_SELF] = netcons
        with loop_budget():
            s, new_args = self.functions["net_receive"](s, *args, flag=flag)
        records = self._event_records(s, v)
        if netcons is not None:
            records["netcons"] = s[FNC_ARGS]
        if self.net_receive_sets_v:  # nocmodl's `NODEV(_pnt->node) = v` at the block's end (nocpout.cpp)
            records["v"] = self._shaped(s["v"], v)
        return self._state_out(s, v), tuple(new_args), records

    def watch_values(self, params: Values, state: Values, v, ions: Values, env: Env):
        """Every WATCH condition's value per instance, (instances, conditions); > 0 where it holds."""
        s = self._scope(params, state, v, ions, env)
        values = self.functions["watch_conditions"](s)
        return jnp.stack([self._shaped(x, v) for x in values], axis=-1)

    def net_receive_initial(self, params: Values, state: Values, v, ions: Values, env: Env, args):
        """NET_RECEIVE's INITIAL block for one NetCon's arguments at finitialize (args unchanged if none)."""
        if "net_receive_initial" not in self.functions:
            return tuple(args)
        s = self._scope(params, state, v, ions, env)
        with loop_budget():
            return tuple(self.functions["net_receive_initial"](s, *args))

    def call_hoc(self, name: str, args, values: Values, env: Env) -> tuple[float, dict[str, Any]]:
        """FUNCTION or PROCEDURE `name` called from HOC with `args`, on one instance's `values` (the
        mechanism names it reads, as numbers): (its value, the scope after it). A PROCEDURE's value is
        1, as NEURON's HOC wrapper returns. With Python floats the arithmetic is C's (`libm`)."""
        s: dict[str, Any] = dict(self.constants)
        s.update(self._globals(env))
        s.update({"t": env.t, "dt": env.dt, "celsius": env.celsius,
                  "secondorder": int(getattr(env, "secondorder", 0) or 0)})
        s.update(values)
        s["__tables__"] = env.tables or {}
        s["__functables__"] = {}
        with loop_budget():
            out = self.hoc_functions[name](s, *args)
        if isinstance(out, dict):
            return 1.0, out
        if isinstance(out, tuple):
            return float(out[0]), out[1]
        return float(out), s

    @property
    def random_fields(self) -> tuple[str, ...]:
        """The state keys of the RANDOM streams (the solver carries them from one current evaluation to the next)."""
        scop = (scoprandom.KEY,) if self.scop_random else ()
        return tuple(k for r in self.randoms for k in randomvars.fields(r)) + scop

    # -- conveniences ---------------------------------------------------------------------
    @property
    def recordable(self) -> tuple[str, ...]:
        """Names a user may record: STATEs and kept ASSIGNED range variables."""
        return tuple(self.state_defaults)

    def __repr__(self) -> str:
        return f"TranslatedMechanism({self.name!r} from {self.source_file or '<string>'})"


def _table_side(start: dict[str, Any], tables: dict[str, Any], v, held: set[str]) -> dict[str, Any]:
    """The values TABLE building left (`runtime.tables.build`): a GLOBAL's ("__globals__") on every instance, a
    per-instance ASSIGNED's ("__first__") on the first (index 0, NEURON's memory order: the instance whose data
    built the TABLE, nocmodl's `_check_<name>`); `start` elsewhere. A value is a number, or (number, rebuilt): where
    this check did not rebuild the table, NEURON's variable keeps what it had: `start` for the names in `held`
    (the last run's value where it is carried, bridge.hoc.carried_runs, or HOC's), else the table memory's: a
    GLOBAL's is what its variable holds (`runtime.table_memory` "held": the last build's, or what a run with the
    table off left; `prepare_kept` gives it where no build ran), a per-instance ASSIGNED's the last build's."""
    out = {}
    v = jnp.asarray(v)
    n = v.shape[0] if v.ndim else 1
    for key, only_first in (("__globals__", False), ("__first__", True)):
        for k, item in tables.get(key, {}).items():
            value, now = item if isinstance(item, tuple) else (item, True)
            now = now if k in held else True
            value = jnp.asarray(value)
            old = jnp.broadcast_to(jnp.asarray(start[k]), (n, *value.shape))
            where = jnp.asarray(now) & ((jnp.arange(n) == 0) if only_first else jnp.full((n,), True))
            new = jnp.where(where.reshape((n,) + (1,) * value.ndim), value, old)
            out[k] = new if v.ndim else new[0]
    return out
