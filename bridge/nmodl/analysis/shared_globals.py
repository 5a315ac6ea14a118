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
loop leaves it. Anything else (read before an assignment in one unit, assigned on some paths only, one
element of an array) passes values from one instance to the next: `MechanismInfo.in_turn` lists those
names, and the run time then runs each unit of the mechanism over its instances one after another,
carrying the values (bridge.nmodl.runtime.in_turn). A global NET_RECEIVE assigns is shared as well: the
event's instance runs the block alone and its value then goes to every instance (bridge.solver.event_delivery).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import Variable
from bridge.nmodl.analysis.usage import locals_in
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
    globals_ = frozenset(program.neuron.global_)
    out = set()
    for n, v in variables.items():
        if n not in assigned:
            continue
        if v.kind == "file_local" or (v.kind == "parameter" and not v.range) \
                or (v.kind == "assigned" and n in globals_):
            out.add(n)
    return out


def shared_globals(program: ast.Program, variables: dict[str, Variable], blocks: Blocks,
                   assigned: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the shared globals some unit reads without assigning them first (module docstring), those of them
    a unit passes from one instance to the next: the mechanism's units then run their instances in turn,
    `bridge.nmodl.runtime.in_turn`)."""
    candidates = shared_candidates(program, variables, assigned)
    if not candidates:
        return (), ()
    walker = _Walker(candidates, blocks)
    units = list(_units(program, blocks))
    flows = [(name, walker.unit(body, shadow)) for name, body, shadow in units]
    uniform = _uniform(program, variables, candidates, blocks)
    shared = sorted({n for _, (flow, _) in flows for n in flow.first_reads} - uniform)
    # what NET_RECEIVE assigns is shared too: the event's instance runs alone and the solver gives its value
    # to every instance after the block (bridge.solver.event_delivery), as NEURON's one C global holds it
    shared = sorted(set(shared) | {n for unit, (flow, _) in flows if unit == "NET_RECEIVE" for n in flow.may_write})
    # read and then assigned in one unit, or assigned there on some paths only (or one element at a time):
    # each instance reads what the previous one left, or the value after the loop is the last assigning
    # instance's; the runtime then runs the instances one after another, carrying the value
    in_turn = sorted(n for n in shared for unit, (flow, must) in flows
                     if n in flow.may_write and unit != "NET_RECEIVE" and (n in flow.first_reads or n not in must))
    return tuple(shared), tuple(dict.fromkeys(in_turn))


_SAME_FOR_ALL = frozenset({"celsius", "dt", "t", "secondorder"})


def _uniform(program: ast.Program, variables: dict[str, Variable], candidates: set[str],
             blocks: Blocks) -> set[str]:
    """Candidates every instance gives the same value: each assignment (and each IF around it)
    reads only constants, GLOBAL PARAMETERs, celsius, dt, t, uniform candidates, LOCALs set
    from those and FUNCTIONs that are pure (`_pure_roots`) (a pump's `Q = 3^((celsius - 6.3)/10)`,
    cabpump's annulus ratios). Per-instance copies of such a global hold NEURON's one value,
    whatever the order of the instances.

    The greatest set with that property, found in one pass over the file: "varies per instance"
    spreads along the edges read -> assigned name of a dependency graph (each node reached once),
    so the work is linear in the size of the file times the nesting of IFs (`Limits.max_nesting`)."""
    same = {n for n, v in variables.items()
            if v.kind in ("constant", "external") or (v.kind == "parameter" and not v.range)}
    same |= _SAME_FOR_ALL
    graph = _Graph(blocks.functions)
    graph.bad |= {("g", n) for n in variables if n not in same and n not in candidates}
    _function_nodes(graph, blocks, variables, same, candidates)
    for block in program.items:
        if not isinstance(block, ast.CodeBlock):
            continue
        body = getattr(block, "body", ())
        params = {p.name for p in getattr(block, "params", ())}
        scope = _Scope(id(block), params, locals_in(body) - params, variables, candidates)
        cond_nodes: dict[int, tuple] = {}
        for assign, conds in _assignments(body, ()):
            name = getattr(assign.target, "name", None)
            if name in scope.locals:
                target: tuple = ("l", id(block), name)
            elif name in candidates:
                target = ("g", name)
            else:
                continue  # assigns nothing this pass tracks
            for cond in conds:  # one node per condition, so nested IFs are read once
                if id(cond) not in cond_nodes:
                    cond_nodes[id(cond)] = ("c", id(cond))
                    scope.reads(graph, cond, cond_nodes[id(cond)])
                graph.edge(cond_nodes[id(cond)], target)
            scope.reads(graph, assign.value, target)
            # `count = count + 1`: each instance adds to what the previous one left
            if name in candidates and any(isinstance(n, ast.Name) and n.name == name for n in ast.walk(assign.value)):
                graph.bad.add(target)
    bad = graph.spread()
    return {n for n in candidates if ("g", n) not in bad}


class _Graph:
    """Nodes ("g", global), ("l", block, local), ("c", condition), ("f", FUNCTION); an edge
    a -> b: b varies per instance when a does."""

    def __init__(self, functions: Iterable[str]) -> None:
        self.out: dict[tuple, list[tuple]] = {}
        self.bad: set[tuple] = set()
        self.functions = frozenset(functions)

    def edge(self, a: tuple, b: tuple) -> None:
        self.out.setdefault(a, []).append(b)

    def spread(self) -> set[tuple]:
        """Every node reachable from a bad one (each visited once)."""
        seen = set(self.bad)
        todo = list(seen)
        while todo:
            for b in self.out.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen


@dataclass(frozen=True)
class _Scope:
    """The names one code block reads: its parameters (a per-call value), its LOCALs, the
    mechanism's variables."""

    block: int
    params: set[str]
    locals: set[str]
    variables: dict[str, Variable]
    candidates: set[str]

    def reads(self, graph: _Graph, expr: ast.Node, target: tuple) -> None:
        """Edges from what `expr` reads to `target`; `target` is bad at once for a read that
        always varies (a parameter of the block, a call of a PROCEDURE or an unknown function)."""
        for sub in ast.walk(expr):
            name = getattr(sub, "name", None)
            if isinstance(sub, ast.Call):
                if name in MATH_FUNCTIONS:
                    continue
                if name in graph.functions:
                    graph.edge(("f", name), target)
                else:
                    graph.bad.add(target)
                continue
            if not isinstance(sub, (ast.Name, ast.Indexed)) or name is None:
                continue
            if name in self.variables:
                graph.edge(("g", name), target)
            if name in self.params:
                graph.bad.add(target)
            elif name in self.locals:
                graph.edge(("l", self.block, name), target)


def _function_nodes(graph: _Graph, blocks: Blocks, variables: dict[str, Variable], same: set[str],
                    candidates: set[str]) -> None:
    """Nodes of the FUNCTIONs: one is pure (the same arguments give every instance the same
    value) when it reads only its arguments, LOCALs and names the same for all instances,
    assigns no mechanism variable and calls only math and pure FUNCTIONs, with no recursion
    on the way (a recursive FUNCTION is never counted pure)."""
    calls: dict[str, set[str]] = {}
    for name, f in blocks.functions.items():
        node = ("f", name)
        own = {p.name for p in f.params} | locals_in(f.body) | {name}
        calls[name] = set()
        for sub in ast.walk(f):
            sub_name = getattr(sub, "name", None)
            if isinstance(sub, ast.Assign) and getattr(sub.target, "name", None) not in own:
                graph.bad.add(node)
            elif isinstance(sub, ast.Call):
                if sub_name in MATH_FUNCTIONS:
                    continue
                if sub_name in blocks.functions:
                    calls[name].add(sub_name)
                    graph.edge(("f", sub_name), node)
                else:
                    graph.bad.add(node)
            elif isinstance(sub, (ast.Name, ast.Indexed)) and sub_name in variables and sub_name not in own:
                if sub_name in candidates:
                    graph.edge(("g", sub_name), node)
                elif sub_name not in same:
                    graph.bad.add(node)
    # FUNCTIONs on or calling into a cycle of calls: what remains after peeling the ones that
    # call no unpeeled FUNCTION (Kahn's algorithm, linear)
    callers: dict[str, list[str]] = {}
    for caller_name, callees in calls.items():
        for c in callees:
            callers.setdefault(c, []).append(caller_name)
    pending = {name: len(c) for name, c in calls.items()}
    todo = [name for name, n in pending.items() if n == 0]
    while todo:
        for caller in callers.get(todo.pop(), ()):
            pending[caller] -= 1
            if pending[caller] == 0:
                todo.append(caller)
    graph.bad |= {("f", name) for name, n in pending.items() if n > 0}


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


def _units(program: ast.Program, blocks: Blocks) -> Iterable[tuple[str, tuple[ast.Node, ...], set[str]]]:
    """(name, statements, LOCAL names) of each unit NEURON runs for all instances in turn."""
    initial = tuple(st for b in program.of_type(ast.InitialBlock) for st in b.body)
    yield "INITIAL", initial, locals_in(initial)
    bp = program.breakpoint
    body = tuple(st for st in (bp.body if bp else ()) if not isinstance(st, ast.Solve))
    yield "BREAKPOINT", body, locals_in(body)
    solved: list[ast.Node] = []
    for st in (bp.body if bp else ()):
        if isinstance(st, ast.Solve):
            if st.name in blocks.procedures:
                solved.append(ast.ExprStatement(ast.Call(st.name, ()), loc=st.loc))
            elif st.name in blocks.solvable:
                solved.extend(getattr(blocks.solvable[st.name], "body", ()))
    yield "the SOLVE of BREAKPOINT", tuple(solved), locals_in(solved)
    for nr in program.of_type(ast.NetReceiveBlock):
        yield "NET_RECEIVE", nr.body, locals_in(nr.body) | {p.name for p in nr.params} | {"flag"}


def _key(node: ast.Node) -> str | None:
    """What a name or an element at a constant index is called in the must-assign sets
    (`a`, `a[0]`); None for an element at a computed index."""
    index = getattr(node, "index", None)
    if index is None:
        return getattr(node, "name", None)
    if isinstance(index, ast.Number):
        return f"{node.name}[{int(index.value)}]"  # type: ignore[attr-defined]
    return None


class _Must:
    """Names (or constant-index elements) surely assigned so far: one set per open branch, so a
    branch costs what it assigns, not what came before it (a lookup reads at most
    `Limits.max_nesting` sets)."""

    def __init__(self, layers: list[set[str]] | None = None) -> None:
        self.layers = layers if layers is not None else [set()]

    def __contains__(self, key: object) -> bool:
        return any(key in layer for layer in self.layers)

    def add(self, keys: Iterable[str]) -> None:
        self.layers[-1].update(keys)

    def branch(self) -> _Must:
        return _Must([*self.layers, set()])

    def own(self) -> frozenset[str]:
        """What was assigned since this branch opened."""
        return frozenset(self.layers[-1])


class _Walker:
    """Forward must-assign analysis over NMODL statements, callees summarised once. Each
    statement is visited once per unit; a call costs the size of its callee's summary."""

    def __init__(self, candidates: set[str], blocks: Blocks) -> None:
        self.candidates = candidates
        self.blocks = blocks
        self.summaries: dict[str, _Summary] = {}

    def unit(self, body: Iterable[ast.Node], shadow: set[str]) -> tuple[_Flow, frozenset[str]]:
        flow = _Flow()
        must = _Must()
        self._body(body, must, shadow, flow)
        return flow, must.own()

    def _summary(self, name: str) -> _Summary:
        if name not in self.summaries:
            block = self.blocks.functions.get(name) or self.blocks.procedures[name]
            shadow = {p.name for p in block.params} | locals_in(block.body) | {name}
            flow = _Flow()
            table = next((st for st in block.body if isinstance(st, ast.Table)), None)
            if table is None:
                must = _Must()
                self._body(block.body, must, shadow, flow)
                assigned = must.own()
            else:  # through its table (usetable 1, the default) a call sets the tabulated names only; the
                # globals the code also sets keep what table building left, one value for all instances
                assigned = frozenset(n for n in table.names if n in self.candidates)
                for n in assigned:
                    flow.may_write.setdefault(n, table)
            self.summaries[name] = _Summary(frozenset(flow.first_reads), assigned, flow.may_write)
        return self.summaries[name]

    def _body(self, body: Iterable[ast.Node], must: _Must, shadow: set[str], flow: _Flow) -> None:
        for st in body:
            self._stmt(st, must, shadow, flow)

    def _stmt(self, st: ast.Node, must: _Must, shadow: set[str], flow: _Flow) -> None:
        if isinstance(st, ast.Assign):
            self._read(st.value, must, shadow, flow)
            target = st.target
            if isinstance(target, ast.Indexed):
                self._read(target.index, must, shadow, flow)
            name = getattr(target, "name", None)
            if name in self.candidates and name not in shadow:
                flow.may_write.setdefault(name, st)
                key = _key(target)
                if key is not None:  # the whole name, or one element at a constant index
                    must.add((key,))
        elif isinstance(st, ast.Protect):
            self._stmt(st.statement, must, shadow, flow)
        elif isinstance(st, ast.If):
            self._read(st.condition, must, shadow, flow)
            then, other = must.branch(), must.branch()
            self._body(st.body, then, shadow, flow)
            self._body(st.orelse or (), other, shadow, flow)
            must.add(then.own() & other.own())
        elif isinstance(st, ast.While):
            self._read(st.condition, must, shadow, flow)
            self._body(st.body, must.branch(), shadow, flow)
        elif isinstance(st, ast.From):
            for e in (st.start, st.stop, st.step):
                if e is not None:
                    self._read(e, must, shadow, flow)
            self._body(st.body, must.branch(), shadow, flow)
        elif isinstance(st, ast.Block):
            self._body(st.body, must, shadow, flow)
        elif not isinstance(st, (ast.Table, ast.Local, ast.Verbatim)):
            self._read(st, must, shadow, flow)  # expressions, equations, reactions, CONSERVE, ...

    def _read(self, node: ast.Node, must: _Must, shadow: set[str], flow: _Flow) -> None:
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
            for n in summary.first_reads:
                if n not in must:
                    flow.first_reads.setdefault(n, call)
            for n in summary.may:
                flow.may_write.setdefault(n, call)
            must.add(summary.must)
