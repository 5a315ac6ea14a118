"""NMODL → readable Python/JAX source: expressions, statements, FUNCTIONs and PROCEDUREs.

`bridge.nmodl.module.generate(info)` assembles the text of one Python module
per mechanism from the pieces made here. Every statement is commented with the
`.mod` line it came from. The module defines pure functions over a scope dict
`s` (see `bridge.nmodl.runtime`):

- one Python function per FUNCTION (returns its value) and PROCEDURE (returns `s`);
- `initial(s)`, `breakpoint(s)` (the currents, without SOLVE), `advance(s)`
  (the SOLVE statements, with the method NEURON uses), `make_tables(s)`;
- `MECHANISM`, a `bridge.nmodl.mechanism.TranslatedMechanism` that implements
  `bridge.mechanisms.protocol.Mechanism`.

Expressions keep nocmodl's operation order (parentheses from the tree, left
association), so float64 results agree with NEURON's compiled C to round-off.
State updates: `bridge.nmodl.solvers` (cnexp, euler, derivimplicit),
`bridge.nmodl.kinetic` (KINETIC with sparse), TABLEs: `bridge.nmodl.tables`.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl import ast
from bridge.nmodl.analyze import MATH_FUNCTIONS, NO_OP_CALLS, MechanismInfo

# precedence of the Python operators we print (higher binds tighter)
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}


@dataclass
class Context:
    """Where a statement is compiled: the LOCAL names of the block, the FUNCTION's
    own name (its return value), and the kind of block (for kinetic/derivative forms)."""

    info: MechanismInfo
    locals: set[str] = field(default_factory=set)
    function: str | None = None
    block: str = ""
    prime: str = "inline"  # how `x' = e` compiles: "cnexp", "deriv" (store D_x), or "error"
    pre: list[str] = field(default_factory=list)
    counter: list[int] = field(default_factory=lambda: [0])
    notes: list[str] = field(default_factory=list)
    kinetic_states: tuple[str, ...] = ()  # inside KINETIC: the scheme's STATEs (array elements as "ca[3]")
    kinetic_volumes: dict = field(default_factory=dict)

    def child(self, **kw) -> "Context":
        new = Context(self.info, set(self.locals), self.function, self.block, self.prime, [], self.counter, self.notes,
                      self.kinetic_states, self.kinetic_volumes)
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    def fresh(self, stem: str) -> str:
        self.counter[0] += 1
        return f"_{stem}{self.counter[0]}"

    def error(self, cls, message: str, node) -> Exception:
        loc = getattr(node, "loc", None) or self.info.where(None)
        return cls(message, loc, self.info.source)


class Emitter:
    """Lines of Python with indentation and `.mod` line comments."""

    def __init__(self, info: MechanismInfo):
        self.lines: list[str] = []
        self.level = 0
        self.info = info
        self.source_lines = info.source.splitlines()

    def line(self, text: str = "", node=None) -> None:
        comment = self.origin(node)
        pad = "    " * self.level
        if comment and len(pad + text) < 100:
            self.lines.append(f"{pad}{text}  {comment}")
        elif comment:
            self.lines.append(f"{pad}{comment}")
            self.lines.append(f"{pad}{text}")
        else:
            self.lines.append(f"{pad}{text}" if text else "")

    def origin(self, node) -> str:
        loc = getattr(node, "loc", None)
        if loc is None or not loc.line:
            return ""
        text = self.source_lines[loc.line - 1].strip() if loc.line <= len(self.source_lines) else ""
        name = self.info.filename.rsplit("/", 1)[-1]
        text = text if len(text) <= 60 else text[:57] + "..."
        return f"# {name}:{loc.line}: {text}"

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# names the generated module itself defines or imports
_RESERVED = {"s", "l", "rt", "jnp", "kinetic", "solvers", "tables", "equations", "initial", "breakpoint",
             "advance", "make_tables", "IonUse", "TranslatedMechanism"}


def arg_name(name: str, info: MechanismInfo) -> str:
    """The Python name of a FUNCTION/PROCEDURE argument: never one of the module's functions
    (`FUNCTION ssPV(kdc(), kdm())` has arguments named like the FUNCTIONs kdc and kdm)."""
    if name in info.functions or name in info.procedures:
        return f"{name}__arg"
    return py_name(name)


def py_name(name: str) -> str:
    """A Python identifier for an NMODL function name (keywords get a trailing underscore)."""
    if keyword.iskeyword(name) or name in _RESERVED or name.isupper():
        return name + "_"
    return name


# --------------------------------------------------------------------------- expressions


def number(value: float) -> str:
    text = repr(float(value))
    return text if not text.startswith("-") else f"({text})"


_IMPURE: dict[int, tuple[MechanismInfo, set[str]]] = {}


def impure_functions(info: MechanismInfo) -> set[str]:
    """FUNCTIONs that assign mechanism variables (not only LOCALs and their own value)."""
    cached = _IMPURE.get(id(info))
    if cached is not None and cached[0] is info:
        return cached[1]
    out = set()
    for name, f in info.functions.items():
        local = {p.name for p in f.params} | {name}
        for node in ast.walk(f):
            if isinstance(node, ast.Local):
                local |= {v.name for v in node.names}
        for node in ast.walk(f):
            if isinstance(node, ast.Assign) and isinstance(node.target, (ast.Name, ast.Indexed)) \
                    and node.target.name not in local:
                out.add(name)
            if isinstance(node, ast.ExprStatement) and isinstance(node.expr, ast.Call) \
                    and node.expr.name in info.procedures:
                out.add(name)
    if len(_IMPURE) > 64:
        _IMPURE.clear()
    _IMPURE[id(info)] = (info, out)
    return out


def expr(e, ctx: Context) -> str:
    """Python source for an NMODL expression (may add hoisted statements to ctx.pre)."""
    text, _ = _expr(e, ctx)
    return text


def _expr(e, ctx: Context) -> tuple[str, int]:
    """(source, precedence) with precedence 9 for atoms."""
    if isinstance(e, ast.Number):
        return number(e.value), 9
    if isinstance(e, ast.UnitNumber):
        return number(e.number.value), 9
    if isinstance(e, ast.Name):
        return name_ref(e.name, ctx, e), 9
    if isinstance(e, ast.Indexed):
        return f"rt.index({name_ref(e.name, ctx, e)}, {expr(e.index, ctx)})", 9
    if isinstance(e, ast.Unary):
        inner, p = _expr(e.operand, ctx)
        if e.op == "-":
            return f"-({inner})" if p < 9 else f"-{inner}", 3
        return f"rt.logical_not({inner})", 9
    if isinstance(e, ast.Binary):
        return _binary(e, ctx)
    if isinstance(e, ast.Call):
        return call(e, ctx), 9
    if isinstance(e, ast.Prime):
        raise ctx.error(SemanticError, f"{e.name}' can only be assigned in a DERIVATIVE block", e)
    if isinstance(e, ast.String):
        return repr(e.value), 9
    raise ctx.error(UnsupportedFeature, f"expression {type(e).__name__}", e)


def _binary(e: ast.Binary, ctx: Context) -> tuple[str, int]:
    op = e.op
    if op == "^":
        return f"rt.pow({expr(e.left, ctx)}, {expr(e.right, ctx)})", 9
    if op == "&&":
        return f"rt.logical_and({expr(e.left, ctx)}, {expr(e.right, ctx)})", 9
    if op == "||":
        return f"rt.logical_or({expr(e.left, ctx)}, {expr(e.right, ctx)})", 9
    if op in _COMPARE:
        return f"({expr(e.left, ctx)} {op} {expr(e.right, ctx)})", 9
    prec = _PREC[op]
    left, lp = _expr(e.left, ctx)
    right, rp = _expr(e.right, ctx)
    if lp < prec:
        left = f"({left})"
    if rp <= prec:  # keep the tree: a - (b - c), a*(b*c) are not reassociated
        right = f"({right})"
    return f"{left} {op} {right}", prec


def name_ref(name: str, ctx: Context, node=None) -> str:
    if name in ctx.locals:
        return f"l[{name!r}]"
    if name in ctx.info.program.defines:
        return number(ctx.info.program.defines[name])
    if name in ctx.info.variables:
        return f"s[{name!r}]"
    raise ctx.error(SemanticError, f"undefined variable {name!r}", node)


def call(e: ast.Call, ctx: Context) -> str:
    info = ctx.info
    args = [expr(a, ctx) for a in e.args]
    if e.name in MATH_FUNCTIONS:
        if e.name == "exprelr":
            raise ctx.error(UnsupportedFeature, "exprelr()", e)
        return f"rt.{e.name}({', '.join(args)})"
    if e.name in info.functions:
        f = info.functions[e.name]
        if len(args) != len(f.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(f.params)} arguments, {len(args)} given", e)
        if e.name in impure_functions(info):
            tmp = ctx.fresh("r")
            ctx.pre.append(f"{tmp}, s = {py_name(e.name)}(s{''.join(', ' + a for a in args)})")
            return tmp
        return f"{py_name(e.name)}(s{''.join(', ' + a for a in args)})"
    if e.name in info.procedures:
        p = info.procedures[e.name]
        if len(args) != len(p.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(p.params)} arguments, {len(args)} given", e)
        ctx.pre.append(f"s = {py_name(e.name)}(s{''.join(', ' + a for a in args)})")
        return "0.0"
    if e.name in NO_OP_CALLS:  # at_time() is 0 in a fixed step; printf is not run
        return "0.0"
    raise ctx.error(UnsupportedFeature, f"call to {e.name}() (not available outside NEURON's C runtime)", e)


# --------------------------------------------------------------------------- statements


def statements(body, ctx: Context, em: Emitter) -> None:
    for stmt in body:
        statement(stmt, ctx, em)


def _flush(ctx: Context, em: Emitter, node) -> None:
    for line in ctx.pre:
        em.line(line, node)
    ctx.pre.clear()


def assign_target(target, value: str, ctx: Context, em: Emitter, node) -> None:
    if isinstance(target, ast.Name):
        if ctx.function and target.name == ctx.function:
            em.line(f"l[{target.name!r}] = {value}", node)
            return
        em.line(f"{name_ref(target.name, ctx, target)} = {value}", node)
    elif isinstance(target, ast.Indexed):
        ref = name_ref(target.name, ctx, target)
        em.line(f"{ref} = rt.set_index({ref}, {expr(target.index, ctx)}, {value})", node)
    else:
        raise ctx.error(SemanticError, f"cannot assign to {type(target).__name__}", node)


def statement(stmt, ctx: Context, em: Emitter) -> None:
    from bridge.nmodl import kinetic, solvers  # the block-specific forms

    if isinstance(stmt, ast.Local):
        for v in stmt.names:
            ctx.locals.add(v.name)
            size = ctx.info.program.defines.get(v.size, v.size) if isinstance(v.size, str) else v.size
            em.line(f"l[{v.name!r}] = {'0.0' if size is None else f'rt.jnp.zeros({size})'}", stmt)
    elif isinstance(stmt, ast.Assign):
        if isinstance(stmt.target, ast.Prime):
            solvers.prime_assignment(stmt, ctx, em)
            return
        value = expr(stmt.value, ctx)
        _flush(ctx, em, stmt)
        assign_target(stmt.target, value, ctx, em, stmt)
    elif isinstance(stmt, ast.Protect):
        statement(stmt.statement, ctx, em)
    elif isinstance(stmt, ast.ExprStatement):
        e = stmt.expr
        if isinstance(e, ast.Call) and e.name in NO_OP_CALLS:
            em.line(f"# {e.name}(...) is not run by bridge (no output from traced code)", stmt)
            return
        if isinstance(e, ast.Call) and e.name == "state_discontinuity":
            if len(e.args) != 2 or not isinstance(e.args[0], (ast.Name, ast.Indexed)):
                raise ctx.error(SemanticError, "state_discontinuity(variable, value) takes a variable and a value", stmt)
            value = expr(e.args[1], ctx)
            _flush(ctx, em, stmt)
            assign_target(e.args[0], value, ctx, em, stmt)
            return
        value = expr(e, ctx)
        _flush(ctx, em, stmt)
        if not (isinstance(e, ast.Call) and e.name in ctx.info.procedures):
            em.line(f"_ = {value}", stmt)
    elif isinstance(stmt, ast.Block):
        statements(stmt.body, ctx, em)
    elif isinstance(stmt, ast.If):
        _if(stmt, ctx, em)
    elif isinstance(stmt, ast.While):
        _while(stmt, ctx, em)
    elif isinstance(stmt, ast.From):
        _from(stmt, ctx, em)
    elif isinstance(stmt, ast.Solve):
        solve_in_block(stmt, ctx, em)
    elif isinstance(stmt, (ast.Table, ast.UnitsSwitch, ast.Conductance, ast.MutexLock, ast.MutexUnlock)):
        return
    elif isinstance(stmt, ast.Verbatim):
        return  # analysis refused any VERBATIM with code in it
    elif isinstance(stmt, (ast.Reaction, ast.Conserve, ast.Compartment)):
        if ctx.block != "kinetic":
            raise ctx.error(SemanticError, f"{type(stmt).__name__.upper()} outside a KINETIC block", stmt)
        kinetic.kinetic_statement(stmt, ctx, em)
    elif isinstance(stmt, ast.Equation):
        from bridge.nmodl import equations

        if ctx.block not in ("linear", "nonlinear"):
            raise ctx.error(SemanticError, "an equation (~ lhs = rhs) outside a LINEAR or NONLINEAR block", stmt)
        equations.equation_statement(stmt, ctx, em)
    elif isinstance(stmt, (ast.Watch, ast.ForNetcons, ast.InitialStatement)):
        raise ctx.error(UnsupportedFeature, f"{type(stmt).__name__} (NET_RECEIVE events)", stmt)
    else:
        raise ctx.error(UnsupportedFeature, f"statement {type(stmt).__name__}", stmt)


def _branch(name: str, body, ctx: Context, em: Emitter, node) -> None:
    em.line(f"def {name}(s, l):", node)
    em.indent()
    sub = ctx.child()
    statements(body, sub, em)
    ctx.locals |= sub.locals  # LOCALs declared inside a branch stay visible in nocmodl's C
    em.line("return s, l")
    em.dedent()


def _if(stmt: ast.If, ctx: Context, em: Emitter) -> None:
    cond = expr(stmt.condition, ctx)
    _flush(ctx, em, stmt)
    then = ctx.fresh("then")
    _branch(then, stmt.body, ctx, em, stmt)
    orelse = "None"
    if stmt.orelse is not None:
        orelse = ctx.fresh("else")
        _branch(orelse, stmt.orelse, ctx, em, stmt.orelse[0] if stmt.orelse else stmt)
    em.line(f"s, l = rt.if_({cond}, {then}, {orelse}, s, l)", stmt)


def _while(stmt: ast.While, ctx: Context, em: Emitter) -> None:
    name = ctx.fresh("while")
    sub = ctx.child()
    cond = expr(stmt.condition, sub)
    if sub.pre:
        raise ctx.error(UnsupportedFeature, "a WHILE condition that calls a PROCEDURE or a FUNCTION with side effects", stmt)
    em.line(f"def {name}_cond(s, l):", stmt)
    em.indent()
    em.line(f"return {cond}")
    em.dedent()
    _branch(f"{name}_body", stmt.body, ctx, em, stmt)
    em.line(f"s, l = rt.while_({name}_cond, {name}_body, s, l)", stmt)


def _from(stmt: ast.From, ctx: Context, em: Emitter) -> None:
    ctx.locals.add(stmt.var)
    start, stop = expr(stmt.start, ctx), expr(stmt.stop, ctx)
    step = expr(stmt.step, ctx) if stmt.step is not None else "1"
    _flush(ctx, em, stmt)
    var = ctx.fresh("i")
    em.line(f"for {var} in range(rt.static_int({start}), rt.static_int({stop}) + 1, rt.static_int({step})):", stmt)
    em.indent()
    em.line(f"l[{stmt.var!r}] = {var}")
    statements(stmt.body, ctx, em)
    em.dedent()


def solve_in_block(stmt: ast.Solve, ctx: Context, em: Emitter) -> None:
    """A SOLVE outside BREAKPOINT: `SOLVE scheme STEADYSTATE sparse` in INITIAL."""
    from bridge.nmodl import kinetic, solvers

    info = ctx.info
    target = info.blocks.get(stmt.name) or info.procedures.get(stmt.name)
    if ctx.block not in ("initial", "function") or (ctx.block == "function" and not stmt.steadystate):
        raise ctx.error(UnsupportedFeature, f"SOLVE {stmt.name} inside {ctx.block or 'a block'} "
                        "(bridge runs SOLVE in BREAKPOINT, and STEADYSTATE in INITIAL, FUNCTION and PROCEDURE)", stmt)
    if stmt.steadystate:
        if isinstance(target, ast.KineticBlock):
            em.line(f"s = {kinetic.function_name(stmt.name)}_steadystate(s)", stmt)
            return
        if isinstance(target, ast.DerivativeBlock):
            em.line(f"s = {solvers.function_name(stmt.name)}_steadystate(s)", stmt)
            return
    if isinstance(target, ast.ProcedureBlock):
        em.line(f"s = {py_name(stmt.name)}(s)", stmt)
        return
    if isinstance(target, (ast.LinearBlock, ast.NonLinearBlock)):
        em.line(f"s = {solve_lines_for(target)}", stmt)
        return
    raise ctx.error(UnsupportedFeature, f"SOLVE {stmt.name} in INITIAL without STEADYSTATE", stmt)


def solve_lines_for(block) -> str:
    """The call that solves a LINEAR/NONLINEAR block (defined once by `generate`)."""
    kind = "linear" if isinstance(block, ast.LinearBlock) else "nonlinear"
    return f"equations.{kind}(_{block.name}_equations, s, _{block.name}_UNKNOWNS, len(_{block.name}_UNKNOWNS))"


# --------------------------------------------------------------------------- callables


def function_def(block, info: MechanismInfo, em: Emitter, impure: set[str], counter) -> None:
    """A FUNCTION or PROCEDURE as a Python function (direct, without its TABLE)."""
    from bridge.nmodl import tables

    is_function = isinstance(block, ast.FunctionBlock)
    params = [p.name for p in block.params]
    table = info.tables.get(block.name)
    fname = py_name(block.name) if table is None else tables.direct_name(block.name)
    em.line(f"def {fname}(s{''.join(', ' + arg_name(p, info) for p in params)}):", block)
    em.indent()
    kind = "FUNCTION" if is_function else "PROCEDURE"
    em.line(f'"""{kind} {block.name}({", ".join(params)}) of {info.filename.rsplit("/", 1)[-1]}."""')
    items = ", ".join(f"{p!r}: {arg_name(p, info)}" for p in params)
    if is_function:
        items = (items + ", " if items else "") + f"{block.name!r}: 0.0"
    em.line(f"l = {{{items}}}")
    if not is_function or block.name in impure:
        em.line("s = dict(s)")
    ctx = Context(info, set(params) | ({block.name} if is_function else set()),
                  block.name if is_function else None, "function", "error", counter=counter)
    statements(block.body, ctx, em)
    if is_function:
        em.line(f"return l[{block.name!r}], s" if block.name in impure else f"return l[{block.name!r}]")
    else:
        em.line("return s")
    em.dedent()
    em.line()
    if table is not None:
        tables.table_wrapper(block, table, info, em, impure)


def block_def(name: str, body, info: MechanismInfo, em: Emitter, counter, kind: str, node=None) -> None:
    """INITIAL or BREAKPOINT (without SOLVE) as `name(s) -> s`."""
    em.line(f"def {name}(s):", node)
    em.indent()
    em.line("s, l = dict(s), {}")
    ctx = Context(info, set(), None, kind, "error", counter=counter)
    statements([st for st in body if not isinstance(st, ast.Solve) or kind != "breakpoint"], ctx, em)
    em.line("return s")
    em.dedent()
    em.line()
