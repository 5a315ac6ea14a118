"""stdrun.hoc and stdlib.hoc procedures models call, in Python.

`run()`, `init()`, `stdinit()`, `finitialize()`, `continuerun()` and `fadvance()` record a
`RunRequest` and advance the session's live run (`bridge.hoc.live`): HOC then reads the
simulated v, states and recorded Vectors, as in NEURON. `init` and `run` are looked up by name, so a
model that redefines `proc init()` gets its own version called, as in NEURON.
`lambda_f(freq)` follows stdlib.hoc (3-D points when there are two or more).
"""

from __future__ import annotations

import math

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.hoc import (
    call_memory,
    carried_runs,
    finithnd,
    global_assigned,
    hoc_records,
    ion_carry,
    kept_v,
    lifetimes,
    own_step,
    partrans,
    randomvars,
    record_stmt,
    reinsert,
    runge_t,
    setpointer,
    spike_records,
)
from bridge.hoc.bindings import CM, DIAM
from bridge.hoc.calls import call_proc
from bridge.hoc.initstate import model_tree
from bridge.hoc.names import _builtin_binding
from bridge.hoc.protocol import RunRequest
from bridge.hoc.values import Proc, is_number
from bridge.morphology.nodes import node_layout


def _call_name(interp, name, args, loc):
    """Call `name` as HOC would: the model's own top-level `proc init()` if it defined one, else bridge's.
    stdrun.hoc's procedures are top-level code: their `init()` is the top-level one even when a template's
    method calls `stdinit()` (netparmpi.hoc's ParallelNetManager, whose own `init` is its constructor)."""
    b = interp.top.get(name)
    if isinstance(b, Proc):
        return call_proc(interp, b, args, None, loc)
    return _builtin_binding(interp, name).fn(interp, args, loc)


def _settings(interp, tstop):
    g = interp.model.globals
    return RunRequest(v_init=g["v_init"], tstop=tstop, dt=g["dt"], celsius=g["celsius"],
                      secondorder=int(g["secondorder"]))


def cj_order(model):
    """`bridge.hoc.live.cj_order` of the session's model (None: cj follows secondorder)."""
    from bridge.hoc.live import cj_order as order

    return order(model)


def _freeze(model, v_init=None):
    """The model as HOC has it now, for the live run (the last one again when nothing changed)."""
    from bridge.hoc.live import freeze

    model.last_frozen = freeze(model, v_init, model.last_frozen)
    model.frozen_mutations = model.mutations
    return model.last_frozen


def dt2thread(model, force: bool) -> None:
    """fadvance.cpp `dt2thread`: NEURON recomputes its cj (1/dt, or 2/dt with secondorder) only when forced
    (finitialize, fcurrent, frecord_init, a step after HOC assigned t) or when dt changed; a secondorder
    assigned in between keeps the old cj (`bridge.hoc.live.cj_order`)."""
    g = model.globals
    if force or g["dt"] != model.cj_dt:
        model.cj_dt, model.cj_secondorder = g["dt"], g["secondorder"]
    model.thread_t = g["t"]


def _step_start(model) -> None:
    """fadvance.cpp `nrn_fixed_step`: dt2thread(-1) when HOC assigned t since the last step, else dt2thread(dt)."""
    dt2thread(model, model.globals["t"] != model.thread_t)


def finitialize(interp, args, loc):
    lifetimes.collect(interp)  # what HOC dropped leaves the model first (NEURON destroyed it already)
    spike_records.sync_weights(interp)  # weights the last run's NET_RECEIVE changed
    g = interp.model.globals
    if args:
        if not is_number(args[0]):
            raise interp.error("finitialize(v) needs a number", loc)
        g["v_init_used"] = float(args[0])
    model = interp.model
    # finitialize(v) sets every node to v; without an argument each node keeps its v (bridge.hoc.kept_v)
    v = float(args[0]) if args else kept_v.node_voltages(model, model_tree(model))
    g["t"] = 0.0
    randomvars.check_finitialize(interp, model, loc)
    partrans.check_finitialize(interp, loc)
    dt2thread(model, True)
    handled = model.mutations  # what the type 3 and 0 handlers change (carried_runs.starts)
    model.initialized = None  # FInitializeHandlers of types 3 and 0 see the model, not the last run
    finithnd.run_type(interp, 3)
    req = _settings(interp, None)
    req.v_init = v
    model.runs.append(req)
    layout = node_layout(model_tree(model)) if not isinstance(v, float) else None
    for sec in model.sections:  # the segments' v as finitialize() leaves it (v on every node, or each node's own)
        centres = [v] * sec.data.nseg if layout is None else v[layout.segment_nodes(sec.name)]
        sec.voltages = {j: float(centres[j]) for j in range(sec.data.nseg)}
        model.area_ri(sec)  # after recalc_diam (treeset.cpp v_setup_vectors): diameters from 3-D points
    finithnd.run_before_initial(interp)
    from bridge.hoc.play import carry_over, recheck_statements, refuse_v_played_at_zero
    from bridge.hoc.play import freeze as freeze_play

    recheck_statements(interp, model.plays, loc)  # a statement play's names resolved again, as NEURON's each run
    try:
        schedules = tuple(freeze_play(p) for p in model.plays)
    except ValueError as err:
        raise interp.error(str(err), loc) from None
    model.hoc_ac_played = model.hoc_ac_played or any(s.statement for s in schedules)
    if not args:
        refuse_v_played_at_zero(interp, schedules, loc)
    if schedules and model.live.cursors and model.live.first is not None:
        model.live.flush()  # the last run's played values
        carry_over(model, schedules, model.live.first, interp, loc)
    ion_carry.keep(model)  # the ion currents NEURON's INITIAL blocks read (eion.cpp ion_init keeps them)
    frozen = _freeze(model, v)
    # what the last run left that INITIAL reads (analysis.carried)
    carry = carried_runs.starts(interp, model, frozen, loc, handled != model.mutations)
    call_memory.check_finitialize(interp, model, loc)  # what a HOC call left in a file LOCAL vs the last run
    carry = global_assigned.starts(model, frozen, carry)  # GLOBAL ASSIGNEDs HOC set
    model.live.request_init(frozen, schedules, carry)
    reinsert.finitialized(model)
    model.initialized = model.live  # what HOC reads now (ina, m_hh, v, ...) comes from bridge's live run
    model.after_init = []
    model.advanced_to = None  # t [ms] once the run stepped (bridge.validation starts its run at finitialize)
    if finithnd.alive(model, 1):
        epoch, mutations = model.live.epoch, model.mutations
        finithnd.run_type(interp, 1)
        if model.live.epoch != epoch or model.mutations != mutations:
            # fadvance.cpp nrn_finitialize: the currents and the t = 0 recording follow type 1 handlers
            model.live.settle_init(_freeze(model))
    hoc_records.restart(interp, loc)  # the t = 0 sample of a recorded HOC variable, after the type 1 handlers
    finithnd.run_type(interp, 2)
    return 1.0  # NEURON's finitialize() returns 1


def fcurrent(interp, args, loc):
    """NEURON's fcurrent(): currents and assigned variables re-evaluated at the present v and states with
    the parameters as they are now (e.g. after a model's init() changed e_pas)."""
    model = interp.model
    if model.initialized is None:
        raise interp.error("fcurrent() before finitialize(): bridge evaluates the currents of the "
                           "initialised model only", loc)
    dt2thread(model, True)
    try:
        model.live.fcurrent(_freeze(model))
    except BridgeError as err:
        raise interp.error(str(err), loc) from None
    return 1.0


def after_init_message(model) -> str | None:
    """What HOC did after finitialize() that a run simulated from finitialize() in one piece cannot start
    from (v, a STATE or an ion concentration assigned), or None. The live run applies these; a
    run simulated again from the model (`bridge validate`'s `Simulation`) would lose them."""
    pending = model.after_init
    if not pending:
        return None
    listed = "; ".join(pending[:5]) + (f" (+{len(pending) - 5} more)" if len(pending) > 5 else "")
    return ("values assigned between finitialize() and the run are not supported (bridge initialises "
            f"the run itself): {listed}")


def check_run_start(model) -> None:
    """Raise UnsupportedFeature when a run simulated from finitialize() would not start from what HOC left
    (`after_init_message`, or time stepped before the run); `bridge validate` then continues the live run
    (`validation.bridge_case.starts_live`)."""
    msg = after_init_message(model)
    if msg:
        raise UnsupportedFeature(msg)
    carry = model.live.carry
    if carry:
        names = ", ".join(f"{m}.{v}" for m in sorted(carry) for v in sorted(carry[m]))
        raise UnsupportedFeature(f"the run starts {names} from what the last run left (bridge.hoc.carried_runs): a "
                                 "run simulated from the model's values would start them from their defaults")
    t = model.advanced_to
    if t is not None:
        raise UnsupportedFeature(f"the model advanced time itself (to t = {t:g} ms, e.g. fadvance() in its init()) "
                                 "before the run: bridge starts a run at finitialize() and cannot start it from "
                                 "a state it did not simulate")


def frecord_init(interp, args, loc):
    """NEURON's frecord_init(): cj recomputed (`dt2thread`) and the recorded Vectors restarted at the state and
    t now (`bridge.hoc.live.LiveRun.record_init`)."""
    model = interp.model
    dt2thread(model, True)
    if model.initialized is not None:
        try:
            model.live.record_init(_freeze(model), model.globals["t"])
        except UnsupportedFeature as err:
            raise interp.refuse(str(err), loc) from None
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        hoc_records.restart(interp, loc)
    return 1.0


def init(interp, args, loc):
    _call_name(interp, "finitialize", [interp.model.globals["v_init"]], loc)
    return None


def _refuse_using_cvode(interp, name: str, loc) -> None:
    """stdrun.hoc's setdt, step and continuerun take CVODE's path while `using_cvode_` is set (setdt keeps dt,
    continuerun steps to tstop, not tstop - dt/2). bridge's cvode_active never sets it, so only the model did."""
    if interp.model.globals.get("using_cvode_", 0.0):
        raise interp.refuse(f"{name}() with using_cvode_ set by the model is not supported: NEURON's stdrun then "
                            "takes CVODE's path (dt kept as set, steps to tstop); use cvode_active()", loc)


def setdt(interp, args, loc):
    """stdrun's setdt: dt becomes 1/steps_per_ms divided into whole steps, when they disagree (and HOC prints
    "Changed dt", as stdrun.hoc's setdt)."""
    _refuse_using_cvode(interp, "setdt", loc)
    g = interp.model.globals
    big = 1.0 / g["steps_per_ms"]
    n = int(big / g["dt"])
    n = max(n, 1)
    interp.model.nstep_steprun = n
    g["nstep_steprun"] = float(n)  # the HOC variable a model's own step() reads (stdrun.hoc's step)
    if abs(g["dt"] * n * g["steps_per_ms"] - 1.0) > 1e-6:
        interp.write("Changed dt\n")  # stdrun.hoc setdt: `print "Changed dt"` before it sets dt
        g["dt"] = big / n
    return None  # stdrun procs return nothing (a top-level call prints nothing)


def stdinit(interp, args, loc):
    setdt(interp, [], loc)
    _call_name(interp, "init", [], loc)
    return None


def _steps_to(t: float, t_end: float, dt: float, group: int, limit: int, trips: int = 0,
              secondorder: float = 0) -> tuple[int, float]:
    """stdrun's continuerun loop: `while (t < t_end - dt/2) step()`, a step() being `group` fadvance()s of
    t += dt/2 twice (fadvance.cpp `nrn_fixed_step`) and `trips` runge round trips (`bridge.hoc.runge_t`);
    (steps, t after them). Over `limit` steps: (-1, t_end), not counted (the live run refuses such a piece if
    it is ever simulated; `Limits.max_steps`)."""
    ts = t_end - dt / 2
    if (ts - t) / dt > limit:
        return -1, t_end
    n = 0
    while t < ts:
        for _ in range(group):
            t = runge_t.step_t(t, dt, secondorder, trips)
        n += group
    return n, t


def continuerun(interp, args, loc):
    lifetimes.collect(interp)  # what HOC dropped leaves the model first (NEURON destroyed it already)
    if not args or not is_number(args[0]):
        raise interp.error("continuerun(tstop) needs a number", loc)
    _refuse_using_cvode(interp, "continuerun", loc)
    model = interp.model
    runs = model.runs
    if not runs:
        raise interp.error("continuerun before finitialize/init", loc)
    g = model.globals
    t0, dt = g["t"], g["dt"]
    drawing = own_step.only_steps(interp) if own_step.redefined(interp) and not record_stmt.sources(model) else None
    if own_step.redefined(interp) and drawing is None:  # the model's own step()/advance() runs between the steps
        own_step.continuerun(interp, _call_name, float(args[0]), loc)
        runs[-1].tstop = max(float(args[0]), t0)
        return None
    steps, t = _steps_to(t0, float(args[0]), dt, model.nstep_steprun, interp.limits.max_steps,
                         runge_t.round_trips(model.tree, model.catalog), g["secondorder"])
    for stmt in (drawing or []) if steps else []:  # an advance() that only steps: its other calls, once (they
        interp.exec(stmt)  # draw nothing; the GUI warning names them as the step-by-step run would)
    g["stoprun"] = 0.0  # stdrun.hoc continuerun
    if steps:
        _step_start(model)
    if steps > 0 and record_stmt.sources(model):  # NetCon.record("stmt"): run now, statements at the spikes
        _no_hoc_records(interp, loc)
        t = record_stmt.advance(interp, lambda: _freeze(model), t0, steps, model.nstep_steprun, loc, stop=True)
    else:
        model.live.request_steps(_freeze(model), t0, steps, t, model.nstep_steprun)
        hoc_records.sample(interp, steps, loc)  # HOC does not run during the steps: its variables stay
    if steps:
        model.thread_t = t
    runs[-1].tstop = max(float(args[0]), t0)  # NEURON's continuerun never goes back in time
    runs[-1].dt = dt
    g["t"] = t
    if steps != 0:
        model.advanced_to = t
    return None


def run(interp, args, loc):
    if args:
        interp.model.set_global("tstop", args[0])
    _call_name(interp, "stdinit", [], loc)
    _call_name(interp, "continuerun", [interp.model.globals["tstop"]], loc)
    return None


def fadvance(interp, args, loc):
    """One step of NEURON's fixed step: t += dt/2 twice, the live run one step further (simulated when
    HOC reads a result). The model is frozen again only when HOC assigned something since the last step."""
    lifetimes.collect_if_dropped(interp)  # what HOC dropped leaves the model first (NEURON destroyed it already)
    model = interp.model
    if not model.runs:
        raise interp.error("fadvance() before finitialize()", loc)
    g = model.globals
    t0 = g["t"]
    _step_start(model)
    frozen = model.last_frozen
    if (frozen is None or model.frozen_mutations != model.mutations or frozen.dt != g["dt"]
            or frozen.cj_order != cj_order(model) or setpointer.scalars_changed(model, frozen)):
        frozen = _freeze(model)
    t = runge_t.step_t(t0, g["dt"], g["secondorder"], runge_t.frozen_round_trips(frozen, model.catalog))
    if record_stmt.sources(model):  # NetCon.record("stmt"): run now, statements at the spikes
        _no_hoc_records(interp, loc)
        t = record_stmt.advance(interp, lambda: _freeze(model), t0, 1, 1, loc, stop=False)
    else:
        model.live.request_steps(frozen, t0, 1, t, 2)  # not a continuerun (HocSession.model)
        hoc_records.sample(interp, 1, loc)  # nrn_fixed_step records after the step, before HOC runs on
    g["t"] = t
    model.thread_t = t
    model.advanced_to = t
    model.runs[-1].tstop = t
    model.runs[-1].dt = g["dt"]
    return 1.0


def _no_hoc_records(interp, loc) -> None:
    """A run with NetCon.record statements (HOC at spikes, within the steps) and a recorded HOC variable is
    refused: the statements may change the variable between samples (`bridge.hoc.hoc_records`)."""
    if hoc_records.any_records(interp.model):
        raise interp.refuse("Vector.record(&var) of a HOC variable in a run with NetCon.record statements is not "
                            "supported", loc)


def unsupported(name, why):
    def fn(interp, args, loc):
        raise interp.refuse(f"{name}() is not supported: {why}", loc)
    return fn


def lambda_f(interp, args, loc):
    """The length [um] of one AC length constant at frequency $1 [Hz] (stdlib.hoc)."""
    freq = float(args[0])
    m = interp.model
    sec = m.current(interp, loc)
    data = sec.data
    cm = float(m.get_range(sec, CM, 0.5, loc, interp))
    if cm == 0:
        return 1e10
    ra = float(data.Ra)
    if len(sec.points) < 2:
        diam = m.get_range(sec, DIAM, 0.5, loc, interp)
        return 1e5 * math.sqrt(diam / (4 * math.pi * freq * ra * cm))
    arcs = sec.arcs()
    lam = 0.0
    x1, d1 = arcs[0], sec.points[0][3]
    for i in range(1, len(sec.points)):
        if d1 == 0:
            raise interp.error(f"lambda_f error: 0 diameter for 3d point {i - 1} of {sec.name}.", loc)
        x2, d2 = arcs[i], sec.points[i][3]
        lam += (x2 - x1) / math.sqrt(d1 + d2)
        x1, d1 = x2, d2
    lam *= math.sqrt(2) * 1e-5 * math.sqrt(4 * math.pi * freq * ra * cm)
    sec.sync()
    return data.L / lam


def _cvode_active(interp, args, loc, name="cvode_active"):
    """stdrun's `cvode_active(on)` (NumericalMethodPanel `varstep`, varmeth1.hoc `isvar`/`sdt`): turning
    CVODE on saves dt, turning it off puts the saved dt back. bridge runs the fixed step either way."""
    model = interp.model
    flags = model.cvode_flags
    if args and is_number(args[0]):
        if float(args[0]) != 0.0:
            if model.dt_before_cvode is None:
                model.dt_before_cvode = model.globals["dt"]
            model.cvode_requested(f"{name}(1)", loc)
            # varmeth1.hoc iscvode / islocal
            flags.update(active=1.0, use_daspk=0.0, use_local_dt=float(name == "cvode_local"))
        else:
            if model.dt_before_cvode is not None:
                model.globals["dt"] = model.dt_before_cvode
                model.dt_before_cvode = None
            flags.update(active=0.0, use_daspk=0.0)  # varmeth1.hoc isvar with isvar_ = 0
    # stdrun.hoc: cvode_active() returns cvode.active(), cvode_local() cvode.use_local_dt()
    return flags["use_local_dt" if name == "cvode_local" else "active"]


def _cvode_local(interp, args, loc):
    """stdrun's `cvode_local(on)` (NumericalMethodPanel `localstep`, varmeth1.hoc `islocal`): on, CVODE with
    local steps (dt saved as by cvode_active(1)); off, `isvar_ = 0 isvar()`, which is cvode_active(0)."""
    return _cvode_active(interp, args, loc, "cvode_local")


def _noop(interp, args, loc):
    return None  # a stdrun proc


def set_v_init(interp, args, loc):
    """stdrun.hoc's `set_v_init([v])`: the old v_init [mV]; v_init becomes $1 when given (electrod.hoc's
    voltage-clamp families)."""
    g = interp.model.globals
    old = g["v_init"]
    if args:
        if not is_number(args[0]):
            raise interp.error("set_v_init: argument 1 must be a number", loc)
        interp.model.set_global("v_init", float(args[0]))
    return old


def stoppedrun(interp, args, loc):
    """stdrun.hoc's `stoppedrun()`: `stoprun` (the Stop button's flag; 0 unless HOC set it)."""
    return interp.model.globals["stoprun"]


def functions() -> dict:
    return {
        "finitialize": finitialize, "init": init, "stdinit": stdinit, "continuerun": continuerun, "run": run,
        "setdt": setdt, "lambda_f": lambda_f, "tstop_changed": _noop, "frecord_init": frecord_init,
        "cvode_active": _cvode_active, "cvode_local": _cvode_local,
        "fadvance": fadvance, "advance": fadvance,
        "fcurrent": fcurrent, "set_v_init": set_v_init, "stoppedrun": stoppedrun,
        "steprun": unsupported("steprun", "bridge records the protocol; simulate with bridge.simulate"),
    }
