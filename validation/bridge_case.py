"""The bridge side of a case: the same model through load_hoc / load_mod and the JAX solver.

`run_bridge_case(case, neuron)` builds the model the way a bridge user would
(`bridge.load_hoc(hoc, mechanisms, statements, cwd=...)` or the case's
SectionTree, the .mod files translated with `bridge.nmodl.load.load_mod`),
applies the protocol, and records the probes NEURON recorded (`neuron.labels`).
Settings not fixed by the protocol come from bridge's own reading of the HOC
(its tstop, dt after stdrun's `setdt`, v_init, celsius, secondorder), so that a
difference in how the HOC was read shows up as a settings mismatch; only the
default current steps (and the tstop that goes with them) are taken from the
NEURON side, which decides them (`validation.defaults`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from validation import defaults
from validation.case import Case, mechanism_name
from validation.neuron_case import NEURON_BUILTINS, setdt
from validation.outcome import RunOutput
from validation.spikes import bridge_spikes


def load_case_hoc(case: Case):
    """The model of `case_session(case)`; the model's files are written into `case.output_dir/model-output/`
    (emptied first), when the case has an output folder."""
    return case_session(case, output_dir=model_output(case)).model()


def model_output(case: Case) -> Path | None:
    """`case.output_dir/model-output/`, emptied, where bridge's run of the model writes its files; None without
    an output folder (every write is then refused)."""
    if case.output_dir is None:
        return None
    import shutil

    from validation.output_files import BRIDGE_OUTPUT

    out = Path(case.output_dir) / BRIDGE_OUTPUT
    if out.is_dir() and not out.is_symlink():
        shutil.rmtree(out)
    return out


def case_session(case: Case, output_dir: Path | None = None, run_probes: list[str] = (), probes: list[str] = (),
                 stimuli: list = ()):
    """The case's HOC file, mechanisms and statements in a `bridge.HocSession`, then what the NEURON side
    does before its run: the current steps `stimuli` (`validation.case.IClamp`s, `add_stimuli`), the
    protocol's settings and `stdinit()`, so that a model's own `proc init()`
    (reversal potentials, `finitialize`, `fcurrent`, e_pas chosen from the currents) shapes the model.
    What the HOC prints (NEURON prints top-level values, e.g. `1` after load_file) is kept off the terminal.
    The model reads files only in its folder, the mechanism folder and the case's `allow_read`, and writes
    only into `output_dir` (None: every write is refused).
    `run_probes` (NEURON's `run_labels` when the HOC ran more than once): each run the HOC makes while it loads
    is kept with these probes (`session._state.live.runs`, `bridge.hoc.live.LiveRun.keep_runs`).
    `probes` (NEURON's labels): the live run records them from the `stdinit()` on, for a protocol run that must
    continue the live run (`starts_live`)."""
    import contextlib
    import io

    from bridge.hoc.session import HocSession

    p = case.protocol
    hoc = Path(case.hoc).resolve()
    with contextlib.redirect_stdout(io.StringIO()):
        session = HocSession(case.bridge_mod_files() or None, cwd=case.cwd if case.cwd is not None else hoc.parent,
                             allow_read=case.allow_read, output_dir=output_dir)
        live = session._state.live
        live.keep_runs, live.run_probes = bool(run_probes), tuple(run_probes)
        session('{load_file("stdrun.hoc")}')  # as NEURON's side does before the model (bridge.hoc.stdrun_load)
        session.load_file(hoc)
        for stmt in case.statements:
            session(stmt)
        live.finish_runs()
        live.run_probes = tuple(probes)
        add_stimuli(session, stimuli)
        if p.dt is not None:
            session.dt, session.steps_per_ms = p.dt, 1.0 / p.dt
        for name in ("v_init", "celsius", "secondorder"):
            if getattr(p, name) is not None:
                setattr(session, name, getattr(p, name))
        for name, val in p.globals.items():
            setattr(session, name, val)
        session("stdinit()")
        return session


STIMULI = "validation_iclamp__"  # the HOC objref array that holds `add_stimuli`'s IClamps


def add_stimuli(session, stimuli: list) -> None:
    """The IClamps `stimuli` in the session's model, made after the model's HOC ran and before `stdinit()`, as
    the NEURON side makes them (`validation.neuron_case._run`: `h.IClamp(sec(x))` with del, dur, amp [ms, ms,
    nA]), so that the model's own init() and its live run see them. They are held by the objref array
    `STIMULI` (NEURON's side holds them from Python); a section is named as NEURON names it."""
    if not stimuli:
        return
    from bridge.errors import BridgeError

    st = session._state
    st.sync_sections()
    secs = {s.data.name: s for s in st.sections if s.alive}
    session(f"objref {STIMULI}[{len(stimuli)}]")
    for i, stim in enumerate(stimuli):
        if stim.section not in secs:
            raise BridgeError(f"the current step's section {stim.section!r} is not one of bridge's sections")
        st.push(secs[stim.section])
        try:
            session(f"{STIMULI}[{i}] = new IClamp({float(stim.x)!r})")
        finally:
            st.pop()
        for name, value in (("del", stim.delay), ("dur", stim.dur), ("amp", stim.amp)):
            session(f"{STIMULI}[{i}].{name} = {float(value)!r}")


def starts_live(session) -> bool:
    """Whether the protocol run must continue the session's live run after `stdinit()`: the model's init()
    stepped (the steady-state idiom: `t = -1e9`, big-dt fadvance()s, `frecord_init()`) or assigned v, a STATE or
    an ion variable after finitialize() (`bridge.hoc.stdrun.check_run_start`): a run simulated again from
    finitialize() would not start from that state, the live run does, as NEURON's continuerun does."""
    from bridge.errors import UnsupportedFeature
    from bridge.hoc.stdrun import check_run_start

    try:
        check_run_start(session._state)
    except UnsupportedFeature:
        return True
    return False


def live_protocol_run(session, labels: list[str], tstop: float):
    """NEURON's side's `continuerun(tstop)` after its `stdinit()`, in the session's live run (`starts_live`):
    (t [ms], values (nt, len(labels)), bridge's labels of them, the node layout, the live run's `Traces`)."""
    import contextlib
    import io

    from bridge.solver.record import recorder

    with contextlib.redirect_stdout(io.StringIO()):
        session(f"continuerun({float(tstop)!r})")
    live = session._state.live
    traces = live.traces()
    ours = list(recorder(live.plan, labels)[0])  # as `Simulation(record=labels)` names them
    cols = [list(traces.labels).index(label) for label in ours]
    values = np.asarray(traces.values).reshape(len(traces.t), -1)[:, cols]
    return np.asarray(traces.t), values, ours, live.plan.layout, traces


def played_settings(session, settings: dict) -> dict:
    """`settings` as NEURON's side reports them after its run (`h.celsius` then): a Vector that played into
    celsius (`vec.play(&celsius, tvec)`) left its last played value there (`bridge.hoc.play` cursors)."""
    out = dict(settings)
    for c in session._state.live.cursors:
        target = c.sched.target
        if not c.removed and c.value is not None and target.kind == "global" and target.variable in out:
            out[target.variable] = float(c.value)
    return out


def used_mechanisms(case: Case, used: list[str]) -> dict:
    """The translations of the .mod files that define mechanisms the model uses (in file-name order, as
    nrnivmodl registers them). Files the model never uses are not translated: NEURON compiles them, but
    they cannot change its run."""
    from bridge.nmodl.load import load_mod

    out = {}
    for path in case.bridge_mod_files():
        name = mechanism_name(path)
        if name in NEURON_BUILTINS or name not in used:
            continue  # NEURON runs its own built-ins; so does bridge (its built-in translations)
        mech = load_mod(path, allow_read=case.allow_read)
        out[mech.name] = mech
    # a mechanism whose GLOBAL an EXTERNAL reads (`gscale_oth`) is loaded too, inserted or not
    externals = {e for mech in out.values() for e in getattr(mech, "externals", ())}
    for path in case.bridge_mod_files():
        name = mechanism_name(path)
        if name not in out and name not in NEURON_BUILTINS and any(e.endswith("_" + name) for e in externals):
            mech = load_mod(path, allow_read=case.allow_read)
            out[mech.name] = mech
    return out


def hoc_settings(case: Case, hoc) -> tuple[float, dict, dict]:
    """dt [ms], the settings (v_init, celsius, secondorder) and the globals bridge runs a HOC case's model
    with: the model's own (dt after stdrun's setdt), overridden by the case's protocol where it sets them."""
    p, hp = case.protocol, hoc.protocol
    dt = p.dt if p.dt is not None else setdt(hp.dt, hp.steps_per_ms)
    settings = {"v_init": hp.v_init, "celsius": hp.celsius, "secondorder": hp.secondorder}
    settings.update({name: getattr(p, name) for name in settings if getattr(p, name) is not None})
    return dt, settings, {**hp.globals, **p.globals}


def hoc_mechanisms(case: Case, hoc) -> dict:
    """The translated mechanisms a HOC case's model uses, then the KSChans its HOC defined (as NEURON
    registers them after the .mod files)."""
    cells = [cell.name for cell in hoc.network.cells] if hoc.network is not None else []  # in no section
    mechs = used_mechanisms(case, [*hoc.tree.mechanism_names(), *cells])
    mechs.update(hoc.runtime_mechanisms)
    return mechs


def run_bridge_case(case: Case, neuron: RunOutput) -> RunOutput:
    """Run `case` with bridge, recording `neuron.labels` (BridgeErrors propagate)."""
    start = time.perf_counter()
    from bridge.hoc import own_step
    from bridge.model import Model, Simulation

    p = case.protocol
    runs: list = []
    live = None
    network, spike_records = None, ()
    notes: list[str] = []
    defaults_apply = bool(neuron.stimuli)  # NEURON decided (validation.neuron_case._has_stimulus)
    stimuli = list(p.stimuli)
    if defaults_apply:
        from validation.case import IClamp

        stimuli += [IClamp(**s) for s in neuron.stimuli]
    if case.hoc is not None:  # the stimuli are made in the session before its stdinit(), as in NEURON
        session = case_session(case, model_output(case), neuron.run_labels if len(neuron.runs) > 1 else [],
                               probes=list(neuron.labels), stimuli=stimuli)
        hoc, runs = session.model(), session._state.live.runs
        # a model that plays Vectors runs in its live run, where the plays are applied (a bridge.Model has none);
        # so does one with its own stdrun step()/advance(), which changes the model between steps (bridge.hoc.own_step)
        live = session if starts_live(session) or hoc.plays or own_step.redefined(session._interp) else None
        tree, model_tstop = hoc.tree, hoc.protocol.tstop
        if live is not None:  # the last run is the init's steps (to t = -1e9): NEURON's side reads h.tstop
            model_tstop = float(session._state.globals["tstop"])
        dt, settings, globals_ = hoc_settings(case, hoc)
        mechs = hoc_mechanisms(case, hoc)
        network, spike_records = hoc.network, tuple(r for r in hoc.spike_records if r.compared)
        if hoc.protocol.cvode:  # bridge.hoc.model_state cvode_requested
            notes.append("the model asks for CVODE (variable step); bridge runs NEURON's fixed step "
                         "(Protocol.cvode): the comparison is fixed-step")
    else:
        tree, model_tstop = case.tree.copy(), defaults.NEURON_TSTOP
        dt = p.dt if p.dt is not None else 0.025
        settings = {"v_init": -65.0, "celsius": 6.3, "secondorder": 0}
        settings.update({name: getattr(p, name) for name in settings if getattr(p, name) is not None})
        globals_ = dict(p.globals)
        mechs = used_mechanisms(case, tree.mechanism_names())
    tstop = defaults.tstop_for(p.tstop, model_tstop, defaults_apply)
    if live is not None:
        load_seconds = time.perf_counter() - start
        start = time.perf_counter()
        t, values, labels, lay, traces = live_protocol_run(live, list(neuron.labels), tstop)
        if values.size:  # as NEURON's side reports it: the v the run started from at the soma
            settings = {**settings, "v_init": float(values[0, 0])}
        settings = played_settings(live, settings)
        dt = float(live._state.globals["dt"])  # the compared run's, as NEURON's side reports h.dt after it (the
        # model's own init() may have stepped at another dt before: ModelDB 108459's 100 steps of 10 ms)
        rows = {label: i for i, label in enumerate(traces.spike_labels)}
        spikes = {rec.label: [float(x) for x in traces.spikes(rows[rec.label])] if rec.label in rows else []
                  for rec in spike_records}
    else:
        for st in stimuli if case.hoc is None else ():  # (a HOC case's session made them)
            tree.add_point_process("IClamp", st.section, st.x, **st.params())
        model = Model(tree, mechanisms=mechs, dt=dt, tstop=tstop, globals=globals_, network=network, **settings)
        sim = Simulation(model, record=list(neuron.labels))
        lay = sim.layout
        load_seconds = time.perf_counter() - start
        start = time.perf_counter()
        traces = sim.run()
        t, values, labels = np.asarray(traces.t), np.asarray(traces.values), list(traces.labels)
        spikes = bridge_spikes(spike_records, traces)
    run_seconds = time.perf_counter() - start
    if np.ndim(settings["v_init"]) and values.size:  # v per node (finitialize() without argument): reported as
        settings = {**settings, "v_init": float(values[0, 0])}  # NEURON's side reports it, the soma's at t = 0
    geometry = {}
    for name in lay.section_names:
        nodes = lay.segment_nodes(name)
        rinv = np.asarray(lay.rinv)[nodes]
        geometry[name] = {"area": [float(a) for a in np.asarray(lay.area)[nodes]],
                          "ri": [float(1.0 / r) if r != 0 else 1e30 for r in rinv]}
    return RunOutput("bridge", t, labels, values.reshape(len(t), -1), named=list(neuron.named),
                     geometry=geometry, settings={"tstop": tstop, "dt": float(dt), **settings},
                     stimuli=[s for s in neuron.stimuli] if defaults_apply else [],
                     load_seconds=load_seconds, run_seconds=run_seconds, tree=tree,
                     run_labels=list(neuron.run_labels) if runs else [], runs=list(runs), spikes=spikes,
                     notes=notes)
