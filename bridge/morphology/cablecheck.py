"""Cable values NEURON refuses or computes NaN from, refused with the section and the file:line.

NEURON 9.0.2, tried value by value (tests/hoc/test_cable_values.py): `nseg` outside 1..32767
is refused where it is assigned; a diameter <= 0 at finitialize (nrn_area_ri); Ra = 0, a NaN
or infinite Ra, L or diameter, a NaN cm and 3-D points that are not finite as float32 give NaN
voltages. bridge refuses all of these when the model is built, naming the section and, for a
HOC model, where the value was set (`Section.origin`). What NEURON computes with (Ra < 0, cm <= 0
or cm = inf, L <= 0 taken as 1e-9 um) bridge computes with too.
"""

from __future__ import annotations

import math

import numpy as np

from bridge.errors import BridgeError
from bridge.morphology.tree import MAX_NSEG, Section


def segment_x(sec: Section, j: int) -> float:
    """x of pnode j's segment centre (pnode order: reversed for a section connected by its 1-end)."""
    x = (j + 0.5) / sec.nseg
    return 1.0 - x if sec.child_end == 1.0 else x


def cable_error(sec: Section, message: str, *fields: str) -> BridgeError:
    """A BridgeError about `sec`, at the model file location where the first of `fields` that has
    one was set (`Section.origin`); the other fields' locations are named in the message."""
    found = [(f, sec.origin[f]) for f in fields if f in sec.origin]
    if not found:
        return BridgeError(f"section {sec.name}: {message}")
    (_, first), rest = found[0], found[1:]
    also = "; ".join(f"{f} set at {o.location}" for f, o in rest if o.location != first.location)
    return BridgeError(f"section {sec.name}: {message}" + (f" ({also})" if also else ""), first.location, first.source)


def check_cable(sec: Section) -> None:
    """Refuse the cable values NEURON computes NaN from (or refuses), naming the section and where
    the value was set: nseg outside 1..32767, Ra zero or not finite (nrn_area_ri divides by it),
    L or a diameter not finite, a diameter <= 0, cm NaN, 3-D points that are not finite as float32,
    per-segment arrays of the wrong length. Negative Ra or cm, L <= 0 (NEURON uses 1e-9) and cm = inf
    are what NEURON computes with, and so does bridge."""
    nseg = sec.nseg
    if not isinstance(nseg, (int, np.integer)) or not 1 <= nseg <= MAX_NSEG:
        raise cable_error(sec, f"nseg = {nseg} (NEURON allows 1 to {MAX_NSEG})", "nseg")
    for name in ("diam", "cm"):
        if np.shape(getattr(sec, name)) != (nseg,):
            raise cable_error(sec, f"{name} has shape {np.shape(getattr(sec, name))}, "
                                   f"not one value per segment ({nseg})")
    for mech, values in sec.mechanisms.items():
        for var, arr in values.items():
            if np.shape(arr) != (nseg,):
                raise cable_error(sec, f"{mech} {var} has shape {np.shape(arr)}, not one value per segment ({nseg})")
    ra = float(sec.Ra)
    if ra == 0.0 or not math.isfinite(ra):
        raise cable_error(sec, f"Ra = {ra:g} ohm cm; NEURON's axial resistance then is 0 or not finite and its "
                               "voltages become NaN (Ra must be finite and nonzero)", "Ra")
    cm = np.asarray(sec.cm, dtype=float)
    if np.isnan(cm).any():
        j = int(np.flatnonzero(np.isnan(cm))[0])
        raise cable_error(sec, f"cm = nan at {sec.name}({(j + 0.5) / nseg:g}); NEURON's voltages become NaN", "cm")
    if sec.pt3d is not None and len(sec.pt3d) > 0:
        with np.errstate(over="ignore", invalid="ignore"):
            pts = np.asarray(sec.pt3d, dtype=float).reshape(-1, 4).astype(np.float32)  # as NEURON stores them
        bad = ~np.isfinite(pts).all(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            x, y, z, d = (float(v) for v in pts[i])
            raise cable_error(sec, f"3-D point {i} is ({x:g}, {y:g}, {z:g}, diam {d:g}) um as float32; NEURON's L, "
                                   "area and voltages become NaN", "pt3d nonfinite", "pt3d")
    if not sec.has_pt3d():
        if not math.isfinite(float(sec.L)):
            raise cable_error(sec, f"L = {float(sec.L):g} um; NEURON's area and voltages become NaN", "L")
        diam = np.asarray(sec.diam, dtype=float)
        bad = ~np.isfinite(diam)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise cable_error(sec, f"diam = {diam[j]:g} um at {sec.name}({(j + 0.5) / nseg:g}); NEURON's area and "
                                   "voltages become NaN", "diam")


def check_geometry(sec: Section, geo) -> None:
    """Refuse a section geometry (`nodes.SectionGeometry`) whose areas or axial conductances are not
    finite (a diameter so small that its square underflows, ...): NEURON's voltages are NaN with it."""
    for what, values, unit in (("area", geo.area, "um2"), ("axial conductance 1/ri", geo.rinv, "uS")):
        bad = ~np.isfinite(values)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            where = f"{sec.name}({segment_x(sec, j):g})" if j < sec.nseg else f"the end of {sec.name}"
            raise cable_error(sec, f"the {what} at {where} is {values[j]:g} {unit} (L = {geo.L:g} um, "
                                   f"diam = {float(np.min(geo.diam)):g} um at its smallest, "
                                   f"Ra = {float(sec.Ra):g} ohm cm); "
                                   "NEURON's voltages become NaN", *geometry_fields(sec))


def geometry_fields(sec: Section) -> tuple[str, ...]:
    """The `Section.origin` fields a section's geometry comes from: its 3-D points, or L, diam and Ra."""
    return ("pt3d", "Ra") if sec.has_pt3d() else ("diam", "L", "Ra")
