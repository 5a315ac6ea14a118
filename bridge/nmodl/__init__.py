"""The NMODL front end: `.mod` text → typed syntax tree → NMODL text.

- `parse(text, filename=...)` and `parse_file(path)` return an `ast.Program`
  (see `bridge.nmodl.ast` for the node classes) or raise `NmodlSyntaxError`;
- `to_nmodl(node)` prints a tree back as NMODL that parses to an equal tree.
"""

from bridge.nmodl import ast
from bridge.nmodl.parse import parse, parse_file
from bridge.nmodl.printer import to_nmodl

__all__ = ["ast", "parse", "parse_file", "to_nmodl"]
