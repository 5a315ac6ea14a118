"""`x'` read on a right-hand side inside a DERIVATIVE block (`q = (x')^2 * a`).

nocmodl stores each STATE's derivative in a field `Dx` of the instance and writes every
`x'` of a DERIVATIVE block as that field (src/nocmodl/deriv.cpp), so a read of `x'` reads
`Dx`. With METHOD derivimplicit, euler and runge the block is the function that sets `Dx`
(nocmodl's `_newton_<block>`/`<block>`, evaluated in statement order), so a read after the
block's own `x' = e` is the value `e` just gave; bridge computes that (`l['D_x']`,
`bridge.nmodl.codegen.derivimplicit`). A read before the block assigns `x'` would read the
value left by the last evaluation (another Newton iteration, the last step), and METHOD cnexp
never sets `Dx` in the fixed step (the equation becomes the update of `x`), so a read there is
0 in a session that never ran CVODE and what CVODE left after one (NEURON 9.0.2, measured): both
are refused, as is a read of an array STATE's derivative (`x[i]'`) or one in a DERIVATIVE block
solved another way.
"""

from __future__ import annotations

from collections.abc import Iterable

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, SolveInfo
from bridge.nmodl.syntax import ast

# the METHODs whose DERIVATIVE block bridge compiles as the function of the derivatives D_x
_EVALUATED = ("derivimplicit", "euler", "runge")


def check_prime_reads(solves: Iterable[SolveInfo], report: Reporter) -> None:
    """Refuse each read of `x'` in a solved DERIVATIVE block that bridge cannot give NEURON's value
    (module docstring); the reads it accepts are those after the block's own top-level `x' = e`."""
    for solve in solves:
        block = solve.block
        if not isinstance(block, ast.DerivativeBlock):
            continue
        assigned: set[str] = set()
        for stmt in block.body:
            for read in _reads(stmt):
                _check(read, solve, assigned, report)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.target, ast.Prime) and stmt.target.index is None:
                assigned.add(stmt.target.name)


def _reads(stmt: ast.Node) -> list[ast.Prime]:
    """The `x'` of `stmt` that are read (every Prime but the targets of `x' = e`)."""
    targets = {id(n.target) for n in ast.walk(stmt) if isinstance(n, ast.Assign) and isinstance(n.target, ast.Prime)}
    return [n for n in ast.walk(stmt) if isinstance(n, ast.Prime) and id(n) not in targets]


def _check(read: ast.Prime, solve: SolveInfo, assigned: set[str], report: Reporter) -> None:
    name = f"{read.name}{chr(39) * read.order}"
    if solve.method not in _EVALUATED:
        how = ("METHOD cnexp, which never sets the stored derivative in NEURON's fixed step"
               if solve.method == "cnexp" else f"a DERIVATIVE block solved by {solve.method}")
        raise report.error(UnsupportedFeature, f"{name} read on a right-hand side in {how} (bridge reads a "
                           "derivative the block assigned before, with METHOD derivimplicit, euler or runge)", read)
    if read.index is not None or read.order != 1:
        raise report.error(UnsupportedFeature, f"{read.name}[...]' or a higher derivative read on a right-hand "
                           "side (bridge reads a scalar STATE's first derivative only)", read)
    if read.name not in assigned:
        raise report.error(UnsupportedFeature, f"{name} read before the DERIVATIVE block assigns it in its "
                           "own statements (NEURON then reads the value its last evaluation left; bridge reads "
                           f"{name} after an `{name} = ...` outside IF and loops)", read)
