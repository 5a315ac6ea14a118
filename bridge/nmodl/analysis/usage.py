"""The code pass: what the statements of every block use and assign.

Errors a NEURON user would get from nocmodl (an undefined name, a call to an undefined
function, `x'` of a name that is not a STATE) are `SemanticError`s; code bridge cannot
run (recursion, which bridge cannot trace into JAX; assigning a CONSTANT, which NEURON
keeps as a mutable C global) is an `UnsupportedFeature`; GLOBALs that code assigns are
checked by `shared_globals`. Also
here: which FUNCTIONs have side effects, and which names code assigns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.forcing import check_stepforce
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.vocabulary import KNOWN_CALLS, SCOPMATH_UNSUPPORTED
from bridge.nmodl.syntax import ast

_READ_ONLY_BUILTINS = ("t", "dt", "celsius", "area", "diam", "secondorder")


def check_code(program: ast.Program, variables: dict[str, Variable], blocks: Blocks, report: Reporter) -> None:
    """Names used are declared, no FUNCTION or PROCEDURE recurses, assignments are ones bridge runs."""
    _check_names(program, variables, blocks, report)
    _check_recursion(blocks, report)
    _check_assignments(program, variables, report)


def assigned_names(program: ast.Program) -> frozenset[str]:
    """Names assigned anywhere (targets of `=`), LOCALs and arguments included."""
    return frozenset(n.target.name for n in ast.walk(program) if isinstance(n, ast.Assign)
                     and isinstance(n.target, (ast.Name, ast.Indexed)))


def impure_functions(blocks: Blocks) -> frozenset[str]:
    """FUNCTIONs that assign mechanism variables (not only LOCALs and their own value) or call a PROCEDURE."""
    out = set()
    for name, f in blocks.functions.items():
        local = {p.name for p in f.params} | {name}
        for node in ast.walk(f):
            if isinstance(node, ast.Local):
                local |= {v.name for v in node.names}
        for node in ast.walk(f):
            if isinstance(node, ast.Assign) and isinstance(node.target, (ast.Name, ast.Indexed)) \
                    and node.target.name not in local:
                out.add(name)
            if isinstance(node, ast.ExprStatement) and isinstance(node.expr, ast.Call) \
                    and node.expr.name in blocks.procedures:
                out.add(name)
    return frozenset(out)


def _scopes(program: ast.Program) -> Iterator[tuple[ast.CodeBlock, set[str]]]:
    """(block, its parameter names) for every code block."""
    for item in program.items:
        if isinstance(item, ast.CodeBlock):
            yield item, {p.name for p in getattr(item, "params", ())}


def locals_in(body: Iterable[ast.Node]) -> set[str]:
    """The LOCAL names and FROM loop variables declared anywhere in `body`."""
    out: set[str] = set()
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Local):
                out |= {lv.name for lv in sub.names}
            elif isinstance(sub, ast.From):
                out.add(sub.var)
    return out


def _own_names(item: ast.Node) -> set[str]:
    """Names a block has besides its arguments and LOCALs: a FUNCTION's value, NET_RECEIVE's flag and
    its FOR_NETCONS arguments, a KINETIC block's fluxes."""
    if isinstance(item, ast.FunctionBlock):
        return {item.name}
    if isinstance(item, ast.NetReceiveBlock):
        return {"flag"} | {p.name for n in ast.walk(item) if isinstance(n, ast.ForNetcons) for p in n.params}
    if isinstance(item, ast.KineticBlock):
        return {"f_flux", "b_flux"}
    return set()


def reads_usetable(program: ast.Program) -> bool:
    """Whether NMODL code may read `usetable`: a file with a TABLE, for which nocmodl installs the PARAMETER
    `usetable` (1; HOC's `usetable_<suffix>`: parsact.cpp, `ifnew_parminstall("usetable", "1", ...)`) that its C
    reads by that name."""
    return any(isinstance(n, ast.Table) for n in ast.walk(program))


def _check_names(program: ast.Program, variables: dict[str, Variable], blocks: Blocks, report: Reporter) -> None:
    known_calls = blocks.callables | KNOWN_CALLS | set(blocks.function_tables)
    defines = program.defines
    for item, params in _scopes(program):
        local = params | locals_in(item.body) | _own_names(item)
        local |= {c.index for c in ast.walk(item)
                  if isinstance(c, (ast.Compartment, ast.LongitudinalDiffusion)) and c.index}
        for node in ast.walk(item):
            if isinstance(node, (ast.Name, ast.Indexed)):
                n = node.name
                if n in local or n in variables or n in defines or (n == "usetable" and reads_usetable(program)
                                                                     and isinstance(node, ast.Name)):
                    continue
                if n in blocks.callables:
                    raise report.error(SemanticError, f"{n!r} is a function; call it as {n}(...)", node)
                raise report.error(SemanticError, f"undefined variable {n!r}", node)
            if isinstance(node, ast.Call) and node.name == "stepforce" and node.name not in blocks.callables:
                check_stepforce(node, item, program, report)
            elif isinstance(node, ast.Call) and node.name not in known_calls:
                if node.name in SCOPMATH_UNSUPPORTED:
                    raise report.error(UnsupportedFeature, f"{node.name}() (a function of NEURON's scopmath "
                                       "library that bridge does not have)", node)
                raise report.error(SemanticError, f"call to undefined function {node.name!r}", node)
            if isinstance(node, ast.Prime) and not _is_state(node.name, variables):
                raise report.error(SemanticError, f"{node.name}' : {node.name!r} is not a STATE", node)
            if isinstance(node, ast.Solve) and node.name not in blocks.solvable and node.name not in blocks.procedures:
                raise report.error(SemanticError, f"SOLVE {node.name}: no block named {node.name!r}", node)


def _is_state(name: str, variables: dict[str, Variable]) -> bool:
    """A STATE of the mechanism, an ion concentration STATE included."""
    return name in variables and (variables[name].kind == "state" or f"__state__{name}" in variables)


def _calls(body: Iterable[ast.Node]) -> set[str]:
    return {n.name for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)}


def _check_recursion(blocks: Blocks, report: Reporter) -> None:
    """nocmodl-translated code can recurse, but bridge traces code into JAX: refuse cycles."""
    bodies: dict[str, ast.FunctionBlock | ast.ProcedureBlock] = {**blocks.functions, **blocks.procedures}
    graph = {n: _calls(b.body) & blocks.callables for n, b in bodies.items()}
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            cycle = path[path.index(n):] + [n]
            raise report.error(UnsupportedFeature, "recursion (" + " -> ".join(cycle) + "): bridge traces code "
                               "into JAX and cannot run a FUNCTION or PROCEDURE that calls itself", bodies[n])
        state[n] = 1
        for m in sorted(graph[n]):
            visit(m, path + [n])
        state[n] = 2

    for n in graph:
        visit(n, [])


def _check_assignments(program: ast.Program, variables: dict[str, Variable], report: Reporter) -> None:
    """Assignments bridge can run: not to CONSTANTs or PARAMETERs (NEURON would keep those new values
    as mutable globals across blocks and steps), not to built-ins other than v, and ion variables only
    when USEION WRITEs them."""
    for item, params in _scopes(program):
        local = params | locals_in(item.body) | (_own_names(item) if isinstance(item, ast.NetReceiveBlock)
                                                 else set())
        for node in ast.walk(item):
            if isinstance(node, ast.Assign) and isinstance(node.target, (ast.Name, ast.Indexed)):
                n = node.target.name
                if n in local or (isinstance(item, ast.FunctionBlock) and n == item.name
                                  and n not in variables):
                    continue
                if writes_pointer(item, n, variables):
                    continue
                why = _unassignable(n, variables.get(n))
                if why is not None:
                    raise report.error(why[0], why[1], node)


def writes_pointer(item: ast.Node, n: str, variables: dict[str, Variable]) -> bool:
    """Whether `n = ...` in `item` is a write through a POINTER that bridge runs: in INITIAL, BEFORE
    BREAKPOINT, AFTER SOLVE, AFTER INITIAL or BEFORE STEP (the solver writes the target's value when the block
    returns; analysis.ba_blocks; BEFORE INITIAL's are refused there). In other blocks (BREAKPOINT runs twice per
    step, at v + 0.001 and at v) it is refused."""
    var = variables.get(n)
    if var is None or var.kind != "pointer":
        return False
    return isinstance(item, ast.InitialBlock) or (
        isinstance(item, ast.BeforeAfterBlock) and (item.when, item.point) in _POINTER_WRITERS)


_POINTER_WRITERS = (("BEFORE", "BREAKPOINT"), ("AFTER", "SOLVE"), ("AFTER", "INITIAL"), ("BEFORE", "STEP"))


def _unassignable(n: str, var: Variable | None) -> tuple[type[SemanticError] | type[UnsupportedFeature], str] | None:
    """Why code may not assign `n`, or None. An ion variable that USEION only READs may be
    assigned: nocmodl changes the mechanism's own copy (loaded again before every block), and
    so does bridge."""
    if var is None and n == "usetable":
        # nocmodl declares it a GLOBAL for a TABLE (src/nocmodl/parsact.cpp table_massage: ifnew_parminstall), so an
        # assignment in a block changes usetable_<suffix> mid-run (a thread GLOBAL, read by every TABLE's lookup)
        return UnsupportedFeature, ("assigning 'usetable' (the switch of the mechanism's TABLEs, usetable_<suffix> "
                                    "in HOC) in NMODL code: NEURON changes the switch while the model runs; bridge "
                                    "keeps it fixed for a run (set usetable_<suffix> from HOC or Python instead)")
    if var is None:
        return SemanticError, f"assignment to undefined variable {n!r}"
    if var.kind == "constant":
        return UnsupportedFeature, (f"assigning the CONSTANT {n!r} (nocmodl makes it a mutable C global; bridge "
                                    "keeps constants constant)")
    if var.kind == "external":
        return UnsupportedFeature, (f"assigning the EXTERNAL {n!r} (NEURON changes the other mechanism's GLOBAL; "
                                    "bridge reads EXTERNALs only)")
    if var.kind == "pointer":
        return UnsupportedFeature, (f"assigning through POINTER {n!r} outside INITIAL, BEFORE BREAKPOINT, AFTER "
                                    "SOLVE, AFTER INITIAL and BEFORE STEP (NEURON changes the variable it points at; "
                                    "bridge writes it after those blocks only)")
    if var.kind == "builtin" and n in _READ_ONLY_BUILTINS:
        return SemanticError, f"cannot assign the built-in variable {n!r}"
    return None
