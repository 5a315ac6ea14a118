"""LONGITUDINAL_DIFFUSION: NEURON's implicit step of a STATE's diffusion between neighbouring segments.

NEURON (src/nrnoc/ldifus.cpp) solves, after every mechanism's nrn_state of the fixed step (fadvance.cpp
`nonvint`: `long_difus_solve(sorted_token, 0, nt)`, method 0 `stagger`), for each diffusing STATE x
of a mechanism and each of its array indices, one backward-Euler step of

    vol_i dx_i/dt = sum over neighbours j of  f_ij * (rate_i + rate_j)/2 * (x_j - x_i)

on the tree of the mechanism's instances, and writes x in place (the ion value a KINETIC block copied
from it, `cai = ca[0]`, is not refreshed: the next SOLVE reads the new x). The pieces, as NEURON has them:

- the instance tree (`longdifusalloc`): instances in node order; an instance's parent is the instance
  at its node's parent, else at the parent's parent (a section's 1-end node), else at the first node of
  its section's parent section; roots (and sections whose parent lacks the mechanism) have none;
- geometry (`longdifus_diamchange`): dx = L/nseg of a section; for an instance with a parent,
  af = 2*rall/dx_p/(dx_c + dx_p), bf = 2/dx_c/(dx_c + dx_p) (rall: the section's rallbranch on its
  first node, else 1);
- each step (`stagger`): rate and vol from the mechanism (nocmodl's `_difcoef`), dc = (rate_i +
  rate_p)/2, a_i = -af_i*dc/vol_p, b_i = -bf_i*dc/vol_i; d_i = 1/dt - b_i, then d_p -= a_i over the
  children in node order; rhs_i = x_i/dt; `nrn_tree_solve` (the same triang/bksub as the voltage solve,
  so `tree_solve.hines_solve` runs it in NEURON's order).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from bridge.mechanisms import ions as ionlib
from bridge.morphology.nodes import NodeLayout
from bridge.morphology.tree import SectionTree
from bridge.solver.tree_solve import TreeLevels, hines_solve, tree_levels


@dataclass(frozen=True, eq=False)
class LongDiffusion:
    """One mechanism's diffusion tree over its instances (node order), fixed for a run."""

    mechanism: str
    position: int  # index of the mechanism in Plan.mechanisms
    species: tuple[tuple[str, int], ...]  # (STATE, array size or 0), the mechanism's `long_diffusion`
    parent: np.ndarray  # (n,) int32: the parent instance, -1 for none (NEURON's pindex)
    levels: TreeLevels
    af: np.ndarray  # (n,) [1/um2] flux factor onto the parent's row (0 without a parent)
    bf: np.ndarray  # (n,) [1/um2] flux factor onto the instance's own row
    ions: tuple[tuple[str, str], ...] = ()  # (STATE, ion) for a concentration declared as a STATE (`nai`)


def instance_parents(tree: SectionTree, layout: NodeLayout, nodes: np.ndarray) -> np.ndarray:
    """NEURON's `pindex` (ldifus.cpp longdifusalloc) of the instances at `nodes` (sorted node indices)."""
    where = np.full(layout.nnode, -1, dtype=np.int64)
    where[nodes] = np.arange(len(nodes))
    out = np.full(len(nodes), -1, dtype=np.int32)
    for j, node in enumerate(nodes):
        p = int(layout.parent[node])
        k = int(where[p]) if p >= 0 else -1
        if k < 0 and p >= 0:  # maybe a zero-area node: use the parent of the parent
            pp = int(layout.parent[p])
            k = int(where[pp]) if pp >= 0 else -1
            if k < 0:  # or else the first node of the parent section
                k = _parent_section_first(tree, layout, where, int(node))
        out[j] = k
    return out


def _parent_section_first(tree: SectionTree, layout: NodeLayout, where: np.ndarray, node: int) -> int:
    psec = tree[layout.section_names[int(layout.section[node])]].parent
    if psec is None:
        return -1
    return int(where[int(layout.first[layout.section_index(psec)])])


def long_diffusion_plan(tree: SectionTree, layout: NodeLayout, mechanism, nodes: np.ndarray,
                        position: int) -> LongDiffusion:
    """The fixed part of a mechanism's longitudinal diffusion (module docstring)."""
    nodes = np.asarray(nodes)
    parent = instance_parents(tree, layout, nodes)
    af = np.zeros(len(nodes))
    bf = np.zeros(len(nodes))
    for j, node in enumerate(nodes):
        if parent[j] < 0:
            continue
        sc, sp = int(layout.section[node]), int(layout.section[nodes[parent[j]]])
        rall = float(getattr(tree[layout.section_names[sc]], "rallbranch", 1.0)) if node == layout.first[sc] else 1.0
        dxc = float(layout.L[sc]) / float(layout.nseg[sc])
        dxp = float(layout.L[sp]) / float(layout.nseg[sp])
        af[j] = 2 * rall / dxp / (dxc + dxp)
        bf[j] = 2 / dxc / (dxc + dxp)
    species = tuple(mechanism.long_diffusion)
    ions = tuple((name, use.ion) for name, _ in species for use in mechanism.ions
                 if name in ionlib.variable_names(use.ion).values())
    return LongDiffusion(mechanism.name, position, species, parent, tree_levels(parent), af, bf, ions)


def apply(ld: LongDiffusion, nodes: np.ndarray, coefficients, state: dict, ions: dict, dt: float):
    """`stagger` on the mechanism's STATEs, a concentration STATE read from and written to its ion at the
    instances' nodes (NEURON moves the ion's value itself). Returns (state, ions)."""
    ion_of = dict(ld.ions)
    values = {name: ions[ion_of[name]][name][nodes] if name in ion_of else state[name] for name, _ in ld.species}
    new = stagger(ld, coefficients, values, dt)
    state = {**state, **{k: x for k, x in new.items() if k not in ion_of}}
    if ion_of:
        ions = {k: dict(v) for k, v in ions.items()}
        for name, ion in ion_of.items():
            ions[ion][name] = ions[ion][name].at[nodes].set(new[name])
    return state, ions


def stagger(ld: LongDiffusion, coefficients, state: dict, dt: float) -> dict:
    """One step of every diffusing STATE of the mechanism (ldifus.cpp `stagger`); `coefficients` are the
    mechanism's (rate, volume) per STATE and index (`diffusion_coefficients`). Returns the new state."""
    state = dict(state)
    pairs = iter(coefficients)
    for name, size in ld.species:
        x = state[name]
        for k in range(max(size, 1)):
            rate, vol = next(pairs)
            col = x[:, k] if size else x
            new = _solve(ld, jnp.asarray(rate, col.dtype), jnp.asarray(vol, col.dtype), col, dt)
            x = x.at[:, k].set(new) if size else new
        state[name] = x
    return state


def _solve(ld: LongDiffusion, rate, vol, x, dt: float):
    """Backward Euler of one STATE column over the instance tree, in NEURON's operation order."""
    child = np.flatnonzero(ld.parent >= 0)
    if len(child) == 0:  # no neighbours: NEURON's solve gives (x/dt)/(1/dt)
        return x / dt / (1.0 / dt)
    par = ld.parent[child]
    dc = (rate[child] + rate[par]) / 2.0
    a = jnp.zeros_like(x).at[child].set(-jnp.asarray(ld.af[child], x.dtype) * dc / vol[par])
    b = jnp.zeros_like(x).at[child].set(-jnp.asarray(ld.bf[child], x.dtype) * dc / vol[child])
    d = jnp.full_like(x, 1.0 / dt) - b
    d = d.at[par].add(-a[child])
    rhs = x / dt
    return hines_solve(d, rhs, a, b, ld.levels)
