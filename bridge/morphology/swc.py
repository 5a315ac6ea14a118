"""SWC files read as NEURON's `Import3d_SWC_read` reads them (read_swc.hoc, NEURON 9.0.2).

`read_swc(path)` gives the `Morphology` (sections, parents, parent x, `first`) that
`Import3d_SWC_read.input` builds; `load_swc(path)` instantiates it into a
`SectionTree` as `Import3d_GUI(reader, 0).instantiate(nil)` does. The rules, as NEURON
applies them:

* a line is `id type x y z radius pid` (C `sscanf` "%f" seven times, so values are
  float32 and anything after the seventh number is ignored); `#` lines are comments;
  ids must increase (NEURON's own sort of unsorted files fails); pid < id;
* sections are unbranched runs of points of one type; a type change ends a section;
  soma points in a chain stay one section unless a soma point has several soma children;
* a child section starts with a copy of its parent point; a non-soma child of the
  soma gets the diameter of its own first point there; children of the root's first
  point connect at 0, of its last point at 1, of an interior soma point at 0.5, of a
  one-point soma at 0.5 through a wire (`first = 1`, `pt3dstyle`);
* the NeuroMorpho.org 3-point soma (root in the middle, two children of equal diameter
  at +-d/2) becomes one point, i.e. the cylinder of L = diam;
* a dendrite that branches off the first point of a dendrite wired to the soma
  connects at 0 of that dendrite; further roots (several trees) hang off point 0.

Units: [um]; the file's radius becomes a diameter.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from bridge.errors import SourceLocation
from bridge.morphology.import3d import (
    Import3dSection,
    Morphology,
    MorphologyError,
    hoc_eq,
    hoc_index,
    hoc_lt,
    instantiate,
)
from bridge.morphology.tree import SectionTree

# C strtod's grammar (what sscanf "%f" accepts), matched after optional white space.
_C_FLOAT = re.compile(
    r"\s*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN](?:\([0-9A-Za-z_]*\))?))")
_SIMPLE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMENT = re.compile(r"[ \t]*#")


def _scan7(line: str) -> tuple[list[str], int]:
    """The seven number texts `sscanf(line, "%f %f %f %f %f %f %f")` converts, and where it stopped."""
    parts = line.split(None, 7)
    if len(parts) >= 7 and all(_SIMPLE.match(p) for p in parts[:7]):
        return parts[:7], -1
    out, pos = [], 0
    for _ in range(7):
        m = _C_FLOAT.match(line, pos)
        if not m:
            break
        out.append(m.group(1))
        pos = m.end()
    return out, pos


def _c_double(text: str) -> float:
    try:
        return float(text)  # decimal, inf, infinity, nan: as strtod
    except ValueError:
        pass
    t = text.lower()
    if "0x" in t:
        return float.fromhex(text)
    if t.lstrip("+-").startswith("nan"):
        return math.nan
    return float(text)


def strtof(texts: list[str]) -> np.ndarray:
    """Decimal texts rounded once to float32, as C's `strtof` does (returned as float64).

    The double is exact or rounds to the nearest float32 the same way except when it lands
    exactly on a float32 midpoint; those rare cases are decided from the exact decimal."""
    v = np.array([_c_double(t) for t in texts], dtype=float)
    with np.errstate(over="ignore"):
        f = v.astype(np.float32)
    g = np.nextafter(f, np.where(v > f, np.float32(np.inf), np.float32(-np.inf)).astype(np.float32))
    mid = (f.astype(float) + g.astype(float)) / 2
    for k in np.nonzero((v != f) & (v == mid) & np.isfinite(v))[0]:
        exact = Decimal(texts[k]) if "0x" not in texts[k].lower() else Decimal(v[k])
        if exact != Decimal(mid[k]):
            f[k] = g[k] if (exact > Decimal(mid[k])) == (g[k] > f[k]) else f[k]
    return f.astype(float)


def parse_swc(text: str, filename: str = "<string>") -> Morphology:
    """The Import3d sections of SWC `text` (see the module docstring for the rules)."""
    rows, lines = [], []
    for lineno, line in enumerate(text.split("\n"), 1):  # NEURON's File.gets splits at \n only
        if "\r" in line.rstrip():
            raise MorphologyError("line ends in a lone carriage return (old Mac text); NEURON would read the whole "
                                  "file as one line: convert it to \\n line ends",
                                  SourceLocation(filename, lineno, line.index("\r") + 1), text)
        fields, stop = _scan7(line)
        if len(fields) == 7:
            rows.extend(fields)
            lines.append(lineno)
        elif _COMMENT.match(line) or not line.strip():
            continue
        else:
            col = (stop + 1) if stop >= 0 else 1
            col += len(line[col - 1:]) - len(line[col - 1:].lstrip()) if col <= len(line) else 0
            raise MorphologyError(f"SWC line needs 7 numbers (id type x y z radius parent), found {len(fields)}",
                                  SourceLocation(filename, lineno, col), text)
    values = strtof(rows).reshape(-1, 7) if rows else np.zeros((0, 7))
    bad = ~np.isfinite(values[:, 2:6]).all(axis=1)  # x y z radius: NaN, inf, or past float32's range
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise MorphologyError("SWC point with a coordinate or radius that is not a finite float32 "
                              f"({', '.join(f'{v:g}' for v in values[k, 2:6])}): NEURON's lengths, areas and "
                              "voltages would be NaN", SourceLocation(filename, int(lines[k]), 1), text)
    return _sections(values, np.array(lines, dtype=int), filename, text)


def read_swc(path: str | os.PathLike) -> Morphology:
    """`Import3d_SWC_read.input(path)`: the sections of an SWC file."""
    path = os.fspath(path)
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    return parse_swc(text, path)


def load_swc(path: str | os.PathLike, tree: SectionTree | None = None, cell: str | None = None) -> SectionTree:
    """An SWC file as NEURON's Import3d instantiates it (`Import3d_SWC_read` +
    `Import3d_GUI(r, 0).instantiate(cell)`): sections `soma[0]`, `dend[i]`, `apic[i]`,
    `axon[i]` (`Cell[0].soma[0]`... with `cell="Cell[0]"`), pt3d points, nseg 1."""
    return instantiate(read_swc(path), tree, cell)


# -- Import3d_SWC_read: check_pid, mark_branch, sectionify, mksections --------------------------
@dataclass
class _Points:
    """The points of an SWC file in file order, as `Import3d_SWC_read` holds them: ids, types and
    parent ids, coordinates and diameters [um], and each point's line in the file."""

    ids: list[float]
    types: list[int]
    pid: list[float]  # parent ids (sectionify may re-parent the third point of a 3-point soma)
    x: list[float]
    y: list[float]
    z: list[float]
    d: list[float]
    id2index: list[int]
    iline: np.ndarray

    def parent(self, i: int) -> int:
        """Index of the parent point, -1 for a root."""
        return -1 if hoc_lt(self.pid[i], 0) else self.id2index[hoc_index(self.pid[i])]


def _sections(a: np.ndarray, iline: np.ndarray, filename: str, text: str) -> Morphology:
    points = _checked_points(a, iline, filename, text)
    if points is None:
        return Morphology([], [], filename, "SWC")
    nchild, connect2prox = _mark_branch(points)
    soma3geom, nchild_soma, point2sec = _sectionify(points, nchild)
    sections = _mksections(points, soma3geom, nchild_soma, point2sec, connect2prox)
    return Morphology(sections, sorted(set(points.types)), filename, "SWC")


def _checked_points(a: np.ndarray, iline: np.ndarray, filename: str, text: str) -> _Points | None:
    """`check_pid`: the rows (id, type, x, y, z, radius, parent id) as `_Points` (None: no rows), or a
    MorphologyError for a row NEURON's reader would not accept as bridge reads it."""
    n = len(a)
    ids, types, pid = a[:, 0].tolist(), a[:, 1].tolist(), a[:, 6].tolist()

    def fail(i: int, message: str):
        raise MorphologyError(message, SourceLocation(filename, int(iline[i]), 1), text)

    for i in range(n):
        if not all(math.isfinite(v) for v in a[i]):
            fail(i, "SWC values must be finite numbers")
        if ids[i] != int(ids[i]) or pid[i] != int(pid[i]) or types[i] != int(types[i]):
            fail(i, "SWC id, type and parent id must be integers")
        if not hoc_lt(pid[i], ids[i]):
            fail(i, f"parent id {pid[i]:g} is not less than id {ids[i]:g}")
        if i > 0 and not hoc_lt(ids[i - 1], ids[i]):
            fail(i, f"id {ids[i]:g} does not increase (previous id {ids[i - 1]:g}); NEURON's Import3d cannot "
                    "sort SWC files, so bridge reads only files with increasing ids")
    if n == 0:
        return None
    id2index = [-1] * (hoc_index(max(ids)) + 1)
    for i, v in enumerate(ids):
        if v < 0:
            fail(i, f"negative id {v:g}")
        id2index[hoc_index(v)] = i
    points = _Points(ids, [int(t) for t in types], pid, a[:, 2].tolist(), a[:, 3].tolist(), a[:, 4].tolist(),
                     (a[:, 5] * 2).tolist(), id2index, iline)
    for i in range(n):
        if not hoc_lt(pid[i], 0) and points.parent(i) < 0:
            fail(i, f"parent id {pid[i]:g} is not in the file")
    return points


def _mark_branch(points: _Points) -> tuple[list[float], list[bool]]:
    """`mark_branch`: each point's child count (+.01 for a non-contiguous child or a type change),
    and which points connect to the proximal end of their parent's section."""
    types, n = points.types, len(points.ids)
    nchild = [0.0] * n
    connect2prox = [False] * n
    for i in range(n):
        p = points.parent(i)
        if p < 0:
            continue
        nchild[p] += 1
        if p != i - 1:
            nchild[p] += 0.01
            if p > 1:
                if types[p] != 1 and types[hoc_index(points.parent(p))] == 1:
                    connect2prox[i] = True
                    nchild[p] = 1
            elif p == 0 and types[p] != 1:
                connect2prox[i] = True
                nchild[p] = 1
        if types[p] != types[i]:
            nchild[p] += 0.01
    return nchild, connect2prox


def _sectionify(points: _Points, nchild: list[float]) -> tuple[bool, list[int], list[int]]:
    """`sectionify`: whether the soma is NEURON's 3-point cylinder (then the third point is re-parented),
    the soma children of each soma point, and each point's section; `nchild` marks the soma's
    continuing points."""
    types, pid, x, y, z, d = points.types, points.pid, points.x, points.y, points.z, points.d
    n = len(types)
    nchild_soma = [0] * n
    nsoma = int(types[0] == 1)
    for i in range(1, n):
        if types[i] == 1:
            nsoma += 1
            p = points.parent(i)
            if p >= 0 and types[p] == 1:
                nchild_soma[p] += 1
    soma3geom = False
    if (nsoma == 3 and n >= 3 and points.parent(1) == 0 and points.parent(2) == 0 and nchild[1] == 0
            and nchild[2] == 0 and hoc_eq(d[1], d[0]) and hoc_eq(d[2], d[0])):
        length = sum(math.sqrt((x[i] - x[0]) ** 2 + (y[i] - y[0]) ** 2 + (z[i] - z[0]) ** 2) for i in (1, 2))
        if hoc_lt(abs(length / d[0] - 1), 0.01):
            soma3geom = True
            pid[2] = points.ids[1]
    for i in range(n - 1):
        if types[i] == 1 and types[i + 1] == 1 and points.parent(i + 1) == i:
            if not (i != 0 and nchild_soma[i] > 1):
                nchild[i] = 1
    ends = [i for i in range(n) if abs(nchild[i] - 1) >= HOC_EPS_VEC]
    point2sec = [0] * n
    si = 0
    for i in range(1, n):
        if i > ends[si]:
            si += 1
        point2sec[i] = si
    return soma3geom, nchild_soma, point2sec


def _mksections(points: _Points, soma3geom: bool, nchild_soma: list[int], point2sec: list[int],
                connect2prox: list[bool]) -> list[Import3dSection]:
    """`mksections`: one Import3dSection per run of points with the same section."""
    n = len(points.ids)
    sections: list[Import3dSection] = []
    first = 0
    isec = 0
    for i in range(n + 1):
        if i == n or point2sec[i] > isec:
            sections.append(_mksection(points, isec, first, i, soma3geom, sections, point2sec, nchild_soma,
                                       connect2prox))
            isec += 1
            first = i
    return sections


HOC_EPS_VEC = 1e-11  # Vector.indvwhere("!=") compares with float_epsilon too


def _mksection(points: _Points, isec: int, first: int, i: int, soma3geom: bool, sections: list[Import3dSection],
               point2sec: list[int], nchild_soma: list[int], connect2prox: list[bool]) -> Import3dSection:
    """NEURON's `mksection`: points first..i-1, plus the parent point for a non-root section."""
    types, x, y, z, d = points.types, points.x, points.y, points.z, points.d
    line = int(points.iline[first])

    def pts(idx):
        return np.array([[x[k], y[k], z[k]] for k in idx], dtype=float), np.array([d[k] for k in idx], dtype=float)

    if isec == 0:
        if soma3geom:
            i = 1
        xyz, dd = pts(range(first, i))
        sec = Import3dSection(xyz, dd, types[first], None, 1.0, 0, first, line)
    else:
        pp = points.parent(first)
        parent = point2sec[hoc_index(pp)]
        psec = sections[parent]
        sec = Import3dSection(np.zeros((0, 3)), np.zeros(0), types[first], parent, 1.0, 0, first, line)
        den_con_soma = psec.type == 1 and types[first] != 1
        con_soma = psec.type == 1
        handled = False
        if parent == 0:
            handled = True
            if den_con_soma and len(psec.d) == 1:
                sec.parentx = 0.5
                if i - first > 1:
                    sec.first = 1
            elif pp == psec.id:
                sec.parentx = 0.0
                if types[first] != 1 and nchild_soma[hoc_index(pp)] > 1:
                    sec.first = 1
            else:
                handled = False
        if not handled and con_soma:
            offset = -1 if psec.id == 0 else -2
            if pp < psec.id + len(psec.d) + offset:
                sec.parentx = 0.5
                if den_con_soma and i - first > 1:
                    sec.first = 1
            elif i - first > 1 and nchild_soma[hoc_index(pp)] > 1 and types[first] != 1:
                sec.first = 1
        sec.xyz, sec.d = pts([hoc_index(pp)] + list(range(first, i)))
        if psec.type == 1 and sec.type != 1:
            sec.d[0] = sec.d[1]
        if connect2prox[first]:
            sec.parentx = 0.0
    return sec


__all__ = ["read_swc", "parse_swc", "load_swc", "strtof"]
