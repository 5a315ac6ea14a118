"""stdrun.hoc and stdlib.hoc procedures models call, in Python.

`run()`, `init()`, `stdinit()`, `finitialize()` and `continuerun()` record a
`RunRequest` instead of simulating. `init` and `run` are looked up by name, so a
model that redefines `proc init()` gets its own version called, as in NEURON.
`lambda_f(freq)` follows stdlib.hoc (3-D points when there are two or more).
"""

from __future__ import annotations

import math
import warnings

from bridge.errors import UnsupportedFeature
from bridge.hoc import runcheck
from bridge.hoc.bindings import CM, DIAM
from bridge.hoc.calls import call_proc
from bridge.hoc.initstate import Snapshot
from bridge.hoc.names import lookup
from bridge.hoc.protocol import RunRequest
from bridge.hoc.values import Proc, is_number


def _call_name(interp, name, args, loc):
    """Call `name` as HOC would: the model's own `proc init()` if it defined one, else bridge's."""
    b = lookup(interp, name)
    if isinstance(b, Proc):
        return call_proc(interp, b, args, interp.frame.obj, loc)
    return b.fn(interp, args, loc)


def _settings(interp, tstop):
    g = interp.model.globals
    return RunRequest(v_init=g["v_init"], tstop=tstop, dt=g["dt"], celsius=g["celsius"],
                      secondorder=int(g["secondorder"]))


def finitialize(interp, args, loc):
    g = interp.model.globals
    if args:
        if not is_number(args[0]):
            raise interp.error("finitialize(v) needs a number", loc)
        g["v_init_used"] = float(args[0])
    v = float(args[0]) if args else g["v_init"]
    req = _settings(interp, None)
    req.v_init = v
    g["t"] = 0.0
    model = interp.model
    model.runs.append(req)
    for sec in model.sections:  # NEURON's finitialize(v): v = v_init on every node
        sec.voltages = {j: v for j in range(sec.data.nseg)}
        model.area_ri(sec)  # after recalc_diam (treeset.cpp v_setup_vectors): diameters from 3-D points
    model.initialized = Snapshot(req)  # what HOC reads now (ina, m_hh, ...) comes from bridge's finitialize
    model.after_init = []
    model.advanced_to = None  # t [ms] once a run went past the initialisation (reads of v, states refused)
    return 1.0  # NEURON's finitialize() returns 1


def fcurrent(interp, args, loc):
    """NEURON's fcurrent(): currents and assigned variables re-evaluated with the parameters as they are
    now (e.g. after a model's init() changed e_pas), from the initialised model."""
    model = interp.model
    if model.initialized is None:
        raise interp.error("fcurrent() before finitialize(): bridge evaluates the currents of the "
                           "initialised model only", loc)
    req = model.runs[-1]
    model.initialized = Snapshot(req)
    return 1.0


def after_init_message(model) -> str | None:
    """What HOC assigned after finitialize() that bridge's run cannot start from, or None: bridge
    initialises again from the tree (parameters as HOC left them), so an assigned v, STATE, ASSIGNED
    variable or ion concentration would be lost, silently giving other numbers than NEURON."""
    pending = model.after_init
    if not pending:
        return None
    listed = "; ".join(pending[:5]) + (f" (+{len(pending) - 5} more)" if len(pending) > 5 else "")
    return ("values assigned between finitialize() and the run are not supported (bridge initialises "
            f"the run itself): {listed}")


def check_run_start(model) -> None:
    """Raise UnsupportedFeature when the run would not start from what HOC left (`after_init_message`)."""
    msg = after_init_message(model)
    if msg:
        raise UnsupportedFeature(msg)
    t = model.advanced_to
    if t is not None:
        raise UnsupportedFeature(f"the model advanced time itself (to t = {t:g} ms, e.g. fadvance() in its init()) "
                                 "before the run: bridge starts a run at finitialize() and cannot start it from "
                                 "a state it did not simulate")


def init(interp, args, loc):
    _call_name(interp, "finitialize", [interp.model.globals["v_init"]], loc)
    return None


def setdt(interp, args, loc):
    """stdrun's setdt: dt becomes 1/steps_per_ms divided into whole steps, when they disagree."""
    g = interp.model.globals
    big = 1.0 / g["steps_per_ms"]
    n = int(big / g["dt"])
    n = max(n, 1)
    if abs(g["dt"] * n * g["steps_per_ms"] - 1.0) > 1e-6:
        g["dt"] = big / n
    return None  # stdrun procs return nothing (a top-level call prints nothing)


def stdinit(interp, args, loc):
    setdt(interp, [], loc)
    _call_name(interp, "init", [], loc)
    return None


def continuerun(interp, args, loc):
    if not args or not is_number(args[0]):
        raise interp.error("continuerun(tstop) needs a number", loc)
    runs = interp.model.runs
    if not runs:
        raise interp.error("continuerun before finitialize/init", loc)
    msg = after_init_message(interp.model)
    if msg:
        raise interp.error(msg, loc)
    g = interp.model.globals
    t_end = max(float(args[0]), g["t"])  # NEURON's continuerun never goes back in time
    runcheck.advanced(interp.model, g["t"], t_end, loc, interp)
    runs[-1].tstop = t_end
    runs[-1].dt = g["dt"]
    g["t"] = t_end
    interp.model.after_init = []
    interp.model.advanced_to = t_end
    return None


def run(interp, args, loc):
    if args:
        interp.model.set_global("tstop", args[0])
    _call_name(interp, "stdinit", [], loc)
    _call_name(interp, "continuerun", [interp.model.globals["tstop"]], loc)
    return None


def fadvance(interp, args, loc):
    """One step of NEURON's fixed step: t += dt, and the run recorded so far ends at t.
    Nothing is simulated while HOC runs; values read inside the loop are not simulated values."""
    model = interp.model
    if not model.runs:
        raise interp.error("fadvance() before finitialize()", loc)
    if not model.fadvance_warned:
        model.fadvance_warned = True
        warnings.warn(f"{loc}: the model steps NEURON itself (fadvance); bridge records the run to the last t "
                      "and does not simulate while the HOC runs (reading v or a state in that loop is an error)",
                      stacklevel=2)
    g = model.globals
    runcheck.advanced(model, g["t"], g["t"] + g["dt"], loc, interp, every_step=True)
    g["t"] = g["t"] + g["dt"]
    model.advanced_to = g["t"]
    model.runs[-1].tstop = g["t"]
    model.runs[-1].dt = g["dt"]
    return 1.0


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


def _cvode_active(interp, args, loc):
    if args and is_number(args[0]) and float(args[0]) != 0.0:
        interp.model.cvode_requested("cvode_active(1)", loc)
    return 0.0


def _noop(interp, args, loc):
    return None  # a stdrun proc


def _one(interp, args, loc):
    return 1.0


def functions() -> dict:
    return {
        "finitialize": finitialize, "init": init, "stdinit": stdinit, "continuerun": continuerun, "run": run,
        "setdt": setdt, "lambda_f": lambda_f, "tstop_changed": _noop, "frecord_init": _one,
        "cvode_active": _cvode_active,
        "fadvance": fadvance, "advance": fadvance,
        "fcurrent": fcurrent,
        "steprun": unsupported("steprun", "bridge records the protocol; simulate with bridge.simulate"),
    }
