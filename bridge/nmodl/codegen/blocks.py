"""FUNCTION, PROCEDURE, INITIAL, BREAKPOINT and NET_RECEIVE as Python functions of the generated module.

- a FUNCTION `f(x)` → `f(s, x)`, returning its value (and `s` too when it assigns
  mechanism variables); a PROCEDURE → `p(s, x)` returning `s`; a tabulated one's own
  code is `_direct_<name>` and `<name>` goes through the table (`tables`);
- INITIAL → `initial(s)`; BREAKPOINT without its SOLVEs → `currents(s)`;
- NET_RECEIVE(w, ...) → `net_receive(s, w, ..., flag=0.0)` returning `(s, args)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen import pytext
from bridge.nmodl.codegen.context import BlockKind, Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr, ion_entry_lines
from bridge.nmodl.codegen.names import arg_name, py_name
from bridge.nmodl.codegen.statements import statements, uses_locals
from bridge.nmodl.codegen.tables import direct_name, table_wrapper
from bridge.nmodl.syntax import ast


def function_def(block: ast.FunctionBlock | ast.ProcedureBlock, info: MechanismInfo, em: Emitter) -> None:
    """A FUNCTION or PROCEDURE as a Python function (and the wrapper through its TABLE, if any)."""
    is_function = isinstance(block, ast.FunctionBlock)
    impure = is_function and block.name in info.impure_functions
    params = [p.name for p in block.params]
    table = info.tables.get(block.name)
    fname = py_name(block.name) if table is None else direct_name(block.name)
    em.line(f"def {fname}(s{''.join(', ' + arg_name(p, info) for p in params)}):", block)
    em.indent()
    kind = "FUNCTION" if is_function else "PROCEDURE"
    em.line(f'"""{kind} {pytext.docstring(block.name)}({pytext.docstring(", ".join(params))}) '
            f'of {pytext.docstring(info.filename.rsplit("/", 1)[-1])}."""')
    items = ", ".join(f"{pytext.string(p)}: {arg_name(p, info)}" for p in params)
    if is_function:
        items = (items + ", " if items else "") + f"{pytext.string(block.name)}: 0.0"
    if is_function or uses_locals(block.body, params):
        em.line(f"l = {{{items}}}")
    if not is_function or impure:
        em.line("s = dict(s)")
    ctx = Context(info, em.module, "function", set(params) | ({block.name} if is_function else set()),
                  block.name if is_function else None)
    statements(block.body, ctx, em)
    if is_function:
        value = f"l[{pytext.string(block.name)}]"
        em.line(f"return {value}, s" if impure else f"return {value}")
    else:
        em.line("return s")
    em.dedent()
    em.line()
    if table is not None:
        table_wrapper(block, table, info, em)


def block_def(name: str, body: Iterable[ast.Node], info: MechanismInfo, em: Emitter, kind: BlockKind,
              doc: str, node: ast.Node | None = None, *, ion_entry: bool = True) -> None:
    """INITIAL or BREAKPOINT (without SOLVE) as `name(s) -> s`; `ion_entry`: the block begins a NEURON
    block, so the ion values translated VERBATIM reads are taken here (`ion_entry_lines`)."""
    em.line(f"def {name}(s):", node)
    em.indent()
    em.line(f'"""{doc}"""')
    em.line("s, l = dict(s), {}" if uses_locals(body) else "s = dict(s)")
    for line in ion_entry_lines(info) if ion_entry else ():
        em.line(line)
    ctx = Context(info, em.module, kind)
    statements([st for st in body if not isinstance(st, ast.Solve) or kind != "breakpoint"], ctx, em)
    em.line("return s")
    em.dedent()
    em.line()


def net_receive_def(info: MechanismInfo, em: Emitter) -> None:
    """NET_RECEIVE(w, ...) as `net_receive(s, w, ...) -> (s, args)` (None when the file has none).

    Delivering events (NetCon, weights, delays) is the solver's job; this is what one
    delivered event does to the instance's variables, with `flag` 0 (an external event)."""
    string = pytext.string
    block = info.program.net_receive
    if block is None:
        em.line("net_receive = None")
        em.line("NET_RECEIVE_ARGS = ()")
        em.line("watch_conditions = None")
        em.line("WATCH_FLAGS = ()")
        em.line()
        return
    params = [p.name for p in block.params]
    if "flag" in params:  # nocmodl reads an argument named flag as the event's flag (_lflag)
        raise UnsupportedFeature("a NET_RECEIVE argument named 'flag' (nocmodl reads it as the event's flag)",
                                 info.where(block), info.source)
    args = "".join(", " + arg_name(p, info) for p in params)
    em.line(f"def net_receive(s{args}, flag=0.0):", block)
    em.indent()
    em.line('"""NET_RECEIVE: what one event with these arguments does (flag 0: from a NetCon); returns (s, args)."""')
    items = ", ".join(f"{string(p)}: {arg_name(p, info)}" for p in params)
    em.line(f"s, l = dict(s), {{{items}{', ' if items else ''}'flag': flag}}")
    ctx = Context(info, em.module, "net_receive", set(params) | {"flag"})
    statements([st for st in block.body if not isinstance(st, ast.InitialStatement)], ctx, em)
    em.line(f"return s, ({''.join(f'l[{string(p)}], ' for p in params)})  # the NetCon's arguments may change")
    em.dedent()
    em.line(f"NET_RECEIVE_ARGS = {pytext.strings(params)}")
    em.line()
    watch_conditions_def(info, em, set(params))
    init = block.initial
    if init is not None and any(isinstance(n, ast.Watch) for n in ast.walk(init)):
        raise UnsupportedFeature("WATCH in NET_RECEIVE's INITIAL block", info.where(init), info.source)
    if init is not None:  # NET_RECEIVE's own INITIAL: sets a NetCon's arguments at finitialize
        em.line(f"def net_receive_initial(s{args}):", init)
        em.indent()
        em.line('"""The INITIAL block inside NET_RECEIVE: the arguments of one NetCon at finitialize."""')
        em.line(f"s, l = dict(s), {{{items}}}")
        ctx = Context(info, em.module, "net_receive", set(params))
        statements(init.body, ctx, em)
        em.line(f"return ({''.join(f'l[{string(p)}], ' for p in params)})")
        em.dedent()
        em.line()


def watch_conditions_def(info: MechanismInfo, em: Emitter, args: set[str]) -> None:
    """`watch_conditions(s)`: the value of every WATCH condition of the file, in text order, as
    nocmodl's `_watchK_cond` computes it from the instance's variables: `(a) - (b)` for a > b and
    `-((a) - (b))` for a < b (positive: the condition holds). `WATCH_FLAGS`: each one's flag."""
    conds = em.module.watches
    if not conds:
        em.line("watch_conditions = None")
        em.line("WATCH_FLAGS = ()")
        em.line()
        return
    flags = []
    em.line("def watch_conditions(s):")
    em.indent()
    em.line('"""The WATCH conditions\' values (> 0: true), in text order."""')
    ctx = Context(info, em.module, "net_receive")
    values = []
    for cond in conds:
        used = {n.name for n in ast.walk(cond) if isinstance(n, ast.Name)} & args
        if used:
            raise UnsupportedFeature(f"a WATCH condition reading the NET_RECEIVE argument {sorted(used)[0]} "
                                     "(nocmodl's condition function reads only the instance's variables)",
                                     info.where(cond), info.source)
        a, b = expr(cond.lhs, ctx), expr(cond.rhs, ctx)
        if ctx.effects:
            raise UnsupportedFeature("a WATCH condition with side effects", info.where(cond), info.source)
        values.append(f"({a}) - ({b})" if cond.op == ">" else f"-(({a}) - ({b}))")
        flags.append(float(cond.flag.value))
    if any("l[" in line for line in [*ctx.pre, *values]):
        em.line("l = {}")
    for line in ctx.pre:
        em.line(line)
    em.line(f"return ({''.join(v + ', ' for v in values)})")
    em.dedent()
    em.line(f"WATCH_FLAGS = {tuple(flags)!r}")
    em.line()
