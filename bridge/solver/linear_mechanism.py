"""NEURON's LinearMechanism in the fixed step: `c dy/dt + g y = b` solved together with the tree.

NEURON (src/nrniv/nrndae.cpp, linmod.cpp) adds, each step, `b - g y` to the right-hand side
(`NrnDAE::rhs`, y's first rows the node potentials `v2y`, the rest extra states) and `cj c + g` to
the matrix (`NrnDAE::lhs`, only the elements nonzero when the matrix was allocated:
matrixmap.cpp), solves the whole system with sparse13 and adds the solution to the extra states
(`NrnDAE::update`); the node rows are the node's own equation. Several LinearMechanisms add up.

bridge keeps NEURON's tree solve (`tree_solve.hines_solve`) and adds the coupling as a low-rank
correction (the Schur complement on the m coupled nodes and the e extra states): with T the tree
matrix, E the m unit columns of the coupled nodes and K = cj c + g in the (m + e) coupled
unknowns, the tree is solved for the right-hand side and for E (m + 1 solves, `jax.vmap`), then the
small dense system

    [[I + W K_nn, W K_ne], [K_en, K_ee]] [z; x_e] = [w; r_e],  W = E' T^-1 E, w = E' T^-1 rhs

gives the coupled potentials' changes z and the extra states' x_e, and every node's change is
T^-1 rhs - T^-1 E (K_nn z + K_ne x_e). Exact, but not sparse13's elimination order, so the results
agree with NEURON to round-off, not bit for bit. NEURON refuses LinearMechanisms with secondorder > 0
(`nrndae_init`), and so does bridge.

With extracellular (`bridge.solver.extracellular`) the base system is the 3x3 block tree of (dvi, dvx0, dvx1)
per node and a coupled unknown is one (node, layer) of it (nrndae.cpp `alloc`: `bmap_ = eqn_index_ +
elayer_`): layer 0 is the internal potential vi = v + vext[0], layer k > 0 is vext[k-1] (`NrnDAE::v2y`); the
same Schur complement runs on the block solve (`solve_blocks`). NEURON grounds a layer > 0 on a node without
extracellular (bmap 0, its y never updated); bridge refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.morphology.nodes import NodeLayout
from bridge.morphology.tree import SectionTree
from bridge.solver import linear_sparse
from bridge.solver.tree_solve import TreeLevels, hines_solve

KEY = "(LinearMechanism)"  # the extra states' entry in the state's "mech" (not a mechanism name NMODL allows)
MAX_COUPLED = 256  # coupled nodes plus extra states for the Schur complement (a tree solve per coupled node); past
# it the whole system goes to a sparse LU (solver.linear_sparse)


@dataclass(frozen=True, eq=False)
class LinearPlan:
    """All LinearMechanisms of a model on its nodes: the m coupled `nodes` [index] and their `layers` (0 the
    internal potential, k > 0 vext[k-1]), then e extra states. c, g: (m + e, m + e) summed over the
    LinearMechanisms (c in the units that make `cj c` a conductance: S/cm2 on node rows); b (m + e,)
    [mA/cm2 on node rows]; y0 (e,)."""

    nodes: np.ndarray
    c: np.ndarray
    g: np.ndarray
    b: np.ndarray
    y0: np.ndarray
    layers: np.ndarray

    @property
    def m(self) -> int:
        return len(self.nodes)

    def digest(self) -> bytes:
        """What a compiled step bakes in of it."""
        return b"".join(np.ascontiguousarray(a).tobytes() for a in (self.nodes, self.layers, self.c, self.g,
                                                                     self.b, self.y0))


def linear_plan(tree: SectionTree, layout: NodeLayout, ext_nodes: np.ndarray | None = None) -> LinearPlan | None:
    """The tree's LinearMechanisms on the layout's nodes (nrndae.cpp `alloc`: node rows at `node_exact` plus the
    layer, extra rows after every node), None without any. `ext_nodes` (nnode,) bool: the nodes with
    extracellular (`ExtPlan.has`), None without extracellular."""
    lms = tree.linear_mechanisms
    if not lms:
        return None
    rows: dict[tuple[int, int], int] = {}
    for lm in lms:
        for (sec, x), layer in zip(lm.sites, _layers(lm)):
            node = layout.node(sec, x)
            if layer and (ext_nodes is None or not ext_nodes[node]):
                raise UnsupportedFeature(f"a LinearMechanism on extracellular layer {layer} of {sec}({x:g}), which "
                                         "has no extracellular: NEURON grounds that row (nrndae.cpp NrnDAE::alloc, "
                                         "bmap 0) and never updates its y; insert extracellular there")
            rows.setdefault((node, layer), len(rows))
    m = len(rows)
    e = sum(len(lm.b) - len(lm.sites) for lm in lms)
    size = m + e
    c, g, b, y0 = np.zeros((size, size)), np.zeros((size, size)), np.zeros(size), np.zeros(e)
    extra = m
    for lm in lms:
        s, k = len(lm.b), len(lm.sites)
        index = np.array([rows[(layout.node(sec, x), layer)] for (sec, x), layer in zip(lm.sites, _layers(lm))]
                         + list(range(extra, extra + s - k)), dtype=np.int64)
        y0[extra - m:extra - m + s - k] = lm.y0[k:]
        extra += s - k
        np.add.at(c, (index[:, None], index[None, :]), lm.c)
        np.add.at(g, (index[:, None], index[None, :]), lm.g)
        np.add.at(b, index, lm.b)
    keys = list(rows)
    return LinearPlan(np.array([node for node, _ in keys], dtype=np.int32), c, g, b, y0,
                      np.array([layer for _, layer in keys], dtype=np.int32))


def _layers(lm) -> tuple[int, ...]:
    return tuple(lm.layers) if lm.layers else (0,) * len(lm.sites)


def initial_state(lp: LinearPlan, dtype) -> dict:
    """The extra states at finitialize (nrndae.cpp `NrnDAE::init`: y0, else 0)."""
    return {"y": jnp.asarray(lp.y0, dtype)}


def solve(lp: LinearPlan, d, rhs, a, b, levels: TreeLevels, v, extra: dict, cj: float, secondorder: int):
    """The step's solution with the LinearMechanisms: (the change of every node's v [mV], the new extra states).
    d, rhs: the tree system at v (`step.setup_tree_matrix`); a, b: its off-diagonal coefficients."""
    _refuse_secondorder(secondorder)
    nodes = jnp.asarray(lp.nodes)
    whole = (levels.parent, 1, d[:, None, None], a[:, None], b[:, None])
    return _coupled(lp, lambda r: hines_solve(d, r, a, b, levels), rhs, lp.nodes, v[nodes], extra, cj, whole)


def solve_blocks(lp: LinearPlan, D, R, A, B, levels: TreeLevels, v, vext, extra: dict, cj: float, secondorder: int):
    """`solve` with extracellular: D, R, A, B the block tree system (`extracellular.assemble`), v (n,) and vext
    (2, n) the state before the step. Returns (U (n, 3): dvi, dvx0, dvx1 per node, the new extra states)."""
    from bridge.solver.extracellular import block_solve

    _refuse_secondorder(secondorder)
    n = R.shape[0]
    nodes, layers = jnp.asarray(lp.nodes), jnp.asarray(lp.layers)
    # NrnDAE::v2y: layer 0 the internal potential v + vext[0], layer k the extracellular vext[k-1]
    vi = v + vext[0]
    y = jnp.where(layers == 0, vi[nodes], vext[jnp.maximum(layers - 1, 0), nodes])
    delta, new = _coupled(lp, lambda r: block_solve(D, r.reshape(n, 3), A, B, levels).reshape(-1), R.reshape(-1),
                          np.asarray(lp.nodes, np.int64) * 3 + np.asarray(lp.layers, np.int64), y, extra, cj,
                          (levels.parent, 3, D, A, B))
    return delta.reshape(n, 3), new


def _refuse_secondorder(secondorder: int) -> None:
    if secondorder:
        raise UnsupportedFeature("LinearMechanism with secondorder > 0: NEURON refuses it too (nrndae.cpp "
                                 "nrndae_init: 'NrnDAEs only work with secondorder==0 or daspk')")


def _coupled(lp: LinearPlan, base_solve, rhs, rows: np.ndarray, y_rows, extra: dict, cj: float, whole):
    """The Schur complement of the module docstring on any base system: `base_solve(r)` solves it for a right-hand
    side r (flat), `rows` (m,) are the coupled unknowns' positions in r and `y_rows` their present values. Past
    MAX_COUPLED unknowns the whole system is solved at once (solver.linear_sparse), `whole` = (parent, width, D,
    A, B) being the base system's blocks."""
    dtype = rhs.dtype
    m = lp.m
    y_e = extra["y"]
    y = jnp.concatenate([y_rows, y_e])
    f = jnp.asarray(lp.b, dtype) - jnp.asarray(lp.g, dtype) @ y  # NrnDAE::rhs: b - g y
    k = jnp.asarray(cj * lp.c + lp.g, dtype)  # NrnDAE::lhs: cj c + g
    rhs = rhs.at[jnp.asarray(rows)].add(f[:m])  # rows: numpy, static (the sparse pattern's too)
    if m + len(lp.y0) > MAX_COUPLED:
        parent, width, D, A, B = whole
        pat = linear_sparse.pattern(np.asarray(parent), width, rows, len(lp.y0), lp.c, lp.g)
        x = linear_sparse.solve(pat, D, A, B, np.asarray(parent), k, jnp.concatenate([rhs, f[m:]]))
        return x[:rhs.shape[0]], {"y": y_e + x[rhs.shape[0]:]}
    at = jnp.asarray(rows)
    if m:
        units = jnp.zeros((m, rhs.shape[0]), dtype).at[jnp.arange(m), at].set(1.0)
        cols = jax.vmap(base_solve)(jnp.concatenate([rhs[None, :], units]))
        x0, xe = cols[0], cols[1:]
        w = x0[at]
        wm = xe[:, at].T  # W[i, j] = (T^-1 e_j)[row i]
        top = jnp.concatenate([jnp.eye(m, dtype=dtype) + wm @ k[:m, :m], wm @ k[:m, m:]], axis=1)
        bottom = k[m:, :]
        sol = jnp.linalg.solve(jnp.concatenate([top, bottom]), jnp.concatenate([w, f[m:]]))
        u = k[:m, :m] @ sol[:m] + k[:m, m:] @ sol[m:]
        delta = x0 - xe.T @ u
        return delta, {"y": y_e + sol[m:]}
    if not len(lp.y0):
        raise BridgeError("a LinearMechanism with neither nodes nor extra states")
    return base_solve(rhs), {"y": y_e + jnp.linalg.solve(k, f)}
