"""What analysis finds out about one mechanism (`MechanismInfo`), and how it reports errors.

`MechanismInfo` is everything code generation (`bridge.nmodl.codegen`) and HOC's
mechanism catalog (`bridge.hoc.catalog`) need to know, in NEURON's terms: what each
name is (`Variable`), the ions, the currents, the blocks, the TABLEs and the method
each BREAKPOINT SOLVE runs with (`SolveInfo`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bridge.errors import BridgeError, SourceLocation
from bridge.mechanisms.protocol import IonUse
from bridge.nmodl.analysis.units import Unit
from bridge.nmodl.syntax import ast

Kind = Literal["parameter", "assigned", "state", "constant", "file_local", "ion", "builtin", "pointer", "external",
               "random"]
MechanismKind = Literal["density", "point", "artificial"]
# DERIVATIVE, KINETIC, LINEAR and NONLINEAR blocks (what a SOLVE names, besides PROCEDUREs)
SolvableBlock = ast.DerivativeBlock | ast.KineticBlock | ast.LinearBlock | ast.NonLinearBlock
# cnexp, derivimplicit, euler, sparse, linear, nonlinear, procedure, steadystate_sparse, ...
Method = str


@dataclass(frozen=True)
class Reporter:
    """Errors at a node of the file being analysed: file:line:col and the source line with a caret."""

    filename: str
    source: str

    def error(self, cls: type[BridgeError], message: str, node: ast.Node | None) -> BridgeError:
        loc = getattr(node, "loc", None) or SourceLocation(self.filename, 0, 0)
        if loc.filename in ("<string>", "") and self.filename:
            loc = SourceLocation(self.filename, loc.line, loc.column)
        return cls(message, loc, self.source)


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
    """A SOLVE statement resolved: its block, the method NEURON really uses, and where it is.

    `method` is what runs: a METHOD cnexp whose equations nocmodl cannot integrate that
    way is "derivimplicit", as nocmodl makes it (`statement.method` keeps what was written)."""

    block: SolvableBlock | ast.ProcedureBlock
    method: Method
    statement: ast.Solve


@dataclass(frozen=True)
class MechanismInfo:
    """Everything code generation needs to know about one mechanism, in NEURON's terms."""

    program: ast.Program
    source: str
    filename: str
    name: str
    kind: MechanismKind
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
    blocks: dict[str, SolvableBlock]  # DERIVATIVE/KINETIC/LINEAR/NONLINEAR by name
    tables: dict[str, ast.Table]  # function/procedure name -> its TABLE
    breakpoint_solves: tuple[SolveInfo, ...]
    constants: dict[str, float]  # UNITS-block constants and CONSTANTs (numbers known at translation)
    unit_defs: dict[str, Unit] = field(default_factory=dict)
    uses_geometry: tuple[str, ...] = ()  # "area", "diam" when the code reads them
    range_names: frozenset[str] = frozenset()  # RANGE names that are per instance (a GLOBAL too is not)
    impure_functions: frozenset[str] = frozenset()  # FUNCTIONs that assign mechanism variables
    assigned_names: frozenset[str] = frozenset()  # names assigned anywhere (`=` targets)
    # globals NEURON shares among instances that some block reads without assigning them first: after
    # each block every instance gets the last instance's value (analysis.shared_globals)
    shared_globals: tuple[str, ...] = ()
    # those of them a block passes from instance to instance (read, then assigned; assigned on some paths
    # only): the mechanism's blocks run their instances one after another (runtime.in_turn)
    in_turn: tuple[str, ...] = ()
    # INITIAL's assignments NEURON's first table build sees (analysis.table_globals)
    table_presets: tuple[ast.Assign, ...] = ()
    function_tables: dict[str, ast.FunctionTableBlock] = field(default_factory=dict)  # FUNCTION_TABLEs by name
    randoms: tuple[str, ...] = ()  # RANDOM variables (Random123 streams), in declaration order
    scop_random: bool = False  # code draws from (or seeds) NEURON's scop_random generator
    c_functions: frozenset[str] = frozenset()  # FUNCTIONs/PROCEDUREs made from VERBATIM C functions (not HOC's)
    vectorized: bool = True  # nocmodl's `vectorize` (analysis.vectorize)
    # tabulated FUNCTION/PROCEDURE -> the moments NEURON checks its TABLE at (analysis.vectorize.table_moments)
    table_moments: dict[str, frozenset[str]] = field(default_factory=dict)

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
    def pointers(self) -> tuple[str, ...]:
        """POINTER names: per instance, read from the variable `setpointer` connected (read only)."""
        return tuple(n for n, v in self.variables.items() if v.kind == "pointer")

    @property
    def externals(self) -> tuple[str, ...]:
        """EXTERNAL names: another mechanism's GLOBAL by its NEURON name (`gscale_oth`), read only."""
        return tuple(n for n, v in self.variables.items() if v.kind == "external")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.variables.items() if v.kind == "state" and not n.startswith("__state__"))

    @property
    def kept(self) -> dict[str, Variable]:
        """Per-instance variables carried from step to step: STATEs, ASSIGNEDs (ion
        variables that the mechanism writes and owns included) and file LOCALs."""
        out = {}
        assigned_parameters = set(self.assigned_parameters)
        for n, v in self.variables.items():
            if v.kind in ("state", "assigned", "file_local"):
                out[n] = v
            elif v.kind == "ion" and n in self.ion_writes and n not in self.ion_reads:
                out[n] = v
            elif n in assigned_parameters or n in self.assigned_global_parameters:
                out[n] = v
        return out

    @property
    def assigned_parameters(self) -> tuple[str, ...]:
        """RANGE PARAMETERs that code assigns (Exp2Syn's tau1 in INITIAL): NEURON keeps the new
        value, so bridge carries them as state, starting from the parameter's value at init."""
        return tuple(n for n, v in self.variables.items() if v.kind == "parameter" and v.range
                     and n in self.assigned_names)

    @property
    def assigned_global_parameters(self) -> tuple[str, ...]:
        """PARAMETERs that are not RANGE and that code assigns (a pool's `depth = diam/4`): kept as
        state, starting from the GLOBAL's value at finitialize (NEURON's C global keeps the new value)."""
        return tuple(n for n, v in self.variables.items() if v.kind == "parameter" and not v.range
                     and n in self.assigned_names)

    @property
    def global_assigned(self) -> tuple[str, ...]:
        """Kept variables that NEURON stores once per mechanism, not per instance: ASSIGNED listed in
        GLOBAL, and file LOCALs (nocmodl: a static C variable). bridge keeps them per instance, but a
        value they get while NEURON builds a TABLE (a PROCEDURE assigning them) is their start value."""
        return tuple(n for n, v in self.variables.items()
                     if (v.kind == "assigned" and n in self.program.neuron.global_) or v.kind == "file_local")

    @property
    def instance_assigned(self) -> tuple[str, ...]:
        """ASSIGNEDs NEURON stores per instance: RANGE, and those the NEURON block does not list (nocmodl
        gives them a column of the mechanism's data, `_ml->fpfield<i>(_iml)`, unseen by HOC). A tabulated
        PROCEDURE that assigns one sets it only on the instance that builds the TABLE (the first in memory
        order: `_check_<name>` runs the body with that instance's data)."""
        return tuple(n for n, v in self.variables.items()
                     if v.kind == "assigned" and n not in self.program.neuron.global_)

    def where(self, node: ast.Node | None) -> SourceLocation:
        loc = getattr(node, "loc", None)
        return loc or SourceLocation(self.filename, 0, 0)
