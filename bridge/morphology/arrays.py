"""Jaxley-style arrays of a SectionTree: branches, compartments, 3-D points and solve levels.

A branch is a NEURON section and a compartment is one of its segments. Branches are
numbered in NEURON's section order (breadth-first from each root, children in sibling
order, the order of `node_layout`), so `parents[b] < b`; compartments are numbered
branch by branch, in x order within a branch (x = 0 first), so compartment `c` of branch
`b` is `cumsum_nseg[b] + c`. Every location is NEURON's x in [0, 1]; a segment is found
with NEURON's rule (i = int(nseg*x), clamped), not by nearest centre.

`xyzr` holds, per branch, 3-D points (x, y, z [um], radius [um]) from x = 0 to x = 1:
the section's pt3d (rounded to float32 as NEURON stores them), or, for a section
without 3-D points, the straight line NEURON's `define_shape` lays out. Like
`define_shape`, sections with 3-D points are translated to start where they attach.

Units: lengths and radii [um].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from bridge.errors import BridgeError
from bridge.morphology.nodes import NodeLayout, node_layout
from bridge.morphology.tree import SectionTree, segment_index


@dataclass(frozen=True)
class BranchArrays:
    """Per-branch and per-compartment arrays (see the module docstring for the numbering).

    `parents` (-1 for a root), `parent_x` (where on the parent the branch attaches, NEURON's
    x), `children` (per branch, in NEURON's sibling order), `nseg`, `cumsum_nseg` (length
    nbranch + 1), `lengths` and `radii` per compartment [um], `xyzr` per branch,
    `levels` (depth of each branch, roots 0), `comp_nodes` (NEURON node of each compartment
    in the `node_layout`), `node_levels` (depth of each NEURON node, root nodes 0).
    """

    section_names: tuple[str, ...]
    parents: np.ndarray
    parent_x: np.ndarray
    children: tuple[np.ndarray, ...]
    nseg: np.ndarray
    cumsum_nseg: np.ndarray
    lengths: np.ndarray
    radii: np.ndarray
    xyzr: tuple[np.ndarray, ...]
    levels: np.ndarray
    comp_nodes: np.ndarray
    node_levels: np.ndarray

    @property
    def nbranch(self) -> int:
        return len(self.parents)

    @property
    def ncomp(self) -> int:
        return int(self.cumsum_nseg[-1])

    def branch(self, section_name: str) -> int:
        try:
            return self.section_names.index(section_name)
        except ValueError:
            raise BridgeError(f"no section named {section_name!r}") from None

    def index_of_loc(self, branch: int, loc: float) -> int:
        """Global compartment index of NEURON location `loc` on `branch`."""
        return index_of_loc(branch, loc, self.nseg)

    def loc_of_index(self, comp: int) -> tuple[int, float]:
        """(branch, x of the compartment centre) of a global compartment index."""
        return loc_of_index(comp, self.nseg)


def branch_arrays(tree: SectionTree, layout: NodeLayout | None = None) -> BranchArrays:
    """Jaxley-style arrays of `tree`; `layout` is its `node_layout` (computed if not given)."""
    lay = node_layout(tree) if layout is None else layout
    order = np.argsort(lay.first, kind="stable")  # NEURON's section order
    names = tuple(lay.section_names[k] for k in order)
    bidx = {n: b for b, n in enumerate(names)}
    parents = np.array([bidx[tree[n].parent] if tree[n].parent else -1 for n in names], dtype=np.int64)
    parent_x = np.array([tree[n].parent_x if tree[n].parent else math.nan for n in names])
    nseg = lay.nseg[order].astype(np.int64)
    cumsum = np.concatenate([[0], np.cumsum(nseg)]).astype(np.int64)
    comp_nodes = np.concatenate([lay.segment_nodes(n) for n in names]).astype(np.int64)
    lengths = np.concatenate([np.full(int(lay.nseg[k]), lay.L[k] / lay.nseg[k]) for k in order])
    radii = lay.diam[comp_nodes] / 2.0
    kids = tree.all_children()
    children = tuple(np.array([bidx[c.name] for c in kids[n]], dtype=np.int64) for n in names)
    shape = neuron_shape(tree, lay)
    xyzr = []
    for n in names:
        pts = shape[n].copy()
        pts[:, 3] = np.abs(pts[:, 3]) / 2.0
        xyzr.append(pts[::-1].copy() if tree[n].child_end == 1.0 else pts)
    return BranchArrays(
        section_names=names, parents=parents, parent_x=parent_x, children=children, nseg=nseg,
        cumsum_nseg=cumsum, lengths=lengths, radii=radii, xyzr=tuple(xyzr),
        levels=compute_levels(parents), comp_nodes=comp_nodes, node_levels=compute_levels(lay.parent),
    )


def compute_children_indices(parents: np.ndarray) -> list[np.ndarray]:
    """Children of every branch (in index order). `parents = [-1, 0, 0]` gives `[[1, 2], [], []]`."""
    parents = np.asarray(parents)
    return [np.flatnonzero(parents == b) for b in range(len(parents))]


def compute_levels(parents: np.ndarray) -> np.ndarray:
    """Depth of every element of a tree given by `parents` (-1 for roots, parent < child):
    roots are level 0, their children level 1, ... Elements of one level do not depend on
    each other in a tree solve, so a solver can eliminate level by level, deepest first."""
    parents = np.asarray(parents, dtype=np.int64)
    levels = np.zeros(len(parents), dtype=np.int64)
    for i, p in enumerate(parents):
        if p >= i or p < -1:
            raise BridgeError(f"compute_levels: parent {p} of {i} must come before it (or be -1 for a root)")
        if p >= 0:
            levels[i] = levels[p] + 1
    return levels


def level_groups(levels: np.ndarray) -> list[np.ndarray]:
    """Indices of each level, level 0 first: `[[roots], [depth 1], ...]`."""
    levels = np.asarray(levels)
    return [np.flatnonzero(levels == k) for k in range(int(levels.max(initial=-1)) + 1)]


def _nseg_of(branch: int, nseg: int | np.ndarray) -> tuple[int, int]:
    """(nseg of the branch, index of its first compartment) for a scalar or per-branch nseg."""
    counts = _counts(nseg)
    if np.ndim(nseg) == 0:
        if branch < 0:
            raise BridgeError(f"branch {branch} does not exist")
        return int(counts), branch * int(counts)
    if not 0 <= branch < len(counts):
        raise BridgeError(f"branch {branch} does not exist ({len(counts)} branches)")
    return int(counts[branch]), int(counts[:branch].sum())


def _counts(nseg: int | np.ndarray) -> np.ndarray:
    """nseg (one number or one per branch) as integers >= 1; anything else is a BridgeError."""
    values = np.asarray(nseg, dtype=float)
    if not (np.isfinite(values).all() and (values >= 1).all() and (values == np.floor(values)).all()):
        raise BridgeError(f"nseg must be whole numbers >= 1, got {nseg}")
    return values.astype(np.int64)


def index_of_loc(branch: int, loc: float, nseg: int | np.ndarray) -> int:
    """Global compartment index of location `loc` (NEURON's x in [0, 1]) on `branch`;
    `nseg` is one number for all branches or one per branch. x = 0 and x = 1 give the
    first and last compartment (the segment NEURON's `node_index` returns)."""
    if not 0.0 <= loc <= 1.0:
        raise BridgeError(f"location {loc} is outside [0, 1]")
    n, start = _nseg_of(branch, nseg)
    return start + segment_index(loc, n)


def loc_of_index(comp: int, nseg: int | np.ndarray) -> tuple[int, float]:
    """(branch, x of the compartment centre) of global compartment `comp`."""
    counts = _counts(nseg)
    if np.ndim(nseg) == 0:
        if comp < 0:
            raise BridgeError(f"compartment {comp} does not exist")
        branch, c, n = comp // int(counts), comp % int(counts), int(counts)
    else:
        cumsum = np.concatenate([[0], np.cumsum(counts)])
        if not 0 <= comp < cumsum[-1]:
            raise BridgeError(f"compartment {comp} does not exist ({cumsum[-1]} compartments)")
        branch = int(np.searchsorted(cumsum, comp, side="right") - 1)
        c, n = comp - int(cumsum[branch]), int(cumsum[branch + 1] - cumsum[branch])
    return branch, (c + 0.5) / n


def interpolate_xyz(loc: float | np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Point(s) at path fraction `loc` in [0, 1] along a branch's xyzr `coords` (linear
    between 3-D points, by path length); shape (3,) for a scalar loc, (n, 3) otherwise."""
    coords = np.asarray(coords, dtype=float)
    if coords.ndim != 2 or coords.shape[0] < 1 or coords.shape[1] < 3:
        raise BridgeError(f"interpolate_xyz: coords must be (n >= 1, 3 or 4) points, got shape {coords.shape}")
    loc_values = np.asarray(loc, dtype=float)
    if not ((loc_values >= 0.0) & (loc_values <= 1.0)).all():
        raise BridgeError(f"interpolate_xyz: location(s) {loc} outside [0, 1]")
    dl = np.sqrt(np.sum(np.diff(coords[:, :3], axis=0) ** 2, axis=1))
    path = np.concatenate([[0.0], np.cumsum(dl)])
    frac = path / max(path[-1], 1e-8)
    loc_arr = np.atleast_1d(np.asarray(loc, dtype=float))
    out = np.stack([np.interp(loc_arr, frac, coords[:, k]) for k in range(3)], axis=-1)
    return out[0] if np.ndim(loc) == 0 else out


def _c_float_math() -> dict:
    """The C library's cosf, sinf and atan2f, which NEURON's `define_shape` calls (C++ picks the
    float overloads for float arguments). Empty if there is no C math library to load."""
    try:
        import ctypes
        import ctypes.util

        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        fns = {}
        for py, name, nargs in [(math.cos, "cosf", 1), (math.sin, "sinf", 1), (math.atan2, "atan2f", 2)]:
            f = getattr(libm, name)
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float] * nargs
            fns[py] = f
        return fns
    except (OSError, AttributeError):
        return {}


_C_FLOAT_MATH = _c_float_math()


def _f32_math(fn, *args) -> np.float32:
    """`fn` (math.cos, math.sin or math.atan2) of float32 arguments, as float32: the C library's
    float function where it can be loaded (bit for bit as NEURON), else the double result
    rounded to float32 (may differ from NEURON by one float32 ulp)."""
    if fn in _C_FLOAT_MATH:
        return np.float32(_C_FLOAT_MATH[fn](*(float(a) for a in args)))
    return np.float32(fn(*(float(a) for a in args)))


def neuron_shape(tree: SectionTree, layout: NodeLayout | None = None) -> dict[str, np.ndarray]:
    """3-D points (x, y, z, diam [um]) of every section after NEURON's `define_shape`, in
    NEURON's point order (from the connection end, so reversed sections run from x = 1).

    A section without 3-D points becomes a straight line: a root starts at (0, 0, 100 i)
    along +x (i its place in the section order); a child starts at the linear
    interpolation of its parent's first and last points, along the parent's direction
    (turned back when it attaches nearer the parent's start, by 90 degrees at an interior
    location, spread by up to +-0.4 rad among siblings at the same location), with points
    at 0, the segment centres and L. A section with 3-D points is translated so that its
    first point sits where it attaches. Arithmetic in float32 where NEURON's is."""
    lay = node_layout(tree) if layout is None else layout
    f32 = np.float32
    order = [lay.section_names[k] for k in np.argsort(lay.first, kind="stable")]
    shape: dict[str, np.ndarray] = {}
    kids = tree.all_children()
    for i, name in enumerate(order):
        sec = tree[name]
        psec = tree[sec.parent] if sec.parent else None
        arc = sec.parent_x
        if psec is None:
            x, y, z = f32(0.0), f32(0.0), f32(i * f32(100.0))
            x1, y1 = f32(1.0), f32(0.0)
        else:
            pp = shape[psec.name]
            x1 = f32(pp[-1, 0] - pp[0, 0])
            y1 = f32(pp[-1, 1] - pp[0, 1])
            arc1 = 1.0 - arc if psec.child_end == 1.0 else arc
            if arc1 < 0.5:
                x1, y1 = -x1, -y1
            x, y, z = (f32(float(pp[-1, k]) * arc1 + float(pp[0, k]) * (1 - arc1)) for k in range(3))
        if sec.pt3d is not None and len(sec.pt3d) > 0:
            pts = np.asarray(sec.pt3d, dtype=f32).reshape(-1, 4).copy()
            if psec is not None:  # the first point, or the logical connection point (pt3dstyle 1), goes to (x, y, z)
                anchor = pts[0, :3] if sec.logical_connection is None else np.asarray(sec.logical_connection, dtype=f32)
                d = np.array([x - anchor[0], y - anchor[1], z - anchor[2]], dtype=f32)
                pts[:, :3] += d
            shape[name] = pts
            continue
        if abs(y1) < 1e-6 and abs(x1) < 1e-6:
            angle = f32(0.0)
        else:
            angle = _f32_math(math.atan2, y1, x1)
        if 0.0 < arc < 1.0:
            angle = f32(float(angle) + math.pi / 2.0)
        if psec is not None:
            same = [c.name for c in kids[psec.name] if c.parent_x == arc]
            nch, ich = len(same), same.index(name)
            if nch > 1:
                angle = f32(float(angle) + (float(f32(ich)) / (float(f32(nch)) - 1.0) * 0.8 - 0.4))
        length = float(lay.L[lay.section_index(name)])
        ex = f32(float(x) + length * float(_f32_math(math.cos, angle)))
        ey = f32(float(y) + length * float(_f32_math(math.sin, angle)))
        nseg = sec.nseg
        diam = lay.diam[lay.first[lay.section_index(name)] + np.arange(nseg)]  # pnode order
        line: list[tuple[Any, ...]] = [(x, y, z, diam[0])]  # x, y, z, diam [um]
        for j in range(nseg):
            frac = (j + 0.5) / nseg
            line.append((float(x) * (1 - frac) + float(ex) * frac, float(y) * (1 - frac) + float(ey) * frac, z,
                         diam[j]))
        line.append((ex, ey, z, diam[nseg - 1]))
        shape[name] = np.asarray(line, dtype=np.float64).astype(f32)
    return {n: shape[n].astype(np.float64) for n in lay.section_names}
