"""Array elements written as a number outside their array (`dif[3]` of `dif[3]`): refused.

nocmodl copies the index into C unchecked, so NEURON reads and writes past the array, into whatever its
memory layout puts there (in NEURON 9's data, the next instance's first element or past the field's end);
the numbers then depend on that layout, which bridge does not reproduce (ModelDB 222321's accum.mod). An index
known only while tracing (a DEFINE, a FROM loop's variable) is checked by `runtime.arrays` instead.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.syntax import ast


def check_array_bounds(program: ast.Program, variables: dict[str, Variable], report: Reporter) -> None:
    """Raise `UnsupportedFeature` at the first `name[k]` or `name'[k]` with a number k outside 0..size-1 of a
    declared array `name` (a LOCAL array of the same name in the block is checked against its own size)."""
    file_locals = {lv.name: lv.size for item in program.items if isinstance(item, ast.Local) for lv in item.names}
    for item in program.items:
        local_sizes = {**file_locals, **{lv.name: lv.size for node in ast.walk(item) if isinstance(node, ast.Local)
                                         for lv in node.names}}
        for node in ast.walk(item):
            if not isinstance(node, (ast.Indexed, ast.Prime)):
                continue
            k = _number(node.index)
            if k is None:
                continue
            size = local_sizes[node.name] if node.name in local_sizes else _size(variables, node.name)
            if isinstance(size, int) and not 0 <= k < size:
                written = f"{k:g}"
                raise report.error(UnsupportedFeature, f"{node.name}[{written}] is outside the array "
                                   f"{node.name}[{size}]: NEURON's C reads and writes past the array, into memory "
                                   "whose contents depend on NEURON's layout", node)


def _number(index: ast.Expr | None) -> float | None:
    """The value of an index written as a number (`3`, `-1`), else None."""
    if isinstance(index, ast.Unary) and index.op == "-":
        inner = _number(index.operand)
        return None if inner is None else -inner
    return index.value if isinstance(index, ast.Number) else None


def _size(variables: dict[str, Variable], name: str) -> int | None:
    var = variables.get(name)
    return var.size if var is not None else None
