"""The translator's first stage: NMODL text ↔ a typed syntax tree.

- `parse`: text → `ast.Program` (Lark LALR grammar `grammar/nmodl.lark`, driven through
  `bridge.grammar.lalr`; `build` has one builder per rule); errors in NMODL's words
  (`diagnostics`); trees nested deeper than `Limits.max_nesting` refused (`nesting`);
  Python's own limits turned into errors naming the file (`guard`);
- `include`: INCLUDE "file" expanded inside the read roots;
- `printer`: `to_nmodl`, a tree back to text; `summary`: what `bridge parse` prints.
"""
