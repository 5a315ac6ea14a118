"""The Python names the generated module gives NMODL blocks, arguments and its own helpers.

Model names reach the source only through `pytext` (`identifier`, `argument`), which
keeps them apart from keywords, builtins and the module's own names; the module's
helpers start with `_`, which no NMODL name does.
"""

from __future__ import annotations

from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen import pytext
from bridge.nmodl.syntax import ast


def py_name(name: str) -> str:
    """The Python name of an NMODL FUNCTION or PROCEDURE (`pytext.identifier`)."""
    return pytext.identifier(name)


def arg_name(name: str, info: MechanismInfo) -> str:
    """The Python name of a FUNCTION/PROCEDURE argument: never one of the module's functions
    (`FUNCTION ssPV(kdc(), kdm())` has arguments named like the FUNCTIONs kdc and kdm)."""
    taken = {py_name(n) for n in list(info.functions) + list(info.procedures)}
    return pytext.argument(name, taken)


def helper_name(kind: str, block: str) -> str:
    """The name of a function the module defines for NMODL block `block`: `_<kind>_<block>`
    (`_cnexp_states`, `_scheme_kin`). `kind` is one word without `_`, so two helpers never
    share a name, and the leading `_` keeps them apart from every NMODL name."""
    assert kind.isalpha() and kind.islower(), kind
    pytext.identifier(block)  # an NMODL name (raises otherwise)
    return f"_{kind}_{block}"


def where(node: ast.Node | None) -> str:
    """`(SOURCE_FILE, line, column)` of `node`, for run-time errors (the module's SOURCE_FILE)."""
    loc = getattr(node, "loc", None)
    return f"(SOURCE_FILE, {loc.line if loc else 0}, {loc.column if loc else 0})"
