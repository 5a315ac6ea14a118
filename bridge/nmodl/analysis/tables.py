"""The TABLE pass: each TABLE of a FUNCTION or PROCEDURE checked as nocmodl (parsact.cpp) and bridge need it.

Its DEPEND names and tabulated variables are declared; a TABLE in a PROCEDURE names what
it tabulates; the function takes one argument (bridge tabulates one-argument functions);
`WITH n` has at least one interval.
"""

from __future__ import annotations

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.syntax import ast


def check_tables(blocks: Blocks, variables: dict[str, Variable], report: Reporter) -> dict[str, ast.Table]:
    """FUNCTION/PROCEDURE name → its TABLE, each checked."""
    tables: dict[str, ast.Table] = {}
    for b in list(blocks.functions.values()) + list(blocks.procedures.values()):
        for stmt in b.body:
            if isinstance(stmt, ast.Table):
                _check(stmt, b, variables, report)
                tables[b.name] = stmt
    return tables


def _check(stmt: ast.Table, b: ast.FunctionBlock | ast.ProcedureBlock, variables: dict[str, Variable],
           report: Reporter) -> None:
    for dep in stmt.depend:
        if dep not in variables:
            raise report.error(SemanticError, f"TABLE DEPEND {dep!r} is not declared", stmt)
        if variables[dep].kind == "ion":  # nocmodl's _check_<f> reads the first instance's copy of it
            raise report.error(UnsupportedFeature, f"TABLE DEPEND {dep!r}, an ion variable: NEURON rebuilds the "
                               f"table from the first instance's last copy of {dep} (its PARAMETER default at "
                               "finitialize), which bridge does not reproduce", stmt)
    for out in stmt.names:
        if out not in variables:
            raise report.error(SemanticError, f"TABLE variable {out!r} is not declared", stmt)
    if isinstance(b, ast.ProcedureBlock) and not stmt.names:
        raise report.error(SemanticError, "a TABLE in a PROCEDURE must name the variables it tabulates", stmt)
    if len(b.params) != 1:
        raise report.error(UnsupportedFeature, f"TABLE in {b.name} with {len(b.params)} arguments "
                           "(bridge tabulates one-argument functions)", stmt)
    if stmt.count < 1:  # nocmodl's table has one point, dx = (hi - lo)/0: f(lo) for every x
        raise report.error(SemanticError, "TABLE ... WITH 0: a table needs at least one interval (NEURON "
                           "would return the value at FROM for every argument)", stmt)
