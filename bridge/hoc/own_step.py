"""continuerun() for a model that redefines stdrun's `proc step()` or `proc advance()`.

stdrun.hoc's continuerun is `while (t < tstop - dt/2 && stoprun == 0) step()`, its `step()` is
`for i=1,nstep_steprun advance()` and its `advance()` is `fadvance()` (nrn/share/lib/hoc/stdrun.hoc,
continuerun, step, advance). A model that redefines `advance()` (ModelDB 144482: fadvance(), then
`kin.trans = ampasyn.C` and running maxima of a state, each step) changes the model between steps, so
bridge's one-piece continuerun would give other numbers: here the loop runs in HOC, the model's own
procedures called step by step, each fadvance() a one-step request of the live run (`bridge.hoc.live`).

An advance() that only steps (`only_steps`: fadvance() once, and calls batch NEURON makes nothing of, such as
ModelDB 116983's `fadvance() g.plot(t) g.flush() doNotify()`) changes nothing between the steps: continuerun
then runs in one piece, as with stdrun's own advance().
"""

from __future__ import annotations

import math

from bridge.hoc import ast
from bridge.hoc.gui import GuiObject
from bridge.hoc.values import NumVar, ObjVar, Proc

OWN = ("step", "advance")  # stdrun procedures whose redefinition continuerun must call
# functions and GUI methods that do nothing in batch NEURON (no display: src/ivoc/graph.cpp Graph::plot and
# flush draw only; doNotify/doEvents handle window events) and change nothing a run reads
BATCH_NOOPS = frozenset({"doNotify", "doEvents"})
DRAWING = {"Graph": frozenset({"plot", "flush", "fastflush"})}


def redefined(interp) -> bool:
    """Whether the model defined its own top-level `proc step()` or `proc advance()`."""
    return any(isinstance(interp.top.get(name), Proc) for name in OWN)


def _plain_arg(interp, node: ast.Node) -> bool:
    """An argument whose evaluation changes nothing and cannot fail: a number, a string, a scalar variable."""
    if isinstance(node, (ast.Num, ast.Str)):
        return True
    if not isinstance(node, ast.Name):
        return False
    var = interp.top.get(node.name)
    return (isinstance(var, NumVar) and not var.dims) or (var is None and node.name in interp.model.globals)


def _drawing(interp, call: ast.Call) -> bool:
    """`g.plot(t)`-like: a GUI method that draws only, on the object a top-level scalar objref holds now."""
    func = call.func
    if not (isinstance(func, ast.Member) and isinstance(func.target, ast.Name)):
        return False
    var = interp.top.get(func.target.name)
    obj = var.data[0] if isinstance(var, ObjVar) and not var.dims else None
    return (isinstance(obj, GuiObject) and func.name in DRAWING.get(obj.cls, ())
            and all(_plain_arg(interp, a) for a in call.args))


def only_steps(interp) -> list[ast.Node] | None:
    """The statements besides fadvance() of the model's own `proc advance()` when it is fadvance() once and calls
    batch NEURON makes nothing of (`BATCH_NOOPS`, `DRAWING`), with no `proc step()` of its own; else None.
    Decided from the body and the objects its names hold now (at continuerun)."""
    proc = interp.top.get("advance")
    if isinstance(interp.top.get("step"), Proc) or not isinstance(proc, Proc) or proc.kind != "proc":
        return None
    steps, others = 0, []
    for stmt in proc.body.body:
        call = stmt.expr if isinstance(stmt, ast.ExprStmt) and not stmt.echo else None
        if not isinstance(call, ast.Call):
            return None
        name = call.func.name if isinstance(call.func, ast.Name) else None
        if name is not None and interp.top.get(name) is None and name in interp.builtins and not call.args:
            if name == "fadvance":
                steps += 1
                continue
            if name in BATCH_NOOPS:
                others.append(stmt)
                continue
        if name is None and _drawing(interp, call):
            others.append(stmt)
            continue
        return None
    return others if steps == 1 else None


def continuerun(interp, call, t_end: float, loc) -> float:
    """stdrun's continuerun loop to `t_end` [ms] with the model's own step()/advance(), through
    `call(interp, name, args, loc)` (the model's procedure, else bridge's); returns t [ms] after it.
    The loop is bounded by `Limits.max_steps` fadvance()s (the live run counts the steps it simulates), and
    each step's HOC work by `Limits.max_step_statements` beyond the statement budget (`Interpreter.allow_step`):
    the steps are the ones the run asked for (tstop / dt), so the HOC work grows with the simulated time as in
    NEURON, while an endless loop in a step still ends."""
    g = interp.model.globals
    g["stoprun"] = 0.0
    ts = t_end - g["dt"] / 2
    own_step = isinstance(interp.top.get("step"), Proc)
    steps = 0
    while g["t"] < ts and g["stoprun"] == 0:
        if steps > interp.limits.max_steps:
            raise interp.error(f"continuerun({t_end:g}): more than {interp.limits.max_steps} steps of the model's "
                               "own step()/advance(); Limits.max_steps", loc)
        if own_step:
            interp.allow_step(loc)
            call(interp, "step", [], loc)
        else:
            n = min(max(math.floor(g["nstep_steprun"]), 0), interp.limits.max_steps + 1)
            for _ in range(n):  # `for i=1,nstep_steprun advance()`
                interp.allow_step(loc)
                call(interp, "advance", [], loc)
            steps += n
        steps += 1
    return g["t"]
