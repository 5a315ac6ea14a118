"""Ions as NEURON keeps them: defaults, Nernst potentials and ion_style rules (eion.cpp).

Every ion used by a mechanism (USEION) gets per-node storage of its reversal
potential `e<ion>`, concentrations `<ion>i`, `<ion>o`, the summed current
`i<ion>` and its slope `di<ion>/dv`. Which mechanisms read or write which
variables decides, per node, what NEURON's `ion_style` does:

- only `e` is read: `e` keeps its default or user value (no Nernst);
- a concentration is read: `e` = Nernst once at initialisation (einit);
- a concentration is written: concentrations reset to `<ion>i0_<ion>_ion` /
  `<ion>o0_<ion>_ion` at initialisation (cinit) and Nernst at init and at
  every step (eadvance);
- `e` is written by a mechanism: no Nernst at all.

Units: e [mV], concentrations [mM], currents [mA/cm2], temperature [degC].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError

# NEURON 9 (2019 SI) constants, share/nrn/lib/nrnunits.lib.
ELECTRON_CHARGE = 1.602176634e-19  # [C]
AVOGADRO = 6.02214076e23  # [1/mol]
BOLTZMANN = 1.380649e-23  # [J/K]
FARADAY = ELECTRON_CHARGE * AVOGADRO  # 96485.33212331001 [C/mol]
GAS_CONSTANT = BOLTZMANN * AVOGADRO  # 8.31446261815324 [J/(K mol)]


@dataclass(frozen=True)
class IonDefaults:
    """NEURON's defaults for one ion species (membdef.h)."""

    valence: float
    e: float  # [mV]
    ci: float  # [mM]
    co: float  # [mM]


DEFAULTS: dict[str, IonDefaults] = {
    "na": IonDefaults(1.0, 50.0, 10.0, 140.0),
    "k": IonDefaults(1.0, -77.0, 54.4, 2.5),
    "ca": IonDefaults(2.0, 12.5 * math.log(2.0 / 5e-5), 5e-5, 2.0),
}


# The charge NEURON 9 keeps for a new ion no USEION gives a VALENCE (eion.cpp's VAL_SENTINAL):
# ion_reg("h", -10000.) is accepted and the model runs (`USEION h READ eh WRITE ih`).
NO_VALENCE = -10000.0


def ion_defaults(ion: str, valence: float | None = None) -> IonDefaults:
    """Defaults for `ion`; a new species starts at ci = co = 1, e = 0 and charge `NO_VALENCE`
    unless a USEION gives its VALENCE."""
    if ion in DEFAULTS:
        known = DEFAULTS[ion]
        return known if valence is None else IonDefaults(float(valence), known.e, known.ci, known.co)
    return IonDefaults(NO_VALENCE if valence is None else float(valence), 0.0, 1.0, 1.0)


def ktf(celsius):
    """RT/F [mV] at `celsius` [degC], computed as NEURON's `ktf`."""
    return 1000.0 * GAS_CONSTANT * (celsius + 273.15) / FARADAY


def nernst(ci, co, valence: float, celsius):
    """Nernst potential [mV], NEURON's `nrn_nernst`: ci <= 0 gives 1e6, co <= 0 gives -1e6."""
    ci_safe = jnp.where(ci > 0.0, ci, 1.0)
    co_safe = jnp.where(co > 0.0, co, 1.0)
    e = ktf(celsius) / valence * jnp.log(co_safe / ci_safe)
    return jnp.where(ci <= 0.0, 1e6, jnp.where(co <= 0.0, -1e6, e))


def variable_names(ion: str) -> dict[str, str]:
    """NMODL names of one ion's variables: e, ci, co, cur, dcurdv -> ena, nai, nao, ina, dinadv."""
    return {"e": f"e{ion}", "ci": f"{ion}i", "co": f"{ion}o", "cur": f"i{ion}", "dcurdv": f"di{ion}dv"}


def global_names(ion: str) -> dict[str, str]:
    """User-visible ion globals: initial concentrations `nai0_na_ion`, `nao0_na_ion`."""
    return {"ci0": f"{ion}i0_{ion}_ion", "co0": f"{ion}o0_{ion}_ion"}


@dataclass(frozen=True, eq=False)
class IonStyle:
    """Per-node ion_style flags of one ion (boolean arrays over all nodes)."""

    ion: str
    valence: float
    present: np.ndarray  # the node carries this ion (some mechanism there uses it)
    cinit: np.ndarray  # reset concentrations to ci0/co0 at init
    einit: np.ndarray  # Nernst at init
    eadvance: np.ndarray  # Nernst at every step (in ion_cur)


def ion_style(ion: str, valence: float, n: int,
              uses: Iterable[tuple[np.ndarray, Iterable[str], Iterable[str]]]) -> IonStyle:
    """Combine what the mechanisms at each node read and write into NEURON's ion_style flags.

    `uses` holds, per mechanism using this ion, (node indices, names read, names written).
    """
    names = variable_names(ion)
    conc = {names["ci"], names["co"]}
    present = np.zeros(n, bool)
    reads_conc = np.zeros(n, bool)
    writes_conc = np.zeros(n, bool)
    writes_e = np.zeros(n, bool)
    for nodes, read, write in uses:
        nodes = np.asarray(nodes, dtype=np.int64)
        present[nodes] = True
        if conc & set(read):
            reads_conc[nodes] = True
        if conc & set(write):
            writes_conc[nodes] = True
        if names["e"] in set(write):
            writes_e[nodes] = True
    einit = (reads_conc | writes_conc) & ~writes_e
    return IonStyle(ion, float(valence), present, writes_conc, einit, writes_conc & ~writes_e)


def initial_values(ion: str, defaults: IonDefaults, n: int,
                   user: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per-node e, ci, co before initialisation: NEURON's defaults, overridden where the user set a value (non-NaN)."""
    names = variable_names(ion)
    out = {
        names["e"]: np.full(n, defaults.e),
        names["ci"]: np.full(n, defaults.ci),
        names["co"]: np.full(n, defaults.co),
    }
    for name, values in (user or {}).items():
        if name not in out:
            raise BridgeError(f"{ion}_ion has no variable {name!r} (it has {', '.join(out)})")
        values = np.asarray(values, dtype=float)
        out[name] = np.where(np.isnan(values), out[name], values)
    return out


def initialize(values: dict, style: IonStyle, ci0, co0, celsius) -> dict:
    """NEURON's `ion_init` at finitialize: cinit resets concentrations, then einit sets e = Nernst."""
    names = variable_names(style.ion)
    ci = jnp.where(style.cinit, ci0, values[names["ci"]])
    co = jnp.where(style.cinit, co0, values[names["co"]])
    e = jnp.where(style.einit, nernst(ci, co, style.valence, celsius), values[names["e"]])
    return {**values, names["ci"]: ci, names["co"]: co, names["e"]: e}


def begin_currents(values: dict, style: IonStyle, celsius) -> dict:
    """NEURON's `ion_cur` at the start of a current evaluation: zero current and slope, Nernst where eadvance."""
    names = variable_names(style.ion)
    zero = jnp.zeros_like(values[names["e"]])
    e = values[names["e"]]
    if style.eadvance.any():
        e = jnp.where(style.eadvance, nernst(values[names["ci"]], values[names["co"]], style.valence, celsius), e)
    return {**values, names["e"]: e, names["cur"]: zero, names["dcurdv"]: zero}
