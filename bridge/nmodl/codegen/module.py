"""The generated module of one mechanism: header, metadata, blocks and `MECHANISM`.

`generate(info)` returns the Python source for an analysed mechanism
(`bridge.nmodl.analysis.info.MechanismInfo`). The module defines pure functions over
a scope dict `s` (see `bridge.nmodl.runtime.flow`):

- one Python function per FUNCTION (returns its value) and PROCEDURE (returns `s`);
- `initial(s)`, `currents(s)` (BREAKPOINT without its SOLVEs), `advance(s)` (the SOLVE
  statements, each with the method NEURON uses for it), `make_tables(s)`;
- `MECHANISM`, a `bridge.nmodl.runtime.mechanism.TranslatedMechanism` that implements
  `bridge.mechanisms.protocol.Mechanism`.

It imports only what it uses, and only from `bridge.nmodl.runtime`. Model text reaches
the source only through `pytext` (comments, docstrings, literals, names); `sandbox`
checks and runs the result.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.analysis.ba_blocks import block_name
from bridge.nmodl.analysis.info import MechanismInfo, SolveInfo
from bridge.nmodl.analysis.refusals import net_receive_sets_v
from bridge.nmodl.analysis.runge import runge_reads_t, runge_solves
from bridge.nmodl.analysis.vectorize import MOMENTS
from bridge.nmodl.codegen import pytext
from bridge.nmodl.codegen.blocks import block_def, function_def, net_receive_def
from bridge.nmodl.codegen.cnexp import cnexp_def
from bridge.nmodl.codegen.derivimplicit import derivative_def
from bridge.nmodl.codegen.emitter import RUNTIME_MODULES, Emitter, ModuleState
from bridge.nmodl.codegen.equations import equations_def
from bridge.nmodl.codegen.expressions import ion_entry_lines
from bridge.nmodl.codegen.kinetic import kinetic_def
from bridge.nmodl.codegen.ldifus import long_diffusion_def
from bridge.nmodl.codegen.names import helper_name, py_name
from bridge.nmodl.codegen.pytext import number, string, strings
from bridge.nmodl.codegen.statements import check_array_size, equations_call
from bridge.nmodl.codegen.tables import (
    make_tables_def,
    table_checks,
    table_group_sides,
    table_groups,
    table_off_globals,
    table_side_globals,
)
from bridge.nmodl.syntax import ast


def generate(info: MechanismInfo, limits: Limits = DEFAULT_LIMITS) -> str:
    """The Python source of the translated mechanism (bounded by `limits`: loops, TABLEs, KINETIC)."""
    em = Emitter(info, limits)
    modname = pytext.docstring(info.filename.rsplit("/", 1)[-1])
    em.line(f'"""{pytext.docstring(info.name)}: translated by bridge from {modname} (NMODL -> JAX).')
    em.line("")
    em.line(f"Regenerate with `bridge translate {modname}`; do not edit. Comments give the .mod line")
    em.line('each statement comes from. Scopes: `s` mechanism variables, `l` LOCALs and arguments."""')
    em.line()
    header_at = len(em.lines)
    _metadata(info, em)
    for callable_ in list(info.functions.values()) + list(info.procedures.values()):
        function_def(callable_, info, em)
    for block in info.blocks.values():
        if isinstance(block, (ast.LinearBlock, ast.NonLinearBlock)):
            equations_def(block, info, em)
    advance = [(solve, _solve(solve, info, em)) for solve in info.breakpoint_solves]
    solved = {id(solve.block) for solve, _ in advance}
    for name, block in info.blocks.items():
        if isinstance(block, ast.KineticBlock) and id(block) not in solved and _solve_names(info.program, name):
            kinetic_def(block, info, em, advance=False, steady=_solve_names(info.program, name, steady=True))
    initials = info.program.of_type(ast.InitialBlock)  # nocmodl runs several INITIAL blocks in file order
    block_def("initial", tuple(st for b in initials for st in b.body), info, em, "initial",
              "INITIAL: the variables at finitialize, from their defaults.", initials[0] if initials else None)
    bp = info.program.breakpoint
    body = tuple(st for st in bp.body if not isinstance(st, ast.Solve)) if bp else ()
    after_solve = bool(body) and not writes_currents(info)
    block_def("currents", () if after_solve else body, info, em, "breakpoint",
              "BREAKPOINT without its SOLVEs: the currents at v.", bp)
    if after_solve:
        block_def(helper_name("breakpoint", "after"), body, info, em, "breakpoint",
                  "BREAKPOINT without its SOLVEs, in a mechanism that writes no current: run after the SOLVEs "
                  "(nocmodl, noccout.cpp: nrn_state prints the BREAKPOINT's statements when `currents` is empty).",
                  bp, ion_entry=False)
    _ba_defs(info, em)
    net_receive_def(info, em)
    em.line("def advance(s):", bp)
    em.indent()
    em.line('"""The SOLVE statements of BREAKPOINT, at the new v, over one step s["dt"]."""')
    if ion_entry_lines(info):  # the ion values when nrn_state began (a SOLVEd PROCEDURE, the BREAKPOINT after)
        em.line("s = dict(s)")
        for line in ion_entry_lines(info):
            em.line(line)
    for solve, line in advance:
        em.line(line, solve.statement)
    if after_solve:
        em.line(f"s = {helper_name('breakpoint', 'after')}(s)", bp)
    em.line("return s")
    em.dedent()
    em.line()
    make_tables_def(info, em)
    long_diffusion_def(info, em)
    # what HOC may call (bridge.hoc.nmodl_calls); not the C functions of VERBATIM blocks (static C, not HOC's)
    callables = [n for n in (*info.functions, *info.procedures) if n not in info.c_functions]
    em.line("HOC_FUNCTIONS = {" + ", ".join(f"{string(n)}: {py_name(n)}" for n in callables) + "}")
    em.line()
    em.line(f"NET_SEND_SITES = {em.module.net_send_sites}")
    em.line(f"NET_EVENT_SITES = {em.module.net_event_sites}")
    em.line(f"NET_MOVE_SITES = {em.module.net_move_sites}")
    em.line(f"FOR_NETCONS = {em.module.for_netcons}")
    em.line(f"NET_RECEIVE_SETS_V = {net_receive_sets_v(info.program)}")  # the node's v (solver.event_delivery)
    em.line(f"EVENT_SITES = {tuple(em.module.event_sites)!r}")  # ("send"|"event"|"move", site) in text order
    if runge_solves(info):  # runge moves NEURON's t: (calls per instance, the block reads t) (analysis.runge)
        em.line(f"RUNGE = ({runge_solves(info)}, {runge_reads_t(info)!r})")
    em.line("MECHANISM = TranslatedMechanism.from_module(globals())")
    em.lines[header_at:header_at] = _imports(em.module)
    return em.text()


def _ba_defs(info: MechanismInfo, em: Emitter) -> None:
    """Each BEFORE/AFTER block as `before_breakpoint(s)`, `after_solve(s)`, ... (several blocks of one
    kind run in file order, as nocmodl registers them: analysis.ba_blocks); `POINTER_WRITES` names the
    POINTERs that INITIAL and each of them assign (the solver writes their targets after the block)."""
    blocks: dict[str, list[ast.BeforeAfterBlock]] = {}
    for block in info.program.of_type(ast.BeforeAfterBlock):
        blocks.setdefault(block_name(block), []).append(block)
    for name, found in blocks.items():
        block_def(name, tuple(st for b in found for st in b.body), info, em, "breakpoint",
                  f"{found[0].when} {found[0].point}: NEURON's `_ba` function, v the node's voltage.", found[0],
                  ion_entry=False)
    writes = {"initial": _pointer_targets(info.program.of_type(ast.InitialBlock), info)}
    writes.update((name, _pointer_targets(found, info)) for name, found in blocks.items())
    em.line("POINTER_WRITES = {" + ", ".join(f"{string(k)}: {strings(v)}" for k, v in writes.items() if v) + "}")
    em.line()


def _pointer_targets(blocks, info: MechanismInfo) -> tuple[str, ...]:
    """The POINTERs assigned in `blocks`, in order of first assignment."""
    out: dict[str, None] = {}
    for block in blocks:
        for node in ast.walk(block):
            if isinstance(node, ast.Assign) and isinstance(node.target, ast.Name) \
                    and node.target.name in info.pointers:
                out[node.target.name] = None
    return tuple(out)


def writes_currents(info: MechanismInfo) -> bool:
    """Whether the mechanism writes a current (nocmodl's `currents` list: NONSPECIFIC_CURRENT,
    ELECTRODE_CURRENT and the ion currents of USEION ... WRITE)."""
    return bool(info.nonspecific_currents or info.electrode_currents or info.ion_currents)


def _solve(solve: SolveInfo, info: MechanismInfo, em: Emitter) -> str:
    """Define what a BREAKPOINT SOLVE runs; return the line `advance` runs it with."""
    block = solve.block
    if isinstance(block, ast.ProcedureBlock):
        return f"s = {py_name(block.name)}(s)"
    if solve.method.startswith("steadystate"):
        raise UnsupportedFeature(f"SOLVE {block.name} STEADYSTATE in BREAKPOINT", info.where(solve.statement),
                                 info.source)
    if isinstance(block, ast.KineticBlock):
        kinetic_def(block, info, em, advance=True, steady=_solve_names(info.program, block.name, steady=True))
        return f"s = {helper_name('advance', block.name)}(s)"
    if isinstance(block, (ast.LinearBlock, ast.NonLinearBlock)):
        return f"s = {equations_call(block, em.module)}"
    if solve.method == "cnexp":
        return cnexp_def(block, info, em)
    if solve.statement.method == "cnexp":
        em.comment(f"{block.name}: not linear in its states; nocmodl then uses derivimplicit, and so does bridge")
    return derivative_def(block, solve.method, info, em)


def _solve_names(program: ast.Program, name: str, steady: bool = False) -> bool:
    """Whether a SOLVE anywhere names block `name` (with STEADYSTATE, when `steady`)."""
    return any(isinstance(n, ast.Solve) and n.name == name and (n.steadystate or not steady)
               for n in ast.walk(program))


def _imports(module: ModuleState) -> list[str]:
    """The module's import lines: the runtime modules its code uses, and nothing else."""
    lines: list[str] = []
    plain = sorted(a for a in module.imports if RUNTIME_MODULES[a] == a)
    statements = [f"{RUNTIME_MODULES[a]} as {a}" for a in module.imports if RUNTIME_MODULES[a] != a]
    if plain:
        statements.append(", ".join(plain))
    lines += [f"from bridge.nmodl.runtime import {names}" for names in sorted(statements)]  # as isort has them
    return lines + ["from bridge.nmodl.runtime.mechanism import TranslatedMechanism", ""]


def _metadata(info: MechanismInfo, em: Emitter) -> None:
    state_defaults = {n: v.default for n, v in info.kept.items() if not n.startswith("__state__")}
    array_sizes = {n: v.size for n, v in info.variables.items() if v.size}
    for n, size in array_sizes.items():
        check_array_size(n, size, info, em.limits, info.variables[n].loc)
    em.line(f"NAME = {string(info.name)}")
    em.line(f"KIND = {string(info.kind)}")  # density, point or artificial (ARTIFICIAL_CELL)
    em.line(f"SOURCE_FILE = {string(info.filename)}")
    em.line(f"ELECTRODE_CURRENT = {bool(info.electrode_currents)!r}")
    em.line(f"RANGE_PARAMETERS = {_dict(info.range_parameters)}")
    em.line(f"GLOBAL_PARAMETERS = {_dict(info.global_parameters)}")
    em.line(f"STATE_DEFAULTS = {_dict(state_defaults)}")
    em.line(f"STATES = {strings(info.states)}")
    em.line("ARRAY_SIZES = {" + ", ".join(f"{string(k)}: {int(v)}" for k, v in array_sizes.items()) + "}")
    ions = ", ".join(f"({string(u.ion)}, {strings(u.read)}, {strings(u.write)}, "
                     f"{'None' if u.valence is None else number(u.valence)})" for u in info.ions)
    em.line(f"IONS = ({ions}{',' if len(info.ions) == 1 else ''})  # USEION: (ion, READ, WRITE, VALENCE)")
    em.line(f"ION_READS = {strings(info.ion_reads)}")
    em.line(f"ION_WRITES = {strings(info.ion_writes)}")
    em.line(f"ION_CURRENTS = {strings(info.ion_currents)}")
    em.line(f"NONSPECIFIC_CURRENTS = {strings(info.nonspecific_currents)}")
    em.line(f"ELECTRODE_CURRENTS = {strings(info.electrode_currents)}")
    em.line(f"CONSTANTS = {_dict(info.constants)}")
    em.line(f"GEOMETRY = {strings(info.uses_geometry)}")
    em.line(f"ASSIGNED_PARAMETERS = {strings(info.assigned_parameters)}")
    em.line(f"ASSIGNED_GLOBAL_PARAMETERS = {strings(info.assigned_global_parameters)}")
    em.line(f"SHARED_GLOBALS = {strings(info.shared_globals)}")
    if info.in_turn:  # the instances run one after another, carrying these (runtime.in_turn)
        em.line(f"IN_TURN = {strings(info.in_turn)}")
    em.line(f"POINTERS = {strings(info.pointers)}")
    em.line(f"EXTERNALS = {strings(info.externals)}")
    em.line(f"FUNCTION_TABLES = {strings(tuple(info.function_tables))}")
    em.line(f"RANDOMS = {strings(info.randoms)}")
    em.line(f"SCOP_RANDOM = {info.scop_random!r}")
    groups = "".join(f"({strings(dep)}, {strings(names)}), " for dep, names in table_groups(info))
    em.line(f"TABLE_GROUPS = ({groups})")  # (DEPEND names, tabulated names) per group: codegen.tables
    if any(len(m) < len(MOMENTS) for m in table_checks(info)):  # not vectorized (analysis.vectorize)
        em.line(f"TABLE_CHECKS = ({''.join(f'{strings(m)}, ' for m in table_checks(info))})")
    if table_side_globals(info):  # what a TABLE build leaves in a GLOBAL: kept in the table memory
        em.line(f"TABLE_SIDE_GLOBALS = {strings(table_side_globals(info))}")
    sides = table_group_sides(info)
    if any(names for names, _ in sides):  # per group, what a rebuild also sets (bridge.hoc.table_side_runs)
        em.line(f"TABLE_GROUP_SIDES = ({''.join(f'({strings(names)}, {int(line)}), ' for names, line in sides)})")
    if table_off_globals(info):  # shared by NEURON's instances when the table is off (bridge.hoc.table_side_runs)
        em.line(f"TABLE_OFF_SHARED = {strings(table_off_globals(info))}")
    em.line()


def _dict(d: dict[str, float]) -> str:
    return "{" + ", ".join(f"{string(k)}: {number(v)}" for k, v in d.items()) + "}"
