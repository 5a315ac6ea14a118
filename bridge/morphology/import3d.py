"""NEURON's Import3d as plain data: the sections a morphology reader finds, and how
`Import3d_GUI.instantiate` turns them into NEURON sections.

A reader (`bridge.morphology.swc`, `bridge.morphology.neurolucida`) returns a
`Morphology`: a list of `Import3dSection` (raw points, diameters, type, parent,
parent x, `first`) exactly as NEURON's `Import3d_SWC_read` / `Import3d_Neurolucida3`
leave them in their `sections` list. `instantiate` then does what
`Import3d_GUI(reader, 0).instantiate(cell)` does (import3d_gui.hoc):

* `chk_valid`: sections with one point (after `first`) or two equal points are
  removed, their children reattached to the removed section's parent (with a warning,
  where NEURON prints a message);
* names from the SWC type: 1 `soma`, 2 `axon`, 3 `dend`, 4 `apic`, other n `dend_n`,
  negative n `minus_n`; every type is an array, `soma[0]`, `dend[3]`, in the order of
  the sections list; arrays are created in increasing type order;
* `parent connect child(0), parentx` in the order of the sections list;
* pt3d points from index `first` on, written by NEURON through `%.8g` text and stored
  as float32 (so `float32(float("%.8g" % v))`), a one-point section becomes the
  3-point cylinder x-d/2, x, x+d/2 with L = diam; `first == 1` also sets
  `pt3dstyle(1, x, y, z)` (the wire to the parent point, display only).

Units: coordinates and diameters [um].
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from bridge.errors import BridgeError, SourceLocation
from bridge.morphology.contour import ContourError, contour_centroid, stack_centroid
from bridge.morphology.tree import SectionTree

HOC_EPSILON = 1e-11  # hoc's float_epsilon: `==`, `<`, ... in HOC compare with this slack


class MorphologyError(BridgeError):
    """A morphology file (SWC, Neurolucida) that cannot be read the way NEURON's Import3d reads it."""

    kind = "morphology error"


@dataclass
class Import3dSection:
    """One section as an Import3d reader finds it (NEURON's `Import3d_Section`).

    `xyz` (n, 3) and `d` (n,) are the raw points [um]; for a section with a parent the
    first point is normally a copy of the parent point. `first` is 1 where that copy is
    only a wire to the parent (not part of the section). `parent` indexes the reader's
    section list (None for a root); `parentx` is the connection position on the parent.
    `id` is the index of the section's first own point; `line` its line in the file.
    """

    xyz: np.ndarray
    d: np.ndarray
    type: int
    parent: int | None = None
    parentx: float = 1.0
    first: int = 0
    id: int = 0
    line: int = 0
    iscontour: bool = False
    contour_list: list[Import3dSection] | None = None


@dataclass
class Morphology:
    """What an Import3d reader read: sections in NEURON's order, the point types seen
    (their minimum decides the type range of `set_nameindex`), the file name."""

    sections: list[Import3dSection]
    types: list[int] = field(default_factory=list)
    filename: str = "<string>"
    filetype: str = "SWC"


# -- NEURON's numbers on the way into pt3d ------------------------------------------------
def via_hoc_text(values) -> np.ndarray:
    """What `pt3dadd` stores after Import3d_GUI writes a value with `%.8g` and HOC reads it
    back: the double of the 8-digit text, rounded to float32 (returned as float64)."""
    arr = np.asarray(values, dtype=float).ravel()
    out = np.array([float(f"{v:.8g}") for v in arr.tolist()], dtype=float)
    return out.astype(np.float32).astype(float).reshape(np.shape(values))


def hoc_index(value: float) -> int:
    """A HOC subscript: `(int)(value + float_epsilon)`, so -1 reads element 0 (as NEURON does)."""
    return int(value + HOC_EPSILON)


def hoc_eq(a: float, b: float) -> bool:
    return a - HOC_EPSILON <= b <= a + HOC_EPSILON


def hoc_lt(a: float, b: float) -> bool:
    return a < b - HOC_EPSILON


# -- names ---------------------------------------------------------------------------------
def type_name(t: int) -> str:
    """Import3d's section array name for an SWC type (`type2name`)."""
    return {1: "soma", 2: "axon", 3: "dend", 4: "apic"}.get(t) or (f"minus_{-t}" if t < 0 else f"dend_{t}")


def subset_name(t: int) -> str:
    """The SectionList a cell template gets for an SWC type (`mksubset`)."""
    return {1: "somatic", 2: "axonal", 3: "basal", 4: "apical"}.get(t) or (
        f"minus_{-t}set" if t < 0 else f"dendritic_{t}")


# -- Import3d_GUI.instantiate ---------------------------------------------------------------
def check_valid(morph: Morphology) -> list[Import3dSection]:
    """NEURON's `chk_valid`: drop one-point and zero-length two-point non-root sections,
    children reattached to the dropped section's parent. Returns the remaining sections
    (their `parent` indexes the returned list)."""
    secs = list(morph.sections)
    parents: list[Import3dSection | None] = [None if s.parent is None else morph.sections[s.parent] for s in secs]
    parentx = [s.parentx for s in secs]
    for i in range(len(secs) - 1, -1, -1):
        sec = secs[i]
        if parents[i] is None:
            continue
        npt = len(sec.d) - sec.first
        zero = npt == 2 and all(hoc_eq(a, b) for a, b in zip(sec.xyz[sec.first], sec.xyz[sec.first + 1]))
        if npt <= 1 or zero:
            what = "One point section" if npt <= 1 else "Two point section with 0 length"
            warnings.warn(f"{morph.filename}:{sec.line}: {what} has been removed (as NEURON's Import3d does)",
                          stacklevel=3)
            for j in range(i + 1, len(secs)):
                if parents[j] is sec:
                    parents[j], parentx[j] = parents[i], parentx[i]
            del secs[i], parents[i], parentx[i]
    index = {id(s): k for k, s in enumerate(secs)}
    out = []
    for sec, par, px in zip(secs, parents, parentx):
        out.append(Import3dSection(sec.xyz, sec.d, sec.type, None if par is None else index[id(par)], px,
                                   sec.first, sec.id, sec.line, sec.iscontour, sec.contour_list))
    return out


def section_names(morph: Morphology, sections: list[Import3dSection] | None = None) -> list[str]:
    """`set_nameindex` + `name`: the NEURON name of every (valid) section, `dend[3]`."""
    secs = check_valid(morph) if sections is None else sections
    count: dict[int, int] = {}
    names = []
    for sec in secs:
        k = count.get(sec.type, 0)
        count[sec.type] = k + 1
        names.append(f"{type_name(sec.type)}[{k}]")
    return names


def section_points(sec: Import3dSection, filename: str = "<string>") -> np.ndarray:
    """The pt3d points (n, 4) [um] NEURON gives this section: raw points from `first` on,
    a contour replaced by its centroid line, one point made a sphere-like cylinder."""
    xyz = np.asarray(sec.xyz, dtype=float)[sec.first:]
    d = np.asarray(sec.d, dtype=float)[sec.first:]
    if sec.iscontour:
        try:
            if sec.contour_list:
                xyz, d = stack_centroid([np.asarray(c.xyz, dtype=float)[c.first:] for c in [sec, *sec.contour_list]])
            else:
                xyz, d = contour_centroid(xyz)
        except ContourError as err:
            raise MorphologyError(str(err), SourceLocation(filename, sec.line, 1)) from None
    if len(d) == 1:  # sphere_rep
        r = d[0] / 2
        xyz = np.array([[xyz[0, 0] - r, xyz[0, 1], xyz[0, 2]], xyz[0], [xyz[0, 0] + r, xyz[0, 1], xyz[0, 2]]])
        d = np.full(3, d[0])
    return via_hoc_text(np.column_stack([xyz, d]))


def instantiate(morph: Morphology, tree: SectionTree | None = None, cell: str | None = None) -> SectionTree:
    """`Import3d_GUI(reader, 0).instantiate(cell)`: create, connect and give pt3d points to
    the sections of `morph` in `tree` (a new SectionTree when None) and return the tree.

    `cell` is the HOC name of the cell object (`"Cell[0]"`) for `instantiate(obj)`:
    sections are then `Cell[0].soma[0]`...; None is `instantiate(nil)` (top-level
    `soma[0]`...). Arrays of the same name already in `tree` are deleted first (HOC's
    `~create` re-creates an array). nseg stays 1, as NEURON leaves it.
    """
    tree = SectionTree() if tree is None else tree
    secs = check_valid(morph)
    names = section_names(morph, secs)
    prefix = f"{cell}." if cell else ""
    types = sorted({s.type for s in secs})
    for t in types:
        base = prefix + type_name(t)
        for old in [n for n in tree.sections if n == base or (n.startswith(base + "[") and "." not in n[len(base):])]:
            tree.delete(old)  # `~create name[n]` replaces the whole array (or a plain section `name`)
        for name, sec in zip(names, secs):
            if sec.type == t:
                tree.section(prefix + name)
    for name, sec in zip(names, secs):
        if sec.parent is not None:
            tree.connect(prefix + name, prefix + names[sec.parent], parent_x=float(f"{sec.parentx:g}"), child_end=0.0)
        if sec.first == 1:
            x, y, z = (float(np.float32(float(f"{v:.8g}"))) for v in sec.xyz[0])
            tree[prefix + name].logical_connection = (x, y, z)
        tree.set_pt3d(prefix + name, section_points(sec, morph.filename))
    return tree


def subsets(morph: Morphology) -> list[tuple[str, str]]:
    """What `instantiate(obj)` does to a cell template's SectionLists, in NEURON's order:
    pairs (section array name, SectionList name), e.g. ("dend", "basal"), meaning
    `forsec "dend" basal.append` in the cell, for every type from the smallest to the
    largest point type (sections or not, as NEURON does); then `forall all.append`.

    NEURON runs each `forsec` right after creating that type's array (types in increasing
    order), so a regular expression also matches arrays created before it ("dend" matches
    `dend_0[...]` made for type 0). A HOC interpreter replaying this after `instantiate`
    has created everything should restrict each `forsec` to the arrays of types <= t."""
    lo = min(morph.types) if morph.types else 0
    hi = max(morph.types) if morph.types else -1
    return [(type_name(t), subset_name(t)) for t in range(lo, hi + 1)]


def location(morph: Morphology, line: int, column: int = 1) -> SourceLocation:
    return SourceLocation(morph.filename, line, column)


__all__ = ["Import3dSection", "Morphology", "MorphologyError", "instantiate", "section_names", "section_points",
           "subsets", "type_name", "subset_name", "via_hoc_text", "check_valid"]
