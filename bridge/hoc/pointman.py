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

from bridge.hoc import extracellular
from bridge.hoc.gui import GuiObject
from bridge.hoc.lists import SectionRef
from bridge.hoc.netcon import ArtificialCellObject
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.point_process import PointProcessObject
from bridge.hoc.section_memory import assign_range
from bridge.hoc.values import Builtin, Frame, HocObject, NumVar, ObjVar, StrVar, Template, is_number


class MechanismStandard(BuiltinObject):
    """`new MechanismStandard("hh")`: the PARAMETERs of one mechanism (NEURON's vartype 1), each
    its default until `set`; `count()`, `name(strdef[, i])` and `get` as NEURON's (nrniv/ndatclas.cpp),
    which the CellBuilder reads to insert a mechanism with its values."""

    cls = "MechanismStandard"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        name = args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else None)
        if not isinstance(name, str):
            raise interp.error("MechanismStandard(\"name\") needs a mechanism name", loc)
        if len(args) > 1 and is_number(args[1]) and float(args[1]) != 1:
            raise interp.refuse(f"MechanismStandard(\"{name}\", {float(args[1]):g}): only PARAMETERs (vartype 1) "
                                "are supported", loc)
        self.name = name
        self.values: dict[str, float] = {}
        self.defaults: dict[str, float] = _parameters(interp, name, loc)
        # array PARAMETERs (extracellular's layers, bridge.hoc.extracellular): size, and elements 1.. as "xg[1]"
        self.sizes: dict[str, int] = dict(extracellular.ARRAY_SIZES) if name == extracellular.NAME else {}
        self.element_defaults = dict(extracellular.ELEMENT_DEFAULTS) if self.sizes else {}

    def _param(self, interp, args, loc, what: str) -> str:
        pname = args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else None)
        if not isinstance(pname, str):
            raise interp.error(f"MechanismStandard.{what}(\"name\", ...) needs a parameter name", loc)
        if len(args) > (2 if what == "set" else 1) and is_number(args[-1]) and float(args[-1]) != 0:
            j = float(args[-1])
            if pname in self.sizes and j == int(j) and 0 < j < self.sizes[pname]:
                return f"{pname}[{int(j)}]"
            raise interp.refuse(f"MechanismStandard.{what} of array elements is not supported", loc)
        return pname

    def m_set(self, interp, args, loc):
        pname = self._param(interp, args, loc, "set")
        if len(args) < 2 or not is_number(args[1]):
            raise interp.error("MechanismStandard.set(\"name\", value[, index])", loc)
        self.values[pname] = float(args[1])
        return float(args[1])

    def m_get(self, interp, args, loc):
        pname = self._param(interp, args, loc, "get")
        return self.values.get(pname, self.defaults.get(pname, self.element_defaults.get(pname, 0.0)))

    def m_count(self, interp, args, loc):
        return float(len(self.defaults))

    def m_name(self, interp, args, loc):
        """`ms.name(s)`: the mechanism's name in s; `ms.name(s, i)`: the i-th parameter's name, returns its size."""
        if not args or not isinstance(args[0], StrVar):
            raise interp.error("MechanismStandard.name(strdef[, i]) needs a strdef", loc)
        if len(args) == 1:
            args[0].value = self.name
            return 0.0
        names = list(self.defaults)
        i = int(float(args[1])) if is_number(args[1]) else -1
        if not 0 <= i < len(names):
            raise interp.error(f"MechanismStandard.name: index {args[1]} outside 0..{len(names) - 1}", loc)
        args[0].value = names[i]
        return float(self.sizes.get(names[i], 1))

    def m_in(self, interp, args, loc):
        """`ms.in(other)`: another MechanismStandard's values; `ms.in()` / `ms.in(x)`: the values in the current
        section's first segment / at x (nrniv/nrnmenu.cpp: MechanismStandard::in)."""
        if args and isinstance(args[0], MechanismStandard):
            self.values = dict(args[0].values)
            return 0.0
        if not args or is_number(args[0]):
            sec = interp.model.current(interp, loc)
            x = float(args[0]) if args else 0.5 / sec.data.nseg
            self._check_inserted(interp, sec, loc, "in")
            for pname, var in self._range_vars(interp):
                self.values[pname] = float(interp.model.get_range(sec, var, x, loc, interp))
            return 0.0
        source = args[0] if len(args) == 1 else None
        if source is not None and getattr(source, "cls", None) == self.name and hasattr(source, "hoc_ref"):
            # `ms.in(pp)`: that point process's (or artificial cell's) PARAMETERs now (nrnmenu.cpp
            # MechanismStandard::in), read as HOC reads `pp.name`
            for pname in self.defaults:
                self.values[pname] = float(source.hoc_ref(interp, pname, None, loc).get())
            return 0.0
        raise interp.refuse("MechanismStandard.in() from a point process of another type, or from anything other "
                            "than a MechanismStandard, a section position or a point process, is not supported", loc)

    def m_out(self, interp, args, loc):
        """`ms.out(other)`: these values into another MechanismStandard; `ms.out()` / `ms.out(x)`: into every
        segment of the current section / the segment at x (nrniv/nrnmenu.cpp: MechanismStandard::out)."""
        if len(args) == 1 and isinstance(args[0], MechanismStandard):
            args[0].values = dict(self.values)
            return 0.0
        if not args or (len(args) == 1 and is_number(args[0])):
            sec = interp.model.current(interp, loc)
            x = float(args[0]) if args else None
            self._check_inserted(interp, sec, loc, "out")
            for pname, var in self._range_vars(interp):
                default = self.defaults.get(pname, self.element_defaults.get(pname, 0.0))
                assign_range(interp, sec, var, self.values.get(pname, default), x, loc)
            return 0.0
        target = args[0] if len(args) == 1 else None
        if target is not None and getattr(target, "cls", None) == self.name and hasattr(target, "hoc_ref"):
            # `ms.out(pp)`: every PARAMETER into that point process or artificial cell (nrnmenu.cpp
            # MechanismStandard::out; netbild's artcel.hoc makes its cells with it)
            for pname, default in self.defaults.items():
                target.hoc_ref(interp, pname, None, loc).set(self.values.get(pname, default))
            return 0.0
        raise interp.refuse("MechanismStandard.out() into a point process of another type is not supported", loc)

    def _range_vars(self, interp) -> list:
        """(key, range variable) of every PARAMETER and array element (`xg[1]`: extracellular's layer 1)."""
        out = []
        for pname in self.defaults:
            var = interp.model.range_kind(pname)
            out.append((pname, var))
            for j in range(1, self.sizes.get(pname, 1)):
                out.append((f"{pname}[{j}]", extracellular.layer(var, [j], pname)))
        return out

    def _check_inserted(self, interp, sec, loc, what: str) -> None:
        if self.name not in _NEURON_PARAMETERS and self.name not in sec.data.mechanisms:
            raise interp.error(f"MechanismStandard.{what}: {self.name} is not inserted in {sec.name}", loc)

    def m_panel(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismStandard.panel", loc)
        return 0.0

    def m_action(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismStandard.action", loc)
        return 0.0


# NEURON's own density mechanisms without a .mod file: their PARAMETERs and defaults
# (nrnoc/capac.cpp, nrnoc/extcelln.cpp: cm is the only PARAMETER of capacitance).
_NEURON_PARAMETERS = {"capacitance": {"cm": 1.0}, "morphology": {"diam": 500.0}}


def _parameters(interp, name: str, loc) -> dict[str, float]:
    """HOC name -> default of the RANGE PARAMETERs of mechanism `name` (`gnabar_hh` for hh)."""
    if name in _NEURON_PARAMETERS:
        return dict(_NEURON_PARAMETERS[name])
    if name == extracellular.NAME:  # xraxial, xg, xc (layer 0; `xg[1]` elements apart), e_extracellular
        return dict(extracellular.MS_DEFAULTS)
    catalog = interp.model.catalog
    if name not in catalog:
        raise interp.error(f"MechanismStandard(\"{name}\"): {name} is not a mechanism (no .mod file defines it)", loc)
    info = catalog.get(name)
    return {info.hoc_name(p): v for p, v in info.parameters.items()}


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


def _manager(interp, name: str, public: set[str], loc) -> HocObject:
    """A new object of the template `name` (made on first use), with its window as GUI objects."""
    template = interp.templates.get(name)
    if template is None:
        template = Template(name, [], loc)
        template.public = public
        template.made_by_class = True  # the next `new PointProcessManager(0)` makes one of these again
        interp.templates[name] = template
    obj = template.make_object()
    for window in ("d1", "v1"):
        obj.ns[window] = _obj(GuiObject(interp, f"{name} window", [], loc))
    interp.model.window_held.append(obj)  # pointman.hoc: its VBox holds it (`ref(this)`), so it outlives its objref
    return obj


def point_process_manager(interp, args, loc) -> HocObject:
    """`new PointProcessManager(0)` at the current section."""
    obj = _manager(interp, "PointProcessManager", {"v1", "d1", "pp", "sec", "mt", "ms"}, loc)
    ns = obj.ns
    mt = _MechanismType(interp)
    ns["mt"] = _obj(mt)
    ns["ms"] = ObjVar((32,))
    ns["i"] = NumVar()
    ns["sec"] = _obj(SectionRef(interp, [], loc) if interp.model.sections else None)
    ns["pp"] = ObjVar()
    manager = _PointProcessManager(ns, mt)
    ns["maction"] = Builtin("maction", manager.maction)
    ns["move"] = Builtin("move", manager.move)
    return obj


class _PointProcessManager:
    """The procedures of a PointProcessManager object, on its names `ns` and its `mt`."""

    def __init__(self, ns: dict, mt: _MechanismType):
        self.ns = ns
        self.mt = mt

    def maction(self, interp, a, where):
        """`maction(i)`: a new point process with the values of `ms[i]`, at the current section's 0.5."""
        ns = self.ns
        k = int(a[0]) if a and is_number(a[0]) else self.mt.current
        standard = ns["ms"].data[k] if 0 <= k < len(ns["ms"].data) else None
        if not isinstance(standard, MechanismStandard):
            raise interp.error("PointProcessManager: maction(i) without ms[i] = new MechanismStandard(...)", where)
        sec = ns["sec"].data[0].sec if ns["sec"].data[0] is not None else interp.model.current(interp, where)
        kind = interp.model.point_process_kind(standard.name)
        interp.model.push(sec)
        try:  # `sec.sec execute("pp = new NetStim(0.5)")`: an ARTIFICIAL_CELL ignores the location
            maker = ArtificialCellObject if kind is not None and kind.kind == "artificial" else PointProcessObject
            pp = maker(interp, standard.name, [0.5], where)
        finally:
            interp.model.pop()
        for pname, value in standard.values.items():
            pp.hoc_ref(interp, pname, [], where).set(value)
        ns["pp"].data[0] = pp
        return 0.0

    def move(self, interp, a, where):
        """`move()`: the point process to `hoc_ac_` on the current section."""
        pp = self.ns["pp"].data[0]
        if pp is None:
            raise interp.error("PointProcessManager: move() before maction()", where)
        if isinstance(pp, ArtificialCellObject):  # pointman.hoc's move(): `if (hoc_sf_.is_artificial(pp) == 0)`
            return 0.0
        pp.m_loc(interp, [interp.model.globals["hoc_ac_"]], where)
        return 0.0


def point_process_group_manager(interp, args, loc) -> HocObject:
    """`new PointProcessGroupManager(0)` as session files use it (pointgrp.hoc's window):

        ms = new MechanismStandard("IClamp")  ms.set("amp", .2, 0)
        mnews("IClamp", ms)                    // a new IClamp at the current section's 0.5
        select(0)
        execute("soma ocbox_.move(0.5)")       // the selected one moves to soma(0.5)
    """
    obj = _manager(interp, "PointProcessGroupManager", {"v1", "move"}, loc)
    ns = obj.ns
    ns["ms"] = ObjVar()
    ns["pp"] = ObjVar()
    manager = _PointProcessGroupManager()
    # pointgrp.hoc keeps what it made in a List of the object: a reference (bridge.hoc.lifetimes); the name
    # has a space, so no HOC name can reach it
    ns["made pps"] = manager.made
    for name in ("mnews", "select", "move", "mnew"):
        ns[name] = Builtin(name, getattr(manager, name))
    return obj


class _PointProcessGroupManager:
    """The procedures of a PointProcessGroupManager object: the point processes it made, one selected."""

    def __init__(self) -> None:
        self.made: list[PointProcessObject] = []
        self.selected = -1

    def mnews(self, interp, a, where):
        """`mnews("IClamp"[, ms])`: a new point process at the current section's 0.5 (values of `ms`)."""
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
        self.made.append(pp)
        self.selected = len(self.made) - 1
        return 0.0

    def select(self, interp, a, where):
        i = int(a[0]) if a and is_number(a[0]) else -1
        if not -1 <= i < len(self.made):
            raise interp.error(f"PointProcessGroupManager: select({i}) of {len(self.made)} point processes", where)
        self.selected = i
        return 0.0

    def move(self, interp, a, where):
        if self.selected < 0 or not a or not is_number(a[0]):
            raise interp.error("PointProcessGroupManager: move(x) needs a selected point process", where)
        self.made[self.selected].m_loc(interp, [float(a[0])], where)
        return 0.0

    def mnew(self, interp, a, where):
        raise interp.refuse("PointProcessGroupManager: mnew(type index) is not supported (use mnews(\"name\"))",
                            where)


def _obj(value) -> ObjVar:
    var = ObjVar()
    var.data[0] = value
    return var


def object_push(interp, args, loc):
    """object_push(obj): names are looked up in obj until object_pop()."""
    obj = args[0] if args else None
    if isinstance(obj, GuiObject) and obj.cls == "NumericalMethodPanel":  # its restore(), ats()
        from bridge.hoc.numerical_panel import panel

        obj = panel(interp, loc)
    if isinstance(obj, HocObject):
        frame = Frame(f"{obj} (object_push)", [], obj, loc)
    else:
        interp.model.gui_calls.setdefault("object_push (GUI object)", loc)
        frame = Frame("(object_push)", [], None, loc)
    frame.pushed = (interp.frame.obj, obj)  # type: ignore[attr-defined]  # for object_pushed
    interp.frames.append(frame)
    return 0.0


def object_pushed(interp, args, loc):
    """object_pushed(i): the object pushed i object_push()es ago (0: the latest); i = the number of pushes
    gives the object that was current at the first push (hoc_oop.cpp hoc_object_pushed, obj_stack_)."""
    pushes = [f.pushed for f in interp.frames if hasattr(f, "pushed")]
    if not pushes:  # obj_stack_[0]: bridge does not keep what a finished push left there
        raise interp.refuse("object_pushed() outside object_push() is not supported", loc)
    stack = [pushes[0][0]] + [obj for _, obj in pushes]
    if not args or not is_number(args[0]) or not 0 <= float(args[0]) <= len(pushes):
        raise interp.error(f"object_pushed: arg 1 out of range (0 to {len(pushes)})", loc)
    return stack[len(pushes) - int(float(args[0]))]


def object_pop(interp, args, loc):
    if len(interp.frames) > 1 and interp.frames[-1].name.endswith("(object_push)"):
        interp.frames.pop()
        return 0.0
    raise interp.error("object_pop() without object_push()", loc)
