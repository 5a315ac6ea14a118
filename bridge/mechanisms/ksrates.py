"""KSChan's rate functions at one voltage, in Python floats (kschan.h `KSChanFunction::f` and
kschan.cpp `KSTransition::ab`), as NEURON computes them: for HOC's `KSTrans.f` and for the
initial kinetic solve (`bridge.mechanisms.kschan`), where the last bit matters.

A function is (kind, parameters, vmin, vmax); kind 1 constant, 2 exp, 3 linoid, 4 sigmoid,
5/6 Borg-Graham inf/tau, 7 table."""

from __future__ import annotations

import math

from bridge.mechanisms.ions import BOLTZMANN, ELECTRON_CHARGE

E_OVER_K = 0.001 * ELECTRON_CHARGE / BOLTZMANN  # [K/mV] nrnunits.h `_e_over_k_codata2018`


def kexp(x: float) -> float:
    """KSChanFunction::Exp: exp with its argument clamped to [-700, 700]."""
    return math.exp(min(max(x, -700.0), 700.0))


def rate_at(kind: int, c, vmin: float, vmax: float, v: float, celsius: float) -> tuple[float, float | None]:
    """f(v), and for kinds 5/6 the other of (inf, tau) [1/ms or ms]."""
    if kind == 1:
        return c[0], None
    if kind == 2:
        return c[0] * kexp(c[1] * (v - c[2])), None
    if kind == 3:
        x = c[1] * (v - c[2])
        return (c[0] * x / (1 - kexp(-x)) if abs(x) > 1e-6 else c[0] * (1 + x / 2.0)), None
    if kind == 4:
        return c[0] / (1.0 + kexp(c[1] * (v - c[2]))), None
    if kind in (5, 6):
        x = E_OVER_K / (273.15 + celsius) * c[2] * (v - c[1])
        ap = c[0] * kexp(c[3] * x)
        bp = c[0] * kexp((c[3] - 1.0) * x)
        tau = 1 / (ap + bp)
        inf = ap * tau
        tau += c[4]
        return (inf, tau) if kind == 5 else (tau, inf)
    if kind == 7:  # KSChanTable::f
        if v <= vmin:
            return c[0], None
        if v >= vmax:
            return c[len(c) - 1], None
        x = (v - vmin) * ((len(c) - 1) / (vmax - vmin))
        i = int(x)
        x -= math.floor(x)
        return c[i] + (c[i + 1] - c[i]) * x, None
    raise ValueError(f"KSChan rate function type {kind} is not one of NEURON's 1..7")


def alpha_beta_at(kind: int, f0, f1, v: float, celsius: float) -> tuple[float, float]:
    """KSTransition::ab for a transition of `kind` (0 alpha/beta, 1 inf/tau); f0, f1 as (kind, c, vmin, vmax)."""
    a, other = rate_at(*f0, v, celsius)
    if f0[0] == 5 and f1[0] == 6:
        b = other
    else:
        b, _ = rate_at(*f1, v, celsius)
    if kind == 1:
        return a / b, (1.0 - a) / b
    return a, b
