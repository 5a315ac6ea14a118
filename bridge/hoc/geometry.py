"""HOC functions about sections: names, 3-D points, area, ri, distance, section stack.

3-D points are stored in float32 as NEURON stores them; arc lengths are summed
in double from float32 differences (`bridge.morphology.nodes.pt3d_float32`).
Units: [um], area [um2], ri [megohm].
"""

from __future__ import annotations

import math

import numpy as np

from bridge.hoc.arguments import number_arg
from bridge.hoc.bindings import DIAM
from bridge.hoc.model_state import origin
from bridge.hoc.split_state import refuse_while_split
from bridge.hoc.values import Sec, Segment, StrVar, f32
from bridge.morphology.nodes import node_layout, section_geometry


def _cur(interp, loc) -> Sec:
    return interp.model.current(interp, loc)


def _note_point(interp, sec: Sec, point, loc) -> None:
    """Remember where the 3-D points were last changed, and where a point that is not finite (as
    float32: NEURON's geometry becomes NaN) was set, for errors when the model is built
    (bridge.morphology.nodes.check_cable)."""
    where = sec.data.origin["pt3d"] = origin(interp, loc)
    if not all(math.isfinite(v) for v in point):
        sec.data.origin["pt3d nonfinite"] = where


def _point_index(interp, sec: Sec, i: float, loc, name, allow_end=False) -> int:
    n = len(sec.points)
    j = int(i)
    if not 0 <= j < n + (1 if allow_end else 0):
        raise interp.error(f"{name}: 3-D point {j} of {sec.name} does not exist (n3d = {n})", loc)
    return j


def pt3dclear(interp, args, loc):
    sec = _cur(interp, loc)
    sec.points.clear()
    sec.modified(0)
    return 0.0


def pt3dadd(interp, args, loc):
    if len(args) != 4:
        raise interp.error("pt3dadd(x, y, z, diam) needs 4 numbers", loc)
    sec = _cur(interp, loc)
    sec.points.append(tuple(f32(number_arg(interp, args, i, loc, "pt3dadd")) for i in range(4)))
    _note_point(interp, sec, sec.points[-1], loc)
    sec.modified(len(sec.points) - 1)
    return float(len(sec.points))


def pt3dinsert(interp, args, loc):
    sec = _cur(interp, loc)
    j = _point_index(interp, sec, number_arg(interp, args, 0, loc, "pt3dinsert"), loc, "pt3dinsert", allow_end=True)
    sec.points.insert(j, tuple(f32(number_arg(interp, args, i, loc, "pt3dinsert")) for i in range(1, 5)))
    _note_point(interp, sec, sec.points[j], loc)
    sec.arc.insert(j, 0.0)
    sec.modified(j)
    return 0.0


def pt3dchange(interp, args, loc):
    sec = _cur(interp, loc)
    j = _point_index(interp, sec, number_arg(interp, args, 0, loc, "pt3dchange"), loc, "pt3dchange")
    if len(args) == 2:
        p = sec.points[j]
        sec.points[j] = (p[0], p[1], p[2], f32(number_arg(interp, args, 1, loc, "pt3dchange")))
    elif len(args) == 5:
        sec.points[j] = tuple(f32(number_arg(interp, args, i, loc, "pt3dchange")) for i in range(1, 5))
    else:
        raise interp.error("pt3dchange(i, diam) or pt3dchange(i, x, y, z, diam)", loc)
    _note_point(interp, sec, sec.points[j], loc)
    sec.modified(j)
    return 0.0


def pt3dremove(interp, args, loc):
    sec = _cur(interp, loc)
    j = _point_index(interp, sec, number_arg(interp, args, 0, loc, "pt3dremove"), loc, "pt3dremove")
    del sec.points[j]
    del sec.arc[j]
    sec.modified(j)
    return 0.0


def pt3dconst(interp, args, loc):
    if args and number_arg(interp, args, 0, loc, "pt3dconst") != 0.0:
        raise interp.refuse("pt3dconst(1) is not supported", loc)
    return 0.0


def pt3dstyle(interp, args, loc):
    """pt3dstyle(0) or pt3dstyle(1, x, y, z): the logical connection point (display only)."""
    sec = _cur(interp, loc)
    if not args:
        return float(sec.data.logical_connection is not None)
    if number_arg(interp, args, 0, loc, "pt3dstyle") == 0.0:
        sec.data.logical_connection = None
    elif len(args) == 4:
        sec.data.logical_connection = tuple(f32(number_arg(interp, args, i, loc, "pt3dstyle")) for i in (1, 2, 3))
    else:
        raise interp.error("pt3dstyle(1, x, y, z) needs the point", loc)
    return float(sec.data.logical_connection is not None)


def n3d(interp, args, loc):
    return float(len(_cur(interp, loc).points))


def _coord(k, name):
    def fn(interp, args, loc):
        sec = _cur(interp, loc)
        j = _point_index(interp, sec, number_arg(interp, args, 0, loc, name), loc, name)
        return float(sec.points[j][k])
    return fn


def arc3d(interp, args, loc):
    sec = _cur(interp, loc)
    j = _point_index(interp, sec, number_arg(interp, args, 0, loc, "arc3d"), loc, "arc3d")
    return float(sec.arcs()[j])


def define_shape(interp, args, loc):
    """NEURON's `define_shape()`: 3-D points for sections that have none, and sections that have
    some moved to their parent's connection point.

    A root starts at (0, 0, 100 i) along +x (i: its place in NEURON's section order); a child
    starts at its connection point on the line from its parent's first to last 3-D point and
    leaves along that line (perpendicular when connected between the ends); siblings at the
    same position fan out over 0.8 rad. Points are at 0, every segment centre and 1, with the
    segment diameters; coordinates are float32, as NEURON computes them.
    """
    model = interp.model
    if not any(s.alive for s in model.sections):
        return 1.0
    for s in model.sections:
        s.sync()
        model.area_ri(s)  # NEURON's define_shape starts with recalc_diam
    # the order and L; the cable values are checked when the model is built
    layout = node_layout(model.tree, check=False)
    order = sorted(range(len(layout.section_names)), key=lambda k: layout.first[k])
    by_name = {s.name: s for s in model.sections}
    for i, k in enumerate(order):
        sec = by_name[layout.section_names[k]]
        parent = by_name[sec.data.parent] if sec.data.parent is not None else None
        start, direction = _start(sec, parent, i)
        if sec.points:
            if parent is not None:
                _translate(sec, start)
            continue
        angle = _angle(model.tree, sec, parent, direction)
        _straight_points(interp, sec, start, angle, loc)
    return 1.0


def _start(sec: Sec, parent: Sec | None, i: int):
    """Where `sec` starts (x, y, z) and the direction (x, y) of its parent there (float32)."""
    f = np.float32
    if parent is None:
        return (f(0.0), f(0.0), f(i * 100.0)), (f(1.0), f(0.0))
    arc = float(sec.data.parent_x)
    first, last = parent.points[0], parent.points[-1]
    x1 = f(last[0]) - f(first[0])
    y1 = f(last[1]) - f(first[1])
    arc1 = arc if parent.data.child_end == 0.0 else 1.0 - arc
    if arc1 < 0.5:
        x1, y1 = -x1, -y1
    x = f(float(last[0]) * arc1 + float(first[0]) * (1.0 - arc1))
    y = f(float(last[1]) * arc1 + float(first[1]) * (1.0 - arc1))
    z = f(float(last[2]) * arc1 + float(first[2]) * (1.0 - arc1))
    return (x, y, z), (x1, y1)


def _translate(sec: Sec, start) -> None:
    """Move a section's 3-D points so that its first point, or its logical connection point
    (pt3dstyle 1), is at `start`; NEURON keeps the arcs."""
    f = np.float32
    data = sec.data
    x, y, z = start
    anchor = data.logical_connection or sec.points[0][:3]
    dx, dy, dz = x - f(anchor[0]), y - f(anchor[1]), z - f(anchor[2])
    sec.points = [(float(f(px) + dx), float(f(py) + dy), float(f(pz) + dz), d) for px, py, pz, d in sec.points]
    if data.logical_connection is not None:
        data.logical_connection = (float(x), float(y), float(z))
    sec.pt3d_changed()


def _angle(tree, sec: Sec, parent: Sec | None, direction):
    """The direction [rad] a new section leaves in: its parent's, perpendicular when connected
    between the ends, siblings at the same position fanned out over 0.8 rad (float32)."""
    f = np.float32
    x1, y1 = direction
    arc = float(sec.data.parent_x)
    if abs(float(y1)) < 1e-6 and abs(float(x1)) < 1e-6:
        angle = f(0.0)
    else:
        angle = f(math.atan2(float(y1), float(x1)))
    if 0.0 < arc < 1.0:
        angle = f(float(angle) + math.pi / 2.0)
    if parent is not None:
        same = [c.name for c in tree.children(parent.name) if c.parent_x == arc]
        nch, ich = len(same), same.index(sec.name)
        if nch > 1:
            angle = f(float(angle) + ich / (nch - 1.0) * 0.8 - 0.4)
    return angle


def _straight_points(interp, sec: Sec, start, angle, loc) -> None:
    """3-D points of a section without any: a straight line of length L from `start` at `angle`,
    at 0, every segment centre and 1, with the segment diameters."""
    f = np.float32
    data = sec.data
    x, y, z = start
    length = float(data.L)
    xe = f(float(x) + length * math.cos(float(angle)))
    ye = f(float(y) + length * math.sin(float(angle)))
    nseg = data.nseg
    diams = [float(interp.model.get_range(sec, DIAM, (j + 0.5) / nseg, loc, interp)) for j in range(nseg)]
    if data.child_end == 1.0:
        diams = diams[::-1]  # pnode order of a section connected by its 1 end
    pts = [(float(x), float(y), float(z), float(f(diams[0])))]
    for j in range(nseg):
        frac = (j + 0.5) / nseg
        pts.append((float(f(float(x) * (1 - frac) + float(xe) * frac)),
                    float(f(float(y) * (1 - frac) + float(ye) * frac)), float(z), float(f(diams[j]))))
    pts.append((float(xe), float(ye), float(z), float(f(diams[-1]))))
    sec.points = pts
    sec.modified(0)
    sec.arc[-1] = length  # NEURON sets the last point's arc to L exactly


def _geom(interp, sec):
    sec.sync()
    interp.model.area_ri(sec)  # area() and ri() run NEURON's nrn_area_ri
    return section_geometry(sec.data)


def _node_of(sec: Sec, x: float) -> int | None:
    """Index in pnode order of the node at x (None for the connection point), as cabcode.cpp's node_exact: an end
    by x mirrored for a section connected by its 1-end, an interior x by node_index (the segment of x, then
    mirrored: at a segment boundary of such a section, the segment below x mirrored, not the one above 1 - x)."""
    nseg = sec.data.nseg
    rev = sec.data.child_end == 1.0
    if x <= 0.0 or x >= 1.0:
        xe = 1.0 - x if rev else x
        return None if xe <= 0.0 else nseg
    i = min(int(nseg * x), nseg - 1)
    return nseg - 1 - i if rev else i


def area(interp, args, loc):
    sec = _cur(interp, loc)
    x = number_arg(interp, args, 0, loc, "area")
    j = _node_of(sec, x)
    if j is None or j == sec.data.nseg:
        return 0.0
    return float(_geom(interp, sec).area[j])


def ri(interp, args, loc):
    sec = _cur(interp, loc)
    x = number_arg(interp, args, 0, loc, "ri")
    while True:
        j = _node_of(sec, x)
        if j is not None:
            rinv = float(_geom(interp, sec).rinv[j])
            return 1.0 / rinv if rinv else 1e30  # NEURON's ri() (cabcode.cpp) for a zero conductance
        if sec.data.parent is None:
            return 1e30  # a root's 0 end
        # the connection end is the parent's node there
        x = sec.data.parent_x
        sec = next(s for s in interp.model.sections if s.name == sec.data.parent)


def secname(interp, args, loc):
    return _cur(interp, loc).name


def sectionname(interp, args, loc):
    if not args or not isinstance(args[0], StrVar):
        raise interp.error("sectionname(strdef) needs a strdef variable", loc)
    args[0].value = _cur(interp, loc).name
    return 0.0


def push_section(interp, args, loc):
    if not args:
        raise interp.error("push_section needs a section name", loc)
    a = args[0]
    if isinstance(a, (Sec, Segment)):
        sec = a.sec if isinstance(a, Segment) else a
    else:
        name = a.value if isinstance(a, StrVar) else a
        if not isinstance(name, str):
            raise interp.error("push_section(\"name\") needs a section name", loc)
        sec = next((s for s in interp.model.sections if s.alive and s.name == name), None)
        if sec is None:
            raise interp.error(f"push_section: no section named {name}", loc)
    interp.model.push(sec)
    return 0.0


def pop_section(interp, args, loc):
    if not interp.model.sec_stack:
        raise interp.error("pop_section: the section stack is empty", loc)
    interp.model.pop()
    return 0.0


def delete_section(interp, args, loc):
    sec = _cur(interp, loc)
    interp.model.delete(sec)
    if interp.model.sec_stack and interp.model.sec_stack[-1] is sec:
        interp.model.sec_stack[-1] = sec  # popped by the enclosing section statement
    return 0.0


def ismembrane(interp, args, loc):
    name = args[0].value if isinstance(args[0], StrVar) else args[0]
    sec = _cur(interp, loc)
    if name in sec.data.mechanisms or name in ("capacitance", "morphology"):
        return 1.0
    if isinstance(name, str) and name.endswith("_ion"):
        return float(name[:-4] in interp.model.ions_of(sec))
    return 0.0


def issection(interp, args, loc):
    pattern = args[0].value if isinstance(args[0], StrVar) else args[0]
    return float(interp.model.name_matcher(pattern, anywhere=False)(_cur(interp, loc).name))


def section_orientation(interp, args, loc):
    refuse_while_split(interp, "section_orientation()", loc)
    return float(_cur(interp, loc).data.child_end)


def parent_connection(interp, args, loc):
    refuse_while_split(interp, "parent_connection()", loc)
    return float(_cur(interp, loc).data.parent_x)


def _node_x(sec, x: float) -> float:
    """NEURON measures distance between nodes: x becomes the centre of its segment (ends stay)."""
    if x <= 0.0 or x >= 1.0:
        return x
    return (sec.segment(x) + 0.5) / sec.nseg


def _path_to_root(tree, name, x):
    """[(section, node x)] from the point up to its root section."""
    sec = tree[name]
    out = [(name, _node_x(sec, x))]
    while sec.parent is not None:
        parent = tree[sec.parent]
        out.append((sec.parent, _node_x(parent, sec.parent_x)))
        sec = parent
    return out


def _arc_from_entry(tree, name, x):
    """Distance [um] from a section's connection end to x."""
    sec = tree[name]
    return sec.L * abs(x - sec.child_end)


def distance(interp, args, loc):
    refuse_while_split(interp, "distance()", loc)
    """distance() / distance(0, x): set the origin; distance(x) / distance(1, x): path length to it."""
    model = interp.model
    sec = _cur(interp, loc)
    if not args or (len(args) == 2 and number_arg(interp, args, 0, loc, "distance") == 0.0):
        x = number_arg(interp, args, 1, loc, "distance") if len(args) == 2 else 0.0
        model.distance_origin = (sec, x)
        return 0.0
    x = number_arg(interp, args, len(args) - 1, loc, "distance")
    start = model.distance_origin
    if start is None or not start[0].alive:
        root = sec.data
        while root.parent is not None:
            root = model.tree[root.parent]
        start = (next(s for s in model.sections if s.name == root.name), 0.0)
    for s in model.sections:
        s.sync()
    tree = model.tree
    pa = _path_to_root(tree, start[0].name, start[1])
    pb = _path_to_root(tree, sec.name, x)
    names_a = [p[0] for p in pa]
    for k, (nb, xb) in enumerate(pb):
        if nb in names_a:
            ka = names_a.index(nb)
            xa = pa[ka][1]
            d = tree[nb].L * abs(xa - xb)
            d += sum(_arc_from_entry(tree, n, xx) for n, xx in pa[:ka])
            d += sum(_arc_from_entry(tree, n, xx) for n, xx in pb[:k])
            return float(d)
    return 1e20  # different cells, as NEURON


def functions() -> dict:
    return {
        "pt3dclear": pt3dclear, "pt3dadd": pt3dadd, "pt3dinsert": pt3dinsert, "pt3dchange": pt3dchange,
        "pt3dremove": pt3dremove, "pt3dconst": pt3dconst, "pt3dstyle": pt3dstyle, "n3d": n3d,
        "x3d": _coord(0, "x3d"), "y3d": _coord(1, "y3d"), "z3d": _coord(2, "z3d"), "diam3d": _coord(3, "diam3d"),
        "arc3d": arc3d, "define_shape": define_shape, "area": area, "ri": ri, "secname": secname,
        "sectionname": sectionname, "push_section": push_section, "pop_section": pop_section,
        "delete_section": delete_section, "ismembrane": ismembrane, "issection": issection,
        "section_orientation": section_orientation, "parent_connection": parent_connection,
        "distance": distance,
    }
