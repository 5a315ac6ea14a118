"""Semantic analysis of an NMODL program: what each name is, ions, currents, SOLVEs.

`analyze(program, source)` walks the typed tree (`bridge.nmodl.ast`) once and
returns a `MechanismInfo`: the symbol table (PARAMETER / ASSIGNED / STATE /
CONSTANT / file LOCAL / UNITS constants, each RANGE or GLOBAL as NEURON decides),
the ions of USEION with their READ/WRITE lists, the currents, and the SOLVE
statements resolved to their blocks. Errors a NEURON user would get from
nocmodl (undefined name, a name used both as variable and function, recursion,
a new ion without VALENCE) are `SemanticError`s with file:line:col; constructs
bridge does not run are `UnsupportedFeature`s.

NEURON's rules applied here:
- a PARAMETER is GLOBAL unless listed in RANGE; an ASSIGNED is per instance
  (bridge keeps every non-ion ASSIGNED per instance; NEURON's GLOBAL ASSIGNED
  only differ when instances disagree, which parity models do not do);
- a STATE `x` starts at the PARAMETER `x0` if declared, else 0;
- PARAMETER defaults are rounded to 6 significant digits, as nocmodl's `%g` writes them;
- `v`, `t`, `dt`, `celsius`, `area`, `diam` and `secondorder` are built in;
- every GLOBAL of a mechanism with a TABLE includes `usetable_<suffix>` (1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bridge.errors import SemanticError, SourceLocation, UnsupportedFeature
from bridge.mechanisms.protocol import IonUse
from bridge.nmodl import ast
from bridge.nmodl.units import Unit, UnitError, conversion_factor, parse_unit

Kind = Literal["parameter", "assigned", "state", "constant", "file_local", "ion", "builtin"]

# Variables NEURON provides to every mechanism.
BUILTINS = ("v", "t", "dt", "celsius", "area", "diam", "secondorder")

# Math functions NMODL code may call (C library and NEURON's own), by NMODL name: their arguments.
MATH_ARITY = {
    "exp": 1, "log": 1, "log10": 1, "sqrt": 1, "fabs": 1, "sin": 1, "cos": 1, "tan": 1, "asin": 1, "acos": 1,
    "atan": 1, "atan2": 2, "sinh": 1, "cosh": 1, "tanh": 1, "pow": 2, "floor": 1, "ceil": 1, "fmod": 2, "fmin": 2,
    "fmax": 2, "abs": 1, "exprelr": 1, "erf": 1, "erfc": 1,
}
MATH_FUNCTIONS = set(MATH_ARITY)
# Calls that only print or do nothing for a fixed-step simulation.
NO_OP_CALLS = {"printf", "fprintf", "at_time", "nrn_pragma", "hoc_execerror"}
# state_discontinuity(x, value): x = value (an old NEURON call, kept for compatibility)
ASSIGN_CALLS = {"state_discontinuity"}
RANDOM_FUNCTIONS = {
    "scop_random", "normrand", "exprand", "unirand", "poisrand", "erand", "mcellran4", "nrnran123_uniform",
    "nrnran123_normal", "nrnran123_negexp", "random_uniform", "random_normal", "random_negexp", "set_seed",
}
EVENT_CALLS = {"net_send", "net_event", "net_move"}


@dataclass(frozen=True)
class Variable:
    """One name of the mechanism. `default` is the value before INITIAL; `size` for arrays."""

    name: str
    kind: Kind
    range: bool  # per instance (True) or shared GLOBAL (False)
    default: float = 0.0
    units: str | None = None
    size: int | None = None
    loc: SourceLocation | None = None


@dataclass(frozen=True)
class SolveInfo:
    """A SOLVE statement resolved: its block, the method NEURON really uses, and where it is."""

    block: ast.Node
    method: str  # cnexp, derivimplicit, euler, sparse, procedure, after_cvode, steadystate_sparse, ...
    statement: ast.Solve


@dataclass(frozen=True)
class MechanismInfo:
    """Everything code generation needs to know about one mechanism, in NEURON's terms."""

    program: ast.Program
    source: str
    filename: str
    name: str
    kind: Literal["density", "point", "artificial"]
    variables: dict[str, Variable]
    ions: tuple[IonUse, ...]
    ion_reads: tuple[str, ...]  # ion variables loaded from the ion before each block (READ + written concentrations)
    ion_writes: tuple[str, ...]  # ion variables the mechanism writes (currents, concentrations, e)
    ion_of: dict[str, str]  # ion variable name -> ion
    nonspecific_currents: tuple[str, ...]
    electrode_currents: tuple[str, ...]
    ion_currents: tuple[str, ...]  # written ion currents (ina, ...), in NEURON's order
    functions: dict[str, ast.FunctionBlock]
    procedures: dict[str, ast.ProcedureBlock]
    blocks: dict[str, ast.Node]  # DERIVATIVE/KINETIC/LINEAR/NONLINEAR by name
    tables: dict[str, ast.Table]  # function/procedure name -> its TABLE
    breakpoint_solves: tuple[SolveInfo, ...]
    constants: dict[str, float]  # UNITS-block constants and CONSTANTs (numbers known at translation)
    unit_defs: dict[str, Unit] = field(default_factory=dict)
    uses_geometry: tuple[str, ...] = ()  # "area", "diam" when the code reads them

    @property
    def range_parameters(self) -> dict[str, float]:
        return {n: v.default for n, v in self.variables.items() if v.kind == "parameter" and v.range}

    @property
    def global_parameters(self) -> dict[str, float]:
        out = {n: v.default for n, v in self.variables.items() if v.kind == "parameter" and not v.range}
        if self.tables:
            out[f"usetable_{self.name}"] = 1.0
        return out

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.variables.items() if v.kind == "state" and not n.startswith("__state__"))

    @property
    def kept(self) -> dict[str, Variable]:
        """Per-instance variables carried from step to step: STATEs, ASSIGNEDs (ion
        variables that the mechanism writes and owns included) and file LOCALs."""
        out = {}
        for n, v in self.variables.items():
            if v.kind in ("state", "assigned", "file_local"):
                out[n] = v
            elif v.kind == "ion" and n in self.ion_writes and n not in self.ion_reads:
                out[n] = v
            elif n in self.assigned_parameters:
                out[n] = v
        return out

    @property
    def assigned_parameters(self) -> tuple[str, ...]:
        """RANGE PARAMETERs that code assigns (Exp2Syn's tau1 in INITIAL): NEURON keeps the new
        value, so bridge carries them as state, starting from the parameter's value at init."""
        return tuple(n for n, v in self.variables.items() if v.kind == "parameter" and v.range
                     and n in _assigned_names(self.program))

    @property
    def global_assigned(self) -> tuple[str, ...]:
        """Kept variables that NEURON stores once per mechanism, not per instance: ASSIGNED not
        listed in RANGE, and file LOCALs. bridge keeps them per instance, but a value they get
        while NEURON builds a TABLE (a PROCEDURE assigning them) is their start value."""
        rng = set(self.program.neuron.range)
        return tuple(n for n, v in self.variables.items()
                     if (v.kind == "assigned" and n not in rng and n not in self.nonspecific_currents
                         and n not in self.electrode_currents) or v.kind == "file_local")

    def where(self, node: ast.Node | None) -> SourceLocation:
        loc = getattr(node, "loc", None)
        return loc or SourceLocation(self.filename, 0, 0)


def _error(cls, message: str, node: ast.Node | None, filename: str, source: str):
    loc = getattr(node, "loc", None) or SourceLocation(filename, 0, 0)
    if loc.filename in ("<string>", "") and filename:
        loc = SourceLocation(filename, loc.line, loc.column)
    return cls(message, loc, source)


def analyze(program: ast.Program, source: str = "", filename: str | None = None) -> MechanismInfo:
    """Check `program` as nocmodl would and collect what code generation needs."""
    filename = filename or program.filename
    err = lambda cls, msg, node: _error(cls, msg, node, filename, source)  # noqa: E731
    nb = program.neuron
    if nb.name is None:
        raise err(SemanticError, "no SUFFIX or POINT_PROCESS in the NEURON block", nb if nb.loc else program)
    kind = {"SUFFIX": "density", "POINT_PROCESS": "point", "ARTIFICIAL_CELL": "artificial"}[nb.kind]
    name = nb.name

    # -- unsupported constructs anywhere ---------------------------------------------------
    trailing_returns = _trailing_returns(program)
    for node in ast.walk(program):
        if isinstance(node, ast.Verbatim):
            code = "\n".join(line.split("//")[0] for line in node.text.splitlines())
            stripped = code.replace("/*", "").replace("*/", "").strip()
            if stripped and not _only_comments(node.text) and id(node) not in trailing_returns:
                raise err(UnsupportedFeature, "VERBATIM block with C code (bridge cannot run C)", node)
        elif isinstance(node, ast.FunctionTableBlock):
            raise err(UnsupportedFeature, f"FUNCTION_TABLE {node.name} (values come from HOC at run time)", node)
        elif isinstance(node, ast.Call) and node.name in RANDOM_FUNCTIONS:
            raise err(UnsupportedFeature, f"random-number function {node.name}()", node)
        elif isinstance(node, (ast.LongitudinalDiffusion,)):
            raise err(UnsupportedFeature, "LONGITUDINAL_DIFFUSION", node)
        elif isinstance(node, ast.Lag):
            raise err(UnsupportedFeature, "LAG statement", node)
        elif isinstance(node, (ast.DiscreteBlock,)):
            raise err(UnsupportedFeature, "DISCRETE block", node)
        elif isinstance(node, ast.Include):
            raise err(UnsupportedFeature, f"INCLUDE \"{node.filename}\"", node)
    if kind == "artificial":
        raise err(UnsupportedFeature, f"ARTIFICIAL_CELL {name} (bridge has no event-driven cells yet)", nb)
    for node in ast.walk(program):
        if isinstance(node, ast.Call) and node.name in EVENT_CALLS:
            raise err(UnsupportedFeature, f"{node.name}() (self-events need NEURON's event queue, which bridge "
                      "does not have yet)", node)
        if isinstance(node, (ast.Watch, ast.ForNetcons)):
            what = {ast.Watch: "WATCH", ast.ForNetcons: "FOR_NETCONS"}
            raise err(UnsupportedFeature, f"{what[type(node)]} (network events are not part of bridge yet)", node)
    if nb.pointers or nb.bbcore_pointers:
        raise err(UnsupportedFeature, "POINTER variables (" + ", ".join(nb.pointers + nb.bbcore_pointers) + ")", nb)
    if nb.randoms:
        raise err(UnsupportedFeature, "RANDOM variables (" + ", ".join(nb.randoms) + ")", nb)
    if nb.externals:
        raise err(UnsupportedFeature, "EXTERNAL variables (" + ", ".join(nb.externals) + ")", nb)

    defines = program.defines
    range_names = set(nb.range)
    global_names = set(nb.global_)

    # -- UNITS block: unit aliases and named constants ------------------------------------
    unit_defs: dict[str, Unit] = {}
    constants: dict[str, float] = {}
    variables: dict[str, Variable] = {}
    for d in program.units:
        try:
            if isinstance(d, ast.UnitDef):
                unit_defs[d.name] = parse_unit(d.definition, unit_defs)
            elif d.from_units is not None:
                constants[d.name] = conversion_factor(d.from_units, d.units, unit_defs)
            else:
                constants[d.name] = d.value.value
        except UnitError as exc:
            raise err(SemanticError, exc.message, d) from None
        if isinstance(d, ast.FactorDef):
            variables[d.name] = Variable(d.name, "constant", False, constants[d.name], d.units, loc=d.loc)

    def size_of(decl) -> int | None:
        size = decl.size
        if isinstance(size, str):  # a DEFINE name
            if size not in defines:
                raise err(SemanticError, f"array size {size!r} is not a DEFINE", decl)
            size = defines[size]
        return size

    # -- declarations --------------------------------------------------------------------
    for d in program.constants:
        value = d.value.value if d.value is not None else 0.0
        constants[d.name] = value
        variables[d.name] = Variable(d.name, "constant", False, value, d.units, loc=d.loc)

    ion_of: dict[str, str] = {}
    ion_reads: list[str] = []
    ion_writes: list[str] = []
    ions: list[IonUse] = []
    for use in nb.ions:
        # a new species without VALENCE is accepted by nocmodl (it matters only once NEURON needs
        # the Nernst potential; bridge.mechanisms.ions decides then)
        ions.append(IonUse(use.ion, tuple(use.read), tuple(use.write), use.valence))
        allowed = {f"e{use.ion}", f"{use.ion}i", f"{use.ion}o", f"i{use.ion}"}
        for n in use.read + use.write:
            if n not in allowed:
                raise err(SemanticError, f"USEION {use.ion}: {n!r} is not a variable of ion {use.ion} "
                          f"(one of {', '.join(sorted(allowed))})", use)
            ion_of[n] = use.ion
        # nocmodl loads every READ variable, and written concentrations, from the ion
        # before each block; a written current or e is the mechanism's own variable
        loads = list(use.read) + [n for n in use.write if n in (f"{use.ion}i", f"{use.ion}o")]
        ion_reads += [n for n in dict.fromkeys(loads) if n not in ion_reads]
        ion_writes += [n for n in use.write if n not in ion_writes]

    for d in program.parameters:
        if d.name in BUILTINS:
            variables[d.name] = Variable(d.name, "builtin", d.name in ("v", "area", "diam"), loc=d.loc)
            continue
        if d.name in ion_of:  # an ion variable declared in PARAMETER is still the ion's
            variables[d.name] = Variable(d.name, "ion", True, 0.0, d.units, loc=d.loc)
            continue
        # nocmodl writes PARAMETER defaults with printf's %g: NEURON's default is the value
        # rounded to 6 significant digits (15.87301587302 becomes 15.873)
        value = float(f"{d.value.value:g}") if d.value is not None else 0.0
        variables[d.name] = Variable(d.name, "parameter", d.name in range_names, value, d.units, size_of(d), d.loc)
    for d in program.assigned:
        if d.name in BUILTINS:
            variables[d.name] = Variable(d.name, "builtin", d.name in ("v", "area", "diam"), loc=d.loc)
        elif d.name in ion_of:
            variables[d.name] = Variable(d.name, "ion", True, 0.0, d.units, loc=d.loc)
        elif d.name in variables and variables[d.name].kind == "parameter":
            continue
        else:
            # per instance even when GLOBAL: NEURON's GLOBAL ASSIGNED differ only when instances disagree
            variables[d.name] = Variable(d.name, "assigned", True, 0.0, d.units, size_of(d), d.loc)
    params = {n: v for n, v in variables.items() if v.kind == "parameter"}
    for d in program.states:
        default = params[f"{d.name}0"].default if f"{d.name}0" in params else 0.0
        if d.name in ion_of:
            variables[d.name] = Variable(d.name, "ion", True, default, d.units, loc=d.loc)
            # a concentration STATE: the ion's value, integrated by this mechanism
            variables[f"__state__{d.name}"] = Variable(d.name, "state", True, default, d.units, loc=d.loc)
            continue
        variables[d.name] = Variable(d.name, "state", True, default, d.units, size_of(d), d.loc)
    for item in program.of_type(ast.Local):
        for lv in item.names:
            variables[lv.name] = Variable(lv.name, "file_local", True, 0.0, None, size_of(lv), item.loc)
    for n in ion_of:
        if n not in variables:
            variables[n] = Variable(n, "ion", True, 0.0, None)
    for n in BUILTINS:
        variables.setdefault(n, Variable(n, "builtin", n in ("v", "area", "diam")))

    nonspecific = tuple(nb.nonspecific_currents)
    electrode = tuple(nb.electrode_currents)
    # nocmodl declares names of RANGE, GLOBAL and current lists that no block declares as ASSIGNED
    functions_and_procedures = {b.name for b in program.of_type(ast.FunctionBlock)} | \
        {b.name for b in program.of_type(ast.ProcedureBlock)}
    for n in list(nb.range) + list(nb.global_) + list(nonspecific) + list(electrode):
        if n in functions_and_procedures:
            node = next((s for s in nb.statements if isinstance(s, ast.NameList) and n in s.names), nb)
            raise err(SemanticError, f"{n!r} is used both as a variable and as a function", node)
        if n not in variables and n not in ion_of:
            variables[n] = Variable(n, "assigned", True, 0.0, None, None, nb.loc)
    ion_currents = tuple(n for n in ion_writes if n.startswith("i") and n[1:] in {u.ion for u in ions})

    # -- blocks --------------------------------------------------------------------------
    _check_block_names(program, err)
    functions = {b.name: b for b in program.of_type(ast.FunctionBlock)}
    procedures = {b.name: b for b in program.of_type(ast.ProcedureBlock)}
    blocks = {b.name: b for b in program.items
              if isinstance(b, (ast.DerivativeBlock, ast.KineticBlock, ast.LinearBlock, ast.NonLinearBlock))}
    callables = set(functions) | set(procedures)
    for n in callables:
        if n in variables and variables[n].kind != "builtin":
            node = functions.get(n) or procedures.get(n)
            raise err(SemanticError, f"{n!r} is used both as a variable and as a function", node)

    tables: dict[str, ast.Table] = {}
    for b in list(functions.values()) + list(procedures.values()):
        for stmt in b.body:
            if isinstance(stmt, ast.Table):
                for dep in stmt.depend:
                    if dep not in variables:
                        raise err(SemanticError, f"TABLE DEPEND {dep!r} is not declared", stmt)
                for out in stmt.names:
                    if out not in variables:
                        raise err(SemanticError, f"TABLE variable {out!r} is not declared", stmt)
                if isinstance(b, ast.ProcedureBlock) and not stmt.names:
                    raise err(SemanticError, "a TABLE in a PROCEDURE must name the variables it tabulates", stmt)
                if len(b.params) != 1:
                    raise err(UnsupportedFeature, f"TABLE in {b.name} with {len(b.params)} arguments "
                              "(bridge tabulates one-argument functions)", stmt)
                if stmt.count < 1:  # nocmodl's table has one point, dx = (hi - lo)/0: f(lo) for every x
                    raise err(SemanticError, "TABLE ... WITH 0: a table needs at least one interval (NEURON "
                              "would return the value at FROM for every argument)", stmt)
                tables[b.name] = stmt

    # -- names used in code are declared -------------------------------------------------
    _check_names(program, variables, callables, blocks, defines, err)
    _check_recursion(functions, procedures, err)
    _check_assignments(program, variables, err)

    # -- SOLVE in BREAKPOINT ---------------------------------------------------------------
    solves = []
    bp = program.breakpoint
    for stmt in (bp.body if bp else ()):
        if isinstance(stmt, ast.Solve):
            solves.append(resolve_solve(stmt, program, procedures, blocks, err))

    geometry = tuple(sorted({n.name for n in ast.walk(program) if isinstance(n, ast.Name) and n.name in ("area", "diam")}))
    return MechanismInfo(
        program=program, source=source, filename=filename, name=name, kind=kind, variables=variables,
        ions=tuple(ions), ion_reads=tuple(ion_reads), ion_writes=tuple(ion_writes), ion_of=ion_of,
        nonspecific_currents=nonspecific, electrode_currents=electrode, ion_currents=ion_currents,
        functions=functions, procedures=procedures, blocks=blocks, tables=tables,
        breakpoint_solves=tuple(solves), constants=constants, unit_defs=unit_defs, uses_geometry=geometry,
    )


def _check_block_names(program: ast.Program, err) -> None:
    """nocmodl refuses two blocks of one name (two FUNCTIONs f, a DERIVATIVE and a FUNCTION st, ...)."""
    seen: dict[str, ast.Node] = {}
    for item in program.items:
        name = getattr(item, "name", None)
        if not isinstance(item, ast.NamedBlock.__args__) or name is None:  # type: ignore[attr-defined]
            continue
        if name in seen:
            first = seen[name].loc
            raise err(SemanticError, f"a block named {name!r} is already defined"
                      f"{f' at line {first.line}' if first else ''}", item)
        seen[name] = item


def _trailing_returns(program: ast.Program) -> set[int]:
    """ids of `VERBATIM return 0; ENDVERBATIM` blocks that end a PROCEDURE body: the C function
    nocmodl makes of a PROCEDURE returns 0 at its end anyway, so the block changes nothing
    (an idiom of many published channels: Mainen & Sejnowski's na.mod, kv.mod, km.mod, ...).
    Anywhere else (mid-body, inside an IF, in a FUNCTION) it is C code bridge refuses."""
    import re

    out = set()
    for block in program.items:
        if isinstance(block, ast.ProcedureBlock) and block.body and isinstance(block.body[-1], ast.Verbatim):
            text = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", block.body[-1].text, flags=re.S))
            if re.fullmatch(r"\s*return\s+0\s*;\s*", text):
                out.add(id(block.body[-1]))
    return out


def _only_comments(text: str) -> bool:
    """True when VERBATIM text holds nothing but C comments and whitespace."""
    import re

    no_block = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    no_line = re.sub(r"//[^\n]*", "", no_block)
    return not no_line.strip()


def resolve_solve(stmt: ast.Solve, program, procedures, blocks, err) -> SolveInfo:
    """Which block a SOLVE names and the method NEURON actually uses for it."""
    target = blocks.get(stmt.name) or procedures.get(stmt.name)
    if target is None:
        raise err(SemanticError, f"SOLVE {stmt.name}: no DERIVATIVE, KINETIC, LINEAR, NONLINEAR or PROCEDURE "
                  f"block named {stmt.name!r}", stmt)
    if stmt.steadystate:
        if not isinstance(target, (ast.KineticBlock, ast.DerivativeBlock)):
            raise err(SemanticError, f"SOLVE {stmt.name} STEADYSTATE needs a KINETIC or DERIVATIVE block", stmt)
        return SolveInfo(target, f"steadystate_{stmt.steadystate}", stmt)
    method = stmt.method
    if isinstance(target, ast.ProcedureBlock):
        if method not in (None, "after_cvode", "cvode_t", "cvode_v"):
            raise err(SemanticError, f"SOLVE {stmt.name} METHOD {method}: {stmt.name} is a PROCEDURE", stmt)
        return SolveInfo(target, "procedure", stmt)
    if isinstance(target, ast.DerivativeBlock):
        method = method or "derivimplicit"
        if method == "runge":
            method = "runge"
        if method not in ("cnexp", "derivimplicit", "euler"):
            raise err(UnsupportedFeature, f"METHOD {method} for a DERIVATIVE block "
                      "(bridge runs cnexp, derivimplicit and euler, as NEURON's fixed step)", stmt)
        return SolveInfo(target, method, stmt)
    if isinstance(target, ast.KineticBlock):
        method = method or "sparse"
        if method not in ("sparse", "derivimplicit"):
            raise err(UnsupportedFeature, f"METHOD {method} for a KINETIC block (bridge runs sparse)", stmt)
        return SolveInfo(target, "sparse", stmt)
    if isinstance(target, ast.LinearBlock):
        return SolveInfo(target, "linear", stmt)
    return SolveInfo(target, "nonlinear", stmt)


def _scopes(program):
    """(block, its parameter names, its LOCAL names) for every code block."""
    for item in program.items:
        body = getattr(item, "body", None)
        if body is None:
            continue
        params = {p.name for p in getattr(item, "params", ())}
        yield item, params


def _locals_in(body) -> set[str]:
    out = set()
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Local):
                out |= {lv.name for lv in sub.names}
            elif isinstance(sub, ast.From):
                out.add(sub.var)
    return out


def _check_names(program, variables, callables, blocks, defines, err) -> None:
    known_calls = callables | MATH_FUNCTIONS | NO_OP_CALLS | EVENT_CALLS | RANDOM_FUNCTIONS | ASSIGN_CALLS
    for item, params in _scopes(program):
        own = {item.name} if isinstance(item, ast.FunctionBlock) else set()
        if isinstance(item, ast.NetReceiveBlock):
            own = {"flag"}
        local = params | _locals_in(item.body) | own
        if isinstance(item, ast.KineticBlock):
            local |= {"f_flux", "b_flux"}
        compartment_index = {c.index for c in ast.walk(item) if isinstance(c, ast.Compartment) and c.index}
        local |= compartment_index
        for node in ast.walk(item):
            if isinstance(node, ast.Name) or isinstance(node, ast.Indexed):
                n = node.name
                if n in local or n in variables or n in defines:
                    continue
                if n in callables:
                    raise err(SemanticError, f"{n!r} is a function; call it as {n}(...)", node)
                raise err(SemanticError, f"undefined variable {n!r}", node)
            elif isinstance(node, ast.Call):
                if node.name not in known_calls:
                    raise err(SemanticError, f"call to undefined function {node.name!r}", node)
            elif isinstance(node, ast.Prime):
                if node.name not in variables or variables[node.name].kind not in ("state",) and \
                        f"__state__{node.name}" not in variables:
                    raise err(SemanticError, f"{node.name}' : {node.name!r} is not a STATE", node)
            elif isinstance(node, ast.ExprStatement) and isinstance(node.expr, ast.Call):
                pass
            elif isinstance(node, ast.Solve):
                if node.name not in blocks and node.name not in program.procedures:
                    raise err(SemanticError, f"SOLVE {node.name}: no block named {node.name!r}", node)


def _assigned_names(program) -> set[str]:
    """Names assigned anywhere (targets of `=`), LOCALs and arguments included."""
    return {n.target.name for n in ast.walk(program) if isinstance(n, ast.Assign)
            and isinstance(n.target, (ast.Name, ast.Indexed))}


def _calls(body) -> set[str]:
    return {n.name for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)}


def _check_recursion(functions, procedures, err) -> None:
    """nocmodl-translated code can recurse, but bridge traces code into JAX: refuse cycles."""
    graph = {n: _calls(b.body) & (set(functions) | set(procedures)) for n, b in {**functions, **procedures}.items()}
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            cycle = path[path.index(n):] + [n]
            block = functions.get(n) or procedures.get(n)
            raise err(UnsupportedFeature, "recursion (" + " -> ".join(cycle) + "): bridge traces code into JAX "
                      "and cannot run a FUNCTION or PROCEDURE that calls itself", block)
        state[n] = 1
        for m in sorted(graph[n]):
            visit(m, path + [n])
        state[n] = 2

    for n in graph:
        visit(n, [])


def _check_assignments(program, variables, err) -> None:
    """Assignments bridge can run: not to CONSTANTs or PARAMETERs (NEURON would keep those new values
    as mutable globals across blocks and steps), not to built-ins other than v, and ion variables only
    when USEION WRITEs them."""
    for item, params in _scopes(program):
        local = params | _locals_in(item.body) | ({"flag"} if isinstance(item, ast.NetReceiveBlock) else set())
        for node in ast.walk(item):
            if isinstance(node, ast.Assign) and isinstance(node.target, (ast.Name, ast.Indexed)):
                n = node.target.name
                if n in local:
                    continue
                var = variables.get(n)
                if var is None:
                    if isinstance(item, ast.FunctionBlock) and n == item.name:
                        continue
                    raise err(SemanticError, f"assignment to undefined variable {n!r}", node)
                if var.kind == "constant":
                    raise err(UnsupportedFeature, f"assigning the CONSTANT {n!r} (nocmodl makes it a mutable C "
                              "global; bridge keeps constants constant)", node)
                if var.kind == "parameter" and not var.range:
                    raise err(UnsupportedFeature, f"assigning the GLOBAL PARAMETER {n!r} in a block (NEURON keeps "
                              "the new value, shared by all instances, for later blocks and steps)", node)
                if var.kind == "builtin" and n in ("t", "dt", "celsius", "area", "diam", "secondorder"):
                    raise err(SemanticError, f"cannot assign the built-in variable {n!r}", node)
                # an ion variable that USEION only READs may be assigned: nocmodl changes the
                # mechanism's own copy (loaded again before every block), and so does bridge
