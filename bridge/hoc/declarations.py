"""HOC declarations: `double`, `strdef`, `objref`, `local`, `proc`/`func`/`obfunc`/`iterator`,
`begintemplate`, `public`, `external`.

Each executor is `exec_<node>(interp, node)`; `EXECUTORS` maps the node class to it. A
declaration puts its name in the current object's names or the top level's
(`Interpreter.namespace`); arrays are charged to the session's memory before they are made.
"""

from __future__ import annotations

import math

from bridge.hoc import ast, budget
from bridge.hoc.names import lookup
from bridge.hoc.ref_drops import matters, note
from bridge.hoc.template_vars import assigned_scalars
from bridge.hoc.values import External, LibraryName, NumVar, ObjVar, Proc, StrVar, Template


def dims(interp, decl: ast.Decl) -> tuple[int, ...]:
    """The array sizes of `decl` (`double a[2][3]`: (2, 3)), each a positive count."""
    sizes = tuple(budget.count(interp.number(d), f"the size of {decl.name}") for d in decl.dims)
    if any(d <= 0 for d in sizes):
        raise interp.error(f"array {decl.name} needs a positive size", decl.loc)
    return sizes


def _array(interp, make, decl: ast.Decl, kind: str, element_bytes: int):
    """`make(dims)` for `double`/`objref` `decl`, its memory counted (and refused before
    it is allocated when over Limits.max_memory)."""
    sizes = dims(interp, decl)
    size = math.prod(sizes)
    if size <= 1:
        return make(sizes)
    shape = "".join(f"[{d}]" for d in sizes)
    charge = interp.memory.reserve(size * element_bytes, f"{kind} {decl.name}{shape}")
    interp.work(0, decl.loc, size * element_bytes)
    var = make(sizes)
    charge.bind(var)
    return var


def _declare(interp, name: str, var, loc) -> None:
    ns = interp.namespace()
    old = ns.get(name)
    if old is not None and type(old) is not type(var) and not isinstance(old, NumVar):
        raise interp.error(f"{name} already declared as something else", loc)
    model = interp.model
    if interp.frame.obj is None and (name in interp.builtins or name in interp.classes or name in model.globals
                                     or model.range_kind(name) is not None):  # templates may reuse names
        raise interp.error(f"{name}: redeclaring a built-in name (NEURON refuses it too)", loc)
    if matters(old):  # the old variable's objects lose its references (bridge.hoc.ref_drops)
        note()
    ns[name] = var


def exec_double(interp, n: ast.DoubleDecl) -> None:
    for d in n.decls:
        _declare(interp, d.name, _array(interp, NumVar, d, "double", budget.DOUBLE_BYTES), d.loc)


def exec_strdef(interp, n: ast.Strdef) -> None:
    for name in n.names:
        old = interp.namespace().get(name)
        if isinstance(old, StrVar):
            old.value = ""
        else:
            _declare(interp, name, interp.new_str(), n.loc)


def exec_objref(interp, n: ast.Objref) -> None:
    for d in n.decls:
        var = _array(interp, ObjVar, d, "objref", budget.REFERENCE_BYTES)
        _declare(interp, d.name, var, d.loc)  # re-declaring makes it NULLobject
        if d.name == "this" and interp.frame.obj is not None:
            interp.namespace()["this"].data[0] = interp.frame.obj  # `objref this` in a template: the object


def exec_local(interp, n: ast.Local) -> None:
    if len(interp.frames) == 1:
        raise interp.error("local declared outside a procedure", n.loc)
    for name in n.names:
        if matters(interp.frame.locals.get(name)):  # a local declared again (bridge.hoc.ref_drops)
            note()
        interp.frame.locals[name] = ObjVar() if n.objects else NumVar()


def exec_func_def(interp, n: ast.FuncDef) -> None:
    owner = interp.frame.obj.template if interp.frame.obj is not None else None
    ns = interp.namespace()
    old = ns.get(n.name)
    if old is not None and not isinstance(old, (Proc, LibraryName)):  # a library's procedure is redefined
        raise interp.error(f"{n.name} already declared as a variable", n.loc)
    ns[n.name] = Proc(n.kind, n.name, n.body, owner)
    if interp.frame.obj is None:  # a top-level procedure's assigned names are variables from now on
        _declare_assigned(interp, n)


def _declare_assigned(interp, n: ast.FuncDef) -> None:
    """hoc's parser makes an undefined name on the left of `=` (or a `for` variable) in a procedure a variable,
    0, when it reads the procedure, not when the procedure runs (bridge.hoc.template_vars does the same for
    templates): `vec.record(&ltp)` before the `proc init()` that assigns `ltp` has run (ModelDB 144482)."""
    for name in sorted(assigned_scalars([n])):
        if lookup(interp, name) is None:
            interp.top[name] = NumVar()


def exec_template(interp, n: ast.Template) -> None:
    if n.name in interp.classes:
        raise interp.error(f"{n.name} is a built-in class", n.loc)
    library = interp.top.get(n.name)
    if n.name in interp.templates or isinstance(library, LibraryName) and library.kind == "template":
        # hoc_begintemplate (src/oc/hoc_oop.cpp): NEURON stops
        raise interp.error(f"{n.name} : a template cannot be redefined (NEURON stops here)", n.loc)
    if isinstance(library, LibraryName):
        raise interp.error(f"{n.name} already used as something besides template: {library.file}'s "
                           f"{library.kind} (NEURON stops here)", n.loc)
    interp.templates[n.name] = Template(n.name, n.body, n.loc)


def exec_public(interp, n: ast.Public) -> None:
    if interp.frame.obj is None:
        raise interp.error("public outside a template", n.loc)


def exec_external(interp, n: ast.External) -> None:
    if interp.frame.obj is None:
        raise interp.error("external outside a template", n.loc)
    for name in n.names:
        interp.frame.obj.ns[name] = External()


def exec_delete_symbol(interp, n: ast.DeleteSymbol) -> None:
    raise interp.refuse("'delete' of a symbol is not supported", n.loc)


EXECUTORS = {
    ast.DoubleDecl: exec_double, ast.Strdef: exec_strdef, ast.Objref: exec_objref, ast.Local: exec_local,
    ast.FuncDef: exec_func_def, ast.Template: exec_template, ast.Public: exec_public,
    ast.External: exec_external, ast.DeleteSymbol: exec_delete_symbol,
}
