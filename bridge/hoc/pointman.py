"""NEURON's PointProcessManager as session files (.ses) use it: the point process it makes.

A session file creates the stimulus of many models like this (pointman.hoc's window):

    soma ocbox_ = new PointProcessManager(0)
    {object_push(ocbox_)}
    { mt.select("IClamp") i = mt.selected()
      ms[i] = new MechanismStandard("IClamp")
      ms[i].set("del", 0, 0) ...
      mt.select("IClamp") i = mt.selected() maction(i)
      hoc_ac_ = 0.5
      sec.sec move() d1.flip_to(0) }
    {object_pop() doNotify()}

Here the manager is an object whose names (`mt`, `ms`, `sec`, `maction`, `move`) do
exactly that: `maction(i)` creates the point process with the values of `ms[i]`, `move()`
puts it at `hoc_ac_` on the current section. Its window (`d1`, `v1`) is a GUI object.
"""

from __future__ import annotations

from bridge.hoc.gui import GuiObject
from bridge.hoc.lists import SectionRef
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.point_process import PointProcessObject
from bridge.hoc.values import Builtin, Frame, HocObject, NumVar, ObjVar, StrVar, Template, is_number


class MechanismStandard(BuiltinObject):
    """`new MechanismStandard("IClamp")`: parameter values of one mechanism, `set`/`get`."""

    cls = "MechanismStandard"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        name = args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else None)
        if not isinstance(name, str):
            raise interp.error("MechanismStandard(\"name\") needs a mechanism name", loc)
        self.name = name
        self.values: dict[str, float] = {}

    def m_set(self, interp, args, loc):
        pname = args[0].value if isinstance(args[0], StrVar) else args[0]
        if not isinstance(pname, str) or len(args) < 2 or not is_number(args[1]):
            raise interp.error("MechanismStandard.set(\"name\", value[, index])", loc)
        if len(args) > 2 and is_number(args[2]) and float(args[2]) != 0:
            raise interp.refuse("MechanismStandard.set of array elements is not supported", loc)
        self.values[pname] = float(args[1])
        return float(args[1])

    def m_get(self, interp, args, loc):
        pname = args[0].value if isinstance(args[0], StrVar) else args[0]
        return self.values.get(pname, 0.0)

    def m_in(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismStandard.in", loc)
        return 0.0


class _MechanismType(BuiltinObject):
    """The manager's `mt`: which point process type is selected."""

    cls = "MechanismType"

    def __init__(self, interp):
        super().__init__(interp)
        self.names: list[str] = []
        self.current = -1

    def m_select(self, interp, args, loc):
        name = args[0].value if isinstance(args[0], StrVar) else args[0]
        if interp.model.point_process_kind(name) is None:
            raise interp.error(f"PointProcessManager: {name} is not a point process bridge knows", loc)
        if name not in self.names:
            self.names.append(name)
        self.current = self.names.index(name)
        return 0.0

    def m_selected(self, interp, args, loc):
        return float(self.current)


def point_process_manager(interp, args, loc) -> HocObject:
    """`new PointProcessManager(0)` at the current section."""
    template = interp.templates.get("PointProcessManager")
    if template is None:
        template = Template("PointProcessManager", [], loc)
        template.public = {"v1", "d1", "pp", "sec", "mt", "ms"}
        interp.templates["PointProcessManager"] = template
    obj = template.make_object()
    ns = obj.ns
    mt = _MechanismType(interp)
    ns["mt"] = _obj(mt)
    ns["ms"] = ObjVar((32,))
    ns["i"] = NumVar()
    ns["sec"] = _obj(SectionRef(interp, [], loc) if interp.model.sections else None)
    ns["pp"] = ObjVar()
    for name in ("d1", "v1"):
        ns[name] = _obj(GuiObject(interp, "PointProcessManager window", [], loc))

    def maction(interp, a, where):
        k = int(a[0]) if a and is_number(a[0]) else mt.current
        standard = ns["ms"].data[k] if 0 <= k < len(ns["ms"].data) else None
        if not isinstance(standard, MechanismStandard):
            raise interp.error("PointProcessManager: maction(i) without ms[i] = new MechanismStandard(...)", where)
        sec = ns["sec"].data[0].sec if ns["sec"].data[0] is not None else interp.model.current(interp, where)
        interp.model.push(sec)
        try:
            pp = PointProcessObject(interp, standard.name, [0.5], where)
        finally:
            interp.model.pop()
        for pname, value in standard.values.items():
            pp.hoc_ref(interp, pname, [], where).set(value)
        ns["pp"].data[0] = pp
        return 0.0

    def move(interp, a, where):
        pp = ns["pp"].data[0]
        if pp is None:
            raise interp.error("PointProcessManager: move() before maction()", where)
        pp.m_loc(interp, [interp.model.globals["hoc_ac_"]], where)
        return 0.0

    ns["maction"] = Builtin("maction", maction)
    ns["move"] = Builtin("move", move)
    return obj


def point_process_group_manager(interp, args, loc) -> HocObject:
    """`new PointProcessGroupManager(0)` as session files use it (pointgrp.hoc's window):

        ms = new MechanismStandard("IClamp")  ms.set("amp", .2, 0)
        mnews("IClamp", ms)                    // a new IClamp at the current section's 0.5
        select(0)
        execute("soma ocbox_.move(0.5)")       // the selected one moves to soma(0.5)
    """
    template = interp.templates.get("PointProcessGroupManager")
    if template is None:
        template = Template("PointProcessGroupManager", [], loc)
        template.public = {"v1", "move"}
        interp.templates["PointProcessGroupManager"] = template
    obj = template.make_object()
    ns = obj.ns
    made: list[PointProcessObject] = []
    selected = [-1]
    ns["ms"] = ObjVar()
    ns["pp"] = ObjVar()
    for name in ("d1", "v1"):
        ns[name] = _obj(GuiObject(interp, "PointProcessGroupManager window", [], loc))

    def mnews(interp, a, where):
        name = a[0].value if a and isinstance(a[0], StrVar) else (a[0] if a else None)
        if not isinstance(name, str) or interp.model.point_process_kind(name) is None:
            raise interp.error(f"PointProcessGroupManager: {name!r} is not a point process bridge knows", where)
        pp = PointProcessObject(interp, name, [0.5], where)
        if len(a) > 1:
            standard = a[1]
            if not isinstance(standard, MechanismStandard) or standard.name != name:
                raise interp.error(f"PointProcessGroupManager: mnews({name!r}, ms) needs a MechanismStandard of "
                                   f"{name}", where)
            for pname, value in standard.values.items():
                pp.hoc_ref(interp, pname, [], where).set(value)
        made.append(pp)
        selected[0] = len(made) - 1
        return 0.0

    def select(interp, a, where):
        i = int(a[0]) if a and is_number(a[0]) else -1
        if not -1 <= i < len(made):
            raise interp.error(f"PointProcessGroupManager: select({i}) of {len(made)} point processes", where)
        selected[0] = i
        return 0.0

    def move(interp, a, where):
        if selected[0] < 0 or not a or not is_number(a[0]):
            raise interp.error("PointProcessGroupManager: move(x) needs a selected point process", where)
        made[selected[0]].m_loc(interp, [float(a[0])], where)
        return 0.0

    def mnew(interp, a, where):
        raise interp.refuse("PointProcessGroupManager: mnew(type index) is not supported (use mnews(\"name\"))",
                           where)

    for name, fn in (("mnews", mnews), ("select", select), ("move", move), ("mnew", mnew)):
        ns[name] = Builtin(name, fn)
    return obj


def _obj(value) -> ObjVar:
    var = ObjVar()
    var.data[0] = value
    return var


def object_push(interp, args, loc):
    """object_push(obj): names are looked up in obj until object_pop()."""
    obj = args[0] if args else None
    if isinstance(obj, HocObject):
        interp.frames.append(Frame(f"{obj} (object_push)", [], obj, loc))
    else:
        interp.model.gui_calls.setdefault("object_push (GUI object)", loc)
        interp.frames.append(Frame("(object_push)", [], None, loc))
    return 0.0


def object_pop(interp, args, loc):
    if len(interp.frames) > 1 and interp.frames[-1].name.endswith("(object_push)"):
        interp.frames.pop()
        return 0.0
    raise interp.error("object_pop() without object_push()", loc)
