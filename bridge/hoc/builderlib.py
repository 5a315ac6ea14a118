"""Functions of NEURON's stdlib.hoc that its GUI builders call (celbild.hoc, ...), as bridge
built-ins: `object_index`, `classname`, `valid_name_syntax`, `graph_menu_remove_most`, and
the dialogs (batch NEURON opens no window: `continue_dialog` prints, the others answer as
NEURON without a display does)."""

from __future__ import annotations

import re

from bridge.hoc.arguments import string_arg


def _object_index(interp, args, loc):
    """stdlib.hoc's object_index(obj): object_id(obj, 1), the index in `Name[index]`."""
    obj = args[0] if args else None
    if obj is None:
        return -1.0
    return float(getattr(obj, "index", -1))


_VALID_NAME = re.compile(r"[A-Za-z0-9_]+")


def _valid_name_syntax(interp, args, loc):
    """stdlib.hoc's valid_name_syntax(name, warn): 1 when `name` is a non-empty run of A-Za-z0-9_."""
    return 1.0 if _VALID_NAME.fullmatch(string_arg(interp, args, 0, loc, "valid_name_syntax")) else 0.0


def _gui_noop(name):
    def call(interp, args, loc):
        interp.model.gui_calls.setdefault(name, loc)
        return None if name in _PROCS else 0.0
    return call


_PROCS = ("graph_menu_remove_most",)  # stdlib.hoc procs: a statement calling one prints nothing


def functions() -> dict:
    """Name -> fn(interp, args, loc)."""
    return {"object_index": _object_index, "valid_name_syntax": _valid_name_syntax,
            **{name: _gui_noop(name) for name in _GUI_NOOPS}}


# GUI functions the builders call while they build their windows: nothing to do without a display.
_GUI_NOOPS = ("graph_menu_remove_most", "xpvalue", "string_dialog")
