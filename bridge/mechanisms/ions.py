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

A model's own `ion_style("ca_ion", c_style, e_style, einit, eadvance, cinit)` replaces
these flags on a section (`style_bits`; mechanisms inserted later promote it again,
`promote`); the solver then follows the bits it was given (`IonStyle.overridden`).

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
    """Nernst potential [mV], NEURON's `nrn_nernst`: ci <= 0 gives 1e6, co <= 0 gives -1e6, valence 0 gives 0."""
    if valence == 0:
        return jnp.zeros_like(jnp.asarray(ci, dtype=float) + co)
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


# eion.cpp's per-node style bitmap (comment after `nrn_promote`): 03 concentration style,
# 04 cinit, 030 reversal-potential style, 040 einit, 0100 eadvance, 0200/0400 ci/co written.
CINIT, EINIT, EADVANCE, WRITES_CI, WRITES_CO = 0o4, 0o40, 0o100, 0o200, 0o400
STYLE_MASK = 0o177  # the bits ion_style() sets; nrn_promote clears and recomputes them


def style_bits(c_style: float, e_style: float, einit: float, eadvance: float, cinit: float) -> int:
    """The bitmap of `ion_style(name, c_style, e_style, einit, eadvance, cinit)` (eion.cpp `ion_style`);
    out-of-range arguments raise, as NEURON's `chkarg` does."""
    for value, low, high, what in ((c_style, 0, 3, "c_style"), (e_style, 0, 3, "e_style"), (einit, 0, 1, "einit"),
                                   (eadvance, 0, 1, "eadvance"), (cinit, 0, 1, "cinit")):
        if not low <= value <= high:
            raise BridgeError(f"ion_style: {what} = {value:g} is outside [{low}, {high}]")
    return int(c_style) + 0o10 * int(e_style) + EINIT * int(einit) + EADVANCE * int(eadvance) + CINIT * int(cinit)


def promotion(ion: str, read: Iterable[str], write: Iterable[str]) -> tuple[int, int]:
    """(conc, rev) a mechanism's USEION promotes the ion to (nocmodl's `ion_promote`): conc 1 when it
    reads a concentration, 3 when it writes one; rev 1 when it reads e, 3 when it writes e."""
    names = variable_names(ion)
    conc_names = {names["ci"], names["co"]}
    read, write = set(read), set(write)
    conc = 3 if conc_names & write else (1 if conc_names & read else 0)
    rev = 3 if names["e"] in write else (1 if names["e"] in read else 0)
    return conc, rev


def promoted_use(ion: str, conc: int, rev: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, write): names a USEION reads and writes to promote `ion` to (conc, rev), the inverse of `promotion`."""
    names = variable_names(ion)
    read = ((names["ci"],) if conc == 1 else ()) + ((names["e"],) if rev == 1 else ())
    write = ((names["ci"],) if conc == 3 else ()) + ((names["e"],) if rev == 3 else ())
    return read, write


def promote(style: int, conc: int, rev: int) -> int:
    """NEURON's `nrn_promote` (eion.cpp): raise the concentration and reversal styles to at least
    (conc, rev), then recompute cinit, einit and eadvance from them (other bits kept)."""
    oldconc = max(style & 0o3, conc)
    oldrev = max((style & 0o30) >> 3, rev)
    if oldconc > 0 and oldrev < 2:
        oldrev = 2
    out = (style & ~STYLE_MASK) + oldconc + 0o10 * oldrev
    if oldconc == 3:
        out += CINIT
        if oldrev == 2:
            out += EADVANCE
    if oldconc > 0 and oldrev == 2:
        out += EINIT
    return out


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
              uses: Iterable[tuple[np.ndarray, Iterable[str], Iterable[str]]],
              overrides: Iterable[tuple[np.ndarray, int]] = ()) -> IonStyle:
    """Combine what the mechanisms at each node read and write into NEURON's ion_style flags.

    `uses` holds, per mechanism using this ion, (node indices, names read, names written);
    `overrides` (node indices, style bitmap) the styles a model set with `ion_style()`: on those
    nodes (where the ion is present) the bitmap's cinit, einit and eadvance bits decide.
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
    cinit, eadvance = writes_conc, writes_conc & ~writes_e
    for nodes, bits in overrides:
        nodes = np.asarray(nodes, dtype=np.int64)
        nodes = nodes[present[nodes]]
        cinit[nodes] = bool(bits & CINIT)
        einit[nodes] = bool(bits & EINIT)
        eadvance[nodes] = bool(bits & EADVANCE)
    return IonStyle(ion, float(valence), present, cinit, einit, eadvance)


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


def wrote_concentration(values: dict, style: IonStyle, nodes, celsius) -> dict:
    """NEURON's `nrn_wrote_conc` after the INITIAL block of a mechanism that writes a concentration
    (nocmodl `nocpout.cpp`): e = Nernst at its `nodes` where einit."""
    names = variable_names(style.ion)
    e = values[names["e"]]
    at = style.einit[nodes]
    if not at.any():
        return values
    ci, co = values[names["ci"]][nodes], values[names["co"]][nodes]
    new = jnp.where(at, nernst(ci, co, style.valence, celsius), e[nodes])
    return {**values, names["e"]: e.at[nodes].set(new)}


def begin_currents(values: dict, style: IonStyle, celsius) -> dict:
    """NEURON's `ion_cur` at the start of a current evaluation: zero current and slope, Nernst where eadvance."""
    names = variable_names(style.ion)
    zero = jnp.zeros_like(values[names["e"]])
    e = values[names["e"]]
    if style.eadvance.any():
        e = jnp.where(style.eadvance, nernst(values[names["ci"]], values[names["co"]], style.valence, celsius), e)
    return {**values, names["e"]: e, names["cur"]: zero, names["dcurdv"]: zero}
