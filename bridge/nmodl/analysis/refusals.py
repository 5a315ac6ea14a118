"""The refusal pass: constructs bridge does not run are `UnsupportedFeature`s, before anything else is checked.

VERBATIM C outside the grammar of the subset that `bridge.nmodl.analysis.verbatim` translates (in
file order with the rest; its names are resolved there, after the declarations), the older
random-number functions NEURON 9 lacks, `hoc_execerror()` written in NMODL (NEURON stops the run
where it is reached), LAG, DISCRETE, an INCLUDE left unexpanded, the events bridge does not run
(net_send, net_event, net_move, WATCH and FOR_NETCONS run: docs/events.md), BBCOREPOINTER variables
(POINTERs and EXTERNALs are read: analysis.symbols; FUNCTION_TABLEs: runtime.functable; RANDOM variables
run: analysis.randoms; LONGITUDINAL_DIFFUSION: analysis.ldifus).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismKind, Reporter
from bridge.nmodl.analysis.randoms import legacy_refusal
from bridge.nmodl.analysis.verbatim import deferrable, file_state, parse_checked
from bridge.nmodl.analysis.vocabulary import EVENT_CALLS, RANDOM_FUNCTIONS
from bridge.nmodl.syntax import ast

# A node of these types anywhere: what the error calls it.
_REFUSED_NODES: dict[type, str] = {
    ast.Lag: "LAG statement",
    ast.DiscreteBlock: "DISCRETE block",
}
_LOOP_NAMES: dict[type, str] = {ast.While: "WHILE", ast.From: "FROM"}


def _walk_with_loops(program: ast.Program) -> Iterator[tuple[ast.Node, tuple[ast.Node, ...]]]:
    """Every node in `ast.walk`'s order, with the WHILE and FROM loops around it (outermost first): one pass,
    so nested loops cost their size, not size x depth."""
    stack: list[tuple[ast.Node, tuple[ast.Node, ...]]] = [(program, ())]
    while stack:
        node, loops = stack.pop()
        yield node, loops
        inner = loops + (node,) if isinstance(node, (ast.While, ast.From)) else loops
        stack.extend((child, inner) for child in reversed(tuple(ast.children(node))))


def refuse_unsupported(program: ast.Program, kind: MechanismKind, report: Reporter) -> None:
    """Raise `UnsupportedFeature` at the first construct bridge does not run (module docstring)."""
    # a FUNCTION or PROCEDURE of the file's own shadows nocmodl's name (NEURON's netstim.mod defines erand())
    own = {b.name for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))}
    cfile = file_state(program)  # the C macros, from block to block
    # C of a FUNCTION/PROCEDURE only HOC may call: refused when it runs (analysis.verbatim), if nothing else calls it
    hoc_only = {id(n) for item in program.items if deferrable(item) for n in ast.walk(item)
                if isinstance(n, ast.Verbatim)}
    loop_ints: dict[int, set[str]] = {}  # VERBATIM in FROM loops: nocmodl's `{int _lj; for (_lj = ...` (parse1.ypp)
    in_loop: ast.Node | None = None  # the first WATCH or event call inside a loop, in source order
    outer: ast.Node | None = None  # its outermost loop
    for n, loops in _walk_with_loops(program):
        if isinstance(n, ast.Verbatim):
            loop_ints[id(n)] = {"_l" + loop.var for loop in loops if isinstance(loop, ast.From)}
        elif in_loop is None and loops and (isinstance(n, ast.Watch)
                                            or (isinstance(n, ast.Call) and n.name in EVENT_CALLS)):
            in_loop, outer = n, loops[0]
    for node in ast.walk(program):
        if isinstance(node, ast.Verbatim):  # C outside the subset's grammar, in file order with the others
            try:
                parse_checked(node, report, frozenset(loop_ints.get(id(node), ())), cfile=cfile)
            except UnsupportedFeature:
                if id(node) not in hoc_only:
                    raise
        why = _refusal(node, own)
        if why is not None:
            raise report.error(UnsupportedFeature, why, node)
    nb = program.neuron
    if isinstance(in_loop, ast.Watch):
        raise report.error(UnsupportedFeature, f"WATCH inside a {_LOOP_NAMES[type(outer)]} loop", in_loop)
    if isinstance(in_loop, ast.Call):
        raise report.error(UnsupportedFeature, f"{in_loop.name}() inside a {_LOOP_NAMES[type(outer)]} loop "
                           "(NEURON queues an event at every iteration; bridge records one event per "
                           "call site and block run)", in_loop)
    if program.net_receive is not None:
        # a POINT_PROCESS's NET_RECEIVE that assigns v writes the node's voltage (an integrate-and-fire reset,
        # `v = vreset`: nocmodl's `NODEV(_pnt->node) = v` at its end, nocpout.cpp), as bridge's delivery does
        # (bridge.solver.event_delivery); elsewhere in such a mechanism it is refused rather than ignored
        refuse_v_assignments(program, kind, report)
    for what, names, why in (
            ("BBCOREPOINTER", nb.bbcore_pointers, "opaque data for CoreNEURON, filled by C code bridge cannot run"),):
        if names:
            raise report.error(UnsupportedFeature, f"{what} variables ({', '.join(names)}): {why}", nb)


def _refusal(node: ast.Node, own: set[str]) -> str | None:
    """Why `node` is refused, or None."""
    if isinstance(node, ast.Call) and node.name in RANDOM_FUNCTIONS and node.name not in own:
        return legacy_refusal(node.name)
    elif isinstance(node, ast.Call) and node.name == "hoc_execerror" and node.name not in own:
        return ("hoc_execerror() in NMODL: NEURON stops the run where a block reaches it (nrnivmodl compiles it only "
                "with two string arguments in a mechanism that is not THREADSAFE); bridge cannot stop a compiled "
                "run at a statement")
    elif type(node) in _REFUSED_NODES:
        return _REFUSED_NODES[type(node)]
    elif isinstance(node, ast.Include):
        return f"INCLUDE \"{node.filename}\""
    return None


def only_comments(text: str) -> bool:
    """True when VERBATIM text holds nothing but C comments and whitespace."""
    no_block = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    no_line = re.sub(r"//[^\n]*", "", no_block)
    return not no_line.strip()


def net_receive_sets_v(program: ast.Program) -> bool:
    """Whether the NET_RECEIVE block itself (not its INITIAL) assigns v."""
    nr = program.net_receive
    if nr is None:
        return False
    return any(isinstance(n, ast.Assign) and getattr(n.target, "name", None) == "v"
               for stmt in nr.body if not isinstance(stmt, ast.InitialStatement) for n in ast.walk(stmt))


def refuse_v_assignments(program: ast.Program, kind: str, report: Reporter) -> None:
    """In a mechanism with NET_RECEIVE, v may be assigned only in the NET_RECEIVE body of a POINT_PROCESS:
    nocmodl makes v the node's voltage there alone (read on entry, written on exit); in its INITIAL, in
    an ARTIFICIAL_CELL (no node) or in a FUNCTION or PROCEDURE, NEURON's v is another variable."""
    nr = program.net_receive
    assert nr is not None
    allowed = kind == "point"
    blocks: list[ast.Node] = [s for s in nr.body if isinstance(s, ast.InitialStatement)] + [
        b for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))]
    if not allowed:
        blocks.insert(0, nr)
    for block in blocks:
        for inner in ast.walk(block):
            if isinstance(inner, ast.Assign) and getattr(inner.target, "name", None) == "v":
                where = "an ARTIFICIAL_CELL" if not allowed else "a FUNCTION, PROCEDURE or INITIAL"
                raise report.error(UnsupportedFeature, f"assigning v in {where} of a mechanism with a NET_RECEIVE "
                                   "block (nocmodl writes the node's voltage only from a POINT_PROCESS's "
                                   "NET_RECEIVE body; bridge runs only that form)", inner)
