"""When template objects and point processes die: NEURON's reference counts, found by a pass.

NEURON counts the references to each object (src/oc/hoc_oop.cpp `hoc_obj_unref`,
`hoc_dec_refcount`): objref variables (scalars and arrays, at top level, in procedure frames and
in other objects), List items and the argument stack. An object whose count reaches 0 is
destroyed: a point process leaves its section (its destructor, `nrn_pnt_destruct` in
src/nrnoc/point.cpp) and a recording of one of its variables stops; a template object's
sections are deleted and the objects its fields refer to lose that reference.

Built-in objects (Vector, List, ...) already die with Python's reference counts
(`bridge.hoc.objects.ObjectRegistry`). Template objects and point processes are kept by the
interpreter's registries (`Template.instances`, `ModelState.point_processes`), so `collect`
counts, for each of them, the references HOC holds (top-level names, procedure frames, fields
of live objects, live built-in objects' items) and destroys those with none, until no more die.
Objects held only by each other (a cycle) keep their counts, as in NEURON.

Built-in objects that cannot refer to template objects or point processes (Vector, Matrix, File, ...:
`holds_hoc_objects = False`) are not walked.

Where bridge differs: the pass runs at points where it matters (before the model is frozen for a
run, when `List("Name")` lists, at top-level statements once the number of objects doubled; at
fadvance() only when a reference may have been dropped since the last pass, `bridge.hoc.ref_drops`),
not the moment a count reaches 0; an object held only by Python's evaluation stack (an argument
still being evaluated) is not a root there, so the pass never runs inside an expression at top level.
"""

from __future__ import annotations

from typing import Any

from bridge.hoc import ref_drops
from bridge.hoc.nseg_points import keep_promotion
from bridge.hoc.values import HocObject, ObjVar

MIN_PENDING = 64  # objects made before the first automatic pass at a top-level statement


def _managed(interp) -> list:
    objs: list[Any] = [o for t in interp.templates.values() for o in t.instances]
    objs.extend(interp.model.point_processes)
    return objs


def _refs(value, out: list, depth: int = 2) -> None:
    """The objects `value` refers to: an objref variable's elements, an object, lists and dicts of
    them (`depth` levels: a frame's locals, a built-in object's fields and their lists)."""
    if isinstance(value, ObjVar):
        out.extend(v for v in value.data if v is not None)
    elif isinstance(value, (list, tuple, dict)):
        if depth > 0:
            for v in (value.values() if isinstance(value, dict) else value):
                _refs(v, out, depth - 1)
    elif value is not None and not isinstance(value, (str, float, int)):
        out.append(value)


def _held(interp, managed: list) -> dict[int, int]:
    """How many references HOC holds to each managed object (by id)."""
    counts = dict.fromkeys(map(id, managed), 0)
    found: list = []
    for value in interp.top.values():
        _refs(value, found)
    for frame in interp.frames:
        _refs(frame.args, found)
        _refs(frame.locals, found)
        if frame.obj is not None:
            found.append(frame.obj)
    found.extend(interp.model.window_held)  # held by a window (`vbox.ref(this)`), as in NEURON
    for obj in managed:
        if isinstance(obj, HocObject):
            _refs(obj.ns, found)
    for live in interp.objects.live.values():
        for obj in list(live.values()):
            if obj.holds_hoc_objects:  # (not a point process, Vector, Matrix, File, ...: bridge.hoc.ref_drops)
                _refs(vars(obj), found)
    interp.work(len(found) + len(managed), None)
    for obj in found:
        key = id(obj)
        if key in counts:
            counts[key] += 1
    return counts


def _keeps_promotion(obj) -> None:
    """The node a point process leaves keeps the ion styles it promoted (bridge.hoc.nseg_points)."""
    sec, info = getattr(obj, "sec", None), getattr(obj, "info", None)
    if sec is not None and info is not None and sec.alive and 0.0 < obj.pp.x < 1.0:
        keep_promotion(sec.data, sec.data.segment(obj.pp.x), info.ions)


def _destroy(interp, obj) -> None:
    model = interp.model
    if isinstance(obj, HocObject):
        obj.template.instances.remove(obj)
        for sec in [s for s in model.sections if s.owner is obj]:
            model.delete(sec)
        model.mutations += 1
        obj.ns = {}  # its fields let go of what they held (built-in objects die with Python's counts)
        return
    if obj in model.point_processes:  # (a point process in a deleted section has left it already)
        model.point_processes.remove(obj)
    if obj.pp is not None:
        if model.initialized is not None:  # mid-run: NEURON's run goes on without it, bridge's refuses (live)
            model.live.destroyed.append(str(obj))
        _keeps_promotion(obj)
        if obj.pp in model.tree.point_processes:
            model.tree.point_processes.remove(obj.pp)
        obj.pp = None
        model.mutations += 1
    name = str(obj)  # its recordings stop (NEURON: Vector.record(&stim.i) of a destroyed stim records nothing)
    model.recordings = [r for r in model.recordings if r.point_process != name]
    for vec in list(interp.objects.live.get("Vector", {}).values()):  # they keep what they hold
        rec = getattr(vec, "_recording", None)
        if rec is not None and rec.point_process == name:
            vec._recording, vec.recording = None, None


def collect(interp) -> None:
    """Destroy every template object and point process that no HOC reference holds."""
    while True:
        drops = ref_drops.count()  # (a drop while the pass walks, e.g. Python's cycle collector, is seen next time)
        managed = _managed(interp)
        counts = _held(interp, managed)
        dead = [o for o in managed if counts[id(o)] == 0]
        for obj in dead:
            _destroy(interp, obj)
        interp.collected_at = len(managed) - len(dead)
        if not dead:
            interp.collected_drops = drops
            return


def collect_if_dropped(interp) -> None:
    """`collect` when a reference that may matter was dropped, or an object made, since the last pass
    (`bridge.hoc.ref_drops`); otherwise the last pass's answer stands (fadvance(): a model's own advance())."""
    if interp.collected_drops != ref_drops.count():
        collect(interp)


def maybe_collect(interp) -> None:
    """At a top-level statement: `collect` once the objects made since the last pass doubled."""
    if len(interp.frames) != 1:
        return
    n = len(interp.model.point_processes) + sum(len(t.instances) for t in interp.templates.values())
    if n >= max(MIN_PENDING, 2 * interp.collected_at):
        collect(interp)
