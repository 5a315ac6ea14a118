"""Name resolution, references, calls and object creation for the HOC interpreter.

These functions are methods of `Interpreter` (bound in `bridge.hoc.interp`); they
are kept here because they are one concept: what a name or a postfix chain
(`a.b[2].c(0.5)`) means when the statement runs.
"""

from __future__ import annotations

from typing import Any

from bridge.hoc import ast, budget
from bridge.hoc.cable import recharge, settle
from bridge.hoc.values import (
    Builtin, ElemRef, External, Frame, FuncRef, HocObject, LoopJump, NumVar, ObjVar, Proc, Ref, ReturnFrom, Sec,
    SecVar, Segment, StrRef, StrVar, Template, is_number, outside_loop,
)


def lookup(self, name: str):
    """What `name` means here: a variable, procedure, template, range variable, ... or None."""
    frame = self.frame
    if name in frame.locals:
        return frame.locals[name]
    obj = frame.obj
    if obj is not None:
        b = obj.ns.get(name)
        if isinstance(b, External):
            b = self.top.get(name)
        if b is not None:
            return b
    else:
        b = self.top.get(name)
        if b is not None:
            return b
    if name in self.model.globals:
        return ("global", name)
    if name in ("NULLobject", "nil"):  # stdlib.hoc declares `objref nil`
        return ("const", None)
    if name in self.builtins:
        return self.builtins[name]
    if name in self.templates:
        return self.templates[name]
    if name in self.classes:
        return ("class", name)
    kind = self.model.range_kind(name)
    if kind is not None:
        return ("range", kind)
    if self.model.known_global(name):
        return ("global", name)
    return None


def _element(self, var, indices: list[int], name: str, loc):
    dims = var.dims
    if not dims:
        if indices and any(i != 0 for i in indices):
            raise self.error(f"{name} is not an array", loc)
        return 0
    if not indices:
        return 0
    if len(indices) != len(dims):
        raise self.error(f"{name} needs {len(dims)} subscript(s), got {len(indices)}", loc)
    flat = 0
    for i, d in zip(indices, dims):
        if not 0 <= i < d:
            raise self.error(f"{name}[{i}] is outside the array (size {d})", loc)
        flat = flat * d + i
    return flat


def _var_ref(self, var, indices, name, loc):
    if isinstance(var, StrVar):
        if indices:
            raise self.error(f"{name} is a string, not an array", loc)
        return StrRef(var)
    if isinstance(var, (NumVar, ObjVar)):
        return ElemRef(var, _element(self, var, indices, name, loc))
    if isinstance(var, SecVar):
        i = _element(self, var, indices, name, loc)

        def get():
            sec = var.data[i]
            if sec is None or not sec.alive:
                raise self.error(f"section {name} was deleted", loc)
            return sec

        def set_(value):
            raise self.error(f"cannot assign to the section {name}", loc)

        return FuncRef(get, set_)
    if isinstance(var, tuple) and var[0] == "global":
        if indices:
            raise self.error(f"{name} is not an array", loc)
        r = FuncRef(lambda: self.model.globals[var[1]], lambda v: self.model.set_global(var[1], v))
        r.what = ("global", var[1])
        return r
    if isinstance(var, tuple) and var[0] == "const":
        return FuncRef(lambda: var[1], lambda v: (_ for _ in ()).throw(self.error(f"cannot assign to {name}", loc)))
    if isinstance(var, tuple) and var[0] == "range":
        if indices:
            raise self.error(f"{name} is a range variable; use {name}(x), not {name}[i]", loc)
        kind = var[1]
        return FuncRef(lambda: self.model.get_range(self.model.current(self, loc), kind, None, loc, self),
                       lambda v: set_range(self, self.model.current(self, loc), kind, v, None, loc))
    if isinstance(var, (Proc, Builtin)):
        raise self.error(f"{name} is a function; call it as {name}(...)", loc)
    raise self.error(f"{name} cannot be used as a value", loc)


def access_name(self, name: str, loc):
    return ref(self, ast.Name(loc, name)).get()


def _arg_index(self, node: ast.Arg) -> int:
    if node.index:
        return node.index
    i = self.frame.locals.get("i")
    if not isinstance(i, NumVar):
        raise self.error(f"${node.kind}i needs a local variable i", node.loc)
    return int(i.data[0])


def frame_arg(self, node: ast.Arg):
    frame = self.frame
    index = _arg_index(self, node)
    if len(self.frames) == 1:
        raise self.error(f"${node.kind}{index} used outside a procedure", node.loc)
    if not 1 <= index <= len(frame.args):
        raise self.error(f"{frame.name}: argument ${node.kind}{index} was not passed "
                         f"(called with {len(frame.args)})", node.loc)
    return frame.args[index - 1]


def ref(self, node, create: bool = False, value: Any = 0.0):
    """A readable/assignable reference for an expression node."""
    loc = node.loc
    if isinstance(node, ast.Name):
        b = lookup(self, node.name)
        if b is None and not create and _in_session_file(loc):
            return _session_gui_ref(self, node.name, loc)
        if b is None:
            if not create:
                raise self.error(f"{node.name} is not defined", loc)
            var = NumVar() if is_number(value) else (self.new_str() if isinstance(value, str) else ObjVar())
            self._ns()[node.name] = var
            b = var
        return _var_ref(self, b, [], node.name, loc)
    if isinstance(node, ast.Index):
        indices: list[int] = []
        base = node
        while isinstance(base, ast.Index):
            indices.append(int(self.number(base.index)))
            base = base.target
        indices.reverse()
        if isinstance(base, ast.Name):
            b = lookup(self, base.name)
            if b is None and _in_session_file(loc):
                return _session_gui_ref(self, base.name, loc)
            if b is None:
                raise self.error(f"{base.name} is not defined", loc)
            if isinstance(b, Template) or (isinstance(b, tuple) and b[0] == "class"):
                return _object_by_index(self, base.name, b, indices, loc)
            return _var_ref(self, b, indices, base.name, loc)
        if isinstance(base, ast.Member):
            return _member_ref(self, self.eval(base.target), base.name, indices, loc)
        if isinstance(base, ast.Arg) and base.kind == "&":
            target = frame_arg(self, base)
            return _pointer_ref(self, target, indices, loc)
        raise self.error("this cannot be indexed", loc)
    if isinstance(node, ast.Member):
        return _member_ref(self, self.eval(node.target), node.name, [], loc)
    if isinstance(node, ast.Arg):
        if node.kind == "&":
            return _pointer_ref(self, frame_arg(self, node), [], loc)
        frame, i = self.frame, _arg_index(self, node)
        frame_arg(self, node)

        def set_(v):
            if isinstance(frame.args[i - 1], StrVar):
                frame.args[i - 1].value = v
            else:
                frame.args[i - 1] = v

        def get():
            v = frame.args[i - 1]
            if node.kind == "" and not is_number(v):
                raise self.error(f"${i} is not a number (use $o{i} or $s{i})", loc)
            if node.kind == "s":
                if isinstance(v, StrVar):
                    return v.value
                if not isinstance(v, str):
                    raise self.error(f"$s{i} is not a string", loc)
            return v

        return FuncRef(get, set_)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Member):
            obj = self.eval(node.func.target)
            if hasattr(obj, "hoc_ref") and len(node.args) == 1:  # `vec.x(3) = 1`, as `vec.x[3] = 1`
                return obj.hoc_ref(self, node.func.name, [int(self.number(node.args[0]))], loc)
        sec, kind, x = _range_call(self, node)
        r = FuncRef(lambda: self.model.get_range(sec, kind, x, loc, self),
                    lambda v: set_range(self, sec, kind, v, x, loc))
        r.what = (sec, kind, x)
        return r
    if isinstance(node, Ref):
        return node
    value_ = self.eval(node)
    return FuncRef(lambda: value_, lambda v: (_ for _ in ()).throw(self.error("cannot assign to this", loc)))


def _in_session_file(loc) -> bool:
    """NEURON session files (.ses) are GUI windows; names of GUI tools in them are accepted."""
    return loc is not None and str(loc.filename).endswith(".ses")


def _session_gui_ref(self, name, loc):
    from bridge.hoc.objects import GuiObject

    obj = GuiObject(self, name, [], loc)
    return FuncRef(lambda: obj, lambda v: None)


def _object_by_index(self, name, b, indices, loc):
    """`Cell[2]`, `PWManager[0]`: an existing object of a template by its index."""
    if len(indices) != 1:
        raise self.error(f"{name}[i] takes one index", loc)
    if isinstance(b, Template):
        obj = next((o for o in b.instances if o.index == indices[0]), None)
        if obj is None:
            raise self.error(f"{name}[{indices[0]}] does not exist", loc)
    else:
        from bridge.hoc.builtins import GUI_CLASSES

        obj = self.__dict__.get("class_instances", {}).get(name, {}).get(indices[0])
        if name == "CVode":
            obj = self.top["cvode"].data[0]
        elif obj is None and name in GUI_CLASSES:
            from bridge.hoc.objects import GuiObject

            obj = GuiObject(self, name, [], loc)
        elif obj is None:
            raise self.error(f"{name}[{indices[0]}] does not exist", loc)
    return FuncRef(lambda: obj, lambda v: (_ for _ in ()).throw(self.error(f"cannot assign to {name}[i]", loc)))


def _pointer_ref(self, target, indices, loc):
    if not hasattr(target, "get"):
        raise self.error("$& argument is not a pointer (pass &variable)", loc)
    if indices and any(i != 0 for i in indices):
        if hasattr(target, "var") and hasattr(target, "i"):
            return ElemRef(target.var, target.i + indices[0])
        raise self.refuse("pointer arithmetic on this argument is not supported", loc)
    return target


def _member_ref(self, obj, name: str, indices, loc):
    if isinstance(obj, HocObject):
        if name not in obj.template.public and obj is not self.frame.obj:
            raise self.error(f"{name} is not a public member of {obj.hname}", loc)
        b = obj.ns.get(name)
        if isinstance(b, External):
            b = self.top.get(name)
        if b is None:
            raise self.error(f"{obj.hname}.{name} is not defined", loc)
        return _var_ref(self, b, indices, f"{obj.hname}.{name}", loc)
    if isinstance(obj, Sec):
        kind = self.model.range_kind(name)
        if kind is None:
            raise self.error(f"{name} is not a section property or range variable", loc)
        if indices:
            raise self.error(f"{obj.name}.{name} cannot be indexed", loc)
        return FuncRef(lambda: self.model.get_range(obj, kind, None, loc, self),
                       lambda v: set_range(self, obj, kind, v, None, loc))
    if obj is None:
        raise self.error(f"NULLobject has no member {name}", loc)
    if hasattr(obj, "hoc_ref"):
        return obj.hoc_ref(self, name, indices, loc)
    raise self.error(f"{self.describe(obj)} has no member {name}", loc)


def _range_call(self, node: ast.Call):
    """`diam(0.5)`, `soma.v(0.5)`, `dend[2].gnabar_hh(0.3)`: (section, range kind, x)."""
    if len(node.args) != 1:
        raise self.error("a range variable takes one arc position, e.g. v(0.5)", node.loc)
    sec, kind = range_target(self, node.func, node.loc)
    x = self.number(node.args[0])
    if not 0.0 <= x <= 1.0:
        raise self.error(f"arc position {x:g} is outside [0, 1]", node.loc)
    return sec, kind, x


def set_range(self, sec: Sec, kind, value, x, loc) -> None:
    """Assign a range variable or section property; a new nseg is first checked against the
    memory budget and counted as work (bridge.hoc.cable.recharge)."""
    self.statements += RANGE_STATEMENTS
    if kind == ("prop", "nseg") and is_number(value) and sec.alive:
        nseg = budget.count(value, "nseg")
        if nseg <= 32767:  # more is ModelState.set_range's error
            recharge(self, sec, max(nseg, 1) + sec.data.nseg, len(sec.data.mechanisms), loc)
        self.model.set_range(sec, kind, value, x, loc, self)
        settle(sec)
        return
    self.model.set_range(sec, kind, value, x, loc, self)


def range_target(self, node, loc):
    """The (section, range kind) a range-variable expression names."""
    if isinstance(node, ast.Name):
        b = lookup(self, node.name)
        if isinstance(b, tuple) and b[0] == "range":
            return self.model.current(self, loc), b[1]
        raise self.error(f"{node.name} is not a range variable", loc)
    if isinstance(node, ast.Member):
        sec = self.eval(node.target)
        if isinstance(sec, Sec):
            kind = self.model.range_kind(node.name)
            if kind is None:
                raise self.error(f"{node.name} is not a range variable", loc)
            return sec, kind
    raise self.error("a range variable was expected here", loc)


def call(self, node: ast.Call, iterator_body=None):
    loc = node.loc
    f = node.func
    self.statements += CALL_STATEMENTS  # a call (its arguments, its frame) costs more than a statement
    if isinstance(f, ast.Name):
        b = lookup(self, f.name)
        if isinstance(b, Proc):  # a top-level proc (`external` in a template) runs at top level
            obj = self.frame.obj if b.owner is not None else None
            return call_proc(self, b, [self.arg_value(a) for a in node.args], obj, loc, iterator_body)
        if isinstance(b, Builtin):
            if b.name in budget.FILE_LOOKUP_BUILTINS:
                self.statements += budget.FILE_LOOKUP_STATEMENTS
            return b.fn(self, [self.arg_value(a) for a in node.args], loc)
        if isinstance(b, tuple) and b[0] == "range":
            return ref(self, node).get()
        if isinstance(b, SecVar):
            return _segment(self, _var_ref(self, b, [], f.name, loc).get(), node.args, loc)
        if b is None and _in_session_file(loc):
            self.model.gui_calls.setdefault(f"{f.name} (session file)", loc)
            return 0.0
        if b is None:
            found = self.model.catalog.lookup_function(f.name)
            if found is not None:
                raise self.error(f"{f.name} is {found[1]}() of mechanism {found[0]}; calling NMODL FUNCTIONs "
                                 "and PROCEDUREs from HOC is not supported", loc)
            raise self.error(f"{f.name} is not defined", loc)
        raise self.error(f"{f.name} is not a function", loc)
    if isinstance(f, ast.Member):
        obj = self.eval(f.target)
        if _in_session_file(loc) and not isinstance(obj, (HocObject, Sec)) and not hasattr(obj, "hoc_call"):
            self.model.gui_calls.setdefault(f"{f.name} (session file)", loc)
            return 0.0
        if isinstance(obj, HocObject):
            b = obj.ns.get(f.name)
            if isinstance(b, Proc):
                if f.name not in obj.template.public and obj is not self.frame.obj:
                    raise self.error(f"{f.name} is not a public member of {obj.hname}", loc)
                return call_proc(self, b, [self.arg_value(a) for a in node.args], obj, loc, iterator_body)
            if isinstance(b, Builtin) and f.name in obj.template.public:  # methods of bridge-made objects
                return b.fn(self, [self.arg_value(a) for a in node.args], loc)
            r = _member_ref(self, obj, f.name, [], loc).get()
            if isinstance(r, Sec):
                return _segment(self, r, node.args, loc)
            raise self.error(f"{obj.hname}.{f.name} is not a function", loc)
        if isinstance(obj, Sec):
            return ref(self, node).get()
        if obj is None:
            raise self.error(f"NULLobject has no method {f.name}", loc)
        if hasattr(obj, "hoc_call"):
            return obj.hoc_call(self, f.name, [self.arg_value(a) for a in node.args], loc)
        raise self.error(f"{self.describe(obj)} has no method {f.name}", loc)
    target = self.eval(f)
    if isinstance(target, Sec):
        return _segment(self, target, node.args, loc)
    raise self.error("this cannot be called", loc)


CALL_STATEMENTS = 1  # statements' worth of work a call adds (bridge.hoc.budget), besides its body
NEW_STATEMENTS = 4  # and making an object (its name, its finalizer, its memory charge)
RANGE_STATEMENTS = 2  # and assigning a range variable or section property (the model state's checks)


def _segment(self, sec, args, loc):
    if not isinstance(sec, Sec):
        raise self.error("a section was expected before (x)", loc)
    if len(args) != 1:
        raise self.error("a section location takes one arc position, e.g. soma(0.5)", loc)
    x = self.number(args[0])
    if not 0.0 <= x <= 1.0:
        raise self.error(f"arc position {x:g} is outside [0, 1]", loc)
    return Segment(sec, x)


def call_proc(self, proc: Proc, args: list, obj, loc, iterator_body=None):
    if proc.kind == "iterator" and iterator_body is None:
        raise self.error(f"iterator {proc.name} must be used as 'for {proc.name}(...) statement'", loc)
    if proc.kind != "iterator" and iterator_body is not None:
        raise self.error(f"{proc.name} is not an iterator", loc)
    if len(self.frames) > self.max_depth:
        raise self.error(f"HOC calls nested deeper than {self.max_depth} (endless recursion?)", loc)
    name = f"{obj.hname}.{proc.name}" if obj is not None else proc.name
    frame = Frame(name, list(args), obj, loc, iterator_body=iterator_body)
    self.frames.append(frame)
    depth = len(self.model.sec_stack)
    try:
        self.exec(proc.body)
        result = None
    except ReturnFrom as r:
        result = r.value
    except LoopJump as jump:
        raise outside_loop(self, jump) from None
    finally:
        self.frames.pop()
        del self.model.sec_stack[depth:]
    if proc.kind == "func":
        if result is None:
            return 0.0
        if not is_number(result):
            raise self.error(f"func {proc.name} must return a number", loc)
        return float(result)
    if proc.kind == "obfunc":
        return result
    return 0.0


def new(self, name: str, args: list, loc):
    self.statements += NEW_STATEMENTS
    if name in self.templates:
        template: Template = self.templates[name]
        obj = HocObject(template, template.count)
        template.count += 1
        template.instances.append(obj)
        if len(self.frames) > self.max_depth:
            raise self.error("objects created inside each other too deeply", loc)
        self.frames.append(Frame(f"{obj.hname} (template body)", [], obj, loc))
        depth = len(self.model.sec_stack)
        try:
            self.exec_block(template.body)
        finally:
            self.frames.pop()
            del self.model.sec_stack[depth:]
        init = obj.ns.get("init")
        if isinstance(init, Proc):
            call_proc(self, init, args, obj, loc)
        return obj
    if name in self.classes:
        return self.classes[name](self, args, loc)
    mech = self.model.point_process_kind(name)
    if mech is not None:
        from bridge.hoc.objects import PointProcessObject

        return PointProcessObject(self, name, args, loc)
    if name.startswith(("CellBuild", "ChannelBuild", "NetGUI", "NetReadyCell")):
        raise self.error(f"{name} belongs to NEURON's CellBuilder/ChannelBuilder/NetBuilder GUI tools, which "
                         "bridge does not run; export the cell as HOC code from the tool instead", loc)
    if name in NEURON_POINT_PROCESSES:
        raise self.error(f"{name} is one of NEURON's built-in mechanisms, but bridge has no {name} yet "
                         "(no .mod file for it in bridge/mechanisms/builtin or the model's folder)", loc)
    raise self.error(f"{name} is not a template", loc)


NEURON_POINT_PROCESSES = {"ExpSyn", "Exp2Syn", "AlphaSynapse", "NetStim", "SEClamp", "VClamp", "APCount",
                          "IntFire1", "IntFire2", "IntFire4", "OClamp", "PointProcessMark", "PatternStim",
                          "ExpSid", "Exp2Sid", "VecStim"}
