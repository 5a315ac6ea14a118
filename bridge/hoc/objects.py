"""NEURON's built-in classes as far as models use them: Vector, List, SectionList,
SectionRef, point processes (IClamp and every POINT_PROCESS of the mechanism
folder), and GUI classes that are accepted without doing anything.
"""

from __future__ import annotations

import weakref

from bridge.errors import HocError
from bridge.hoc import budget
from bridge.hoc.values import FuncRef, NumVar, Sec, Segment, StrVar, is_number


class BuiltinObject:
    """Base of built-in objects: a name like `Vector[0]`, members and methods."""

    cls = "Object"

    def __init__(self, interp):
        counts = interp.__dict__.setdefault("class_counts", {})
        self.index = counts.get(self.cls, 0)
        counts[self.cls] = self.index + 1
        # `Vector[3]` finds a live object by its index; a dead one is gone, as in NEURON (and
        # its memory with it: a loop of `v = new Vector(n)` holds one Vector, not all of them)
        live = interp.__dict__.setdefault("class_instances", {})
        live.setdefault(self.cls, weakref.WeakValueDictionary())[self.index] = self

    def __str__(self) -> str:
        return f"{self.cls}[{self.index}]"

    __repr__ = __str__

    def hoc_ref(self, interp, name, indices, loc):
        method = getattr(self, "m_" + name, None)
        if method is not None and not indices:  # as NEURON: `list.count`, `vec.size` call with no arguments
            def read_only(value):
                raise interp.error(f"{self.cls}.{name} is a method; it cannot be assigned", loc)

            return FuncRef(lambda: method(interp, [], loc), read_only)
        raise interp.error(f"{self.cls} has no member {name} that bridge supports", loc)

    def hoc_call(self, interp, name, args, loc):
        method = getattr(self, "m_" + name, None)
        if method is None:
            raise interp.refuse(f"{self.cls}.{name}() is not supported by bridge", loc)
        return method(interp, args, loc)


def _num(interp, args, i, loc, name):
    if i >= len(args) or not is_number(args[i]):
        raise interp.error(f"{name}: argument {i + 1} must be a number", loc)
    return float(args[i])


def _size(interp, args, i, loc, name) -> int:
    """Argument i as a size: a number, not NaN, infinite or negative (bridge.hoc.budget.count)."""
    try:
        return budget.count(_num(interp, args, i, loc, name), f"{name}: the size")
    except HocError as err:
        raise interp.error(err.message, loc) from None


class Vector(BuiltinObject):
    """NEURON's Vector: doubles in a Python list. `data` is charged to the session's memory
    (`budget.VECTOR_ELEMENT_BYTES` an element): a method that grows it reserves the new size
    first (`_reserve`), so a request over Limits.max_memory fails before anything is allocated."""

    cls = "Vector"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self._data: list[float] = []
        n = _size(interp, args, 0, loc, "Vector") if args else 0
        fill = float(args[1]) if len(args) > 1 else 0.0
        self._reserve(interp, n, loc)
        self.data = [fill] * n
        self.recording: str | None = None  # what record() asked for, e.g. "soma.v(0.5)"

    @property
    def data(self) -> list[float]:
        return self._data

    @data.setter
    def data(self, values: list[float]) -> None:
        self._charge.resize(len(values) * budget.VECTOR_ELEMENT_BYTES, f"a Vector of {len(values)} elements")
        self._data = values

    def _reserve(self, interp, n: int, loc) -> None:
        """About to hold `n` elements: charge their memory (refused over the budget) and the
        work of making them."""
        self._charge.resize(max(n, len(self._data)) * budget.VECTOR_ELEMENT_BYTES, f"a Vector of {n} elements")
        interp.work(0, loc, n * 8)

    def check_filled(self, interp, loc) -> None:
        """A recording Vector after a run holds NEURON's trace; bridge has none until it simulates,
        so reading it is an error (it would be the empty or old vector, not NEURON's numbers)."""
        t = getattr(interp.model, "advanced_to", None)
        if self.recording is not None and t is not None:
            raise interp.error(f"{self} records {self.recording}, which NEURON fills while it runs (here to t = "
                               f"{t:g} ms); bridge does not simulate while the HOC runs, so the recording is read "
                               "from bridge's simulation instead (HocModel.simulate())", loc)

    def hoc_call(self, interp, name, args, loc):
        if name != "record":
            self.check_filled(interp, loc)
        for a in args:
            if isinstance(a, Vector):
                a.check_filled(interp, loc)
        return super().hoc_call(interp, name, args, loc)

    def hoc_ref(self, interp, name, indices, loc):
        self.check_filled(interp, loc)
        if name != "x":
            return super().hoc_ref(interp, name, indices, loc)
        i = indices[0] if indices else 0
        if not 0 <= i < len(self.data):
            raise interp.error(f"{self}.x[{i}] is outside the vector (size {len(self.data)})", loc)

        def set_(v):
            self.data[i] = float(v)

        return FuncRef(lambda: self.data[i], set_)

    def m_size(self, interp, args, loc):
        return float(len(self.data))

    def m_resize(self, interp, args, loc):
        n = _size(interp, args, 0, loc, "resize")
        self._reserve(interp, n, loc)
        self.data = self.data[:n] + [0.0] * (n - len(self.data))
        return self

    def m_append(self, interp, args, loc):
        for a in args:
            if not isinstance(a, Vector) and not is_number(a):
                raise interp.error(f"{self}.append: arguments must be numbers or Vectors", loc)
        added = sum(len(a.data) if isinstance(a, Vector) else 1 for a in args)
        self._reserve(interp, len(self.data) + added, loc)
        for a in args:
            self._data.extend(a.data if isinstance(a, Vector) else [float(a)])
        return self

    def m_fill(self, interp, args, loc):
        interp.work(len(self.data), loc)
        self.data = [float(args[0])] * len(self.data)
        return self

    def m_indgen(self, interp, args, loc):
        step = float(args[0]) if args else 1.0
        interp.work(len(self.data), loc)
        self.data = [i * step for i in range(len(self.data))]
        return self

    def m_x(self, interp, args, loc):
        return self.hoc_ref(interp, "x", [int(_num(interp, args, 0, loc, "x"))], loc).get()

    def m_sum(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(sum(self.data))

    def m_max(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(max(self.data))

    def m_min(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(min(self.data))

    def m_c(self, interp, args, loc):
        v = Vector(interp, [], loc)
        v._reserve(interp, len(self.data), loc)
        v.data = list(self.data)
        return v

    def m_record(self, interp, args, loc):
        if not args or not hasattr(args[0], "get"):
            raise interp.error("Vector.record needs a pointer argument, e.g. &soma.v(0.5)", loc)
        interp.model.record(args[0], str(self), loc, interp)
        rec = interp.model.recordings[-1]
        self.recording = (f"{rec.point_process}.{rec.variable}" if rec.point_process else rec.variable
                          if rec.section is None else f"{rec.section}.{rec.variable}({rec.x:g})")
        return self

    def _index(self, interp, args, loc, name):
        i = int(_num(interp, args, 0, loc, name))
        if not 0 <= i < len(self.data):
            raise interp.error(f"{self}.{name}({i}) is outside the vector (size {len(self.data)})", loc)
        return i

    def m_set(self, interp, args, loc):
        self.data[self._index(interp, args, loc, "set")] = _num(interp, args, 1, loc, "set")
        return self

    def m_get(self, interp, args, loc):
        return self.data[self._index(interp, args, loc, "get")]

    def _elementwise(self, interp, args, loc, name, op):
        interp.work(len(self.data), loc)
        other = args[0] if args else None
        if isinstance(other, Vector):
            if len(other.data) != len(self.data):
                raise interp.error(f"{self}.{name}: vectors of different sizes", loc)
            self.data = [op(a, b) for a, b in zip(self.data, other.data)]
        else:
            b = _num(interp, args, 0, loc, name)
            self.data = [op(a, b) for a in self.data]
        return self

    def m_add(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "add", lambda a, b: a + b)

    def m_sub(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "sub", lambda a, b: a - b)

    def m_mul(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "mul", lambda a, b: a * b)

    def m_div(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "div", lambda a, b: a / b)

    def m_mean(self, interp, args, loc):
        if not self.data:
            raise interp.error(f"{self}.mean() of an empty vector", loc)
        interp.work(len(self.data), loc)
        return float(sum(self.data) / len(self.data))

    def m_reverse(self, interp, args, loc):
        interp.work(0, loc, len(self.data) * 8)
        self.data.reverse()
        return self

    def m_copy(self, interp, args, loc):
        if not args or not isinstance(args[0], Vector):
            raise interp.error("Vector.copy(source) needs a Vector", loc)
        self._reserve(interp, len(args[0].data), loc)
        self.data = list(args[0].data)
        return self

    def m_printf(self, interp, args, loc):
        if args and not isinstance(args[0], (str, StrVar)):
            raise interp.refuse("Vector.printf to a file is refused (bridge does not write files)", loc)
        interp.charge(len(self.data) // 4, loc)  # formatting a number takes ~4 elements' time
        block = 4096  # printed in blocks: no string of the whole Vector at once
        for i in range(0, len(self.data), block):
            interp.write("".join(f"{v:g}\t" for v in self.data[i:i + block]))
        interp.write("\n")
        return float(len(self.data))


class HocList(BuiltinObject):
    """NEURON's List: object references, charged to the session's memory as they grow."""

    cls = "List"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self.items: list = []
        if args and isinstance(args[0], (str, StrVar)):  # List("Cell"): every object of that template
            name = args[0].value if isinstance(args[0], StrVar) else args[0]
            template = interp.templates.get(name)
            if template is not None:
                pool = template.instances
            elif interp.model.point_process_kind(name) is not None:
                pool = interp.model.point_processes
            else:
                raise interp.error(f"List(\"{name}\"): {name} is not a template bridge knows", loc)
            _grow(interp, self._charge, len(pool), loc, "a List")
            self.items = list(pool) if template is not None else [p for p in pool if p.cls == name]

    def m_append(self, interp, args, loc):
        if len(self.items) * budget.REFERENCE_BYTES >= self._charge.bytes:
            _grow(interp, self._charge, 2 * len(self.items) + 1, loc, "a List")
        self.items.append(args[0])
        return float(len(self.items))

    def m_count(self, interp, args, loc):
        return float(len(self.items))

    def m_object(self, interp, args, loc):
        i = int(_num(interp, args, 0, loc, "object"))
        if not 0 <= i < len(self.items):
            raise interp.error(f"List.object({i}) is outside the list (count {len(self.items)})", loc)
        return self.items[i]

    def m_o(self, interp, args, loc):
        return self.m_object(interp, args, loc)

    def m_remove(self, interp, args, loc):
        del self.items[int(_num(interp, args, 0, loc, "remove"))]
        return 0.0

    def m_remove_all(self, interp, args, loc):
        self.items.clear()
        return 0.0

    def m_index(self, interp, args, loc):
        interp.work(len(self.items), loc)
        return float(next((i for i, o in enumerate(self.items) if o is args[0]), -1))


class SectionList(BuiltinObject):
    """NEURON's SectionList: sections, charged to the session's memory as the list grows."""

    cls = "SectionList"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self.secs: list[Sec] = []

    def hoc_sections(self):
        return [s for s in self.secs if s.alive]

    def _add(self, interp, secs, loc) -> None:
        """Append `secs` (memory reserved first; the work counted)."""
        interp.work(len(secs), loc)
        if (len(self.secs) + len(secs)) * budget.REFERENCE_BYTES > self._charge.bytes:
            _grow(interp, self._charge, 2 * (len(self.secs) + len(secs)), loc, "a SectionList")
        self.secs.extend(secs)

    def m_append(self, interp, args, loc):
        sec = interp.model.current(interp, loc)
        if len(self.secs) * budget.REFERENCE_BYTES >= self._charge.bytes:
            _grow(interp, self._charge, 2 * len(self.secs) + 1, loc, "a SectionList")
        self.secs.append(sec)
        return 1.0

    def m_remove(self, interp, args, loc):
        interp.work(len(self.secs), loc)
        if args and isinstance(args[0], SectionList):
            drop = set(map(id, args[0].secs))
            before = len(self.secs)
            self.secs = [s for s in self.secs if id(s) not in drop]
            return float(before - len(self.secs))
        sec = interp.model.current(interp, loc)
        before = len(self.secs)
        self.secs = [s for s in self.secs if s is not sec]
        return float(before - len(self.secs))

    def m_wholetree(self, interp, args, loc):
        tree = interp.model.tree
        sec = interp.model.current(interp, loc)
        root = sec.data
        while root.parent is not None:
            root = tree[root.parent]
        self._add(interp, _breadth_first(interp, root.name, loc), loc)
        return 1.0

    def m_subtree(self, interp, args, loc):
        sec = interp.model.current(interp, loc)
        self._add(interp, _breadth_first(interp, sec.name, loc), loc)
        return 1.0

    def m_allroots(self, interp, args, loc):
        interp.charge(len(interp.model.sections), loc)
        names = {s.name for s in interp.model.tree.roots()}
        self._add(interp, [s for s in interp.model.sections if s.name in names], loc)
        return 1.0

    def m_printnames(self, interp, args, loc):
        for s in self.hoc_sections():
            interp.write(s.name + "\n")
        return 1.0

    def m_unique(self, interp, args, loc):
        interp.work(len(self.secs), loc)
        seen, out = set(), []
        for s in self.secs:
            if id(s) not in seen:
                seen.add(id(s))
                out.append(s)
        removed = len(self.secs) - len(out)
        self.secs = out
        return float(removed)


def _breadth_first(interp, name: str, loc) -> list[Sec]:
    """The section `name` and its subtree, breadth first, children in NEURON's order. One pass
    over all sections (`all_children`): a statement's worth of work or two per section."""
    interp.charge(2 * len(interp.model.sections), loc)
    kids = interp.model.tree.all_children()
    by_name = {s.name: s for s in interp.model.sections}
    out, i = [by_name[name]], 0
    while i < len(out):
        out.extend(by_name[c.name] for c in kids[out[i].name])
        i += 1
    return out


def _grow(interp, charge, items: int, loc, what: str) -> None:
    """A list of references will hold up to `items`: reserve their memory (refused over the
    budget). Lists reserve double what they hold, so appending one by one stays cheap."""
    try:
        charge.resize(items * budget.REFERENCE_BYTES, f"{what} of {items} items")
    except HocError as err:
        raise interp.error(err.message, loc) from None


class SectionRef(BuiltinObject):
    cls = "SectionRef"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        if args:
            a = args[0]
            a = a.sec if isinstance(a, Segment) else a
            if not isinstance(a, Sec):
                raise interp.error("SectionRef(sec=...) needs a section", loc)
            self.sec = a
        else:
            self.sec = interp.model.current(interp, loc)

    def _by_name(self, interp):
        interp.charge(len(interp.model.sections) // 4, None)
        return {s.name: s for s in interp.model.sections}

    def hoc_ref(self, interp, name, indices, loc):
        tree = interp.model.tree
        if name == "sec":
            value = self.sec
        elif name in ("parent", "trueparent"):
            if self.sec.data.parent is None:
                raise interp.error(f"{self.sec.name} has no parent", loc)
            value = self._by_name(interp)[self.sec.data.parent]
        elif name == "root":
            data = self.sec.data
            while data.parent is not None:
                data = tree[data.parent]
            value = self._by_name(interp)[data.name]
        elif name == "child":
            kids = tree.children(self.sec.name)  # NEURON's child list order
            i = indices[0] if indices else 0
            if not 0 <= i < len(kids):
                raise interp.error(f"{self.sec.name} has no child {i}", loc)
            value = self._by_name(interp)[kids[i].name]
        else:
            return super().hoc_ref(interp, name, indices, loc)
        return FuncRef(lambda: value, lambda v: (_ for _ in ()).throw(interp.error("read-only", loc)))

    def m_nchild(self, interp, args, loc):
        return float(len(interp.model.tree.children(self.sec.name)))

    def m_has_parent(self, interp, args, loc):
        return float(self.sec.data.parent is not None)

    def m_has_trueparent(self, interp, args, loc):
        return float(self.sec.data.parent is not None)

    def m_exists(self, interp, args, loc):
        return float(self.sec.alive)

    def m_is_cas(self, interp, args, loc):
        return float(interp.model.current(interp, loc) is self.sec)


class PointProcessObject(BuiltinObject):
    """`new IClamp(0.5)`: a point process at the current section; parameters by name."""

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        self.info = interp.model.point_process_kind(name)
        self.pp = None
        self.preinit: dict[str, float] = {}  # STATEs/currents HOC set: read back, not given to the model
        if self.info.kind == "artificial":
            raise interp.refuse(f"{name} is an ARTIFICIAL_CELL; network objects are not supported yet", loc)
        if args:
            self._place(interp, args[0], loc)
        interp.model.point_processes.append(self)

    @property
    def sec(self):
        return self._sec if self.pp is not None else None

    def _place(self, interp, where, loc):
        if isinstance(where, Segment):
            sec, x = where.sec, where.x
        elif is_number(where):
            sec, x = interp.model.current(interp, loc), float(where)
        else:
            raise interp.error(f"{self.cls}: location must be x in [0, 1]", loc)
        if not 0.0 <= x <= 1.0:
            raise interp.error(f"{self.cls}: location {x:g} is outside [0, 1]", loc)
        tree = interp.model.tree
        interp.model.mutations += 1
        params = dict(self.pp.params) if self.pp is not None else {}
        if self.pp is not None:
            tree.point_processes.remove(self.pp)
        self.pp = tree.add_point_process(self.cls, sec.name, x, label=str(self), **params)
        self._sec = sec

    def hoc_ref(self, interp, name, indices, loc):
        if name not in self.info.range_names:
            raise interp.error(f"{name} is not a variable of {self.cls}", loc)
        if indices:
            raise interp.error(f"{self.cls}.{name} is not an array", loc)

        initialized = lambda: getattr(interp.model, "initialized", None) is not None  # noqa: E731

        def get():
            if self.pp is not None and name in self.pp.params:
                return self.pp.params[name]
            if name in self.info.parameters:
                return self.info.parameters[name]
            if initialized():  # NEURON computed it in finitialize
                raise interp.error(f"{self}.{name} is computed by {self.cls} (NEURON has its value once "
                                   "finitialize() ran); bridge does not evaluate point processes while the HOC "
                                   "runs, so it has no value for it", loc)
            return self.preinit.get(name, 0.0)  # what HOC set, or NEURON's 0 before any finitialize()

        def set_(v):
            if not is_number(v):
                raise interp.error(f"{self.cls}.{name} must be a number", loc)
            if self.pp is None:
                raise interp.error(f"{self} has no location; call .loc(x) first", loc)
            interp.model.mutations += 1
            if name in self.info.recomputed:  # a STATE or current: finitialize()/BREAKPOINT overwrite it
                if initialized():
                    interp.model.after_init.append(f"{self}.{name} = ... at {loc}")
                self.preinit[name] = float(v)
                return
            self.pp.params[name] = float(v)

        ref = FuncRef(get, set_)
        ref.what = ("pp", self, name)  # for Vector.record(&clamp.i)
        return ref

    def m_loc(self, interp, args, loc):
        if not args:
            raise interp.error("loc(x) needs x", loc)
        self._place(interp, args[0], loc)
        return float(args[0]) if is_number(args[0]) else args[0].x

    def m_get_loc(self, interp, args, loc):
        if self.pp is None:
            raise interp.error(f"{self} has no location", loc)
        interp.model.push(self._sec)
        nseg = self._sec.data.nseg
        x = self.pp.x
        return x if x in (0.0, 1.0) else (self._sec.data.segment(x) + 0.5) / nseg

    def m_has_loc(self, interp, args, loc):
        return float(self.pp is not None)


class GuiObject(BuiltinObject):
    """A GUI class (Graph, Shape, VBox, ...): accepted, not executed, reported in one warning."""

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        # NEURON with a display calls define_shape() for Shape/PlotShape; batch NEURON (no
        # display), which bridge matches, does not.
        interp.model.gui_calls.setdefault(name, loc)

    def hoc_ref(self, interp, name, indices, loc):
        return FuncRef(lambda: 0.0, lambda v: None)

    def hoc_call(self, interp, name, args, loc):
        interp.model.gui_calls.setdefault(f"{self.cls}.{name}", loc)
        return 0.0


class Refused(BuiltinObject):
    """Classes a model must not use in bridge (files, Python, random streams)."""


__all__ = ["Vector", "HocList", "SectionList", "SectionRef", "PointProcessObject", "GuiObject", "NumVar"]
