"""Names hoc's parser must already know as objects when it reads a statement.

NEURON parses a top-level statement (a line, or a `{ }` block over several lines) completely
before it runs it (src/oc/hoc.cpp `hoc_run1`: `hoc_yyparse` then `execute`), and its lexer gives
a name the token of the symbol's type at that moment (src/oc/parse.ypp, `yylex`: an unknown name
is installed as UNDEF and read as a scalar VAR). So two forms need a name that is an object
(`objref`, `localobj`), a section or a template *before* the statement is read, even inside a
procedure body that never runs:

- `name.member` (also `name[i].member`): hoc's grammar has no `VAR '.'`, so an undefined name,
  a scalar, a `local` scalar or a strdef there is a syntax error (ModelDB 151282's decvec.hoc
  `sfunc.substr(...)` when local.hoc, which declares `sfunc`, was never loaded);
- `name = new Template(...)` (also `name[i] = ...`): only an object variable takes `new`
  (decvec.hoc's `tmpfile = new File()` without `objref tmpfile`).

A declaration in the same statement does not count (`objref o  o = new List()` on one line is a
syntax error in NEURON 9.0.2: `objref` declares when it runs). bridge resolves names when a
statement runs (`bridge.hoc.names`), so `check(interp, program)` applies hoc's rule to a parsed
chunk before it runs, at the top level only (a template's body has its own names and is not
checked here). It flags only what NEURON 9.0.2 was seen to refuse (tests/hoc/test_parse_names.py).
"""

from __future__ import annotations

import dataclasses

from bridge.errors import HocSyntaxError
from bridge.hoc import ast
from bridge.hoc.names import in_session_file, top_binding
from bridge.hoc.values import NumVar, StrVar


class ParserStop(HocSyntaxError):
    """A statement hoc's parser refuses (see the module docstring): NEURON 9.0.2 stops on the same line,
    so the model's own HOC is in error, not refused by bridge (`validation.neuron_stops` checks it)."""


# The object variables NEURON's own library declares at the top level once nrngui.hoc (or
# stdrun.hoc) is loaded (`name_declared(name) == 2` in NEURON 9.0.2); bridge may not model all of
# them, and a model may use them with `.` (stdlib.hoc's `hoc_sf_`, stdrun's `cvode`, `tempobj`).
NEURON_LIBRARY_OBJREFS = frozenset({
    "clipboard_file", "cvode", "fast_flush_list", "flush_list", "graphItem", "graphList", "hoc_obj_",
    "hoc_sf_", "movie_timer", "movierunbox", "nrnmainmenu_", "numericalmethodpanel", "pyobj", "tempobj",
    "tempobj2", "tobj", "tobj1",
})


def _children(node: ast.Node):
    for f in dataclasses.fields(node):
        if f.name != "loc":
            value = getattr(node, f.name)
            if isinstance(value, ast.Node):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, ast.Node))


def check(interp, program: ast.Program) -> None:
    """Raise `HocSyntaxError` where hoc's parser would stop reading `program` (see the module docstring);
    nothing in an object's context (`execute` in a template object, `object_push`: its own names) or
    in a session file."""
    if interp.frame.obj is not None or any(hasattr(f, "pushed") for f in interp.frames):
        return  # an object's names (also `object_push`: a session file's MulRunFitter, bridge.hoc.mulfit)
    if in_session_file(program.loc):
        return  # a session file's GUI names (bridge.hoc.names._session_gui_ref)
    for stmt in program.body:
        _walk(interp, stmt, {})


def _walk(interp, node: ast.Node, local_kinds: dict[str, bool]) -> None:
    stack: list[tuple[ast.Node, dict[str, bool]]] = [(node, local_kinds)]
    while stack:
        n, scope = stack.pop()
        if isinstance(n, ast.Template):
            continue  # its own names (not checked)
        if isinstance(n, ast.FuncDef):
            scope = _locals(n.body)
        elif isinstance(n, ast.Member):
            _need(interp, n.target, scope, "`.`")
        elif isinstance(n, ast.Assign) and n.op == "=" and isinstance(n.value, ast.New):
            _need(interp, n.target, scope, "`= new`")
        stack.extend((child, scope) for child in _children(n))


def _locals(body: ast.Node) -> dict[str, bool]:
    """A procedure's `local` (False) and `localobj` (True) names."""
    kinds: dict[str, bool] = {}
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Local):
            kinds.update((name, n.objects) for name in n.names)
        elif not isinstance(n, (ast.FuncDef, ast.Template)):
            stack.extend(_children(n))
    return kinds


def _need(interp, target: ast.Node, scope: dict[str, bool], form: str) -> None:
    """`target` (a name, or a name indexed) must be an object, a section or a template to hoc's parser."""
    while isinstance(target, ast.Index):
        target = target.target
    if not isinstance(target, ast.Name):
        return
    name = target.name
    if name in scope:
        if scope[name]:
            return
        what = "a `local` scalar"
    else:
        binding = top_binding(interp, name)
        if binding is None:
            if name in NEURON_LIBRARY_OBJREFS or interp.model.point_process_kind(name) is not None:
                return  # `IClamp[0].amp`: a point process is a template to hoc
            what = "not declared"
        elif isinstance(binding, NumVar):
            what = "a scalar variable"
        elif isinstance(binding, StrVar):
            what = "a strdef"
        else:
            return  # an object, section, template, built-in, ...: left to the run
    loc = target.loc
    raise ParserStop(
        f"{name} is {what} when this statement is read, and hoc's parser takes {form} only "
        f"after an object variable (declared by objref or localobj before the statement): NEURON stops here too",
        loc, interp.source_of.get(loc.filename))
