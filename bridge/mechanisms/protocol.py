"""What a mechanism provides to the solver: data about its variables and three pure functions.

A mechanism works on arrays over its instances (one per segment where it is
inserted, or one per point process). Every function is pure: it takes all it
needs as explicit arguments and returns new values, so `jit`, `vmap` and `grad`
apply. Hand-written mechanisms and ones translated from NMODL implement the
same protocol.

Conventions (NEURON's):
- density mechanism currents are [mA/cm2]; point-process currents [nA] (the
  solver scales them by 1e2/area);
- `v` [mV], `t` and `dt` [ms], `celsius` [degC];
- ion variables are named as in NMODL: `ena`, `nai`, `nao`, `ina`, `cai`, ...

How the solver (`bridge.solver.step`) calls a mechanism, per step, in NEURON's
type order:
- `prepare(env)` once per run (env.t = 0), inside the traced run: TABLEs may be
  built from `env.celsius` and traced globals;
- `current` at the step midpoint t_n + dt/2, first at v + 0.001 then at v; the
  conductance is the finite difference of the total current (ion currents in the
  returned dict's order, then the nonspecific one); the state of the second call
  is kept;
- `advance` at t_{n+1} with the new v (staggered, as NEURON's nrn_state);
- `init` at t = 0 after the ions' own initialisation (cinit/einit), then one
  `current` evaluation at v_init (NEURON's last setup_tree_matrix in finitialize).
`ions` holds, per instance, every ion variable named in the mechanism's USEION
read and write lists (an ion current there is the sum so far, in type order; in
`advance` it is the step's full sum). Values returned by `init`/`advance` under
an ion variable name (e, ci, co) are stored back at the instance's node.
A mechanism with a `pointers` attribute (POINTER names; a point process's, connected
by HOC's `setpointer` to a segment's v) finds each one's per-instance value in `ions`
too: v at the target node when the block runs (for `current`, the step's start v, not
v + 0.001, as NEURON's nrn_cur reads `*_p_vgap`). Writing through a POINTER is refused.
`env.globals` is keyed like `global_parameters`; users name a GLOBAL
`<key>_<suffix>` (the key as is when it already ends in `_<suffix>`). Keys
starting with `usetable` arrive as Python floats (static); all others as
traced scalars. `env.area`, `env.diam` are per-instance arrays in the run's
dtype; what a mechanism returns is cast to that dtype.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Array = Any  # a jax or numpy array over the mechanism's instances
Values = dict[str, Array]  # name -> per-instance array (or scalar for globals)


def played_key(name: str) -> str:
    """The parameter slot of a Vector.play into a RANGE ASSIGNED that no statement of its mechanism assigns
    (`is_xtra`): the mechanism reads the played value from there (bridge.hoc.play). A distinct key, so that
    an ASSIGNED's own name among the parameters stays its start value (`bridge.solver.plan.assigned_starts`)."""
    return f"__played__{name}"


def memory_key(name: str) -> str:
    """The key in a mechanism's globals (`Env.globals`, `solver.plan.Plan.static_globals`) of the value a file-level
    LOCAL or a GLOBAL ASSIGNED holds in NEURON's one C variable when the first finitialize() starts, as a HOC call
    of the mechanism's PROCEDURE left it (bridge.hoc.call_memory): INITIAL starts that variable from it."""
    return f"__memory__{name}"


@dataclass(frozen=True)
class IonUse:
    """One USEION statement: which ion variables the mechanism reads and writes."""

    ion: str  # "na", "k", "ca", or a new species
    read: tuple[str, ...] = ()  # e.g. ("ena",) or ("cai", "cao")
    write: tuple[str, ...] = ()  # e.g. ("ina",) or ("cai",)
    valence: float | None = None  # VALENCE if given


@dataclass(frozen=True)
class Env:
    """What a mechanism may read besides its own variables: time, step and globals."""

    t: Array  # [ms]
    dt: float  # [ms]
    celsius: float  # [degC]
    globals: Mapping[str, Array] = field(default_factory=dict)  # this mechanism's GLOBAL values
    tables: Any = None  # what `prepare` returned (e.g. TABLE arrays)
    area: Array | None = None  # [um2] per instance, for point processes and `area` in NMODL
    diam: Array | None = None  # [um] per instance, for `diam` in NMODL (e.g. calcium pumps)
    secondorder: int = 0  # NEURON's secondorder: derivimplicit/sparse SOLVEs then take dt/2 and extrapolate
    first: Mapping[str, Array] | None = None  # `prepare` only: RANGE PARAMETERs of the first instance (NEURON's
    # TABLE building reads a RANGE variable there)
    function_tables: Mapping[str, Any] | None = None  # FUNCTION_TABLE name -> its values (a tree's FunctionTable)
    state_discon: bool = True  # state_discontinuity() assigns (NEURON: not in fcurrent(), not in nrn_cur's 2nd run)


class Mechanism(Protocol):
    """A membrane mechanism or point process as the solver sees it.

    `params` holds the per-instance RANGE PARAMETERs; `state` holds STATEs and
    the per-instance ASSIGNED variables that must persist (all recordable);
    `ions` holds the ion variables the mechanism reads (and, for `advance` of a
    mechanism that writes a concentration, the summed ion current it reads).
    """

    @property
    def name(self) -> str:
        """SUFFIX or POINT_PROCESS name, e.g. "hh", "IClamp"."""

    @property
    def kind(self) -> str:
        """"density" (inserted in sections), "point" (a point process) or "artificial" (an ARTIFICIAL_CELL:
        no segment, events only; bridge.solver.events keeps its instances)."""

    @property
    def electrode_current(self) -> bool:
        """ELECTRODE_CURRENT: adds to rhs (+I) instead of subtracting."""

    @property
    def range_parameters(self) -> Mapping[str, float]:
        """Name -> default, per instance."""

    @property
    def global_parameters(self) -> Mapping[str, float]:
        """Name -> default, shared (usetable_<suffix> included)."""

    @property
    def state_defaults(self) -> Mapping[str, float]:
        """STATE and kept ASSIGNED names -> value before INITIAL."""

    @property
    def states(self) -> tuple[str, ...]:
        """The STATE names among `state_defaults`."""

    @property
    def ions(self) -> tuple[IonUse, ...]: ...

    def prepare(self, env: Env) -> Any:
        """Precompute what does not change during a run (TABLEs, given globals and celsius)."""

    def init(self, params: Values, state: Values, v: Array, ions: Values, env: Env) -> tuple[Values, Values]:
        """INITIAL block at v. Returns (state, ion values written, e.g. {"cai": ...})."""

    def current(self, params: Values, state: Values, v: Array, ions: Values, env: Env) -> tuple[Array, Values, Values]:
        """BREAKPOINT currents at v. Returns (nonspecific current, {"ina": ...}, state with assigned updated).

        The solver calls it at v + 0.001 and at v for NEURON's finite-difference
        conductance, the second call on the state the first returned (nocmodl's nrn_cur), and keeps the
        state of the second call. A mechanism whose di/dv NEURON computes otherwise (KSChan's `jacob`) has a
        method `current_and_slope(params, state, v, ions, env)` instead, returning (state, nonspecific current,
        ion currents, di/dv of the total, {"ina": dina/dv, ...}); the solver then calls only that.
        """

    def advance(self, params: Values, state: Values, v: Array, ions: Values, env: Env) -> tuple[Values, Values]:
        """SOLVE block(s) at the new v over one step env.dt. Returns (state, ion values written)."""
