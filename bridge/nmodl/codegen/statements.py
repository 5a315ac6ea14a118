"""NMODL statements → lines of Python, one handler per statement type.

Every statement is commented with the `.mod` line it came from. Generated functions
work on two dicts: `s`, the mechanism's variables, and `l`, the LOCALs and arguments
of the block (see `bridge.nmodl.runtime.flow`). The source stays within Python's own
limits whatever the nesting: the bodies of IF, WHILE and FROM become functions defined
at the top of the enclosing function (`Emitter.hoisted`: indentation never passes 4
levels), run by `flow.if_`, `flow.while_` and `flow.from_`.

Statements that only some blocks have (`x' = e`, reactions, `~` equations) compile as
the block's `ctx.forms` say (`bridge.nmodl.codegen.context`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bridge.errors import BridgeError, SemanticError, SourceLocation, UnsupportedFeature
from bridge.limits import Limits
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.vocabulary import NO_OP_CALLS
from bridge.nmodl.codegen import pytext
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.emitter import Emitter, ModuleState
from bridge.nmodl.codegen.expressions import expr, name_ref
from bridge.nmodl.codegen.names import helper_name, py_name, where
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.verbatim import CRefused


def statements(body: Iterable[ast.Node], ctx: Context, em: Emitter) -> None:
    for stmt in body:
        statement(stmt, ctx, em)


def statement(stmt: ast.Node, ctx: Context, em: Emitter) -> None:
    handler = _HANDLERS.get(type(stmt))
    if handler is None:
        raise ctx.error(UnsupportedFeature, f"statement {type(stmt).__name__}", stmt)
    handler(stmt, ctx, em)


def flush(ctx: Context, em: Emitter, node: ast.Node) -> None:
    """Emit the statements an expression needs first (`ctx.pre`), at `node`'s line."""
    for line in ctx.pre:
        em.line(line, node)
    ctx.pre.clear()


def assign_target(target: ast.Node, value: str, ctx: Context, em: Emitter, node: ast.Node) -> None:
    """`target = value` for a variable or an array element."""
    if isinstance(target, ast.Name):
        if ctx.function and target.name == ctx.function:
            em.line(f"l[{pytext.string(target.name)}] = {value}", node)
            return
        em.line(f"{name_ref(target.name, ctx, target)} = {value}", node)
    elif isinstance(target, ast.Indexed):
        ref = name_ref(target.name, ctx, target)
        index = expr(target.index, ctx)
        flush(ctx, em, node)
        em.line(f"{ref} = {ctx.runtime('arrays', 'set_index')}({ref}, {index}, {value})", node)
    else:
        raise ctx.error(SemanticError, f"cannot assign to {type(target).__name__}", node)


def uses_locals(body: Iterable[ast.Node], names: Iterable[str] = ()) -> bool:
    """Whether code compiled from `body` may read or write `l` (LOCALs, IF/WHILE/FROM bodies, or
    one of `names`, the arguments): a function whose body does not needs no `l`. Errs on yes."""
    names = set(names)
    return any(isinstance(n, (ast.Local, ast.If, ast.While, ast.From))
               or (isinstance(n, (ast.Name, ast.Indexed)) and n.name in names)
               for stmt in body for n in ast.walk(stmt))


def check_array_size(name: str, size: int, info: MechanismInfo, limits: Limits, loc: SourceLocation | None) -> None:
    """An array of `size` doubles per instance (declared at `loc`) must fit `limits.max_memory`."""
    if size * 8 > limits.max_memory:
        raise BridgeError(f"array {name}[{size}] needs {size * 8} bytes per instance, more than "
                          f"Limits.max_memory = {limits.max_memory}; {limits.raise_hint('max_memory')}",
                          loc or info.where(None), info.source)


def equations_call(block: ast.LinearBlock | ast.NonLinearBlock, module: ModuleState) -> str:
    """The call that solves a LINEAR/NONLINEAR block (its functions: `bridge.nmodl.codegen.equations`)."""
    kind = "linear" if isinstance(block, ast.LinearBlock) else "nonlinear"
    fn, unknowns = helper_name("equations", block.name), helper_name("unknowns", block.name)
    return f"{module.runtime('equations', kind)}({fn}, s, {unknowns}, len({unknowns}))"


# --------------------------------------------------------------------------- one handler per statement


def _local(stmt: ast.Local, ctx: Context, em: Emitter) -> None:
    for v in stmt.names:
        ctx.locals.add(v.name)
        size = ctx.info.program.defines.get(v.size, v.size) if isinstance(v.size, str) else v.size
        if size is not None:
            check_array_size(v.name, int(size), ctx.info, em.limits, stmt.loc)
        start = "0.0" if size is None else f"{ctx.runtime('arrays', 'zeros')}({int(size)})"
        em.line(f"l[{pytext.string(v.name)}] = {start}", stmt)


def _assign(stmt: ast.Assign, ctx: Context, em: Emitter) -> None:
    target = stmt.target
    if isinstance(target, ast.Prime):
        if target.order != 1 or target.index is not None:
            raise ctx.error(UnsupportedFeature, f"{target.name}{chr(39) * target.order}"
                            f"{'[...]' if target.index is not None else ''}: bridge integrates first-order "
                            "scalar STATE equations", stmt)
        if ctx.forms.prime is None:
            raise ctx.error(UnsupportedFeature, f"{target.name}' = ... outside a DERIVATIVE block", stmt)
        ctx.forms.prime(stmt, target, ctx, em)
        return
    value = expr(stmt.value, ctx)
    flush(ctx, em, stmt)
    assign_target(target, value, ctx, em, stmt)


def _protect(stmt: ast.Protect, ctx: Context, em: Emitter) -> None:
    statement(stmt.statement, ctx, em)


def _expr_statement(stmt: ast.ExprStatement, ctx: Context, em: Emitter) -> None:
    e = stmt.expr
    if isinstance(e, ast.Call) and e.name in NO_OP_CALLS:
        em.line(f"# {pytext.comment(e.name)}(...) is not run by bridge (no output from traced code)", stmt)
        return
    if isinstance(e, ast.Call) and e.name == "state_discontinuity":
        if len(e.args) != 2 or not isinstance(e.args[0], (ast.Name, ast.Indexed)):
            raise ctx.error(SemanticError, "state_discontinuity(variable, value) takes a variable and a value", stmt)
        value = expr(e.args[1], ctx)
        # NEURON assigns only where state_discon_allowed_ and not state_discon_flag_ (nrnoc's state_discontinuity):
        # not in fcurrent(), and in nrn_cur only in the first BREAKPOINT run (at v + 0.001; runtime.mechanism)
        value = f"{ctx.runtime('events', 'discontinuity')}(s, {value}, {expr(e.args[0], ctx)})"
        flush(ctx, em, stmt)
        assign_target(e.args[0], value, ctx, em, stmt)
        return
    value = expr(e, ctx)
    flush(ctx, em, stmt)
    if not (isinstance(e, ast.Call) and e.name in ctx.info.procedures):
        em.line(f"_ = {value}", stmt)


def _block(stmt: ast.Block, ctx: Context, em: Emitter) -> None:
    statements(stmt.body, ctx, em)


def _body_def(name: str, body: Iterable[ast.Node], ctx: Context, em: Emitter, node: ast.Node) -> None:
    """`def name(s, l): ...; return s, l` for a nested body, hoisted to the top of the enclosing
    function (`Emitter.hoisted`), with the same LOCALs (`ctx`)."""
    with em.hoisted():
        em.line(f"def {name}(s, l):", node)
        em.indent()
        statements(body, ctx, em)
        em.line("return s, l")
        em.dedent()


def _branch(name: str, body: Iterable[ast.Node], ctx: Context, em: Emitter, node: ast.Node) -> None:
    sub = ctx.child()
    _body_def(name, body, sub, em, node)
    ctx.locals |= sub.locals  # LOCALs declared inside a branch stay visible in nocmodl's C


def _if(stmt: ast.If, ctx: Context, em: Emitter) -> None:
    cond = expr(stmt.condition, ctx)
    flush(ctx, em, stmt)
    then = ctx.fresh("then")
    _branch(then, stmt.body, ctx, em, stmt)
    orelse = "None"
    if stmt.orelse is not None:
        orelse = ctx.fresh("else")
        _branch(orelse, stmt.orelse, ctx, em, stmt.orelse[0] if stmt.orelse else stmt)
    em.line(f"s, l = {ctx.runtime('flow', 'if_')}({cond}, {then}, {orelse}, s, l)", stmt)


def _while(stmt: ast.While, ctx: Context, em: Emitter) -> None:
    """WHILE: a condition and a body function, run by `flow.while_`, which stops an endless loop after
    `Limits.max_loop_iterations` with an error naming this line."""
    cond_fn, body_fn = ctx.fresh("whilecond"), ctx.fresh("whilebody")
    sub = ctx.child()
    cond = expr(stmt.condition, sub)
    if sub.effects:
        raise ctx.error(UnsupportedFeature, "a WHILE condition that calls a PROCEDURE or a FUNCTION with side "
                        "effects", stmt)
    with em.hoisted():
        em.line(f"def {cond_fn}(s, l):", stmt)
        em.indent()
        for line in sub.pre:  # temporaries of a deep condition
            em.line(line)
        em.line(f"return {cond}")
        em.dedent()
    _branch(body_fn, stmt.body, ctx, em, stmt)
    em.line(f"s, l = {ctx.runtime('flow', 'while_')}({cond_fn}, {body_fn}, s, l, {where(stmt)}, "
            f"{em.limits.max_loop_iterations})", stmt)


def _from(stmt: ast.From, ctx: Context, em: Emitter) -> None:
    """FROM i = a TO b BY c: nocmodl's C loop, run by `flow.from_` (unrolled while tracing when its
    bounds are known then, else a WHILE over instances; at most `Limits.max_loop_iterations`
    iterations); the body is a function of its own."""
    ctx.locals.add(stmt.var)
    start, stop = expr(stmt.start, ctx), expr(stmt.stop, ctx)
    step = expr(stmt.step, ctx) if stmt.step is not None else "1"
    flush(ctx, em, stmt)
    body_fn = ctx.fresh("from")
    _body_def(body_fn, stmt.body, ctx, em, stmt)
    em.line(f"s, l = {ctx.runtime('flow', 'from_')}({start}, {stop}, {step}, {body_fn}, "
            f"{pytext.string(stmt.var)}, s, l, {where(stmt)}, {em.limits.max_loop_iterations})", stmt)


def _solve(stmt: ast.Solve, ctx: Context, em: Emitter) -> None:
    """A SOLVE outside BREAKPOINT: `SOLVE scheme STEADYSTATE sparse` in INITIAL (BREAKPOINT's
    SOLVEs are `advance`'s: `bridge.nmodl.codegen.module`)."""
    info = ctx.info
    target = info.blocks.get(stmt.name) or info.procedures.get(stmt.name)
    linear = isinstance(target, (ast.LinearBlock, ast.NonLinearBlock))  # nocmodl solves these where SOLVE stands
    if ctx.block not in ("initial", "function") or (ctx.block == "function" and not stmt.steadystate and not linear):
        raise ctx.error(UnsupportedFeature, f"SOLVE {stmt.name} inside {ctx.block or 'a block'} "
                        "(bridge runs SOLVE in BREAKPOINT, STEADYSTATE in INITIAL, FUNCTION and PROCEDURE, and "
                        "LINEAR/NONLINEAR blocks in those too)", stmt)
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
        em.line(f"s = {equations_call(target, ctx.module)}", stmt)
        return
    raise ctx.error(UnsupportedFeature, f"SOLVE {stmt.name} in INITIAL without STEADYSTATE", stmt)


def _nothing(stmt: ast.Node, ctx: Context, em: Emitter) -> None:
    """TABLE (`bridge.nmodl.codegen.tables`), UNITSON/UNITSOFF, CONDUCTANCE, MUTEXLOCK: nothing to run;
    VERBATIM: analysis translated (analysis.verbatim) or refused every one with code in it."""


def _kinetic(stmt: ast.Reaction | ast.Conserve | ast.Compartment | ast.LongitudinalDiffusion, ctx: Context,
             em: Emitter) -> None:
    if ctx.forms.reaction is None:
        raise ctx.error(SemanticError, f"{type(stmt).__name__.upper()} outside a KINETIC block", stmt)
    # COMPARTMENT and CONSERVE are placed by `kinetic.kinetic_def`; LONGITUDINAL_DIFFUSION runs after every
    # mechanism's SOLVE (`codegen.ldifus`, `bridge.solver.long_diffusion`)
    if isinstance(stmt, ast.Reaction):
        ctx.forms.reaction(stmt, ctx, em)


def _equation(stmt: ast.Equation, ctx: Context, em: Emitter) -> None:
    if ctx.forms.equation is None:
        raise ctx.error(SemanticError, "an equation (~ lhs = rhs) outside a LINEAR or NONLINEAR block", stmt)
    ctx.forms.equation(stmt, ctx, em)


def _watch(stmt: ast.Watch, ctx: Context, em: Emitter) -> None:
    """WATCH (a > b) flag, ...: each condition activates its WatchCondition (nocmodl's
    `_nrn_watch_activate(_watch_array, _watchK_cond, K, _pnt, _watch_rm++, flag)`), recorded in the
    scope (runtime.events.watch) with the condition's value now; the solver keeps and checks them."""
    if ctx.block != "net_receive":
        raise ctx.error(UnsupportedFeature, "WATCH outside NET_RECEIVE", stmt)
    flush(ctx, em, stmt)
    for cond in stmt.conditions:
        if not isinstance(cond.flag, (ast.Number, ast.UnitNumber)) or cond.op not in (">", "<"):
            raise ctx.error(UnsupportedFeature, "a WATCH whose flag is not a number or whose comparison is not "
                            "> or <", cond)
        k = len(ctx.module.watches)
        ctx.module.watches.append(cond)
        em.line(f"s = {ctx.runtime('events', 'watch')}(s, {k}, watch_conditions(s)[{k}])", cond)


def _for_netcons(stmt: ast.ForNetcons, ctx: Context, em: Emitter) -> None:
    """FOR_NETCONS(a1, a2, ...) { body }: the body once per NetCon targeting the instance, a1... its first
    arguments (nocpout.cpp `fornetcon`; run by runtime.events.for_netcons on what the solver gathers)."""
    block = ctx.info.program.net_receive
    if ctx.block != "net_receive" or block is None:
        raise ctx.error(UnsupportedFeature, "FOR_NETCONS outside NET_RECEIVE", stmt)
    names = [p.name for p in stmt.params]
    own = [p.name for p in block.params]
    if len(names) > len(own):
        raise ctx.error(SemanticError, f"FOR_NETCONS names {len(names)} arguments, NET_RECEIVE has {len(own)}",
                        stmt)
    clash = sorted((set(names) & set(own)) | (set(names) & ctx.locals))
    if clash:
        raise ctx.error(UnsupportedFeature, f"a FOR_NETCONS argument named like a NET_RECEIVE argument or a "
                        f"LOCAL ({', '.join(clash)})", stmt)
    flush(ctx, em, stmt)
    sub = ctx.child()
    sub.locals |= set(names)
    body_fn = ctx.fresh("fornetcons")
    _body_def(body_fn, stmt.body, sub, em, stmt)
    ctx.module.for_netcons = True
    em.line(f"s, l = {ctx.runtime('events', 'for_netcons')}({body_fn}, s, l, {pytext.strings(names)}, "
            f"{pytext.strings(own[:len(names)])})", stmt)


def _refused(stmt: CRefused, ctx: Context, em: Emitter) -> None:
    """A FUNCTION/PROCEDURE with C bridge cannot run (only HOC calls it): the call raises the refusal."""
    em.line(f"{ctx.runtime('flow', 'refused')}({pytext.string(stmt.message)}, {where(stmt)})", stmt)


def _net_receive_only(stmt: ast.Node, ctx: Context, em: Emitter) -> None:
    raise ctx.error(UnsupportedFeature, f"{type(stmt).__name__} (NET_RECEIVE events)", stmt)


_HANDLERS: dict[type, Callable] = {
    ast.Local: _local, ast.Assign: _assign, ast.Protect: _protect, ast.ExprStatement: _expr_statement,
    ast.Block: _block, ast.If: _if, ast.While: _while, ast.From: _from, ast.Solve: _solve,
    ast.Table: _nothing, ast.UnitsSwitch: _nothing, ast.Conductance: _nothing, ast.MutexLock: _nothing,
    ast.MutexUnlock: _nothing, ast.Verbatim: _nothing,
    ast.Reaction: _kinetic, ast.Conserve: _kinetic, ast.Compartment: _kinetic, ast.LongitudinalDiffusion: _kinetic,
    ast.Equation: _equation,
    ast.Watch: _watch, ast.ForNetcons: _for_netcons, ast.InitialStatement: _net_receive_only,
    CRefused: _refused,
}
