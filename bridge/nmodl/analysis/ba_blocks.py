"""BEFORE / AFTER blocks: which ones bridge runs, and what their code may use.

NEURON 9.0.2 runs, for every instance of each mechanism in type order (fadvance.cpp `nrn_ba`):
- `BEFORE BREAKPOINT` at the start of each current evaluation, before any mechanism's BREAKPOINT (treeset.cpp
  `nrn_rhs`; also in finitialize's last `setup_tree_matrix` and in fcurrent);
- `AFTER SOLVE` after every mechanism's SOLVE (fadvance.cpp `nrn_fixed_step_lastpart`: `nonvint`, then
  `nrn_ba(AFTER_SOLVE)`);
- `BEFORE INITIAL` in finitialize after v = v_init is set (and the type-0 FInitializeHandlers ran), before any
  INITIAL block, the ions' included (fadvance.cpp `nrn_finitialize`): it sees the instance's memory as the last
  run left it, a STATE too (nocmodl's `initmodel` sets a STATE to its start value only after it);
- `AFTER INITIAL` after every INITIAL (the ARTIFICIAL_CELLs' and the NetCons' INITIAL too), before the events
  at t = 0 are delivered and the currents evaluated (`nrn_finitialize`);
- `BEFORE STEP` in `fixed_record_continuous` (netcvode.cpp), before the Vector records: at the end of
  finitialize (after its current evaluation) and of each step (after AFTER SOLVE, before the events <= t are
  delivered), at the new t; also in frecord_init(), which bridge refuses with such a block.
NEURON stops when it loads a file with `AFTER BREAKPOINT`, `BEFORE SOLVE` or `AFTER STEP` (init.cpp
`hoc_reg_ba`: "before-after processing type 21 ... not implemented", then `nrn_exit(1)`): bridge refuses them.
nocmodl's `_ba` function (nocpout.cpp `bablk`) sets `v = NODEV(_nd)`, the node's voltage then, and loads the ion
variables the mechanism uses (`cai = _ion_cai;`) without writing any back (the C NEURON 9.0.2's nocmodl writes for
a BEFORE STEP that reads cai and an AFTER INITIAL that assigns it): bridge refuses ion variables in these blocks
and in what they call (not implemented), and in BEFORE INITIAL a STATE
(what the last run left, which bridge does not carry) and a POINTER: bridge runs a mechanism's BEFORE INITIAL
just before its own INITIAL (runtime.mechanism `init_events`), which only a POINTER could tell apart. Writes
through a POINTER are checked by `usage` (allowed in INITIAL and these blocks).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.randoms import SETTERS
from bridge.nmodl.analysis.vocabulary import EVENT_CALLS
from bridge.nmodl.syntax import ast

RUN = (("BEFORE", "BREAKPOINT"), ("AFTER", "SOLVE"), ("BEFORE", "INITIAL"), ("AFTER", "INITIAL"),
       ("BEFORE", "STEP"))  # the blocks bridge runs (NEURON 9.0.2 registers these five: init.cpp hoc_reg_ba)
NAMES = tuple(f"{when.lower()}_{point.lower()}" for when, point in RUN)  # the generated functions' names


def block_name(block: ast.BeforeAfterBlock) -> str:
    """`before_breakpoint`, `after_solve`, `before_initial`, `after_initial`, `before_step`: the generated
    function's name."""
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
            raise report.error(UnsupportedFeature, f"{block.when} {block.point} block (NEURON 9.0.2 stops "
                               "when it loads one: init.cpp hoc_reg_ba, 'before-after processing type ... not "
                               "implemented')", block)
        seen: set[str] = set()
        todo: list[ast.Node] = [block]
        while todo:
            node = todo.pop()
            for sub in ast.walk(node):
                why = _refusal(sub, variables, node is block, (block.when, block.point) == ("BEFORE", "INITIAL"))
                if why is not None:
                    raise report.error(UnsupportedFeature, f"{why} in a {block.when} {block.point} block "
                                       "(directly or in what it calls)", sub)
                if isinstance(sub, ast.Call) and sub.name in callables and sub.name not in seen:
                    seen.add(sub.name)
                    todo.append(callables[sub.name])


def _refusal(node: ast.Node, variables: dict[str, Variable], own: bool, before_initial: bool) -> str | None:
    if isinstance(node, ast.Solve):
        return "SOLVE"
    if isinstance(node, ast.Call) and node.name in EVENT_CALLS | SETTERS:
        return f"{node.name}()"
    if isinstance(node, (ast.Name, ast.Indexed)):
        var = variables.get(node.name)
        if var is not None and var.kind == "ion":
            return (f"the ion variable {node.name!r} (NEURON's block loads it from the ion and writes nothing back; "
                    "bridge does not run that)")
        if before_initial and var is not None and var.kind == "state":
            return (f"the STATE {node.name!r} (NEURON's BEFORE INITIAL sees what the last run left in it, "
                    "which bridge does not carry)")
        if before_initial and var is not None and var.kind == "pointer":
            return (f"the POINTER {node.name!r} (NEURON's BEFORE INITIAL runs before every INITIAL, bridge's "
                    "just before its own mechanism's)")
    if own and isinstance(node, ast.Assign) and getattr(node.target, "name", None) == "v":
        return "assigning v (NEURON's block changes its own copy only)"
    return None
