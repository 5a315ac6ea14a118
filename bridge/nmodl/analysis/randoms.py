"""NMODL `RANDOM` variables (NEURON 9): declared in the NEURON block, used only as the first argument
of the `random_*` functions, which nocmodl turns into nrnran123 calls (src/nocmodl/init.cpp
`extdef_rand`): `random_setseq(r, x)`, `random_setids(r, id1, id2, id3)`, `random_uniform(r)`,
`random_uniform(r, a, b)`, `random_negexp(r)`, `random_negexp(r, mean)`, `random_normal(r)`,
`random_normal(r, mu, sigma)`, `random_ipick(r)`, `random_dpick(r)`.

NEURON's older generator, scop_random (and normrand, exprand, poisrand, set_seed on it), is one value for the
whole process; bridge keeps it with each mechanism instance (runtime.scoprandom) and the solver passes it from
instance to instance in NEURON's order (bridge.solver.scop_shared).

This pass declares the RANDOMs (kind "random"), checks every use, and finds the FUNCTIONs that draw
(directly or through another FUNCTION), which therefore change the mechanism's state. Refused:
a draw inside an operand of `&&` or `||` (C evaluates it only sometimes; bridge evaluates both
operands), a draw in a KINETIC, LINEAR or NONLINEAR block or a TABLE'd function, and one in a
DERIVATIVE block not solved by cnexp or euler in BREAKPOINT (`check_solved_draws`).
"""

from __future__ import annotations

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.syntax import ast

# name -> the numbers of arguments nocmodl's C accepts (the RANDOM variable included)
STREAM_CALLS: dict[str, tuple[int, ...]] = {
    "random_setseq": (2,), "random_setids": (4,), "random_uniform": (1, 3), "random_negexp": (1, 2),
    "random_normal": (1, 3), "random_ipick": (1,), "random_dpick": (1,),
}
# scop_random and the scopmath functions that draw from it: name -> number of arguments
SCOP_CALLS: dict[str, tuple[int, ...]] = {"scop_random": (0,), "normrand": (2,), "exprand": (1,), "poisrand": (1,),
                                          "set_seed": (1,)}
DRAWS = (frozenset(STREAM_CALLS) - {"random_setseq", "random_setids"}) | (frozenset(SCOP_CALLS) - {"set_seed"})
SETTERS = frozenset(STREAM_CALLS) | frozenset(SCOP_CALLS)


def declare_randoms(program: ast.Program, variables: dict[str, Variable], report: Reporter) -> dict[str, Variable]:
    """The RANDOM names as variables of kind "random" (a name declared twice is nocmodl's error)."""
    nb = program.neuron
    out = {}
    for n in nb.randoms:
        if n in variables:
            raise report.error(SemanticError, f"RANDOM {n!r} is also declared as a variable", nb)
        out[n] = Variable(n, "random", True, 0.0, None, None, nb.loc)
    return out


def check_random_calls(program: ast.Program, randoms: dict[str, Variable], report: Reporter) -> None:
    """Every `random_*` call names a RANDOM first and has nocmodl's arity; a RANDOM name is nothing else."""
    allowed: set[int] = set()
    for node in ast.walk(program):
        if isinstance(node, ast.Call) and node.name in SCOP_CALLS and len(node.args) not in SCOP_CALLS[node.name]:
            raise report.error(SemanticError, f"{node.name}() takes {SCOP_CALLS[node.name][0]} argument(s), "
                               f"{len(node.args)} given", node)
        if isinstance(node, ast.Call) and node.name in STREAM_CALLS:
            if len(node.args) not in STREAM_CALLS[node.name]:
                counts = " or ".join(map(str, STREAM_CALLS[node.name]))
                raise report.error(SemanticError, f"{node.name}() takes {counts} arguments, {len(node.args)} given",
                                   node)
            first = node.args[0]
            if not isinstance(first, ast.Name) or first.name not in randoms:
                raise report.error(SemanticError, f"{node.name}(): the first argument must be a RANDOM variable",
                                   node)
            allowed.add(id(first))
    for node in ast.walk(program):
        if isinstance(node, (ast.Name, ast.Indexed)) and node.name in randoms and id(node) not in allowed:
            raise report.error(SemanticError, f"RANDOM variable {node.name!r} used as a number (only the "
                               "random_* functions take it)", node)
    for item in program.items:
        if isinstance(item, (ast.KineticBlock, ast.LinearBlock, ast.NonLinearBlock)) \
                or (isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) and _has_table(item)):
            for node in ast.walk(item):
                if isinstance(node, ast.Call) and node.name in DRAWS:
                    raise report.error(UnsupportedFeature, f"{node.name}() in {type(item).__name__} "
                                       f"{getattr(item, 'name', '')} (a draw inside a solved or TABLE'd block)", node)
    for node in ast.walk(program):
        if isinstance(node, ast.Binary) and node.op in ("&&", "||"):
            for operand in (node.left, node.right):
                for sub in ast.walk(operand):
                    if isinstance(sub, ast.Call) and sub.name in DRAWS:
                        raise report.error(UnsupportedFeature, f"{sub.name}() inside an operand of {node.op} (C "
                                           "draws only when it evaluates the operand; bridge evaluates both)", sub)


def check_solved_draws(program: ast.Program, solves, report: Reporter) -> None:
    """A DERIVATIVE block that draws runs once per step only with cnexp or euler (nocmodl's state update
    evaluates its other statements once); with derivimplicit or an INITIAL SOLVE it is refused."""
    solved = {id(s.block): s.method for s in solves}
    for item in program.items:
        if not isinstance(item, ast.DerivativeBlock):
            continue
        draw = next((n for n in ast.walk(item) if isinstance(n, ast.Call) and n.name in DRAWS), None)
        if draw is None:
            continue
        method = solved.get(id(item))
        if method not in ("cnexp", "euler"):
            raise report.error(UnsupportedFeature, f"{draw.name}() in DERIVATIVE {item.name} solved with "
                               f"{method or 'something other than a BREAKPOINT SOLVE'} (bridge draws there only "
                               "with cnexp or euler, which evaluate the block once per step)", draw)
        for sub_ in ast.walk(program):
            if isinstance(sub_, ast.Solve) and sub_.name == item.name and not any(
                    s.statement is sub_ for s in solves):
                raise report.error(UnsupportedFeature, f"{draw.name}() in DERIVATIVE {item.name}, solved outside "
                                   "BREAKPOINT", sub_)


def uses_scop_random(program: ast.Program) -> bool:
    """Whether code calls scop_random or a function that draws from it (or seeds it)."""
    return any(isinstance(n, ast.Call) and n.name in SCOP_CALLS for n in ast.walk(program))


def scop_in_step(program: ast.Program) -> bool:
    """Whether scop_random is drawn (or seeded) outside INITIAL and NET_RECEIVE: in BREAKPOINT, a block it
    SOLVEs, or another per-step block, directly or through the FUNCTIONs and PROCEDUREs they call (NEURON calls
    these for every instance each step, an order bridge.solver.scop_shared does not follow)."""
    return _scop_reached(program, [it for it in program.items if not isinstance(getattr(it, "name", None), str)
                                   and not isinstance(it, (ast.InitialBlock, ast.NetReceiveBlock))])


def scop_in_initial(program: ast.Program) -> bool:
    """Whether INITIAL draws from (or seeds) scop_random, directly or through what it calls."""
    return _scop_reached(program, [it for it in program.items if isinstance(it, ast.InitialBlock)])


def _scop_reached(program: ast.Program, todo: list) -> bool:
    items: list = list(program.items)
    named = {it.name: it for it in items if isinstance(getattr(it, "name", None), str)}
    seen: set[int] = set()
    while todo:
        block = todo.pop()
        if id(block) in seen:
            continue
        seen.add(id(block))
        for n in ast.walk(block):
            if isinstance(n, ast.Call) and n.name in SCOP_CALLS:
                return True
            if isinstance(n, (ast.Call, ast.Solve)) and n.name in named:
                todo.append(named[n.name])
    return False


def _has_table(block) -> bool:
    return any(isinstance(n, ast.Table) for n in ast.walk(block))


def drawing_functions(program: ast.Program) -> frozenset[str]:
    """FUNCTIONs that draw or set a stream, directly or through the FUNCTIONs and PROCEDUREs they call."""
    blocks = {b.name: b for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))}
    calls = {name: {n.name for n in ast.walk(b) if isinstance(n, ast.Call)} for name, b in blocks.items()}
    drawing = {name for name, called in calls.items() if called & SETTERS}
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in drawing and called & drawing:
                drawing.add(name)
                changed = True
    return frozenset(n for n in drawing if isinstance(blocks[n], ast.FunctionBlock))


# The older random-number functions nocmodl knows that bridge refuses, and why (reported with the call).
LEGACY_REASONS = {
    "unirand": "NEURON 9 has no unirand (nrnivmodl fails on it)",
    "erand": "not a function of NEURON 9 (NetStim's own FUNCTION erand draws from its RANDOM variable)",
    "mcellran4": "the old mcellran4 is not a function of NEURON 9",
}


def legacy_refusal(name: str) -> str:
    """The refusal message of an older random-number function."""
    why = LEGACY_REASONS.get(name, "a C function bridge cannot call (use a RANDOM variable)")
    return f"random-number function {name}(): {why}"
