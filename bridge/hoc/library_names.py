"""Which of bridge's built-in names NEURON declares only by loading one of its library files.

`load_file("file", "name")` loads the file only when `name` is not declared (src/oc/fileio.cpp hoc_load_file).
bridge declares stdrun's procedures (`run`, `nrnmainmenu`, ...) and the GUI tools' classes (`MulRunFitter`, ...)
from the start, but NEURON 9.0.2 declares them when the library file that defines them is loaded: in NEURON,
`load_file("mulfit.hoc", "MulRunFitter")` or `load_file("$(NEURONHOME)/lib/hoc/noload.hoc", "nrnmainmenu")` in a
session without stdrun.hoc loads the file (and with it stdrun.hoc, whose first load resets tstop:
bridge.hoc.stdrun_load). The sets below are NEURON's, measured by loading each library file alone
(tests/hoc/test_stdrun_load_libraries.py); only names bridge has as built-in procedures or classes are listed.
"""

from __future__ import annotations

_STDLIB = frozenset("String classname clipboard_retrieve graph_menu_remove_most lambda_f object_index "
                    "valid_name_syntax".split())
_STDRUN = _STDLIB | frozenset(
    "AtolTool NumericalMethodPanel PointBrowser addplot advance continuerun cvode_active cvode_local cvode_simgraph "
    "fastflushPlot flushPlot init initPlot load_java movierunpanel newPlot newPlotI newPlotV newshapeplot "
    "nrncontrolmenu nrnmainmenu run runbutton set_ra set_v_init setdt stdinit steprun stoppedrun tstop_changed"
    .split())
_LOCATORS = frozenset({"PointProcessLocator", "ShapeLocation"})
_STDGUI = _STDRUN | _LOCATORS | {"Family", "PointProcessManager"}

# library file -> the built-in names its load declares in NEURON (with the files it loads)
DECLARES: dict[str, frozenset[str]] = {
    "stdrun.hoc": _STDRUN,
    **{f"{n}.hoc": _STDGUI for n in "stdgui nrngui noload pcchdir loadbal single nrngui1 single1 macload chanbild "
                                    "parcom".split()},
    "mulfit.hoc": _STDGUI | {"MulRunFitter"}, "mview.hoc": _STDGUI | {"ModelView"},
    **{f"{n}.hoc": _STDLIB for n in "stdlib binfo celbild prcellstate netbild netparmpi".split()},
    "import3d.hoc": _STDLIB | {"Import3d_Eutectic_read", "Import3d_GUI", "Import3d_MorphML", "Import3d_Neurolucida3",
                               "Import3d_SWC_read"},
    "funfit.hoc": _STDLIB | {"FunctionFitter"}, "runfit.hoc": _STDLIB | {"RunFitter"},
    "lincir.hoc": _STDLIB | _LOCATORS,
    "family.hoc": frozenset({"Family"}), "grapher.hoc": frozenset({"Grapher"}),
    "inserter.hoc": _LOCATORS, "shapebox.hoc": _LOCATORS, "pointbsr.hoc": frozenset({"PointBrowser"}),
    "pointgrp.hoc": frozenset({"PointProcessGroupManager"}), "pointman.hoc": frozenset({"PointProcessManager"}),
    "thresh.hoc": frozenset({"run"}), "varmeth1.hoc": frozenset({"NumericalMethodPanel"}),
}
LIBRARY_NAMES = frozenset().union(*DECLARES.values())


def library_base(name: str) -> str:
    """The library file a `load_file` name means (`"nrngui"`, `"$(NEURONHOME)/lib/hoc/nrngui.hoc"`: `nrngui.hoc`)."""
    base = name.rsplit("/", 1)[-1]
    return base if base.endswith(".hoc") else f"{base}.hoc"


def declared_by_libraries(name: str, loaded: set[str]) -> bool:
    """Whether NEURON has the built-in `name` (one of LIBRARY_NAMES) declared once the library files `loaded`
    (bases, `library_base`) were loaded."""
    return any(name in DECLARES.get(base, ()) for base in loaded)
