"""Run-time values of the HOC interpreter: variables, sections, procedures, objects.

HOC values are numbers (float), strings (str), object references (a `HocObject`,
a built-in object, or None for NULLobject), sections (`Sec`) and segments
(`Segment`, a section at an arc position x in [0, 1]). Variables hold them (`NumVar`,
`StrVar`, `ObjVar`, `SecVar`); a `Ref` reads and assigns one place that holds a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bridge.errors import SourceLocation
from bridge.hoc import ast
from bridge.hoc.bindings import GlobalVar, RangeVar
from bridge.hoc.budget import text_bytes
from bridge.hoc.ref_drops import RefList, matters, note
from bridge.hoc.template_vars import assigned_scalars
from bridge.morphology.nodes import pt3d_float32
from bridge.morphology.tree import Section


class NumVar:
    """`x` or `double x[3][2]`: numbers, stored flat (float64)."""

    lifetime_relevant = False  # holds no object (bridge.hoc.ref_drops)

    def __init__(self, dims: tuple[int, ...] = (), value: float = 0.0):
        self.dims = dims
        self.data = np.full(max(math.prod(dims), 1), float(value))


class StrVar:
    """`strdef s`: a string variable, passed by reference to procedures. With a `charge`
    (bridge.hoc.budget) every value assigned counts against the session's memory."""

    def __init__(self, value: str = "", charge=None):
        self._charge = charge
        self._value = ""
        self.value = value

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, text: str) -> None:
        if self._charge is not None:
            self._charge.resize(text_bytes(text), f"a string of {len(text)} characters")
        self._value = text


class ObjVar:
    """`objref o` or `objref o[4]`: object references (None is NULLobject). Its elements leaving (overwritten,
    or the variable freed) are noted for the lifetimes pass (bridge.hoc.ref_drops)."""

    def __init__(self, dims: tuple[int, ...] = ()):
        self.dims = dims
        self._data = RefList([None] * max(math.prod(dims), 1))

    @property
    def data(self) -> list[Any]:
        return self._data

    @data.setter
    def data(self, values: list[Any]) -> None:
        if matters(list(self._data)):
            note()
        self._data = RefList(values)

    @property
    def lifetime_relevant(self) -> bool:
        """Whether an element may hold a template object or point process up (bridge.hoc.ref_drops)."""
        return any(map(matters, self._data))

    def __del__(self) -> None:
        if self.lifetime_relevant:  # its elements lose this reference
            note()


class SecVar:
    """`create soma` or `create dend[4]`: a name for one or more sections."""

    lifetime_relevant = False  # holds sections, no object (bridge.hoc.ref_drops)

    def __init__(self, dims: tuple[int, ...] = ()):
        self.dims = dims
        self.data: list[Sec | None] = [None] * (math.prod(dims) if dims else 1)


class Ref:
    """Something that can be read and assigned (a variable element, a range value, ...).
    `what` says what it points at, for `Vector.record(&...)` (a `RecordTarget`), or None."""

    what: RecordTarget | None = None

    def get(self):  # pragma: no cover - interface
        raise NotImplementedError

    def set(self, value):  # pragma: no cover - interface
        raise NotImplementedError


class ElemRef(Ref):
    """Element `i` of a `NumVar` or `ObjVar`."""

    def __init__(self, var: NumVar | ObjVar, i: int):
        self.var, self.i = var, i

    def get(self):
        return float(self.var.data[self.i]) if isinstance(self.var, NumVar) else self.var.data[self.i]

    def set(self, value):
        self.var.data[self.i] = value


class StrRef(Ref):
    """A `StrVar`'s value."""

    def __init__(self, var: StrVar):
        self.var = var

    def get(self):
        return self.var.value

    def set(self, value):
        self.var.value = value


class FuncRef(Ref):
    """A place read and assigned by two functions: `getter()` and `setter(value)`."""

    def __init__(self, getter: Callable[[], Any], setter: Callable[[Any], Any], what: RecordTarget | None = None):
        self.get, self.set = getter, setter
        self.what = what


class External:
    """A template's `external name`: the name is looked up at top level."""


@dataclass
class Proc:
    """A HOC `proc`, `func`, `obfunc` or `iterator` (owner: the template that defines it)."""

    kind: str
    name: str
    body: ast.Block
    owner: Template | None = None


@dataclass(frozen=True)
class LibraryName:
    """A name NEURON's library declares that bridge does not have (stdrun.hoc's procedure `step`, its template
    `NEURONMainMenu`, its List `flush_list`): declared once the file is loaded (bridge.hoc.stdrun_names), so that
    HOC cannot use the name as a variable, as NEURON refuses it; `file` is the library file that defines it,
    `kind` what it is there ("procedure", "template", "object", "string")."""

    name: str
    file: str
    kind: str = "procedure"


@dataclass
class Builtin:
    """A function implemented in Python: fn(interp, args, loc) -> value."""

    name: str
    fn: Callable


class Template:
    """A user template (`begintemplate Name ... endtemplate Name`)."""

    def __init__(self, name: str, body: list[ast.Node], loc: SourceLocation):
        self.name = name
        self.body = body
        self.loc = loc
        self.count = 0
        self.instances: list[HocObject] = []
        self.public: set[str] = set()
        self.made_by_class = False  # objects come from the built-in class of this name (bridge.hoc.pointman)
        for node in body:
            if isinstance(node, ast.Public):
                self.public.update(node.names)
        self.scalars = assigned_scalars(body)  # made, 0, in each new object (bridge.hoc.template_vars)

    def make_object(self) -> HocObject:
        """A new, empty object of this template (`Name[count]`); its body has not run."""
        obj = HocObject(self, self.count)
        self.count += 1
        self.instances.append(obj)
        note()  # held by nothing yet: the lifetimes pass looks at it (bridge.hoc.ref_drops)
        return obj


class HocObject:
    """An instance of a user template: its own names, sections and procedures."""

    lifetime_relevant = True  # (a class attribute: a public member of that name is not read here)

    def __init__(self, template: Template, index: int):
        self.template = template
        self.index = index
        self.ns: dict[str, Any] = {}

    @property
    def hname(self) -> str:
        return f"{self.template.name}[{self.index}]"

    def __getattr__(self, name: str):
        """Public members from Python, as `neuron.h` objects give them (`cell.soma`, `cell.x`)."""
        if name.startswith("_") or name not in self.template.public:
            raise AttributeError(name)
        var = self.ns.get(name)
        if isinstance(var, NumVar):
            return float(var.data[0]) if not var.dims else var.data.reshape(var.dims).copy()
        if isinstance(var, StrVar):
            return var.value
        if isinstance(var, (ObjVar, SecVar)):
            return var.data[0] if not var.dims else list(var.data)
        raise AttributeError(f"{self.hname}.{name} is not a variable")

    def __repr__(self) -> str:
        return self.hname


class Sec:
    """A section as the interpreter sees it: the tree's `Section` plus its 3-D points
    kept in float32 and their arc lengths kept as NEURON keeps them (`nrn_pt3dmodified`
    updates arcs from the modified point on; L changes scale them; define_shape sets the
    last one to L), and the object that created it."""

    lifetime_relevant = False  # holds no object (its owner holds it: bridge.hoc.ref_drops)

    def __init__(self, data: Section, owner: HocObject | None = None):
        self.data = data
        self.owner = owner
        self.points: list[tuple[float, float, float, float]] = []
        self.arc: list[float] = []
        self.alive = True
        self._synced = True
        self.charge = None  # its memory (bridge.hoc.budget), for sections HOC's `create` made
        self.voltages: dict[int, float] = {}  # v [mV] by segment index, as HOC or finitialize() set it
        # STATEs and currents HOC assigned, by (mechanism, variable) then segment index: NEURON's
        # finitialize() overwrites them, so they are kept for HOC to read back, not given to the model
        self.preinit: dict[tuple[str, str], dict[int, float]] = {}

    @property
    def name(self) -> str:
        return self.data.name

    def modified(self, i0: int) -> None:
        """NEURON's nrn_pt3dmodified: arcs from point i0 on, in double from float32 differences."""
        n = len(self.points)
        del self.arc[n:]
        while len(self.arc) < n:
            self.arc.append(0.0)
        if n == 0:
            self._synced = False
            return
        if i0 <= 0:
            self.arc[0] = 0.0
            i0 = 1
        for i in range(i0, n):
            p, q = self.points[i - 1], self.points[i]
            t = [float(np.float32(q[k]) - np.float32(p[k])) for k in range(3)]
            self.arc[i] = self.arc[i - 1] + math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2])
        self._synced = False

    def pt3d_changed(self) -> None:
        self._synced = False

    def sync(self) -> None:
        """Copy the 3-D points into the tree section; L then is the last point's arc."""
        if self._synced:
            return
        self._synced = True
        if not self.points:
            self.data.pt3d = None
            self.data.arc3d = None
            return
        pts = np.array(self.points, dtype=np.float64).reshape(-1, 4)
        self.data.pt3d = pts
        self.data.L = float(self.arc[-1])
        own = pt3d_float32(pts)[1]
        self.data.arc3d = None if np.array_equal(own, np.array(self.arc)) else np.array(self.arc)

    def arcs(self) -> np.ndarray:
        return np.array(self.arc, dtype=float)

    def __getattr__(self, name: str):
        """`hoc.soma.L`, `hoc.soma.nseg`, `hoc.soma.mechanisms` from Python: the tree section's values."""
        if name.startswith("_") or name in ("data", "points", "arc", "owner", "alive", "charge", "voltages",
                                            "preinit"):
            raise AttributeError(name)
        self.sync()
        return getattr(self.data, name)

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Segment:
    """`soma(0.5)`: a section at arc position x."""

    lifetime_relevant = False  # (bridge.hoc.ref_drops)

    sec: Sec
    x: float


def f32(value: float) -> float:
    """A value rounded to float32 as NEURON stores 3-D point data."""
    return float(np.float32(value))


@dataclass(frozen=True)
class RangeTarget:
    """`&soma.v(0.5)`, `&dend[2].m_hh(0.3)`: a range variable of a section at arc position x."""

    sec: Sec
    var: RangeVar
    x: float


@dataclass(frozen=True)
class PointProcessTarget:
    """`&stim.i`: a variable of a point process (a `bridge.hoc.point_process.PointProcessObject`)."""

    obj: Any
    name: str


RecordTarget = RangeTarget | PointProcessTarget | GlobalVar  # what `Vector.record(&...)` records


@dataclass(frozen=True)
class IteratorBody:
    """The statement of `for iterator(args) statement` and the frame it runs in (its caller's)."""

    body: ast.Node
    caller: Frame


@dataclass
class Frame:
    """One running procedure: its arguments, locals and object, for error reports too."""

    name: str
    args: list[Any]
    obj: HocObject | None
    loc: SourceLocation | None
    locals: dict[str, Any] = field(default_factory=dict)
    iterator_body: IteratorBody | None = None  # while running an iterator
    arg_refs: list | None = None  # the caller's objref variable behind each argument, or None (`$o1 = ...`)


def is_number(value) -> bool:
    if type(value) is float:  # the common case first
        return True
    return isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool)


def truth(value) -> bool:
    if is_number(value):
        return float(value) != 0.0
    return value is not None


def fmt_number(value: float) -> str:
    """A number as HOC prints it (`%g`)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"
