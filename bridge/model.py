"""Model, Simulation and simulate: the user-facing way to run a SectionTree in JAX.

    model = bridge.Model(tree, tstop=20.0)             # NEURON's defaults otherwise
    sim = bridge.Simulation(model, record=["soma(0.5).v", "soma(0.5).m_hh"])
    params = sim.params()                               # a pytree of arrays (NEURON names/units)
    traces = sim.run(params)                            # jit-able, vmap-able, differentiable
    traces["soma(0.5).v"]                               # (nsamples,) [mV]; traces.t [ms]

`Simulation.run` is a pure function of `params`: `jax.vmap(sim.run)(batch)`
runs a batch, `jax.grad(lambda p: loss(sim.run(p)))` differentiates through
the whole run. A NaN in the state (v, a STATE, an ion concentration...) raises a
SimulationError naming the variable, place and time after the run, when run is
called eagerly; under an outer jit/vmap call `sim.check(traces, params)` afterwards
(the run tracks when; the place is found by running the parameters again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import bridge.solver  # noqa: F401  (turns on float64)
from bridge.errors import BridgeError, SimulationError
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.mechanisms.protocol import Mechanism
from bridge.morphology.nodes import node_layout
from bridge.morphology.tree import SectionTree
from bridge.nmodl.load import builtin_mechanisms
from bridge.nmodl.streams import random123, randomvars
from bridge.nmodl.vecstim import is_bridge_vecstim, vecstim_mechanism
from bridge.solver.budget import batch_guard, check_recording, checked_step_count
from bridge.solver.devices import batch_mesh, batch_size, cpu_width, member_bytes, run_sharded, sharded_jit
from bridge.solver.event_plan import sized_settings
from bridge.solver.events import EventSettings, build_event_plan, default_params
from bridge.solver.integrate import RunResult, Watched, integrate, locate
from bridge.solver.network import Network
from bridge.solver.plan import build_plan
from bridge.solver.record import recorder
from bridge.solver.vecstim import sized_vecstims


@dataclass
class Model:
    """A SectionTree with its mechanisms and NEURON settings.

    `mechanisms` maps names to protocol objects; bridge's built-ins (pas, hh,
    IClamp, AlphaSynapse, SEClamp: `bridge/mechanisms/builtin/*.mod`, translated)
    are there unless replaced. `order` is NEURON's mechanism type order
    (default: NEURON's built-ins, then `mechanisms` in the order given, as
    nrnivmodl registers .mod files). `globals` holds NEURON globals by name,
    e.g. {"usetable_hh": 0, "nai0_na_ion": 12}. `v_init` is one value for every node (NEURON's
    `finitialize(v_init)`) or one per node in `node_layout(tree)` order (NEURON's `finitialize()` without
    an argument, which keeps each node's v: `NeuronCapture.node_v`).
    """

    tree: SectionTree
    mechanisms: Mapping[str, Mechanism] = field(default_factory=dict)  # None is taken as {}
    celsius: float = 6.3  # [degC]
    dt: float = 0.025  # [ms]
    v_init: float | np.ndarray = -65.0  # [mV]; per node (layout order): finitialize() without argument
    tstop: float = 5.0  # [ms]
    secondorder: int = 0
    globals: dict = field(default_factory=dict)
    order: Sequence[str] | None = None
    network: Network | None = None  # artificial cells and NetCons (bridge.solver.network)

    def __post_init__(self) -> None:
        merged: dict[str, Mechanism] = dict(builtin_mechanisms())
        merged.update(self.mechanisms or {})
        self.mechanisms = merged
        if self.network is not None and is_bridge_vecstim(merged.get("VecStim")):  # times sized to the network
            self.network, size = sized_vecstims(self.network)
            if size:
                self.mechanisms["VecStim"] = vecstim_mechanism(size)
        if self.secondorder not in (0, 1, 2):
            raise BridgeError(f"secondorder must be 0, 1 or 2, got {self.secondorder}")
        if not self.dt > 0:
            raise BridgeError(f"dt must be > 0, got {self.dt}")


@jax.tree_util.register_pytree_node_class
class Traces:
    """Recorded values: `t` (nsamples,) [ms] and `values` (nsamples, nprobes); index by probe label or position.

    `nan_step` (-1: none) and `nan_param` say when the state first became NaN and which parameter
    is NaN; `nan_index`, where (-1: not located by the run: `Simulation.check` locates it by running
    the parameters again, and turns them into a message); `watch` and `param_watch` are the static
    layouts those indices count in."""

    def __init__(self, t, values, nan_step, nan_index, nan_param, labels: tuple[str, ...],
                 watch: tuple[Watched, ...] = (), param_watch: tuple[Watched, ...] = (), events=None,
                 spike_labels: tuple[str, ...] = ()):
        self.t, self.values, self.labels = t, values, labels
        self.nan_step, self.nan_index, self.nan_param = nan_step, nan_index, nan_param
        self.watch, self.param_watch = watch, param_watch
        self.events, self.spike_labels = events, spike_labels  # {"spikes", "nspikes", "overflow"} or None

    def tree_flatten(self):
        return (self.t, self.values, self.nan_step, self.nan_index, self.nan_param, self.events), (
            self.labels, self.watch, self.param_watch, self.spike_labels)

    def spikes(self, key: str | int) -> np.ndarray:
        """Spike times [ms] of a recorded NetCon source (`NetCon.record`), by label or position (one run)."""
        if isinstance(key, str):
            if key not in self.spike_labels:
                raise KeyError(f"no recorded spike source {key!r}; recorded: {', '.join(self.spike_labels)}")
            key = self.spike_labels.index(key)
        if self.events is None:
            raise KeyError("this run records no spikes")
        n = int(np.asarray(self.events["nspikes"])[key])
        return np.asarray(self.events["spikes"])[key, :n]

    def weights(self) -> np.ndarray:
        """Each NetCon's weight vector (NET_RECEIVE arguments) at the end of the run, (nnc, W) (one run):
        what NET_RECEIVE and FOR_NETCONS left there, as NEURON's `NetCon.weight` after the run."""
        if self.events is None or "weights" not in self.events:
            raise KeyError("this run has no NetCons")
        return np.asarray(self.events["weights"])

    @classmethod
    def tree_unflatten(cls, aux, children):
        labels, watch, param_watch, spike_labels = aux
        return cls(*children[:5], labels, watch, param_watch, children[5], spike_labels)

    def __getitem__(self, key: str | int):
        if isinstance(key, str):
            if key not in self.labels:
                raise KeyError(f"no probe {key!r}; recorded: {', '.join(self.labels)}")
            key = self.labels.index(key)
        return self.values[..., key]

    def __repr__(self) -> str:
        return f"Traces({len(self.labels)} probes, t shape {jnp.shape(self.t)})"


class Simulation:
    """A compiled run of a Model: `params()` gives the parameter pytree, `run(params)` the traces.

    The tree, mechanisms and settings are read when the Simulation is built; build a new one
    after changing the model's structure (values can change through `params`).

    dtype: "float64" (validation, default) or "float32" (speed). checkpoint:
    1 for a plain scan, k >= 2 for k nested checkpointed scans (gradient memory
    ~ k * steps**(1/k) step states), None (default) for the fewest levels whose
    gradient memory stays under 512 MiB (`bridge.solver.checkpointing.levels`;
    the traces are the same whatever the levels). limits: `max_steps` bounds tstop/dt and
    `max_memory` the recordings (of the whole batch under jax.vmap), both checked
    before anything runs.
    """

    def __init__(self, model: Model, record: Sequence[Any] = (), *, tstop: float | None = None,
                 dtype: str = "float64", checkpoint: int | None = None, limits: Limits = DEFAULT_LIMITS,
                 events: EventSettings | None = None):
        self.model = model
        self.limits = limits
        self.tstop = float(model.tstop if tstop is None else tstop)
        if dtype not in ("float64", "float32"):
            raise BridgeError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        self.dtype = jnp.float64 if dtype == "float64" else jnp.float32
        self.nsteps = checked_step_count(self.tstop, model.dt, limits)  # first: tstop = 1e12 is refused at once
        settings = {"celsius": model.celsius, "v_init": model.v_init, **model.globals}
        self.layout = node_layout(model.tree)
        self.plan = build_plan(model.tree, self.layout, model.mechanisms, model.order, settings)
        self.events = None
        # self-events need the queue without any NetCon (an Ipulse-style point process: net_send in INITIAL)
        self_events = any(getattr(inst.mechanism, "net_send_sites", 0) or getattr(inst.mechanism, "watch_flags", ())
                          for inst in self.plan.mechanisms)
        if model.network or self_events:
            network = model.network or Network()
            self.events = build_event_plan(network, self.plan, model.mechanisms, model.tree,
                                           events or sized_settings(network, self.plan), model.order)
        self.labels, self._record = recorder(self.plan, list(record))
        self._check_recording(1)
        self.checkpoint = checkpoint
        self._jit_run = jax.jit(self._run)
        self._jit_locate = jax.jit(partial(self._run, locate_nan=True))
        self._batch_runs: dict[tuple, Any] = {}  # sharded jit(vmap(run)) per device set

    # -- parameters -----------------------------------------------------------------
    def params(self) -> dict:
        """The default parameter pytree (fresh jnp arrays), built from the tree and the model's settings."""
        # numpy first, then one device_put of the tree: a HOC live run asks for them at every changed step
        return jax.device_put(self.host_params())

    def host_params(self) -> dict:
        """`params()` as numpy arrays of the run's dtype (`bridge.hoc.live_values.device_params`)."""
        defaults = dict(self.plan.defaults)
        if self.events is not None:
            defaults["network"] = default_params(self.events, self.model.network or Network(), _cell_stream)
        return jax.tree.map(lambda x: np.asarray(x, self.dtype), defaults)

    def set_weight(self, params: dict, netcon: int, value, index: int = 0) -> dict:
        """A copy of `params` with NetCon `netcon`'s weight[index] set to `value` (NEURON's `nc.weight[i]`)."""
        net = params["network"]
        return {**params, "network": {**net, "weights": net["weights"].at[netcon, index].set(value)}}

    def instances(self, mechanism: str) -> tuple[tuple[str, float], ...]:
        """(section, x) of each instance of `mechanism`, in the order of its parameter arrays."""
        return self.plan.instances(mechanism).labels

    def set(self, params: dict, name: str, value, section: str | None = None, x: float | None = None) -> dict:
        """A copy of `params` with `name` (e.g. "gnabar_hh", "cm", "ena", "celsius", "amp_IClamp") set to
        `value`, everywhere or only in `section` (at the segment containing x when x is given)."""
        new = jax.tree.map(lambda a: a, params)
        if name in new["globals"]:
            new["globals"] = {**new["globals"], name: jnp.asarray(value, self.dtype)}
            return new
        if name == "cm":
            mask = self._node_mask(section, x)
            new["cm"] = jnp.where(mask, value, new["cm"])
            return new
        for ion, values in new["ions"].items():  # ena, nai, nao... per node, before finitialize
            if name in values:
                mask = self._node_mask(section, x)
                new["ions"] = {**new["ions"], ion: {**values, name: jnp.where(mask, value, values[name])}}
                return new
        for inst in self.plan.mechanisms:
            suffix = "_" + inst.name
            if name.endswith(suffix) and name[: -len(suffix)] in inst.mechanism.range_parameters:
                key = name[: -len(suffix)]
                mask = np.array([self._selects(lab, section, x) for lab in inst.labels], bool)
                values = dict(new["mechanisms"][inst.name])
                values[key] = jnp.where(mask, value, values[key])
                new["mechanisms"] = {**new["mechanisms"], inst.name: values}
                return new
        raise BridgeError(f"no parameter {name!r} in this model (globals: {', '.join(new['globals'])})")

    def _selects(self, label: tuple[str, float], section: str | None, x: float | None) -> bool:
        if section is None:
            return True
        if label[0] != section:
            return False
        if x is None:
            return True
        lay = self.layout
        nseg = int(lay.nseg[lay.section_index(section)])
        return min(int(label[1] * nseg), nseg - 1) == min(max(int(x * nseg), 0), nseg - 1)

    def _node_mask(self, section: str | None, x: float | None) -> np.ndarray:
        lay = self.layout
        if section is None:
            return np.asarray(lay.has_membrane, bool)
        mask = np.zeros(lay.nnode, bool)
        nodes = lay.segment_nodes(section)
        mask[nodes if x is None else [lay.node(section, x)]] = True
        return mask

    # -- running --------------------------------------------------------------------
    def _check_recording(self, batch: int) -> None:
        """Refuse recordings (of `batch` runs under jax.vmap) over `limits.max_memory`."""
        check_recording(self.nsteps, len(self.labels), jnp.dtype(self.dtype).itemsize, batch, self.limits,
                        self.tstop, self.model.dt)

    def _run(self, params: dict, locate_nan: bool = False) -> Traces:
        m = self.model
        batch_guard(self._check_recording)(jax.lax.stop_gradient(params))  # checks a vmap's batch size
        res: RunResult = integrate(self.plan, params, dt=m.dt, nsteps=self.nsteps, secondorder=m.secondorder,
                                   record=self._record, dtype=self.dtype, checkpoint=self.checkpoint,
                                   events=self.events, locate=locate_nan)
        return Traces(res.t, res.values, res.nan_step, res.nan_index, res.nan_param, self.labels,
                      res.watch, res.param_watch, res.spikes,
                      self.events.record_labels if self.events else ())

    def run(self, params: dict | None = None, *, check: bool = True) -> Traces:
        """Finitialize and run to tstop; pure in `params`. Raises SimulationError on a NaN (eager calls)."""
        params = self.params() if params is None else params
        traces = self._jit_run(params)
        if check and not isinstance(traces.nan_step, jax.core.Tracer):
            self.check(traces, params)
        return traces

    def run_batch(self, batch: dict, *, devices: Sequence[Any] | None = None, check: bool = True,
                  width: int | None = None) -> Traces:
        """Run a batch of parameter sets (every leaf of `params()` with a leading batch axis), split
        over `devices` (default: all of them, every process's under jax.distributed; on CPU see
        `bridge.use_cpu_cores`). Same traces as `jax.vmap(sim.run)(batch)`, with a batch axis first.
        `width`: members each device runs per call, the batch running as waves of that many (default on
        CPUs: as many as fit a core's L2 cache, `devices.cpu_width`; elsewhere the whole batch at once)."""
        mesh = batch_mesh(None if devices is None else list(devices))
        self._check_recording(-(-batch_size(batch) // mesh.devices.size) * mesh.devices.size)
        if width is None and all(d.platform == "cpu" for d in mesh.devices.flat):
            width = cpu_width(member_bytes(batch))
        if width is not None and width < 1:
            raise BridgeError(f"run_batch: width must be >= 1, got {width}")
        key = tuple(d.id for d in mesh.devices.flat)
        if key not in self._batch_runs:
            self._batch_runs[key] = sharded_jit(jax.vmap(self._run), mesh)
        traces = run_sharded(self._batch_runs[key], batch, mesh, width)
        if check:
            self.check(traces, batch)
        return traces

    def check(self, traces: Traces, params: dict | None = None) -> None:
        """Raise SimulationError if any state variable became NaN (v, a mechanism's STATE or kept
        ASSIGNED variable, an ion variable): the first one, its place and t, and a NaN parameter
        behind it if there is one. A batch reports its first member with a NaN. `params`: what the
        traces were run with (a batch for batched traces); the run tracks only when the state became
        NaN, and the variable and place are found by running that member again with the full watch
        (without `params` the message gives the time alone). Also raise when the event buffers
        overflowed (`EventSettings`): events are never dropped silently."""
        if traces.events is not None:
            over = np.atleast_1d(np.asarray(traces.events["overflow"])).reshape(-1)
            if np.isfinite(over).any():
                s = self.events.settings if self.events else EventSettings()
                raise SimulationError(f"the event buffers overflowed: the first event that did not fit was for t = "
                                      f"{float(over[np.isfinite(over)].min()):g} ms (capacity {s.capacity} queued "
                                      f"events, {s.per_step} deliveries at one time, {s.spikes} spikes per "
                                      "recorded source): raise them with Simulation(..., events=EventSettings(...))")
            moved = np.atleast_1d(np.asarray(traces.events.get("move_error", np.inf))).reshape(-1)
            if np.isfinite(moved).any():  # netcvode.cpp nrn_net_move's hoc_execerror
                raise SimulationError(f"net_move({float(moved[np.isfinite(moved)].min()):g}) with no pending flag-1 "
                                      "self-event, or to a time before t (NEURON: 'No event with flag=1 for "
                                      "net_move' / 'net_move tt < t')")
        steps = np.atleast_1d(np.asarray(traces.nan_step)).reshape(-1)
        bad = np.flatnonzero(steps >= 0)
        if not len(bad):
            return
        b = int(bad[0])
        step = int(steps[b])
        index = int(np.asarray(traces.nan_index).reshape(-1)[b])
        t = np.asarray(traces.t).reshape(len(steps), -1)[b, step]
        batch = f" (batch member {b})" if steps.size > 1 else ""
        when = " at finitialize" if step == 0 else ""
        param = int(np.asarray(traces.nan_param).reshape(-1)[b])
        if index < 0 and params is not None:
            index = self._locate_nan(params, b if np.ndim(traces.nan_step) else None, step)
        if index < 0:
            where = ("run sim.check(traces, params) to name the variable and place" if params is None else
                     "a re-run with the full NaN watch did not find it at that step")
            raise SimulationError(f"the state became NaN at t = {t:g} ms (step {step} of {self.nsteps}{when})"
                                  f"{batch} ({where}); {self.nan_hint(traces.param_watch, param)}")
        name, where, hint = self.explain_nan(traces.watch, index, traces.param_watch, param)
        raise SimulationError(f"{name} became NaN at {where}, t = {t:g} ms (step {step} of {self.nsteps}{when})"
                              f"{batch}; {hint}")

    def _locate_nan(self, params: dict, member: int | None, step: int) -> int:
        """Index (in `state_watch`'s layout) of the first NaN of the run of `params` (member `member` of a
        batch), by the same run with the full watch each step; -1 if it finds none at `step`."""
        if member is not None:
            params = jax.tree.map(lambda x: x[member], params)
        res = self._jit_locate(params)
        if int(res.nan_step) != step:  # the same program but for the watch: the same step, unless XLA fused differently
            return -1
        return int(res.nan_index)

    def explain_nan(self, watch: tuple[Watched, ...], index: int, param_watch: tuple[Watched, ...] = (),
                    param: int = -1) -> tuple[str, str, str]:
        """(name, place, hint) of the first NaN in the state: `index` into the `watch` layout
        (`bridge.solver.integrate.state_watch`), `param` into `param_watch` (-1: no NaN parameter); the hint
        names the NaN parameter, else says what to check. Shared with HOC's live run (`bridge.hoc.live_nan`)."""
        name, where = self.describe(*locate(watch, index))
        return name, where, self.nan_hint(param_watch, param)

    def nan_hint(self, param_watch: tuple[Watched, ...], param: int) -> str:
        """The NaN parameter (`param` into `param_watch`) and its place, or what to check (-1: none)."""
        if param < 0:
            return "check parameters and dt"
        pname, pwhere = self.describe(*locate(param_watch, param))
        return f"the parameter {pname} is NaN" + (f" at {pwhere}" if pwhere else "")

    def describe(self, watched: Watched, position: tuple[int, ...]) -> tuple[str, str]:
        """(NEURON's name of a watched variable, its place) at `position`: ("m_hh", "soma(0.5)"),
        ("IClamp[0].i", "d1(0.5)"), ("cai", "dend(1)"), ("celsius", "")."""
        kind, keys = watched.kind, watched.keys
        if kind in ("mech", "param"):
            mech, var = keys
            inst = self.plan.instances(mech)
            i, element = position[0], position[1:]
            var += "".join(f"[{j}]" for j in element)
            if inst.mechanism.kind == "point":
                pp = inst.point_processes[i]
                return f"{pp.label or pp.name}.{var}", f"{pp.section}({pp.x:g})"
            sec, x = inst.labels[i]
            return f"{var}_{mech}", f"{sec}({x:g})"
        if kind == "global":
            return keys[0], ""
        name = keys[-1] if kind in ("ion", "ion0") else "cm" if kind == "cm" else "v"
        return name, self.describe_node(position[0])

    def describe_node(self, node: int) -> str:
        """NEURON's name of a node: `sec(x)`, e.g. `soma(0.5)`, `dend(1)`, or `root node of <sec>`."""
        lay = self.layout
        if lay.parent[node] < 0:
            roots = [n for n, p in zip(lay.section_names, lay.parent_node) if p == node]
            return f"{roots[0]}(0)" if roots else f"root node {node}"
        return f"{lay.section_names[lay.section[node]]}({lay.x[node]:g})"


def _cell_stream(r: str, ids: tuple) -> dict[str, float]:
    """An artificial cell's RANDOM stream `r` from (id1, id2, id3[, seq*4 + which]): NEURON's
    nrnran123_newstream(id1, id2, id3) (global index 0), then NMODLRandom.set_seq when given."""
    s = random123.new_stream(*(int(x) for x in ids[:3]))
    if len(ids) > 3:
        s = random123.setseq4which(s, float(ids[3]), 0)
    return dict(zip(randomvars.fields(r), map(float, s), strict=True))


def simulate(model: Model, *, tstop: float | None = None, record: Sequence[Any] | None = None,
             params: dict | None = None, dtype: str = "float64", check: bool = True,
             limits: Limits = DEFAULT_LIMITS) -> Traces:
    """Build a Simulation, run it once and return its Traces (probes as in `Simulation`; default: v at
    every section's centre, `sec(0.5).v`)."""
    if record is None:
        record = [f"{name}(0.5).v" for name in model.tree.sections]
    return Simulation(model, record=record, tstop=tstop, dtype=dtype, limits=limits).run(params, check=check)
