"""The HOC interpreter: statements and expressions of the modelling subset of HOC.

Names are resolved when a statement runs, as NEURON does: locals, then the
current object's (or the top level's) names, then NEURON's built-ins (globals,
functions, templates, range variables). Sections, range variables and 3-D
points live in `bridge.hoc.sections`; built-in functions in `bridge.hoc.builtins`;
built-in classes in `bridge.hoc.objects`.

Bounds (`bridge.Limits`): `max_statements` statements' worth of work per interpreter
(endless loops end with a HocError; see `bridge.hoc.budget` for what a statement's worth
is), `max_call_depth` nested HOC calls, `max_memory` bytes of live data (`self.memory`).
"""

from __future__ import annotations

import math
from typing import Any

from bridge.errors import BridgeError, HocError, HocRefusal, SourceLocation, UnsupportedFeature
from bridge.hoc import ast, budget
from bridge.hoc.values import (  # noqa: F401 - ElemRef, FuncRef, Ref, StrRef: also reached from here
    BreakLoop, Builtin, ContinueLoop, ElemRef, External, IteratorBreak, Frame, FuncRef, HocObject, NumVar, ObjVar, Proc, Ref,
    ReturnFrom, Sec, SecVar, Segment, StrRef, StrVar, Template, fmt_number, is_number, truth,
)
from bridge.limits import DEFAULT_LIMITS, Limits

EPS = 1e-11  # NEURON's float_epsilon used by comparisons


class Interpreter:
    """Runs HOC programs against a model state (`bridge.hoc.sections.Model`)."""

    def __init__(self, model, limits: Limits = DEFAULT_LIMITS):
        from bridge.hoc import builtins

        self.model = model
        self.limits = limits
        self.max_statements = limits.max_statements
        self.max_depth = limits.max_call_depth
        self.statements = 0
        self.next_check = min(self.max_statements, budget.RECOUNT_STATEMENTS)  # see checkpoint()
        self.memory = budget.MemoryBudget(limits)
        self.top: dict[str, Any] = {}
        self.templates: dict[str, Any] = {}
        self.frames: list[Frame] = [Frame("top level", [], None, None)]
        self.source_of: dict[str, str] = {}
        self.builtins: dict[str, Builtin] = builtins.table()
        self.classes = builtins.classes()

    # -- errors ---------------------------------------------------------------------
    def error(self, message: str, loc: SourceLocation | None, cls: type[HocError] = HocError) -> HocError:
        stack = tuple(f"{f.name} called at {f.loc}" for f in self.frames[1:] if f.loc)
        source = self.source_of.get(loc.filename) if loc else None
        return cls(message, loc, source, stack)

    def refuse(self, message: str, loc: SourceLocation | None) -> HocRefusal:
        """The error for a construct bridge refuses on purpose (see `HocRefusal`)."""
        return self.error(message, loc, HocRefusal)

    # -- running --------------------------------------------------------------------
    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def run_program(self, program: ast.Program) -> None:
        self.source_of.setdefault(program.loc.filename, program.source)
        self.exec_block(program.body)

    def exec_block(self, body) -> None:
        for stmt in body:
            self.exec(stmt)

    # -- the work budget (bridge.hoc.budget) ------------------------------------------------
    def charge(self, statements: int, loc) -> None:
        """Count `statements` statements' worth of work against `max_statements`."""
        self.statements += statements
        if self.statements > self.next_check:
            self.checkpoint(loc)

    def work(self, elements: int, loc, nbytes: int = 0) -> None:
        """Count a built-in's work: a Python loop over `elements` elements (Vector values,
        sections, ...) and a C-level copy, fill or format of `nbytes` bytes."""
        self.charge(elements // budget.ELEMENTS_PER_STATEMENT + nbytes // budget.BYTES_PER_STATEMENT, loc)

    def checkpoint(self, loc) -> None:
        """Every `budget.RECOUNT_STATEMENTS` statements and at the end of the budget: refuse to go
        on past `max_statements`, and count what the model state keeps (`MemoryBudget.recount`)."""
        if self.statements > self.max_statements:
            raise self.exhausted(loc)
        try:
            self.memory.recount(self.model)
        except HocError as err:
            raise self.error(err.message, loc) from None
        self.next_check = min(self.max_statements, self.statements + budget.RECOUNT_STATEMENTS)

    def exhausted(self, loc) -> HocError:
        return self.error(f"statement budget of {self.max_statements} exhausted (an endless loop?); "
                          f"Limits.max_statements counts statements and the work of built-ins; "
                          f"{self.limits.raise_hint('max_statements')}", loc)

    def write(self, text: str) -> None:
        """Print `text` (print, printf, echo): its length counts as work."""
        self.charge(len(text) // budget.OUTPUT_BYTES_PER_STATEMENT, None)
        self.model.write(text)

    def exec(self, node: ast.Node) -> None:
        self.statements += 1
        if self.statements > self.next_check:
            self.checkpoint(node.loc)
        cls = type(node)
        method = _EXEC.get(cls)
        if method is None:
            method = getattr(Interpreter, "x_" + cls.__name__, None)
            if method is None:
                raise self.error(f"unsupported HOC statement {cls.__name__}", node.loc)
            _EXEC[cls] = method
        try:
            method(self, node)
        except (BreakLoop, ContinueLoop, ReturnFrom) + _CONTROL:
            raise
        except BridgeError as err:
            if err.location is not None:
                raise  # already says where (a syntax error in a loaded file, ...)
            # raised below the interpreter (catalog, model state): say where, and keep a refusal one
            refused = isinstance(err, (HocRefusal, UnsupportedFeature))
            raise self.error(err.message, node.loc, HocRefusal if refused else HocError) from None
        except RecursionError:
            raise self.error("nesting too deep", node.loc) from None
        except (ValueError, OverflowError, ZeroDivisionError, TypeError, IndexError) as err:
            raise self.error(f"{type(err).__name__}: {err}", node.loc) from None

    def x_ExprStmt(self, n):
        e = n.expr
        if isinstance(e, ast.Member):  # `sl.append` as a statement calls the method, as in HOC
            obj = self.eval(e.target)
            if hasattr(obj, "m_" + e.name) or (isinstance(obj, HocObject) and isinstance(obj.ns.get(e.name), Proc)):
                value = self.call(ast.Call(e.loc, e, []))
            else:
                value = self.ref(e).get()
        else:
            value = self.eval(e)
        if n.echo and not (isinstance(e, ast.Call) and isinstance(e.func, ast.Name)
                           and isinstance(self.lookup(e.func.name), Proc)
                           and self.lookup(e.func.name).kind in ("proc", "iterator")):
            self.echo(value)

    def echo(self, value) -> None:
        """What NEURON prints for a top-level expression statement."""
        if isinstance(value, StrVar):
            value = value.value
        if isinstance(value, str):
            self.write(value + "\n")
        elif is_number(value):
            self.write(f"\t{float(value):.8g} \n")
        elif value is not None and not isinstance(value, Sec):
            self.write(f"\t{self.show(value)} \n")

    def x_Block(self, n):
        self.exec_block(n.body)

    def x_If(self, n):
        if truth(self.number(n.cond)):
            self.exec(n.then)
        elif n.orelse is not None:
            self.exec(n.orelse)

    def _loop_body(self, body) -> bool:
        """Run a loop body; False when the loop must end (break)."""
        try:
            self.exec(body)
        except BreakLoop:
            return False
        except ContinueLoop:
            pass
        return True

    def x_While(self, n):
        while truth(self.number(n.cond)):
            self.statements += 1
            if self.statements > self.next_check:
                self.checkpoint(n.loc)
            if not self._loop_body(n.body):
                break

    def x_ForC(self, n):
        if n.init is not None:
            self.exec(n.init)
        while n.cond is None or truth(self.number(n.cond)):
            self.statements += 1
            if self.statements > self.next_check:
                self.checkpoint(n.loc)
            if not self._loop_body(n.body):
                break
            if n.step is not None:
                self.exec(n.step)

    def x_ForRange(self, n):
        ref = self.ref(n.var, create=True)
        ref.set(self.number(n.lo))
        hi = self.number(n.hi)
        while ref.get() <= hi + EPS:
            if not self._loop_body(n.body):
                break
            ref.set(ref.get() + 1.0)

    def x_ForIterator(self, n):
        caller = self.frame
        try:
            self.call(n.call, iterator_body=(n.body, caller))
        except IteratorBreak:
            pass

    def x_IteratorStatement(self, n):
        if self.frame.iterator_body is None:
            raise self.error("iterator_statement outside an iterator", n.loc)
        body, caller = self.frame.iterator_body
        self.frames.append(caller)
        try:
            self.exec(body)
        except ContinueLoop:
            pass
        except BreakLoop:
            raise IteratorBreak() from None  # through the iterator's procedure to its `for`
        finally:
            self.frames.pop()

    def x_Break(self, n):
        raise BreakLoop(n.loc)

    def x_Continue(self, n):
        raise ContinueLoop(n.loc)

    def x_Return(self, n):
        if len(self.frames) == 1:
            raise self.error("return outside a procedure", n.loc)
        raise ReturnFrom(None if n.value is None else self.eval(n.value))

    def x_Stop(self, n):
        from bridge.hoc.values import StopRun

        raise StopRun()

    def x_Print(self, n):
        """NEURON's `print`: numbers as %.8g followed by a space, strings as they are."""
        parts = []
        for item in n.items:
            v = self.eval(item)
            if isinstance(v, StrVar):
                v = v.value
            if isinstance(v, str):  # a string found at run time (obj.s) prints like a value
                dynamic = isinstance(item, (ast.Member, ast.Index))
                parts.append(v + " " if dynamic else v)
            elif is_number(v):
                parts.append(f"{float(v):.8g} ")
            else:
                parts.append(self.show(v) + " ")
        self.write("".join(parts) + "\n")

    def show(self, value) -> str:
        if is_number(value):
            return fmt_number(float(value))
        if isinstance(value, StrVar):
            return value.value
        if value is None:
            return "NULLobject"
        return str(value)

    # -- declarations -------------------------------------------------------------------
    def _ns(self) -> dict:
        obj = self.frame.obj
        return obj.ns if obj is not None else self.top

    def _dims(self, decl: ast.Decl) -> tuple[int, ...]:
        dims = tuple(budget.count(self.number(d), f"the size of {decl.name}") for d in decl.dims)
        if any(d <= 0 for d in dims):
            raise self.error(f"array {decl.name} needs a positive size", decl.loc)
        return dims

    def _array(self, make, decl: ast.Decl, kind: str, element_bytes: int):
        """`make(dims)` for `double`/`objref` `decl`, its memory counted (and refused before
        it is allocated when over Limits.max_memory)."""
        dims = self._dims(decl)
        size = math.prod(dims)
        if size <= 1:
            return make(dims)
        shape = "".join(f"[{d}]" for d in dims)
        charge = self.memory.reserve(size * element_bytes, f"{kind} {decl.name}{shape}")
        self.work(0, decl.loc, size * element_bytes)
        var = make(dims)
        charge.bind(var)
        return var

    def new_str(self, value: str = "") -> StrVar:
        """A string variable whose values count against the session's memory."""
        charge = budget.Charge(self.memory)
        var = StrVar("", charge)
        charge.bind(var)
        var.value = value
        return var

    def x_DoubleDecl(self, n):
        for d in n.decls:
            self._declare(d.name, self._array(NumVar, d, "double", budget.DOUBLE_BYTES), d.loc)

    def x_Strdef(self, n):
        for name in n.names:
            old = self._ns().get(name)
            if isinstance(old, StrVar):
                old.value = ""
            else:
                self._declare(name, self.new_str(), n.loc)

    def x_Objref(self, n):
        for d in n.decls:
            var = self._array(ObjVar, d, "objref", budget.REFERENCE_BYTES)
            self._declare(d.name, var, d.loc)  # re-declaring makes it NULLobject
            if d.name == "this" and self.frame.obj is not None:
                self._ns()["this"].data[0] = self.frame.obj  # `objref this` in a template: the object

    def _declare(self, name: str, var, loc) -> None:
        ns = self._ns()
        old = ns.get(name)
        if old is not None and type(old) is not type(var) and not isinstance(old, NumVar):
            raise self.error(f"{name} already declared as something else", loc)
        if self.frame.obj is None and (name in self.builtins or name in self.classes or name in self.model.globals
                                       or self.model.range_kind(name) is not None):  # templates may reuse names
            raise self.error(f"{name}: redeclaring a built-in name (NEURON refuses it too)", loc)
        ns[name] = var

    def x_Local(self, n):
        if len(self.frames) == 1 or self.frame.iterator_body is False:
            raise self.error("local declared outside a procedure", n.loc)
        for name in n.names:
            self.frame.locals[name] = ObjVar() if n.objects else NumVar()

    def x_FuncDef(self, n):
        owner = self.frame.obj.template if self.frame.obj is not None else None
        ns = self._ns()
        old = ns.get(n.name)
        if old is not None and not isinstance(old, Proc):
            raise self.error(f"{n.name} already declared as a variable", n.loc)
        ns[n.name] = Proc(n.kind, n.name, n.body, owner)

    def x_Template(self, n):
        if n.name in self.classes:
            raise self.error(f"{n.name} is a built-in class", n.loc)
        if n.name in self.templates:
            return  # NEURON ignores a second definition of a template (load_file guards it too)
        self.templates[n.name] = Template(n.name, n.body, n.loc)

    def x_Public(self, n):
        if self.frame.obj is None:
            raise self.error("public outside a template", n.loc)

    def x_External(self, n):
        if self.frame.obj is None:
            raise self.error("external outside a template", n.loc)
        for name in n.names:
            self.frame.obj.ns[name] = External()

    def x_DeleteSymbol(self, n):
        raise self.refuse("'delete' of a symbol is not supported", n.loc)

    # -- expressions ------------------------------------------------------------------------
    def number(self, node) -> float:
        value = self.eval(node)
        if isinstance(value, StrVar):
            value = value.value
        if not is_number(value):
            raise self.error(f"a number was expected here, not {self.describe(value)}", node.loc)
        return float(value)

    def describe(self, value) -> str:
        if isinstance(value, str):
            return f"the string {value!r}"
        if value is None:
            return "NULLobject"
        if isinstance(value, Sec):
            return f"the section {value.name}"
        return f"the object {value}"

    def eval(self, node):
        self.statements += 1  # an expression is work too (checked at the next statement)
        cls = type(node)
        method = _EVAL.get(cls)
        if method is None:
            method = getattr(Interpreter, "e_" + cls.__name__, None)
            if method is None:
                raise self.error(f"{cls.__name__} cannot be used as a value here", node.loc)
            _EVAL[cls] = method
        return method(self, node)

    def e_Num(self, n):
        return n.value

    def e_Str(self, n):
        return n.value

    def e_Unary(self, n):
        v = self.number(n.operand)
        return -v if n.op == "-" else float(v == 0.0)

    def e_Binary(self, n):
        op = n.op
        if op in ("==", "!="):
            a, b = self.eval(n.left), self.eval(n.right)
            a = a.value if isinstance(a, StrVar) else a
            b = b.value if isinstance(b, StrVar) else b
            if is_number(a) and is_number(b):
                eq = abs(float(a) - float(b)) <= EPS
            else:
                eq = a is b or (isinstance(a, str) and a == b)
            return float(eq if op == "==" else not eq)
        a, b = self.number(n.left), self.number(n.right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0.0:
                raise self.error("division by zero", n.loc)
            return a / b
        if op == "%":
            if b == 0.0:
                raise self.error("modulus by zero", n.loc)
            return a - b * math.floor(a / b)
        if op == "^":
            try:
                return math.pow(a, b)
            except (ValueError, OverflowError):
                raise self.error(f"{a:g}^{b:g} is out of range", n.loc) from None
        if op == "<":
            return float(a < b - EPS)
        if op == ">":
            return float(a > b + EPS)
        if op == "<=":
            return float(a <= b + EPS)
        if op == ">=":
            return float(a >= b - EPS)
        if op == "&&":
            return float(a != 0.0 and b != 0.0)
        if op == "||":
            return float(a != 0.0 or b != 0.0)
        raise self.error(f"unknown operator {op}", n.loc)  # pragma: no cover

    def e_Assign(self, n):
        value = self.eval(n.value)
        if isinstance(value, StrVar):
            value = value.value
        ref = self.ref(n.target, create=True, value=value)
        if n.op != "=":
            if not is_number(value):
                raise self.error(f"{n.op} needs numbers", n.loc)
            old = ref.get()
            value = {"+=": old + value, "-=": old - value, "*=": old * value}.get(n.op)
            if value is None:
                if float(self.number(n.value)) == 0.0:
                    raise self.error("division by zero", n.loc)
                value = old / self.number(n.value)
        ref.set(float(value) if is_number(value) else value)
        return value

    def e_Name(self, n):
        return self.access_name(n.name, n.loc)

    def e_Arg(self, n):
        if n.kind == "" and n.index:
            args = self.frame.args
            if len(self.frames) > 1 and 0 < n.index <= len(args) and is_number(args[n.index - 1]):
                return args[n.index - 1]
        return self.ref(n).get()

    def e_Index(self, n):
        return self.ref(n).get()

    def e_Member(self, n):
        return self.ref(n).get()

    def e_New(self, n):
        return self.new(n.template, [self.arg_value(a) for a in n.args], n.loc)

    def e_Call(self, n):
        return self.call(n)

    def e_Pointer(self, n):
        return self.ref(n.target)

    def e_RangeArg(self, n):
        return (self.number(n.lo), self.number(n.hi))

    def arg_value(self, node):
        """A call argument: strdef names and pointers are passed by reference."""
        if isinstance(node, ast.Pointer):
            return self.ref(node.target)
        if isinstance(node, ast.Name):
            binding = self.lookup(node.name)
            if isinstance(binding, StrVar):
                return binding
        if isinstance(node, ast.Arg) and node.kind == "s":
            return self.frame_arg(node)
        return self.eval(node)

    def section_of(self, value, loc) -> Sec:
        if isinstance(value, Segment):
            value = value.sec
        if not isinstance(value, Sec):
            raise self.error(f"a section was expected, not {self.describe(value)}", loc)
        if not value.alive:
            raise self.error(f"section {value.name} was deleted", loc)
        return value

    # section statements are in bridge.hoc.cable
    from bridge.hoc.cable import (  # noqa: E402
        x_Create, x_Access, x_SectionStmt, x_Connect, x_Insert, x_Setpointer, x_Forall, x_Forsec, x_ForSegment, x_Taper,
    )

    # names, references, calls and objects are in bridge.hoc.resolve
    from bridge.hoc.resolve import (  # noqa: E402
        access_name, call, call_proc, frame_arg, lookup, new, range_target, ref,
    )


from bridge.hoc.values import Quit, StopRun  # noqa: E402

_CONTROL = (StopRun, Quit)
_EXEC: dict[type, Any] = {}  # node class -> Interpreter.x_<class> (one lookup per class, not per statement)
_EVAL: dict[type, Any] = {}  # node class -> Interpreter.e_<class>
