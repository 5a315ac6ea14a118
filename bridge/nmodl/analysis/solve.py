"""The SOLVE pass: which block each BREAKPOINT SOLVE names and the method NEURON really runs it with.

A DERIVATIVE block defaults to derivimplicit and may use cnexp, euler or runge (NEURON's
fixed step; runge: `bridge.nmodl.runtime.derivative.runge`); a METHOD cnexp that nocmodl
cannot integrate that way falls back to derivimplicit, as nocmodl makes it
(`bridge.nmodl.analysis.derivatives`); `^` in a cnexp equation makes nocmodl abort (diffeq.ypp),
and is an error here. A KINETIC block runs sparse; LINEAR and
NONLINEAR blocks are solved; a PROCEDURE is called. STEADYSTATE needs a KINETIC or
DERIVATIVE block.
"""

from __future__ import annotations

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.derivatives import cnexp_possible, equations
from bridge.nmodl.analysis.info import Reporter, SolveInfo
from bridge.nmodl.syntax import ast


def breakpoint_solves(program: ast.Program, blocks: Blocks, report: Reporter) -> tuple[SolveInfo, ...]:
    """The SOLVE statements of BREAKPOINT, resolved, in source order."""
    bp = program.breakpoint
    return tuple(resolve_solve(stmt, blocks, report) for stmt in (bp.body if bp else ())
                 if isinstance(stmt, ast.Solve))


def resolve_solve(stmt: ast.Solve, blocks: Blocks, report: Reporter) -> SolveInfo:
    """Which block a SOLVE names and the method NEURON actually uses for it."""
    target = blocks.solvable.get(stmt.name) or blocks.procedures.get(stmt.name)
    if target is None:
        raise report.error(SemanticError, f"SOLVE {stmt.name}: no DERIVATIVE, KINETIC, LINEAR, NONLINEAR or "
                           f"PROCEDURE block named {stmt.name!r}", stmt)
    if stmt.steadystate:
        if not isinstance(target, (ast.KineticBlock, ast.DerivativeBlock)):
            raise report.error(SemanticError, f"SOLVE {stmt.name} STEADYSTATE needs a KINETIC or DERIVATIVE block",
                               stmt)
        return SolveInfo(target, f"steadystate_{stmt.steadystate}", stmt)
    method = stmt.method
    if isinstance(target, ast.ProcedureBlock):
        if method not in (None, "after_cvode", "cvode_t", "cvode_v"):
            raise report.error(SemanticError, f"SOLVE {stmt.name} METHOD {method}: {stmt.name} is a PROCEDURE", stmt)
        return SolveInfo(target, "procedure", stmt)
    if isinstance(target, ast.DerivativeBlock):
        return SolveInfo(target, _derivative_method(stmt, target, report), stmt)
    if isinstance(target, ast.KineticBlock):
        if (method or "sparse") not in ("sparse", "derivimplicit"):
            raise report.error(UnsupportedFeature, f"METHOD {method} for a KINETIC block (bridge runs sparse)", stmt)
        return SolveInfo(target, "sparse", stmt)
    if isinstance(target, ast.LinearBlock):
        return SolveInfo(target, "linear", stmt)
    return SolveInfo(target, "nonlinear", stmt)


def _derivative_method(stmt: ast.Solve, block: ast.DerivativeBlock, report: Reporter) -> str:
    method = stmt.method or "derivimplicit"
    if method not in ("cnexp", "derivimplicit", "euler", "runge"):
        raise report.error(UnsupportedFeature, f"METHOD {method} for a DERIVATIVE block "
                           "(bridge runs cnexp, derivimplicit, euler and runge, as NEURON's fixed step)", stmt)
    if method == "cnexp":
        for eq in equations(block):
            power = next((n for n in ast.walk(eq.value) if isinstance(n, ast.Binary) and n.op == "^"), None)
            if power is not None:
                raise report.error(SemanticError, f"'^' in the METHOD cnexp equation of {eq.prime.name}': NEURON's "
                                   "nocmodl aborts on it (diffeq.ypp); write pow(a, b) or use METHOD derivimplicit",
                                   power)
        if not cnexp_possible(block):
            return "derivimplicit"
    return method
