"""SectionRef.unname() and SectionRef.rename(): moving a section between names.

NEURON's CellBuilder makes each section of the cell as `CellBuildTopology[0].dummy`, holds it
with a SectionRef, `unname`s it (the section stays where it is in the section list, no name
holds it) and `rename`s it to a top-level name, `soma` or an array `dend[i]` (nrnoc/secref.cpp:
s_unname, s_rename). A rename to a name that already holds sections deletes them, with NEURON's
message; a name that exists as something other than a section, or an array of more than one
dimension, is refused with NEURON's message and returns 0.
"""

from __future__ import annotations

import itertools

from bridge.hoc.values import Sec, SecVar

_unnamed = itertools.count()


def _holder(interp, sec: Sec) -> tuple[SecVar, int] | None:
    """The SecVar slot that names `sec` (in its object's names, or the top level's)."""
    ns = sec.owner.ns if sec.owner is not None else interp.top
    for var in ns.values():
        if isinstance(var, SecVar):
            for i, s in enumerate(var.data):
                if s is sec:
                    return var, i
    return None


def unname(interp, sec: Sec, loc) -> float:
    """`sref.unname()`: no name holds `sec` any more; it keeps its place, connections and mechanisms."""
    if not sec.alive:
        raise interp.error("SectionRef.unname: the section was deleted", loc)
    held = _holder(interp, sec)
    if held is None:
        raise interp.error("SectionRef.unname: section is unnamed", loc)
    var, i = held
    var.data[i] = None
    sec.owner = None
    interp.model.tree.rename(sec.name, f"<unnamed {next(_unnamed)}>")
    return 1.0


def rename(interp, secs: list[Sec], name: str, array: bool, loc) -> float:
    """`sref.rename(name)` (`secs` is the one section) or `sref.rename(name, list)` (`secs` from the
    list's SectionRefs, `array`): a top-level name for unnamed sections."""
    model = interp.model
    for sec in secs:
        if not sec.alive:
            interp.write("SectionRef[???].sec is a deleted section\n")
            return 0.0
        if _holder(interp, sec) is not None:
            interp.write(f"{sec.name} must first be unnamed\n")
            return 0.0
    old = interp.top.get(name)
    if old is not None or name in interp.builtins or name in interp.templates or name in interp.classes:
        if not isinstance(old, SecVar) or len(old.dims) > 1:
            interp.write("The new name already exists and is not a SECTION or has a dimension > 1\n")
            return 0.0
        for i, s in enumerate(old.data):
            if s is not None and s.alive:
                interp.write(f"Previously existing {name}[{i}] points to a section which is being deleted\n")
                model.delete(s)
    var = SecVar((len(secs),) if array else ())
    for i, sec in enumerate(secs):
        var.data[i] = sec
        model.tree.rename(sec.name, f"{name}[{i}]" if array else name)
    interp.top[name] = var
    return 1.0


def disconnect(interp, args, loc) -> float:
    """`sec disconnect()`: the current section becomes a root (nrnoc/cabcode.cpp: disconnect)."""
    sec = interp.model.current(interp, loc)
    interp.model.tree.disconnect(sec.name)
    return 0.0
