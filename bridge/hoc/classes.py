"""NEURON's built-in classes: the table `new Name()` looks in (`builtin_classes`), and the
classes that are small enough to live here (CVode) or are refused.

A class is a maker `(interp, args, loc) -> object`; the objects are `BuiltinObject`s
(`bridge.hoc.objects`).
"""

from __future__ import annotations

from bridge.hoc import finithnd, import3d_gui, kschan, mechtype, pointman
from bridge.hoc.atoltool import AtolTool
from bridge.hoc.datafiles import File
from bridge.hoc.glyph import Glyph
from bridge.hoc.gui import gui_classes
from bridge.hoc.impedance import Impedance
from bridge.hoc.linear_mechanism import LinearMechanism
from bridge.hoc.lists import HocList, SectionList, SectionRef
from bridge.hoc.netcon import NetConObject
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.parallel import ParallelContext
from bridge.hoc.pointer import Pointer
from bridge.hoc.random import Random
from bridge.hoc.savestate import SaveState
from bridge.hoc.sparse_matrix import make_matrix
from bridge.hoc.strings import HocString, StringFunctions
from bridge.hoc.values import FuncRef, Ref, is_number
from bridge.hoc.vector import Vector

REFUSED_CLASSES = {"PythonObject": "runs Python code",
                   "CVode": None}


def _refused_class(name, why):
    def make(interp, args, loc):
        raise interp.refuse(f"new {name}() is refused: {why}", loc)
    return make


class CVode(BuiltinObject):
    """`cvode = new CVode()`: only the fixed step is supported (active(0)). Every CVode is
    `CVode[0]`: NEURON has one."""

    cls = "CVode"

    def __init__(self, interp, args, loc):
        self.index = 0  # not in the registry: `CVode[0]` is stdrun.hoc's `cvode`

    def hoc_ref(self, interp, name, indices, loc):
        if name == "statistics" and not indices:  # a read calls it with no arguments (hoc_object_component)
            return FuncRef(lambda: self.hoc_call(interp, name, [], loc), lambda v: None)
        raise interp.refuse(f"CVode.{name} is not supported", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in ("active", "use_local_dt", "cache_efficient", "use_daspk"):
            flags = interp.model.cvode_flags
            if args and is_number(args[0]):
                on = float(float(args[0]) != 0.0)
                if on and name != "cache_efficient":
                    interp.model.cvode_requested(f"CVode.{name}(1)", loc)
                flags[name] = on
            return flags.get(name, 0.0)  # NEURON returns the setting (after the change)
        if name == "record" and args and isinstance(args[0], Ref):  # cvode.record(&var, y, t)
            interp.model.record(args[0], str(args[1]) if len(args) > 1 else "", loc, interp)
            return 0.0
        if name == "event" and len(args) == 1 and is_number(args[0]):
            return 0.0  # an event with no action: the fixed step stops at it and changes nothing
        if name == "statistics":  # cvodeobj.cpp statistics(): prints CVODE's counters, returns 0
            interp.model.gui_calls.setdefault("CVode.statistics (printed report)", loc)
            return 0.0
        if name in ("atol", "rtol", "maxstep", "minstep", "re_init", "stiff", "jacobian", "condition_order"):
            interp.model.gui_calls.setdefault(f"CVode.{name}", loc)
            return 0.0
        raise interp.refuse(f"CVode.{name} is not supported", loc)


def builtin_classes() -> dict:
    """Class name -> maker(interp, args, loc), for `new Name(args)`."""
    out = {"Vector": Vector, "List": HocList, "SectionList": SectionList, "SectionRef": SectionRef,
           "CVode": CVode, "StringFunctions": StringFunctions, "File": File, "String": HocString,
           "ParallelContext": ParallelContext, "Matrix": make_matrix, "Random": Random, "NetCon": NetConObject}
    out.update(gui_classes())
    for name, why in REFUSED_CLASSES.items():
        if why:
            out[name] = _refused_class(name, why)
    out.update(import3d_gui.classes())
    out.update(kschan.classes())
    out.update(finithnd.classes())
    out["PointProcessManager"] = pointman.point_process_manager
    out["PointProcessGroupManager"] = pointman.point_process_group_manager
    out["MechanismStandard"] = pointman.MechanismStandard
    out["MechanismType"] = mechtype.MechanismType
    out["AtolTool"] = AtolTool
    out["LinearMechanism"] = LinearMechanism
    out["Glyph"] = Glyph
    out["Pointer"] = Pointer
    out["Impedance"] = Impedance
    out["SaveState"] = SaveState
    return out
