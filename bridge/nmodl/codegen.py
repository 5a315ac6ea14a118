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

Model text reaches the source only through `bridge.nmodl.pytext` (comments,
docstrings, literals, names). The source stays within Python's own limits
whatever the nesting: the bodies of IF, WHILE and FROM become functions defined
at the top of the enclosing function (indentation never passes 4 levels), and a
part of an expression nested more than `MAX_EXPR_DEPTH` deep is computed first
into a temporary (`_t3 = ...`: the same operations in the same order).
State updates: `bridge.nmodl.solvers` (cnexp, euler, derivimplicit),
`bridge.nmodl.kinetic` (KINETIC with sparse), TABLEs: `bridge.nmodl.tables`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from bridge.errors import BridgeError, SemanticError, UnsupportedFeature
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl import ast, pytext
from bridge.nmodl.analyze import MATH_ARITY, MATH_FUNCTIONS, NO_OP_CALLS, MechanismInfo
from bridge.nmodl.pytext import number  # noqa: F401  (the float literal, used by the other generators)

# precedence of the Python operators we print (higher binds tighter)
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}

# How deeply one generated expression may nest (Python operators, calls, subscripts) before a part
# of it is computed into a temporary: far below CPython's 200 nested parentheses and its parser's depth.
MAX_EXPR_DEPTH = 40


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
    effects: bool = False  # ctx.pre holds a call with side effects (not only temporaries)

    def child(self, **kw) -> "Context":
        new = Context(self.info, set(self.locals), self.function, self.block, self.prime, [], self.counter, self.notes,
                      self.kinetic_states, self.kinetic_volumes)
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    def fresh(self, stem: str) -> str:
        """A new name of the module's own (`_then3`): a leading `_`, which no NMODL name has."""
        self.counter[0] += 1
        return f"_{stem}{self.counter[0]}"

    def error(self, cls, message: str, node) -> Exception:
        loc = getattr(node, "loc", None) or self.info.where(None)
        return cls(message, loc, self.info.source)


class Emitter:
    """Lines of Python with indentation and `.mod` line comments.

    `hoisted()` collects the lines of a nested function (an IF branch, a loop body) and
    places them before the next line of the enclosing function's own body, so that
    nesting in the .mod file never nests Python blocks (Python allows 100 levels)."""

    def __init__(self, info: MechanismInfo, limits: Limits = DEFAULT_LIMITS):
        self.lines: list[str] = []
        self.level = 0
        self.info = info
        self.limits = limits
        # lines as the parser counts them (only \n and \r end a line; str.splitlines also splits at
        # form feeds, \x85, \u2028, ...)
        self.source_lines = info.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.basename = pytext.comment(info.filename.rsplit("/", 1)[-1])
        self._pending: list[str] = []  # finished hoisted functions, waiting for the next body line
        self._capturing = 0

    def line(self, text: str = "", node=None) -> None:
        if self._pending and not self._capturing:
            self.lines.extend(self._pending)
            self._pending.clear()
        comment = self.origin(node)
        pad = "    " * self.level
        if comment and len(pad + text) < 100:
            self.lines.append(f"{pad}{text}  {comment}")
        elif comment:
            self.lines.append(f"{pad}{comment}")
            self.lines.append(f"{pad}{text}")
        else:
            self.lines.append(f"{pad}{text}" if text else "")

    def comment(self, text: str) -> None:
        """A comment line of model-derived text (escaped by `pytext.comment`)."""
        self.line(f"# {pytext.comment(text)}")

    def origin(self, node) -> str:
        loc = getattr(node, "loc", None)
        if loc is None or not loc.line:
            return ""
        text = self.source_lines[loc.line - 1].strip() if loc.line <= len(self.source_lines) else ""
        text = text if len(text) <= 60 else text[:57] + "..."
        return f"# {self.basename}:{loc.line}: {pytext.comment(text)}"

    @contextmanager
    def hoisted(self):
        """Emit a function definition at the top level of the enclosing function's body."""
        saved, level = self.lines, self.level
        self.lines, self.level = [], 1
        self._capturing += 1
        try:
            yield
        finally:
            block = self.lines
            self.lines, self.level = saved, level
            self._capturing -= 1
            self._pending.extend(block)

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def arg_name(name: str, info: MechanismInfo) -> str:
    """The Python name of a FUNCTION/PROCEDURE argument: never one of the module's functions
    (`FUNCTION ssPV(kdc(), kdm())` has arguments named like the FUNCTIONs kdc and kdm)."""
    taken = {py_name(n) for n in list(info.functions) + list(info.procedures)}
    return pytext.argument(name, taken)


def py_name(name: str) -> str:
    """The Python name of an NMODL FUNCTION or PROCEDURE (`pytext.identifier`)."""
    return pytext.identifier(name)


def helper_name(kind: str, block: str) -> str:
    """The name of a function the module defines for NMODL block `block`: `_<kind>_<block>`
    (`_cnexp_states`, `_scheme_kin`). `kind` is one word without `_`, so two helpers never
    share a name, and the leading `_` keeps them apart from every NMODL name."""
    assert kind.isalpha() and kind.islower(), kind
    pytext.identifier(block)  # an NMODL name (raises otherwise)
    return f"_{kind}_{block}"


def where(node, info: MechanismInfo) -> str:
    """`(SOURCE_FILE, line, column)` of `node`, for run-time errors (the module's SOURCE_FILE)."""
    loc = getattr(node, "loc", None)
    return f"(SOURCE_FILE, {loc.line if loc else 0}, {loc.column if loc else 0})"


# --------------------------------------------------------------------------- expressions


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
    text, _, _ = _expr(e, ctx)
    return text


def _expr(e, ctx: Context) -> tuple[str, int, int]:
    """(source, precedence, depth): precedence 9 for atoms; depth = how deeply the Python
    expression nests. A part deeper than MAX_EXPR_DEPTH goes to a temporary in ctx.pre."""
    text, prec, depth = _expr_node(e, ctx)
    if depth > MAX_EXPR_DEPTH:
        tmp = ctx.fresh("t")
        ctx.pre.append(f"{tmp} = {text}")
        return tmp, 9, 1
    return text, prec, depth


def _args(items, ctx: Context) -> tuple[list[str], int]:
    """Sources of several expressions and the depth of the deepest."""
    out, depth = [], 0
    for a in items:
        text, _, d = _expr(a, ctx)
        out.append(text)
        depth = max(depth, d)
    return out, depth


def _expr_node(e, ctx: Context) -> tuple[str, int, int]:
    if isinstance(e, ast.Number):
        return number(e.value), 9, 1
    if isinstance(e, ast.UnitNumber):
        return number(e.number.value), 9, 1
    if isinstance(e, ast.Name):
        return name_ref(e.name, ctx, e), 9, 2
    if isinstance(e, ast.Indexed):
        index, _, d = _expr(e.index, ctx)
        return f"rt.index({name_ref(e.name, ctx, e)}, {index})", 9, d + 2
    if isinstance(e, ast.Unary):
        inner, p, d = _expr(e.operand, ctx)
        if e.op == "-":
            return (f"-({inner})" if p < 9 else f"-{inner}"), 3, d + 1
        return f"rt.logical_not({inner})", 9, d + 2
    if isinstance(e, ast.Binary):
        return _binary(e, ctx)
    if isinstance(e, ast.Call):
        return call(e, ctx)
    if isinstance(e, ast.Prime):
        raise ctx.error(SemanticError, f"{e.name}' can only be assigned in a DERIVATIVE block", e)
    if isinstance(e, ast.String):
        return pytext.string(e.value), 9, 1
    raise ctx.error(UnsupportedFeature, f"expression {type(e).__name__}", e)


_CALLED = {"^": "rt.pow", "&&": "rt.logical_and", "||": "rt.logical_or"}


def _binary(e: ast.Binary, ctx: Context) -> tuple[str, int, int]:
    op = e.op
    if op in _CALLED:
        (left, right), d = _args((e.left, e.right), ctx)
        return f"{_CALLED[op]}({left}, {right})", 9, d + 2
    if op in _COMPARE:
        (left, right), d = _args((e.left, e.right), ctx)
        return f"({left} {op} {right})", 9, d + 1
    prec = _PREC[op]
    left, lp, ld = _expr(e.left, ctx)
    right, rp, rd = _expr(e.right, ctx)
    if lp < prec:
        left = f"({left})"
    if rp <= prec:  # keep the tree: a - (b - c), a*(b*c) are not reassociated
        right = f"({right})"
    return f"{left} {op} {right}", prec, max(ld, rd) + 1


def name_ref(name: str, ctx: Context, node=None) -> str:
    if name in ctx.locals:
        return f"l[{pytext.string(name)}]"
    if name in ctx.info.program.defines:
        return number(ctx.info.program.defines[name])
    if name in ctx.info.variables:
        return f"s[{pytext.string(name)}]"
    raise ctx.error(SemanticError, f"undefined variable {name!r}", node)


def call(e: ast.Call, ctx: Context) -> tuple[str, int, int]:
    """(source, precedence, depth) of a call (`_expr`'s form)."""
    info = ctx.info
    args, d = _args(e.args, ctx)
    if e.name in MATH_FUNCTIONS:
        if e.name == "exprelr":
            raise ctx.error(UnsupportedFeature, "exprelr()", e)
        if len(args) != MATH_ARITY[e.name]:  # the C compiler refuses it in nrnivmodl
            raise ctx.error(SemanticError, f"{e.name}() takes {MATH_ARITY[e.name]} argument"
                            f"{'s' if MATH_ARITY[e.name] > 1 else ''}, {len(args)} given", e)
        return f"rt.{e.name}({', '.join(args)})", 9, d + 2
    if e.name in info.functions:
        f = info.functions[e.name]
        if len(args) != len(f.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(f.params)} arguments, {len(args)} given", e)
        if e.name in impure_functions(info):
            tmp = ctx.fresh("r")
            ctx.pre.append(f"{tmp}, s = {py_name(e.name)}(s{''.join(', ' + a for a in args)})")
            ctx.effects = True
            return tmp, 9, 1
        return f"{py_name(e.name)}(s{''.join(', ' + a for a in args)})", 9, d + 1
    if e.name in info.procedures:
        p = info.procedures[e.name]
        if len(args) != len(p.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(p.params)} arguments, {len(args)} given", e)
        ctx.pre.append(f"s = {py_name(e.name)}(s{''.join(', ' + a for a in args)})")
        ctx.effects = True
        return "0.0", 9, 1
    if e.name in NO_OP_CALLS:  # at_time() is 0 in a fixed step; printf is not run
        return "0.0", 9, 1
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
            em.line(f"l[{pytext.string(target.name)}] = {value}", node)
            return
        em.line(f"{name_ref(target.name, ctx, target)} = {value}", node)
    elif isinstance(target, ast.Indexed):
        ref = name_ref(target.name, ctx, target)
        index = expr(target.index, ctx)
        _flush(ctx, em, node)
        em.line(f"{ref} = rt.set_index({ref}, {index}, {value})", node)
    else:
        raise ctx.error(SemanticError, f"cannot assign to {type(target).__name__}", node)


def statement(stmt, ctx: Context, em: Emitter) -> None:
    from bridge.nmodl import kinetic, solvers  # the block-specific forms

    if isinstance(stmt, ast.Local):
        for v in stmt.names:
            ctx.locals.add(v.name)
            size = ctx.info.program.defines.get(v.size, v.size) if isinstance(v.size, str) else v.size
            if size is not None:
                check_array_size(v.name, int(size), ctx.info, em.limits, stmt.loc)
            em.line(f"l[{pytext.string(v.name)}] = {'0.0' if size is None else f'rt.zeros({int(size)})'}", stmt)
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
            em.line(f"# {pytext.comment(e.name)}(...) is not run by bridge (no output from traced code)", stmt)
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


def _body_def(name: str, body, ctx: Context, em: Emitter, node) -> None:
    """`def name(s, l): ...; return s, l` for a nested body, hoisted to the top of the enclosing
    function (`Emitter.hoisted`), with the same LOCALs (`ctx`)."""
    with em.hoisted():
        em.line(f"def {name}(s, l):", node)
        em.indent()
        statements(body, ctx, em)
        em.line("return s, l")
        em.dedent()


def _branch(name: str, body, ctx: Context, em: Emitter, node) -> None:
    sub = ctx.child()
    _body_def(name, body, sub, em, node)
    ctx.locals |= sub.locals  # LOCALs declared inside a branch stay visible in nocmodl's C


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
    """WHILE: a condition and a body function, run by `rt.while_`, which stops an endless loop after
    `Limits.max_loop_iterations` with an error naming this line."""
    cond_fn, body_fn = ctx.fresh("whilecond"), ctx.fresh("whilebody")
    sub = ctx.child()
    cond = expr(stmt.condition, sub)
    if sub.effects:
        raise ctx.error(UnsupportedFeature, "a WHILE condition that calls a PROCEDURE or a FUNCTION with side effects", stmt)
    with em.hoisted():
        em.line(f"def {cond_fn}(s, l):", stmt)
        em.indent()
        for line in sub.pre:  # temporaries of a deep condition
            em.line(line)
        em.line(f"return {cond}")
        em.dedent()
    _branch(body_fn, stmt.body, ctx, em, stmt)
    em.line(f"s, l = rt.while_({cond_fn}, {body_fn}, s, l, {where(stmt, ctx.info)}, "
            f"{em.limits.max_loop_iterations})", stmt)


def _from(stmt: ast.From, ctx: Context, em: Emitter) -> None:
    """FROM i = a TO b BY c: unrolled when traced (`rt.from_range`, nocmodl's C loop, at most
    `Limits.max_loop_iterations` iterations); the body is a function of its own."""
    ctx.locals.add(stmt.var)
    start, stop = expr(stmt.start, ctx), expr(stmt.stop, ctx)
    step = expr(stmt.step, ctx) if stmt.step is not None else "1"
    _flush(ctx, em, stmt)
    var, body_fn = ctx.fresh("i"), ctx.fresh("from")
    _body_def(body_fn, stmt.body, ctx, em, stmt)
    em.line(f"for {var} in rt.from_range({start}, {stop}, {step}, {where(stmt, ctx.info)}, "
            f"{em.limits.max_loop_iterations}):", stmt)
    em.indent()
    em.line(f"l[{pytext.string(stmt.var)}] = {var}")
    em.line(f"s, l = {body_fn}(s, l)")
    em.dedent()


def check_array_size(name: str, size: int, info: MechanismInfo, limits: Limits, loc) -> None:
    """An array of `size` doubles per instance (declared at `loc`) must fit `limits.max_memory`."""
    if size * 8 > limits.max_memory:
        raise BridgeError(f"array {name}[{size}] needs {size * 8} bytes per instance, more than "
                          f"Limits.max_memory = {limits.max_memory}; {limits.raise_hint('max_memory')}",
                          loc or info.where(None), info.source)


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
            em.line(f"s = {helper_name('steady', stmt.name)}(s)", stmt)
            return
        if isinstance(target, ast.DerivativeBlock):  # NEURON's _ss_derivimplicit: not ported
            raise ctx.error(UnsupportedFeature, f"SOLVE {stmt.name} STEADYSTATE {stmt.steadystate} of a "
                            "DERIVATIVE block (bridge solves the steady state of KINETIC schemes)", stmt)
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
    fn, unknowns = helper_name("equations", block.name), helper_name("unknowns", block.name)
    return f"equations.{kind}({fn}, s, {unknowns}, len({unknowns}))"


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
    em.line(f'"""{kind} {pytext.docstring(block.name)}({pytext.docstring(", ".join(params))}) '
            f'of {pytext.docstring(info.filename.rsplit("/", 1)[-1])}."""')
    items = ", ".join(f"{pytext.string(p)}: {arg_name(p, info)}" for p in params)
    if is_function:
        items = (items + ", " if items else "") + f"{pytext.string(block.name)}: 0.0"
    em.line(f"l = {{{items}}}")
    if not is_function or block.name in impure:
        em.line("s = dict(s)")
    ctx = Context(info, set(params) | ({block.name} if is_function else set()),
                  block.name if is_function else None, "function", "error", counter=counter)
    statements(block.body, ctx, em)
    if is_function:
        value = f"l[{pytext.string(block.name)}]"
        em.line(f"return {value}, s" if block.name in impure else f"return {value}")
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
