"""NEURON's `Impedance` without its `extended` argument: the membrane linearised at the present state and
the complex tree system solved at one frequency (src/nrniv/impedanc.cpp, `Imp::compute`).

`linearised_matrix` is `Imp::setmat1`: NEURON's `nrn_rhs` and `nrn_lhs` with cj = 0, so the diagonal holds
every mechanism's di/dv (the fixed step's finite difference at v + 0.001, point processes scaled by
1e2/area, electrode currents with the opposite sign), a LinearMechanism's own g on the rows of the node
potentials it couples (treeset.cpp `nrn_lhs`: `nrndae_lhs` adds cj c + g to the sparse13 matrix, then
`update_actual_d_based_on_sp13_mat` copies its diagonal into the node's d; `Imp` reads that d alone, so g off the
diagonal, c and the extra states are not seen) plus the axial terms, and no capacitance. Extracellular's
layers are not in it either (`nrn_setup_ext` writes the layers' elements, never the node's d); the
currents it evaluates are left in the model as NEURON's `nrn_rhs` leaves them. `solve` is `Imp::setmat`,
`LUDecomp` and `solve`: the diagonal `d + j*omega*cm` (omega = 1e-6 * 2*pi*f, so omega*cm is in S/cm2),
1 nA injected at the stimulus node (1e2/area), Hines elimination in complex128 in NEURON's node order.
The results are in MOhm (transfer: v at each node per nA at the stimulus node; input: v at each node per
nA injected there). Units: f [Hz], d [S/cm2 on membrane rows], cm [uF/cm2], area [um2].
"""

from __future__ import annotations

import numpy as np

from bridge.morphology.nodes import NodeLayout
from bridge.solver.plan import Plan
from bridge.solver.step import mechanism_currents, prepare

PI = 3.14159265358979323846  # impedanc.cpp's literal


def omega_of(freq: float) -> float:
    """`Imp::compute`'s omega for `freq` [Hz]: 1e-6 * 2 * pi * f (omega*cm is then in S/cm2)."""
    return 1e-6 * 2 * PI * freq


def linearised_matrix(plan: Plan, params: dict, state: dict, dt: float, secondorder: int):
    """`Imp::setmat1`: (the tree matrix's diagonal with cj = 0, the state after NEURON's `nrn_rhs`).

    The diagonal is the mechanisms' di/dv in type order, the LinearMechanisms' g on their node rows, then the
    axial terms (treeset.cpp `nrn_lhs`: `D[i] -= B[i]`, `D[parent] -= A[i]`)."""
    prepared = prepare(plan, params, dt, secondorder)
    d, _, mech, ions = mechanism_currents(plan, params, prepared, state, state["t"], dt, secondorder)
    lp = plan.linear
    if lp is not None and lp.m:
        # the internal potential's rows (layer 0) are the node's own d element (nrndae.cpp `alloc`: bmap_ =
        # eqn_index_ + elayer_); rows on a layer k > 0 are extracellular elements, which Imp does not read
        own = np.flatnonzero(np.asarray(lp.layers) == 0)
        d = d.at[np.asarray(lp.nodes)[own]].add(np.diag(lp.g)[own])
    lay = plan.layout
    i = plan.nonroot
    d = d.at[i].add(-np.asarray(lay.b, float)[i], indices_are_sorted=True, unique_indices=True)
    d = d.at[lay.parent[i]].add(-np.asarray(lay.a, float)[i])
    return d, {**state, "mech": mech, "ions": ions}


def solve(layout: NodeLayout, d: np.ndarray, cm: np.ndarray, omega: float, istim: int):
    """`Imp::setmat`, `LUDecomp`, `solve`: (transfer, input) [MOhm] per node for 1 nA at node `istim`.

    `d`: `linearised_matrix`'s diagonal; `cm` [uF/cm2] per node (0 where there is no membrane: NEURON's
    rhs is set only on the capacitance mechanism's nodes)."""
    n, ncell = layout.nnode, int(layout.ncell)
    parent = [int(p) for p in layout.parent]
    a = [float(x) for x in layout.a]
    b = [float(x) for x in layout.b]
    area = [float(x) for x in layout.area]
    dd = [complex(float(d[i]), float(cm[i]) * omega) for i in range(n)]
    transfer = [0j] * n
    transfer[istim] = complex(1.e2 / area[istim])  # injecting 1 nA
    pivot = [0j] * n
    for i in range(n - 1, ncell - 1, -1):  # LUDecomp
        pivot[i] = a[i] / dd[i]
        dd[parent[i]] -= pivot[i] * b[i]
    inp = [0j] * n
    for i in range(istim, ncell - 1, -1):
        transfer[parent[i]] -= transfer[i] * pivot[i]
    for i in range(ncell):
        transfer[i] /= dd[i]
        inp[i] = 1. / dd[i]
    for i in range(ncell, n):
        ip = parent[i]
        transfer[i] -= b[i] * transfer[ip]
        transfer[i] /= dd[i]
        inp[i] = (1 + inp[ip] * pivot[i] * b[i]) / dd[i]
    for i in range(ncell, n):  # take into account area
        inp[i] *= 1e2 / area[i]
    return np.array(transfer, complex), np.array(inp, complex)
