"""NEURON's GUI (InterViews windows, graphs, panels): accepted, not executed, and reported in one
warning after loading (`HocSession`). Batch NEURON, which bridge matches, draws nothing either;
what a model computes does not depend on its windows."""

from __future__ import annotations

from bridge.hoc import gui_methods, gui_reads
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import Builtin, FuncRef, ObjVar, is_number

GUI_FUNCTIONS = (
    "xpanel xbutton xvalue xlabel xmenu xradiobutton xstatebutton xcheckbox xslider xfixedvalue xvarlabel "
    "doNotify doEvents nrncontrolmenu nrnmainmenu nrnpointmenu nrnsecmenu nrnglobalmechmenu nrnmechmenu "
    "newPlotV newPlotI newPlot newshapeplot addplot addgraph initPlot flushPlot fastflushPlot plt setpnt axis "
    "graph graphmode plotx ploty regraph fit_praxis attr_praxis pwman_place ivoc_style makeMenu "
    "movierunpanel nrnvarplot runbutton nrnpointmenu stdrun_panel tstop_changed_panel load_session "
    ""
    "nrnallsectionmenu nrnallpointmenu variable_domain "
    "xpvalue boolean_dialog "  # boolean_dialog: 0 without a display (src/ivoc/utility.cpp hoc_boolean_dialog)
    "cvode_simgraph"  # stdrun.hoc: graphs' recording under CVODE's local step (simgraph), called by stdinit()
).split()
GUI_CLASSES = ("Graph Shape PlotShape VBox HBox Deck PWManager ValueFieldEditor SymChooser TextEditor Timer "
               "GUIMath MechanismType ModelView RunFitter Grapher RangeVarPlot "
               "PointBrowser PointProcessLocator SectionBrowser StateTransitionEvent "
               "NumericalMethodPanel MovieRun VariableTimeStep Family FunctionFitter MulRunFitter "
               "ElectrodeStand "
               "Glyph ShapeLocation PointProcessMark").split()  # lib/hoc/lincir's drawing and cell-port mark


class GuiObject(BuiltinObject):
    """A GUI class (Graph, Shape, VBox, ...): accepted, not executed, reported in one warning."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        # NEURON with a display calls define_shape() for Shape/PlotShape; batch NEURON (no
        # display), which bridge matches, does not.
        interp.model.gui_calls.setdefault(name, loc)

    def hoc_ref(self, interp, name, indices, loc):
        # reads: batch NEURON's value or refused (gui_reads); writes to a GUI object change no model value
        if self.cls not in GUI_CLASSES and loc is not None and str(loc.filename).endswith(".ses"):
            # a session file's tool internals (`opt.optimizer`, `ocbox_.box`) on a stand-in for a name it
            # made up (bridge.hoc.names): another stand-in object, never a number a model could use
            member = GuiObject(interp, f"{self.cls}.{name}", [], loc)
            return FuncRef(lambda: member, lambda v: None)
        return FuncRef(lambda: gui_reads.read(self, interp, name, indices, loc), lambda v: None)

    def hoc_call(self, interp, name, args, loc):
        value = gui_methods.call(self, interp, name, args, loc)  # values and run changes batch NEURON makes
        if value is not None:
            return value
        interp.model.gui_calls.setdefault(f"{self.cls}.{name}", loc)
        if name == "ref" and args and not is_number(args[0]) and args[0] is not None:
            interp.model.window_held.append(args[0])  # the window holds the object (bridge.hoc.lifetimes)
        return 0.0


class MainMenu(GuiObject):
    """stdrun.hoc's `nrnmainmenu_` (a NEURONMainMenu): models add entries to its Miscellaneous menu
    (`miscellaneous_add(name, command)`, which only lists them for a button); calls are GUI calls."""

    def __init__(self, interp):
        self.cls = "NEURONMainMenu"
        BuiltinObject.__init__(self, interp)

    def hoc_call(self, interp, name, args, loc):
        interp.model.gui_calls.setdefault(f"nrnmainmenu_.{name}", loc)
        return 0.0


def _gui(name):
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(name, loc)
        return 0.0
    return call


def _new_plot(name, cls):
    """stdrun.hoc's newPlot(...) family: a new GUI object left in `graphItem` (which models then use)."""
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(name, loc)
        var = interp.top.get("graphItem")
        if not isinstance(var, ObjVar):
            var = interp.top["graphItem"] = ObjVar()
        var.data[0] = GuiObject(interp, cls, [], loc)
        return 0.0
    return call


def gui_functions() -> dict[str, Builtin]:
    """The GUI functions by name: each notes its call (`ModelState.gui_calls`) and returns 0."""
    out = {name: Builtin(name, _gui(name)) for name in GUI_FUNCTIONS}
    for name, cls in (("newPlot", "Graph"), ("newPlotV", "Graph"), ("newPlotI", "Graph"),
                      ("newshapeplot", "PlotShape")):
        out[name] = Builtin(name, _new_plot(name, cls))
    return out


def gui_classes() -> dict:
    """The GUI classes by name: `new Graph()` makes a `GuiObject`."""
    return {name: (lambda n: lambda interp, args, loc: GuiObject(interp, n, args, loc))(name) for name in GUI_CLASSES}
