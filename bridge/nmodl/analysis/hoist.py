"""A SOLVE inside an IF of BREAKPOINT, as nocmodl compiles it: taken out of the IF and run first.

nocmodl lifts every SOLVE of BREAKPOINT out of where it stands (parse1.ypp `solveblk` queues it; the C
of the generated `nrn_state` calls the solved block first, unconditionally, then runs the rest of the
block), so `if (cai < 0) { cai = 0 } else { SOLVE state METHOD cnexp }` integrates `state` at every
step and then clamps cai (checked with nrnivmodl 9.0.2 on ModelDB 125857's cadecay.mod). bridge's
BREAKPOINT SOLVEs are top-level statements: `hoist_solves` moves the nested ones to the front of the
block, in source order, leaving the IF without them. A SOLVE inside a loop stays where it is (refused
later).
"""

from __future__ import annotations

from dataclasses import replace

from bridge.nmodl.syntax import ast


def hoist_solves(program: ast.Program) -> ast.Program:
    """`program` with the SOLVEs nested in IFs of BREAKPOINT moved to the block's front (module docstring)."""
    bp = program.breakpoint
    if bp is None or not any(isinstance(s, ast.If) and _has_solve(s) for s in bp.body):
        return program
    lifted: list[ast.Solve] = []
    body = tuple(_without(s, lifted) if isinstance(s, ast.If) else s for s in bp.body)
    new = replace(bp, body=tuple(lifted) + body)
    return replace(program, items=tuple(new if item is bp else item for item in program.items))


def _has_solve(stmt: ast.If) -> bool:
    return any(isinstance(n, ast.Solve) for n in ast.walk(stmt))


def _without(stmt: ast.If, lifted: list) -> ast.If:
    """The IF with its SOLVEs (in its branches and nested IFs) moved to `lifted`, in source order."""
    def strip(body: tuple) -> tuple:
        out = []
        for s in body:
            if isinstance(s, ast.Solve):
                lifted.append(s)
            elif isinstance(s, ast.If):
                out.append(_without(s, lifted))
            else:
                out.append(s)
        return tuple(out)

    return replace(stmt, body=strip(stmt.body), orelse=None if stmt.orelse is None else strip(stmt.orelse))
