"""`vec.play("stmt", dt | tvec[, 1 | ivec])`: a play that runs a HOC statement with each value.

NEURON (src/ivoc/ocpointer.cpp `StmtInfo::parse`, `play_one`) replaces each `$1` in the statement with
`hoc_ac_` (a statement without `$1` gets `=hoc_ac_` appended), parses it at top level once, and at each
value sets `hoc_ac_` to the value and runs the statement (src/nrniv/vrecord.cpp `VecPlayStep::deliver`,
`VecPlayContinuous::continuous`), at the same times as the `&var` form. bridge runs the one statement that
is the `&var` form: an assignment `var = $1` (or `var` alone) of a variable `&var` may play into, resolved
at top level when `play()` is called and again at each finitialize() (NEURON resolves the names each time
it runs the statement: a name that then means another variable is refused). Any other statement (a call,
an expression of `$1`, several statements) is refused naming file:line, and so is a read of `hoc_ac_` while
such a play runs (NEURON's `hoc_ac_` then holds the last played value, which bridge does not hand back).
"""

from __future__ import annotations

from bridge.errors import BridgeError, HocError
from bridge.hoc import ast
from bridge.hoc.values import Frame

MAX_STATEMENT = 200  # characters: NEURON copies the statement into a 256-character buffer


def statement_target(interp, text: str, loc) -> ast.Node:
    """The variable node the statement assigns `$1` to, or a refusal naming what bridge does not run."""
    from bridge.hoc.parse import parse

    what = f'Vector.play("{text}", ...)'
    if len(text) > MAX_STATEMENT:
        raise interp.refuse(f"{what[:60]}...: a statement longer than {MAX_STATEMENT} characters is not supported",
                            loc)
    body = text.replace("$1", "hoc_ac_") if "$1" in text else text + "=hoc_ac_"
    try:
        program = parse(body, f"<{what} at {loc}>")
    except BridgeError as err:
        raise interp.error(f"{what}: {err}", loc) from None
    stmts = program.body
    expr = stmts[0].expr if len(stmts) == 1 and isinstance(stmts[0], ast.ExprStmt) else None
    if (not isinstance(expr, ast.Assign) or expr.op != "=" or not isinstance(expr.value, ast.Name)
            or expr.value.name != "hoc_ac_" or "hoc_ac_" in _names(expr.target)
            or not isinstance(expr.target, (ast.Name, ast.Member, ast.Index, ast.Call))):
        raise interp.refuse(f"{what} is not supported: bridge plays a statement that assigns the value to one "
                            "variable (\"var = $1\" or \"var\"); any other statement runs HOC during the run", loc)
    return expr.target


def statement_ref(interp, target: ast.Node, loc):
    """`&target` evaluated at top level (NEURON's `ParseTopLevel`: no procedure's locals, no object's context);
    through the interpreter's `&x` (hoc.expressions.eval_pointer), so this module does not import hoc.names."""
    if not interp.model.sections:
        raise interp.error("Vector.play with a statement needs a section (NEURON: Section access unspecified)", loc)
    interp.frames.append(Frame("(Vector.play statement at top level)", [], None, loc))
    try:
        return interp.eval(ast.Pointer(loc, target))
    except HocError as err:  # an undefined name (NEURON would make it a new HOC variable, which bridge does not
        # play into), a wrong index...
        message = str(err).splitlines()[0].split("hoc error: ")[-1]
        raise interp.refuse(f"Vector.play with a statement: {message} (bridge plays a statement into a point "
                            "process or mechanism variable, a GLOBAL or celsius)", loc) from None
    finally:
        interp.frames.pop()


def _names(node) -> set[str]:
    """The names a node refers to anywhere inside it."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            found.add(n.name)
        if isinstance(n, ast.Node):
            stack.extend(v for v in vars(n).values() if isinstance(v, (ast.Node, list)))
        elif isinstance(n, list):
            stack.extend(n)
    return found
