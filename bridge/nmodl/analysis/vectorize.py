"""nocmodl's `vectorize` decision, and where NEURON's C checks each TABLE as a consequence.

nocmodl starts with `vectorize = 1` (nocpout.cpp) and clears it, for NEURON 9.0.2, when:
- the mechanism is `SUFFIX nothing` (nocpout.cpp `parout`);
- before a THREADSAFE statement was parsed: a VERBATIM block, top level or in a block (parse1.ypp, "VERBATIM
  blocks are not thread safe"); EXTERNAL, POINTER or BBCOREPOINTER in the NEURON block (nocpout.cpp
  `nrn_list` -> parsact.cpp `threadsafe`); a call of a non-thread-safe library function (parse1.ypp
  `funccall`, init.cpp's extdef5.h list: `normrand`, `scop_random`, ...);
- with no THREADSAFE in the file: a GLOBAL of the NEURON block that code assigns outside PROTECT
  (nocpout.cpp `chk_thread_safe`; a PARAMETER that is GLOBAL only by default does not count: nocmodl marks
  it GLOBAL later, in `nrndeclare`);
- whatever THREADSAFE says (solve.cpp `solvhandler`): a BREAKPOINT SOLVE of a DERIVATIVE block with METHOD
  other than cnexp, derivimplicit or euler (runge), of a KINETIC block with METHOD runge or euler; a SOLVE of
  a NONLINEAR, LINEAR or DISCRETE block; a SOLVE with an error statement; `state_discontinuity` outside
  NET_RECEIVE (parsact.cpp);
- an ARTIFICIAL_CELL that would need thread data (a file LOCAL, an assigned GLOBAL) (nocpout.cpp).

A vectorized file registers `_check_table_thread` (`_nrn_thread_table_reg`), which NEURON runs at
finitialize before INITIAL, at the start of each step and in fcurrent (fadvance.cpp `nrn_thread_table_check`);
a file that is not vectorized has no such check: `_check_<f>()` is the first statement of the tabulated
`<f>()` itself, so a TABLE is checked (and rebuilt, with its side values) only when code calls `<f>`
(generated C of NEURON 9.0.2's nrnivmodl, tests/nmodl/test_vectorize.py). `table_moments` gives, per
tabulated FUNCTION/PROCEDURE, the moments bridge checks it at:
- "init": finitialize (INITIAL, BEFORE/AFTER INITIAL, the currents of BREAKPOINT, BEFORE STEP);
- "step": each fixed step (BREAKPOINT with its SOLVEd blocks, BEFORE BREAKPOINT/STEP, AFTER SOLVE,
  NET_RECEIVE);
- "current": fcurrent() (BREAKPOINT without its SOLVEs, BEFORE BREAKPOINT).
A call under a condition counts as made (bridge checks at the start of the moment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bridge.nmodl.syntax import ast

MOMENTS = ("init", "step", "current")

# init.cpp's extdef5 (extdef5.h): library functions that are not thread safe
_NOT_THREAD_SAFE_CALLS = frozenset({
    "force", "deflate", "expfit", "derivs", "spline", "exprand", "gauss", "normrand", "poisrand", "poisson",
    "setseed", "scop_random", "boundary", "romberg", "invert", "stepforce", "schedule", "set_seed",
    "nrn_random_play"})
_THREADED_DERIVATIVE_METHODS = frozenset({"cnexp", "derivimplicit", "euler"})
_DERIVATIVE_METHODS_FOR_KINETIC = frozenset({"runge", "euler"})  # init.cpp `methods`: DERF | KINF


def vectorized(program: ast.Program) -> bool:
    """nocmodl's `vectorize` for `program` (module docstring); `program` as parsed (VERBATIM blocks kept)."""
    nb = program.neuron
    if nb.name == "nothing":
        return False
    threadsafe_line = next((_line(s) for s in nb.statements if isinstance(s, ast.Threadsafe)), None)

    def before_threadsafe(node: ast.Node) -> bool:
        return threadsafe_line is None or _line(node) < threadsafe_line

    for s in nb.statements:
        if isinstance(s, ast.NameList) and s.keyword in ("EXTERNAL", "POINTER", "BBCOREPOINTER") \
                and before_threadsafe(s):
            return False
    for node in ast.walk(program):
        if isinstance(node, ast.Verbatim) and before_threadsafe(node):
            return False
        if isinstance(node, ast.Call) and node.name in _NOT_THREAD_SAFE_CALLS and before_threadsafe(node):
            return False
    assigned_globals = _assigned_globals(program)
    if threadsafe_line is None and assigned_globals:
        return False
    if not _solves_thread_safe(program):
        return False
    if _state_discontinuity_outside_net_receive(program):
        return False
    if nb.kind == "ARTIFICIAL_CELL" and (program.of_type(ast.Local) or assigned_globals):
        return False
    return True


def table_moments(program: ast.Program, tables: Iterable[str], is_vectorized: bool) -> dict[str, frozenset[str]]:
    """Tabulated FUNCTION/PROCEDURE name -> the moments (`MOMENTS`) NEURON checks its TABLE at: all of them
    for a vectorized file; where code calls it (directly or through other FUNCTIONs/PROCEDUREs) otherwise."""
    names = tuple(tables)
    if is_vectorized:
        return {name: frozenset(MOMENTS) for name in names}
    callables = {b.name: b for b in (*program.of_type(ast.FunctionBlock), *program.of_type(ast.ProcedureBlock))}
    solvable = {b.name: b for b in program.items if isinstance(b, (ast.DerivativeBlock, ast.KineticBlock,
                                                                      ast.LinearBlock, ast.NonLinearBlock,
                                                                      ast.DiscreteBlock))}
    roots: dict[str, list[ast.Node]] = {m: [] for m in MOMENTS}
    for item in program.items:
        if isinstance(item, ast.InitialBlock):
            roots["init"].append(item)
        elif isinstance(item, ast.BreakpointBlock):
            roots["step"].append(item)
            currents = tuple(st for st in item.body if not isinstance(st, ast.Solve))
            roots["init"].extend(currents)
            roots["current"].extend(currents)
        elif isinstance(item, ast.NetReceiveBlock):
            roots["step"].append(item)
        elif isinstance(item, ast.BeforeAfterBlock):
            if item.point == "INITIAL":
                roots["init"].append(item)
            else:
                if item.point == "STEP":  # netcvode.cpp fixed_record_continuous: at the end of finitialize too
                    roots["init"].append(item)
                roots["step"].append(item)
                if item.when == "BEFORE" and item.point == "BREAKPOINT":
                    roots["current"].append(item)
    reached = {m: _reached(nodes, callables, solvable) for m, nodes in roots.items()}
    return {name: frozenset(m for m in MOMENTS if name in reached[m]) for name in names}


def _reached(nodes: list[ast.Node], callables: Mapping[str, ast.Node], solvable: Mapping[str, ast.Node]) -> set[str]:
    """The FUNCTIONs/PROCEDUREs `nodes` call or SOLVE, directly or not."""
    out: set[str] = set()
    todo = list(nodes)
    while todo:
        for n in ast.walk(todo.pop()):
            name = n.name if isinstance(n, (ast.Call, ast.Solve)) else None
            if name is None or name in out:
                continue
            block = callables.get(name) or solvable.get(name)
            if block is not None:
                out.add(name)
                todo.append(block)
    return out


def _line(node: ast.Node) -> int:
    return node.loc.line if node.loc is not None else 0


def _assigned_globals(program: ast.Program) -> set[str]:
    """The NEURON block's GLOBALs some statement assigns outside PROTECT (nocpout.cpp `nrn_var_assigned`:
    assigned_to_ 1, a LOCAL or an argument of the same name shadowing it)."""
    globals_ = set(program.neuron.global_)
    out: set[str] = set()
    for item in program.items:
        body = getattr(item, "body", None)
        if body is None:
            continue
        shadow = {p.name for p in getattr(item, "params", ())} | _locals(body)
        protected = {id(n.statement) for n in ast.walk(item) if isinstance(n, ast.Protect)}
        for n in ast.walk(item):
            if isinstance(n, ast.Assign) and id(n) not in protected and isinstance(n.target, (ast.Name, ast.Indexed)):
                name = n.target.name
                if name in globals_ and name not in shadow:
                    out.add(name)
    return out


def _locals(body: Iterable[ast.Node]) -> set[str]:
    out: set[str] = set()
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Local):
                out |= {lv.name for lv in sub.names}
    return out


def _solves_thread_safe(program: ast.Program) -> bool:
    """False where solve.cpp `solvhandler` clears vectorize (module docstring)."""
    kinds = {b.name: b for b in program.items if isinstance(b, (ast.DerivativeBlock, ast.KineticBlock,
                                                                   ast.LinearBlock, ast.NonLinearBlock,
                                                                   ast.DiscreteBlock))}
    for item in program.items:
        in_breakpoint = isinstance(item, ast.BreakpointBlock)
        for n in ast.walk(item):
            if not isinstance(n, ast.Solve):
                continue
            if n.if_error:
                return False
            block = kinds.get(n.name)
            if isinstance(block, (ast.LinearBlock, ast.NonLinearBlock, ast.DiscreteBlock)):
                return False
            if in_breakpoint and not n.steadystate and isinstance(block, ast.DerivativeBlock) \
                    and n.method is not None and n.method not in _THREADED_DERIVATIVE_METHODS:
                return False
            if in_breakpoint and isinstance(block, ast.KineticBlock) and n.method in _DERIVATIVE_METHODS_FOR_KINETIC:
                return False
    return True


def _state_discontinuity_outside_net_receive(program: ast.Program) -> bool:
    return any(isinstance(n, ast.Call) and n.name == "state_discontinuity"
               for item in program.items if not isinstance(item, ast.NetReceiveBlock) for n in ast.walk(item))
