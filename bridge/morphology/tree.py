"""SectionTree: a model's geometry and membrane as plain data, built the way NEURON users think.

A `SectionTree` holds named sections (creation order kept, as NEURON keeps it),
their connections (with the order in which they were made, which decides
NEURON's node order), per-segment range values of inserted mechanisms and the
point processes. It knows nothing about solving; `bridge.morphology.nodes`
turns it into NEURON's node layout.

Units: lengths and diameters [um], Ra [ohm cm], cm [uF/cm2].
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from bridge.errors import BridgeError, SourceLocation

# NEURON's defaults for a new section (membdef.h).
DEFAULT_L = 100.0  # [um]
DEFAULT_DIAM = 500.0  # [um]
DEFAULT_RA = 35.4  # [ohm cm]
DEFAULT_CM = 1.0  # [uF/cm2]


def segment_index(x: float, nseg: int) -> int:
    """Index of the segment that contains x in (0, 1), as NEURON's `node_index` (clamped to nseg-1)."""
    return min(max(int(nseg * x), 0), nseg - 1)


def resample(values: np.ndarray, nseg: int) -> np.ndarray:
    """Per-segment `values` carried over to `nseg` segments: each new segment takes the
    value of the old segment that contains its centre (what NEURON does when nseg changes).
    Segments not set (masked) stay not set."""
    old = len(values)
    idx = [segment_index((j + 0.5) / nseg, old) for j in range(nseg)]
    if isinstance(values, np.ma.MaskedArray):
        return values.astype(float)[idx]
    return np.asarray(values, dtype=float)[idx]


def not_set(nseg: int) -> np.ma.MaskedArray:
    """Per-segment values of a range variable no segment has set yet: every segment masked.

    A masked segment takes the mechanism's default when the model is built; NaN is a value
    like any other (NEURON computes with it), never a marker for "default"."""
    return np.ma.array(np.full(nseg, math.nan), mask=np.ones(nseg, bool))


def filled(values, default: float) -> np.ndarray:
    """Per-segment `values` (a plain or masked array) as a new plain array, `default` where not set."""
    if not isinstance(values, np.ma.MaskedArray):  # no masked array built: a live run fills every value per step
        return np.array(values, dtype=float)
    out = np.array(values.data, dtype=float)
    out[np.ma.getmaskarray(values)] = float(default)
    return out


def is_set(values) -> np.ndarray:
    """Which segments of `values` (a plain or masked array) were set (not masked)."""
    if not isinstance(values, np.ma.MaskedArray):
        return np.ones(np.shape(values), bool)
    return ~np.ma.getmaskarray(values)


@dataclass(frozen=True)
class Origin:
    """Where a model file set a value: its location and the file's text (for the caret excerpt)."""

    location: SourceLocation
    source: str | None = None


MAX_NSEG = 32767  # NEURON's largest nseg (cabcode.cpp, nrn_change_nseg: "nseg too large")


@dataclass
class Section:
    """One unbranched cable. `diam`, `cm` and mechanism values are per segment (length nseg).

    `pt3d` is an (n, 4) array of x, y, z, diam [um] or None; with two or more
    points, L and the segment diameters come from it (see `bridge.morphology.nodes`).
    `mechanisms` maps a mechanism name (SUFFIX, or `na_ion` for ion variables)
    to its range variables: plain arrays (every segment set) or masked arrays whose
    masked segments were not set and take the mechanism's default (`not_set`, `filled`).
    `origin` says where a model file last set a cable value ("L", "Ra", "diam", "cm",
    "nseg", "pt3d"; "pt3d nonfinite": a 3-D point that is not finite), so that a bad
    value is reported at its file:line.
    """

    name: str
    nseg: int = 1
    L: float = DEFAULT_L
    Ra: float = DEFAULT_RA
    diam: np.ndarray = field(default_factory=lambda: np.full(1, DEFAULT_DIAM))
    cm: np.ndarray = field(default_factory=lambda: np.full(1, DEFAULT_CM))
    pt3d: np.ndarray | None = None
    parent: str | None = None
    parent_x: float = 1.0
    child_end: float = 0.0
    connect_serial: int = -1
    mechanisms: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # NEURON's `pt3dstyle(1, x, y, z)`: the logical connection point [um] (display only;
    # it changes neither L, area nor ri). None is `pt3dstyle(0)`.
    logical_connection: tuple[float, float, float] | None = None
    # The arc lengths [um] NEURON keeps for the 3-D points when they are not the points' own
    # float32 distances summed in double: after `L = ...` on a section with 3-D points (arcs
    # scaled) and after define_shape() (last arc set to L). None: computed from the points.
    arc3d: np.ndarray | None = None
    origin: dict[str, Origin] = field(default_factory=dict)
    # NEURON's ion style bitmap (eion.cpp) by ion ("ca"), where the model set one with `ion_style()`;
    # it replaces the style the section's mechanisms promote (bridge.mechanisms.ions.style_bits).
    # NEURON keeps it on every segment when nseg changes.
    ion_styles: dict[str, int] = field(default_factory=dict)
    # Per segment, the levels a point process promoted an ion's style to on its node, kept by the node and
    # copied to the nodes cloned from it when nseg changed (solve.cpp node_realloc): conc + 4 * rev, with
    # conc and rev 0, 1 (read) or 3 (written) as bridge.mechanisms.ions.promotion gives them.
    ion_promoted: dict[str, np.ndarray] = field(default_factory=dict)
    # (mechanism, POINTER name, segment index) -> (section, x, mechanism, variable) it reads, as
    # PointProcess.pointers (HOC's `setpointer a.vgap_gapd(0.5), b.v(0.5)`)
    pointers: dict[tuple[str, str, int], tuple[str, float, str, str]] = field(default_factory=dict)

    def set_nseg(self, nseg: int) -> None:
        """Change nseg (truncated to an integer, as NEURON does), carrying range values over as NEURON does."""
        if not math.isfinite(nseg) or not 1 <= int(nseg) <= MAX_NSEG:
            raise BridgeError(f"{self.name}: nseg must be an integer from 1 to {MAX_NSEG}, got {nseg:g}")
        nseg = int(nseg)
        if nseg == self.nseg:
            return
        self.diam = resample(self.diam, nseg)
        self.cm = resample(self.cm, nseg)
        for values in self.mechanisms.values():
            for name in values:
                values[name] = resample(values[name], nseg)
        for ion, levels in self.ion_promoted.items():
            self.ion_promoted[ion] = resample(levels, nseg).astype(np.int64)
        self.pointers.clear()  # NEURON makes the segments' mechanisms anew: their POINTERs point nowhere
        self.nseg = nseg

    def segment(self, x: float) -> int:
        return segment_index(x, self.nseg)

    def segment_centres(self) -> np.ndarray:
        """x of each segment centre, (j + 0.5)/nseg."""
        return (np.arange(self.nseg) + 0.5) / self.nseg

    def has_pt3d(self) -> bool:
        return self.pt3d is not None and len(self.pt3d) >= 2

    def insert(self, mechanism: str, **values: float) -> None:
        """Insert a mechanism (idempotent, like NEURON's `insert`) and set whole-section values."""
        self.mechanisms.setdefault(mechanism, {})
        for name, value in values.items():
            self.set_range(mechanism, name, value)

    def uninsert(self, mechanism: str) -> None:
        self.mechanisms.pop(mechanism, None)
        self.pointers = {k: t for k, t in self.pointers.items() if k[0] != mechanism}

    def set_range(self, mechanism: str, name: str, value: float, x: float | None = None) -> None:
        """Set a mechanism range variable on the whole section (x None) or on the segment at x."""
        if mechanism not in self.mechanisms:
            raise BridgeError(f"{self.name}: mechanism {mechanism!r} is not inserted")
        if x is None:
            self.mechanisms[mechanism][name] = np.full(self.nseg, float(value))
        else:
            values = self.mechanisms[mechanism].get(name)
            if values is None:  # built only when missing (a masked array is costly in HOC loops)
                values = self.mechanisms[mechanism][name] = not_set(self.nseg)
            values[self.segment(x)] = value

    def get_range(self, mechanism: str, name: str, default: float) -> np.ndarray:
        """Per-segment values of a range variable, `default` on the segments where it was not set."""
        values = self.mechanisms.get(mechanism, {}).get(name)
        return np.full(self.nseg, float(default)) if values is None else filled(values, default)

    def is_set(self, mechanism: str, name: str) -> np.ndarray:
        """Per segment: whether the range variable was set (False where the mechanism's default applies)."""
        values = self.mechanisms.get(mechanism, {}).get(name)
        return np.zeros(self.nseg, bool) if values is None else is_set(values)


@dataclass
class PointProcess:
    """A point process (IClamp, ExpSyn, ...) at (section, x) with its parameter values."""

    name: str
    section: str
    x: float
    params: dict[str, float] = field(default_factory=dict)
    label: str = ""
    # POINTER name -> (section, x, mechanism, variable) it reads: ("b", 0.5, "", "v") for HOC's
    # `setpointer pp.vgap, b.v(0.5)`, ("b", 0.5, "ca_ion", "cai"), ("b", 0.5, "hh", "m")
    pointers: dict[str, tuple[str, float, str, str]] = field(default_factory=dict)
    # RANGE variable -> (section, x) whose v ParallelContext's transfer copies into it (bridge.hoc.partrans)
    transfers: dict[str, tuple[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class FunctionTable:
    """Values of an NMODL FUNCTION_TABLE, as HOC's `table_<name>_<suffix>(...)` gives them
    (src/oc/functabl.cpp `hoc_spec_table`): `values` flat in row order, and per argument
    (size, abscissae or None, min, max): abscissae given, or `size` points evenly from min to max."""

    values: np.ndarray
    axes: tuple[tuple[int, np.ndarray | None, float, float], ...]

    def digest_parts(self) -> tuple[list, bytes]:
        """(the axes' sizes and ranges, the values' and abscissae's bytes): what a digest of the table takes."""
        shape = [(n, lo, hi) for n, _, lo, hi in self.axes]
        return shape, self.values.tobytes() + b"".join(a.tobytes() for _, a, _, _ in self.axes if a is not None)


@dataclass
class FStim:
    """NEURON's old stimulus (`fstim(i, loc, delay, duration, amp)`, src/nrnoc/fstim.cpp): a current pulse
    of `amp` [nA] at (section, x), on while delay - 1e-9 <= t <= delay + duration - 1e-9 [ms]."""

    section: str
    x: float
    delay: float
    duration: float
    amp: float


@dataclass
class LinearMech:
    """NEURON's LinearMechanism (src/nrniv/linmod.cpp, nrndae.cpp; `bridge.solver.linear_mechanism`):
    `c dy/dt + g y = b` added to the cable equations. Row and column i < len(sites) is the membrane
    potential of the node at sites[i] = (section, x) (its row adds to that node's equation, in mA/cm2 and
    S/cm2 as the node's own terms); the other rows are extra states, starting at `y0` at finitialize.
    `c`, `g`: (s, s); `b`, `y0`: (s,). `layers[i]` (nrndae.cpp `elayer_`): 0 the internal potential (v +
    vext[0] with extracellular), k > 0 the extracellular layer vext[k-1] of that node; empty: all 0."""

    c: np.ndarray
    g: np.ndarray
    b: np.ndarray
    y0: np.ndarray
    sites: tuple[tuple[str, float], ...]
    layers: tuple[int, ...] = ()


class SectionTree:
    """Sections, their connections, mechanisms and point processes of one or more cells."""

    def __init__(self) -> None:
        self.sections: dict[str, Section] = {}
        self.point_processes: list[PointProcess] = []
        self.fstims: list[FStim] = []  # fstim's placed stimuli in index order (solver.fstim)
        self.linear_mechanisms: list[LinearMech] = []  # LinearMechanisms in creation order (solver.linear_mechanism)
        self.function_tables: dict[str, FunctionTable] = {}  # "<name>_<suffix>" -> its values (FUNCTION_TABLE)
        # mechanism -> {file LOCAL or GLOBAL ASSIGNED: value (a float, or a tuple for an array)}: NEURON's one C
        # variable as HOC's call of a PROCEDURE left it before the first finitialize() (bridge.hoc.call_memory)
        self.mechanism_memory: dict[str, dict[str, float | tuple[float, ...]]] = {}
        self._serial = 0
        # NEURON's `sec->child` sibling lists (parent name -> child names), kept the way
        # cabcode.cpp keeps them: ordered by connection position from the parent's
        # connection end, last-connected first among equal positions, reversed when a
        # section's orientation flips. `children()` falls back to that rule without history.
        self._siblings: dict[str, list[str]] = {}

    # -- building ---------------------------------------------------------------
    def section(self, name: str, *, L: float | None = None, diam: float | None = None, nseg: int = 1,
                Ra: float | None = None, cm: float | None = None) -> Section:
        """Create a section (NEURON's `create`); keyword values as NEURON's defaults otherwise. As NEURON's
        Python API (`h.Section`), L and Ra must be > 0 (a diameter <= 0 is refused when the model is built)."""
        if name in self.sections:
            raise BridgeError(f"section {name!r} already exists")
        for key, value in (("L", L), ("Ra", Ra)):
            if value is not None and not float(value) > 0:  # NaN too
                raise BridgeError(f"section {name}: {key} must be > 0, got {float(value):g}")
        sec = Section(name=name)
        self.sections[name] = sec
        if nseg != 1:
            sec.set_nseg(nseg)
        if L is not None:
            sec.L = float(L)
        if diam is not None:
            sec.diam[:] = diam
        if Ra is not None:
            sec.Ra = float(Ra)
        if cm is not None:
            sec.cm[:] = cm
        return sec

    def connect(self, child: str | Section, parent: str | Section, parent_x: float = 1.0,
                child_end: float = 0.0) -> None:
        """`connect child(child_end), parent(parent_x)`; child_end is 0 or 1."""
        child_sec, parent_sec = self[child], self[parent]
        if child_end not in (0, 0.0, 1, 1.0):
            raise BridgeError(f"connect: the child end of {child_sec.name} must be 0 or 1, got {child_end}")
        if not 0.0 <= parent_x <= 1.0:
            raise BridgeError(f"connect: parent location {parent_x} of {parent_sec.name} is outside [0, 1]")
        node: Section | None = parent_sec
        while node is not None:
            if node is child_sec:
                raise BridgeError(f"connect: {child_sec.name} to {parent_sec.name} would make a loop")
            node = self.sections[node.parent] if node.parent else None
        siblings = self._siblings
        if child_sec.parent is not None:
            self._remove_sibling(child_sec)
        if child_sec.child_end != float(child_end):  # orientation flips: NEURON reverses the child list
            siblings[child_sec.name] = siblings.get(child_sec.name, [])[::-1]
        child_sec.parent = parent_sec.name
        child_sec.parent_x = float(parent_x)
        child_sec.child_end = float(child_end)
        child_sec.connect_serial = self._serial
        self._serial += 1
        kids = siblings.setdefault(parent_sec.name, [])
        pos = self._connection_distance(child_sec)
        at = next((i for i, k in enumerate(kids)
                   if k in self.sections and pos <= self._connection_distance(self.sections[k])), len(kids))
        kids.insert(at, child_sec.name)

    def _connection_distance(self, sec: Section) -> float:
        """Where `sec` attaches, measured from its parent's own connection end (NEURON's `ncp_abs`)."""
        if sec.parent is not None and self.sections[sec.parent].child_end == 1.0:
            return 1.0 - sec.parent_x
        return sec.parent_x

    def _remove_sibling(self, sec: Section) -> None:
        kids = self._siblings.get(sec.parent or "", [])
        if sec.name in kids:
            kids.remove(sec.name)

    def disconnect(self, name: str | Section) -> None:
        """Make a section a root. As in NEURON, it keeps its orientation (`child_end`: a
        section that was connected by its 1-end stays reversed) and its `parent_x`."""
        sec = self[name]
        self._remove_sibling(sec)
        sec.parent, sec.connect_serial = None, -1

    def delete(self, name: str | Section) -> None:
        """Delete a section; its children become roots (as NEURON's `delete_section`)."""
        sec = self[name]
        for child in self.children(sec.name):
            self.disconnect(child)
        if sec.parent is not None:
            self._remove_sibling(sec)
        self._siblings.pop(sec.name, None)
        del self.sections[sec.name]
        self.point_processes = [pp for pp in self.point_processes if pp.section != sec.name]
        self.fstims = [st for st in self.fstims if st.section != sec.name]  # fstim.cpp stim_record drops them

    def rename(self, old: str, new: str) -> None:
        """Give section `old` the name `new`, keeping its place in creation order, its connections and
        its point processes (NEURON's SectionRef.unname/rename move a section between names)."""
        if new in self.sections:
            raise BridgeError(f"rename: section {new!r} already exists")
        sec = self[old]
        self.sections = {(new if k == old else k): v for k, v in self.sections.items()}
        sec.name = new
        for other in self.sections.values():
            if other.parent == old:
                other.parent = new
        self._siblings = {(new if k == old else k): [new if c == old else c for c in kids]
                          for k, kids in self._siblings.items()}
        for pp in self.point_processes:
            if pp.section == old:
                pp.section = new

    def set_child_order(self, name: str | Section, children: list[str]) -> None:
        """Give a section's children NEURON's sibling order as read from a live NEURON
        (`SectionRef.child`), which depends on the history of connects and deletes."""
        sec = self[name]
        have = sorted(s.name for s in self.sections.values() if s.parent == sec.name)
        if sorted(children) != have:
            raise BridgeError(f"set_child_order: {children} are not the children of {sec.name} ({have})")
        self._siblings[sec.name] = list(children)

    def add_point_process(self, name: str, section: str | Section, x: float = 0.5, label: str = "",
                          **params: float) -> PointProcess:
        pp = PointProcess(name=name, section=self[section].name, x=float(x), params=dict(params), label=label)
        self.point_processes.append(pp)
        return pp

    # -- queries ------------------------------------------------------------------
    def __getitem__(self, name: str | Section) -> Section:
        if isinstance(name, Section):
            return name
        try:
            return self.sections[name]
        except KeyError:
            raise BridgeError(f"no section named {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.sections

    def __iter__(self) -> Iterator[Section]:
        return iter(self.sections.values())

    def __len__(self) -> int:
        return len(self.sections)

    def roots(self) -> list[Section]:
        """Sections without a parent, in creation order."""
        return [s for s in self.sections.values() if s.parent is None]

    def children(self, name: str) -> list[Section]:
        """Children of a section in NEURON's sibling order (`sec->child`): by connection
        position measured from the section's own connection end, last-connected first
        among children at the same position."""
        return self._sibling_order(name, [s for s in self.sections.values() if s.parent == name])

    def all_children(self) -> dict[str, list[Section]]:
        """`children(name)` of every section, found in one pass (for whole-tree walks)."""
        kids: dict[str, list[Section]] = {name: [] for name in self.sections}
        for sec in self.sections.values():
            if sec.parent is not None:
                kids[sec.parent].append(sec)
        return {name: self._sibling_order(name, found) for name, found in kids.items()}

    def _sibling_order(self, name: str, kids: list[Section]) -> list[Section]:
        listed = self._siblings.get(name, [])
        if sorted(listed) == sorted(s.name for s in kids):
            return [self.sections[k] for k in listed]
        return sorted(kids, key=lambda s: (self._connection_distance(s), -s.connect_serial))

    def mechanism_names(self) -> list[str]:
        """Every mechanism inserted somewhere or used as a point process, in first-use order."""
        names: dict[str, None] = {}
        for sec in self.sections.values():
            names.update(dict.fromkeys(sec.mechanisms))
        names.update(dict.fromkeys(pp.name for pp in self.point_processes))
        return list(names)

    def set_pt3d(self, name: str | Section, points: np.ndarray | list) -> None:
        """Replace a section's 3-D points, an (n, 4) array of x, y, z, diam [um]."""
        pts = np.asarray(points, dtype=float).reshape(-1, 4)
        self[name].pt3d = pts if len(pts) else None

    def copy(self) -> SectionTree:
        import copy

        return copy.deepcopy(self)
