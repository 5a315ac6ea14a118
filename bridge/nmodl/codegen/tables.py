"""TABLE: the wrapper that looks a tabulated FUNCTION or PROCEDURE up, and `make_tables`.

`TABLE a, b DEPEND c FROM lo TO hi WITH n` (nocmodl's parsact.cpp) makes
`usetable_<suffix>` (a GLOBAL, 1 by default). The FUNCTION's own code becomes
`_direct_<name>`; `<name>` goes through the table (`tables.function`, `tables.procedure`
of `bridge.nmodl.runtime.tables`, which runs the direct code when usetable is 0).
`make_tables(s)` builds every table (nocmodl's `_check_<name>`), in `prepare`: at
initialisation, and when a DEPEND value changes (`s["__only__"]`: the names of the tables to build, all when
absent; `TABLE_GROUPS` pairs each DEPEND list with its tables: `bridge.nmodl.runtime.mechanism` keeps what
each group was last built from, as nocmodl's `_sav_<name>`). INITIAL uses the table too. The GLOBALs that
INITIAL assigns before the first tabulated call (`MechanismInfo.table_presets`) are set first:
a file that is not thread safe builds its tables at that call (analysis.table_globals).
"""

from __future__ import annotations

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.nmodl.analysis.hoc_calls import hoc_callables
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.analysis.table_points import carried_names, table_off_shared
from bridge.nmodl.analysis.vectorize import MOMENTS
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.names import arg_name, helper_name, py_name
from bridge.nmodl.codegen.pytext import docstring, string
from bridge.nmodl.codegen.statements import flush, statement
from bridge.nmodl.syntax import ast


def direct_name(name: str) -> str:
    """The Python name of a tabulated FUNCTION/PROCEDURE's own code (without its TABLE)."""
    return helper_name("direct", name)


def table_wrapper(block: ast.FunctionBlock | ast.ProcedureBlock, table: ast.Table, info: MechanismInfo,
                  em: Emitter) -> None:
    """`name(s, x)`: the FUNCTION/PROCEDURE through its table."""
    p = arg_name(block.params[0].name, info)
    usetable = f"usetable_{info.name}"
    em.line(f"def {py_name(block.name)}(s, {p}):", table)
    em.indent()
    if isinstance(block, ast.FunctionBlock):
        em.line(f'"""FUNCTION {docstring(block.name)} through its TABLE ({docstring(usetable)})."""')
        em.line(f"return {em.module.runtime('tables', 'function')}(s, {string(block.name)}, {p}, "
                f"{direct_name(block.name)}, {string(usetable)})")
    else:
        em.line(f'"""PROCEDURE {docstring(block.name)} through its TABLE of {docstring(", ".join(table.names))} '
                f'({docstring(usetable)})."""')
        em.line(f"return {em.module.runtime('tables', 'procedure')}(s, {string(block.name)}, {p}, "
                f"{direct_name(block.name)}, {tuple(table.names)!r}, {string(usetable)})")
    em.dedent()
    em.line()


def table_groups(info: MechanismInfo) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(DEPEND names, tabulated FUNCTION/PROCEDURE names) per distinct DEPEND list and check moments, in file
    order: NEURON keeps one `_maktable` flag and `_sav_<name>` copies per TABLE; TABLEs with the same DEPEND list
    checked at the same moments (`table_checks`) are rebuilt together."""
    return tuple((dep, names) for (dep, _), names in _grouped(info).items())


def table_checks(info: MechanismInfo) -> tuple[tuple[str, ...], ...]:
    """Per `table_groups` group, the moments NEURON checks its TABLEs at ("init", "step", "current":
    `analysis.vectorize.table_moments`; all three in a vectorized file)."""
    return tuple(moments for (_, moments) in _grouped(info))


def _grouped(info: MechanismInfo) -> dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]]:
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for name, table in info.tables.items():
        moments = info.table_moments.get(name, frozenset(MOMENTS))
        groups.setdefault((tuple(table.depend), tuple(m for m in MOMENTS if m in moments)), []).append(name)
    return {key: tuple(names) for key, names in groups.items()}


def table_side_globals(info: MechanismInfo) -> tuple[str, ...]:
    """The shared variables (GLOBAL ASSIGNED) some tabulated PROCEDURE assigns besides its TABLE names
    (`side_assigned`): NEURON's one C variable holds what the last build, or the last call with the table off,
    left; `runtime.table_memory` keeps it ("held") for a check that does not rebuild."""
    names: list[str] = []
    for name in info.tables:
        if name in info.procedures:
            names += side_assigned(info, name)[0]
    return tuple(dict.fromkeys(names))


def table_off_globals(info: MechanismInfo) -> tuple[str, ...]:
    """The GLOBALs and file LOCALs a tabulated PROCEDURE assigns that NEURON's instances share, differently from
    bridge's, when the table is off (`analysis.table_points.table_off_shared`)."""
    names: list[str] = []
    for name in info.tables:
        if name in info.procedures:
            names += table_off_shared(info, name, side_assigned(info, name)[0])
    return tuple(dict.fromkeys(names))


def table_group_sides(info: MechanismInfo) -> tuple[tuple[tuple[str, ...], int], ...]:
    """Per TABLE group (`table_groups`): (the variables its tabulated PROCEDUREs assign besides their TABLE names
    (`side_assigned`: GLOBALs and file LOCALs, then per-instance ASSIGNEDs), the .mod line of the first TABLE
    that assigns one, or 0): what a rebuild also sets."""
    out = []
    for _, names in table_groups(info):
        sides: list[str] = []
        line = 0
        for name in names:
            if name in info.procedures:
                shared, first = side_assigned(info, name)
                if (shared or first) and not line:
                    line = info.where(info.tables[name]).line
                sides += [*shared, *first]
        out.append((tuple(dict.fromkeys(sides)), line))
    return tuple(out)


_SIDE_KINDS = frozenset({"assigned", "state", "parameter", "file_local"})


def side_assigned(info: MechanismInfo, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(shared, per instance): the kept variables the tabulated PROCEDURE `name` (and what it calls) assigns
    besides its TABLE names. NEURON's `_check_<name>` runs the body at every point with the first instance's
    data (nocmodl parsact.cpp's table code): a GLOBAL ASSIGNED or file LOCAL keeps the last point's value for
    all instances, a per-instance ASSIGNED (RANGE, or not listed) only on that first instance. A tabulated
    FUNCTION that assigns either is refused (`table_side_effects`)."""
    table = info.tables[name]
    writes = hoc_callables(info)[name].writes - set(table.names)
    if name not in info.procedures:
        kept = sorted(n for n in writes if n in info.variables and info.variables[n].kind in _SIDE_KINDS)
        if kept:
            raise UnsupportedFeature(f"FUNCTION {name} with a TABLE assigns {kept[0]}: NEURON sets it only while "
                                     "building the table, on the first instance in memory order, which bridge does "
                                     "not reproduce for a FUNCTION", info.where(table), info.source)
        return (), ()
    shared = tuple(n for n in info.global_assigned if n in writes)
    first = tuple(n for n in info.instance_assigned if n in writes)
    return shared, first


def table_carried(info: MechanismInfo, name: str, side: tuple[str, ...], first: tuple[str, ...]) -> tuple[str, ...]:
    """The variables one point of the build of `name`'s TABLE passes to the next (`analysis.table_points`): a
    GLOBAL or file LOCAL (`side`), whose first point sees what NEURON's variable holds (`runtime.table_memory`
    "held"), or an array TABLE name (a FROM loop over its elements). A scalar TABLE name or a per-instance
    ASSIGNED (`first`) that a point may leave unassigned is refused: its value before the build (the first
    instance's, or the last lookup's) is not what bridge's build starts from."""
    if name not in info.procedures:
        return ()
    table = info.tables[name]
    carried = carried_names(info, name, (*table.names, *side, *first))
    for n in carried:
        var = info.variables.get(n)
        scalar = var is None or var.size is None
        if n in first or (n in table.names and scalar):
            what = "per-instance ASSIGNED" if n in first else "TABLE name"
            raise UnsupportedFeature(f"PROCEDURE {name} with a TABLE may leave the {what} {n} unassigned at a table "
                                     f"point (assigned under an IF, or read first): NEURON's build passes it from "
                                     "one point to the next, starting from the value it held before the build, "
                                     "which bridge does not reproduce", info.where(table), info.source)
    return carried


def make_tables_def(info: MechanismInfo, em: Emitter) -> None:
    """`make_tables(s) -> dict`: every TABLE of the mechanism, built from globals and celsius."""
    em.line("def make_tables(s):")
    em.indent()
    em.line('"""Build the TABLEs (NEURON\'s _check_<name>) from the globals and celsius in `s`."""')
    em.line("out = {}")
    if info.tables:
        em.line(f"if not s.get({string('usetable_' + info.name)}, 1.0):")
        em.line("    return out")
    ctx = Context(info, em.module, "table")
    if info.table_presets:  # NEURON's first build sees what INITIAL assigned before (analysis.table_globals)
        em.line("s = dict(s)")
        for st in info.table_presets:
            statement(st, ctx, em)
    limit = em.limits.max_table_points
    for name, table in info.tables.items():
        if table.count > limit:  # n + 1 points, each one run of the FUNCTION (nocmodl's _check_<name>)
            raise BridgeError(f"TABLE ... WITH {table.count}: more than Limits.max_table_points = {limit}; "
                              f"{em.limits.raise_hint('max_table_points')}", info.where(table), info.source)
        em.line(f"if {em.module.runtime('tables', 'wanted')}(s, {string(name)}):")  # runtime.tables.wanted
        em.indent()
        lo, hi = expr(table.start, ctx), expr(table.stop, ctx)
        flush(ctx, em, table)
        outputs = tuple(table.names) if name in info.procedures else None
        side, first = side_assigned(info, name)
        carried = table_carried(info, name, side, first)
        em.line(f"out[{string(name)}] = {em.module.runtime('tables', 'build')}(s, {direct_name(name)}, {lo}, {hi}, "
                f"{int(table.count)}, {outputs!r}, {side!r}, {first!r}, {carried!r})", table)
        em.dedent()
    if any(n in info.procedures for n in info.tables):
        em.line("# globals a PROCEDURE set while NEURON built its TABLE keep the last value")
        em.line(f"out['__globals__'] = {em.module.runtime('tables', 'side_values')}(out)")
        em.line("# per-instance ASSIGNEDs it set: only on the first instance, the one that built the TABLE")
        em.line(f"out['__first__'] = {em.module.runtime('tables', 'side_values')}(out, 'first')")
    em.line("return out")
    em.dedent()
    em.line()
