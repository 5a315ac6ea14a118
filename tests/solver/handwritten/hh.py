"""hh: NEURON's Hodgkin-Huxley squid channels (hh.mod), with its rate TABLE.

As nocmodl generates it: `rates(v)` is tabulated at v = -100, -99, ..., 100 mV
(201 points, rebuilt from `celsius`) and linearly interpolated when
`usetable_hh` is 1 (the default); the states advance with cnexp in nocmodl's
exact algebraic form, using the new v. Units: g [S/cm2], v and e [mV],
currents [mA/cm2], tau [ms].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jax.numpy as jnp

from bridge.mechanisms.protocol import Env, IonUse, Values

_TABLE_NAMES = ("minf", "mtau", "hinf", "htau", "ninf", "ntau")
_TMIN, _TMAX, _TN = -100.0, 100.0, 200


def _vtrap(x, y):
    """x/(exp(x/y) - 1), or its limit y*(1 - x/y/2) when |x/y| < 1e-6 (NaN-safe for gradients)."""
    small = jnp.abs(x / y) < 1e-6
    denom = jnp.where(small, 1.0, jnp.exp(x / y) - 1.0)
    return jnp.where(small, y * (1.0 - x / y / 2.0), x / denom)


def rates_exact(v, celsius) -> dict:
    """hh.mod's PROCEDURE rates(v) without the table: steady states and time constants."""
    q10 = jnp.power(3.0, (celsius - 6.3) / 10.0)
    alpha = 0.1 * _vtrap(-(v + 40.0), 10.0)
    beta = 4.0 * jnp.exp(-(v + 65.0) / 18.0)
    s = alpha + beta
    mtau, minf = 1.0 / (q10 * s), alpha / s
    alpha = 0.07 * jnp.exp(-(v + 65.0) / 20.0)
    beta = 1.0 / (jnp.exp(-(v + 35.0) / 10.0) + 1.0)
    s = alpha + beta
    htau, hinf = 1.0 / (q10 * s), alpha / s
    alpha = 0.01 * _vtrap(-(v + 55.0), 10.0)
    beta = 0.125 * jnp.exp(-(v + 65.0) / 80.0)
    s = alpha + beta
    ntau, ninf = 1.0 / (q10 * s), alpha / s
    return {"minf": minf, "mtau": mtau, "hinf": hinf, "htau": htau, "ninf": ninf, "ntau": ntau}


def rate_table(celsius) -> dict:
    """The 201-point TABLE of rates over [-100, 100] mV (x += 1.0, exact integers)."""
    x = _TMIN + jnp.arange(_TN + 1, dtype=jnp.result_type(celsius)) * ((_TMAX - _TMIN) / _TN)
    return rates_exact(x, celsius)


def rates_from_table(v, table: dict) -> dict:
    """nocmodl's table lookup: xi = (v - tmin)/dx, clamp to the ends, else linear interpolation; NaN passes."""
    xi = 1.0 * (v - _TMIN)
    i = jnp.clip(jnp.floor(xi), 0, _TN - 1)
    theta = (xi - i)[..., None]
    i = jnp.where(jnp.isnan(i), 0, i).astype(jnp.int32)
    stacked = jnp.stack([table[name] for name in _TABLE_NAMES], axis=-1)  # (201, 6): one gather per row
    lo, hi = stacked[i], stacked[i + 1]
    val = lo + theta * (hi - lo)
    val = jnp.where((xi <= 0.0)[..., None], stacked[0], jnp.where((xi >= _TN)[..., None], stacked[_TN], val))
    return {name: val[..., k] for k, name in enumerate(_TABLE_NAMES)}


def _cnexp(x, xinf, tau, dt):
    """nocmodl's cnexp for x' = (xinf - x)/tau: x + (1 - exp(dt*(-1/tau)))*(-(xinf/tau)/(-1/tau) - x)."""
    return x + (1.0 - jnp.exp(dt * ((-1.0) / tau))) * (-(xinf / tau) / ((-1.0) / tau) - x)


@dataclass(frozen=True)
class HH:
    """Hodgkin-Huxley Na, K and leak. Parameters gnabar, gkbar, gl [S/cm2], el [mV]; states m, h, n."""

    name: str = "hh"
    kind: str = "density"
    electrode_current: bool = False
    range_parameters: dict = field(
        default_factory=lambda: {"gnabar": 0.12, "gkbar": 0.036, "gl": 0.0003, "el": -54.3}
    )
    global_parameters: dict = field(default_factory=lambda: {"usetable": 1.0})
    state_defaults: dict = field(
        default_factory=lambda: {
            "m": 0.0, "h": 0.0, "n": 0.0, "gna": 0.0, "gk": 0.0, "il": 0.0,
            "minf": 0.0, "hinf": 0.0, "ninf": 0.0, "mtau": 0.0, "htau": 0.0, "ntau": 0.0,
        }
    )
    states: tuple = ("m", "h", "n")
    ions: tuple[IonUse, ...] = (IonUse("na", read=("ena",), write=("ina",)), IonUse("k", read=("ek",), write=("ik",)))

    def prepare(self, env: Env):
        return rate_table(env.celsius)

    def _rates(self, v, env: Env) -> dict:
        usetable = env.globals.get("usetable", 1.0)
        if isinstance(usetable, (int, float)):  # a static setting: trace one branch only
            return rates_from_table(v, env.tables) if usetable else rates_exact(v, env.celsius)
        tab, exact = rates_from_table(v, env.tables), rates_exact(v, env.celsius)
        return {k: jnp.where(usetable != 0, tab[k], exact[k]) for k in tab}

    def init(self, params: Values, state: Values, v, ions: Values, env: Env):
        r = self._rates(v, env)
        return {**state, **r, "m": r["minf"], "h": r["hinf"], "n": r["ninf"]}, {}

    def current(self, params: Values, state: Values, v, ions: Values, env: Env):
        m, h, n = state["m"], state["h"], state["n"]
        gna = params["gnabar"] * m * m * m * h
        ina = gna * (v - ions["ena"])
        gk = params["gkbar"] * n * n * n * n
        ik = gk * (v - ions["ek"])
        il = params["gl"] * (v - params["el"])
        return il, {"ina": ina, "ik": ik}, {**state, "gna": gna, "gk": gk, "il": il}

    def advance(self, params: Values, state: Values, v, ions: Values, env: Env):
        r = self._rates(v, env)
        new = {
            "m": _cnexp(state["m"], r["minf"], r["mtau"], env.dt),
            "h": _cnexp(state["h"], r["hinf"], r["htau"], env.dt),
            "n": _cnexp(state["n"], r["ninf"], r["ntau"], env.dt),
        }
        return {**state, **r, **new}, {}
