"""The block pass: the file's named blocks, by kind; nocmodl refuses two blocks of one name,
and a FUNCTION or PROCEDURE named like a variable."""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.errors import SemanticError
from bridge.nmodl.analysis.info import Reporter, SolvableBlock, Variable
from bridge.nmodl.syntax import ast

_SOLVABLE = (ast.DerivativeBlock, ast.KineticBlock, ast.LinearBlock, ast.NonLinearBlock)


@dataclass(frozen=True)
class Blocks:
    """FUNCTIONs, PROCEDUREs and the blocks a SOLVE may name, each by name."""

    functions: dict[str, ast.FunctionBlock]
    procedures: dict[str, ast.ProcedureBlock]
    solvable: dict[str, SolvableBlock]  # DERIVATIVE, KINETIC, LINEAR, NONLINEAR
    function_tables: dict[str, ast.FunctionTableBlock] = field(default_factory=dict)  # values from HOC

    @property
    def callables(self) -> set[str]:
        return set(self.functions) | set(self.procedures)


def collect_blocks(program: ast.Program, variables: dict[str, Variable], report: Reporter) -> Blocks:
    """The named blocks of `program` (two of one name, or a callable named like a variable, are errors)."""
    _check_block_names(program, report)
    blocks = Blocks({b.name: b for b in program.of_type(ast.FunctionBlock)},
                    {b.name: b for b in program.of_type(ast.ProcedureBlock)},
                    {b.name: b for b in program.items if isinstance(b, _SOLVABLE)},
                    {b.name: b for b in program.of_type(ast.FunctionTableBlock)})
    for table in blocks.function_tables.values():
        if not table.params:  # nocmodl's words
            raise report.error(SemanticError, f"FUNCTION_TABLE declaration must have one or more arguments: "
                               f"{table.name}", table)
    for n in blocks.callables:
        if n in variables and variables[n].kind != "builtin":
            node = blocks.functions.get(n) or blocks.procedures.get(n)
            raise report.error(SemanticError, f"{n!r} is used both as a variable and as a function", node)
    return blocks


def _check_block_names(program: ast.Program, report: Reporter) -> None:
    """nocmodl refuses two blocks of one name (two FUNCTIONs f, a DERIVATIVE and a FUNCTION st, ...)."""
    seen: dict[str, ast.Node] = {}
    for item in program.items:
        name = getattr(item, "name", None)
        if not isinstance(item, ast.NamedBlock) or name is None:
            continue
        if name in seen:
            first = seen[name].loc
            raise report.error(SemanticError, f"a block named {name!r} is already defined"
                               f"{f' at line {first.line}' if first else ''}", item)
        seen[name] = item
