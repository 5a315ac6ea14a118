"""The refusal pass: constructs bridge does not run are `UnsupportedFeature`s, before anything else is checked.

VERBATIM C outside the grammar of the subset that `bridge.nmodl.analysis.verbatim` translates (in
file order with the rest; its names are resolved there, after the declarations), the older
random-number functions NEURON 9 lacks, LAG, DISCRETE, an INCLUDE left unexpanded, the events bridge
does not run (net_send, net_event, net_move, WATCH and FOR_NETCONS run: docs/events.md),
BBCOREPOINTER variables (POINTERs and EXTERNALs are read: analysis.symbols; FUNCTION_TABLEs:
runtime.functable; RANDOM variables run: analysis.randoms; LONGITUDINAL_DIFFUSION: analysis.ldifus).
"""

from __future__ import annotations

import re

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismKind, Reporter
from bridge.nmodl.analysis.randoms import legacy_refusal
from bridge.nmodl.analysis.verbatim import file_state, parse_checked
from bridge.nmodl.analysis.vocabulary import EVENT_CALLS, RANDOM_FUNCTIONS
from bridge.nmodl.syntax import ast

# A node of these types anywhere: what the error calls it.
_REFUSED_NODES: dict[type, str] = {
    ast.Lag: "LAG statement",
    ast.DiscreteBlock: "DISCRETE block",
}
_LOOP_NAMES: dict[type, str] = {ast.While: "WHILE", ast.From: "FROM"}


def refuse_unsupported(program: ast.Program, kind: MechanismKind, report: Reporter) -> None:
    """Raise `UnsupportedFeature` at the first construct bridge does not run (module docstring)."""
    # a FUNCTION or PROCEDURE of the file's own shadows nocmodl's name (NEURON's netstim.mod defines erand())
    own = {b.name for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))}
    cfile = file_state(program)  # the C macros, from block to block
    for node in ast.walk(program):
        if isinstance(node, ast.Verbatim):  # C outside the subset's grammar, in file order with the others
            parse_checked(node, report, cfile=cfile)
        why = _refusal(node, own)
        if why is not None:
            raise report.error(UnsupportedFeature, why, node)
    nb = program.neuron
    for node in ast.walk(program):
        if isinstance(node, (ast.While, ast.From)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Watch):
                    raise report.error(UnsupportedFeature, f"WATCH inside a {_LOOP_NAMES[type(node)]} loop", inner)
                if isinstance(inner, ast.Call) and inner.name in EVENT_CALLS:
                    raise report.error(UnsupportedFeature, f"{inner.name}() inside a {_LOOP_NAMES[type(node)]} loop "
                                       "(NEURON queues an event at every iteration; bridge records one event per "
                                       "call site and block run)", inner)
    if program.net_receive is not None:
        # NEURON writes a v assigned in NET_RECEIVE into the node (an integrate-and-fire reset, `v = vreset`);
        # bridge's delivery does not: refused rather than ignored (a PROCEDURE or FUNCTION may do it for it)
        for block in [program.net_receive] + [b for b in program.items
                                              if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))]:
            for inner in ast.walk(block):
                if isinstance(inner, ast.Assign) and getattr(inner.target, "name", None) == "v":
                    raise report.error(UnsupportedFeature, "assigning v in a mechanism with a NET_RECEIVE block "
                                       "(NEURON sets the node's voltage from an event, e.g. an integrate-and-fire "
                                       "reset; bridge's event delivery does not)", inner)
    for what, names, why in (
            ("BBCOREPOINTER", nb.bbcore_pointers, "opaque data for CoreNEURON, filled by C code bridge cannot run"),):
        if names:
            raise report.error(UnsupportedFeature, f"{what} variables ({', '.join(names)}): {why}", nb)


def _refusal(node: ast.Node, own: set[str]) -> str | None:
    """Why `node` is refused, or None."""
    if isinstance(node, ast.Call) and node.name in RANDOM_FUNCTIONS and node.name not in own:
        return legacy_refusal(node.name)
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
