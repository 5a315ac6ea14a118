"""BEFORE / AFTER blocks: which ones bridge runs, and what their code may use.

NEURON runs a mechanism's `BEFORE BREAKPOINT` block for every instance at the start of each current
evaluation, before any mechanism's BREAKPOINT (treeset.cpp `nrn_rhs`: `nrn_ba(BEFORE_BREAKPOINT)`; also in
finitialize's last `setup_tree_matrix` and in fcurrent), and its `AFTER SOLVE` block after every
mechanism's SOLVE (fadvance.cpp `nrn_fixed_step_lastpart`: `nonvint`, then `nrn_ba(AFTER_SOLVE)`). nocmodl's
`_ba` function (nocpout.cpp `bablk`) sets `v = NODEV(_nd)`, the node's voltage then, and nothing else: an
ion variable there is the mechanism's copy from its last block, so bridge refuses ion variables in these
blocks and in what they call. The other points (BEFORE/AFTER INITIAL, BEFORE STEP, AFTER BREAKPOINT) are
refused. Writes through a POINTER are checked by `usage` (allowed in INITIAL and these blocks).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.randoms import SETTERS
from bridge.nmodl.analysis.vocabulary import EVENT_CALLS
from bridge.nmodl.syntax import ast

RUN = (("BEFORE", "BREAKPOINT"), ("AFTER", "SOLVE"))  # the blocks bridge runs


def block_name(block: ast.BeforeAfterBlock) -> str:
    """`before_breakpoint`, `after_solve`: the generated function's name."""
    return f"{block.when.lower()}_{block.point.lower()}"


def check_ba_blocks(program: ast.Program, kind: str, variables: dict[str, Variable], report: Reporter) -> None:
    """Refuse a BEFORE/AFTER block bridge does not run, and code in one that reads what NEURON's `_ba`
    function does not load (ion variables), solves, sends events, draws random numbers or assigns v. An
    ARTIFICIAL_CELL's (no node: bridge runs it by its events only) is refused, and so is its write through a
    POINTER in INITIAL."""
    callables = {b.name: b for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))}
    if kind == "artificial":
        for block in program.of_type(ast.BeforeAfterBlock):
            raise report.error(UnsupportedFeature, f"a {block.when} {block.point} block in an ARTIFICIAL_CELL", block)
        for node in ast.walk(program):
            if isinstance(node, ast.Assign) and getattr(variables.get(getattr(node.target, "name", "")), "kind",
                                                        None) == "pointer":
                raise report.error(UnsupportedFeature, "assigning through a POINTER in an ARTIFICIAL_CELL", node)
    for block in program.of_type(ast.BeforeAfterBlock):
        if (block.when, block.point) not in RUN:
            raise report.error(UnsupportedFeature, f"{block.when} {block.point} block (bridge runs BEFORE "
                               "BREAKPOINT and AFTER SOLVE blocks only)", block)
        seen: set[str] = set()
        todo: list[ast.Node] = [block]
        while todo:
            node = todo.pop()
            for sub in ast.walk(node):
                why = _refusal(sub, variables, node is block)
                if why is not None:
                    raise report.error(UnsupportedFeature, f"{why} in a {block.when} {block.point} block "
                                       "(directly or in what it calls)", sub)
                if isinstance(sub, ast.Call) and sub.name in callables and sub.name not in seen:
                    seen.add(sub.name)
                    todo.append(callables[sub.name])


def _refusal(node: ast.Node, variables: dict[str, Variable], own: bool) -> str | None:
    if isinstance(node, ast.Solve):
        return "SOLVE"
    if isinstance(node, ast.Call) and node.name in EVENT_CALLS | SETTERS:
        return f"{node.name}()"
    if isinstance(node, (ast.Name, ast.Indexed)):
        var = variables.get(node.name)
        if var is not None and var.kind == "ion":
            return f"the ion variable {node.name!r} (NEURON's block sees the mechanism's copy from its last block)"
    if own and isinstance(node, ast.Assign) and getattr(node.target, "name", None) == "v":
        return "assigning v (NEURON's block changes its own copy only)"
    return None
