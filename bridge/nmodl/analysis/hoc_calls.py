"""What a FUNCTION or PROCEDURE reads and assigns when HOC calls it (`rates_hh(v)`, `pp.f(x)`).

NEURON makes every FUNCTION and PROCEDURE of a mechanism a HOC function (`name_suffix` of a
density mechanism, a method of a point process). nocmodl decides whether such a call needs a
mechanism instance (`setdata_suffix(x)` first) from the names the code uses, following its calls
(nocpout.cpp `check_range_in_func`, `func_needs_setdata`): a RANGE name, a STATE, a current or a
POINTER. bridge runs the call with the instance's values and writes back what it assigns
(`bridge.hoc.nmodl_calls`), so it needs the same sets of names, transitively over the calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.nmodl.analysis.carried import Carried, carried
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.usage import locals_in
from bridge.nmodl.syntax import ast


@dataclass(frozen=True)
class HocCallable:
    """One FUNCTION or PROCEDURE as HOC calls it.

    `reads` and `writes` are the mechanism's names (not LOCALs or arguments) its code and the code
    it calls read and assign (a TABLE's output names count as assigned); `calls` the names of the
    other calls it makes (built-ins included); `tabulated` the tabulated FUNCTIONs and PROCEDUREs
    among itself and what it calls."""

    name: str
    procedure: bool
    nargs: int
    reads: frozenset[str]
    writes: frozenset[str]
    calls: frozenset[str]
    tabulated: frozenset[str]

    @property
    def names(self) -> frozenset[str]:
        return self.reads | self.writes


# What a name is to a HOC call (`roles`):
# "range"      per instance: a RANGE PARAMETER or ASSIGNED, a STATE, a current (HOC: name_suffix(x), pp.name)
# "ion"        the ion variable at the instance's segment (`ena`, `cai`)
# "global"     a GLOBAL PARAMETER (HOC: name_suffix)
# "global_assigned"  an ASSIGNED that NEURON keeps once per mechanism (GLOBAL minf; a GLOBAL array vol[4])
# "file_local" a file-level LOCAL (scalar or array): one C variable per mechanism, not visible to HOC
# "setting"    t, dt, celsius, secondorder
# "constant"   a CONSTANT, a UNITS constant or a DEFINE (in the generated code already)
# "unsupported: <why>"  what bridge does not run from HOC
_SETTINGS = ("t", "dt", "celsius", "secondorder")


def roles(info: MechanismInfo, names) -> dict[str, str]:
    """What each of `names` is to a HOC call of one of `info`'s FUNCTIONs or PROCEDUREs."""
    out = {}
    currents = set(info.nonspecific_currents) | set(info.electrode_currents)
    for n in names:
        var = info.variables.get(n)
        if var is None and n.startswith("_ion_"):  # ast.IonValue, from VERBATIM (its _own name)
            out[n] = f"unsupported: VERBATIM's {n} (the ion's storage, which bridge reads during a run only)"
        elif var is None:
            out[n] = "constant" if n in info.program.defines else f"unsupported: {n} is not a variable"
        elif var.size and var.kind == "file_local":
            out[n] = "file_local"
        elif var.size and not (var.kind == "assigned" and n in info.program.neuron.global_):
            out[n] = f"unsupported: the array {n}[{var.size}]"
        elif var.kind == "parameter":
            out[n] = "range" if var.range else "global"
        elif var.kind == "state" or (var.kind == "assigned" and (n in info.range_names or n in currents)):
            out[n] = "range"
        elif var.kind == "assigned":
            out[n] = "global_assigned"
        elif var.kind == "ion":
            out[n] = "ion"
        elif var.kind == "constant":
            out[n] = "constant"
        elif var.kind == "builtin" and n in _SETTINGS:
            out[n] = "setting"
        elif var.kind == "builtin":
            out[n] = f"unsupported: {n} (the instance's own copy, which NEURON updates only during a run)"
        elif var.kind == "file_local":
            out[n] = "file_local"
        else:
            out[n] = f"unsupported: the {var.kind.upper()} {n}"
    return out


def _own(block: ast.FunctionBlock | ast.ProcedureBlock) -> tuple[set[str], set[str], set[str]]:
    """(names read, names assigned, calls) of one block, without its arguments and LOCALs."""
    local = {p.name for p in block.params} | locals_in(block.body)
    if isinstance(block, ast.FunctionBlock):
        local.add(block.name)
    reads: set[str] = set()
    writes: set[str] = set()
    calls: set[str] = set()
    targets = set()
    for node in ast.walk(block):
        if isinstance(node, ast.Assign) and isinstance(node.target, (ast.Name, ast.Indexed)):
            targets.add(id(node.target))
            writes.add(node.target.name)
        elif isinstance(node, ast.Table):
            writes.update(node.names)
            reads.update(node.depend)
        elif isinstance(node, ast.Call):
            calls.add(node.name)
        elif isinstance(node, ast.IonValue):
            reads.add(f"_ion_{node.name}")
    for node in ast.walk(block):
        if isinstance(node, (ast.Name, ast.Indexed)) and id(node) not in targets:
            reads.add(node.name)
    return reads - local, writes - local, calls


def hoc_callables(info: MechanismInfo) -> dict[str, HocCallable]:
    """Every FUNCTION and PROCEDURE of `info` with what it reads and assigns, its calls followed."""
    blocks: dict[str, ast.FunctionBlock | ast.ProcedureBlock] = {**info.functions, **info.procedures}
    own = {name: _own(b) for name, b in blocks.items()}
    out = {}
    for name, block in blocks.items():
        seen, todo = {name}, [name]
        reads: set[str] = set()
        writes: set[str] = set()
        calls: set[str] = set()
        while todo:
            r, w, c = own[todo.pop()]
            reads |= r
            writes |= w
            for callee in c:
                if callee in blocks:
                    if callee not in seen:
                        seen.add(callee)
                        todo.append(callee)
                else:
                    calls.add(callee)
        out[name] = HocCallable(name, isinstance(block, ast.ProcedureBlock), len(block.params), frozenset(reads),
                                frozenset(writes), frozenset(calls), frozenset(n for n in seen if n in info.tables))
    return out


@dataclass(frozen=True)
class HocCalls:
    """What HOC needs to call a mechanism's FUNCTIONs and PROCEDUREs: each one (`callables`), what
    each name they use is (`roles`), the ion of each ion variable, and the GLOBALs the mechanism's
    blocks read before assigning them (`MechanismInfo.shared_globals`: a value HOC leaves there
    would reach the run)."""

    callables: dict[str, HocCallable]
    roles: dict[str, str]
    ion_of: dict[str, str]
    shared_globals: frozenset[str]
    assigned_globals: frozenset[str]  # every GLOBAL ASSIGNED (HOC reads them as name_suffix)
    table_names: dict[str, tuple[str, ...]]  # a tabulated PROCEDURE's TABLE names
    range_assigned: frozenset[str]  # RANGE ASSIGNEDs that are not currents (NEURON keeps HOC's value)
    initial_sets: frozenset[str]  # names INITIAL surely assigns before it reads them (`initial_sets`)
    # GLOBALs INITIAL assigns before the first tabulated call (MechanismInfo.table_presets)
    table_presets: frozenset[str] = frozenset()
    # names a later finitialize() starts from what the last run left (analysis.carried)
    carried: tuple[Carried, ...] = ()
    sizes: dict[str, int] = field(default_factory=dict)  # the array size of each array name the calls use
    # nocmodl's `vectorize` (analysis.vectorize): in a file it does not vectorize, every call of a tabulated
    # FUNCTION or PROCEDURE checks its TABLE first (`#if 1 _check_<f>()` in <f>), not only HOC's `_hoc_<f>`
    vectorized: bool = True


def hoc_calls(info: MechanismInfo) -> HocCalls:
    callables = hoc_callables(info)
    sets = initial_sets(info)
    names = set().union(*(c.names for c in callables.values())) if callables else set()
    everything = roles(info, sorted(info.variables))
    return HocCalls(callables, roles(info, sorted(names)), dict(info.ion_of), frozenset(info.shared_globals),
                    frozenset(n for n, r in everything.items()
                              if r == "global_assigned" and not info.variables[n].size),
                    {n: tuple(t.names) for n, t in info.tables.items()},
                    frozenset(n for n, v in info.variables.items() if v.kind == "assigned" and everything[n] == "range"
                              and n not in info.nonspecific_currents and n not in info.electrode_currents),
                    sets, frozenset(getattr(st.target, "name", "") for st in info.table_presets),
                    carried(info, sets), {n: int(info.variables[n].size or 0) for n in sorted(names)
                                          if n in info.variables and info.variables[n].size},
                    bool(info.vectorized))


def initial_sets(info: MechanismInfo) -> frozenset[str]:
    """Names the INITIAL blocks assign, unconditionally and before reading them, at their top level or at
    the top level of a PROCEDURE they call there (whatever HOC left in such a name, finitialize()
    overwrites). Conservative: a name read first anywhere (in a FUNCTION called too), or assigned only
    under IF or in a loop, is not."""
    walk = _FirstSets(info.procedures, hoc_callables(info), frozenset(info.instance_assigned))
    walk.block([st for b in info.program.of_type(ast.InitialBlock) for st in b.body], set(), set())
    return frozenset(walk.assigned)


class _FirstSets:
    def __init__(self, procedures, callables: dict[str, HocCallable], per_instance: frozenset[str] = frozenset()):
        self.procedures, self.callables, self.per_instance = procedures, callables, per_instance
        self.assigned: set[str] = set()
        self.read: set[str] = set()

    def _reads(self, node: ast.Node, local: set[str]) -> None:
        names = {n.name for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Indexed)) and n.name not in local}
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call) and n.name in self.callables):
            names |= self.callables[call.name].reads
        self.read |= names - self.assigned

    def block(self, body, local: set[str], seen: set[str]) -> None:
        local = local | locals_in(body)
        for st in body:
            if isinstance(st, ast.Assign) and isinstance(st.target, ast.Name) and st.target.name not in local:
                self._reads(st.value, local)
                if st.target.name not in self.read:
                    self.assigned.add(st.target.name)
            elif isinstance(st, ast.ExprStatement) and isinstance(st.expr, ast.Call) \
                    and st.expr.name in self.procedures and st.expr.name not in seen:
                for arg in st.expr.args:
                    self._reads(arg, local)
                proc = self.procedures[st.expr.name]
                before = set(self.assigned)
                self.block(proc.body, {p.name for p in proc.params}, seen | {st.expr.name})
                table = next((x for x in proc.body if isinstance(x, ast.Table)), None)
                if table is not None:  # through its table a call sets the tabulated names only (nocmodl's
                    # _n_<name>): a per-instance ASSIGNED the code also sets only the first instance got, while
                    # the table was built (a GLOBAL got the build's value, bridge's start for it)
                    self.assigned -= {n for n in self.assigned - before
                                      if n in self.per_instance and n not in table.names}
            else:  # everything it names is read (an assignment under IF or in a loop does not count)
                self._reads(st, local)
