"""GLOBALs a TABLE reads that INITIAL assigns before the table's first use.

A mechanism that assigns a GLOBAL (without THREADSAFE) is not thread safe (nocmodl does not
vectorize it: `analysis.vectorize`), and nocmodl then checks its TABLEs inside each call of the
tabulated FUNCTION/PROCEDURE (the generated `rates(v)` starts with `_check_rates()`; a thread-safe
file registers the check with `_nrn_thread_table_reg` instead, run by `nrn_finitialize` before INITIAL). So the first
build, and each rebuild after a DEPEND value changed between runs, happens at the first
call in INITIAL and sees what INITIAL assigned before it (ModelDB 114685's HVA.mod:
`rate_k = 2.49` then `settables(v)`, where `qtau = .../rate_k`).

`table_presets` gives those assignments: the top-level `g = expr` of INITIAL before the first
statement that calls (directly or not) a tabulated block, for each shared GLOBAL `g` the
tabulated code reads before assigning it. bridge evaluates them before building the tables
(`codegen.tables.make_tables_def`). They must give every instance the same value (constants,
GLOBAL PARAMETERs, celsius, dt, math functions, earlier presets); an assignment of such a
GLOBAL before the first call that does not (per-instance values, under an IF, in a loop)
would build NEURON's table from the first instance's value or a branch's: refused, naming it.
A shared GLOBAL the tabulated code reads that another block assigns (BREAKPOINT, INITIAL after
the first call; not the tabulated code itself, not one the TABLE DEPENDs on) is refused too:
NEURON rebuilds the table after a DEPEND value changed with the value the last run left, which
bridge does not keep. ModelDB's files (the sweep's 153 models) have none; they have 4 presets
(114685, 115435: `rate_k`). A preset of a GLOBAL the TABLE DEPENDs on is refused: bridge checks the DEPEND
values (codegen.tables, runtime.table_memory) before INITIAL runs, NEURON at the call after the preset.
In a vectorized file such a GLOBAL is per-thread data that starts at 0 (nocpout.cpp, `_thread1data`), read by
the check before INITIAL: refused too (NEURON 9.0.2 builds `minf` with k = 0 where the PARAMETER says 5).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.blocks import Blocks
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.shared_globals import _Walker, shared_candidates
from bridge.nmodl.analysis.usage import locals_in
from bridge.nmodl.analysis.vocabulary import MATH_FUNCTIONS
from bridge.nmodl.syntax import ast

_SAME_FOR_ALL = frozenset({"celsius", "dt"})


def table_presets(program: ast.Program, variables: dict[str, Variable], blocks: Blocks,
                  tables: dict[str, ast.Table], assigned: frozenset[str], report: Reporter,
                  vectorized: bool) -> tuple[ast.Assign, ...]:
    """INITIAL's assignments that NEURON's table building sees (module docstring), in order;
    raise `UnsupportedFeature` for one bridge cannot reproduce. `vectorized`: nocmodl's decision
    (`analysis.vectorize`; a vectorized file checks its TABLEs before INITIAL: no presets)."""
    if not tables:
        return ()
    candidates = shared_candidates(program, variables, assigned)
    read = _table_reads(tables, blocks, candidates)
    if not read:
        return ()
    if vectorized:
        raise report.error(UnsupportedFeature, f"GLOBAL {sorted(read)[0]!r} is read by a TABLE and assigned by the "
                           "mechanism's code in a file NEURON vectorizes: nocmodl keeps it per thread "
                           "(`_thread1data`, 0 at first, not its PARAMETER default) and checks the TABLE before "
                           "INITIAL with that copy, what the last run left; bridge does not reproduce that",
                           next(iter(tables.values())))
    tabulated = _reaching(blocks, set(tables))
    presets: list[ast.Assign] = []
    done: set[str] = set()
    for st in (st for b in program.of_type(ast.InitialBlock) for st in b.body):
        if any(isinstance(n, ast.Call) and n.name in tabulated for n in ast.walk(st)):
            break
        name = getattr(getattr(st, "target", None), "name", None)
        if isinstance(st, ast.Assign) and isinstance(st.target, ast.Name) and name in read \
                and _same_for_all(st.value, variables, done):
            presets.append(st)
            done.add(name)
            continue
        for n in ast.walk(st):
            target = getattr(n, "target", None)
            if isinstance(n, ast.Assign) and getattr(target, "name", None) in read:
                raise report.error(UnsupportedFeature, f"GLOBAL {target.name!r} is read by a TABLE "  # type: ignore[union-attr]
                                   "and assigned in INITIAL before the table's first use from values that may "
                                   "differ per instance (or under a condition or in a loop): NEURON builds the "
                                   "table at that first call with the value the first instance left; bridge does "
                                   "not reproduce that", n)
    _refuse_history(program, tables, blocks, read - done, report)
    depend = {n for table in tables.values() for n in table.depend}
    for st in presets:
        if st.target.name in depend:  # type: ignore[union-attr]
            raise report.error(UnsupportedFeature, f"a TABLE DEPENDs on GLOBAL {st.target.name!r}, which INITIAL "  # type: ignore[union-attr]
                               "assigns before the table's first use: NEURON compares the value INITIAL gave it "
                               "with the one saved at the last build; bridge checks its TABLEs before INITIAL "
                               "runs", st)
    return tuple(presets)


def _refuse_history(program: ast.Program, tables: dict[str, ast.Table], blocks: Blocks, rest: set[str],
                    report: Reporter) -> None:
    """Refuse a shared GLOBAL the tabulated code reads that another block assigns (not a preset, not
    the tabulated code itself): NEURON rebuilds the table, after a DEPEND value changed, with the value
    the last run left there, which bridge does not keep."""
    own = {getattr(n.target, "name", None) for name in _reaching_down(blocks, set(tables))
           for n in ast.walk(blocks.functions.get(name) or blocks.procedures[name]) if isinstance(n, ast.Assign)}
    depend = {n for t in tables.values() for n in t.depend}  # a change rebuilds with the value it has then
    for name in sorted(rest - own - depend):
        node = next((n for n in ast.walk(program) if isinstance(n, ast.Assign)
                     and getattr(n.target, "name", None) == name), next(iter(tables.values())))
        raise report.error(UnsupportedFeature, f"GLOBAL {name!r} is read by a TABLE and assigned by a block other "
                           "than INITIAL before the table's first use: NEURON builds the table (first, and again "
                           "when a DEPEND value changes) with whatever value the GLOBAL holds then, such as what "
                           "the last run left; bridge does not keep that value", node)


def _table_reads(tables: dict[str, ast.Table], blocks: Blocks, candidates: set[str]) -> set[str]:
    """Shared globals a tabulated block reads before assigning them (through its calls too)."""
    walker = _Walker(candidates, blocks)
    out: set[str] = set()
    for name in tables:
        block = blocks.functions.get(name) or blocks.procedures.get(name)
        if block is None:
            continue
        shadow = {p.name for p in block.params} | locals_in(block.body) | {name}
        flow, _ = walker.unit(block.body, shadow)
        out |= set(flow.first_reads)
    return out


def _reaching(blocks: Blocks, targets: set[str]) -> set[str]:
    """The callables that call one of `targets`, directly or not (the targets included)."""
    calls = {name: {n.name for n in ast.walk(b) if isinstance(n, ast.Call) and n.name in blocks.callables}
             for name, b in {**blocks.functions, **blocks.procedures}.items()}
    out = set(targets)
    changed = True
    while changed:  # at most one pass per callable
        changed = False
        for name, callees in calls.items():
            if name not in out and callees & out:
                out.add(name)
                changed = True
    return out


def _reaching_down(blocks: Blocks, roots: set[str]) -> set[str]:
    """`roots` and the callables they call, directly or not."""
    out: set[str] = set()
    todo = [r for r in roots if r in blocks.callables]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        block = blocks.functions.get(name) or blocks.procedures[name]
        todo.extend(n.name for n in ast.walk(block) if isinstance(n, ast.Call) and n.name in blocks.callables)
    return out


def _same_for_all(expr: ast.Node, variables: dict[str, Variable], done: set[str]) -> bool:
    """True when `expr` reads only numbers, constants, GLOBAL PARAMETERs, celsius, dt and `done`."""
    for n in ast.walk(expr):
        if isinstance(n, ast.Call):
            if n.name not in MATH_FUNCTIONS:
                return False
        elif isinstance(n, ast.Indexed):
            return False
        elif isinstance(n, ast.Name):
            v = variables.get(n.name)
            if not (n.name in done or n.name in _SAME_FOR_ALL
                    or (v is not None and (v.kind == "constant" or (v.kind == "parameter" and not v.range)))):
                return False
    return True
