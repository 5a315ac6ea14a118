"""The generated module of one mechanism: header, metadata, blocks and `MECHANISM`.

`generate(info)` returns the Python source for an analysed mechanism
(`bridge.nmodl.analyze.MechanismInfo`); statements and expressions come from
`bridge.nmodl.codegen`, state updates from `solvers`, `kinetic` and
`equations`, TABLEs from `tables`.
"""

from __future__ import annotations

from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl import ast, pytext
from bridge.nmodl.analyze import MechanismInfo
from bridge.nmodl.codegen import Emitter, block_def, check_array_size, function_def, helper_name, impure_functions
from bridge.nmodl.pytext import number, string


def generate(info: MechanismInfo, limits: Limits = DEFAULT_LIMITS) -> str:
    """The Python source of the translated mechanism (bounded by `limits`: loops, TABLEs, KINETIC)."""
    from bridge.nmodl import kinetic, solvers, tables

    em = Emitter(info, limits)
    counter = [0]
    modname = pytext.docstring(info.filename.rsplit("/", 1)[-1])
    em.line(f'"""{pytext.docstring(info.name)}: translated by bridge from {modname} (NMODL -> JAX).')
    em.line("")
    em.line(f"Regenerate with `bridge translate {modname}`; do not edit. Comments give the .mod line")
    em.line('each statement comes from. Scopes: `s` mechanism variables, `l` LOCALs and arguments."""')
    em.line()
    em.line("from bridge.mechanisms.protocol import IonUse")
    em.line("from bridge.nmodl import equations, kinetic, runtime as rt, solvers, tables")
    em.line("from bridge.nmodl.mechanism import TranslatedMechanism")
    em.line()
    _metadata(info, em)

    impure = impure_functions(info)
    for block in list(info.functions.values()) + list(info.procedures.values()):
        function_def(block, info, em, impure, counter)

    from bridge.nmodl import equations as eqmod

    for name, block in info.blocks.items():
        if isinstance(block, (ast.LinearBlock, ast.NonLinearBlock)):
            eqmod.equations_def(block, info, em, counter)
            em.line(f"{helper_name('unknowns', name)} = {_strings(eqmod.unknowns(block, info))}")
            em.line()
    solve_lines = []
    for solve in info.breakpoint_solves:
        solve_lines.append((solve, solvers.solve_block(solve, info, em, counter)))
    for name, block in info.blocks.items():
        if isinstance(block, ast.KineticBlock) and not any(sv.block is block for sv, _ in solve_lines):
            if any(isinstance(n, ast.Solve) and n.name == name for n in ast.walk(info.program)):
                kinetic.kinetic_def(block, info, em, counter)

    initials = info.program.of_type(ast.InitialBlock)  # nocmodl runs several INITIAL blocks in file order
    body = tuple(st for b in initials for st in b.body)
    block_def("initial", body, info, em, counter, "initial", initials[0] if initials else None)
    bp = info.program.breakpoint
    block_def("breakpoint", bp.body if bp else (), info, em, counter, "breakpoint", bp)

    _net_receive_def(info, em, counter)

    em.line("def advance(s):", bp)
    em.indent()
    em.line('"""The SOLVE statements of BREAKPOINT, at the new v, over one step s["dt"]."""')
    for solve, call_line in solve_lines:
        em.line(call_line, solve.statement)
    em.line("return s")
    em.dedent()
    em.line()
    tables.make_tables_def(info, em, counter)

    em.line("MECHANISM = TranslatedMechanism.from_module(globals())")
    return em.text()


def _metadata(info: MechanismInfo, em: Emitter) -> None:
    kept = info.kept
    state_defaults = {}
    for n, v in kept.items():
        if n.startswith("__state__"):
            continue
        state_defaults[n] = v.default
    array_sizes = {n: v.size for n, v in info.variables.items() if v.size}
    for n, size in array_sizes.items():
        check_array_size(n, size, info, em.limits, info.variables[n].loc)
    em.line(f"NAME = {string(info.name)}")
    em.line(f"KIND = {string('point' if info.kind != 'density' else 'density')}")
    em.line(f"SOURCE_FILE = {string(info.filename)}")
    em.line(f"ELECTRODE_CURRENT = {bool(info.electrode_currents)!r}")
    em.line(f"RANGE_PARAMETERS = {_dict(info.range_parameters)}")
    em.line(f"GLOBAL_PARAMETERS = {_dict(info.global_parameters)}")
    em.line(f"STATE_DEFAULTS = {_dict(state_defaults)}")
    em.line(f"STATES = {_strings(info.states)}")
    em.line("ARRAY_SIZES = {" + ", ".join(f"{string(k)}: {int(v)}" for k, v in array_sizes.items()) + "}")
    ions = ", ".join(f"IonUse({string(u.ion)}, {_strings(u.read)}, {_strings(u.write)}, "
                     f"{'None' if u.valence is None else number(u.valence)})" for u in info.ions)
    em.line(f"IONS = ({ions}{',' if len(info.ions) == 1 else ''})")
    em.line(f"ION_READS = {_strings(info.ion_reads)}")
    em.line(f"ION_WRITES = {_strings(info.ion_writes)}")
    em.line(f"ION_CURRENTS = {_strings(info.ion_currents)}")
    em.line(f"NONSPECIFIC_CURRENTS = {_strings(info.nonspecific_currents)}")
    em.line(f"ELECTRODE_CURRENTS = {_strings(info.electrode_currents)}")
    em.line(f"CONSTANTS = {_dict(info.constants)}")
    em.line(f"GEOMETRY = {_strings(info.uses_geometry)}")
    em.line(f"ASSIGNED_PARAMETERS = {_strings(info.assigned_parameters)}")
    em.line()


def _dict(d: dict) -> str:
    return "{" + ", ".join(f"{string(k)}: {number(v)}" for k, v in d.items()) + "}"


def _strings(names) -> str:
    """A tuple literal of str literals."""
    items = [string(n) for n in names]
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def _net_receive_def(info: MechanismInfo, em: Emitter, counter) -> None:
    """NET_RECEIVE(w, ...) as `net_receive(s, w, ...) -> s` (None when the file has none).

    Delivering events (NetCon, weights, delays) is the solver's job; this is what one
    delivered event does to the instance's variables, with `flag` 0 (an external event)."""
    from bridge.errors import UnsupportedFeature
    from bridge.nmodl.codegen import Context, arg_name, statements

    block = info.program.net_receive
    if block is None:
        em.line("net_receive = None")
        em.line("NET_RECEIVE_ARGS = ()")
        em.line()
        return
    params = [p.name for p in block.params]
    if "flag" in params:  # nocmodl reads an argument named flag as the event's flag (_lflag)
        raise UnsupportedFeature("a NET_RECEIVE argument named 'flag' (nocmodl reads it as the event's flag)",
                                 info.where(block), info.source)
    em.line(f"def net_receive(s{''.join(', ' + arg_name(p, info) for p in params)}, flag=0.0):", block)
    em.indent()
    em.line('"""NET_RECEIVE: what one event with these arguments does (flag 0: from a NetCon); returns (s, args)."""')
    items = ", ".join(f"{string(p)}: {arg_name(p, info)}" for p in params)
    em.line(f"s, l = dict(s), {{{items}{', ' if items else ''}'flag': flag}}")
    ctx = Context(info, set(params) | {"flag"}, None, "net_receive", "error", counter=counter)
    statements([st for st in block.body if not isinstance(st, ast.InitialStatement)], ctx, em)
    em.line(f"return s, ({''.join(f'l[{string(p)}], ' for p in params)})  # the NetCon's arguments may change")
    em.dedent()
    em.line(f"NET_RECEIVE_ARGS = {_strings(params)}")
    em.line()
    init = block.initial
    if init is not None:  # NET_RECEIVE's own INITIAL: sets a NetCon's arguments at finitialize
        em.line(f"def net_receive_initial(s{''.join(', ' + arg_name(p, info) for p in params)}):", init)
        em.indent()
        em.line('"""The INITIAL block inside NET_RECEIVE: the arguments of one NetCon at finitialize."""')
        em.line(f"s, l = dict(s), {{{items}}}")
        ctx = Context(info, set(params), None, "net_receive", "error", counter=counter)
        statements(init.body, ctx, em)
        em.line(f"return ({''.join(f'l[{string(p)}], ' for p in params)})")
        em.dedent()
        em.line()
