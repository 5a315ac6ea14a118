"""The shared-globals pass: GLOBALs that code assigns, and whether bridge reproduces NEURON with them.

In NEURON 9 (one thread) a GLOBAL that a block assigns, a PARAMETER that is not RANGE and
that a block assigns, and a file-level LOCAL are one value shared by every instance of the
mechanism (nrn docs, "Global Variables": read-write globals of a file without THREADSAFE
stay single C globals; THREADSAFE and top-LOCALs get one copy per thread). The instances
run each block one after the other, so an instance reads what the previous one left. An
ASSIGNED named in neither RANGE nor GLOBAL is stored per instance (measured against
NEURON 9.0.2: `depth = diam/4` in INITIAL gives each segment its own depth).

bridge runs every instance at once, each with its own copy. That is NEURON's result when,
in each unit of work (INITIAL, BREAKPOINT's currents, the SOLVEd blocks, NET_RECEIVE), a
shared global is either assigned on every path before any read (then the instance sees
only its own value: hh's `minf`, a pool's `depth = diam/4` before its use), or not
assigned at all (then every instance reads the one value the last unit left). For the
second kind, `MechanismInfo.shared_globals` lists the name and the run time gives every
instance the last instance's value after each unit (`TranslatedMechanism`), as NEURON's
loop leaves it. Anything else (read before an assignment in one unit, assigned on some
paths only, one element of an array, assigned in NET_RECEIVE) would pass values from one
instance to the next: refused, naming the global and the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.vocabulary import MATH_FUNCTIONS
from bridge.nmodl.syntax import ast


@dataclass
class _Flow:
    """What one unit (or callable) does to the candidate globals."""

    first_reads: dict[str, ast.Node] = field(default_factory=dict)  # read before any sure assignment
    may_write: dict[str, ast.Node] = field(default_factory=dict)


@dataclass(frozen=True)
class _Summary:
    first_reads: frozenset[str]
    must: frozenset[str]
    may: dict[str, ast.Node]


def shared_candidates(program: ast.Program, variables: dict[str, Variable], assigned: frozenset[str]) -> set[str]:
    """Names NEURON stores once per mechanism and that code assigns."""
    nb = program.neuron
    out = set()
    for n, v in variables.items():
        if n not in assigned:
            continue
        if v.kind == "file_local" or (v.kind == "parameter" and not v.range) \
                or (v.kind == "assigned" and n in nb.global_):
            out.add(n)
    return out


def shared_globals(program: ast.Program, variables: dict[str, Variable], blocks: Blocks,
                   assigned: frozenset[str], report: Reporter) -> tuple[str, ...]:
    """The shared globals some unit reads without assigning them first (module docstring); raise
    `UnsupportedFeature` for a use bridge cannot reproduce."""
    candidates = shared_candidates(program, variables, assigned)
    if not candidates:
        return ()
    walker = _Walker(candidates, blocks)
    units = list(_units(program, blocks))
    flows = [(name, walker.unit(body, shadow)) for name, body, shadow in units]
    uniform = _uniform(program, variables, candidates, blocks)
    shared = sorted({n for _, (flow, _) in flows for n in flow.first_reads} - uniform)
    for n in shared:
        for unit, (flow, must) in flows:
            if n not in flow.may_write:
                continue
            node = flow.may_write[n]
            if unit == "NET_RECEIVE":
                why = "assigned in NET_RECEIVE, where only the instance that gets the event runs"
            elif n in flow.first_reads:
                why = f"read and then assigned in {unit}, so each instance reads the value the previous one left"
            elif n not in must:
                why = (f"assigned in {unit} on some paths only (or one element at a time), so the value after "
                       "the loop over instances is the last assigning instance's")
            else:
                continue
            raise report.error(UnsupportedFeature, f"GLOBAL {n!r} {why} (NEURON shares one value among all "
                               "instances; bridge reproduces that only when each block assigns it before use "
                               "or only reads it)", node)
    return tuple(shared)


_SAME_FOR_ALL = frozenset({"celsius", "dt", "t", "secondorder"})


def _uniform(program: ast.Program, variables: dict[str, Variable], candidates: set[str],
             blocks: Blocks) -> set[str]:
    """Candidates every instance gives the same value: each assignment (and each IF around it)
    reads only constants, GLOBAL PARAMETERs, celsius, dt, t, uniform candidates and LOCALs set
    from those (a pump's `Q = 3^((celsius - 6.3)/10)`, cabpump's annulus ratios). Per-instance
    copies of such a global hold NEURON's one value, whatever the order of the instances."""
    same = {n for n, v in variables.items() if v.kind == "constant" or (v.kind == "parameter" and not v.range)}
    same |= _SAME_FOR_ALL | set(candidates)
    sites = [(block, assign, conds) for block in program.items if isinstance(block, ast.CodeBlock)
             for assign, conds in _assignments(getattr(block, "body", ()), ())]
    local_ok: dict[int, set[str]] = {}  # per block: its LOCALs that hold values the same for all instances
    changed = True
    while changed:  # drop what reads a per-instance value, until nothing changes
        changed = False
        pure = _pure_functions(blocks, same, variables)
        for block, assign, conds in sites:
            own = {p.name for p in getattr(block, "params", ())} | _locals(getattr(block, "body", ()))
            ok = local_ok.setdefault(id(block), own - {p.name for p in getattr(block, "params", ())})
            name = getattr(assign.target, "name", None)
            denied = (set(variables) - same) | (own - ok)  # DEFINEs, PI, ...: the same everywhere
            fine = all(_reads_only(e, denied, pure) for e in (assign.value, *conds))
            # `count = count + 1`: each instance adds to what the previous one left
            fine = fine and not (name in candidates and any(isinstance(n, ast.Name) and n.name == name
                                                            for n in ast.walk(assign.value)))
            if name in ok and name in own and not fine:
                ok.discard(name)
                changed = True
            elif name in same and name in candidates and not fine:
                same.discard(name)
                changed = True
    return {n for n in candidates if n in same}


def _pure_functions(blocks: Blocks, same: set[str], variables: dict[str, Variable]) -> set[str]:
    """FUNCTIONs that read only their arguments, LOCALs and `same` names, assign no mechanism
    variable and call only math and such FUNCTIONs: the same arguments give every instance the
    same value."""
    pure: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, f in blocks.functions.items():
            if name in pure:
                continue
            own = {p.name for p in f.params} | _locals(f.body) | {name}
            assigns_own = all(getattr(n.target, "name", None) in own for n in ast.walk(f) if isinstance(n, ast.Assign))
            if assigns_own and all(_reads_only(st, set(variables) - same - own, pure) for st in f.body):
                pure.add(name)
                changed = True
    return pure


def _assignments(body: Iterable[ast.Node], conds: tuple[ast.Node, ...]):
    """(Assign, the IF/WHILE conditions around it) in `body`."""
    for st in body:
        if isinstance(st, ast.Assign):
            yield st, conds
        elif isinstance(st, ast.If):
            yield from _assignments(st.body, conds + (st.condition,))
            yield from _assignments(st.orelse or (), conds + (st.condition,))
        elif isinstance(st, ast.While):
            yield from _assignments(st.body, conds + (st.condition,))
        elif isinstance(st, (ast.From, ast.Block)):
            yield from _assignments(st.body, conds)
        elif isinstance(st, ast.Protect):
            yield st.statement, conds


def _reads_only(expr: ast.Node, denied: set[str], pure: set[str]) -> bool:
    """`expr` reads no name in `denied` and calls only math and `pure` FUNCTIONs."""
    for sub in ast.walk(expr):
        name = getattr(sub, "name", None)
        if isinstance(sub, ast.Call):
            if name in pure or name in MATH_FUNCTIONS:
                continue
            return False
        if isinstance(sub, (ast.Name, ast.Indexed)) and name in denied:
            return False
    return True


def _units(program: ast.Program, blocks: Blocks) -> Iterable[tuple[str, tuple[ast.Node, ...], set[str]]]:
    """(name, statements, LOCAL names) of each unit NEURON runs for all instances in turn."""
    initial = tuple(st for b in program.of_type(ast.InitialBlock) for st in b.body)
    yield "INITIAL", initial, _locals(initial)
    bp = program.breakpoint
    body = tuple(st for st in (bp.body if bp else ()) if not isinstance(st, ast.Solve))
    yield "BREAKPOINT", body, _locals(body)
    solved: list[ast.Node] = []
    for st in (bp.body if bp else ()):
        if isinstance(st, ast.Solve):
            if st.name in blocks.procedures:
                solved.append(ast.ExprStatement(ast.Call(st.name, ()), loc=st.loc))
            elif st.name in blocks.solvable:
                solved.extend(getattr(blocks.solvable[st.name], "body", ()))
    yield "the SOLVE of BREAKPOINT", tuple(solved), _locals(solved)
    for nr in program.of_type(ast.NetReceiveBlock):
        yield "NET_RECEIVE", nr.body, _locals(nr.body) | {p.name for p in nr.params} | {"flag"}


def _locals(body: Iterable[ast.Node]) -> set[str]:
    out: set[str] = set()
    for st in body:
        for node in ast.walk(st):
            if isinstance(node, ast.Local):
                out |= {lv.name for lv in node.names}
            elif isinstance(node, ast.From):
                out.add(node.var)
    return out


def _key(node: ast.Node) -> str | None:
    """What a name or an element at a constant index is called in the must-assign sets
    (`a`, `a[0]`); None for an element at a computed index."""
    index = getattr(node, "index", None)
    if index is None:
        return getattr(node, "name", None)
    if isinstance(index, ast.Number):
        return f"{node.name}[{int(index.value)}]"  # type: ignore[attr-defined]
    return None


class _Walker:
    """Forward must-assign analysis over NMODL statements, callees summarised once."""

    def __init__(self, candidates: set[str], blocks: Blocks) -> None:
        self.candidates = candidates
        self.blocks = blocks
        self.summaries: dict[str, _Summary] = {}

    def unit(self, body: Iterable[ast.Node], shadow: set[str]) -> tuple[_Flow, frozenset[str]]:
        flow = _Flow()
        must = self._body(body, frozenset(), shadow, flow)
        return flow, must

    def _summary(self, name: str) -> _Summary:
        if name not in self.summaries:
            block = self.blocks.functions.get(name) or self.blocks.procedures[name]
            shadow = {p.name for p in block.params} | _locals(block.body) | {name}
            flow = _Flow()
            table = next((st for st in block.body if isinstance(st, ast.Table)), None)
            if table is None:
                must = self._body(block.body, frozenset(), shadow, flow)
            else:  # through its table (usetable 1, the default) a call sets the tabulated names only; the
                # globals the code also sets keep what table building left, one value for all instances
                must = frozenset(n for n in table.names if n in self.candidates)
                for n in must:
                    flow.may_write.setdefault(n, table)
            self.summaries[name] = _Summary(frozenset(flow.first_reads), must, flow.may_write)
        return self.summaries[name]

    def _body(self, body: Iterable[ast.Node], must: frozenset[str], shadow: set[str], flow: _Flow) -> frozenset[str]:
        for st in body:
            must = self._stmt(st, must, shadow, flow)
        return must

    def _stmt(self, st: ast.Node, must: frozenset[str], shadow: set[str], flow: _Flow) -> frozenset[str]:
        if isinstance(st, ast.Assign):
            must = self._read(st.value, must, shadow, flow)
            target = st.target
            if isinstance(target, ast.Indexed):
                must = self._read(target.index, must, shadow, flow)
            name = getattr(target, "name", None)
            if name in self.candidates and name not in shadow:
                flow.may_write.setdefault(name, st)
                key = _key(target)
                if key is not None:  # the whole name, or one element at a constant index
                    must = must | {key}
            return must
        if isinstance(st, ast.Protect):
            return self._stmt(st.statement, must, shadow, flow)
        if isinstance(st, ast.If):
            must = self._read(st.condition, must, shadow, flow)
            then = self._body(st.body, must, shadow, flow)
            other = self._body(st.orelse or (), must, shadow, flow)
            return then & other
        if isinstance(st, ast.While):
            must = self._read(st.condition, must, shadow, flow)
            self._body(st.body, must, shadow, flow)
            return must
        if isinstance(st, ast.From):
            for e in (st.start, st.stop, st.step):
                if e is not None:
                    must = self._read(e, must, shadow, flow)
            self._body(st.body, must, shadow, flow)
            return must
        if isinstance(st, ast.Block):
            return self._body(st.body, must, shadow, flow)
        if isinstance(st, (ast.Table, ast.Local, ast.Verbatim)):
            return must
        return self._read(st, must, shadow, flow)  # expressions, equations, reactions, CONSERVE, ...

    def _read(self, node: ast.Node, must: frozenset[str], shadow: set[str], flow: _Flow) -> frozenset[str]:
        """Every name `node` reads, then the calls it makes, in order."""
        calls = []
        for sub in ast.walk(node):
            name = getattr(sub, "name", None)
            if isinstance(sub, ast.Call):
                if name in self.blocks.callables:
                    calls.append(sub)
            elif name in self.candidates and name not in shadow and name not in must \
                    and isinstance(sub, (ast.Name, ast.Indexed, ast.Prime, ast.Reactant)) \
                    and _key(sub) not in must:
                flow.first_reads.setdefault(name, sub)
        for call in calls:
            summary = self._summary(call.name)
            for n in summary.first_reads - must:
                flow.first_reads.setdefault(n, call)
            for n in summary.may:
                flow.may_write.setdefault(n, call)
            must = must | summary.must
        return must
