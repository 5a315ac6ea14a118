"""The symbol passes: the mechanism's name and kind, the UNITS block, and what every declared name is.

NEURON's rules applied here:
- a PARAMETER is GLOBAL unless listed in RANGE; a name listed in both is GLOBAL (nocmodl
  defines the C name as the global last, so code reads the global); NEURON then also
  registers a RANGE variable of the same HOC name, which it refuses for a SUFFIX
  mechanism ("The user defined name already exists: g_suffix"): so does bridge;
- an ASSIGNED is per instance (bridge keeps every non-ion ASSIGNED per instance; NEURON's
  GLOBAL ASSIGNED only differ when instances disagree, which parity models do not do);
- a STATE `x` starts at the PARAMETER `x0` if declared, else 0;
- PARAMETER defaults are rounded to 6 significant digits, as nocmodl's `%g` writes them;
- `v`, `t`, `dt`, `celsius`, `area`, `diam` and `secondorder` are built in;
- names of RANGE, GLOBAL and current lists that no block declares are ASSIGNED (nocmodl
  declares them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismKind, Reporter, Variable
from bridge.nmodl.analysis.ions import Ions
from bridge.nmodl.analysis.units import Unit, UnitError, conversion_factor, parse_unit
from bridge.nmodl.analysis.vocabulary import BUILTINS, PER_INSTANCE_BUILTINS
from bridge.nmodl.syntax import ast

_KINDS: dict[str, MechanismKind] = {"SUFFIX": "density", "POINT_PROCESS": "point", "ARTIFICIAL_CELL": "artificial"}


@dataclass(frozen=True)
class UnitsTable:
    """The UNITS block: unit aliases, and named constants with their values (as `Variable`s too)."""

    defs: dict[str, Unit] = field(default_factory=dict)
    constants: dict[str, float] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)


@dataclass(frozen=True)
class Symbols:
    """What every name of the mechanism is, and the numbers known at translation."""

    variables: dict[str, Variable]
    constants: dict[str, float]  # UNITS-block constants and CONSTANTs
    range_names: frozenset[str]  # RANGE names that are per instance


def name_and_kind(program: ast.Program, report: Reporter, unnamed: str | None = None) -> tuple[str, MechanismKind]:
    """The SUFFIX or POINT_PROCESS name and the mechanism's kind. A file without one is an error,
    unless `unnamed` is given: NEURON then names the density mechanism after the file (nocmodl's
    rule), and `unnamed` is that name."""
    nb = program.neuron
    if nb.name is None or nb.kind is None:
        if unnamed is not None:
            return unnamed, "density"
        raise report.error(SemanticError, "no SUFFIX or POINT_PROCESS in the NEURON block", nb if nb.loc else program)
    return nb.name, _KINDS[nb.kind]


def read_units(program: ast.Program, report: Reporter) -> UnitsTable:
    """The UNITS block: `(mM) = (milli/liter)` aliases and `FARADAY = (faraday) (coulomb)` constants."""
    table = UnitsTable()
    for d in program.units:
        try:
            if isinstance(d, ast.UnitDef):
                table.defs[d.name] = parse_unit(d.definition, table.defs)
            elif d.value is not None:
                table.constants[d.name] = d.value.value
            else:  # FARADAY = (faraday) (coulomb)
                table.constants[d.name] = conversion_factor(d.from_units or "", d.units, table.defs)
        except UnitError as exc:
            raise report.error(SemanticError, exc.message, d) from None
        if isinstance(d, ast.FactorDef):
            table.variables[d.name] = Variable(d.name, "constant", False, table.constants[d.name], d.units, loc=d.loc)
    return table


def declare(program: ast.Program, kind: MechanismKind, units: UnitsTable, ions: Ions, report: Reporter) -> Symbols:
    """Every declared name as a `Variable` (see the module docstring for NEURON's rules)."""
    nb = program.neuron
    range_names = _range_names(nb, kind, report)
    variables = dict(units.variables)
    constants = dict(units.constants)
    for d in program.constants:
        value = d.value.value if d.value is not None else 0.0
        constants[d.name] = value
        variables[d.name] = Variable(d.name, "constant", False, value, d.units, loc=d.loc)
    sizes = _Sizes(program.defines, report)
    for d in program.parameters:
        variables[d.name] = _parameter(d, range_names, ions, sizes)
    for d in program.assigned:
        if d.name not in variables or variables[d.name].kind != "parameter":
            variables[d.name] = _assigned(d, ions, sizes)
    params = {n: v for n, v in variables.items() if v.kind == "parameter"}
    for d in program.states:
        default = params[f"{d.name}0"].default if f"{d.name}0" in params else 0.0
        if d.name in ions.of:
            variables[d.name] = Variable(d.name, "ion", True, default, d.units, loc=d.loc)
            # a concentration STATE: the ion's value, integrated by this mechanism
            variables[f"__state__{d.name}"] = Variable(d.name, "state", True, default, d.units, loc=d.loc)
        else:
            variables[d.name] = Variable(d.name, "state", True, default, d.units, sizes(d), d.loc)
    for item in program.of_type(ast.Local):
        for lv in item.names:
            variables[lv.name] = Variable(lv.name, "file_local", True, 0.0, None, sizes(lv), item.loc)
    for n in ions.of:
        variables.setdefault(n, Variable(n, "ion", True, 0.0, None))
    for n in BUILTINS:
        variables.setdefault(n, Variable(n, "builtin", n in PER_INSTANCE_BUILTINS))
    _declare_listed(program, variables, ions, report)
    _declare_pointers(program.neuron, variables, report)
    _declare_externals(program.neuron, variables, report)
    return Symbols(variables, constants, range_names)


def _range_names(nb: ast.NeuronBlock, kind: MechanismKind, report: Reporter) -> frozenset[str]:
    """RANGE names that are per instance: a name also listed in GLOBAL is GLOBAL (module docstring)."""
    both = [n for n in nb.range if n in set(nb.global_)]
    if both and kind == "density":
        node = next((s for s in nb.statements if isinstance(s, ast.NameList) and s.keyword == "GLOBAL"
                     and both[0] in s.names), nb)
        raise report.error(SemanticError, f"{both[0]!r} is listed in both RANGE and GLOBAL: NEURON refuses to load "
                           f"the mechanism (its HOC name {both[0]}_{nb.name} would be a RANGE and a GLOBAL "
                           "variable, \"already exists\"); list it in one of them", node)
    return frozenset(nb.range) - frozenset(nb.global_)


def _declare_pointers(nb: ast.NeuronBlock, variables: dict[str, Variable], report: Reporter) -> None:
    """`POINTER vgap`: per instance, its value read from the variable HOC's `setpointer` names
    (nocmodl: `#define vgap *_p_vgap`). Declared in ASSIGNED (or nowhere); an array is refused."""
    for n in nb.pointers:
        old = variables.get(n)
        node = next((s for s in nb.statements if isinstance(s, ast.NameList) and s.keyword == "POINTER"
                     and n in s.names), nb)
        if old is not None and (old.kind != "assigned" or old.size):
            what = "an array" if old.size else f"a {old.kind}"
            raise report.error(UnsupportedFeature, f"POINTER {n!r} declared as {what} (bridge connects a POINTER "
                               "declared as a plain ASSIGNED)", node)
        variables[n] = Variable(n, "pointer", True, 0.0, old.units if old else None, None,
                                old.loc if old else nb.loc)


def _declare_externals(nb: ast.NeuronBlock, variables: dict[str, Variable], report: Reporter) -> None:
    """`EXTERNAL gscale_oth`: nocmodl writes `extern double gscale_oth;`, so NEURON 9 loads the
    mechanism only when a C global of that name exists: another mechanism's GLOBAL (or one of
    NEURON's, like celsius, which bridge already knows). A HOC variable is no C global: NEURON's
    dlopen fails ("undefined symbol"), measured with NEURON 9.0.2. The value is found when the
    model is planned (bridge.solver.plan); an array is refused."""
    for n in nb.externals:
        old = variables.get(n)
        if old is not None and old.kind == "builtin":
            continue
        node = next((s for s in nb.statements if isinstance(s, ast.NameList) and s.keyword == "EXTERNAL"
                     and n in s.names), nb)
        if old is not None and (old.kind != "assigned" or old.size):
            what = "an array" if old.size else f"a {old.kind}"
            raise report.error(UnsupportedFeature, f"EXTERNAL {n!r} declared as {what} (bridge reads an EXTERNAL "
                               "declared as a plain ASSIGNED, or not declared)", node)
        variables[n] = Variable(n, "external", False, 0.0, old.units if old else None, None,
                                old.loc if old else nb.loc)


class _Sizes:
    """The size of an array declaration (`x[4]`, or `x[N]` with `DEFINE N 4`)."""

    def __init__(self, defines: dict[str, int], report: Reporter):
        self.defines, self.report = defines, report

    def __call__(self, decl: ast.Declaration | ast.LocalVar) -> int | None:
        size = decl.size
        if isinstance(size, str):  # a DEFINE name
            if size not in self.defines:
                raise self.report.error(SemanticError, f"array size {size!r} is not a DEFINE", decl)
            return self.defines[size]
        return size


def _parameter(d: ast.Declaration, range_names: frozenset[str], ions: Ions, sizes: _Sizes) -> Variable:
    if d.name in BUILTINS:
        return Variable(d.name, "builtin", d.name in PER_INSTANCE_BUILTINS, loc=d.loc)
    if d.name in ions.of:  # an ion variable declared in PARAMETER is still the ion's
        return Variable(d.name, "ion", True, 0.0, d.units, loc=d.loc)
    # nocmodl writes PARAMETER defaults with printf's %g: NEURON's default is the value
    # rounded to 6 significant digits (15.87301587302 becomes 15.873)
    value = float(f"{d.value.value:g}") if d.value is not None else 0.0
    return Variable(d.name, "parameter", d.name in range_names, value, d.units, sizes(d), d.loc)


def _assigned(d: ast.Declaration, ions: Ions, sizes: _Sizes) -> Variable:
    if d.name in BUILTINS:
        return Variable(d.name, "builtin", d.name in PER_INSTANCE_BUILTINS, loc=d.loc)
    if d.name in ions.of:
        return Variable(d.name, "ion", True, 0.0, d.units, loc=d.loc)
    # per instance even when GLOBAL: NEURON's GLOBAL ASSIGNED differ only when instances disagree
    return Variable(d.name, "assigned", True, 0.0, d.units, sizes(d), d.loc)


def _declare_listed(program: ast.Program, variables: dict[str, Variable], ions: Ions, report: Reporter) -> None:
    """Names of RANGE, GLOBAL and current lists that no block declares become ASSIGNED; a FUNCTION
    or PROCEDURE name there is an error."""
    nb = program.neuron
    callables = {b.name for b in program.of_type(ast.FunctionBlock)} | \
        {b.name for b in program.of_type(ast.ProcedureBlock)}
    for n in nb.range + nb.global_ + nb.nonspecific_currents + nb.electrode_currents:
        if n in callables:
            node = next((s for s in nb.statements if isinstance(s, ast.NameList) and n in s.names), nb)
            raise report.error(SemanticError, f"{n!r} is used both as a variable and as a function", node)
        if n not in variables and n not in ions.of:
            variables[n] = Variable(n, "assigned", True, 0.0, None, None, nb.loc)
