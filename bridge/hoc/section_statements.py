"""HOC statements about sections: `create`, `access`, `soma { ... }`, `connect`, `insert`,
`forall`, `forsec "regex"` / `forsec sectionlist`, `ifsec`, `for (x)`, and the ramp
`diam(0:1) = 2:3`.

Each executor is `exec_<node>(interp, node)`; `EXECUTORS` maps the node class to it.
The model state they change is `bridge.hoc.model_state.ModelState`; the memory sections
hold is charged as `bridge.hoc.section_memory` says.
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.declarations import dims
from bridge.hoc.hocmech import refuse_insert
from bridge.hoc.lists import SectionList
from bridge.hoc.names import range_target, ref
from bridge.hoc.section_memory import recharge, section_bytes, settle
from bridge.hoc.setpointer import exec_setpointer
from bridge.hoc.values import Sec, SecVar, StrVar, truth

SECTION_STATEMENTS = 16  # making one section (Sec, tree Section, name) takes about 16 statements' time


def exec_create(interp, n: ast.Create) -> None:
    """`create soma, dend[n]`: sections counted against the session's memory before they are
    made; re-creating an array deletes the old sections, each a scan of all sections
    (`ModelState.delete`), which counts as work."""
    model = interp.model
    for d in n.decls:
        sizes = dims(interp, d)
        count = sizes[0] if len(sizes) == 1 else 1
        ns = interp.namespace()
        old = ns.get(d.name)
        replaced = len(old.data) if isinstance(old, SecVar) else 0
        interp.memory.need(count * section_bytes(None), f"create {d.name}{''.join(f'[{k}]' for k in sizes)}")
        interp.charge(count * SECTION_STATEMENTS, d.loc)
        interp.work(replaced * len(model.sections), d.loc)
        model.create(interp, d.name, sizes, ns, interp.frame.obj, d.loc)
        var = ns.get(d.name)
        for sec in var.data if isinstance(var, SecVar) else ():
            if sec is not None and sec.charge is None:
                sec.charge = interp.memory.reserve(section_bytes(sec), f"section {sec.name}").bind(sec)


def exec_access(interp, n: ast.Access) -> None:
    """`access sec`: the default section; inside `sec { }`, `forall`, ... it replaces the section on top of
    the section stack instead, until that block ends (cabcode.cpp sec_access: `*psec = sec` at isecstack)."""
    sec = interp.section_of(interp.eval(n.section), n.section.loc)
    model = interp.model
    if model.sec_stack:
        model.sec_stack[-1] = sec
    else:
        model.accessed = sec


def exec_section_stmt(interp, n: ast.SectionStmt) -> None:
    """`soma statement`: the statement runs with soma as the current section."""
    value = interp.eval(n.section)
    if not isinstance(value, Sec):
        # `f1.gets(s)  f2.gets(t)`: two statements on one line, not a section prefix
        interp.exec(n.body)
        return
    interp.model.push(value)
    try:
        interp.exec(n.body)
    finally:
        interp.model.pop()


def exec_connect(interp, n: ast.Connect) -> None:
    child = interp.eval(n.child)
    parent = interp.eval(n.parent)
    interp.model.connect(child, parent, n.loc, interp)


def exec_insert(interp, n: ast.Insert) -> None:
    """`insert hh` / `uninsert hh` in the current section."""
    sec = interp.model.current(interp, n.loc)
    if n.remove:
        interp.model.uninsert(sec, n.mechanism)
    else:
        refuse_insert(interp, n.mechanism, n.loc)  # a make_mechanism() mechanism
        recharge(interp, sec, sec.data.nseg, len(sec.data.mechanisms) + 2, n.loc)  # a mechanism and its ion
        interp.model.insert(sec, n.mechanism)
    settle(sec)


def _each_section(interp, sections: list[Sec], body: ast.Node) -> None:
    """Run `body` with each live section of `sections` as the current one (forall, forsec)."""
    interp.work(len(interp.model.sections), None)  # finding them scanned every section
    for sec in sections:
        if not sec.alive:
            continue
        interp.model.push(sec)
        try:
            ok = interp.loop_body(body)
        finally:
            interp.model.pop()
        if not ok:
            break


def exec_forall(interp, n: ast.Forall) -> None:
    _each_section(interp, interp.model.object_sections(interp.frame.obj), n.body)


def exec_forsec(interp, n: ast.Forsec) -> None:
    """`forsec "regex"`, `forsec sectionlist` and (`only_current`) `ifsec`."""
    model = interp.model
    target = interp.eval(n.target)
    if isinstance(target, StrVar):
        target = target.value
    if isinstance(target, str):
        if n.only_current:
            matcher = model.name_matcher(target)
            cur = model.current(interp, n.loc)
            pool = [cur] if matcher(cur.name) else []
        else:
            matcher = model.name_matcher(target, obj=interp.frame.obj)
            interp.charge(len(model.sections), n.loc)  # a regular expression matched to each name
            pool = [s for s in model.object_sections(interp.frame.obj) if matcher(s.name)]
    elif isinstance(target, SectionList):
        pool = target.hoc_sections()
        if n.only_current:
            cur = model.current(interp, n.loc)
            pool = [cur] if cur in pool else []
    else:
        raise interp.error("forsec/ifsec needs a string (regular expression) or a SectionList", n.loc)
    _each_section(interp, pool, n.body)


def exec_for_segment(interp, n: ast.ForSegment) -> None:
    """`for (x) body` (segment centres), `for (x, 0)` (without the ends 0 and 1)."""
    sec = interp.model.current(interp, n.loc)
    nseg = sec.data.nseg
    dx = 1.0 / nseg
    xs, x = [], dx / 2.0  # accumulated as NEURON's code.cpp for_segment2 does (not (j + 0.5)/nseg)
    for _ in range(nseg):
        xs.append(x)
        x += dx
    if n.with_ends is None or truth(interp.number(n.with_ends)):
        xs = [0.0] + xs + [1.0]
    target = ref(interp, ast.Name(n.loc, n.var), create=True)
    for x in xs:
        target.set(float(x))
        if not interp.loop_body(n.body):
            break


def exec_taper(interp, n: ast.Taper) -> None:
    """`name(x1:x2) = y1:y2`: a linear ramp over the segments in [x1, x2]."""
    if n.op != "=":
        raise interp.error("a range assignment a:b needs '='", n.loc)
    target = n.target
    if not isinstance(target, ast.Call):
        raise interp.error("a ramp needs the positions too: name(x1:x2) = y1:y2", n.loc)
    if len(target.args) != 1 or not isinstance(target.args[0], ast.RangeArg):
        raise interp.error("range assignment needs (x1:x2) = y1:y2", n.loc)
    x1, x2 = interp.number(target.args[0].lo), interp.number(target.args[0].hi)
    y1, y2 = interp.number(n.lo), interp.number(n.hi)
    sec, var = range_target(interp, target.func, n.loc)
    interp.work(sec.data.nseg, n.loc)
    interp.model.taper(sec, var, x1, x2, y1, y2, n.loc, interp)


EXECUTORS = {
    ast.Create: exec_create, ast.Access: exec_access, ast.SectionStmt: exec_section_stmt,
    ast.Connect: exec_connect, ast.Insert: exec_insert, ast.Setpointer: exec_setpointer,
    ast.Forall: exec_forall, ast.Forsec: exec_forsec, ast.ForSegment: exec_for_segment, ast.Taper: exec_taper,
}
