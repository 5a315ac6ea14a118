"""What a name or a postfix chain (`a.b[2].c(0.5)`) means when the statement runs.

`lookup(interp, name)` resolves a name as NEURON does: the running procedure's locals,
then the current object's names (or the top level's), then NEURON's globals, constants,
built-in functions, templates, classes and range variables (`bridge.hoc.bindings`).
`ref(interp, node)` turns an expression into a `Ref` to read or assign.
"""

from __future__ import annotations

from typing import Any

from bridge.hoc import aliases, ast, extracellular, nmodl_calls
from bridge.hoc.arguments import subscript
from bridge.hoc.bindings import NULL_OBJECT, STDRUN_VARIABLES, BuiltinClass, Constant, GlobalVar, RangeVar
from bridge.hoc.gui import GUI_CLASSES, GuiObject
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.ref_drops import matters, note
from bridge.hoc.registered_names import why_registered
from bridge.hoc.section_memory import assign_range
from bridge.hoc.values import (
    Builtin,
    ElemRef,
    External,
    FuncRef,
    HocObject,
    LibraryName,
    NumVar,
    ObjVar,
    Proc,
    RangeTarget,
    Ref,
    Sec,
    SecVar,
    StrRef,
    StrVar,
    Template,
    is_number,
)


def lookup(interp, name: str):
    """What `name` means here: a variable, procedure, template, `bridge.hoc.bindings` binding, ... or None."""
    frame = interp.frames[-1]
    if name in frame.locals:
        return frame.locals[name]
    obj = frame.obj
    if obj is not None:
        b = obj.ns.get(name)
        if isinstance(b, External):
            b = interp.top.get(name)
            if b is None:
                b = _builtin_binding(interp, name)
        if b is not None or name in STDRUN_VARIABLES:  # stdrun.hoc's: a field of the object unless `external`
            return b
    else:
        b = interp.top.get(name)
        if b is not None:
            return b
    return _builtin_binding(interp, name)


def top_binding(interp, name: str):
    """What `name` means at the top level, whatever procedure runs (a file being read: `bridge.hoc.parse_names`)."""
    b = interp.top.get(name)
    return b if b is not None else _builtin_binding(interp, name)


def _builtin_binding(interp, name: str):
    """What `name` means when the program did not declare it."""
    model = interp.model
    if name in model.globals:
        return GlobalVar(name)
    if name in ("NULLobject", "nil"):  # stdlib.hoc declares `objref nil`
        return NULL_OBJECT
    if name in interp.builtins:
        return interp.builtins[name]
    if name in interp.templates:
        return interp.templates[name]
    if name in interp.classes:
        return BuiltinClass(name)
    var = model.range_kind(name)
    if var is not None:
        return var
    if model.known_global(name):
        return GlobalVar(name)
    return nmodl_calls.assigned_global(model, name)  # `minf_fx`: a GLOBAL ASSIGNED


def _element(interp, var, indices: list[int], name: str, loc) -> int:
    """The flat index of `var[i][j]...` (0 for a scalar)."""
    dims = var.dims
    if not dims:
        if indices and any(i != 0 for i in indices):
            raise interp.error(f"{name} is not an array", loc)
        return 0
    if not indices:
        return 0
    if len(indices) != len(dims):
        raise interp.error(f"{name} needs {len(dims)} subscript(s), got {len(indices)}", loc)
    flat = 0
    for i, d in zip(indices, dims):
        if not 0 <= i < d:
            raise interp.error(f"{name}[{i}] is outside the array (size {d})", loc)
        flat = flat * d + i
    return flat


def _read_only(interp, what: str, loc):
    """A setter that refuses: `cannot assign to <what>`."""
    def set_(value):
        raise interp.error(f"cannot assign to {what}", loc)
    return set_


def var_ref(interp, binding, indices: list[int], name: str, loc) -> Ref:
    """A reference to element `indices` of what `name` is bound to."""
    if isinstance(binding, StrVar):
        if indices:
            raise interp.error(f"{name} is a string, not an array", loc)
        return StrRef(binding)
    if isinstance(binding, (NumVar, ObjVar)):
        return ElemRef(binding, _element(interp, binding, indices, name, loc))
    if isinstance(binding, SecVar):
        return _section_ref(interp, binding, _element(interp, binding, indices, name, loc), name, loc)
    if isinstance(binding, GlobalVar):
        if indices:
            raise interp.error(f"{name} is not an array", loc)
        model, key = interp.model, binding.name
        return FuncRef(lambda: model.read_global(key, loc, interp), lambda v: model.set_global(key, v), what=binding)
    if isinstance(binding, Constant):
        return FuncRef(lambda: binding.value, _read_only(interp, name, loc))
    if isinstance(binding, nmodl_calls.AssignedGlobal):
        if indices:
            raise interp.error(f"{name} is not an array", loc)
        return FuncRef(lambda: nmodl_calls.read_assigned_global(interp, binding, loc),
                       lambda v: nmodl_calls.assign_assigned_global(interp, binding, v, loc))
    if isinstance(binding, RangeVar):
        if indices and extracellular.layer(binding, indices, name) is not None:  # `xg[1] = ...`
            binding = extracellular.layer(binding, indices, name)
        elif indices:
            raise interp.error(f"{name} is a range variable; use {name}(x), not {name}[i]", loc)
        model = interp.model
        return FuncRef(lambda: model.get_range(model.current(interp, loc), binding, None, loc, interp),
                       lambda v: assign_range(interp, model.current(interp, loc), binding, v, None, loc))
    if isinstance(binding, (Proc, Builtin)):
        raise interp.error(f"{name} is a function; call it as {name}(...)", loc)
    if isinstance(binding, LibraryName):  # bridge.hoc.stdrun_names
        if binding.kind in ("procedure", "template"):  # NEURON's parser: a syntax error
            raise interp.error(f"{name} is {binding.file}'s {binding.kind} {name}, not a variable (NEURON stops "
                               "here: syntax error)", loc)
        raise interp.refuse(f"{name} is {binding.file}'s {binding.kind} {name}, which bridge does not have", loc)
    raise interp.error(f"{name} cannot be used as a value", loc)


def check_number_place(interp, target: Ref, loc, loop: bool = False) -> None:
    """Refuse a number for an object reference or a string, as NEURON does: `o = 3` for an objref stops
    ("bad stack access: expecting Object**"), `s = 3` for a strdef and (`loop`) `for o = 1, 2` are syntax errors."""
    if isinstance(target, ElemRef) and isinstance(target.var, ObjVar):
        stop = "syntax error" if loop else "bad stack access: expecting Object**"
        raise interp.error(f"a number cannot be assigned to an object reference (NEURON stops here: {stop})", loc)
    if isinstance(target, StrRef):
        raise interp.error("a number cannot be assigned to a string (NEURON stops here: syntax error)", loc)


def _section_ref(interp, var: SecVar, i: int, name: str, loc) -> FuncRef:
    def get():
        sec = var.data[i]
        if sec is None or not sec.alive:
            raise interp.error(f"section {name} was deleted", loc)
        return sec

    def set_(value):
        raise interp.error(f"cannot assign to the section {name}", loc)

    return FuncRef(get, set_)


def _arg_index(interp, node: ast.Arg) -> int:
    if node.index:
        return node.index
    i = interp.frame.locals.get("i")
    if not isinstance(i, NumVar):
        raise interp.error(f"${node.kind}i needs a local variable i", node.loc)
    return int(i.data[0])


def frame_arg(interp, node: ast.Arg):
    """The value of `$n` (`$oi`, ... with a local i) of the running procedure."""
    frame = interp.frame
    index = _arg_index(interp, node)
    if len(interp.frames) == 1:
        raise interp.error(f"${node.kind}{index} used outside a procedure", node.loc)
    if not 1 <= index <= len(frame.args):
        raise interp.error(f"{frame.name}: argument ${node.kind}{index} was not passed "
                           f"(called with {len(frame.args)})", node.loc)
    return frame.args[index - 1]


def ref(interp, node, create: bool = False, value: Any = 0.0) -> Ref:
    """A readable/assignable reference for an expression node. `create`: an undefined name
    becomes a new top-level (or object) variable of the kind of `value` (assignments)."""
    kind = _REFS.get(type(node))
    if kind is not None:
        return kind(interp, node, create, value)
    if isinstance(node, Ref):
        return node
    value_ = interp.eval(node)
    return FuncRef(lambda: value_, _read_only(interp, "this", node.loc))


def name_value(interp, node: ast.Name, b):
    """The value of the name `node`, bound to `b` (`lookup`'s answer): what `ref(interp, node).get()` gives, without
    making the `Ref` for a scalar variable or a NEURON global (a loop's reads: bridge/hoc/budget.py's statements)."""
    kind = type(b)
    if kind is NumVar:
        return float(b.data[0])  # as ElemRef(b, 0).get(): `a` of `double a[3]` is a[0] (_element)
    if kind is GlobalVar:
        return interp.model.read_global(b.name, node.loc, interp)
    return bound_name_ref(interp, node, b, False, 0.0).get()


def _name_ref(interp, node: ast.Name, create: bool, value: Any) -> Ref:
    return bound_name_ref(interp, node, lookup(interp, node.name), create, value)


def bound_name_ref(interp, node: ast.Name, b, create: bool, value: Any) -> Ref:
    """`_name_ref` with the binding `b` already looked up."""
    loc = node.loc
    if b is None and not create and in_session_file(loc):
        return _session_gui_ref(interp, node.name, loc)
    if b is None:
        _refuse_registered(interp, node.name, loc)
        if not create:
            raise interp.error(f"{node.name} is not defined", loc)
        var = NumVar() if is_number(value) else (interp.new_str() if isinstance(value, str) else ObjVar())
        interp.namespace()[node.name] = var
        b = var
    return var_ref(interp, b, [], node.name, loc)


def _refuse_registered(interp, name: str, loc) -> None:
    """Refuse a name bridge does not resolve but NEURON registers before any HOC runs (a mechanism's or an
    ion's variable, a built-in variable): HOC would not make it a new variable (bridge.hoc.registered_names)."""
    why = why_registered(interp.model.catalog, name)
    if why is not None:
        raise interp.refuse(why, loc)


def _index_ref(interp, node: ast.Index, create: bool, value: Any) -> Ref:
    """`a[i][j]`, `obj.a[i]`, `Cell[2]`, `$&1[i]`."""
    loc = node.loc
    indices: list[int] = []
    base: ast.Node = node
    while isinstance(base, ast.Index):
        indices.append(subscript(interp, interp.number(base.index)))
        base = base.target
    indices.reverse()
    if isinstance(base, ast.Name):
        b = lookup(interp, base.name)
        library_template = isinstance(b, LibraryName) and b.kind == "template"
        if (b is None or library_template) and in_session_file(loc):  # `WindowMenu[0].ses_gid(...)` in a .ses
            return _session_gui_ref(interp, base.name, loc)
        if isinstance(b, LibraryName) and library_template:  # NEURON: an object of that template
            raise interp.refuse(f"{base.name}[i]: an object of {b.file}'s template {base.name}, which bridge does "
                                "not have", loc)
        if b is None and interp.model.point_process_kind(base.name) is not None:
            return _point_process_by_index(interp, base.name, indices, loc)
        if b is None:
            _refuse_registered(interp, base.name, loc)
            raise interp.error(f"{base.name} is not defined", loc)
        if isinstance(b, (Template, BuiltinClass)):
            return _object_by_index(interp, base.name, b, indices, loc)
        return var_ref(interp, b, indices, base.name, loc)
    if isinstance(base, ast.Member):
        return member_ref(interp, interp.eval(base.target), base.name, indices, loc)
    if isinstance(base, ast.Arg) and base.kind == "&":
        return _pointer_ref(interp, frame_arg(interp, base), indices, loc)
    raise interp.error("this cannot be indexed", loc)


def _member_node_ref(interp, node: ast.Member, create: bool, value: Any) -> Ref:
    return member_ref(interp, interp.eval(node.target), node.name, [], node.loc)


def _arg_ref(interp, node: ast.Arg, create: bool, value: Any) -> Ref:
    """`$1`, `$s1`, `$o1` (assignable: the procedure's argument changes), `$&1` (the pointer)."""
    loc = node.loc
    if node.kind == "&":
        return _pointer_ref(interp, frame_arg(interp, node), [], loc)
    frame, i = interp.frame, _arg_index(interp, node)
    frame_arg(interp, node)

    def set_(v):
        if isinstance(frame.args[i - 1], StrVar):
            frame.args[i - 1].value = v
        else:
            if matters(frame.args[i - 1]):  # the argument lets go of what it held (bridge.hoc.ref_drops)
                note()
            frame.args[i - 1] = v
            refs = frame.arg_refs  # `$o1 = obj`: the caller's objref too (bridge.hoc.calls._object_refs)
            if node.kind == "o" and refs is not None and i <= len(refs):
                if refs[i - 1] is None:
                    raise interp.error("Assignment to $o only allowed if caller arg was declared as objref", loc)
                refs[i - 1].set(v)

    def get():
        v = frame.args[i - 1]
        if node.kind == "" and not is_number(v):
            raise interp.error(f"${i} is not a number (use $o{i} or $s{i})", loc)
        if node.kind == "s":
            if isinstance(v, StrVar):
                return v.value
            if not isinstance(v, str):
                raise interp.error(f"$s{i} is not a string", loc)
        return v

    return FuncRef(get, set_)


def _call_ref(interp, node: ast.Call, create: bool, value: Any) -> Ref:
    """`diam(0.5)`, `soma.v(0.5)`: a range variable at x; `vec.x(3)` as `vec.x[3]`."""
    loc = node.loc
    if isinstance(node.func, ast.Member):
        obj = interp.eval(node.func.target)
        if isinstance(obj, BuiltinObject) and len(node.args) == 1:
            if obj.holds_hoc_objects:  # a member assigned may let go of what it held (bridge.hoc.ref_drops)
                note()
            return obj.hoc_ref(interp, node.func.name, [subscript(interp, interp.number(node.args[0]))], loc)
    if interp.model.catalog.has_randoms():  # `sec.ranvar_mech(x)`: an NMODLRandom (bridge.hoc.randomvars)
        from bridge.hoc.randomvars import density_random_ref

        ref = density_random_ref(interp, node)
        if ref is not None:
            return ref
    sec, var, x = _range_call(interp, node)
    model = interp.model
    return FuncRef(lambda: model.get_range(sec, var, x, loc, interp),
                   lambda v: assign_range(interp, sec, var, v, x, loc), what=RangeTarget(sec, var, x))


_REFS = {ast.Name: _name_ref, ast.Index: _index_ref, ast.Member: _member_node_ref, ast.Arg: _arg_ref,
         ast.Call: _call_ref}


def in_session_file(loc) -> bool:
    """NEURON session files (.ses) are GUI windows; names of GUI tools in them are accepted."""
    return loc is not None and str(loc.filename).endswith(".ses")



def _session_gui_ref(interp, name: str, loc) -> FuncRef:
    obj = GuiObject(interp, name, [], loc)
    return FuncRef(lambda: obj, lambda v: None)


def _object_by_index(interp, name: str, b: Template | BuiltinClass, indices: list[int], loc) -> FuncRef:
    """`Cell[2]`, `PWManager[0]`: an existing object of a template or class by its index."""
    if len(indices) != 1:
        raise interp.error(f"{name}[i] takes one index", loc)
    if isinstance(b, Template):
        obj = next((o for o in b.instances if o.index == indices[0]), None)
        if obj is None:
            raise interp.error(f"{name}[{indices[0]}] does not exist", loc)
    else:
        obj = interp.objects.find(name, indices[0])
        if name == "CVode":
            obj = interp.top["cvode"].data[0]
        elif obj is None and name in GUI_CLASSES:
            obj = GuiObject(interp, name, [], loc)
        elif obj is None:
            raise interp.error(f"{name}[{indices[0]}] does not exist", loc)
    return FuncRef(lambda: obj, _read_only(interp, f"{name}[i]", loc))


def _point_process_by_index(interp, name: str, indices: list[int], loc) -> FuncRef:
    """`IClamp[0]`: a live point process by its class name and index, as NEURON names it."""
    if len(indices) != 1:
        raise interp.error(f"{name}[i] takes one index", loc)
    obj = interp.objects.find(name, indices[0])
    if obj is None:
        raise interp.error(f"{name}[{indices[0]}] does not exist", loc)
    return FuncRef(lambda: obj, _read_only(interp, f"{name}[i]", loc))


def _pointer_ref(interp, target, indices: list[int], loc) -> Ref:
    """`$&1` (`$&1[i]`): the pointer a procedure was passed (an element further)."""
    if not isinstance(target, Ref):
        raise interp.error("$& argument is not a pointer (pass &variable)", loc)
    if indices and any(i != 0 for i in indices):
        from bridge.hoc.vector import VectorElement

        if isinstance(target, ElemRef):
            return ElemRef(target.var, target.i + indices[0])
        if isinstance(target, VectorElement):  # `$&4[i]` of `&vec.x[0]` (celbild/inhomofn.hoc): the element i on
            return target.vector.hoc_ref(interp, "x", [target.index + indices[0]], loc)
        raise interp.refuse("pointer arithmetic on this argument is not supported", loc)
    return target


def member_ref(interp, obj, name: str, indices: list[int], loc) -> Ref:
    """`obj.name[indices]`: a template object's public variable, a section's range variable or
    property (`soma.L`), or a built-in object's member (`vec.x[2]`)."""
    if isinstance(obj, HocObject):
        if name not in obj.template.public and (found := aliases.lookup(obj, name)) is not None:
            return found  # StringFunctions.alias (bridge.hoc.aliases)
        if name not in obj.template.public and obj is not interp.frame.obj:
            raise interp.error(f"{name} is not a public member of {obj.hname}", loc)
        b = obj.ns.get(name)
        if isinstance(b, External):
            b = interp.top.get(name)
        if b is None:
            raise interp.error(f"{obj.hname}.{name} is not defined", loc)
        return var_ref(interp, b, indices, f"{obj.hname}.{name}", loc)
    if isinstance(obj, Sec):
        var = interp.model.range_kind(name)
        if var is None:
            raise interp.error(f"{name} is not a section property or range variable", loc)
        if indices:
            raise interp.error(f"{obj.name}.{name} cannot be indexed", loc)
        model = interp.model
        return FuncRef(lambda: model.get_range(obj, var, None, loc, interp),
                       lambda v: assign_range(interp, obj, var, v, None, loc))
    if obj is None:
        raise interp.error(f"NULLobject has no member {name}", loc)
    if isinstance(obj, BuiltinObject):
        if obj.holds_hoc_objects:  # a member assigned may let go of what it held (bridge.hoc.ref_drops)
            note()
        return obj.hoc_ref(interp, name, indices, loc)
    raise interp.error(f"{interp.describe(obj)} has no member {name}", loc)


def _range_call(interp, node: ast.Call) -> tuple[Sec, RangeVar, float]:
    """`diam(0.5)`, `soma.v(0.5)`, `dend[2].gnabar_hh(0.3)`: (section, range variable, x)."""
    if len(node.args) != 1:
        raise interp.error("a range variable takes one arc position, e.g. v(0.5)", node.loc)
    sec, var = range_target(interp, node.func, node.loc)
    x = interp.number(node.args[0])
    if not 0.0 <= x <= 1.0:
        raise interp.error(f"arc position {x:g} is outside [0, 1]", node.loc)
    return sec, var, x


def range_target(interp, node: ast.Node, loc) -> tuple[Sec, RangeVar]:
    """The (section, range variable) a range-variable expression names (`diam`, `soma.diam`, `xg[1]`)."""
    if isinstance(node, ast.Index) and isinstance(node.target, (ast.Name, ast.Member)):  # extracellular layers
        sec, var = range_target(interp, node.target, loc)
        index = interp.number(node.index)
        layered = extracellular.layer(var, [int(index)] if index == int(index) else [-1], var.name)
        if layered is not None:
            return sec, layered
    if isinstance(node, ast.Name):
        b = lookup(interp, node.name)
        if isinstance(b, RangeVar):
            return interp.model.current(interp, loc), b
        raise interp.error(f"{node.name} is not a range variable", loc)
    if isinstance(node, ast.Member):
        sec = interp.eval(node.target)
        if isinstance(sec, Sec):
            var = interp.model.range_kind(node.name)
            if var is None:
                raise interp.error(f"{node.name} is not a range variable", loc)
            return sec, var
    raise interp.error("a range variable was expected here", loc)
