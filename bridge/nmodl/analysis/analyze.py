"""Semantic analysis of an NMODL program: `analyze()` runs the passes in order.

Each pass reads the typed tree (`bridge.nmodl.syntax.ast`) and what earlier passes
found, and raises at the first problem: errors a NEURON user would get from nocmodl
(undefined name, a name used both as variable and function, recursion) are
`SemanticError`s with file:line:col; constructs bridge does not run are
`UnsupportedFeature`s. The order fixes which error a file with several gets.
"""

from __future__ import annotations

from pathlib import PurePath

from bridge.nmodl.analysis.array_bounds import check_array_bounds
from bridge.nmodl.analysis.ba_blocks import check_ba_blocks
from bridge.nmodl.analysis.blocks import collect_blocks
from bridge.nmodl.analysis.hoist import hoist_solves
from bridge.nmodl.analysis.info import MechanismInfo, Reporter
from bridge.nmodl.analysis.ions import read_ions
from bridge.nmodl.analysis.ldifus import diffused_states
from bridge.nmodl.analysis.prime_reads import check_prime_reads
from bridge.nmodl.analysis.randoms import (
    check_random_calls,
    check_solved_draws,
    declare_randoms,
    drawing_functions,
    uses_scop_random,
)
from bridge.nmodl.analysis.refusals import refuse_unsupported
from bridge.nmodl.analysis.runge import check_runge
from bridge.nmodl.analysis.shared_globals import shared_globals
from bridge.nmodl.analysis.solve import breakpoint_solves
from bridge.nmodl.analysis.symbols import declare, name_and_kind, read_units
from bridge.nmodl.analysis.table_globals import table_presets
from bridge.nmodl.analysis.tables import check_tables
from bridge.nmodl.analysis.usage import assigned_names, check_code, impure_functions
from bridge.nmodl.analysis.vectorize import table_moments, vectorized
from bridge.nmodl.analysis.verbatim import translate_verbatim
from bridge.nmodl.syntax import ast


def analyze(program: ast.Program, source: str = "", filename: str | None = None, *,
            unnamed: str | None = None) -> MechanismInfo:
    """Check `program` as nocmodl would and collect what code generation needs.

    `unnamed`: the name of a file without SUFFIX or POINT_PROCESS; NEURON names such a density
    mechanism after its file (nocmodl's modprefix), so the default is the stem of `filename`, and
    only text with no file name (`<string>`) is an error."""
    report = Reporter(filename or program.filename, source)
    if unnamed is None and filename and not filename.startswith("<") and PurePath(filename).stem.isidentifier():
        unnamed = PurePath(filename).stem
    program = hoist_solves(program)  # a SOLVE in an IF of BREAKPOINT runs first, as nocmodl compiles it
    name, kind = name_and_kind(program, report, unnamed)
    refuse_unsupported(program, kind, report)
    units = read_units(program, report)
    ions = read_ions(program.neuron, report)
    symbols = declare(program, kind, units, ions, report)
    is_vectorized = vectorized(program)  # before translate_verbatim: nocmodl sees the VERBATIM blocks
    program, c_functions = translate_verbatim(program, symbols.variables, ions.of, ions.reads, report)
    randoms = declare_randoms(program, symbols.variables, report)
    check_random_calls(program, randoms, report)
    symbols.variables.update(randoms)
    blocks = collect_blocks(program, symbols.variables, report)
    diffused_states(program, symbols.variables, report)  # nocmodl's checks; codegen.ldifus reads them again
    tables = check_tables(blocks, symbols.variables, report)
    check_code(program, symbols.variables, blocks, report)
    check_array_bounds(program, symbols.variables, report)
    check_ba_blocks(program, kind, symbols.variables, report)
    solves = breakpoint_solves(program, blocks, report)
    check_solved_draws(program, solves, report)
    check_prime_reads(solves, report)
    check_runge(solves, kind, report)
    assigned = assigned_names(program)
    shared, in_turn = shared_globals(program, symbols.variables, blocks, assigned)
    presets = table_presets(program, symbols.variables, blocks, tables, assigned, report, is_vectorized)
    moments = table_moments(program, tables, is_vectorized)
    nb = program.neuron
    return MechanismInfo(
        program=program, source=source, filename=report.filename, name=name, kind=kind,
        variables=symbols.variables, ions=ions.uses, ion_reads=ions.reads, ion_writes=ions.writes, ion_of=ions.of,
        nonspecific_currents=nb.nonspecific_currents, electrode_currents=nb.electrode_currents,
        ion_currents=ions.currents, functions=blocks.functions, procedures=blocks.procedures,
        blocks=blocks.solvable, tables=tables, breakpoint_solves=solves, constants=symbols.constants,
        unit_defs=units.defs, uses_geometry=_geometry(program), range_names=symbols.range_names,
        impure_functions=impure_functions(blocks) | drawing_functions(program), assigned_names=assigned,
        shared_globals=shared, in_turn=in_turn, table_presets=presets, c_functions=c_functions,
        function_tables=blocks.function_tables, randoms=nb.randoms, scop_random=uses_scop_random(program),
        vectorized=is_vectorized, table_moments=moments,
    )


def _geometry(program: ast.Program) -> tuple[str, ...]:
    """"area" and "diam" when code reads them."""
    return tuple(sorted({n.name for n in ast.walk(program) if isinstance(n, ast.Name) and n.name in ("area", "diam")}))
