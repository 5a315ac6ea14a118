"""NMODL expressions → Python source that computes them as nocmodl's C does.

Expressions keep nocmodl's operation order (parentheses from the tree, left association),
so float64 results agree with NEURON's compiled C to round-off. C's math and operators
come from the runtime (`rt.exp`, `rt.pow` for `^`, `rt.logical_and` for `&&`, ...).

The source stays within Python's own limits whatever the nesting: a part of an
expression nested more than `MAX_EXPR_DEPTH` deep is computed first into a temporary
(`_t3 = ...`, put in `ctx.pre`: the same operations in the same order). A call of a
FUNCTION with side effects or of a PROCEDURE also goes to `ctx.pre`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.usage import reads_usetable
from bridge.nmodl.analysis.vocabulary import (
    AT_TIME,
    CELSIUS_FUNCTIONS,
    MATH_ARITY,
    MATH_FUNCTIONS,
    NO_OP_CALLS,
    RANDOM_STREAM_CALLS,
    SCOP_CALLS,
    SCOPMATH_FUNCTIONS,
)
from bridge.nmodl.codegen import pytext
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.names import py_name
from bridge.nmodl.syntax import ast

# How deeply one generated expression may nest (Python operators, calls, subscripts) before a part
# of it is computed into a temporary: far below CPython's 200 nested parentheses and its parser's depth.
MAX_EXPR_DEPTH = 40

ATOM = 9  # the precedence of an atom (a name, a literal, a call, a parenthesized expression)
# precedence of the Python operators we print (higher binds tighter)
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}
_CALLED = {"^": "pow", "&&": "logical_and", "||": "logical_or"}  # C operators run by `rt`

Source = tuple[str, int, int]  # (text, precedence, depth)


def expr(e: ast.Node, ctx: Context) -> str:
    """Python source for an NMODL expression (may add hoisted statements to ctx.pre)."""
    text, _, _ = _expr(e, ctx)
    return text


def name_ref(name: str, ctx: Context, node: ast.Node | None = None) -> str:
    """The Python source of a variable: `l['x']` (LOCAL, argument), a DEFINE's number, `s['x']`."""
    if name in ctx.locals:
        return f"l[{pytext.string(name)}]"
    if name in ctx.info.program.defines:
        return pytext.number(ctx.info.program.defines[name])
    if name in ctx.info.variables:
        return f"s[{pytext.string(name)}]"
    if name == "usetable" and reads_usetable(ctx.info.program):  # the TABLE's switch, 1 unless HOC set it
        return f"s.get({pytext.string('usetable_' + ctx.info.name)}, 1.0)"
    raise ctx.error(SemanticError, f"undefined variable {name!r}", node)


def element(array: str, index: str, ctx: Context) -> str:
    """`array[index]` of an NMODL array variable."""
    return f"{ctx.runtime('arrays', 'index')}({array}, {index})"


def _expr(e: ast.Node, ctx: Context) -> Source:
    """(source, precedence, depth): precedence `ATOM` for atoms; depth = how deeply the Python
    expression nests. A part deeper than MAX_EXPR_DEPTH goes to a temporary in ctx.pre."""
    form = _FORMS.get(type(e))
    if form is None:
        raise ctx.error(UnsupportedFeature, f"expression {type(e).__name__}", e)
    text, prec, depth = form(e, ctx)
    if depth > MAX_EXPR_DEPTH:
        tmp = ctx.fresh("t")
        ctx.pre.append(f"{tmp} = {text}")
        return tmp, ATOM, 1
    return text, prec, depth


def _args(items: Iterable[ast.Node], ctx: Context) -> tuple[list[str], int]:
    """Sources of several expressions and the depth of the deepest."""
    out, depth = [], 0
    for a in items:
        text, _, d = _expr(a, ctx)
        out.append(text)
        depth = max(depth, d)
    return out, depth


def _number(e: ast.Number, ctx: Context) -> Source:
    return pytext.number(e.value), ATOM, 1


def _unit_number(e: ast.UnitNumber, ctx: Context) -> Source:
    return pytext.number(e.number.value), ATOM, 1


def _string(e: ast.String, ctx: Context) -> Source:
    return pytext.string(e.value), ATOM, 1


def _name(e: ast.Name, ctx: Context) -> Source:
    return name_ref(e.name, ctx, e), ATOM, 2


def ion_value_key(name: str) -> str:
    """The scope key of the value ion variable `name` had when the block began (`ast.IonValue`; set by
    `ion_entry_lines`): no NMODL name holds a colon."""
    return f"ion:{name}"


def ion_entry_lines(info) -> list[str]:
    """Statements that keep, at a block's start, the ion values its translated VERBATIM reads (`_ion_cai`):
    the scope's copy of an ion variable the mechanism loads is the ion's value when the block begins."""
    names = sorted({n.name for n in ast.walk(info.program) if isinstance(n, ast.IonValue)})
    return [f"s[{pytext.string(ion_value_key(n))}] = s[{pytext.string(n)}]" for n in names]


def _ion_value(e: ast.IonValue, ctx: Context) -> Source:
    return f"s[{pytext.string(ion_value_key(e.name))}]", ATOM, 2


def _c_int(e: ast.CInt, ctx: Context) -> Source:
    inner, _, d = _expr(e.operand, ctx)
    return f"{ctx.runtime('rt', 'c_int')}({inner})", ATOM, d + 2


def _indexed(e: ast.Indexed, ctx: Context) -> Source:
    index, _, d = _expr(e.index, ctx)
    return element(name_ref(e.name, ctx, e), index, ctx), ATOM, d + 2


def _unary(e: ast.Unary, ctx: Context) -> Source:
    inner, p, d = _expr(e.operand, ctx)
    if e.op == "-":
        return (f"-({inner})" if p < ATOM else f"-{inner}"), 3, d + 1
    return f"{ctx.runtime('rt', 'logical_not')}({inner})", ATOM, d + 2


def _prime(e: ast.Prime, ctx: Context) -> Source:
    if ctx.forms.prime_read is not None:  # analysis.prime_reads accepted it
        return ctx.forms.prime_read(e), ATOM, 2
    # nocmodl reads the instance's stored derivative Dx here (what the last SOLVE's evaluation left, or what
    # a former run left): bridge keeps no such value
    raise ctx.error(UnsupportedFeature, f"{e.name}' read outside the DERIVATIVE block that assigns it (NEURON reads "
                    f"the derivative its last evaluation stored; bridge reads {e.name}' only after the block's own "
                    f"`{e.name}' = ...`)", e)


def _binary(e: ast.Binary, ctx: Context) -> Source:
    op = e.op
    if op in _CALLED:
        (left, right), d = _args((e.left, e.right), ctx)
        return f"{ctx.runtime('rt', _CALLED[op])}({left}, {right})", ATOM, d + 2
    if op in _COMPARE:
        (left, right), d = _args((e.left, e.right), ctx)
        return f"({left} {op} {right})", ATOM, d + 1
    prec = _PREC[op]
    left, lp, ld = _expr(e.left, ctx)
    right, rp, rd = _expr(e.right, ctx)
    if lp < prec:
        left = f"({left})"
    if rp <= prec:  # keep the tree: a - (b - c), a*(b*c) are not reassociated
        right = f"({right})"
    return f"{left} {op} {right}", prec, max(ld, rd) + 1


def _call(e: ast.Call, ctx: Context) -> Source:
    info = ctx.info
    args, d = _args(e.args, ctx)
    if e.name in MATH_FUNCTIONS:
        if e.name == "exprelr":
            raise ctx.error(UnsupportedFeature, "exprelr()", e)
        if len(args) != MATH_ARITY[e.name]:  # the C compiler refuses it in nrnivmodl
            raise ctx.error(SemanticError, f"{e.name}() takes {MATH_ARITY[e.name]} argument"
                            f"{'s' if MATH_ARITY[e.name] > 1 else ''}, {len(args)} given", e)
        return f"{ctx.runtime('rt', e.name)}({', '.join(args)})", ATOM, d + 2
    callee = info.functions.get(e.name) or info.procedures.get(e.name)
    if callee is None and e.name in CELSIUS_FUNCTIONS:  # nrn_ghk(v, ci, co, z) reads NEURON's celsius too
        if len(args) != CELSIUS_FUNCTIONS[e.name]:
            raise ctx.error(SemanticError, f"{e.name}() takes {CELSIUS_FUNCTIONS[e.name]} arguments, "
                            f"{len(args)} given", e)
        return f"{ctx.runtime('rt', e.name)}({', '.join(args)}, {name_ref('celsius', ctx, e)})", ATOM, d + 2
    if callee is None and e.name in SCOPMATH_FUNCTIONS:  # scopmath's gauss(x, mean, sd): runtime.libm
        if len(args) != SCOPMATH_FUNCTIONS[e.name]:
            raise ctx.error(SemanticError, f"{e.name}() takes {SCOPMATH_FUNCTIONS[e.name]} arguments, "
                            f"{len(args)} given", e)
        return f"{ctx.runtime('rt', e.name)}({', '.join(args)})", ATOM, d + 2
    if callee is not None:
        if len(args) != len(callee.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(callee.params)} arguments, {len(args)} given", e)
        call = f"{py_name(e.name)}(s{''.join(', ' + a for a in args)})"
        if isinstance(callee, ast.ProcedureBlock):
            ctx.pre.append(f"s = {call}")
            ctx.effects = True
            return "0.0", ATOM, 1
        if e.name in info.impure_functions:
            tmp = ctx.fresh("r")
            ctx.pre.append(f"{tmp}, s = {call}")
            ctx.effects = True
            return tmp, ATOM, 1
        return call, ATOM, d + 1
    table = info.function_tables.get(e.name)
    if table is not None:  # FUNCTION_TABLE: NEURON's hoc_func_table on the values HOC gave (runtime.functable)
        if len(args) != len(table.params):
            raise ctx.error(SemanticError, f"{e.name}() takes {len(table.params)} arguments, {len(args)} given", e)
        lookup = ctx.runtime("functable", "lookup")
        values = "".join(a + ", " for a in args)
        return f"{lookup}(s['__functables__'], {pytext.string(e.name)}, ({values.strip()}))", ATOM, d + 2
    if e.name == "stepforce":  # scopmath's data-file lookup (analysis.forcing checked the call)
        return _stepforce(e, args[0], ctx), ATOM, d + 2
    if e.name in ("net_send", "net_event", "net_move"):
        return _event_call(e, args, ctx)
    if e.name in RANDOM_STREAM_CALLS:  # NMODL RANDOM (analysis.randoms): the stream is kept in s (runtime.randomvars)
        return _stream_call(e, args[1:], ctx)
    if e.name in SCOP_CALLS:  # scop_random's value, kept in s (runtime.scoprandom)
        call = f"{ctx.runtime('scop', e.name)}(s{''.join(', ' + a for a in args)})"
        ctx.effects = True
        if e.name == "set_seed":
            ctx.pre.append(f"s = {call}")
            return "0.0", ATOM, 1
        tmp = ctx.fresh("r")
        ctx.pre.append(f"{tmp}, s = {call}")
        return tmp, ATOM, 1
    if e.name == AT_TIME:  # 1 in the step that reaches te (cvodestb.cpp at_time), from the block's t and dt
        if len(args) != 1:
            raise ctx.error(SemanticError, "at_time(te) takes one argument", e)
        return f"{ctx.runtime('events', 'at_time')}({args[0]}, s['t'], s['dt'])", ATOM, 1
    if e.name in NO_OP_CALLS:  # printf is not run
        return "0.0", ATOM, 1
    raise ctx.error(UnsupportedFeature, f"call to {e.name}() (not available outside NEURON's C runtime)", e)


def _stepforce(e: ast.Call, t: str, ctx: Context) -> str:
    """`stepforce(t, "file")` on the file's points, written into the call (runtime.forcing)."""
    name = e.args[1].value if isinstance(e.args[1], ast.String) else ""
    data = next((d for d in ctx.info.program.forcing if d[0] == name), None)
    if data is None:
        raise ctx.error(UnsupportedFeature, f'stepforce(t, "{name}") without its data file', e)
    xs, ys = (", ".join(pytext.number(v) for v in values) for values in data[1:])
    return f"{ctx.runtime('forcing', 'stepforce')}({t}, ({xs},), ({ys},))"


def _event_call(e: ast.Call, args: list[str], ctx: Context) -> Source:
    """`net_send(delay, flag)` (INITIAL, NET_RECEIVE), `net_event(tt)` and `net_move(tt)` (NET_RECEIVE):
    recorded in the scope per call site (runtime.events), queued (moved) by the solver after the block."""
    where = {"net_send": ("initial", "net_receive"), "net_event": ("net_receive",),
             "net_move": ("net_receive",)}[e.name]
    if ctx.block not in where:
        raise ctx.error(UnsupportedFeature, f"{e.name}() outside {' or '.join(w.upper() for w in where)} "
                        "(bridge queues events only from those blocks)", e)
    arity = 2 if e.name == "net_send" else 1
    if len(args) != arity:
        raise ctx.error(SemanticError, f"{e.name}() takes {arity} argument{'s' if arity > 1 else ''}, "
                        f"{len(args)} given", e)
    module = ctx.module
    if e.name == "net_send":
        site, module.net_send_sites = module.net_send_sites, module.net_send_sites + 1
    elif e.name == "net_move":
        site, module.net_move_sites = module.net_move_sites, module.net_move_sites + 1
    else:
        site, module.net_event_sites = module.net_event_sites, module.net_event_sites + 1
    module.event_sites.append((e.name.removeprefix("net_"), site))
    ctx.pre.append(f"s = {ctx.runtime('events', e.name)}(s, {site}, {', '.join(args)})")
    ctx.effects = True
    return "0.0", ATOM, 1


def _stream_call(e: ast.Call, args: list[str], ctx: Context) -> Source:
    """A `random_*` call: its draw (or seq/ids change) goes to ctx.pre, in the order C evaluates the calls."""
    name = e.name.removeprefix("random_")
    first = e.args[0]
    assert isinstance(first, ast.Name)  # analysis.randoms checked it
    stream = pytext.string(first.name)
    call = f"{ctx.runtime('rng', name)}(s, {stream}{''.join(', ' + a for a in args)})"
    ctx.effects = True
    if name in ("setseq", "setids"):
        ctx.pre.append(f"s = {call}")
        return "0.0", ATOM, 1
    tmp = ctx.fresh("r")
    ctx.pre.append(f"{tmp}, s = {call}")
    return tmp, ATOM, 1


_FORMS: dict[type, Callable] = {
    ast.Number: _number, ast.UnitNumber: _unit_number, ast.String: _string, ast.Name: _name,
    ast.Indexed: _indexed, ast.Unary: _unary, ast.Binary: _binary, ast.Call: _call, ast.Prime: _prime,
    ast.IonValue: _ion_value, ast.CInt: _c_int,
}
