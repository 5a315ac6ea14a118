"""Attribute reads of GUI objects (`obj.name`, no parentheses): what batch NEURON 9.0.2 returns.

For a C++ GUI class a read of a method name calls the method with no arguments (hoc's
`hoc_object_component`, src/oc/hoc_oop.cpp); a name that is not a member is an error ("'name' not a
public member of 'Graph'"). `ZERO_ARG` holds the value each display-only method returned read that way
in batch NEURON 9.0.2 (`nrniv -nogui`, measured on a fresh object; no window is ever mapped without a
display). Every other read (a member that needs arguments, a public variable of the hoc-template tools
RunFitter, MulRunFitter, Family, Grapher, ModelView, ..., MechanismType's model-dependent values) is
refused by name: bridge does not model those values (docs/gui.md).
"""

from __future__ import annotations

from bridge.hoc import gui_methods, numerical_panel

_TABLE: dict[str, dict[float, str]] = {
    "Graph": {
        -1.0: "line_info view_info",
        0.0: "crosshair_action exec_menu gif glyph menu_remove size unmap view_count view_size",
        1.0: ("addexpr addobject addvar align begin beginline brush color erase erase_all family "
               "fastflush fixed flush label line mark menu_action menu_tool plot printfile relative "
               "save_name simgraph vector vfixed view xaxis xexpr yaxis"),
    },
    "Shape": {
        -1.0: "push_selected",
        0.0: ("color color_all color_list exec_menu gif len_scale nearest observe point_mark "
               "point_mark_remove rotate size unmap view_count"),
        1.0: ("action begin beginline erase erase_all flush label line mark menu_action menu_tool "
               "printfile save_name select show view"),
    },
    "PlotShape": {
        -1.0: "push_selected",
        0.0: ("color color_all color_list exec_menu gif len_scale nearest observe rotate size unmap "
               "view_count"),
        1.0: ("begin beginline colormap erase erase_all fastflush flush hinton label line mark "
               "menu_action menu_tool printfile save_name show view"),
    },
    "VBox": {0.0: "adjust adjuster dialog dismiss_action full_request ismapped size unmap", 1.0: "map save"},
    "HBox": {0.0: "adjust adjuster dialog dismiss_action full_request ismapped size unmap", 1.0: "map save"},
    "Deck": {-1.0: "flip_to", 0.0: "move_last remove remove_last unmap", 1.0: "map save"},
    "PWManager": {
        -1.0: "leader manager",
        0.0: "close count deiconify hide iconify is_mapped map save snap",
        1.0: "deco landscape paper_place printfile window_place",
    },
    "ValueFieldEditor": {0.0: "default"},
    "SymChooser": {0.0: "run text"},
    "TextEditor": {0.0: "map readonly"},
    "Timer": {0.0: "end start"},
    "GUIMath": {2.0: "feround"},
    "RangeVarPlot": {0.0: "left right", 1.0: "color"},
    "SectionBrowser": {1.0: "accept_action select select_action"},
    "StateTransitionEvent": {0.0: "state"},
}
ZERO_ARG: dict[str, dict[str, float]] = {
    cls: {name: value for value, names in by_value.items() for name in names.split()}
    for cls, by_value in _TABLE.items()
}


def read(obj, interp, name: str, indices: list, loc):
    """The value of the read `obj.name` (as batch NEURON gives it), or HocRefusal naming the read."""
    if obj.cls == "NumericalMethodPanel" and numerical_panel.read(obj, interp, name, indices, loc) is not None:
        return numerical_panel.read(obj, interp, name, indices, loc)  # its `b1` (an object)
    value = ZERO_ARG.get(obj.cls, {}).get(name)
    if value is None or indices:
        raise interp.refuse(f"{obj.cls}.{name} read without a call: its value in NEURON is not modelled by "
                            "bridge (GUI-object reads, docs/gui.md)", loc)
    computed = gui_methods.call(obj, interp, name, [], loc)  # refusals and the values bridge computes
    interp.model.gui_calls.setdefault(f"{obj.cls}.{name}", loc)
    return value if computed is None else computed
