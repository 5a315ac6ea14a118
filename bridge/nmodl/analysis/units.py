"""Units as NEURON 9 understands them: physical constants and unit conversion factors.

NMODL uses units in two ways that change numbers:

- a UNITS block constant such as ``FARADAY = (faraday) (coulomb)`` or
  ``R = (k-mole) (joule/degC)`` is the conversion factor from the first unit
  to the second (96485.33212331001 and 8.31446261815324 in NEURON 9, which
  uses the 2019 SI values);
- a UNITS block alias such as ``(mM) = (milli/liter)`` names a unit used by
  later conversions.

Everything else about units (declarations like ``gnabar = .12 (S/cm2)``) is
documentation for ``modlunit`` and does not change the translated code.

The rules follow NEURON's unit database (``nrnunits.lib``, a descendant of the
Unix ``units`` program): a unit is a factor times a product of powers of the
primitive units m, kg, sec, coul, K, candela; ``mole`` is a pure number; a
name may carry a prefix spelled out in full (``milli``, ``micro``, ...) and a
plural ``s``; a trailing digit is a power (``cm2``); ``-`` and spaces multiply;
everything after ``/`` is in the denominator (``/mM2-ms`` is 1/(mM^2 ms)).
The table below is bridge's own compact subset of that database, enough for
the units neuroscience models use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.errors import SemanticError

# Primitive dimensions, in the order of `Unit.dims`.
DIMENSIONS = ("m", "kg", "sec", "coul", "K", "candela")

# Physical constants, 2019 SI (what NEURON 9's unit database holds).
ELEMENTARY_CHARGE = 1.602176634e-19  # e [coul]
AVOGADRO = 6.02214076e23  # mole [1]
BOLTZMANN = 1.380649e-23  # k [joule/K]
SPEED_OF_LIGHT = 2.99792458e8  # c [m/sec]
PLANCK = 6.62607015e-34  # [joule sec]
PI = 3.14159265358979323846

FARADAY = ELEMENTARY_CHARGE * AVOGADRO  # (faraday)(coulomb) = 96485.33212331001 [coul/mol]
GAS_CONSTANT = BOLTZMANN * AVOGADRO  # (k-mole)(joule/degC) = 8.31446261815324 [J/(K mol)]

# Full-word prefixes understood in front of any unit name.
PREFIXES: dict[str, float] = {
    "atto": 1e-18, "femto": 1e-15, "pico": 1e-12, "nano": 1e-9, "micro": 1e-6,
    "milli": 1e-3, "centi": 1e-2, "deci": 1e-1, "deka": 1e1, "hecta": 1e2,
    "hecto": 1e2, "kilo": 1e3, "mega": 1e6, "meg": 1e6, "giga": 1e9, "tera": 1e12,
}

# name -> definition in terms of earlier names (bridge's own table).
_DEFINITIONS: dict[str, str] = {
    # pure numbers and constants
    "pi": repr(PI), "two": "2", "fuzz": "1", "%": "0.01", "percent": "%",
    "mole": repr(AVOGADRO), "avogadro": "mole",
    "e": f"{ELEMENTARY_CHARGE!r} coul", "c": f"{SPEED_OF_LIGHT!r} m/sec",
    "boltzmann": f"{BOLTZMANN!r} joule/K", "k": "boltzmann",
    "faraday": "e-mole", "gasconstant": "k-mole", "R": "gasconstant",
    "planck": f"{PLANCK!r} joule-sec", "g": "9.80665 m/sec2", "force": "g",
    "radian": "0.5 / pi", "degree": "0.005555555555555556 pi-radian", "sr": "radian2",
    # time
    "second": "sec", "s": "sec", "minute": "60 sec", "min": "minute", "hour": "60 min",
    "hr": "hour", "day": "24 hr", "ms": "millisec", "hertz": "/sec", "hz": "/sec", "Hz": "hertz",
    # length, area, volume
    "meter": "m", "metre": "meter", "cm": "centimeter", "mm": "millimeter", "micron": "micrometer",
    "angstrom": "decinanometer", "inch": "2.54 cm", "in": "inch", "foot": "12 inch", "ft": "foot",
    "cc": "cm3", "liter": "kilocc", "litre": "liter", "ml": "milliliter",
    # mass
    "gram": "millikg", "gm": "gram", "gramme": "gram",
    # mechanics, energy
    "newton": "kg-m/sec2", "nt": "newton", "N": "newton", "dyne": "cm-gm/sec2",
    "joule": "nt-m", "erg": "cm2-gm/sec2", "cal": "4.1868 joule", "calorie": "cal",
    "watt": "joule/sec", "atmosphere": "1.01325e5 nt/m2", "atm": "atmosphere",
    # electricity
    "coulomb": "coul", "C": "coul", "ampere": "coul/sec", "amp": "ampere",
    "volt": "watt/amp", "V": "volt", "ohm": "volt/amp", "mho": "/ohm", "siemens": "/ohm",
    "farad": "coul/volt", "henry": "sec2/farad", "weber": "volt-sec", "tesla": "weber/m2",
    "ev": "e-volt", "eV": "e V", "debye": "3.336e-30 coul-m",
    # temperature
    "degC": "K", "kelvin": "K", "degF": "0.5555555555555556 degC",
}


@dataclass(frozen=True)
class Unit:
    """`factor` times the product of primitive units raised to `dims` (see DIMENSIONS)."""

    factor: float
    dims: tuple[int, ...] = (0,) * len(DIMENSIONS)

    def __mul__(self, other: Unit) -> Unit:
        return Unit(self.factor * other.factor, tuple(a + b for a, b in zip(self.dims, other.dims)))

    def __truediv__(self, other: Unit) -> Unit:
        return Unit(self.factor / other.factor, tuple(a - b for a, b in zip(self.dims, other.dims)))

    def dimension_text(self) -> str:
        parts = [f"{n}^{p}" if p != 1 else n for n, p in zip(DIMENSIONS, self.dims) if p]
        return " ".join(parts) or "1"


ONE = Unit(1.0)
_PRIMITIVES = {name: Unit(1.0, tuple(int(i == j) for j in range(len(DIMENSIONS)))) for i, name in enumerate(DIMENSIONS)}

_TOKEN = re.compile(r"\s*(?:(?P<num>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?(?:\|[0-9]*\.?[0-9]+)?)"
                    r"|(?P<name>[A-Za-z_%][A-Za-z_%]*?)(?P<pow>[0-9]*)(?=[^A-Za-z_%]|$)"
                    r"|(?P<op>[-/*^ ]))")


class UnitError(SemanticError):
    """A unit expression bridge cannot resolve, or two units that do not convert."""


def _lookup(name: str, defs: Mapping[str, Unit], depth: int = 0) -> Unit | None:
    """Resolve one unit name: user alias, table entry, plural, or prefix + name."""
    if depth > 20:
        return None
    if name in defs:
        return defs[name]
    if name in _PRIMITIVES:
        return _PRIMITIVES[name]
    if name in _DEFINITIONS:
        return parse_unit(_DEFINITIONS[name], defs, depth + 1)
    if name in PREFIXES:  # a prefix alone is a number: (milli/liter)
        return Unit(PREFIXES[name])
    if len(name) > 1 and name.endswith("s"):
        found = _lookup(name[:-1], defs, depth + 1)
        if found is not None:
            return found
    for prefix, factor in PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = _lookup(name[len(prefix):], defs, depth + 1)
            if rest is not None:
                return Unit(factor * rest.factor, rest.dims)
    return None


def parse_unit(text: str, defs: Mapping[str, Unit] | None = None, _depth: int = 0) -> Unit:
    """The `Unit` a unit expression such as ``mA/cm2``, ``(/mM2-ms)`` or ``.001 coul/cm3`` means.

    `defs` holds aliases from the file's UNITS block (``(mM) = (milli/liter)``).
    Raises `UnitError` for a name that is not in the table.
    """
    defs = defs or {}
    body = text.strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
    unit = ONE
    denominator = False
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if not match or match.end() == pos:
            raise UnitError(f"cannot read unit expression ({text.strip()!r}) at {body[pos:]!r}")
        pos = match.end()
        if match["op"]:
            if match["op"] == "/":
                denominator = True
            elif match["op"] == "^":
                raise UnitError(f"'^' in unit expression ({text.strip()!r}); write the power as a trailing digit (cm2)")
            continue
        if match["num"]:
            num, _, den = match["num"].partition("|")
            value = float(num) / float(den) if den else float(num)
            term, power = Unit(value), 1
        else:
            found = _lookup(match["name"], defs, _depth)
            if found is None:
                raise UnitError(f"unknown unit {match['name']!r} in ({text.strip()!r})")
            digits = match["pow"] or "1"
            if len(digits) > 2:  # checked before int(): a power of 2147483648 looped for hours
                raise UnitError(f"unit power {match['name']}{digits} in ({text.strip()!r}): at most 99")
            term, power = found, int(digits)
        for _ in range(power):
            unit = unit / term if denominator else unit * term
    return unit


def conversion_factor(source: str, target: str, defs: Mapping[str, Unit] | None = None) -> float:
    """The number NMODL's ``name = (source) (target)`` gives: how many `target` in one `source`.

    ``conversion_factor("faraday", "coulomb")`` is 96485.33212331001.
    Raises `UnitError` when the two do not have the same dimensions.
    """
    a = parse_unit(source, defs)
    b = parse_unit(target, defs)
    if a.dims != b.dims:
        raise UnitError(f"units ({source}) and ({target}) are not conformable: "
                        f"{a.dimension_text()} vs {b.dimension_text()}")
    if b.factor == 0:  # `(0 coulomb)`: no number converts to it
        raise UnitError(f"unit ({target}) is zero: no conversion factor from ({source})")
    return a.factor / b.factor
