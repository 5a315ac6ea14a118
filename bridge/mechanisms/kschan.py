"""NEURON's KSChan (channels defined at run time, e.g. by the ChannelBuilder) as a JAX mechanism.

A `KSChanSpec` is plain data (names, numbers); `KSChanMechanism` implements the solver's
`Mechanism` protocol from it directly, reproducing NEURON's own arithmetic (src/nrniv/kschan.cpp,
kschan.h) rather than translating generated NMODL text, because KSChan's fixed step is not any
NMODL method:
- HH gates: `s += (inf - s)*(1 - Exp(-dt/tau))`, `Exp` clamped at +-700 (`KSChan::state`);
- kinetic gates: one implicit Euler step `(M - 1/dt) y = -y/dt` (`KSChan::mat_dt`, `solvemat`)
  with Sparse 1.3's pivot order and arithmetic (`bridge.mechanisms.sparse13`);
- initialisation (`KSChan::init`): HH gates at `inf(v) = a/(a+b)`, kinetic gates one implicit
  step of 1e9 ms from their first state, computed in Python floats (`_initial`);
- currents: `KSIv::cur` (ohmic), `KSIvghk::cur` (GHK), `KSIvNonSpec::cur`, and for point
  processes their `KSPPIv` forms (nA; GHK's `* 1e6` from cm3/s); the di/dv the solver adds to the
  matrix is NEURON's `jacob` (`current_and_slope`): g itself, for GHK `(g ghk(v + .001) - i)*1000`;
- `exp` is C's where `bridge.mechanisms.cexp` has it (glibc's under parity arithmetic).
Writing the arithmetic here keeps it exact, and no model text becomes code: a KSChan is only
names and numbers.

Supported: density channels and point processes (`new KSChan(1)`), HH-style gates (`add_hhstate`)
and kinetic-scheme gates (`add_ksstate`, `add_transition`), voltage-gated transitions of type 0 (alpha, beta) and 1
(inf, tau) with the rate functions of kschan.h (1 constant, 2 exp, 3 linoid, 4 sigmoid,
5/6 Borg-Graham inf/tau, 7 table), ohmic (ion or non-specific) and GHK currents. The caller
(`bridge.hoc.kschan`) refuses the rest (single channels, ligand transitions, rate tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError
from bridge.mechanisms import cexp, sparse13
from bridge.mechanisms.ions import FARADAY, ktf
from bridge.mechanisms.ksrates import E_OVER_K, alpha_beta_at
from bridge.mechanisms.protocol import Env, IonUse, Values

INIT_DT = 1e9  # [ms] KSChan::init's implicit step to the steady state


@dataclass(frozen=True)
class RateFunction:
    """One KSChanFunction: `kind` 1..7 (kschan.h) and its parameters (`c`); vmin, vmax [mV] for tables."""

    kind: int
    c: tuple[float, ...]
    vmin: float = -100.0
    vmax: float = 50.0


@dataclass(frozen=True)
class Transition:
    """A KSTransition between states `src` and `target` (indices into `KSChanSpec.states`).

    `kind` 0: f0, f1 are alpha, beta [1/ms]; 1: f0, f1 are inf and tau [ms]."""

    src: int
    target: int
    kind: int
    f0: RateFunction
    f1: RateFunction


@dataclass(frozen=True)
class Gate:
    """A KSGateComplex: states sindex .. sindex + nstate - 1, conductance (sum frac*state)^power."""

    sindex: int
    nstate: int
    power: int


@dataclass(frozen=True)
class KSChanSpec:
    """What a density KSChan is when the model is built.

    `states`: (name, frac) in NEURON's order, the `nhh` HH states first; `transitions`: the `nhh`
    HH transitions (transition i belongs to HH state i), then the kinetic ones. `ion` is
    "NonSpecific" or an ion name; `iv_type` 0 ohmic, 1 ohmic (NEURON's "Nernst"), 2 GHK.
    `gmax` [S/cm2] (GHK: pmax [cm/s]), `erev` [mV] (non-specific only)."""

    name: str
    ion: str
    iv_type: int
    gmax: float
    erev: float
    states: tuple[tuple[str, float], ...]
    nhh: int
    gates: tuple[Gate, ...]
    transitions: tuple[Transition, ...]
    valence: float | None = None  # the ion's charge (GHK)
    point: bool = False  # `new KSChan(1)`: a point process, gmax [uS] (GHK: pmax [cm3/s]), i [nA]

    @property
    def nonspecific(self) -> bool:
        return self.ion == "NonSpecific"

    @property
    def ghk(self) -> bool:
        return not self.nonspecific and self.iv_type == 2

    def range_names(self) -> dict[str, str]:
        """Protocol name -> NEURON's range variable without suffix (gmax, e, g, i; GHK: pmax, p)."""
        p = "p" if self.ghk else "g"
        names = {"gmax": f"{p}max", "g": p, "i": "i"}
        if self.nonspecific:
            names["e"] = "e"
        return names


def _exp(x):
    """KSChanFunction::Exp: exp with its argument clamped to [-700, 700]."""
    return cexp.exp(jnp.clip(x, -700.0, 700.0))


def rate(f: RateFunction, v, celsius: float):
    """KSChanFunction::f(v) (kschan.h), and for types 5/6 also the other of (inf, tau)."""
    c = f.c
    if f.kind == 1:
        return c[0] + 0.0 * v, None
    if f.kind == 2:
        return c[0] * _exp(c[1] * (v - c[2])), None
    if f.kind == 3:
        x = c[1] * (v - c[2])
        small = jnp.abs(x) > 1e-6
        safe = jnp.where(small, x, 1.0)
        return jnp.where(small, c[0] * safe / (1 - _exp(-safe)), c[0] * (1 + x / 2.0)), None
    if f.kind == 4:
        return c[0] / (1.0 + _exp(c[1] * (v - c[2]))), None
    if f.kind in (5, 6):
        x = E_OVER_K / (273.15 + celsius) * c[2] * (v - c[1])
        ap = c[0] * _exp(c[3] * x)
        bp = c[0] * _exp((c[3] - 1.0) * x)
        tau = 1 / (ap + bp)
        inf = ap * tau
        tau = tau + c[4]
        return (inf, tau) if f.kind == 5 else (tau, inf)
    if f.kind == 7:
        table = jnp.asarray(c)
        dvinv = (len(c) - 1) / (f.vmax - f.vmin)
        x = (jnp.clip(v, f.vmin, f.vmax) - f.vmin) * dvinv
        i = jnp.clip(jnp.floor(x).astype(int), 0, len(c) - 2)
        inner = table[i] + (table[i + 1] - table[i]) * (x - jnp.floor(x))
        return jnp.where(v <= f.vmin, c[0], jnp.where(v >= f.vmax, c[-1], inner)), None
    raise BridgeError(f"KSChan rate function type {f.kind} is not one of NEURON's 1..7")


def _fn(f: RateFunction):
    return (f.kind, f.c, f.vmin, f.vmax)


def _f0_f1(t: Transition, v, celsius: float):
    a, other = rate(t.f0, v, celsius)
    if t.f0.kind == 5 and t.f1.kind == 6:  # KSTransition::ab/inftau: tau from f0's evaluation
        return a, other
    b, _ = rate(t.f1, v, celsius)
    return a, b


def alpha_beta(t: Transition, v, celsius: float):
    """KSTransition::ab."""
    a, b = _f0_f1(t, v, celsius)
    if t.kind == 1:
        return a / b, (1.0 - a) / b
    return a, b


def inf_tau(t: Transition, v, celsius: float):
    """KSTransition::inftau (the fixed step's HH update)."""
    a, b = _f0_f1(t, v, celsius)
    if t.kind != 1:
        s = 1.0 / (a + b)
        return a * s, s
    return a, b


def steady(t: Transition, v, celsius: float):
    """KSTransition::inf (initialisation): f0 for type 1, else f0/(f0 + f1), f1 evaluated with its own
    parameters even after a Borg-Graham inf (kschan.h `inf`; `ab` and `inftau` take f0's tau instead)."""
    if t.kind == 1:
        return rate(t.f0, v, celsius)[0]
    a = rate(t.f0, v, celsius)[0]
    b = rate(t.f1, v, celsius)[0]
    return a / (a + b)


def ghk(v, ci, co, z: float, celsius: float):
    """eion.cpp nrn_ghk [mA/cm2 per cm/s]."""
    temp = z * v / ktf(celsius)

    def efun(x):
        small = jnp.abs(x) < 1e-4
        safe = jnp.where(small, 1.0, x)
        return jnp.where(small, 1.0 - x / 2.0, safe / (cexp.exp(safe) - 1))  # C's exp, not hoc_Exp

    return 0.001 * z * FARADAY * (ci * efun(-temp) - co * efun(temp))


@dataclass(frozen=True, eq=False)
class KSChanMechanism:
    """A density KSChan; implements `bridge.mechanisms.protocol.Mechanism`."""

    spec: KSChanSpec

    # -- protocol data ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return "point" if self.spec.point else "density"

    @property
    def electrode_current(self) -> bool:
        return False

    @property
    def range_parameters(self) -> Mapping[str, float]:
        names = self.spec.range_names()
        out = {names["gmax"]: self.spec.gmax}
        if self.spec.nonspecific:
            out["e"] = self.spec.erev
        return out

    @property
    def global_parameters(self) -> Mapping[str, float]:
        return {}

    @property
    def state_defaults(self) -> Mapping[str, float]:
        names = self.spec.range_names()
        out = {names["g"]: 0.0, "i": 0.0}
        out.update((name, 0.0) for name, _ in self.spec.states)
        return out

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.spec.states)

    @property
    def ions(self) -> tuple[IonUse, ...]:
        s = self.spec
        if s.nonspecific:
            return ()
        conc = (f"{s.ion}i", f"{s.ion}o")  # GHK reads them; "Nernst" (1) has the ion compute e from them
        read = conc if s.ghk else (f"e{s.ion}",) + (conc if s.iv_type == 1 else ())  # (kschan.cpp KSChan::alloc)
        return (IonUse(s.ion, read, (f"i{s.ion}",), None),)

    # -- functions -------------------------------------------------------------------------
    def prepare(self, env: Env) -> Any:
        return None

    def _matrix(self, v, dt: float, ab, zero):
        """KSChan::fillmat then mat_dt's diagonal: M - 1/dt of the kinetic states, as rows of elements
        (`ab(transition)` gives its alpha, beta). Each element is summed in NEURON's order with plain
        additions (a scatter-add would let XLA reorder the sum)."""
        s = self.spec
        n = len(s.states) - s.nhh
        m = [[zero for _ in range(n)] for _ in range(n)]
        for t in s.transitions[s.nhh:]:
            a, b = ab(t)
            i, j = t.src - s.nhh, t.target - s.nhh
            m[i][i] = m[i][i] - a
            m[i][j] = m[i][j] + b
            m[j][j] = m[j][j] - b
            m[j][i] = m[j][i] + a
        for i in range(n):
            m[i][i] = m[i][i] + (-1.0 / dt)
        return m

    def _pivots(self) -> list[int]:
        """Sparse 1.3's pivot order for the kinetic states' matrix (KSChan::setupmat's elements)."""
        s = self.spec
        n = len(s.states) - s.nhh
        structure = [[i == j for j in range(n)] for i in range(n)]
        for t in s.transitions[s.nhh:]:
            i, j = t.src - s.nhh, t.target - s.nhh
            structure[i][j] = structure[j][i] = True
        return sparse13.pivot_order(structure)

    def _kinetic_step(self, y, v, celsius, dt: float):
        """KSChan::mat_dt and solvemat: one implicit Euler step of the kinetic states (instances, n), solved
        as Sparse 1.3 solves it (`bridge.mechanisms.sparse13`)."""
        rhs = [y[..., k] * (-1.0 / dt) for k in range(y.shape[-1])]
        m = self._matrix(v, dt, lambda t: alpha_beta(t, v, celsius), jnp.zeros_like(v))
        return sparse13.solve_stacked(m, rhs, self._pivots())

    def _initial_float(self, v: float, celsius: float) -> list[float]:
        """KSChan::init's kinetic states at one instance, in Python floats (no FMA: NEURON's roundings)."""
        s = self.spec
        n = len(s.states) - s.nhh
        y = [0.0] * n
        for gate in s.gates:
            if gate.sindex >= s.nhh:
                y[gate.sindex - s.nhh] = 1.0

        def ab(t: Transition):
            return alpha_beta_at(t.kind, _fn(t.f0), _fn(t.f1), v, celsius)

        m = self._matrix(v, INIT_DT, ab, 0.0)
        return sparse13.solve(m, [x * (-1.0 / INIT_DT) for x in y], self._pivots())

    def _initial(self, v, celsius):
        """The kinetic states after KSChan::init (instances, n). The 1e9 ms step is so ill-conditioned that
        XLA's fused multiply-adds would change the result in its 8th digit: it is computed in Python
        floats (a callback), its derivative from the same arithmetic in JAX."""
        s = self.spec
        n = len(s.states) - s.nhh
        y0 = jnp.stack([jnp.zeros_like(v)] * n, axis=-1)
        for gate in s.gates:
            if gate.sindex >= s.nhh:
                y0 = y0.at[..., gate.sindex - s.nhh].set(1.0)

        def host(v, celsius):
            v = np.asarray(v, dtype=float)
            c = np.broadcast_to(np.asarray(celsius, dtype=float), v.shape)
            out = [self._initial_float(float(x), float(t)) for x, t in zip(v.ravel(), c.ravel())]
            return np.asarray(out, dtype=float).reshape(v.shape + (n,))

        @jax.custom_jvp
        def initial(v, celsius):
            shape = jax.ShapeDtypeStruct(jnp.shape(v) + (n,), jnp.result_type(v))
            return jax.pure_callback(host, shape, v, celsius, vmap_method="broadcast_all")

        @initial.defjvp
        def _jvp(primals, tangents):
            out = initial(*primals)
            _, dout = jax.jvp(lambda v, c: self._kinetic_step(y0, v, c, INIT_DT), primals, tangents)
            return out, dout

        return initial(v, jnp.asarray(celsius, dtype=jnp.result_type(v)))

    def _unpack(self, state: Values, v):
        return [jnp.zeros_like(v) + state[name] for name, _ in self.spec.states]

    def _pack(self, state: Values, values) -> Values:
        out = dict(state)
        out.update((name, x) for (name, _), x in zip(self.spec.states, values))
        return out

    def _kinetic(self, values, v, env: Env, dt: float | None):
        """The kinetic states after one step of dt, or (dt None) after KSChan::init's."""
        s = self.spec
        if len(s.states) == s.nhh:
            return values
        if dt is None:
            y = self._initial(v, env.celsius)
        else:
            y = self._kinetic_step(jnp.stack(values[s.nhh:], axis=-1), v, env.celsius, dt)
        return values[:s.nhh] + [y[..., k] for k in range(y.shape[-1])]

    def init(self, params: Values, state: Values, v, ions: Values, env: Env):
        """KSChan::init: states 0, each gate's first state 1, HH states inf(v), kinetic states one 1e9 ms step."""
        s = self.spec
        values = [jnp.zeros_like(v) for _ in s.states]
        for gate in s.gates:
            values[gate.sindex] = jnp.ones_like(v)
        for k in range(s.nhh):
            values[k] = jnp.zeros_like(v) + steady(s.transitions[k], v, env.celsius)
        values = self._kinetic(values, v, env, None)
        return self._pack(state, values), {}

    def advance(self, params: Values, state: Values, v, ions: Values, env: Env):
        """KSChan::state without rate tables."""
        s = self.spec
        values = self._unpack(state, v)
        for k in range(s.nhh):
            inf, tau = inf_tau(s.transitions[k], v, env.celsius)
            tau = 1.0 - _exp(-env.dt / tau)
            values[k] = values[k] + (inf - values[k]) * tau
        values = self._kinetic(values, v, env, env.dt)
        return self._pack(state, values), {}

    def conductance(self, params: Values, values):
        """KSChan::conductance: gmax times the product of KSGateComplex::conductance."""
        s = self.spec
        g: Any = 1.0
        for gate in s.gates:
            x: Any = 0.0
            for k in range(gate.sindex, gate.sindex + gate.nstate):
                x = x + values[k] * s.states[k][1]
            if gate.power == 1:
                gc = x
            elif gate.power == 2:
                gc = x * x
            elif gate.power == 3:
                gc = x * x * x
            elif gate.power == 4:
                x = x * x
                gc = x * x
            else:
                gc = jnp.power(x, float(gate.power))
            g = g * gc
        names = s.range_names()
        return params.get(names["gmax"], s.gmax) * g

    def _iv(self, g, v, ions: Values, env: Env):
        """The ion current of conductance (GHK: permeability) g at v: KSIv::cur, KSIvghk::cur [mA/cm2] and their
        KSPPIv forms [nA] (kschan.cpp; the point forms' scaling by 1e2/area is the solver's)."""
        s = self.spec
        if s.ghk:
            i = g * ghk(v, ions[f"{s.ion}i"], ions[f"{s.ion}o"], float(s.valence or 1.0), env.celsius)
            return i * 1e6 if s.point else i  # KSPPIvghk::cur: pmax [cm3/s] * [mA/cm3] -> nA
        return g * (v - ions[f"e{s.ion}"])

    def current(self, params: Values, state: Values, v, ions: Values, env: Env):
        """KSChan::cur: the KSIv, KSIvghk or KSIvNonSpec current [mA/cm2] (point process: [nA])."""
        s = self.spec
        names = s.range_names()
        g = jnp.zeros_like(v) + self.conductance(params, self._unpack(state, v))
        if s.nonspecific:
            i = g * (v - params.get("e", s.erev))
        else:
            i = self._iv(g, v, ions, env)
        out = {**state, names["g"]: g, "i": i}
        if s.nonspecific:
            return i, {}, out
        return jnp.zeros_like(i), {f"i{s.ion}": i}, out

    def current_and_slope(self, params: Values, state: Values, v, ions: Values, env: Env):
        """KSChan::cur then KSChan::jacob at v: (state, current, ion currents, di/dv, ion di/dv). NEURON's di/dv
        of a KSChan is its conductance g (KSIv::jacob, KSIvNonSpec::jacob), for GHK the difference
        (g ghk(v + 0.001) - i)*1000 (KSIvghk::jacob), not nrn_cur's finite difference of the whole current."""
        s = self.spec
        i_ns, ion_i, out = self.current(params, state, v, ions, env)
        g, i = out[s.range_names()["g"]], out["i"]
        if s.ghk:
            didv = (self._iv(g, v + 0.001, ions, env) - i) * 1000.0
        else:
            didv = g
        if s.nonspecific:
            return out, i_ns, ion_i, didv, {}
        return out, i_ns, ion_i, didv, {f"i{s.ion}": didv}
