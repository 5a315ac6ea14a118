"""Section statements of HOC: create, access, connect, insert, section stacks and section loops.

Functions of the interpreter (bound as `Interpreter` methods in `bridge.hoc.interp`):
`soma { ... }`, `forall`, `forsec "regex"` / `forsec sectionlist`, `ifsec`, `for (x)`,
and `diam(0:1) = 2:3`. The model state they change is `bridge.hoc.sections.ModelState`.
"""

from __future__ import annotations

import numpy as np

from bridge.hoc import ast, budget
from bridge.hoc.values import Sec, SecVar, StrVar, truth


def x_Create(self, n):
    """`create soma, dend[n]`: sections counted against the session's memory before they are
    made; re-creating an array deletes the old sections, each a scan of all sections
    (sections.py ModelState.delete), which counts as work."""
    for d in n.decls:
        dims = self._dims(d)
        count = dims[0] if len(dims) == 1 else 1
        ns = self._ns()
        old = ns.get(d.name)
        replaced = len(old.data) if isinstance(old, SecVar) else 0
        self.memory.need(count * section_bytes(None), f"create {d.name}{''.join(f'[{k}]' for k in dims)}")
        self.charge(count * SECTION_STATEMENTS, d.loc)
        self.work(replaced * len(self.model.sections), d.loc)
        self.model.create(self, d.name, dims, ns, self.frame.obj, d.loc)
        var = ns.get(d.name)
        for sec in var.data if isinstance(var, SecVar) else ():
            if sec is not None and sec.charge is None:
                sec.charge = self.memory.reserve(section_bytes(sec), f"section {sec.name}").bind(sec)


SECTION_STATEMENTS = 16  # making one section (Sec, tree Section, name) takes about 16 statements' time


def section_bytes(sec: Sec | None) -> int:
    """The memory a section is charged [bytes]: `budget.SECTION_BYTES`, and per segment
    `budget.SEGMENT_BYTES` for each inserted mechanism and for the section's own values."""
    if sec is None:
        return budget.SECTION_BYTES + budget.SEGMENT_BYTES
    return budget.SECTION_BYTES + budget.SEGMENT_BYTES * sec.data.nseg * (1 + len(sec.data.mechanisms))


def recharge(self, sec: Sec, nseg: int, mechanisms: int, loc) -> None:
    """Before `sec` gets `nseg` segments and `mechanisms` mechanisms: refuse it if the memory
    budget cannot hold them, and count the work of resizing its per-segment values."""
    if sec.charge is None:
        return
    new = budget.SECTION_BYTES + budget.SEGMENT_BYTES * nseg * (1 + mechanisms)
    self.work(nseg * (1 + mechanisms), loc)
    if new > sec.charge.bytes:
        self.memory.need(new - sec.charge.bytes, f"section {sec.name} with nseg = {nseg} and {mechanisms} mechanisms")


def settle(sec: Sec) -> None:
    """After a change of nseg or of the mechanisms: charge what `sec` holds now."""
    if sec.charge is not None:
        sec.charge.resize(section_bytes(sec), f"section {sec.name}")

def x_Access(self, n):
    sec = self.section_of(self.eval(n.section), n.section.loc)
    self.model.accessed = sec

def x_SectionStmt(self, n):
    value = self.eval(n.section)
    if not isinstance(value, Sec):
        # `f1.gets(s)  f2.gets(t)`: two statements on one line, not a section prefix
        self.exec(n.body)
        return
    self.model.push(value)
    try:
        self.exec(n.body)
    finally:
        self.model.pop()

def x_Connect(self, n):
    child = self.eval(n.child)
    parent = self.eval(n.parent)
    self.model.connect(child, parent, n.loc, self)

def x_Insert(self, n):
    sec = self.model.current(self, n.loc)
    if n.remove:
        self.model.uninsert(sec, n.mechanism)
    else:
        recharge(self, sec, sec.data.nseg, len(sec.data.mechanisms) + 2, n.loc)  # a mechanism and its ion
        self.model.insert(sec, n.mechanism)
    settle(sec)

def x_Setpointer(self, n):
    raise self.refuse("setpointer is not supported (POINTER variables)", n.loc)

def _each_section(self, sections, body):
    """Run `body` with each live section of `sections` as the current one (forall, forsec)."""
    self.work(len(self.model.sections), None)  # finding them scanned every section
    for sec in sections:
        if not sec.alive:
            continue
        self.model.push(sec)
        try:
            ok = self._loop_body(body)
        finally:
            self.model.pop()
        if not ok:
            break

def x_Forall(self, n):
    _each_section(self, self.model.object_sections(self.frame.obj), n.body)

def x_Forsec(self, n):
    target = self.eval(n.target)
    if isinstance(target, StrVar):
        target = target.value
    if isinstance(target, str):
        if n.only_current:
            matcher = self.model.name_matcher(target)
            cur = self.model.current(self, n.loc)
            pool = [cur] if matcher(cur.name) else []
        else:
            matcher = self.model.name_matcher(target, obj=self.frame.obj)
            self.charge(len(self.model.sections), n.loc)  # a regular expression matched to each name
            pool = [s for s in self.model.object_sections(self.frame.obj) if matcher(s.name)]
    elif hasattr(target, "hoc_sections"):
        pool = target.hoc_sections()
        if n.only_current:
            cur = self.model.current(self, n.loc)
            pool = [cur] if cur in pool else []
    else:
        raise self.error("forsec/ifsec needs a string (regular expression) or a SectionList", n.loc)
    _each_section(self, pool, n.body)

def x_ForSegment(self, n):
    sec = self.model.current(self, n.loc)
    nseg = sec.data.nseg
    xs = list((np.arange(nseg) + 0.5) / nseg)
    if n.with_ends is None or truth(self.number(n.with_ends)):
        xs = [0.0] + xs + [1.0]
    ref = self.ref(ast.Name(n.loc, n.var), create=True)
    for x in xs:
        ref.set(float(x))
        if not self._loop_body(n.body):
            break

def x_Taper(self, n):
    if n.op != "=":
        raise self.error("a range assignment a:b needs '='", n.loc)
    x1, x2 = 0.0, 1.0
    target = n.target
    if not isinstance(target, ast.Call):
        raise self.error("a ramp needs the positions too: name(x1:x2) = y1:y2", n.loc)
    if isinstance(target, ast.Call):
        if len(target.args) != 1 or not isinstance(target.args[0], ast.RangeArg):
            raise self.error("range assignment needs (x1:x2) = y1:y2", n.loc)
        x1, x2 = self.number(target.args[0].lo), self.number(target.args[0].hi)
        target = target.func
    y1, y2 = self.number(n.lo), self.number(n.hi)
    sec, name = self.range_target(target, n.loc)
    self.work(sec.data.nseg, n.loc)
    self.model.taper(sec, name, x1, x2, y1, y2, n.loc, self)
