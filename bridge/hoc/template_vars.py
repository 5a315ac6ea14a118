"""The scalars of a template that exist before any statement runs.

NEURON compiles a template's procedures when it reads `begintemplate ... endtemplate`: a
name that is assigned anywhere in them (`x = 1`, `for i = 0, n`) and is not a `local`
becomes a variable of the template then (hoc's parser turns an undefined symbol on the
left of `=` into a VAR), so every object has it, with value 0, from the moment it is made:
`obj.changed_` reads 0 before `init()` assigns it (celbild.hoc relies on this). bridge's
interpreter makes variables when they are first assigned; `assigned_scalars` gives the
names to make when the object is created.
"""

from __future__ import annotations

import dataclasses

from bridge.hoc import ast


def _children(node):
    for f in dataclasses.fields(node):
        if f.name == "loc":
            continue
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, ast.Node))


def _assigned(node: ast.Node, found: set[str]) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Assign) and isinstance(n.target, ast.Name):
            found.add(n.target.name)
        elif isinstance(n, ast.ForRange) and isinstance(n.var, ast.Name):
            found.add(n.var.name)
        elif isinstance(n, ast.Template):
            continue  # a nested template has its own names
        stack.extend(_children(n))


def assigned_scalars(body: list[ast.Node]) -> set[str]:
    """Names assigned in the procedures of a template body (`body`), less each procedure's locals."""
    out: set[str] = set()
    for node in body:
        if isinstance(node, ast.FuncDef):
            found: set[str] = set()
            _assigned(node.body, found)
            local: set[str] = set()
            for n in _locals(node.body):
                local.update(n.names)
            out |= found - local
    return out


def _locals(block: ast.Node):
    """The `local` declarations at the top of a procedure body."""
    stmts = getattr(block, "body", None)
    if isinstance(stmts, list):
        yield from (s for s in stmts if isinstance(s, ast.Local))
