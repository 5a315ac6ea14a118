"""NEURON's built-in HOC functions that models use, implemented in Python: the table
`builtin_functions()` that names resolve to (`bridge.hoc.names.lookup`).

Each function takes (interp, args, loc). The functions of one concept live beside it:
`bridge.hoc.geometry` (sections and 3-D points), `bridge.hoc.stdrun` (run, init,
finitialize), `bridge.hoc.formatting` (printf, sprint), `bridge.hoc.gui` (accepted, not
executed, and reported in one warning after loading); this module has the math functions,
running text and files, and the rest. Functions that would run commands or Python are
refused with a HocRefusal (`system()` answers a few informational commands itself, without a
shell: `bridge.hoc.shell_info`); files are written only into the output folder (`bridge.hoc.writes`).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from bridge.errors import BridgeError, HocRefusal, UnsupportedFeature
from bridge.hoc import (
    builderlib,
    clipboard,
    equations,
    fstim,
    geometry,
    hocmech,
    legacy,
    library_names,
    loader,
    nernst,
    random,
    scanf,
    secrename,
    stdrun,
    writes,
)
from bridge.hoc.arguments import number_arg, string_arg
from bridge.hoc.bindings import BuiltinClass, GlobalVar
from bridge.hoc.classes import REFUSED_CLASSES
from bridge.hoc.control import Quit
from bridge.hoc.formatting import printf, sprint
from bridge.hoc.gui import GUI_CLASSES, GUI_FUNCTIONS, GuiObject, gui_functions
from bridge.hoc.ion_styles import hoc_ion_style
from bridge.hoc.names import lookup
from bridge.hoc.pointman import object_pop, object_push, object_pushed
from bridge.hoc.shell_info import system as hoc_system
from bridge.hoc.stdout_switch import hoc_stdout
from bridge.hoc.values import Builtin, Frame, HocObject, LibraryName, NumVar, ObjVar, Ref, SecVar, StrVar, is_number

REFUSED = {
    "nrnpython": "runs Python code", "python": "runs Python code",
    "save_session": "writes a file",
    "unlink": "deletes a file",
    "load_java": "loads Java code", "nrnmpi_init": "starts MPI",
    "scop_random": "draws random numbers (not supported)", "set_seed": "seeds random numbers (not supported)",
}


EXP_LIMIT = 700.0  # hoc_Exp's bounds (src/oc/math.cpp) [dimensionless]


def _hoc_exp(x: float) -> float:
    """NEURON's HOC `exp` (hoc_Exp, src/oc/math.cpp): 0 below -700; above 700 exp(700), with NEURON's
    "exp result out of range" message (the statement goes on)."""
    if x < -EXP_LIMIT:
        return 0.0
    if x > EXP_LIMIT:
        warnings.warn(f"exp({x:g}): exp result out of range; NEURON returns exp(700)", stacklevel=2)
        return math.exp(EXP_LIMIT)
    return math.exp(x)


def _math(name, fn):
    def call(interp, args, loc):
        xs = [number_arg(interp, args, i, loc, name) for i in range(len(args))]
        try:
            return float(fn(*xs))
        except (ValueError, OverflowError):
            raise interp.error(f"{name}({', '.join(f'{x:g}' for x in xs)}): argument out of range", loc) from None
        except TypeError:
            raise interp.error(f"{name}: wrong number of arguments", loc) from None
    return call


def _integer(interp, args, loc):
    """hoc's `int(x)` (src/oc/math.cpp `hoc_integer`): C's truncation of x moved float_epsilon away from 0, so
    int(42799.999999999993) is 42800 as in NEURON; past a C long, x86-64's conversion gives LONG_MIN."""
    if len(args) != 1:
        raise interp.error("int: wrong number of arguments", loc)
    x = number_arg(interp, args, 0, loc, "int")
    eps = float(interp.model.globals["float_epsilon"])
    y = x - eps if x < 0 else x + eps
    if not -2.0**63 <= y < 2.0**63:  # (long) of a value it cannot hold, or of NaN: cvttsd2si's 0x8000...
        return -2.0**63
    return float(math.trunc(y))


def _numarg(interp, args, loc):
    if len(interp.frames) == 1:
        return 0.0
    return float(len(interp.frame.args))


def _argtype(interp, args, loc):
    i = int(number_arg(interp, args, 0, loc, "argtype"))
    fargs = interp.frame.args
    if not 1 <= i <= len(fargs):
        return -1.0
    a = fargs[i - 1]
    if is_number(a):
        return 0.0
    if isinstance(a, (str, StrVar)):
        return 2.0
    if isinstance(a, Ref):
        return 3.0
    return 1.0


# -- running text and files (bridge.hoc.loader) --------------------------------------------
def _execute(interp, args, loc):
    text = string_arg(interp, args, 0, loc, "execute")
    obj = args[1] if len(args) > 1 else None
    if isinstance(obj, GuiObject):  # a command for a GUI tool (session files)
        interp.model.gui_calls.setdefault(f"execute(..., {obj})", loc)
        return 0.0
    if obj is not None and not isinstance(obj, HocObject):
        raise interp.refuse(f"execute(cmd, obj): running commands inside {obj} is not supported", loc)
    if text.startswith("~"):  # NEURON's hoc_obj_run: a leading ~ runs the rest as it is, unbraced
        text = text[1:]
    elif "begintemplate" not in text:
        text = "{" + text + "\n}"  # NEURON runs the string as a compound statement
    if obj is None and len(interp.frames) > 1:
        # without an object NEURON runs the string at top level: not in the calling procedure's
        # locals, template object or object_push context
        interp.frames.append(Frame("(execute at top level)", [], None, loc))
        try:
            loader.run_text(interp, text, f"<execute at {loc}>")
        finally:
            interp.frames.pop()
        return 0.0
    loader.run_text(interp, text, f"<execute at {loc}>", obj=obj)
    return 0.0


def _execute1(interp, args, loc):
    """execute1(cmd): as execute, but an error in `cmd` prints and returns 0 (NEURON's behaviour);
    a refusal (`HocRefusal`: a command, a write, a feature bridge does not run) refuses the model.
    `execute1(cmd, [obj], [show])`: a number after cmd (or after obj) says whether an error is printed
    (src/ivoc/ocjump.cpp hoc_execute1: `execute1("v", 0)` tests quietly for an accessed section)."""
    show = True
    if len(args) > 1 and is_number(args[-1]) and (len(args) == 2 or len(args) == 3):
        show = float(args[-1]) != 0.0
        args = args[:-1]
    try:
        _execute(interp, args, loc)
    except (HocRefusal, UnsupportedFeature):
        raise
    except BridgeError as err:
        if show:
            interp.write(f"{err}\n")
        return 0.0
    return 1.0


def _declared(interp, name: str) -> bool:
    """Whether NEURON has `name` declared: a built-in of bridge that NEURON's library files define
    (bridge.hoc.library_names) only once one of them was loaded."""
    found = lookup(interp, name)
    if found is None:
        return False
    if name in library_names.LIBRARY_NAMES and isinstance(found, (Builtin, BuiltinClass)):
        return library_names.declared_by_libraries(name, interp.files.libraries)
    return True


def _load_file(interp, args, loc):
    """`load_file([always,] "file"[, "name"])` (src/oc/fileio.cpp hoc_load_file): `always` 1 runs a file loaded
    before again; with a `name` already declared nothing is loaded and it returns `always` (0 by default)."""
    always = 0
    if args and is_number(args[0]):
        if not 0.0 <= float(args[0]) <= 1.0:  # chkarg(1, 0., 1.), then the int of it
            raise interp.error(f"load_file: the first argument {args[0]:g} is out of range (0 to 1)", loc)
        always = int(args[0])
        args = args[1:]
    if len(args) > 1:  # load_file("file", "name"): only when name is not defined yet
        if _declared(interp, string_arg(interp, args, 1, loc, "load_file")):
            return float(always)
    return loader.load_file(interp, string_arg(interp, args, 0, loc, "load_file"), loc, once=not always)


def _xopen(interp, args, loc):
    return loader.load_file(interp, string_arg(interp, args, 0, loc, "xopen"), loc, once=False, what="xopen")


def _fscan(interp, args, loc):
    return loader.fscan(interp, loc)


def _ropen(interp, args, loc):
    return loader.ropen(interp, string_arg(interp, args, 0, loc, "ropen") if args else None, loc)


def _getstr(interp, args, loc):
    if not args or not isinstance(args[0], StrVar):
        raise interp.error("getstr(strdef) needs a strdef variable", loc)
    word = len(args) > 1 and is_number(args[1]) and float(args[1]) != 0.0  # getstr(s, 1): one word
    args[0].value = loader.getstr(interp, loc, word)
    return float(len(args[0].value))  # hoc_Getstr: strlen


def _load_named(kind):
    """load_proc/load_func/load_template("name"): fine when the name exists (or is a GUI tool)."""
    def call(interp, args, loc):
        name = string_arg(interp, args, 0, loc, f"load_{kind}")
        if lookup(interp, name) is not None:
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
    files = interp.files
    name = string_arg(interp, args, 0, loc, "chdir")
    real = files.roots.admits_folder(Path(files.cwd) / name)
    if real is None:
        raise interp.refuse(f"chdir({name!r}) is refused: it leaves the model folder and the folders named with "
                            f"allow_read ({files.roots.describe()})", loc)
    if not real.is_dir():
        return -1.0
    files.cwd = str(real)
    return 0.0


def _pwd(interp, args, loc):
    interp.write(str(interp.files.cwd) + "\n")
    return 0.0


def _getcwd(interp, args, loc):
    return str(interp.files.cwd).rstrip("/") + "/"


# -- the rest ---------------------------------------------------------------------------------
def _execerror(interp, args, loc):
    parts = [a.value if isinstance(a, StrVar) else str(a) for a in args]
    raise interp.error("execerror: " + " ".join(parts), loc)


def _quit(interp, args, loc):
    raise Quit()


def _strcmp(interp, args, loc):
    a, b = string_arg(interp, args, 0, loc, "strcmp"), string_arg(interp, args, 1, loc, "strcmp")
    return float((a > b) - (a < b))


def _object_id(interp, args, loc):
    return 0.0 if not args or args[0] is None else float(id(args[0]) % 2**31)


def _name_declared(interp, args, loc):
    """NEURON's name_declared("name"[, 1 or 2]): 0 undeclared, 2 objref, 3 section, 4 strdef,
    5 scalar or double (2nd argument 2: 6 for an array), 1 anything else (procedures, built-ins,
    templates, range variables). Looked up at top level, or where called with 2nd argument 1."""
    name = string_arg(interp, args, 0, loc, "name_declared")
    mode = int(args[1]) if len(args) > 1 and is_number(args[1]) else 0
    if mode == 1:
        found = lookup(interp, name)
    else:
        # not names.lookup: NEURON's symbol table has no NULLobject/nil constants, counts a
        # mechanism GLOBAL as 1 and knows mechanism names
        found = interp.top.get(name)
        if found is None and name in interp.model.globals:
            found = GlobalVar(name)
        elif found is None and _other_name(interp, name):
            return 1.0
    if found is None:
        return 0.0
    if isinstance(found, (NumVar, GlobalVar)):
        return 6.0 if mode == 2 and isinstance(found, NumVar) and found.dims else 5.0
    if isinstance(found, LibraryName):  # a name of NEURON's library bridge does not have (stdrun_names)
        return {"object": 2.0, "string": 4.0}.get(found.kind, 1.0)
    return {ObjVar: 2.0, SecVar: 3.0, StrVar: 4.0}.get(type(found), 1.0)


def _other_name(interp, name: str) -> bool:
    """A built-in function, template, class, range variable or mechanism name (name_declared's 1)."""
    model = interp.model
    return (name in interp.builtins or name in interp.templates or name in interp.classes
            or model.range_kind(name) is not None or name in model.catalog)


def _refuse(name, why):
    def call(interp, args, loc):
        raise interp.refuse(f"{name}() is refused: it {why}, and bridge never does that for a model", loc)
    return call


def _ion_register(interp, args, loc):
    return 1.0


def _set_ra(interp, args, loc):
    g = interp.model.globals
    if args:
        g["global_ra"] = number_arg(interp, args, 0, loc, "set_ra")
    for sec in interp.model.sections:
        if sec.alive:
            sec.data.Ra = g["global_ra"]
    return 0.0


def _nrn_load_dll(interp, args, loc):
    """Compiled mechanisms are not loaded: bridge reads the .mod files given as `mechanisms=`."""
    name = string_arg(interp, args, 0, loc, "nrn_load_dll")
    interp.model.gui_calls.setdefault(f"nrn_load_dll({name!r}) (bridge uses the .mod files given as mechanisms=)", loc)
    return 1.0


def _hoc_mechanism(name):
    """`make_pointprocess(...)`: a point process whose procedures are a HOC template's, called by NEURON at
    every step (nrn/src/nrniv/hocmech.cpp); refused (`make_mechanism`: bridge.hoc.hocmech)."""
    def call(interp, args, loc):
        raise interp.refuse(f"{name}() is not supported: it makes a mechanism out of a HOC template's procedures, "
                            "which NEURON calls at every time step (nrniv/hocmech.cpp); bridge runs only "
                            "mechanisms written in NMODL", loc)
    return call


def _printed(name):
    """Functions that only print NEURON's own reports (topology, psection): listed, not run."""
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(f"{name} (printed report)", loc)
        return 0.0
    return call


def _constant(value):
    return lambda interp, args, loc: value


def builtin_functions() -> dict[str, Builtin]:
    """Function name -> `Builtin`, for one interpreter."""
    fns = {
        "sin": math.sin, "cos": math.cos, "atan": math.atan, "atan2": math.atan2, "exp": _hoc_exp,
        "log": math.log, "log10": math.log10, "sqrt": math.sqrt, "abs": abs, "erf": math.erf,
        "erfc": math.erfc, "tanh": math.tanh,
    }
    out = {name: Builtin(name, _math(name, fn)) for name, fn in fns.items()}
    out["int"] = Builtin("int", _integer)
    plain = {
        "printf": printf, "sprint": sprint, "numarg": _numarg, "argtype": _argtype,
        "execute": _execute, "execute1": _execute1, "load_file": _load_file, "xopen": _xopen,
        "fscan": _fscan, "execerror": _execerror, "quit": _quit, "strcmp": _strcmp,
        "object_id": _object_id, "name_declared": _name_declared, "startsw": _constant(0.0), "stopsw": _constant(0.0),
        "unix_mac_pc": _constant(1.0), "nrnversion": _constant("9.0.2"), "show_errmess_always": _constant(0.0),
        "hoc_stdout": hoc_stdout, "xred": _constant(0.0), "ion_register": _ion_register,
        "ion_style": hoc_ion_style, "set_ra": _set_ra, "nrn_load_dll": _nrn_load_dll, "getcwd": _getcwd,
        "topology": _printed("topology"), "psection": _printed("psection"), "ropen": _ropen,
        "getstr": _getstr, "load_proc": _load_named("proc"), "load_func": _load_named("func"),
        "load_template": _load_named("template"), "pwd": _pwd, "chdir": _chdir,
        "object_push": object_push, "object_pop": object_pop, "object_pushed": object_pushed,
        "wopen": writes.wopen, "fprint": writes.fprint,
        "disconnect": secrename.disconnect, "sscanf": scanf.sscanf, "system": hoc_system,
        "make_mechanism": hocmech.make_mechanism, "make_pointprocess": _hoc_mechanism("make_pointprocess"),
    }
    plain.update(geometry.functions())
    plain.update(stdrun.functions())
    plain.update(builderlib.functions())
    plain.update(fstim.functions())
    plain.update(legacy.functions())
    plain.update(random.functions())
    plain.update(nernst.functions())
    plain.update(equations.functions())
    plain.update(clipboard.functions())
    for name, fn in plain.items():
        out[name] = Builtin(name, fn)
    out.update(gui_functions())
    for name, why in REFUSED.items():
        if name not in REFUSED_CLASSES:
            out[name] = Builtin(name, _refuse(name, why))
    return out
