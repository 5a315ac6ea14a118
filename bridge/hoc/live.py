"""The live simulation a HOC session drives: `finitialize`, `fadvance`, `continuerun` advance it.

NEURON simulates while HOC runs: after `run()` HOC reads v, states, ion concentrations and
recorded Vectors, and loops over runs (an f-I curve) or steps (`fadvance()` driving a stimulus).
`LiveRun` does the same with bridge's solver, lazily and exactly:

- `finitialize()` and each advance are *requests*, each with the model frozen as HOC had it
  then (`Frozen`: a copy of the tree, the settings, and t when the steps start). Nothing is
  simulated until HOC observes a result (reads v, a STATE, an ion variable, a computed point
  process variable or a recorded Vector, assigns v or a STATE, calls `fcurrent()`), or the
  session hands the model out with a run that cannot be simulated in one piece
  (`HocSession.model`). `flush` then runs the requests in order, each piece with the
  parameters it was asked with, so a change between pieces takes effect where NEURON
  applies it (the next step). A model that runs once at the end and reads nothing compiles
  nothing while its HOC runs (`HocModel.simulate` runs it).
- finitialize, the steps and fcurrent run through jitted functions compiled once per model
  structure (`bridge.solver.stepper.make_initialize`, `make_advance`, `make_currents`), cached in
  `engines` by `structure_key`: the node layout and geometry, the mechanism instances, ion
  styles, static globals, secondorder and the probes. Parameters (range values,
  point process values, celsius, GLOBALs, v_init) and dt are their arguments: changing them between
  runs or steps compiles nothing (`compilations` counts the traces of the step, `traced` those of each
  function).
- A recorded Vector holds, as in NEURON, the value at finitialize and after every step
  since; it is filled when HOC reads it. The probes are the recordings that existed at
  `finitialize()` (NEURON resets recorded Vectors there).
- A change of structure during a run (a mechanism inserted, nseg changed, a point process
  created between two pieces) is refused: NEURON reallocates its state then.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.hoc import kept_v
from bridge.hoc.protocol import Recording
from bridge.hoc.state_set import set_at
from bridge.solver.extracellular import E_KEY


@dataclass(eq=False)
class Frozen:
    """The model as HOC had it when a piece of a run was asked for: `digest` (`runcheck.fingerprint`),
    a tree copy, its mechanisms, settings ([degC], [ms], [mV]) and the probes (`Vector.record`)."""

    digest: str
    tree: Any
    mechanisms: Any  # () -> {name: translated mechanism}: translated only when the piece is simulated
    celsius: float
    dt: float
    v_init: float | np.ndarray  # every node's, or one per node (bridge.hoc.kept_v)
    secondorder: int
    globals: dict
    recordings: tuple[Recording, ...]
    extra: tuple[str, ...] = ()  # probes recorded besides the recordings (`LiveRun.run_probes`)
    cj_order: int | None = None  # the secondorder of NEURON's cj when it differs from `secondorder` (`cj_order`)
    _sim: Any = None
    network: Any = None  # the NetCons and artificial cells (bridge.hoc.netcon.network), or None
    spike_records: tuple = ()  # bridge.hoc.netcon.Recorded, rows of the run's spike record
    structure: str = ""  # `runcheck.fingerprints`' structure digest (`bridge.hoc.live_values.refreshed`)
    runge_trips: int | None = None  # runge calls per step, once counted (bridge.hoc.runge_t)

    def simulation(self):
        """A `bridge.Simulation` of this model (its plan, layout, recorder and parameters; not compiled)."""
        if self._sim is None:
            from bridge.model import Model, Simulation

            model = Model(self.tree, mechanisms=self.mechanisms(), celsius=self.celsius, dt=self.dt,
                          v_init=self.v_init, tstop=0.0, secondorder=self.secondorder, globals=dict(self.globals),
                          network=self.network)
            own = probes(self.recordings)
            self._sim = Simulation(model, record=own + [p for p in self.extra if p not in own])
        return self._sim


def cj_order(state) -> int | None:
    """The secondorder NEURON's `cj` was last computed with (fadvance.cpp `dt2thread`, kept by the session in
    `state.cj_secondorder`) when it differs from secondorder now (a secondorder set after finitialize()), else
    None."""
    now, cj = int(state.globals["secondorder"]), int(state.cj_secondorder)
    return None if bool(now) == bool(cj) else cj


def freeze(state, v_init: float | None = None, last: Frozen | None = None) -> Frozen:
    """The ModelState `state` as it is now (`last` again when nothing that shapes a run changed)."""
    from bridge.hoc.initstate import mechanisms_of, model_tree, used_mechanisms
    from bridge.hoc.live_values import refreshed
    from bridge.hoc.runcheck import fingerprints

    g = state.globals
    v = float(g["v_init"]) if v_init is None else v_init if isinstance(v_init, np.ndarray) else float(v_init)
    recordings = tuple(state.recordings)
    digest, structure = fingerprints(state)
    extra = tuple(state.live.run_probes)
    cj = cj_order(state)
    if (last is not None and last.digest == digest and kept_v.same(last.v_init, v)
            and len(last.recordings) == len(recordings)
            and all(a is b for a, b in zip(last.recordings, recordings)) and last.extra == extra
            and last.cj_order == cj):
        return last
    if last is not None:  # only values changed: the last model's plan with HOC's values now
        again = refreshed(state, last, digest, structure, v, recordings, extra, cj)
        if again is not None:
            return again
    from bridge.hoc.netcon import network
    from bridge.hoc.setpointer import run_globals

    tree = model_tree(state)
    net, spike_records = network(state.event_objects, state)
    # KSChans as they are now (HOC may change them before the run's pending steps are simulated)
    runtime = state.catalog.runtime_mechanisms(used_mechanisms(state, tree)) if state.catalog.runtime_keys() else None
    return Frozen(digest, tree, lambda: mechanisms_of(state, tree, runtime), float(g["celsius"]), float(g["dt"]), v,
                  int(g["secondorder"]), run_globals(state, tree), recordings, extra, cj, network=net,
                  spike_records=spike_records, structure=structure)


def probes(recordings) -> list[str]:
    """The recordings as bridge probe names (`HocModel.probes`), each once, in the order first recorded; `&t`
    is the time axis. Vectors recording one variable share its column (`LiveRun.recorded`), so recording it
    again (a new Vector each run) keeps the compiled step (`structure_key`)."""
    names = [f"{r.point_process}.{r.variable}" if r.point_process else f"{r.section}({r.x!r}).{r.variable}"
             for r in recordings if r.section is not None]
    return list(dict.fromkeys(names))


@dataclass
class Piece:
    """`steps` fixed steps from t = `t_start` [ms] with the model `frozen`; t is `t_end` after them."""

    frozen: Frozen
    t_start: float
    steps: int
    t_end: float
    group: int = 1  # fadvance()s per stdrun step() when continuerun asked for it (stdrun's nstep_steprun)


@dataclass
class Engine:
    """The compiled finitialize, stepping and fcurrent of one model structure (`structure_key`), each taking
    dt [ms] as an argument."""

    initialize: Any
    advance: Any
    currents: Any
    shape: tuple
    linearise: Any = None  # Impedance's matrix (`LiveRun.linearised`), jitted on first use


def structure_key(plan, secondorder: int, labels: tuple[str, ...], cj: int | None = None) -> str:
    """What the jitted step bakes in as constants: node layout and geometry, mechanism instances and
    their identity, ion styles, static GLOBALs, LinearMechanisms, the parameter pytree's shapes,
    secondorder (and `cj`, `Frozen.cj_order`), probes, ParallelContext's transfers, POINTER sources,
    FUNCTION_TABLE values. Not dt: it is an argument (`bridge.solver.stepper`)."""
    import jax

    h = hashlib.sha256(repr((secondorder, cj, labels, plan.layout.ncell, plan.layout.section_names)).encode())
    lay = plan.layout
    for a in (lay.parent, lay.area, lay.a, lay.b, lay.diam, lay.has_membrane):
        h.update(np.ascontiguousarray(a).tobytes())
    for inst in plan.mechanisms:
        h.update(repr((inst.name, id(inst.mechanism), inst.size)).encode())
        h.update(np.ascontiguousarray(inst.nodes).tobytes() + np.ascontiguousarray(inst.area).tobytes())
        if inst.diam is not None:
            h.update(np.ascontiguousarray(inst.diam).tobytes())
        for name, sources in sorted((inst.pointers or {}).items()):  # step.py _pointer_values bakes them in
            for src in sources:
                h.update(repr((name, src.kind, src.owner, src.var)).encode())
                for a in (src.positions, src.index, src.values):
                    h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes())
    for mech, tables in sorted((plan.function_tables or {}).items()):  # step.py passes them as constants
        for name, table in sorted(tables.items()):
            shape, data = table.digest_parts()
            h.update(repr((mech, name, shape)).encode() + data)
    for style in plan.ions:
        h.update(repr((style.ion, style.valence)).encode())
        for a in (style.present, style.cinit, style.einit, style.eadvance):
            h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr((sorted((k, sorted(v.items())) for k, v in plan.static_globals.items()),
                   sorted((k, sorted(v.items())) for k, v in plan.global_keys.items()))).encode())
    if plan.linear is not None:
        h.update(plan.linear.digest())
    if plan.transfers:
        from bridge.solver.transfer import digest

        h.update(digest(plan.transfers))
    shapes = jax.tree.map(np.shape, plan.defaults)
    h.update(repr((jax.tree.structure(plan.defaults), jax.tree.leaves(shapes))).encode())
    return h.hexdigest()


def play_setters(plan, schedules) -> tuple:
    """Each Vector.play's place in the parameters: (kind, mechanism or global name, variable, instance)."""
    from bridge.morphology.tree import segment_index

    out = []
    for sched in schedules:
        target = sched.target
        if target.kind == "global":
            if target.variable not in plan.defaults["globals"]:
                raise BridgeError(f"Vector.play into {target.variable}: bridge does not play into this GLOBAL "
                                  "(it is not a parameter of the run, e.g. a usetable switch)")
            out.append(("global", target.variable, "", 0))
            continue
        if target.keys[0] == "extracellular" and plan.extracellular is not None:  # bridge.solver.extracellular
            if target.variable == "e_extracellular" and plan.extracellular.carried_e:
                raise UnsupportedFeature(f"Vector.play into {target.variable} in a model whose POINTERs read or "
                                         "write it is not supported (bridge.solver.pointer_writes)")
            lay, (_, sec, x) = plan.layout, target.keys
            node = int(lay.segment_nodes(sec)[segment_index(x, lay.nseg[lay.section_index(sec)])])
            index = [int(i) for i in np.flatnonzero(plan.extracellular.nodes == node)]
            if not index:
                raise BridgeError(f"Vector.play into {target}: not found in the model")
            out.append(("mech", "extracellular", target.variable, index[0]))
            continue
        if target.kind in ("cm", "v"):  # the node's cm [uF/cm2] in the parameters, or its v in the state
            lay, (_, sec, x) = plan.layout, target.keys
            node = int(lay.segment_nodes(sec)[segment_index(x, lay.nseg[lay.section_index(sec)])])
            out.append((target.kind, target.kind, target.kind, node))
            continue
        inst = plan.instances(target.keys[0])
        if target.kind in ("state", "pstate") and (target.variable not in inst.mechanism.states
                                                   or not _plain_state(inst, target.variable)):
            raise UnsupportedFeature(f"Vector.play into {target.variable} of {inst.name}: bridge plays into a "
                                     "STATE with one value per instance")
        if target.kind in ("point", "pstate"):
            index = [i for i, pp in enumerate(inst.point_processes) if pp.label == target.keys[1]]
        else:
            lay = plan.layout
            _, sec, x = target.keys
            node = int(lay.segment_nodes(sec)[segment_index(x, lay.nseg[lay.section_index(sec)])])
            index = [int(i) for i in np.flatnonzero(np.asarray(inst.nodes) == node)]
        if not index:
            raise BridgeError(f"Vector.play into {target}: not found in the model")
        out.append(("state" if target.kind in ("state", "pstate") else "mech", inst.name, target.variable, index[0]))
    return tuple(out)


def _plain_state(inst, name: str) -> bool:
    """The STATE `name` of the instances `inst` holds one value per instance (not an array)."""
    default = inst.mechanism.state_defaults.get(name)
    return default is not None and np.ndim(default) == 0


def network_structure(net) -> str:
    """What the jitted step bakes in of a network: everything but the weights and the cells' parameters
    (those are parameters of the run: changing them between runs compiles nothing)."""
    if net is None:
        return ""
    return repr(([c.name for c in net.cells],
                 [(nc.source, nc.target, len(nc.weight), nc.delay, nc.threshold, nc.active, nc.record)
                  for nc in net.netcons]))


def _destroyed_message(names: list[str]) -> str:
    """Why a run goes on no further after point processes were destroyed mid-run."""
    which = ", ".join(dict.fromkeys(names))
    return (f"{which} destroyed after finitialize() (its last reference dropped) and the run continued: NEURON "
            "takes a destroyed point process out of the run from the next step on (src/nrnoc/point.cpp "
            "destroy_point_process), bridge does not change a run's structure. Keep a reference and switch it off "
            "instead (an IClamp's amp = 0, a synapse's NetCon weights and g = 0: NEURON 9.0.2 gives the same "
            "voltages for those two), or call finitialize() after destroying it")


def state_shape(plan, labels) -> tuple:
    """What a state carried from one piece to the next must agree on."""
    return (plan.layout.nnode, tuple((i.name, i.size) for i in plan.mechanisms), tuple(s.ion for s in plan.ions),
            tuple(labels), None if plan.linear is None else len(plan.linear.y0))  # LinearMechanisms' extra states


def network_changed_only(new: tuple, old: tuple | None) -> bool:
    """Whether two `state_shape`s differ only in the network's part (the last label, `network_structure`)."""
    return (old is not None and new[:3] == old[:3] and new[4:] == old[4:] and new[3][:-1] == old[3][:-1]
            and new[3][-1] != old[3][-1])


NETWORK_CHANGED = ("a NetCon's source, target, delay, threshold or active() (or pc.threshold) changed, or a NetCon "
                   "was made, after finitialize() and the run went on: NEURON uses the change from then on "
                   "(src/nrncvode/netcvode.cpp), bridge's compiled run holds the network fixed (only weights may "
                   "change during a run); make the change before finitialize()")

_NO_PLAY: list = []


def _no_play() -> tuple:
    """The advance function's `play` argument of a run without Vector.play: seven empty (CAPACITY, 0) arrays,
    put on the device once (not seven host arrays per step)."""
    if not _NO_PLAY:
        import jax

        from bridge.solver.stepper import CAPACITY

        _NO_PLAY.append(tuple(jax.device_put([np.zeros((CAPACITY, 0))] * 3 + [np.zeros((CAPACITY, 0), bool)] * 2
                                             + [np.zeros((CAPACITY, 0, 3), bool), np.zeros((CAPACITY, 0))])))
    return _NO_PLAY[0]


class _Spikes:
    """`Traces.spikes` of the live run's event buffer."""

    def __init__(self, buf) -> None:
        self.buf = buf

    def spikes(self, row: int) -> np.ndarray:
        n = int(np.asarray(self.buf["nspikes"])[row])
        return np.asarray(self.buf["spikes"])[row, :n]


@dataclass
class LiveRun:
    """The simulation of one HOC session (see the module docstring)."""

    engines: dict[str, Engine] = field(default_factory=dict)
    compilations: int = 0  # how often a step function was traced (tests: no recompile on a parameter change)
    # how often each jitted function was traced: "initialize", "advance", "currents" (advance: `compilations`)
    traced: dict = field(default_factory=lambda: {"initialize": 0, "advance": 0, "currents": 0})
    init: Frozen | None = None  # finitialize() asked for and not run yet
    first: Frozen | None = None  # the model the present run started from
    pending: list[Piece] = field(default_factory=list)
    state: Any = None  # the JAX state after what ran (None: nothing ran since finitialize)
    shape: tuple | None = None
    plan: Any = None  # the plan the state's values are laid out by
    labels: tuple[str, ...] = ()
    recordings: tuple[Recording, ...] = ()
    times: list = field(default_factory=list)  # sample times [ms] per chunk
    mids: list = field(default_factory=list)  # per chunk: each sample's step start + dt/2 [ms] (NaN: no step)
    # with a Vector.record at events (a dt or a time Vector): the values at the start of each piece's first step
    # (HOC may have changed the model since the last sample), by the index of the sample that step made
    before: dict = field(default_factory=dict)
    pre_rows: list = field(default_factory=list)
    first_delivers: bool = True  # False after frecord_init(): its record events wait for the next step
    samples: list = field(default_factory=list)  # (n, nprobe) per chunk
    stepped: bool = False  # some steps of this run ran live (the run cannot be simulated in one piece)
    currents_ran: bool = False  # fcurrent() ran since finitialize() (bridge.hoc.carried_runs)
    destroyed: list = field(default_factory=list)  # point processes destroyed since finitialize() (lifetimes)
    epoch: int = 0  # changes when the state changes (cached reads and filled Vectors are then stale)
    cursors: list = field(default_factory=list)  # the run's Vector.plays (bridge.hoc.play.Cursor)
    setters: tuple = ()  # where they write in the parameters (bridge.solver.stepper.apply_plays)
    queued: list = field(default_factory=list)  # the cursors whose plays are on the event queue (play_events)
    _values: dict | None = None
    _values_epoch: int = -1
    _host: dict = field(default_factory=dict)  # numpy copies of the state's arrays HOC read (`live_reads`)
    _host_epoch: tuple = ()
    assigned: dict = field(default_factory=dict)  # (section, j) -> {name: value} HOC assigned (parameters)
    # `keep_runs` (validation: every run compared): each run's `run_probes` are kept in `runs` as (t [ms], values
    # (nt, len(run_probes))) when the next finitialize() starts a new one, and by `finish_runs`; a run is
    # simulated then even if HOC read nothing. A run with no step after its finitialize() is not kept.
    keep_runs: bool = False
    run_probes: tuple[str, ...] = ()
    runs: list = field(default_factory=list)
    weights: Any = None  # the NetCon weights the run's events carry now (numpy), with a network
    spikes_filled: int = -1  # the epoch when the spike record Vectors were last filled (bridge.hoc.netcon)
    tables: Any = None  # what the TABLEs were built from before the present run (bridge.hoc.live_tables)
    # the values the last run left that the present run's INITIAL starts from (bridge.hoc.carried_runs)
    carry: dict = field(default_factory=dict)
    device: Any = None  # the parameters last put on the device (bridge.hoc.live_values.device_params)
    keys: dict = field(default_factory=dict)  # (id of a plan's layout, ...) -> (layout, `structure_key`)
    # (Simulation, cursors list, its items, setters, device parameters) of the last piece (`_step_params`)
    _params_for: Any = None

    # -- requests ----------------------------------------------------------------------------
    def request_init(self, frozen: Frozen, schedules: tuple = (), carry: dict | None = None) -> None:
        """finitialize(): a new run; what the last one left is no longer observable. `schedules`: the
        `Vector.play`s of this run (`bridge.hoc.play.Schedule`); `carry`: the values the last run left that
        its INITIAL starts from (`bridge.hoc.carried_runs.starts`)."""
        from bridge.hoc.play import Cursor

        if self.keep_runs:
            self._keep_run()
        self.tables = self.tables_now()
        self.init = self.first = frozen
        self.carry = carry or {}
        self.cursors = [Cursor(s) for s in schedules]
        self.pending = []
        self.destroyed = []
        self.state = None
        self.times, self.samples, self.mids = [], [], []
        self.before, self.pre_rows, self.first_delivers = {}, [], True
        self.stepped = self.currents_ran = False
        self.recordings = frozen.recordings
        self.assigned = {}
        self.epoch += 1

    def request_steps(self, frozen: Frozen, t_start: float, steps: int, t_end: float, group: int = 1) -> None:
        """`steps` fixed steps from t_start [ms] (HOC's t) with the model `frozen` (`group`: `Piece.group`)."""
        if steps == 0:
            return
        last = self.pending[-1] if self.pending else None
        if last is not None and last.frozen is frozen and last.t_end == t_start and steps > 0 and last.steps > 0:
            last.steps += steps
            last.t_end = t_end
            last.group = max(last.group, group, 2)  # no longer one continuerun from 0 (HocSession.model)
        else:
            self.pending.append(Piece(frozen, t_start, steps, t_end, group))
        self.epoch += 1

    def _keep_run(self) -> None:
        if not self.started() and not self.pending:
            return
        self.flush()
        if sum(len(t) for t in self.times) > 1:
            cols = [self.labels.index(p) for p in self.run_probes]
            t = np.concatenate(self.times)
            self.runs.append((t, np.concatenate([s[:, cols] for s in self.samples]).reshape(len(t), len(cols))))

    def finish_runs(self) -> list:
        """The runs kept (`keep_runs`), the last one included; no run is kept after this."""
        if self.keep_runs:
            self._keep_run()
            self.keep_runs = False
        return self.runs

    def tables_now(self) -> Any:
        """What the TABLEs were last built from after every request so far (`bridge.hoc.live_tables`):
        requests not simulated are checked on the host; a run with a played GLOBAL is simulated."""
        from bridge.hoc import live_tables
        from bridge.solver.stepper import TABLES

        def simulated() -> Any:
            self.flush()
            return live_tables.held_after(self.plan, self.state, self.state.get(TABLES))

        if self.init is None and not self.pending:
            return live_tables.held_after(self.plan, self.state, self.state.get(TABLES)) \
                if self.state is not None else self.tables
        frozen = self.frozen_models()[0].simulation()
        if live_tables.needs_run(play_setters(frozen.plan, [c.sched for c in self.cursors])):
            return simulated()
        memory = self.tables if self.init is not None else self.state.get(TABLES)
        checks = [(self.init, self._init_params, "init")] if self.init is not None else []
        checks += [(piece.frozen, lambda sim: sim.params(), "step") for piece in self.pending]
        for model, params_of, moment in checks:
            sim = model.simulation()
            params = params_of(sim)
            if live_tables.moves_held(sim, params, model.dt, model.secondorder, memory, moment):
                return simulated()  # a GLOBAL a TABLE'd PROCEDURE assigns: its value is the run's
            memory = live_tables.checked(sim, params, model.dt, model.secondorder, memory, moment)
        return memory

    def tables_fresh(self) -> bool:
        """True when the pending finitialize() builds every TABLE from the values it has, as a `Simulation`
        does (no TABLE kept from an earlier run or HOC call is stale)."""
        from bridge.hoc import live_tables

        if self.init is None or not self.tables:  # no TABLE checked before this run
            return True
        sim = self.init.simulation()
        return live_tables.fresh(sim, self._init_params(sim), self.init.dt, self.init.secondorder, self.tables)

    def set_tables(self, memory: Any) -> None:
        """A HOC call of a tabulated FUNCTION checked the TABLEs (after `flush`): `memory` is what they were
        last built from now."""
        from bridge.solver.stepper import TABLES

        if self.state is not None:
            self.state = {**self.state, TABLES: memory}
        else:
            self.tables = memory

    def _init_params(self, sim) -> dict:
        """The parameters finitialize() runs with: the Vector.plays' values at t = 0 set, the values carried from
        the last run as their mechanisms' starts (`carry`)."""
        from bridge.hoc import carried_runs
        from bridge.hoc.play import initial_values
        from bridge.solver.stepper import apply_plays, with_played_assigned

        setters = play_setters(sim.plan, [c.sched for c in self.cursors])
        params = with_played_assigned(sim.plan, carried_runs.apply(sim.params(), self.carry), setters)
        if setters:
            values = initial_values(self.cursors)
            on = np.array([v is not None for v in values])
            params = apply_plays(params, setters, np.array([v or 0.0 for v in values]), on)
        return self._with_queue(sim, setters, params)

    def started(self) -> bool:
        return self.init is not None or self.state is not None

    def frozen_models(self) -> list[Frozen]:
        return ([self.init] if self.init is not None else []) + [p.frozen for p in self.pending]

    # -- running -----------------------------------------------------------------------------
    def flush(self) -> None:
        """Run what was asked for and not run yet."""
        if self.init is not None:
            self._initialize(self.init)
            self.init = None
        while self.pending:
            piece = self.pending.pop(0)
            self._advance(piece)
            self.stepped = True

    def _initialize(self, frozen: Frozen) -> None:
        from bridge.hoc import table_side_runs
        from bridge.hoc.live_tables import memory_for

        sim = frozen.simulation()
        self.setters = play_setters(sim.plan, [c.sched for c in self.cursors])
        engine = self._engine(frozen)
        self.plan, self.labels = sim.plan, sim.labels
        self.shape = engine.shape
        if sim.events is not None:
            self.weights = np.asarray(sim.params()["network"]["weights"])
        params = self._init_params(sim)
        table_side_runs.refuse_table_off_shared(sim, params, frozen.dt, frozen.secondorder)  # INITIAL in turn too
        memory = memory_for(sim, params, frozen.dt, frozen.secondorder, self.tables)
        self.state, y0 = engine.initialize(params, memory, np.float64(frozen.dt))
        self.times = [np.zeros(1)]
        self.mids = [np.full(1, np.nan)]
        self.before, self.pre_rows, self.first_delivers = {}, [], True
        self.samples = [np.asarray(y0, float).reshape(1, -1)]
        self.epoch += 1

    def _engine(self, frozen: Frozen) -> Engine:
        from bridge.solver.stepper import make_advance, make_currents, make_initialize

        sim = frozen.simulation()
        setters = play_setters(sim.plan, [c.sched for c in self.cursors])
        queued = self._queued(sim, setters)
        self.queued = [self.cursors[j] for j in queued]
        plays = tuple(setters[j] for j in queued)
        net_key = (network_structure(frozen.network),)
        key = self._key(sim, frozen, sim.labels + tuple(map(repr, setters)) + net_key)
        engine = self.engines.get(key)
        if engine is None:
            def counter(kind: str):
                def count() -> None:
                    self.traced[kind] += 1
                    if kind == "advance":
                        self.compilations += 1
                return count

            plan, order = sim.plan, frozen.secondorder
            engine = Engine(make_initialize(plan, order, sim._record, on_trace=counter("initialize"),
                                            events=sim.events, plays=plays),
                            make_advance(plan, order, sim._record, len(sim.labels), on_trace=counter("advance"),
                                         setters=setters, events=sim.events, cj_order=frozen.cj_order,
                                         plays=plays),
                            make_currents(plan, order, on_trace=counter("currents")),
                            state_shape(plan, sim.labels + tuple(map(repr, setters)) + net_key))
            self.engines[key] = engine
        return engine

    def _queued(self, sim, setters: tuple) -> tuple[int, ...]:
        """The plays whose events go on the event queue (`bridge.hoc.play_events.queued_plays`)."""
        from bridge.hoc.play_events import queued_plays

        return queued_plays(sim.plan, sim.events, [c.sched for c in self.cursors], setters)

    def _with_queue(self, sim, setters: tuple, params: dict) -> dict:
        """`params` with the schedules of the queued plays (`bridge.solver.event_play.schedule_params`)."""
        from bridge.solver.event_play import KEY, schedule_params

        queued = self._queued(sim, setters)
        if not queued:
            return params
        return {**params, KEY: schedule_params([self.cursors[j].sched for j in queued])}

    def _key(self, sim, frozen: Frozen, labels: tuple) -> str:
        """`structure_key`, computed once for the plans that share a layout and instances (the plans
        `bridge.hoc.live_values.refreshed` gives differ in their parameter values only)."""
        plan = sim.plan
        ident = (id(plan.layout), id(plan.mechanisms), frozen.secondorder, labels, frozen.cj_order)
        kept = self.keys.get(ident)
        if kept is None or kept[0] is not plan.layout or kept[1] is not plan.mechanisms:
            if len(self.keys) > 64:
                self.keys.clear()
            kept = (plan.layout, plan.mechanisms, structure_key(plan, frozen.secondorder, labels, frozen.cj_order))
            self.keys[ident] = kept
        return kept[2]

    def _advance(self, piece: Piece) -> None:
        from bridge.errors import SimulationError
        from bridge.hoc import live_tables, table_side_runs
        from bridge.solver.stepper import CAPACITY, TABLES

        if self.state is None:
            raise BridgeError("the run advanced before finitialize()")
        frozen = piece.frozen
        if piece.steps < 0:
            raise BridgeError(f"the run from t = {piece.t_start:g} to {piece.t_end:g} ms at dt = {frozen.dt:g} ms "
                              "takes more time steps than Limits.max_steps")
        if self.destroyed:  # even when the shape agrees (a new one of its kind made): its state is not the new one's
            raise UnsupportedFeature(_destroyed_message(self.destroyed))
        engine = self._engine(frozen)
        if engine.shape != self.shape and network_changed_only(engine.shape, self.shape):
            raise UnsupportedFeature(NETWORK_CHANGED)
        if engine.shape != self.shape:
            raise BridgeError("the model's structure (sections, nseg, mechanisms, point processes or recordings) "
                              "changed after finitialize(); NEURON reallocates its state then, bridge does not "
                              "reproduce that: call finitialize() after changing the structure")
        sim = frozen.simulation()
        setters, params = self._step_params(sim)
        live_tables.refuse_changed_side_values(sim, params, self.state, frozen.dt, frozen.secondorder,
                                               self.state.get(TABLES))
        table_side_runs.refuse_played_depend(sim.plan, setters)
        table_side_runs.refuse_table_off_shared(sim, params, frozen.dt, frozen.secondorder)
        # numpy scalars, not jnp.asarray: each jnp.asarray is an XLA call of its own, per step; the jitted step
        # sees the same abstract value (a float64 scalar), so nothing compiles again
        dt, half = np.asarray(frozen.dt, np.float64), np.asarray(0.5 * frozen.dt, np.float64)
        state = {**self.state, "t": np.asarray(piece.t_start, np.float64)}
        if sim.events is not None:
            state = self._weights_now(sim, params, state)
        if self.events():  # what a record event delivered at the first step's start reads
            self.before[sum(len(t) for t in self.times)] = len(self.pre_rows)
            self.pre_rows.append(np.asarray(sim._record(state, params), float).reshape(-1))
        left = piece.steps
        t = piece.t_start
        while left > 0:
            n = min(left, CAPACITY)
            start, play = state, self._play_arrays(t, n, frozen.dt, sim.plan, frozen.secondorder)  # (live_nan)
            state, ts, ys, nan = engine.advance(params, state, n, dt, half, play)
            ends = np.asarray(ts)[:n]
            self.mids.append(np.concatenate([[t], ends[:-1]]) + 0.5 * frozen.dt)  # NEURON's t + 0.5*dt
            t = float(ends[n - 1])
            self.times.append(ends)
            self.samples.append(np.asarray(ys)[:n])
            left -= n
            if bool(nan):
                from bridge.hoc.live_nan import nan_error

                self.state = state
                raise nan_error(sim, frozen, setters, params, start, n, half, play, float(self.times[0][0]),
                                sum(len(x) for x in self.times) - 1 - n,
                                tuple(setters[j] for j in self._queued(sim, setters)))
        self.state = state
        self.plan = sim.plan
        if "events" in state and np.isfinite(float(state["events"]["overflow"])):
            raise SimulationError(f"the event buffers overflowed at t = {float(state['events']['overflow']):g} ms "
                                  "(HOC's live run): events are never dropped")
        self.epoch += 1

    def _step_params(self, sim) -> tuple[tuple, dict]:
        """(the Vector.plays' setters, the parameters on the device) of a piece of `sim`: the last piece's again
        when `sim` is the same `Simulation` (a `Frozen` is made again whenever HOC changed a value, so the same
        one holds the same values) and the plays are the same (`_params_for`); else built
        (`live_values.device_params`: only changed leaves go to the device)."""
        from bridge.hoc.live_values import device_params
        from bridge.solver.stepper import with_played_assigned

        kept = self._params_for
        if (kept is not None and kept[0] is sim and kept[1] is self.cursors and len(kept[2]) == len(self.cursors)
                and all(a is b for a, b in zip(kept[2], self.cursors))):
            return kept[3], kept[4]
        setters = play_setters(sim.plan, [c.sched for c in self.cursors])
        params, self.device = device_params(sim, self.device)
        params = self._with_queue(sim, setters, with_played_assigned(sim.plan, params, setters))
        self._params_for = (sim, self.cursors, tuple(self.cursors), setters, params)
        return setters, params

    def _play_arrays(self, t_start: float, steps: int, dt: float, plan, secondorder: int):
        """The Vector.play values of `steps` steps from t_start, padded to the advance function's capacity
        (`plan`'s runge mechanisms move t after each step: bridge.hoc.runge_t)."""
        from bridge.hoc.play import step_values
        from bridge.solver.stepper import CAPACITY

        n = len(self.cursors)
        if not n:
            return _no_play()
        arrays = ([np.zeros((CAPACITY, n)) for _ in range(3)] + [np.zeros((CAPACITY, n), bool) for _ in range(2)]
                  + [np.zeros((CAPACITY, n, 3), bool), np.zeros((CAPACITY, n))])
        trips = sum(inst.size * getattr(inst.mechanism, "runge_solves", 0) for inst in plan.mechanisms)
        for a, b in zip(arrays, step_values(self.cursors, t_start, steps, dt, trips, secondorder)):
            a[:steps] = b
        return tuple(arrays)

    def _weights_now(self, sim, params, state):
        """NEURON's NetCon weight vector is NET_RECEIVE's argument array: what HOC assigned to `nc.weight[i]`
        during the run is what the next event carries (netcvode.cpp `steer_val`, NetCon::deliver)."""
        new = np.asarray(params["network"]["weights"])
        changed = new != self.weights
        if changed.any():
            buf = state["events"]
            args = np.asarray(buf["args"]).copy()
            args[changed] = new[changed]
            state = {**state, "events": {**buf, "args": args.astype(np.asarray(buf["args"]).dtype)}}
            self.weights = new
        return state

    def netcon_args(self, label: str):
        """The NET_RECEIVE arguments (NEURON's weight vector) of NetCon `label` in the run now (numpy), after
        running what is pending; None when the run has no such NetCon."""
        first = self.first
        if first is None or first.network is None:
            return None
        labels = [nc.label for nc in first.network.netcons]
        if label not in labels:
            return None
        self.flush()
        if self.state is None or "events" not in self.state:
            return None
        return np.asarray(self.state["events"]["args"])[labels.index(label)]

    def spikes(self) -> tuple[tuple, object] | None:
        """(the run's recorded sources `bridge.hoc.netcon.Recorded`, Traces-like spike holder) after running
        what is pending; None before a run."""
        self.flush()
        if self.state is None or "events" not in self.state or self.first is None:
            return None
        return self.first.spike_records, _Spikes(self.state["events"])

    def fcurrent(self, frozen: Frozen) -> None:
        """NEURON's fcurrent(): the currents at the present state with the parameters as HOC has them now."""
        self.flush()
        if self.state is None:
            raise BridgeError("fcurrent() before finitialize()")
        sim = frozen.simulation()
        engine = self._engine(frozen)
        if engine.shape != self.shape:
            raise BridgeError("fcurrent(): the model's structure changed after finitialize()")
        self.state = engine.currents(self._played_now(sim), self.state, np.float64(frozen.dt))
        self.currents_ran = True
        self.plan = sim.plan
        self.epoch += 1

    def _played_now(self, sim) -> dict:
        """The parameters with what each Vector.play last set in its variable (`Cursor.value`: the value at
        finitialize or the last step's update; fcurrent() delivers nothing, fadvance.cpp `fcurrent`); a
        variable no play has set yet keeps the model's own value."""
        from bridge.solver.stepper import apply_plays, with_played_assigned

        setters = play_setters(sim.plan, [c.sched for c in self.cursors])
        params = with_played_assigned(sim.plan, sim.params(), setters)
        if not setters:
            return params
        on = np.array([c.value is not None and not c.removed for c in self.cursors])
        values = np.array([c.value if c.value is not None else 0.0 for c in self.cursors])
        return apply_plays(params, setters, values, on)

    def linearised(self, frozen: Frozen, before=None):
        """Impedance's linearised membrane at the present state (`bridge.solver.impedance.linearised_matrix`,
        with the parameters as HOC has them now): (layout, diagonal, cm per node [uF/cm2], 0 off the
        membrane) as numpy; the run then holds the currents NEURON's `nrn_rhs` left, as after fcurrent().
        `before(plan, params)`: the state to linearise when nothing ran since the session started (HOC's values
        before finitialize()); it is not kept."""
        import jax

        from bridge.solver.impedance import linearised_matrix

        self.flush()
        sim = frozen.simulation()
        engine = self._engine(frozen)
        if self.state is None and before is None:
            raise BridgeError("Impedance.compute() before finitialize(): bridge linearises the initialised model "
                              "only")
        if self.state is not None and engine.shape != self.shape:
            raise BridgeError("Impedance.compute(): the model's structure changed after finitialize()")
        if self.cursors:
            raise UnsupportedFeature("Impedance.compute() in a run that plays Vectors is not supported: NEURON "
                                     "linearises with the values played last, bridge keeps them in its step only")
        if engine.linearise is None:
            plan, order = sim.plan, frozen.secondorder
            engine.linearise = jax.jit(lambda params, state, dt: linearised_matrix(plan, params, state, dt, order))
        params, dt = sim.params(), np.float64(frozen.dt)
        if self.state is None:
            d, _ = engine.linearise(params, before(sim.plan, params), dt)
        else:
            d, self.state = engine.linearise(params, self.state, dt)
            self.plan = sim.plan
            self.epoch += 1
        lay = sim.plan.layout
        cm = np.where(lay.has_membrane, np.asarray(params["cm"], float), 0.0)
        return lay, np.asarray(d, float), cm

    def settle_init(self, frozen: Frozen) -> None:
        """After finitialize's type 1 FInitializeHandlers changed v, a STATE or a parameter: the currents at
        what they left and the t = 0 recording of it, as fadvance.cpp `nrn_finitialize` does after
        `nrn_fihexec(1)` (`setup_tree_matrix`, then `nrn_record_init`)."""
        self.fcurrent(frozen)
        if self.cursors:
            raise BridgeError("an FInitializeHandler of type 1 changed the model in a run with Vector.play: "
                              "bridge does not re-record t = 0 with played values")
        sim = frozen.simulation()
        y0 = sim._record(self.state, sim.params())
        self.samples[0] = np.asarray(y0, float).reshape(1, -1)
        self.epoch += 1

    def record_init(self, frozen: Frozen, t: float) -> None:
        """NEURON's frecord_init(): every recorded Vector starts again with one sample, the values now at HOC's
        t [ms] (fadvance.cpp `frecord_init`: `nrn_record_init`, then `fixed_record_continuous`). The custom
        initialization that steps to a steady state (`t = -1e9`, `dt = 1e9`, fadvance()s, `t = 0`,
        `fcurrent()`, `frecord_init()`) starts its recordings here."""
        import jax.numpy as jnp

        self.flush()
        if self.state is None:
            return
        sim = frozen.simulation()
        if tuple(sim.labels) != tuple(self.labels):
            raise BridgeError("frecord_init() after a Vector.record() made since finitialize(): bridge records what "
                              "was recorded at finitialize() (call record() before finitialize())")
        stepping = [inst.name for inst in sim.plan.mechanisms
                    if "before_step" in getattr(inst.mechanism, "ba_blocks", ())]
        if stepping:  # netcvode.cpp fixed_record_continuous runs nrn_ba(BEFORE_STEP) before recording
            raise UnsupportedFeature(f"frecord_init() with a BEFORE STEP block ({', '.join(stepping)}): NEURON runs "
                                     "the block there, bridge does not")
        self.state = {**self.state, "t": jnp.asarray(t, jnp.float64)}
        y0 = sim._record(self.state, sim.params())
        self.times = [np.array([float(t)])]
        self.mids = [np.full(1, np.nan)]
        self.before, self.pre_rows, self.first_delivers = {}, [], False
        self.samples = [np.asarray(y0, float).reshape(1, -1)]
        self.stepped = True
        self.epoch += 1

    # -- what HOC reads and assigns ----------------------------------------------------------------
    def get(self, state, sec_name: str, j: int, name: str):
        """The value of `name` (v, `m_hh`, `ina`, `nai`, ...) at segment j of `sec_name` now; None when the
        simulated model has none. `state` is the session's ModelState (unused: the run knows its model)."""
        from bridge.hoc.live_reads import segment_value

        own = self.assigned.get((sec_name, j), {})
        if name in own:
            return own[name]
        self.flush()
        if self.state is None:
            return None
        return segment_value(self.plan, self.state, self._host_arrays(), sec_name, j, name)

    def end_v(self, sec_name: str, x: float) -> float | None:
        """v [mV] now at the end node `sec_name(x)`, x = 0 (the parent's node) or 1; None if nothing ran."""
        self.flush()
        if self.state is None:
            return None
        host = self._host_arrays()
        if ("v",) not in host:  # the key live_reads.segment_value reads v under
            host[("v",)] = np.asarray(self.state["v"])
        return float(host[("v",)][self.plan.layout.node(sec_name, x)])

    def _host_arrays(self) -> dict:
        """The numpy copies of the running state's arrays HOC has read (`live_reads`), for this state
        only: a model that reads v at every 3-D point each step (ModelDB 106551's dipole) copies the
        array from the device once per step, not once per read."""
        if self._host_epoch != (self.epoch, id(self.state)):
            self._host, self._host_epoch = {}, (self.epoch, id(self.state))
        return self._host

    def assign_end_v(self, sec_name: str, x: float, value: float) -> bool:
        """HOC assigned v at the end node `sec_name(x)` (x = 0 or 1) after finitialize()."""
        self.flush()
        if self.state is None:
            return False
        node = self.plan.layout.node(sec_name, x)
        self.state = {**self.state, "v": set_at(self.state["v"], node, value)}
        self.epoch += 1
        return True

    def set(self, sec_name: str, j: int, name: str, value: float) -> None:
        """HOC assigned a parameter `name` after finitialize() (e.g. `e_pas`, `ena`): reads see it; an ion's
        reversal potential also goes into the running state, as NEURON keeps it there."""
        self.flush()
        if not self._assign_state(sec_name, j, name, value):
            self.assigned.setdefault((sec_name, j), {})[name] = value

    def assign(self, sec_name: str, j: int, name: str, value: float) -> bool:
        """HOC assigned v, a STATE, an ASSIGNED variable or an ion variable: it goes into the running state
        (False when the model has no such value there)."""
        self.flush()
        return self._assign_state(sec_name, j, name, value)

    def _assign_state(self, sec_name: str, j: int, name: str, value: float) -> bool:
        from bridge.mechanisms import ions as ionlib

        if self.state is None:
            return False
        lay = self.plan.layout
        node = int(lay.segment_nodes(sec_name)[j])
        st = self.state
        if name == "v":
            self.state = {**st, "v": set_at(st["v"], node, value)}
            self.epoch += 1
            return True
        if name == "e_extracellular_extracellular" and E_KEY in st["mech"]:  # carried: solver.pointer_writes
            e = st["mech"][E_KEY]["e"]
            self.state = {**st, "mech": {**st["mech"], E_KEY: {"e": set_at(e, node, value)}}}
            self.epoch += 1
            return True
        for style in self.plan.ions:
            if name in ionlib.variable_names(style.ion).values() and name in st["ions"][style.ion]:
                if not style.present[node]:
                    return False
                ions = {**st["ions"], style.ion: {**st["ions"][style.ion],
                                                   name: set_at(st["ions"][style.ion][name], node, value)}}
                self.state = {**st, "ions": ions}
                self.epoch += 1
                return True
        for inst in self.plan.mechanisms:
            suffix = "_" + inst.name
            if inst.mechanism.kind == "density" and name.endswith(suffix):
                var = name[: -len(suffix)]
                where = np.flatnonzero(np.asarray(inst.nodes) == node)
                if var in st["mech"][inst.name] and len(where):
                    arr = st["mech"][inst.name][var]
                    mech = {**st["mech"], inst.name: {**st["mech"][inst.name], var: set_at(arr, int(where[0]), value)}}
                    self.state = {**st, "mech": mech}
                    self.epoch += 1
                    return True
        return False

    def mechanism_values(self, mech: str, var: str):
        """Every instance's value of `var` of mechanism `mech` in the run now (None if the run has none)."""
        self.flush()
        if self.state is None or var not in self.state["mech"].get(mech, {}):
            return None
        return np.asarray(self.state["mech"][mech][var]).ravel()

    def point_value(self, label: str, mech: str, var: str, element: int | None = None) -> float | None:
        """A computed variable (STATE, current) of the point process labelled `label` (e.g. "IClamp[0]"); of an
        array, its `element`."""
        self.flush()
        if self.state is None:
            return None
        for inst in self.plan.mechanisms:
            if inst.name != mech:
                continue
            for i, pp in enumerate(inst.point_processes):
                if pp.label == label and var in self.state["mech"][mech]:
                    at = (i,) if element is None else (i, element)
                    return float(self.state["mech"][mech][var][at])
        return None

    def assign_point(self, label: str, mech: str, var: str, value: float, element: int | None = None) -> bool:
        """HOC assigned a computed variable of a point process (of an array, its `element`): it goes into the
        running state."""
        self.flush()
        if self.state is None:
            return False
        for inst in self.plan.mechanisms:
            if inst.name != mech:
                continue
            for i, pp in enumerate(inst.point_processes):
                if pp.label == label and var in self.state["mech"][mech]:
                    arr = self.state["mech"][mech][var]
                    at = (i,) if element is None else (i, element)
                    mstate = {**self.state["mech"], mech: {**self.state["mech"][mech], var: set_at(arr, at, value)}}
                    self.state = {**self.state, "mech": mstate}
                    self.epoch += 1
                    return True
        return False

    def values(self) -> dict:
        """Every segment's v, ion variables, STATEs and kept ASSIGNED variables now, by HOC name."""
        from bridge.hoc.initstate import state_values

        self.flush()
        if self.state is None:
            return {}
        if self._values is None or self._values_epoch != self.epoch:
            self._values = state_values(self.plan, self.state)
            self._values_epoch = self.epoch
        return self._values

    # -- recorded Vectors --------------------------------------------------------------------------
    def events(self) -> bool:
        """Whether a recording of this run records at events (a dt or a time Vector)."""
        return any(r.record_dt is not None or r.record_times is not None for r in self.recordings)

    def recorded(self, rec: Recording, max_events: int = 1 << 27) -> list[float] | None:
        """What a recording of this run holds now (flushed first); None if it is not one of the run's. A
        recording with a dt or a time Vector holds the samples its events took (`bridge.solver.record_events`;
        at most `max_events`)."""
        if not any(r is rec for r in self.recordings):
            return None
        self.flush()
        if not self.times:
            return None
        times = np.concatenate(self.times)
        if rec.section is None:
            if rec.variable != "t":
                return None
            values = times
        else:
            label = probes([rec])[0]
            col = self.labels.index(label) if label in self.labels else None
            if col is None:
                return None
            values = np.concatenate([s[:, col] for s in self.samples])
        if rec.record_dt is None and rec.record_times is None:
            return values.tolist()
        from bridge.solver.record_events import recorded_samples

        if self.cursors:
            raise BridgeError("Vector.record with a dt or a time Vector in a run that plays Vectors is not supported "
                              "(NEURON delivers both as events, in its queue's order)")
        n = len(values)
        if rec.section is not None and self.pre_rows:
            values = np.concatenate([values, np.stack(self.pre_rows)[:, col]])
        before = {s: n + r for s, r in self.before.items()} if rec.section is not None else None
        event_times = None if rec.record_times is None else list(rec.record_times.data)
        index, events = recorded_samples(times, np.concatenate(self.mids), rec.record_dt, event_times, max_events,
                                         before, self.first_delivers)
        if rec.section is None and rec.record_dt is not None:
            return events.tolist()  # VecRecordDt::deliver records the event's time for &t
        return values[index].tolist()

    def traces(self):
        """The run so far as bridge `Traces` (probes `labels`, time in `.t`), after running what is pending."""
        import jax.numpy as jnp

        from bridge.model import Traces

        self.flush()
        t = np.concatenate(self.times) if self.times else np.zeros(0)
        ys = np.concatenate(self.samples) if self.samples else np.zeros((0, len(self.labels)))
        none = jnp.asarray(-1, jnp.int32)
        events, labels = None, ()
        if self.state is not None and "events" in self.state and self.first is not None:
            events = {k: self.state["events"][k] for k in ("spikes", "nspikes", "overflow")}
            labels = tuple(r.label for r in self.first.spike_records)
        return Traces(jnp.asarray(t), jnp.asarray(ys), none, none, none, self.labels, events=events,
                      spike_labels=labels)
