"""NEURON's built-in HOC functions and classes that models use, implemented in Python.

Each function takes (interp, args, loc). GUI functions and classes are accepted,
not executed, and reported in one warning after loading; functions that would
run commands or Python, or write files, are refused with a HocError.
"""

from __future__ import annotations

import math
import re

import numpy as np

from bridge.errors import HocError
from bridge.hoc import geometry, stdrun
from bridge.hoc.budget import STRING_OVERHEAD_BYTES
from bridge.hoc.objects import GuiObject, HocList, SectionList, SectionRef, Vector
from bridge.hoc.strings import HocString, StringFunctions
from bridge.hoc.values import Builtin, HocObject, Sec, StrVar, is_number

GUI_FUNCTIONS = (
    "xpanel xbutton xvalue xlabel xmenu xradiobutton xstatebutton xcheckbox xslider xfixedvalue xvarlabel "
    "doNotify doEvents nrncontrolmenu nrnmainmenu nrnpointmenu nrnsecmenu nrnglobalmechmenu nrnmechmenu "
    "newPlotV newPlotI newPlot newshapeplot addplot addgraph initPlot flushPlot fastflushPlot plt setpnt axis "
    "graph graphmode plotx ploty regraph fit_praxis attr_praxis pwman_place ivoc_style makeMenu use_mcell_ran4 "
    "movierunpanel nrnvarplot runbutton nrnpointmenu stdrun_panel tstop_changed_panel load_session "
    ""
    "nrnallsectionmenu nrnallpointmenu variable_domain"
).split()
GUI_CLASSES = ("Graph Shape PlotShape VBox HBox Deck PWManager ValueFieldEditor SymChooser TextEditor Timer "
               "GUIMath MechanismType ModelView RunFitter Grapher RangeVarPlot "
               "PointBrowser PointProcessLocator SectionBrowser StateTransitionEvent "
               "NumericalMethodPanel MovieRun VariableTimeStep Family FunctionFitter MulRunFitter "
               "ElectrodeStand").split()
REFUSED = {
    "system": "runs a shell command", "nrnpython": "runs Python code", "python": "runs Python code",
    "wopen": "writes a file", "save_session": "writes a file",
    "unlink": "deletes a file",
    "load_java": "loads Java code", "nrnmpi_init": "starts MPI", "Random": "random numbers",
    "mcell_ran4": "draws random numbers (not supported)", "mcell_ran4_init": "seeds random numbers (not supported)",
    "scop_random": "draws random numbers (not supported)", "set_seed": "seeds random numbers (not supported)",
}
REFUSED_CLASSES = {"Random": "random streams are not supported",
                   "PythonObject": "runs Python code",
                   "Matrix": "Matrix (and LinearMechanism) is not supported",
                   "LinearMechanism": "LinearMechanism (gap junctions, circuits) is not supported",
                   "KSChan": "KSChan (channels built in the ChannelBuilder) is not supported",
                   "NetCon": "network connections are not supported yet",
                   "Impedance": "impedance analysis is not supported", "CVode": None,
                   "Electrode": "the Electrode GUI tool makes an IClamp and a VClamp at its location, which "
                                "bridge does not run, so the model would miss them; make the IClamp in HOC instead",
                   "LinearCircuit": "the LinearCircuit GUI tool makes a LinearMechanism, which bridge does not "
                                    "support",
                   "Inserter": "the Inserter GUI tool inserts mechanisms (session files: ModelDB 126467), which "
                               "bridge does not run, so the model would miss them; insert them in HOC instead"}


def _num(interp, args, i, loc, name):
    if i >= len(args) or not is_number(args[i]):
        raise interp.error(f"{name}: argument {i + 1} must be a number", loc)
    return float(args[i])


def _str(interp, args, i, loc, name):
    if i >= len(args):
        raise interp.error(f"{name}: argument {i + 1} (a string) is missing", loc)
    v = args[i]
    if isinstance(v, StrVar):
        return v.value
    if isinstance(v, str):
        return v
    raise interp.error(f"{name}: argument {i + 1} must be a string", loc)


def _math(name, fn):
    def call(interp, args, loc):
        xs = [_num(interp, args, i, loc, name) for i in range(len(args))]
        try:
            return float(fn(*xs))
        except (ValueError, OverflowError):
            raise interp.error(f"{name}({', '.join(f'{x:g}' for x in xs)}): argument out of range", loc) from None
        except TypeError:
            raise interp.error(f"{name}: wrong number of arguments", loc) from None
    return call


_FORMAT = re.compile(r"%([-+ #0]*(\d*)(?:\.(\d+))?)([a-zA-Z%])|[^%]+|%")


def hoc_format(interp, fmt: str, args, loc) -> str:
    """C printf formatting with HOC's arguments (numbers and strings). The result's size is
    reserved in the session's memory (bridge.hoc.budget) before it is made: a width like
    `%9999999999d` is refused, not allocated."""
    out, i, size = [], 0, 0
    for m in _FORMAT.finditer(fmt):
        if not m.group(0).startswith("%") or m.group(0) == "%":
            out.append(m.group(0))
            size += len(m.group(0))
            continue
        flags, width, precision, conv = m.group(1), m.group(2), m.group(3), m.group(4)
        if conv == "%":
            out.append("%")
            size += 1
            continue
        if i >= len(args):
            raise interp.error(f"format {fmt!r} needs more arguments", loc)
        a = args[i]
        i += 1
        a = a.value if isinstance(a, StrVar) else a
        if conv in "dioxXc":
            if not is_number(a):
                raise interp.error(f"%{conv} needs a number", loc)
            a = int(a)
            if conv == "i":
                conv = "d"
        elif conv in "feEgG":
            if not is_number(a):
                raise interp.error(f"%{conv} needs a number", loc)
            a = float(a)
        elif conv == "s":
            a = interp.show(a) if not isinstance(a, str) else a
        else:
            raise interp.refuse(f"format %{conv} is not supported", loc)
        # the longest the piece can be: its width, its precision, a string's length, and the
        # digits of the largest double (%f of 1e308) or integer
        piece = int(width or 0) + int(precision or 0) + (
            len(a) if isinstance(a, str) else 330 if conv in "feEgG" else len(str(a)) + 2)
        size += piece
        interp.statements += 1  # formatting one value: about a statement's time
        _reserve_text(interp, size, fmt, loc)
        out.append(("%" + flags + conv) % a)
    interp.work(0, loc, size)
    return "".join(out)


def _reserve_text(interp, size: int, fmt: str, loc) -> None:
    """Refuse a formatted text of `size` characters that the memory budget cannot hold."""
    try:
        interp.memory.need(2 * size + STRING_OVERHEAD_BYTES, f"format {fmt[:40]!r} (up to {size} characters)")
    except HocError as err:
        raise interp.error(err.message, loc) from None


def _printf(interp, args, loc):
    text = hoc_format(interp, _str(interp, args, 0, loc, "printf"), args[1:], loc)
    interp.write(text)
    return float(len(text))


def _sprint(interp, args, loc):
    if not args or not isinstance(args[0], StrVar):
        raise interp.error("sprint: the first argument must be a strdef variable", loc)
    args[0].value = hoc_format(interp, _str(interp, args, 1, loc, "sprint"), args[2:], loc)
    return 0.0


def _numarg(interp, args, loc):
    if len(interp.frames) == 1:
        return 0.0
    return float(len(interp.frame.args))


def _argtype(interp, args, loc):
    i = int(_num(interp, args, 0, loc, "argtype"))
    fargs = interp.frame.args
    if not 1 <= i <= len(fargs):
        return -1.0
    a = fargs[i - 1]
    if is_number(a):
        return 0.0
    if isinstance(a, (str, StrVar)):
        return 2.0
    if hasattr(a, "get"):
        return 3.0
    return 1.0


def _execute(interp, args, loc):
    from bridge.hoc.loader import run_text

    text = _str(interp, args, 0, loc, "execute")
    obj = args[1] if len(args) > 1 else None
    if isinstance(obj, GuiObject):  # a command for a GUI tool (session files)
        interp.model.gui_calls.setdefault(f"execute(..., {obj})", loc)
        return 0.0
    if obj is not None and not isinstance(obj, HocObject):
        raise interp.refuse(f"execute(cmd, obj): running commands inside {obj} is not supported", loc)
    if "begintemplate" not in text:
        text = "{" + text + "\n}"  # NEURON runs the string as a compound statement
    if obj is None and len(interp.frames) > 1:
        # without an object NEURON runs the string at top level: not in the calling procedure's
        # locals, template object or object_push context
        from bridge.hoc.values import Frame

        interp.frames.append(Frame("(execute at top level)", [], None, loc))
        try:
            run_text(interp, text, f"<execute at {loc}>")
        finally:
            interp.frames.pop()
        return 0.0
    run_text(interp, text, f"<execute at {loc}>", obj=obj)
    return 0.0


def _execute1(interp, args, loc):
    """execute1(cmd): as execute, but an error in `cmd` prints and returns 0 (NEURON's behaviour);
    a refusal (`HocRefusal`: a command, a write, a feature bridge does not run) refuses the model."""
    from bridge.errors import BridgeError, HocRefusal, UnsupportedFeature

    try:
        _execute(interp, args, loc)
    except (HocRefusal, UnsupportedFeature):
        raise
    except BridgeError as err:
        interp.write(f"{err}\n")
        return 0.0
    return 1.0


def _load_file(interp, args, loc):
    from bridge.hoc.loader import load_file

    if args and is_number(args[0]):
        args = args[1:]
    if len(args) > 1:  # load_file("file", "name"): only when name is not defined yet
        if interp.lookup(_str(interp, args, 1, loc, "load_file")) is not None:
            return 1.0
    return load_file(interp, _str(interp, args, 0, loc, "load_file"), loc, once=True)


def _xopen(interp, args, loc):
    from bridge.hoc.loader import load_file

    return load_file(interp, _str(interp, args, 0, loc, "xopen"), loc, once=False, what="xopen")


def _fscan(interp, args, loc):
    from bridge.hoc.loader import fscan

    return fscan(interp, loc)


def _ropen(interp, args, loc):
    from bridge.hoc.loader import ropen

    return ropen(interp, _str(interp, args, 0, loc, "ropen") if args else None, loc)


def _getstr(interp, args, loc):
    from bridge.hoc.loader import getstr

    if not args or not isinstance(args[0], StrVar):
        raise interp.error("getstr(strdef) needs a strdef variable", loc)
    args[0].value = getstr(interp, loc)
    return 1.0


def _load_named(kind):
    """load_proc/load_func/load_template("name"): fine when the name exists (or is a GUI tool)."""
    def call(interp, args, loc):
        name = _str(interp, args, 0, loc, f"load_{kind}")
        if interp.lookup(name) is not None:
            return 1.0
        if name in GUI_FUNCTIONS or name in GUI_CLASSES or name.startswith("nrn"):
            interp.model.gui_calls.setdefault(f"load_{kind}({name!r})", loc)
            return 1.0
        raise interp.error(f"load_{kind}: {name} is not defined and bridge does not search NEURON's library for it",
                           loc)
    return call


def _chdir(interp, args, loc):
    """chdir("dir"): where the model's files are looked up from now on; only inside the folders the
    model may read (`bridge.readroots`: the model folder and the folders named with allow_read)."""
    from pathlib import Path

    name = _str(interp, args, 0, loc, "chdir")
    target = Path(interp.cwd) / name
    real = interp.roots.admits_folder(target)
    if real is None:
        raise interp.refuse(f"chdir({name!r}) is refused: it leaves the model folder and the folders named with "
                           f"allow_read ({interp.roots.describe()})", loc)
    if not real.is_dir():
        return -1.0
    interp.cwd = str(real)
    return 0.0


def _object_push(interp, args, loc):
    from bridge.hoc.pointman import object_push

    return object_push(interp, args, loc)


def _object_pop(interp, args, loc):
    from bridge.hoc.pointman import object_pop

    return object_pop(interp, args, loc)


def _pwd(interp, args, loc):
    interp.model.write(str(interp.cwd) + "\n")
    return 0.0


def _execerror(interp, args, loc):
    parts = [a.value if isinstance(a, StrVar) else str(a) for a in args]
    raise interp.error("execerror: " + " ".join(parts), loc)


def _quit(interp, args, loc):
    from bridge.hoc.values import Quit

    raise Quit()


def _strcmp(interp, args, loc):
    a, b = _str(interp, args, 0, loc, "strcmp"), _str(interp, args, 1, loc, "strcmp")
    return float((a > b) - (a < b))


def _object_id(interp, args, loc):
    return 0.0 if not args or args[0] is None else float(id(args[0]) % 2**31)


def _name_declared(interp, args, loc):
    """NEURON's name_declared("name"[, 1 or 2]): 0 undeclared, 2 objref, 3 section, 4 strdef,
    5 scalar or double (2nd argument 2: 6 for an array), 1 anything else (procedures, built-ins,
    templates, range variables). Looked up at top level, or where called with 2nd argument 1."""
    from bridge.hoc.values import NumVar, ObjVar, SecVar, StrVar

    name = _str(interp, args, 0, loc, "name_declared")
    mode = int(args[1]) if len(args) > 1 and is_number(args[1]) else 0
    if mode == 1:
        found = interp.lookup(name)
    else:
        # not resolve.lookup: NEURON's symbol table has no NULLobject/nil constants, counts a
        # mechanism GLOBAL as 1 and knows mechanism names
        found = interp.top.get(name)
        if found is None:
            found = ("global", name) if name in interp.model.globals else (
                interp.builtins.get(name) or interp.templates.get(name) or
                (("class", name) if name in interp.classes else None) or interp.model.range_kind(name) or
                (("mechanism", name) if name in interp.model.catalog else None))
    if found is None:
        return 0.0
    if isinstance(found, NumVar) or (isinstance(found, tuple) and found[0] == "global"):
        return 6.0 if mode == 2 and isinstance(found, NumVar) and found.dims else 5.0
    return {ObjVar: 2.0, SecVar: 3.0, StrVar: 4.0}.get(type(found), 1.0)


def _refuse(name, why):
    def call(interp, args, loc):
        raise interp.refuse(f"{name}() is refused: it {why}, and bridge never does that for a model", loc)
    return call


def _gui(name):
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(name, loc)
        return 0.0
    return call


def _new_plot(name, cls):
    """stdrun.hoc's newPlot(...) family: a new GUI object left in `graphItem` (which models then use)."""
    def call(interp, args, loc):
        from bridge.hoc.values import ObjVar

        interp.model.gui_calls.setdefault(name, loc)
        var = interp.top.get("graphItem")
        if not isinstance(var, ObjVar):
            var = interp.top["graphItem"] = ObjVar()
        var.data[0] = GuiObject(interp, cls, [], loc)
        return 0.0
    return call


def _ion_register(interp, args, loc):
    return 1.0


def _ion_style(interp, args, loc):
    name = _str(interp, args, 0, loc, "ion_style")
    if len(args) == 1:
        raise interp.refuse("ion_style(name) (query) is not supported", loc)
    values = tuple(int(_num(interp, args, i, loc, "ion_style")) for i in range(1, len(args)))
    interp.model.ion_styles[name] = values
    return 0.0


def _set_ra(interp, args, loc):
    g = interp.model.globals
    if args:
        g["global_ra"] = _num(interp, args, 0, loc, "set_ra")
    for sec in interp.model.sections:
        if sec.alive:
            sec.data.Ra = g["global_ra"]
    return 0.0


def _nrn_load_dll(interp, args, loc):
    """Compiled mechanisms are not loaded: bridge reads the .mod files given as `mechanisms=`."""
    name = _str(interp, args, 0, loc, "nrn_load_dll")
    interp.model.gui_calls.setdefault(f"nrn_load_dll({name!r}) (bridge uses the .mod files given as mechanisms=)", loc)
    return 1.0


def _getcwd(interp, args, loc):
    return str(interp.cwd).rstrip("/") + "/"


def _printed(name):
    """Functions that only print NEURON's own reports (topology, psection): listed, not run."""
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(f"{name} (printed report)", loc)
        return 0.0
    return call


def _constant(value):
    return lambda interp, args, loc: value


def table() -> dict[str, Builtin]:
    fns = {
        "sin": math.sin, "cos": math.cos, "atan": math.atan, "atan2": math.atan2, "exp": math.exp,
        "log": math.log, "log10": math.log10, "sqrt": math.sqrt, "abs": abs, "erf": math.erf,
        "erfc": math.erfc, "tanh": math.tanh, "int": lambda x: float(math.trunc(x)),
    }
    out = {name: Builtin(name, _math(name, fn)) for name, fn in fns.items()}
    plain = {
        "printf": _printf, "sprint": _sprint, "numarg": _numarg, "argtype": _argtype,
        "execute": _execute, "execute1": _execute1, "load_file": _load_file, "xopen": _xopen,
        "fscan": _fscan, "execerror": _execerror, "quit": _quit, "strcmp": _strcmp,
        "object_id": _object_id, "name_declared": _name_declared, "startsw": _constant(0.0), "stopsw": _constant(0.0),
        "unix_mac_pc": _constant(1.0), "nrnversion": _constant("9.0.2"), "show_errmess_always": _constant(0.0),
        "hoc_stdout": _constant(0.0), "xred": _constant(0.0), "ion_register": _ion_register,
        "ion_style": _ion_style, "set_ra": _set_ra, "nrn_load_dll": _nrn_load_dll, "getcwd": _getcwd,
        "topology": _printed("topology"), "psection": _printed("psection"), "ropen": _ropen,
        "getstr": _getstr, "load_proc": _load_named("proc"), "load_func": _load_named("func"),
        "load_template": _load_named("template"), "pwd": _pwd, "chdir": _chdir,
        "object_push": _object_push, "object_pop": _object_pop,
    }
    plain.update(geometry.functions())
    plain.update(stdrun.functions())
    for name, fn in plain.items():
        out[name] = Builtin(name, fn)
    for name in GUI_FUNCTIONS:
        out[name] = Builtin(name, _gui(name))
    for name, cls in (("newPlot", "Graph"), ("newPlotV", "Graph"), ("newPlotI", "Graph"),
                      ("newshapeplot", "PlotShape")):
        out[name] = Builtin(name, _new_plot(name, cls))
    for name, why in REFUSED.items():
        if name not in REFUSED_CLASSES:
            out[name] = Builtin(name, _refuse(name, why))
    return out


def _refused_class(name, why):
    def make(interp, args, loc):
        raise interp.refuse(f"new {name}() is refused: {why}", loc)
    return make


class CVode:
    """`cvode = new CVode()`: only the fixed step is supported (active(0))."""

    def __init__(self, interp, args, loc):
        self.index = 0

    def __str__(self):
        return "CVode[0]"

    def hoc_ref(self, interp, name, indices, loc):
        raise interp.refuse(f"CVode.{name} is not supported", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in ("active", "use_local_dt", "cache_efficient", "use_daspk"):
            if args and is_number(args[0]) and float(args[0]) != 0.0 and name != "cache_efficient":
                interp.model.cvode_requested(f"CVode.{name}(1)", loc)
            return 0.0
        if name == "record" and args and hasattr(args[0], "get"):  # cvode.record(&var, y, t)
            interp.model.record(args[0], str(args[1]) if len(args) > 1 else "", loc, interp)
            return 0.0
        if name == "event" and len(args) == 1 and is_number(args[0]):
            return 0.0  # an event with no action: the fixed step stops at it and changes nothing
        if name in ("atol", "rtol", "maxstep", "minstep", "re_init", "stiff", "jacobian", "condition_order"):
            interp.model.gui_calls.setdefault(f"CVode.{name}", loc)
            return 0.0
        raise interp.refuse(f"CVode.{name} is not supported", loc)


class ParallelContext:
    """`new ParallelContext()` in a single process: id() 0, nhost() 1; psolve(t) records a run to t.
    Spike exchange and gids (networks) are not supported."""

    def __init__(self, interp, args, loc):
        self.index = 0

    def __str__(self):
        return "ParallelContext[0]"

    def hoc_ref(self, interp, name, indices, loc):
        raise interp.refuse(f"ParallelContext.{name} is not supported", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in ("id", "nthread_id"):
            return 0.0
        if name in ("nhost", "nthread"):
            if name == "nthread" and args and is_number(args[0]) and float(args[0]) > 1:
                interp.model.gui_calls.setdefault("ParallelContext.nthread(n > 1) (bridge runs one thread)", loc)
            return 1.0
        if name in ("barrier", "runworker", "done", "set_maxstep", "setup_transfer", "multisplit", "timeout"):
            return 0.0
        if name == "psolve":
            from bridge.hoc.stdrun import continuerun

            return continuerun(interp, args, loc)
        raise interp.refuse(f"ParallelContext.{name}() is not supported (bridge runs one cell model in one "
                           "process; networks are not supported yet)", loc)


def classes() -> dict:
    from bridge.hoc.datafiles import File

    out = {"Vector": Vector, "List": HocList, "SectionList": SectionList, "SectionRef": SectionRef,
           "CVode": CVode, "StringFunctions": StringFunctions, "File": File, "String": HocString,
           "ParallelContext": ParallelContext}
    for name in GUI_CLASSES:
        out[name] = (lambda n: lambda interp, args, loc: GuiObject(interp, n, args, loc))(name)
    for name, why in REFUSED_CLASSES.items():
        if why:
            out[name] = _refused_class(name, why)
    from bridge.hoc import import3d, pointman

    out.update(import3d.classes())
    out["PointProcessManager"] = pointman.point_process_manager
    out["PointProcessGroupManager"] = pointman.point_process_group_manager
    out["MechanismStandard"] = pointman.MechanismStandard
    return out


__all__ = ["table", "classes", "hoc_format", "HocObject", "Sec", "np"]
