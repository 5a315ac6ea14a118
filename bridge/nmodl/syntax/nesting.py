"""How deeply an NMODL syntax tree nests, checked against `Limits.max_nesting` right after parsing.

The depth of a node is the number of nodes above it (a top-level block is 1, a
statement in it 2, its expression 3, ...): blocks inside blocks, IFs inside IFs,
unary minus, call arguments and each operator of a chain all count, because the
translator and Python itself follow that tree (parentheses that only group make
no node and do not count). A tree deeper than the limit is refused before anything
else looks at it, with file:line of the first node that is too deep. The check is
iterative, so no tree is too deep for it.
"""

from __future__ import annotations

from bridge.errors import BridgeError, SourceLocation
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.syntax import ast


def depth(program: ast.Node) -> int:
    """The depth of the deepest node of `program` (the root is 0)."""
    deepest = 0
    stack = [(program, 0)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.children(node))
    return deepest


def check_nesting(program: ast.Program, source: str, filename: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise a BridgeError at the first node nested deeper than `limits.max_nesting`."""
    stack: list[tuple[ast.Node, int, SourceLocation | None]] = [(program, 0, program.loc)]
    while stack:
        node, d, loc = stack.pop()
        loc = node.loc or loc  # where a node without a position is: its nearest ancestor's place
        if d > limits.max_nesting:
            where = loc or SourceLocation(filename, 1, 1)
            raise BridgeError(f"blocks and expressions nested more than {limits.max_nesting} deep "
                              f"(Limits.max_nesting; a chain 'a + b + c ...' counts one level per operator); "
                              f"{limits.raise_hint('max_nesting')}", where, source)
        stack.extend((child, d + 1, loc) for child in reversed(tuple(ast.children(node))))
