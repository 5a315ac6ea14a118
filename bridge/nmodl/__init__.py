"""The NMODL translator: a `.mod` file → a mechanism the solver runs in JAX.

Four stages, each a subpackage that imports only the ones before it:

- `syntax`: text → typed syntax tree (`syntax.ast`), INCLUDEs expanded, and back to text;
- `analysis`: the tree checked as nocmodl would and resolved (`MechanismInfo`: what
  each name is, ions, currents, TABLEs, the method of each SOLVE);
- `codegen`: `MechanismInfo` → the Python source of one module per mechanism;
- `runtime`: what that generated code calls (C math, IF/WHILE over instances, Newton,
  sparse, TABLE lookup, `TranslatedMechanism`); it imports nothing of the other three.

`bridge.nmodl.load` runs the stages (`load_mod`, `load_mechanisms`, `translate`).
See docs/architecture.md. The syntax stage's public names are here too:

- `parse(text, filename=...)` and `parse_file(path)` return an `ast.Program` or raise
  `NmodlSyntaxError`;
- `to_nmodl(node)` prints a tree back as NMODL that parses to an equal tree.

They are imported on first use, so that generated code importing `bridge.nmodl.runtime`
does not load the parser.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridge.nmodl.syntax import ast
    from bridge.nmodl.syntax.parse import parse, parse_file
    from bridge.nmodl.syntax.printer import to_nmodl

__all__ = ["ast", "parse", "parse_file", "to_nmodl"]

_PUBLIC = {"ast": ("bridge.nmodl.syntax.ast", None), "parse": ("bridge.nmodl.syntax.parse", "parse"),
           "parse_file": ("bridge.nmodl.syntax.parse", "parse_file"),
           "to_nmodl": ("bridge.nmodl.syntax.printer", "to_nmodl")}


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'bridge.nmodl' has no attribute {name!r}")
    module, attr = _PUBLIC[name]
    value = import_module(module) if attr is None else getattr(import_module(module), attr)
    globals()[name] = value
    return value
