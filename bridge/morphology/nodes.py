"""NEURON's node layout: which nodes a SectionTree has, in which order, with which area and axial coupling.

This reproduces what NEURON 9.0.2 builds in `setup_topology`, `reorder_secorder`,
`nrn_area_ri` and `connection_coef` (docs/numerics.md, section 1):

* one root node per cell first (roots in creation order), then every section's
  `pnode[0..nseg]`, sections breadth-first from each root, children in NEURON's
  sibling order (`SectionTree.children`);
* `pnode[j]`, j < nseg, is the centre of a segment and carries the membrane;
  `pnode[nseg]` is the far end (area 100, no membrane); the near end is the
  parent's node (`nrn_parent_info`);
* a section connected by its 1-end (`connect child(1), parent(x)`) is reversed:
  `pnode[0]` is the segment at x = 1 - 0.5/nseg, `pnode[nseg]` is the x=0 end,
  and 3-D points are integrated from the first point on (NEURON's pt3d arc runs
  from the connection end of a reversed section).

Units: lengths and diameters [um], area [um2], rinv [uS], Ra [ohm cm],
cm [uF/cm2], a and b [S/cm2] on membrane rows, [uS] on the zero-area rows.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from bridge.errors import BridgeError
from bridge.morphology.cablecheck import cable_error, check_cable, check_geometry, geometry_fields, segment_x
from bridge.morphology.tree import Section, SectionTree, segment_index

PI = 3.14159265358979323846
ZERO_AREA = 100.0  # NEURON's area of the root and 1-end nodes (Node::Area default, "1e2 in dimensionless units")


@dataclass(frozen=True)
class NodeLayout:
    """NEURON's nodes of a SectionTree, as numpy arrays indexed by node (NEURON's `v_node_index`).

    Per node: `parent` (-1 on root nodes; parent < child), `area` [um2], `rinv` [uS]
    (1/`h.ri`, 0 on root nodes), `a`, `b` (NEURON's `connection_coef`; 0 on roots),
    `cm` [uF/cm2] (0 without membrane), `has_membrane` (segment centres), `diam` [um]
    (segment diameter, the pt3d mean where there are 3-D points; 0 without membrane),
    `section` (index into `section_names`), `segment` (index of the segment in the
    section's own x order, i.e. into `Section.diam`; -1 for root and end nodes),
    `x` (NEURON's arc position of the node in its section).

    Per section (indexed like `section_names`, creation order): `L` [um], `nseg`,
    `first` (node of `pnode[0]`), `parent_node` (NEURON's `parentnode`),
    `reversed` (connected by its 1-end).
    """

    parent: np.ndarray
    area: np.ndarray
    rinv: np.ndarray
    a: np.ndarray
    b: np.ndarray
    cm: np.ndarray
    has_membrane: np.ndarray
    diam: np.ndarray
    section: np.ndarray
    segment: np.ndarray
    x: np.ndarray
    ncell: int
    section_names: tuple[str, ...]
    L: np.ndarray
    nseg: np.ndarray
    first: np.ndarray
    parent_node: np.ndarray
    reversed: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(self.section_names)})

    @property
    def nnode(self) -> int:
        return len(self.parent)

    def section_index(self, section_name: str) -> int:
        """Index of a section in `section_names` (and in the per-section arrays)."""
        try:
            return self._index[section_name]  # type: ignore[attr-defined]
        except KeyError:
            raise BridgeError(f"no section named {section_name!r}") from None

    def segment_node(self, section_name: str, j: int) -> int | None:
        """`segment_nodes(section_name)[j]` without the array (a read per HOC statement); None for no such
        section or segment."""
        s = self._index.get(section_name)  # type: ignore[attr-defined]
        if s is None:
            return None
        nseg = int(self.nseg[s])
        if not 0 <= j < nseg:
            return None
        return int(self.first[s]) + (nseg - 1 - j if self.reversed[s] else j)

    def node(self, section_name: str, x: float) -> int:
        """The node NEURON uses for `section(x)` (`node_exact`): x=0 is the section's parent
        node (or root node), x=1 its end node, interior x the centre of the containing segment.
        For a reversed section the ends swap."""
        s = self.section_index(section_name)
        if not 0.0 <= x <= 1.0:
            raise BridgeError(f"{section_name}({x}): range variable domain is 0<=x<=1")
        nseg, rev = int(self.nseg[s]), bool(self.reversed[s])
        xr = 1.0 - x if rev else x
        if xr == 0.0:
            return int(self.parent_node[s])
        if xr == 1.0:
            return int(self.first[s]) + nseg
        return int(self.first[s]) + _pnode_index(x, nseg, rev)

    def segment_nodes(self, section_name: str) -> np.ndarray:
        """Nodes of the section's segment centres, in x order (segment 0 first)."""
        s = self.section_index(section_name)
        nseg = int(self.nseg[s])
        j = np.arange(nseg)
        if self.reversed[s]:
            j = nseg - 1 - j
        return int(self.first[s]) + j


def _pnode_index(x: float, nseg: int, rev: bool) -> int:
    """NEURON's `node_index(sec, x)`: pnode index of the segment that contains x."""
    i = segment_index(x, nseg)
    return nseg - 1 - i if rev else i


@dataclass(frozen=True)
class SectionGeometry:
    """Geometry of one section in pnode order (j = 0..nseg-1), as `nrn_area_ri` computes it.

    `area` [um2] and `rinv` [uS] of pnode[0..nseg] (area[nseg] = 100), `diam` [um] of
    the segment nodes, `L` [um]."""

    L: float
    area: np.ndarray
    rinv: np.ndarray
    diam: np.ndarray


def pt3d_float32(pt3d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3-D points as NEURON stores them: x, y, z, d rounded to float32 (as float64 values)
    and the arc length [um] accumulated in double from float32 differences (`nrn_pt3dmodified`)."""
    p = np.asarray(pt3d, dtype=np.float32).reshape(-1, 4)
    arc = [0.0]
    for i in range(1, len(p)):
        t = [float(p[i, k] - p[i - 1, k]) for k in range(3)]  # float32 subtraction, as in C
        arc.append(arc[-1] + math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]))
    return p.astype(np.float64), np.asarray(arc)


def section_geometry(sec: Section) -> SectionGeometry:
    """Area, rinv and diam of a section's nodes in pnode order (NEURON's `nrn_area_ri`)."""
    nseg = sec.nseg
    rev = sec.child_end == 1.0
    order = np.arange(nseg)[::-1] if rev else np.arange(nseg)
    if sec.pt3d is not None and len(sec.pt3d) >= 2:
        return _pt3d_geometry_kept(sec, sec.pt3d, nseg)
    if sec.pt3d is not None and len(sec.pt3d) == 1:
        L = 0.0  # one 3-D point: NEURON takes L from its arc (0), clamped below
    else:
        L = float(sec.L)
    L = L if L > 1e-9 else 1e-9  # section_length
    diam = np.asarray(sec.diam, dtype=float)[order]
    area = np.empty(nseg + 1)
    rinv = np.empty(nseg + 1)
    ra = float(sec.Ra)
    dx = L / float(nseg)
    rright = 0.0
    for j in range(nseg):
        d = float(diam[j])
        if d <= 0.0:  # nrn_area_ri refuses it (hoc_execerror "diameter diam = 0. Setting to 1e-6")
            raise cable_error(sec, f"diameter diam = {d:g} um at {sec.name}({segment_x(sec, j):g}); NEURON refuses "
                                   "a diameter <= 0", "diam")
        area[j] = PI * d * dx
        rleft = ieee_div(1e-2 * ra * (dx / 2), PI * d * d / 4.0)
        rinv[j] = ieee_div(1.0, rleft + rright)
        rright = rleft
    area[nseg] = ZERO_AREA
    rinv[nseg] = ieee_div(1.0, rright)
    return SectionGeometry(L=L, area=area, rinv=rinv, diam=diam)


def ieee_div(a: float, b: float) -> float:
    """a / b as C computes it: inf or NaN for b = 0 (Python raises ZeroDivisionError)."""
    if b != 0.0:
        return a / b
    if a == 0.0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


_PT3D_KEPT: dict[tuple, SectionGeometry] = {}  # _pt3d_geometry's results by everything it reads
PT3D_KEPT_BYTES = 64 * 2**20  # [bytes] of keys and results kept, then all forgotten at once
_pt3d_kept_bytes = 0


def _pt3d_geometry_kept(sec: Section, pt3d: np.ndarray, nseg: int) -> SectionGeometry:
    """`_pt3d_geometry(sec, pt3d, nseg)`, computed once per distinct input: HOC that reads ri() or
    area() at each 3-D point of a section every step (ModelDB 106551's dipole) would otherwise integrate
    the section's points once per read. The key is the bytes of every value the integration reads (the
    points, the kept arcs, diam, Ra, nseg, the orientation), so a changed input is a new computation; the
    arrays kept are read-only, so no caller can change what a later read gets."""
    arcs = None if sec.arc3d is None else np.asarray(sec.arc3d, dtype=float).tobytes()
    key = (np.asarray(pt3d, dtype=np.float64).tobytes(), arcs, np.asarray(sec.diam, dtype=float).tobytes(),
           float(sec.Ra), nseg, sec.child_end == 1.0)
    global _pt3d_kept_bytes
    geo = _PT3D_KEPT.get(key)
    if geo is None:
        geo = _pt3d_geometry(sec, pt3d, nseg)
        for a in (geo.area, geo.rinv, geo.diam):
            a.setflags(write=False)
        size = len(key[0]) + len(key[2]) + (len(arcs) if arcs else 0) + 3 * 8 * (nseg + 1)
        if _pt3d_kept_bytes + size > PT3D_KEPT_BYTES:
            _PT3D_KEPT.clear()
            _pt3d_kept_bytes = 0
        _PT3D_KEPT[key] = geo
        _pt3d_kept_bytes += size
    return geo


def _pt3d_geometry(sec: Section, pt3d: np.ndarray, nseg: int) -> SectionGeometry:
    """`diam_from_list`: integrate area, half-segment resistance and mean diameter over the
    piecewise-linear diameter of the float32 3-D points `pt3d` (the section's), two half
    segments per node."""
    pts, arcs = pt3d_float32(pt3d)
    if sec.arc3d is not None:  # NEURON's kept arcs (after `L = ...` or define_shape)
        arcs = np.asarray(sec.arc3d, dtype=float)
    rev = sec.child_end == 1.0
    diams = [abs(float(v)) for v in pts[:, 3]]
    npt = len(arcs)
    arc_last = float(arcs[-1])
    L = arc_last if arc_last > 1e-9 else 1e-9
    ra = float(sec.Ra)
    ds = arc_last / float(nseg)
    area_out = np.empty(nseg + 1)
    rinv_out = np.empty(nseg + 1)
    diam_out = np.empty(nseg)
    j = 0
    x1, y1 = float(arcs[0]), diams[0]
    rright = 0.0
    for inode in range(nseg):
        si = float(inode) * ds
        diam = 0.0
        area = 0.0
        rleft = 0.0
        ri = 0.0
        for ihalf in range(2):
            ri = 0.0
            sip = si + ds / 2.0
            while True:
                jp = j + 1
                xj = float(arcs[j])
                xjp = float(arcs[jp])
                if xjp > sip or jp == npt - 1:
                    frac = 1.0 if abs(xjp - xj) < 1e-10 else (sip - xj) / (xjp - xj)
                    x2 = sip
                    y2 = (1.0 - frac) * diams[j] + frac * diams[jp]
                    jnext = j
                else:
                    x2 = xjp
                    y2 = diams[jp]
                    jnext = jp
                delta = x2 - x1
                diam += (y2 + y1) * delta
                if delta < 1e-15:
                    delta = 1e-15
                temp = y2 * y1 / delta
                if temp == 0:
                    temp = 1e-15
                ri += 1 / temp
                temp = 0.5 * (y2 - y1)
                temp = math.sqrt(delta * delta + temp * temp)
                area += (y2 + y1) * temp
                x1, y1 = x2, y2
                if j == jnext:
                    break
                j = jnext
            if ihalf == 0:
                rleft = ri * ra / PI * (4.0 * 0.01)
            else:
                ri = ri * ra / PI * (4.0 * 0.01)
            si = sip
        rinv_out[inode] = ieee_div(1.0, rright + rleft)
        with np.errstate(divide="ignore", invalid="ignore"):  # ds = 0 for a zero-length section, as in C
            mean = float(np.float64(diam) * (np.float64(0.5) / np.float64(ds)))
        old = float(sec.diam[nseg - 1 - inode if rev else inode])
        # NEURON writes the mean back into diam only if it differs by more than 1e-9 (or is tiny)
        diam_out[inode] = mean if (abs(mean - old) > 1e-9 or mean < 1e-5) else old
        area_out[inode] = area * 0.5 * PI
        rright = ri
    area_out[nseg] = ZERO_AREA
    rinv_out[nseg] = ieee_div(1.0, rright)
    return SectionGeometry(L=L, area=area_out, rinv=rinv_out, diam=diam_out)


def _parent_node_ref(tree: SectionTree, name: str) -> tuple[str, int | None]:
    """NEURON's `nrn_parent_info`: (section, pnode index) of a section's parent node, or
    (root section, None) for the root node of its cell."""
    sec = tree[name]
    while sec.parent is not None:
        psec = tree[sec.parent]
        x = sec.parent_x
        if x != psec.child_end:  # not attached at the parent's own connection end
            if x == 1.0 or x == 0.0:
                return psec.name, psec.nseg
            return psec.name, _pnode_index(x, psec.nseg, psec.child_end == 1.0)
        sec = psec
    return sec.name, None


def node_layout(tree: SectionTree, check: bool = True) -> NodeLayout:
    """NEURON's node layout of `tree` (node order, parents, area, rinv, a, b, cm).

    `check`: refuse cable values NEURON computes NaN from (`check_cable`) and geometry that is
    not finite; HOC's define_shape(), which needs only the section order and L, passes False."""
    names = tuple(tree.sections)
    sidx = {n: i for i, n in enumerate(names)}
    roots = tree.roots()
    ncell = len(roots)
    kids = tree.all_children()
    order: list[str] = []
    for root in roots:  # breadth-first from each root, children in sibling order
        queue = deque([root.name])
        while queue:
            s = queue.popleft()
            order.append(s)
            queue.extend(c.name for c in kids[s])
    if len(order) != len(names):
        raise BridgeError("node_layout: the sections do not form a tree")
    if check:
        for sec in tree:
            check_cable(sec)

    nnode = ncell + sum(tree[s].nseg + 1 for s in order)
    parent = np.full(nnode, -1, dtype=np.int64)
    area = np.full(nnode, ZERO_AREA)
    rinv = np.zeros(nnode)
    cm = np.zeros(nnode)
    diam = np.zeros(nnode)
    has_membrane = np.zeros(nnode, dtype=bool)
    section = np.empty(nnode, dtype=np.int64)
    segment = np.full(nnode, -1, dtype=np.int64)
    xpos = np.zeros(nnode)
    rall = np.ones(nnode)
    L = np.zeros(len(names))
    nseg = np.array([tree[n].nseg for n in names], dtype=np.int64)
    first = np.zeros(len(names), dtype=np.int64)
    parent_node = np.zeros(len(names), dtype=np.int64)
    rev = np.array([tree[n].child_end == 1.0 for n in names], dtype=bool)
    root_node = {}
    for i, root in enumerate(roots):
        root_node[root.name] = i
        section[i] = sidx[root.name]
        xpos[i] = 1.0 if root.child_end == 1.0 else 0.0
    inode = ncell
    for s in order:
        first[sidx[s]] = inode
        inode += tree[s].nseg + 1
    for s in order:
        sec = tree[s]
        k = sidx[s]
        n = sec.nseg
        geo = section_geometry(sec)
        if check:
            check_geometry(sec, geo)
        L[k] = geo.L
        ref, j = _parent_node_ref(tree, s)
        pn = root_node[ref] if j is None else int(first[sidx[ref]]) + j
        parent_node[k] = pn
        nodes = int(first[k]) + np.arange(n + 1)
        parent[nodes[0]] = pn
        parent[nodes[1:]] = nodes[:-1]
        area[nodes] = geo.area
        rinv[nodes] = geo.rinv
        diam[nodes[:-1]] = geo.diam
        seg = np.arange(n)[::-1] if rev[k] else np.arange(n)
        segment[nodes[:-1]] = seg
        cm[nodes[:-1]] = np.asarray(sec.cm, dtype=float)[seg]
        has_membrane[nodes[:-1]] = True
        section[nodes] = k
        xc = (np.arange(n) + 0.5) / n
        xpos[nodes[:-1]] = 1.0 - xc if rev[k] else xc
        xpos[nodes[-1]] = 0.0 if rev[k] else 1.0
        rall[nodes[0]] = float(getattr(sec, "rallbranch", 1.0))
    a = np.zeros(nnode)
    b = np.zeros(nnode)
    nonroot = np.arange(ncell, nnode)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # C arithmetic; checked below
        a[nonroot] = -1.0e2 * rall[nonroot] * rinv[nonroot] / area[parent[nonroot]]
        b[nonroot] = -1.0e2 * rinv[nonroot] / area[nonroot]
    bad = ~(np.isfinite(a) & np.isfinite(b))
    if check and bad.any():  # an area of 0 next to a finite conductance (3-D points of diameter 0)
        i = int(np.flatnonzero(bad)[0])
        sec = tree[names[section[i]]]
        raise cable_error(sec, f"the axial coupling at {sec.name}({xpos[i]:g}) is not finite (area {area[i]:g} um2, "
                               f"its parent's {area[parent[i]]:g} um2); NEURON's voltages become NaN",
                          *geometry_fields(sec))
    return NodeLayout(
        parent=parent, area=area, rinv=rinv, a=a, b=b, cm=cm, has_membrane=has_membrane,
        diam=diam, section=section, segment=segment, x=xpos, ncell=ncell, section_names=names,
        L=L, nseg=nseg, first=first, parent_node=parent_node, reversed=rev,
    )
