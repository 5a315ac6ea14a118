"""Calls and objects: `f(args)`, `obj.method(args)`, `soma(0.5)`, running a procedure, `new Name(args)`.

A call costs `CALL_STATEMENTS` statements' worth of work besides its arguments and body,
making an object `NEW_STATEMENTS` (`bridge.hoc.budget`); calls nest at most
`Limits.max_call_depth` deep.
"""

from __future__ import annotations

from pathlib import Path

from bridge.hoc import ast, budget, extracellular, functable, loader, mulfit, neuronlib, nmodl_calls, runfit
from bridge.hoc.apcount import APCountObject
from bridge.hoc.bindings import RangeVar
from bridge.hoc.control import LoopJump, ReturnFrom, outside_loop
from bridge.hoc.names import (
    _arg_index,
    _builtin_binding,
    frame_arg,
    in_session_file,
    lookup,
    member_ref,
    name_value,
    ref,
    var_ref,
)
from bridge.hoc.netcon import ArtificialCellObject
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.point_process import PointProcessObject
from bridge.hoc.ref_drops import note
from bridge.hoc.values import (
    Builtin,
    Frame,
    HocObject,
    IteratorBody,
    LibraryName,
    NumVar,
    ObjVar,
    Proc,
    Sec,
    SecVar,
    Segment,
    StrRef,
    StrVar,
    is_number,
)

CALL_STATEMENTS = 1  # statements' worth of work a call adds (bridge.hoc.budget), besides its body
NEW_STATEMENTS = 4  # and making an object (its name, its finalizer, its memory charge)

NEURON_POINT_PROCESSES = {"ExpSyn", "Exp2Syn", "AlphaSynapse", "NetStim", "SEClamp", "VClamp", "APCount",
                          "IntFire1", "IntFire2", "IntFire4", "OClamp", "PointProcessMark", "PatternStim",
                          "ExpSid", "Exp2Sid", "VecStim"}


def arg_value(interp, node: ast.Node):
    """A call argument: strdef names and pointers are passed by reference."""
    kind = type(node)
    if kind is ast.Binary or kind is ast.Num:  # the common arguments, passed by value
        return interp.eval(node)
    if isinstance(node, ast.Pointer):
        return ref(interp, node.target)
    if isinstance(node, ast.Name):
        binding = lookup(interp, node.name)
        if isinstance(binding, StrVar):
            return binding
        interp.statements += 1  # as interp.eval(node) counts it
        return name_value(interp, node, binding)
    if isinstance(node, ast.Arg) and node.kind == "s":
        return frame_arg(interp, node)
    if isinstance(node, ast.Member):  # `sprint(cell.s, ...)`: an object's strdef, by reference
        r = ref(interp, node)
        return r.var if isinstance(r, StrRef) else r.get()
    return interp.eval(node)


def _args(interp, node: ast.Call) -> list:
    return [arg_value(interp, a) for a in node.args]


def _proc_args(interp, node: ast.Call) -> list:
    """A HOC procedure's arguments: a string literal is passed as the literal's own storage, which
    `$s1` may change (`StringFunctions.right($s1, 7)`) and which keeps the change for the next call
    that runs the same literal, as NEURON's code keeps it (hoc_pgargstr hands out the literal's
    `char**`: nrn/src/oc/code.cpp)."""
    out = []
    for a in node.args:
        if isinstance(a, ast.Str):
            kept = interp.literal_strs.get(id(a))
            if kept is None:
                kept = interp.literal_strs[id(a)] = (a, interp.new_str(a.value))  # the node keeps its id
            out.append(kept[1])
        else:
            out.append(arg_value(interp, a))
    return out


def _object_refs(interp, node: ast.Call) -> list:
    """The objref variables passed as arguments (`nc`, a localobj, the caller's own `$o2`): NEURON passes an
    objref by reference, so `$o2 = new NetCon(...)` in the procedure assigns the caller's variable (a cell's
    `connect2target(target, nc)`); None for an argument that is not one (NEURON refuses `$o1 = ...` then)."""
    out: list = []
    for a in node.args:
        r = None
        if isinstance(a, ast.Name) and isinstance(lookup(interp, a.name), ObjVar):
            r = ref(interp, a)
        elif isinstance(a, ast.Arg) and a.kind == "o" and interp.frame.arg_refs:
            k = _arg_index(interp, a) - 1
            if 0 <= k < len(interp.frame.arg_refs):
                r = interp.frame.arg_refs[k]
        out.append(r)
    return out


def call(interp, node: ast.Call, iterator_body: IteratorBody | None = None):
    """The value of a call expression (`for it(args) body`: with `iterator_body`)."""
    interp.statements += CALL_STATEMENTS  # a call (its arguments, its frame) costs more than a statement
    f = node.func
    if isinstance(f, ast.Name):
        return _call_name(interp, f.name, node, iterator_body)
    if isinstance(f, ast.Member):
        return _call_member(interp, interp.eval(f.target), f.name, node, iterator_body)
    # `sec.xg[1](x)`, `vext[1](x)`: an extracellular layer at x
    if isinstance(f, ast.Index) and extracellular.is_layer_call(f, lambda n: lookup(interp, n)):
        return ref(interp, node).get()
    target = interp.eval(f)
    if isinstance(target, Sec):
        return _segment(interp, target, node.args, node.loc)
    raise interp.error("this cannot be called", node.loc)


def _call_name(interp, name: str, node: ast.Call, iterator_body: IteratorBody | None):
    """`name(args)`: a procedure, a built-in function, a range variable at x, a section at x."""
    loc = node.loc
    b = lookup(interp, name)
    library = b if isinstance(b, LibraryName) else None
    if library is not None:  # NEURON's library procedure bridge does not run: as an undefined name below
        b = None
    if isinstance(b, Proc):  # a top-level proc (`external` in a template) runs at top level
        obj = interp.frame.obj if b.owner is not None else None
        return call_proc(interp, b, _proc_args(interp, node), obj, loc, iterator_body, _object_refs(interp, node))
    if isinstance(b, Builtin):
        if b.name in budget.FILE_LOOKUP_BUILTINS:
            interp.statements += budget.FILE_LOOKUP_STATEMENTS
        return b.fn(interp, _args(interp, node), loc)
    if isinstance(b, RangeVar):
        if len(node.args) == 1 and ("_" not in name or not interp.model.catalog.has_randoms()):
            # `v(x)` in the section accessed now: what names._call_ref's Ref reads (_range_call: the section
            # first, then x), without making the Ref (a RANDOM's name has a `_`: randomvars.density_random_ref)
            sec = interp.model.current(interp, loc)
            x = interp.number(node.args[0])
            if not 0.0 <= x <= 1.0:
                raise interp.error(f"arc position {x:g} is outside [0, 1]", loc)
            return interp.model.get_range(sec, b, x, loc, interp)
        return ref(interp, node).get()
    if isinstance(b, SecVar):
        return _segment(interp, var_ref(interp, b, [], name, loc).get(), node.args, loc)
    if b is None and interp.model.catalog.has_randoms():  # `r_mech(x)`: an NMODLRandom (bridge.hoc.randomvars)
        from bridge.hoc.randomvars import density_random_ref

        found_random = density_random_ref(interp, node)
        if found_random is not None:
            return found_random.get()
    if b is None and name == "read_data" and mulfit.is_mulfit_frame(interp):
        mulfit.read_data(interp, loc)  # a MulRunFitter restores its parameters (bridge.hoc.mulfit)
        return 0.0
    if b is None and name == "spec_parms" and runfit.is_runfit_frame(interp):
        return runfit.spec_parms(interp, _args(interp, node), loc)  # a RunFitter's parameters (bridge.hoc.runfit)
    if b is None and in_session_file(loc):
        interp.model.gui_calls.setdefault(f"{name} (session file)", loc)
        return 0.0
    if b is None and name.startswith("table_"):
        done = functable.call(interp, name, _args(interp, node), loc)
        if done is not None:
            return done
    if b is None:
        done = nmodl_calls.call_by_name(interp, name, lambda: _args(interp, node), loc)
        if done is not None:
            return done
        if library is not None:
            raise interp.refuse(f"{name}() is {library.file}'s {library.kind} {name}, which bridge does not run",
                                loc)
        raise interp.error(f"{name} is not defined", loc)
    raise interp.error(f"{name} is not a function", loc)


def _call_member(interp, obj, name: str, node: ast.Call, iterator_body: IteratorBody | None):
    """`obj.name(args)`: a template's procedure, a built-in object's method, `soma.v(x)`."""
    loc = node.loc
    if in_session_file(loc) and not isinstance(obj, (HocObject, Sec, BuiltinObject)):
        interp.model.gui_calls.setdefault(f"{name} (session file)", loc)
        return 0.0
    if isinstance(obj, HocObject):
        b = obj.ns.get(name)
        if isinstance(b, Proc):
            if name not in obj.template.public and obj is not interp.frame.obj:
                raise interp.error(f"{name} is not a public member of {obj.hname}", loc)
            return call_proc(interp, b, _proc_args(interp, node), obj, loc, iterator_body, _object_refs(interp, node))
        if isinstance(b, Builtin) and name in obj.template.public:  # methods of bridge-made objects
            return b.fn(interp, _args(interp, node), loc)
        r = member_ref(interp, obj, name, [], loc).get()
        if isinstance(r, Sec):
            return _segment(interp, r, node.args, loc)
        raise interp.error(f"{obj.hname}.{name} is not a function", loc)
    if isinstance(obj, Sec):
        var = interp.model.range_kind(name) if len(node.args) == 1 else None
        if var is not None and ("_" not in name or not interp.model.catalog.has_randoms()):
            # `soma.v(x)`: what names._call_ref's Ref reads (_range_call, range_target), the section evaluated once
            x = interp.number(node.args[0])
            if not 0.0 <= x <= 1.0:
                raise interp.error(f"arc position {x:g} is outside [0, 1]", loc)
            return interp.model.get_range(obj, var, x, loc, interp)
        return ref(interp, node).get()
    if obj is None:
        raise interp.error(f"NULLobject has no method {name}", loc)
    if isinstance(obj, BuiltinObject):
        if obj.holds_hoc_objects:  # a method may let go of what the object held (bridge.hoc.ref_drops)
            note()
        return obj.hoc_call(interp, name, _args(interp, node), loc)
    raise interp.error(f"{interp.describe(obj)} has no method {name}", loc)


def _segment(interp, sec, args: list[ast.Node], loc) -> Segment:
    """`soma(0.5)`: the section at an arc position."""
    if not isinstance(sec, Sec):
        raise interp.error("a section was expected before (x)", loc)
    if len(args) != 1:
        raise interp.error("a section location takes one arc position, e.g. soma(0.5)", loc)
    x = interp.number(args[0])
    if not 0.0 <= x <= 1.0:
        raise interp.error(f"arc position {x:g} is outside [0, 1]", loc)
    return Segment(sec, x)


def call_proc(interp, proc: Proc, args: list, obj: HocObject | None, loc, iterator_body: IteratorBody | None = None,
              arg_refs: list | None = None):
    """Run `proc` with `args` in `obj` (None: at top level); its value as its kind returns one
    (`func`: a number, `obfunc`: an object, `proc` and `iterator`: 0)."""
    if proc.kind == "iterator" and iterator_body is None:
        raise interp.error(f"iterator {proc.name} must be used as 'for {proc.name}(...) statement'", loc)
    if proc.kind != "iterator" and iterator_body is not None:
        raise interp.error(f"{proc.name} is not an iterator", loc)
    if len(interp.frames) > interp.max_depth:
        raise interp.error(f"HOC calls nested deeper than {interp.max_depth} (endless recursion?)", loc)
    name = f"{obj.hname}.{proc.name}" if obj is not None else proc.name
    interp.frames.append(Frame(name, list(args), obj, loc, iterator_body=iterator_body, arg_refs=arg_refs))
    sec_stack = interp.model.sec_stack
    depth = len(sec_stack)
    try:
        interp.exec(proc.body)
        result = None
    except ReturnFrom as r:
        result = r.value
    except LoopJump as jump:
        raise outside_loop(interp, jump) from None
    finally:
        interp.frames.pop()
        del sec_stack[depth:]
    if proc.kind == "func":
        if result is None:
            return 0.0
        if not is_number(result):
            raise interp.error(f"func {proc.name} must return a number", loc)
        return float(result)
    if proc.kind == "obfunc":
        return result
    return 0.0


def new(interp, name: str, args: list, loc):
    """`new Name(args)`: an object of a user template (its body runs in the object, then its
    `init(args)`), a built-in class or a point process."""
    interp.statements += NEW_STATEMENTS
    template = interp.templates.get(name)
    if template is None and name in neuronlib.LIBRARY_TEMPLATES:  # stdgui.hoc (nrngui.hoc) loads it in NEURON
        loader.load_file(interp, neuronlib.LIBRARY_TEMPLATES[name], loc)
        template = interp.templates.get(name)
    if template is None or template.made_by_class:
        return _new_builtin(interp, name, args, loc)
    if name in neuronlib.REFUSED_TEMPLATES and template.loc and neuronlib.is_builder_file(Path(template.loc.filename)):
        raise interp.refuse(f"new {name}(): {neuronlib.REFUSED_TEMPLATES[name]}; NetCon is not supported yet", loc)
    obj = template.make_object()  # here, not in a function of its own: nested `new`s use Python's stack
    if len(interp.frames) > interp.max_depth:
        raise interp.error("objects created inside each other too deeply", loc)
    for scalar in template.scalars:  # NEURON made these when it compiled the template
        if _builtin_binding(interp, scalar) is None:
            obj.ns[scalar] = NumVar()
    interp.frames.append(Frame(f"{obj.hname} (template body)", [], obj, loc))
    sec_stack = interp.model.sec_stack
    depth = len(sec_stack)
    try:
        interp.exec_block(template.body)
    finally:
        interp.frames.pop()
        del sec_stack[depth:]
    init = obj.ns.get("init")
    if isinstance(init, Proc):
        call_proc(interp, init, args, obj, loc)
    return obj


def _new_builtin(interp, name: str, args: list, loc):
    """`new Name(args)` of a built-in class or a point process."""
    if name in interp.classes:
        return interp.classes[name](interp, args, loc)
    kind = interp.model.point_process_kind(name)
    if kind is not None:
        if kind.kind == "artificial":  # NetStim, ...: no section (bridge.hoc.netcon)
            return ArtificialCellObject(interp, name, args, loc)
        if name == "APCount":  # its record(vec) (bridge.hoc.apcount)
            return APCountObject(interp, name, args, loc)
        return PointProcessObject(interp, name, args, loc)
    if name.startswith("ChannelBuild"):
        raise interp.error(f"{name} is not a template: load NEURON's chanbild.hoc first "
                           "(load_file(\"chanbild.hoc\"))", loc)
    if name.startswith(("NetGUI", "NetReadyCell", "ArtCellGUI")):
        raise interp.error(f"{name} is not a template: load NEURON's netbild.hoc first (load_file(\"netbild.hoc\"))",
                           loc)
    if name.startswith("CellBuild"):
        raise interp.error(f"{name} is not a template: load NEURON's celbild.hoc first (load_file(\"celbild.hoc\"))",
                           loc)
    if name in NEURON_POINT_PROCESSES:
        raise interp.error(f"{name} is one of NEURON's built-in mechanisms, but bridge has no {name} yet "
                           "(no .mod file for it in bridge/mechanisms/builtin or the model's folder)", loc)
    if name in interp.model.catalog.names():  # a SUFFIX mechanism: NEURON fails here the same way
        raise interp.error(f"{name} is not a template: {name} is a density mechanism (SUFFIX {name}), "
                           "not a point process, and NEURON also "
                           f"stops here (\"{name} is not a template\")", loc)
    raise interp.error(f"{name} is not a template", loc)
