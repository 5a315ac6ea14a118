"""Neurolucida ASCII (.asc) files read as NEURON's `Import3d_Neurolucida3` reads them
(read_nlcda3.hoc, NEURON 9.0.2).

The file is a nest of parenthesised objects. What becomes sections:

* a contour named "CellBody", "Cell Body" or "Soma" with more than two points: a soma
  section (a contour; Import3d_GUI replaces it by its centroid line, see
  `bridge.morphology.contour`); other contours are read and ignored;
* a tree `( (Color ..) (Dendrite | Apical | Axon) points ... )` with branches
  `( branch | branch ... )`: one section per unbranched run of points, type from the
  last property (Axon 2, Dendrite 3, Apical 4, otherwise 0); a child section starts with
  its parent's last point (at the child's first diameter) unless it already does;
* markers, text, properties, sets and spines `< >` are parsed and skipped.

Then (`connect2soma`) soma contours move to the front, and every tree whose first point
lies in a soma's bounding box (+-0.5 um) is wired to that soma's centre at 0.5
(`first = 1`, `pt3dstyle`); trees outside every box go to the nearest centre (a warning,
as NEURON prints one). Soma contours whose xy boxes overlap the previous one form a
stack (one soma: a point per contour, see `bridge.morphology.contour.stack_centroid`).
Numbers are read as doubles (`%lf`). Units: [um].
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from bridge.errors import SourceLocation
from bridge.morphology.contour import _dot, contour_center, stack_center
from bridge.morphology.import3d import Import3dSection, Morphology, MorphologyError, hoc_eq, hoc_lt, instantiate
from bridge.morphology.neurolucida_tokens import (
    _NAMES,
    BAR,
    COMMA,
    EOF,
    LABEL,
    LP,
    LSP,
    NUMBER,
    RGB,
    RP,
    RSP,
    SET,
    STRING,
    Token,
    tokens,
)
from bridge.morphology.tree import SectionTree


@dataclass
class _Sec:
    xyz: list
    d: list
    type: int
    line: int
    parent: _Sec | None = None
    parentx: float = 1.0
    first: int = 0
    iscontour: bool = False
    stack: list = field(default_factory=list)  # further contours of a soma contour stack


@dataclass
class _Parser:
    """The recursive descent of read_nlcda3.hoc; `k` indexes `toks` (current token)."""

    toks: list[Token]
    filename: str
    text: str
    k: int = 0
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)
    z: list = field(default_factory=list)
    d: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    types: list = field(default_factory=list)
    plist: list = field(default_factory=list)
    parentsec: _Sec | None = None
    sectype: int = 0
    notes: list = field(default_factory=list)

    # -- tokens
    def tok(self, ahead: int = 0) -> Token:
        return self.toks[min(self.k + ahead, len(self.toks) - 1)]

    @property
    def cur(self) -> int:
        return self.tok().kind

    def read(self) -> None:
        if self.k < len(self.toks) - 1:
            self.k += 1

    def error(self, what: str = "") -> MorphologyError:
        t = self.tok()
        found = _NAMES[t.kind] + (f" {t.s!r}" if t.s else "")
        msg = f"Neurolucida parse error at {found}" + (f": {what}" if what else "")
        return MorphologyError(msg, SourceLocation(self.filename, t.line, t.column), self.text)

    def chk(self, kind: int) -> None:
        if self.cur != kind:
            raise self.error(f"expected {_NAMES[kind]!r}")

    def demand(self, kind: int) -> None:
        self.read()
        self.chk(kind)

    def optionalcomma(self) -> None:
        if self.cur == COMMA:
            self.read()

    # -- grammar
    def p_file(self) -> None:
        self.objects()
        if self.cur != EOF:
            raise self.error("text after the last object")

    def objects(self) -> None:
        self.object()
        while True:
            self.optionalcomma()
            if self.cur != LP:
                break
            self.object()

    def object(self) -> None:
        if self.cur != LP:
            raise self.error("expected '('")
        la = self.tok(1).kind
        if la == STRING:
            self.contour()
        elif la == LABEL:
            self.marker_or_property()
        elif la == LP:
            self.tree_or_text()
        elif la == SET:
            self.p_set()
        else:
            self.read()
            raise self.error()

    def marker_or_property(self) -> None:
        if self.tok(2).kind == LP:
            self.marker()
        else:
            self.property()

    def tree_or_text(self) -> None:
        saved = self.k
        if self.text_object():
            return
        self.k = saved  # rollback (a point text() read stays in the point list, as in NEURON)
        self.tree()

    def properties(self) -> None:
        self.plist = []
        while self.cur == LP and self.tok(1).kind in (LABEL, SET):
            if self.tok(1).kind == LABEL:
                self.property()
            else:
                self.p_set()
            self.optionalcomma()

    def property(self) -> None:
        self.chk(LP)
        self.demand(LABEL)
        prop = [self.tok()]
        self.plist.append(prop)
        self.read()
        while self.cur in (NUMBER, STRING, LABEL, RGB):
            if self.cur == RGB:
                self.demand(LP)
                self.demand(NUMBER)
                self.read()
                self.optionalcomma()
                self.chk(NUMBER)
                self.read()
                self.optionalcomma()
                self.chk(NUMBER)
                self.demand(RP)
            else:
                prop.append(self.tok())
            self.read()
        self.chk(RP)
        self.read()

    def p_set(self) -> None:
        self.chk(LP)
        self.demand(SET)
        self.demand(STRING)
        self.read()
        if self.cur != RP:
            self.objects()
        self.chk(RP)
        self.read()

    def contour(self) -> None:
        self.chk(LP)
        begin = len(self.x)
        self.demand(STRING)
        keep = self.tok().s in ("CellBody", "Cell Body", "Soma")
        line = self.tok().line
        self.read()
        self.properties()
        self.points()
        if keep:
            if len(self.x) - begin > 2:
                self.sectype = 1
                self.newsec(begin, len(self.x), line).iscontour = True
            else:
                self.notes.append(f"CellBody contour has less than three points at line {line}. Ignoring.")
        self.chk(RP)
        self.read()

    def markerlist(self) -> None:
        self.chk(LP)
        depth = 1
        while depth:
            self.read()
            if self.cur == RP:
                depth -= 1
            elif self.cur == LP:
                depth += 1
            elif self.cur == EOF:
                raise self.error("unclosed '('")
        self.read()

    def tree(self) -> None:
        self.parentsec = None
        self.chk(LP)
        self.read()
        self.properties()
        self.sectype = 0
        if self.plist:
            self.sectype = {"Axon": 2, "Dendrite": 3, "Apical": 4}.get(self.plist[-1][0].s, 0)
        self.branch()
        self.chk(RP)
        self.read()
        self.parentsec = None

    def branch(self) -> None:
        psav = self.parentsec
        begin = len(self.x)
        line = self.tok().line
        self.treepoints()
        sec = self.newsec(begin, len(self.x), line)
        sec.parent = self.parentsec
        self.parentsec = sec
        self.branchend()
        self.parentsec = psav

    def treepoints(self) -> None:
        self.treepoint()
        while True:
            self.optionalcomma()
            if self.cur != LP or self.tok(1).kind != NUMBER:
                break
            self.treepoint()

    def treepoint(self) -> None:
        if self.tok(1).kind == LABEL:
            self.marker_or_property()
        else:
            self.point()
            while self.cur == LSP:  # spines: read, not kept (as NEURON)
                self.chk(LSP)
                self.read()
                self.properties()
                self.point(keep=False)
                self.chk(RSP)
                self.read()

    def branchend(self) -> None:
        self.optionalcomma()
        if self.cur == LP:
            while self.tok(1).kind == LABEL:
                self.markerlist()
        self.optionalcomma()
        if self.cur == LP:
            self.read()
            self.branch()
            while self.cur == BAR:
                self.read()
                self.branch()
            self.chk(RP)
            self.read()
        elif self.cur == LABEL:
            self.read()

    def marker(self) -> None:
        self.chk(LP)
        self.demand(LABEL)
        self.read()
        self.properties()
        self.points()
        self.chk(RP)
        self.read()

    def text_object(self) -> bool:
        self.chk(LP)
        self.read()
        self.properties()
        self.point()
        if self.cur != STRING:
            return False
        self.read()
        if self.cur != RP:
            return False
        self.read()
        return True

    def points(self) -> None:
        self.point()
        while True:
            self.optionalcomma()
            if self.cur != LP:
                break
            self.point()

    def point(self, keep: bool = True) -> None:
        self.chk(LP)
        self.demand(NUMBER)
        xv = self.tok().x
        self.read()
        self.optionalcomma()
        self.chk(NUMBER)
        yv = self.tok().x
        zv = dv = 0.0
        self.read()
        self.optionalcomma()
        if self.cur == NUMBER:
            zv = self.tok().x
            self.read()
            self.optionalcomma()
            if self.cur == NUMBER:
                dv = self.tok().x
                self.read()
                self.optionalcomma()
                if self.cur == LABEL:
                    self.read()
                self.optionalcomma()
                if self.cur == LP:  # bezier control point
                    self.demand(NUMBER)
                    for _ in range(3):
                        self.read()
                        self.optionalcomma()
                        self.chk(NUMBER)
                    self.demand(RP)
                    self.read()
        if keep:
            self.x.append(xv)
            self.y.append(yv)
            self.z.append(zv)
            self.d.append(dv)
        self.chk(RP)
        self.read()

    def newsec(self, begin: int, end: int, line: int) -> _Sec:
        if end <= begin:
            raise self.error("a branch without points")
        pts = [[self.x[i], self.y[i], self.z[i]] for i in range(begin, end)]
        dd = self.d[begin:end]
        p = self.parentsec
        if p is not None and not all(hoc_eq(a, b) for a, b in zip(p.xyz[-1], pts[0])):
            pts = [list(p.xyz[-1])] + pts
            dd = [self.d[begin]] + dd
        sec = _Sec(pts, list(dd), self.sectype, line)
        self.types.append(self.sectype)
        self.sections.append(sec)
        return sec


def _inside(x: float, y: float, x0: float, y0: float, x1: float, y1: float) -> bool:
    """GUIMath.inside, which compares in float32 (InterViews Coord)."""
    f = np.float32
    return bool(f(x0) <= f(x) <= f(x1) and f(y0) <= f(y) <= f(y1))


def _box(sec: _Sec) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in sec.xyz], [p[1] for p in sec.xyz]
    return min(xs), min(ys), max(xs), max(ys)


def _xy_intersect(a, b) -> bool:
    return not (hoc_lt(b[2], a[0]) or hoc_lt(a[2], b[0]) or hoc_lt(b[3], a[1]) or hoc_lt(a[3], b[1]))


def _stack(somas: list[_Sec]) -> list[_Sec]:
    """NEURON's `soma_contour_stack`: a contour whose xy box overlaps the previous contour's
    joins the stack of the last contour that started one; returns the main contours."""
    first, bb1 = somas[0], _box(somas[0])
    main = [first]
    for nxt in somas[1:]:
        bb2 = _box(nxt)
        if _xy_intersect(bb1, bb2):
            first.stack.append(nxt)
        else:
            first = nxt
            main.append(nxt)
        bb1 = bb2
    return main


def _connect2soma(secs: list[_Sec], filename: str, notes: list[str]) -> list[_Sec]:
    contours = [s for s in secs if s.iscontour]
    secs = contours + [s for s in secs if not s.iscontour]
    if not contours:
        return secs
    somas = _stack(contours)
    roots = [s for s in secs if not s.iscontour and s.parent is None]
    centers = []
    for soma in somas:
        if soma.stack:  # connect2soma_2 with a contour stack: stk_center, stk_bbox (no margin)
            center = stack_center([soma] + soma.stack)
            boxes = [_box(c) for c in [soma] + soma.stack]
            xmin, ymin = min(b[0] for b in boxes), min(b[1] for b in boxes)
            xmax, ymax = max(b[2] for b in boxes), max(b[3] for b in boxes)
        else:
            xmin, ymin, xmax, ymax = _box(soma)
            xmin, ymin, xmax, ymax = xmin - 0.5, ymin - 0.5, xmax + 0.5, ymax + 0.5
            xs, ys, zs = zip(*soma.xyz)
            center = contour_center(xs, ys, zs)[0]
        centers.append(center)
        for sec in reversed(list(roots)):
            if _inside(sec.xyz[0][0], sec.xyz[0][1], xmin, ymin, xmax, ymax):
                _wire(sec, soma, center)
                roots.remove(sec)
    for sec in roots:
        dmin, imin = 1e9, 0
        for j, c in enumerate(centers):
            diff = [a - b for a, b in zip(sec.xyz[0], c)]
            dist = math.sqrt(_dot(diff, diff))
            if hoc_lt(dist, dmin):
                dmin, imin = dist, j
        notes.append(f"Main branch starting at line {sec.line} is outside the soma bounding boxes; "
                     "making a logical connection to the center of the nearest soma (as NEURON)")
        _wire(sec, somas[imin], centers[imin])
    subsidiary = {id(c) for soma in somas for c in soma.stack}
    return [s for s in secs if id(s) not in subsidiary]  # NEURON skips them when it instantiates


def _wire(sec: _Sec, soma: _Sec, center: list[float]) -> None:
    sec.parent, sec.parentx, sec.first = soma, 0.5, 1
    sec.xyz.insert(0, list(center))
    sec.d.insert(0, 0.01)


def parse_asc(text: str, filename: str = "<string>") -> Morphology:
    """The Import3d sections of Neurolucida ASCII `text` (see the module docstring)."""
    parser = _Parser(tokens(text), filename, text)
    parser.p_file()
    secs = _connect2soma(parser.sections, filename, parser.notes)
    for note in parser.notes:
        warnings.warn(f"{filename}: {note}", stacklevel=3)
    index = {id(s): i for i, s in enumerate(secs)}
    def convert(s: _Sec, parent: int | None) -> Import3dSection:
        return Import3dSection(np.array(s.xyz, dtype=float).reshape(-1, 3), np.array(s.d, dtype=float), s.type,
                               parent, s.parentx, s.first, 0, s.line, s.iscontour,
                               [convert(c, None) for c in s.stack] or None)

    out = [convert(s, None if s.parent is None else index[id(s.parent)]) for s in secs]
    return Morphology(out, list(parser.types), filename, "Neurolucida V3")


def read_asc(path: str | os.PathLike) -> Morphology:
    """`Import3d_Neurolucida3.input(path)`: the sections of a Neurolucida ASCII file."""
    path = os.fspath(path)
    with open(path, encoding="utf-8", errors="replace") as fh:
        return parse_asc(fh.read(), path)


def load_asc(path: str | os.PathLike, tree: SectionTree | None = None, cell: str | None = None) -> SectionTree:
    """A Neurolucida file as `Import3d_Neurolucida3` + `Import3d_GUI(r, 0).instantiate(cell)`."""
    return instantiate(read_asc(path), tree, cell)


__all__ = ["read_asc", "parse_asc", "load_asc", "tokens", "Token"]
