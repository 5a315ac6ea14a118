"""What a HOC model asks NEURON to run: settings, stimuli and recordings.

`run()`, `init()`, `finitialize()` and `continuerun()` leave a `RunRequest` (and advance the
session's live run, `bridge.hoc.live`), so that the solver can run what NEURON would have run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.morphology.tree import PointProcess, SectionTree
from bridge.readroots import ReadRoots


@dataclass
class Recording:
    """`vec.record(&soma.v(0.5))`: record `variable` at (section, x); section None for `&t`.
    `vec.record(&clamp.i)`: `point_process` is the object's name ("SEClamp[0]"), at (section, x).
    `vec.record(&var, Dt)`: `record_dt` [ms]; `vec.record(&var, tvec)`: `record_times`, the time Vector (its
    values when the Vector is filled): the Vector holds the samples of NEURON's record events
    (`bridge.solver.record_events`); a run's probe still records every step."""

    variable: str
    section: str | None = None
    x: float = 0.5
    label: str = ""
    point_process: str = ""
    record_dt: float | None = None
    record_times: Any = None  # a bridge.hoc.vector.Vector


@dataclass
class RunRequest:
    """One `finitialize`/`run`: the settings NEURON would have used. `tstop` None: initialise only."""

    v_init: float
    tstop: float | None
    dt: float
    celsius: float
    secondorder: int


@dataclass
class Protocol:
    """NEURON's settings after the HOC ran (names, units and defaults as NEURON's).

    `celsius` [degC], `v_init` [mV], `tstop` [ms], `dt` [ms], `steps_per_ms` [1/ms],
    `secondorder` (0, 1, 2); `stimuli` are the point processes (IClamp, ...);
    `recordings` the `Vector.record` requests; `globals` mechanism and ion GLOBALs
    the model set (e.g. {"nai0_na_ion": 12.0}); `runs` each run the HOC asked for;
    `ion_styles` the `ion_style("na_ion", ...)` calls (NEURON's five integer arguments).
    """

    celsius: float = 6.3
    v_init: float = -65.0
    tstop: float = 5.0
    dt: float = 0.025
    steps_per_ms: float = 40.0
    secondorder: int = 0
    stimuli: list[PointProcess] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)
    globals: dict[str, float] = field(default_factory=dict)
    runs: list[RunRequest] = field(default_factory=list)
    ion_styles: dict[str, tuple[int, ...]] = field(default_factory=dict)
    cvode: bool = False  # the model asked for CVODE (bridge runs the fixed step)
    changed_after_run: bool = False  # the HOC changed the model after its last run (bridge.hoc.runcheck)


@dataclass
class HocModel:
    """A HOC model: its `tree` (sections, mechanisms, point processes) and `protocol`.

    `mechanism_roots`: where its .mod files may read (their INCLUDEs), with the session's
    `Limits` (`bridge.readroots`); `limits`: the session's bounds, also of its simulations."""

    tree: SectionTree
    protocol: Protocol
    mechanism_files: dict[str, str] = field(default_factory=dict)
    mechanism_roots: ReadRoots | None = None
    limits: Limits = DEFAULT_LIMITS
    runtime_mechanisms: dict = field(default_factory=dict)  # defined by the HOC as it ran (KSChan)
    live_traces: Any = None  # the last run as the HOC session simulated it (bridge.hoc.live), if it had to
    plays: tuple[str, ...] = ()  # the Vector.play targets in effect ("IClamp[0].amp"): only the live run applies them
    network: Any = None  # NetCons and artificial cells (bridge.solver.network.Network), from bridge.hoc.netcon
    spike_records: tuple = ()  # bridge.hoc.netcon.Recorded: the recorded sources, rows of Traces.spikes
    # "mech.var" the last run starts from what the run before left or HOC set (hoc.carried_runs, hoc.global_assigned)
    carried: tuple[str, ...] = ()

    def mechanisms(self) -> dict:
        """Translations of the model's .mod files that it uses, in nrnivmodl's registration
        order (file names sorted), then the mechanisms its HOC defined (KSChan); bridge's own
        built-ins (pas, hh, IClamp) are added by `Model`."""
        from bridge.nmodl.load import BUILTIN_DIR, load_mod  # the translator and JAX: only when asked

        files = sorted({Path(f) for f in self.mechanism_files.values()}, key=lambda f: f.name)
        out = {m.name: m for m in (load_mod(f, roots=self.mechanism_roots, limits=self.limits)
                                   for f in files if f.parent != BUILTIN_DIR)}
        out.update(self.runtime_mechanisms)  # NEURON registers a KSChan after every compiled mechanism
        return out

    def to_model(self, **overrides):
        """A `bridge.Model` with the protocol's settings and the model's translated mechanisms
        (overrides by keyword)."""
        from bridge.model import Model  # JAX: only when asked

        if self.plays:
            raise UnsupportedFeature(
                f"the HOC plays Vectors into {', '.join(self.plays)} (Vector.play): a bridge.Model does not carry "
                "plays yet, so it would run without them; HocModel.simulate() returns the HOC's own run, with them")
        p = self.protocol
        kwargs = dict(celsius=p.celsius, dt=p.dt, v_init=p.v_init, tstop=p.tstop,
                      secondorder=p.secondorder, globals=dict(p.globals))
        if self.network is not None:
            kwargs["network"] = self.network
        kwargs.update(overrides)
        kwargs.setdefault("mechanisms", self.mechanisms())
        return Model(self.tree, **kwargs)

    def probes(self) -> list[str]:
        """The recordings as bridge probe names, e.g. "soma(0.5).v" or "SEClamp[0].i" (`&t` is the time
        axis, left out)."""
        return [f"{r.point_process}.{r.variable}" if r.point_process else f"{r.section}({r.x!r}).{r.variable}"
                for r in self.protocol.recordings if r.section is not None]

    def simulate(self, limits: Limits | None = None, **overrides):
        """Run what the HOC asked NEURON to run (its last `run()`), recording its `Vector.record` probes,
        within `limits` (steps, recording memory; default: the session's). Returns bridge's `Traces`
        (keys: `probes()`, time in `.t`)."""
        from bridge.model import Simulation  # JAX: only when asked

        if self.live_traces is not None and not overrides and limits is None:
            return self.live_traces  # simulated while the HOC ran (it stepped, or changed during its run)
        if self.carried:
            raise UnsupportedFeature(
                f"the last finitialize() starts {', '.join(self.carried)} from what the run before left or HOC set "
                "(NEURON's memory, bridge.hoc.carried_runs, bridge.hoc.global_assigned); simulating the model from "
                "its values would start them from their "
                "defaults (HocModel.simulate() without arguments returns the HOC's own run, once it stepped)")
        if self.protocol.changed_after_run:
            raise BridgeError("the HOC changed the model after its last run, so simulating the model as it is "
                              "now is not the run NEURON made; use to_model() to simulate the model as it is")

        return Simulation(self.to_model(**overrides), record=self.probes(),
                          limits=self.limits if limits is None else limits).run()
