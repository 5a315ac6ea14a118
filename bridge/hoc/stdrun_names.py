"""The top-level names NEURON's first `load_file("stdrun.hoc")` declares, and what bridge does with them.

stdrun.hoc (with the files its first load runs: stdlib.hoc, atoltool.hoc, varmeth1.hoc, movierun.hoc,
pointbsr.hoc, wingroup.hoc) defines procedures and functions, object references and strings at the top level.
From then on NEURON's parser takes such a name for what it is: `for step = 1, 3 {}`, `step = 1`, `x = step` are
syntax errors (hoc's grammar, src/oc/parse.ypp, accepts only a VAR or an undefined name there), `tobj = 3` stops
("bad stack access: expecting Object**"). And a `proc advance()` the model defined before the load is replaced by
stdrun.hoc's (a second `proc` definition replaces the first). bridge runs its own stdrun (bridge.hoc.stdrun):
`declare` applies that first load to HOC's names. Measured against NEURON 9.0.2 (every name below declared by
the load, refused as a number after it; tests/hoc/test_stdrun_names.py).
"""

from __future__ import annotations

from bridge.hoc.values import LibraryName, ObjVar, Proc

# procedures, functions and iterators, by the library file that defines them (templates are not listed)
_PROCS = {
    "stdlib.hoc": "lambda_f object_index valid_name_syntax case classname clipboard_get clipboard_retrieve "
                  "clipboard_save clipboard_set graph_menu_remove_most newcommand",
    "stdrun.hoc": "Plot addplot advance buildmenu cbimportmenu celsius_panel channel_builder continuerun "
                  "cvode_simgraph distmechmenu distmechviewers fastflushPlot fittingmenu flushPlot globalra_panel "
                  "graphmenu helpmenu impedancemenu init initPlot miscellaneousmenu newPlot newPlotI newPlotS "
                  "newPlotV newphaseplane newshapeplot newvectorplot nrncontrolmenu nrnmainmenu pointprocessesmenu "
                  "prjnrn run runbutton screen_update set_ra setdt stdinit step steprun toolmenu tstop_changed "
                  "vectormenu windowmenu cvode_active cvode_local set_v_init stoppedrun",
    "movierun.hoc": "movierun movierunpanel movierunsave moviestep",
    "pointbsr.hoc": "makePointBrowser pointmenu",
}
PROCS: dict[str, str] = {name: file for file, names in _PROCS.items() for name in names.split()}
# templates
_TEMPLATES = {"stdlib.hoc": "ExecCommand String", "stdrun.hoc": "NEURONMainMenu",
              "atoltool.hoc": "AtolTool AtolToolItem", "varmeth1.hoc": "NumericalMethodPanel",
              "pointbsr.hoc": "PointBrowser",
              "wingroup.hoc": "WindowGroup WindowGroupItem WindowGroupManager WindowMenu"}
TEMPLATES: dict[str, str] = {name: file for file, names in _TEMPLATES.items() for name in names.split()}
# object references NEURON leaves NULLobject after the load (name: array sizes), and strings it leaves ''
# (stdlib.hoc's `objref clipboard_file[2]`: clipboard_save's File, which a model may use as its own)
OBJREFS: dict[str, tuple[int, ...]] = {"graphItem": (), "movierunbox": (), "nrnmainmenu_": (), "pyobj": (),
                                       "tempobj": (), "tobj": (), "tobj1": (), "clipboard_file": (2,)}
STRDEFS = ("temp_string2_", "tempstr1", "tempstr2", "tstr")
# what NEURON's load leaves in others (a List, a Timer, a panel; "t"): bridge has not these values, and refuses
# the names (cvode and hoc_sf_, the CVode and StringFunctions, bridge has)
HELD = {"flush_list": ("stdrun.hoc", "object"), "fast_flush_list": ("stdrun.hoc", "object"),
        "graphList": ("stdrun.hoc", "object"), "movie_timer": ("movierun.hoc", "object"),
        "numericalmethodpanel": ("stdrun.hoc", "object"), "temp_string_": ("stdrun.hoc", "string")}
STDLIB_FILE = "stdlib.hoc"


def _resolved(interp, name: str) -> bool:
    """Whether bridge has `name` at the top level: the model's, or one of its built-in functions, templates,
    classes or NEURON variables (bridge.hoc.names `top_binding`'s kinds these names can be)."""
    return (name in interp.top or name in interp.builtins or name in interp.templates or name in interp.classes
            or name in interp.model.globals)


def declare(interp, stdlib_loaded: bool, loc) -> None:
    """stdrun.hoc's first load on HOC's top level (`stdlib_loaded`: stdlib.hoc ran before, so its procedures are
    not defined again). A model's procedure of the same name is replaced (by bridge's own version, or by a name
    bridge refuses to run); a variable of that name stops NEURON ("already defined")."""
    top = interp.top
    for name, file in PROCS.items():
        if stdlib_loaded and file == STDLIB_FILE:
            continue
        old = top.get(name)
        if old is not None and not isinstance(old, (Proc, LibraryName)):
            raise interp.error(f"{name} already defined: {file} defines the procedure {name}() (NEURON stops "
                               "loading it here)", loc)
        top.pop(name, None)
        if not _resolved(interp, name):
            top[name] = LibraryName(name, file)
    for name, file in TEMPLATES.items():
        if not (stdlib_loaded and file == STDLIB_FILE) and not _resolved(interp, name):
            top[name] = LibraryName(name, file, "template")
    for name, (file, kind) in HELD.items():
        if not (stdlib_loaded and file == STDLIB_FILE) and not _resolved(interp, name):
            top[name] = LibraryName(name, file, kind)
    for name, dims in OBJREFS.items():
        if not _resolved(interp, name):
            top[name] = ObjVar(dims)
    for name in STRDEFS:
        if not _resolved(interp, name):
            top[name] = interp.new_str()
