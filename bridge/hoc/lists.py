"""NEURON's lists and section references: List (objects), SectionList (sections), SectionRef.

List and SectionList items are charged to the session's memory as the lists grow
(`bridge.hoc.budget.REFERENCE_BYTES` an item, reserved in doublings).
"""

from __future__ import annotations

from bridge.errors import HocError
from bridge.hoc import budget, secrename
from bridge.hoc.arguments import number_arg, string_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.split_state import refuse_while_split
from bridge.hoc.values import FuncRef, Sec, Segment, StrVar


class HocList(BuiltinObject):
    """NEURON's List: object references, charged to the session's memory as they grow."""

    cls = "List"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self._items: list = []
        self._view = None  # List("Name"): () -> every object of Name that exists now
        if args and isinstance(args[0], (str, StrVar)):
            self._view = instances_of(interp, args[0].value if isinstance(args[0], StrVar) else args[0], loc)

    @property
    def items(self) -> list:
        """The objects in the list; for `List("Name")` the objects of Name as they are now."""
        return self._view() if self._view is not None else self._items

    def _mutable(self, interp, name, loc) -> None:
        if self._view is not None:
            raise interp.refuse(f"List.{name}() on a List(\"template\"): NEURON's list of a template's objects "
                                "changes as objects are made and destroyed, and bridge does not reproduce what "
                                "adding or removing by hand does to it", loc)

    def m_append(self, interp, args, loc):
        self._mutable(interp, "append", loc)
        if len(self.items) * budget.REFERENCE_BYTES >= self._charge.bytes:
            _grow(interp, self._charge, 2 * len(self.items) + 1, loc, "a List")
        self.items.append(args[0])
        return float(len(self.items))

    def m_count(self, interp, args, loc):
        return float(len(self.items))

    def m_object(self, interp, args, loc):
        i = int(number_arg(interp, args, 0, loc, "object"))
        if not 0 <= i < len(self.items):
            raise interp.error(f"List.object({i}) is outside the list (count {len(self.items)})", loc)
        return self.items[i]

    def m_o(self, interp, args, loc):
        return self.m_object(interp, args, loc)

    def m_remove(self, interp, args, loc):
        self._mutable(interp, "remove", loc)
        del self.items[int(number_arg(interp, args, 0, loc, "remove"))]
        return 0.0

    def m_remove_all(self, interp, args, loc):
        self._mutable(interp, "remove_all", loc)
        self.items.clear()
        return 0.0

    def m_index(self, interp, args, loc):
        interp.work(len(self.items), loc)
        return float(next((i for i, o in enumerate(self.items) if o is args[0]), -1))

    def m_insrt(self, interp, args, loc):
        """`list.insrt(i, obj)`: obj before item i; returns the new count."""
        self._mutable(interp, "insrt", loc)
        i = int(number_arg(interp, args, 0, loc, "insrt"))
        if not 0 <= i <= len(self.items):
            raise interp.error(f"List.insrt({i}) is outside the list (count {len(self.items)})", loc)
        self.m_append(interp, [None], loc)  # charges the memory
        self.items.pop()
        self.items.insert(i, args[1])
        return float(len(self.items))

    def m_prepend(self, interp, args, loc):
        return self.m_insrt(interp, [0.0, args[0]], loc)

    def m_select(self, interp, args, loc):
        """`list.select(i)`: selects in the list's browser window; without one (batch NEURON) nothing."""
        number_arg(interp, args, 0, loc, "select")
        return 1.0

    def m_selected(self, interp, args, loc):
        """No browser window, no selection: -1, as batch NEURON answers."""
        return -1.0

    def _gui(self, name):
        def call(interp, args, loc):
            interp.model.gui_calls.setdefault(f"List.{name}", loc)
            return 0.0
        return call

    def __getattr__(self, name):
        if name in ("m_browser", "m_select_action", "m_accept_action", "m_scroll_pos"):
            return self._gui(name[2:])
        raise AttributeError(name)


def instances_of(interp, name: str, loc):
    """`List("Name")` (NEURON's List constructor with a template name, ivoc/oclist.cpp): a function giving
    every object of the template, built-in class or point process `Name` that exists when it is called,
    in the order they were made. NEURON keeps such a list up to date as objects are made and destroyed.
    Objects die when HOC drops them, as in NEURON (built-in objects with Python's reference counts, template
    objects and point processes by `bridge.hoc.lifetimes.collect`, run here first)."""
    from bridge.hoc.lifetimes import collect

    template = interp.templates.get(name)
    if template is not None:
        return lambda: (collect(interp), list(template.instances))[1]
    kind = interp.model.point_process_kind(name)
    if kind is not None and kind.kind == "artificial":  # NetStim, IntFire1, ...: no section (bridge.hoc.netcon)
        from bridge.hoc.netcon import events_of

        cells = events_of(interp.model).cells
        return lambda: (collect(interp), [c for _, c in sorted(cells.items()) if c.cls == name])[1]
    if kind is not None:
        return lambda: (collect(interp), [p for p in interp.model.point_processes if p.cls == name])[1]
    if name in interp.classes:
        registry = interp.objects
        return lambda: [obj for _, obj in sorted(registry.live.get(name, {}).items())]
    raise interp.error(f"{name} is not a template name", loc)


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
        refuse_while_split(interp, "SectionList.wholetree()", loc)
        tree = interp.model.tree
        sec = interp.model.current(interp, loc)
        root = sec.data
        while root.parent is not None:
            root = tree[root.parent]
        self._add(interp, _breadth_first(interp, root.name, loc), loc)
        return 1.0

    def m_subtree(self, interp, args, loc):
        refuse_while_split(interp, "SectionList.subtree()", loc)
        sec = interp.model.current(interp, loc)
        self._add(interp, _breadth_first(interp, sec.name, loc), loc)
        return 1.0

    def m_allroots(self, interp, args, loc):
        refuse_while_split(interp, "SectionList.allroots()", loc)
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
        if name in ("parent", "trueparent", "root", "child"):
            refuse_while_split(interp, f"SectionRef.{name}", loc)
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

        def read_only(v):
            raise interp.error("read-only", loc)

        return FuncRef(lambda: value, read_only)

    def m_sec(self, interp, args, loc):
        """`sref.sec(x)`: the segment at x (`connect sref.sec(0), 1`)."""
        x = number_arg(interp, args, 0, loc, "SectionRef.sec")
        if not 0.0 <= x <= 1.0:
            raise interp.error(f"arc position {x:g} is outside [0, 1]", loc)
        return Segment(self.sec, x)

    def m_unname(self, interp, args, loc):
        return secrename.unname(interp, self.sec, loc)

    def m_rename(self, interp, args, loc):
        """`sref.rename("name")`, or `sref.rename("name", list)` for an array of the list's sections."""
        name = string_arg(interp, args, 0, loc, "SectionRef.rename")
        if len(args) < 2:
            return secrename.rename(interp, [self.sec], name, False, loc)
        items = getattr(args[1], "items", None)
        if not items or not all(isinstance(o, SectionRef) for o in items):
            raise interp.error("SectionRef.rename(name, list): the list must hold SectionRefs", loc)
        return secrename.rename(interp, [o.sec for o in items], name, True, loc)

    def m_nchild(self, interp, args, loc):
        refuse_while_split(interp, "SectionRef.nchild()", loc)
        return float(len(interp.model.tree.children(self.sec.name)))

    def m_has_parent(self, interp, args, loc):
        refuse_while_split(interp, "SectionRef.has_parent()", loc)
        return float(self.sec.data.parent is not None)

    def m_has_trueparent(self, interp, args, loc):
        refuse_while_split(interp, "SectionRef.has_trueparent()", loc)
        return float(self.sec.data.parent is not None)

    def m_exists(self, interp, args, loc):
        return float(self.sec.alive)

    def m_is_cas(self, interp, args, loc):
        return float(interp.model.current(interp, loc) is self.sec)
