"""NEURON's built-in `extracellular` mechanism in the fixed step (src/nrnoc/extcelln.cpp, treeset.cpp).

Every node of a section with `extracellular` (its segment nodes and its 1-end node; also the root node when
the section is a root) gets two extracellular layers, vext[0] and vext[1] [mV]. Per node the unknowns of the
step are (dvi, dvx0, dvx1), vi = vm + vext[0] (treeset.cpp, the comment above nrn_rhs): the internal node is
coupled to layer 0 through the membrane (cm*cj/1000 + di/dvm), layer 0 to layer 1 through xg[0] [S/cm2] and
xc[0] [uF/cm2], layer 1 to ground (a battery e_extracellular [mV]) through xg[1] and xc[1]; each layer is
coupled to the same layer of the parent node through xraxial [MOhm/cm] (ext_con_coef) when the parent node
has extracellular too. NEURON solves this system with sparse13 (a general sparse LU); bridge eliminates it on
the node tree with 3x3 blocks (a block Hines solve, `block_solve`): the same system, another elimination
order, so the result agrees to round-off, not bit for bit.

After the solve (extcelln.cpp nrn_update_2d): v += dvi (2*dvi with secondorder), then vext += dvx and
v -= dvx0; i_membrane = sav_g*(dvi - dvx0) + sav_rhs [mA/cm2] (the membrane's capacitive and ionic current).
ELECTRODE_CURRENT point processes see v + vext[0] and add their current to layer 0 too (nocmodl's
`_extnode` branches), so the layer's balance holds the membrane current only.

`nlayer` is 2 (NEURON's default build); CVODE with extracellular is NEURON's error too (extcell_init).
Parameters (params["mechanisms"]["extracellular"], per extracellular node in node order): xraxial0/1, xg0/1, xc0/1,
e_extracellular. State (state["ext"]): vext (2, nnode) [mV], i_membrane (nnode,) [mA/cm2], 0 off the
extracellular nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from bridge.morphology.nodes import NodeLayout
from bridge.morphology.tree import SectionTree
from bridge.solver import tree_solve

NAME = "extracellular"
E_KEY = "(extracellular e)"  # state["mech"][E_KEY]["e"] (nnode,): e_extracellular when POINTERs write it
NLAYER = 2
# extcelln.cpp extcell_alloc: the defaults of every layer
DEFAULTS = {"xraxial0": 1e9, "xraxial1": 1e9, "xg0": 1e9, "xg1": 1e9, "xc0": 0.0, "xc1": 0.0,
            "e_extracellular": 0.0}


@dataclass(frozen=True, eq=False)
class ExtPlan:
    """The static part: which nodes have extracellular and how their layers connect.

    Per extracellular node (m,), in node order: `nodes` its index; `membrane` a segment node (ext_con_coef
    sets xg and xc to 0 on the 1-end and root nodes); `half` 1e-4*dx/2 (times xraxial [MOhm/cm]: the half
    segment's resistance [MOhm]; 0 on the 1-end and root nodes); `prev` the position of pnode[j-1] of its
    section, -1 for pnode[0]; `rall` the section's rallbranch on pnode[0], else 1; `connected` the parent
    node has extracellular too (else the layers end sealed); `parent` the parent node (0 on a root node);
    `rooted` it has a parent node (nrn_rhs_ext and nrn_setup_ext skip root nodes); `area`, `parent_area`
    [um2] NODEAREA of the node and of its parent.
    `has` (n,) bool: the node has extracellular."""

    nodes: np.ndarray
    has: np.ndarray
    membrane: np.ndarray
    half: np.ndarray
    prev: np.ndarray
    rall: np.ndarray
    connected: np.ndarray
    parent: np.ndarray
    rooted: np.ndarray
    area: np.ndarray
    parent_area: np.ndarray
    carried_e: bool = False  # a POINTER reads or writes e_extracellular: the run carries it in state["mech"][E_KEY]


def used(tree: SectionTree) -> bool:
    return any(NAME in sec.mechanisms for sec in tree)


def ext_plan(tree: SectionTree, layout: NodeLayout) -> tuple[ExtPlan, dict]:
    """The ExtPlan of `tree` and its default parameters (per extracellular node)."""
    n = layout.nnode
    has = np.zeros(n, bool)
    half = np.zeros(n)
    prev = np.full(n, -1, np.int64)
    rall = np.ones(n)
    values = {k: np.full(n, v) for k, v in DEFAULTS.items()}
    for sec in tree:
        if NAME not in sec.mechanisms:
            continue
        s = layout.section_index(sec.name)
        nseg = int(layout.nseg[s])
        nodes = int(layout.first[s]) + np.arange(nseg + 1)
        has[nodes] = True
        if layout.parent[layout.parent_node[s]] < 0 and sec.parent is None:
            has[layout.parent_node[s]] = True  # extcell_2d_alloc: a root section owns its root node
        dx = float(layout.L[s]) / nseg
        half[nodes[:-1]] = 1e-4 * (dx / 2.0)  # ext_con_coef: 1e-4*xraxial*(dx/2), xraxial applied per step
        prev[nodes[1:]] = nodes[:-1]
        rall[nodes[0]] = float(getattr(sec, "rallbranch", 1.0))
        for key, default in DEFAULTS.items():
            column = sec.get_range(NAME, key, default)
            seg = layout.segment[nodes[:-1]]
            values[key][nodes[:-1]] = np.asarray(column, float)[seg]
    ext = np.flatnonzero(has)
    pos = np.full(n, -1, np.int64)
    pos[ext] = np.arange(len(ext))
    parent = layout.parent[ext]
    connected = (parent >= 0) & has[np.maximum(parent, 0)]
    membrane = np.asarray(layout.has_membrane, bool)[ext]
    area = np.asarray(layout.area, float)
    plan = ExtPlan(nodes=ext.astype(np.int32), has=has, membrane=membrane, half=half[ext],
                   prev=np.where(prev[ext] >= 0, pos[np.maximum(prev[ext], 0)], -1).astype(np.int32),
                   rall=rall[ext], connected=connected, parent=np.maximum(parent, 0).astype(np.int32),
                   rooted=parent >= 0,
                   area=area[ext], parent_area=area[np.maximum(parent, 0)])
    return plan, {k: v[ext] for k, v in values.items()}


def coefficients(ep: ExtPlan, xraxial):
    """ext_con_coef's (a, b) per layer, (2, m) each [S/cm2 on membrane rows]; 0 where the parent node has no
    extracellular (the layers end sealed there)."""
    halfr = xraxial * ep.half  # 1e-4*xraxial*(dx/2) [MOhm]
    prev = jnp.where(ep.prev >= 0, halfr[:, jnp.maximum(ep.prev, 0)], 0.0)
    r = jnp.where(ep.prev >= 0, halfr + prev, halfr)
    ok = jnp.asarray(ep.connected)
    safe = jnp.where(ok, r, 1.0)
    a = jnp.where(ok, -1.0e2 * ep.rall / (safe * ep.parent_area), 0.0)
    b = jnp.where(ok, -1.0e2 / (safe * ep.area), 0.0)
    return a, b


def carried_e(ep: ExtPlan, params: dict, n: int, dtype) -> dict:
    """finitialize: the carried e_extracellular (E_KEY) starts at the parameters' values, 0 off the
    extracellular nodes."""
    return {"e": jnp.zeros((n,), dtype).at[jnp.asarray(ep.nodes)].set(
        jnp.asarray(params["mechanisms"][NAME]["e_extracellular"], dtype))}


def initial_state(ep: ExtPlan, n: int, dtype) -> dict:
    """extcell_init: vext = 0 and i_membrane = 0 on every node."""
    return {"vext": jnp.zeros((NLAYER, n), dtype), "i_membrane": jnp.zeros((n,), dtype)}


def assemble(ep: ExtPlan, params: dict, ext: dict, d, rhs, d_electrode, rhs_electrode, a, b, parent_all, nonroot,
             cfac, e_now=None):
    """The block system of the step after the membrane currents (nrn_rhs_ext, nrn_setup_ext).

    d, rhs (n,): the internal diagonal (membrane slopes, electrode -g, capacitance) and right-hand side
    (-membrane current + electrode current) before any axial term; d_electrode, rhs_electrode (n,): the
    electrode currents' +g and +i (nocmodl's `_extnode->_d[0]`, `_rhs[0]`). Returns (D (n,3,3), R (n,3),
    A (n,3), B (n,3), sav_g (n,), sav_rhs (n,)) with the internal axial terms of vm still to be added by the
    caller (they are the tree's own)."""
    n = d.shape[0]
    dtype = d.dtype
    x = ext["vext"]
    p = params["mechanisms"][NAME]
    nodes = jnp.asarray(ep.nodes)
    has = jnp.asarray(ep.has)
    # nrn_rhs_ext: layer 0 gets the membrane current (electrode current minus the internal rhs)
    r0 = jnp.where(has, rhs_electrode - rhs, 0.0)
    sav_rhs = r0
    r1 = jnp.zeros((n,), dtype)
    rhs_int = rhs
    # internal balance: vi = vm + vext[0] on every axial connection (nrn_rhs_ext, `_ecell_children`)
    dvx = x[0][parent_all] - x[0][nonroot]
    rhs_int = rhs_int.at[nonroot].add(-(b[nonroot] * dvx))
    rhs_int = rhs_int.at[parent_all].add(a[nonroot] * dvx)
    ea, eb = coefficients(ep, jnp.stack([p["xraxial0"], p["xraxial1"]]))
    par = jnp.asarray(ep.parent)
    xg0 = jnp.where(ep.membrane, p["xg0"], 0.0)
    xg1 = jnp.where(ep.membrane, p["xg1"], 0.0)
    xc0 = jnp.where(ep.membrane, p["xc0"], 0.0)
    xc1 = jnp.where(ep.membrane, p["xc1"], 0.0)
    has_parent = jnp.asarray(ep.rooted)
    layers = [r0, r1]
    for j in range(NLAYER):
        dv = x[j][par] - x[j][nodes]
        layers[j] = layers[j].at[nodes].add(-(eb[j] * dv)).at[par].add(ea[j] * dv)
    xs0, xs1 = x[0][nodes], x[1][nodes]
    e = p["e_extracellular"] if e_now is None else e_now[nodes]  # e_now: as POINTERs wrote it (E_KEY)
    g_top = jnp.where(has_parent, xg1 * (xs1 - e), 0.0)
    g_mid = jnp.where(has_parent, xg0 * (xs0 - xs1), 0.0)
    layers[1] = layers[1].at[nodes].add(-g_top)
    layers[0] = layers[0].at[nodes].add(-g_mid)
    layers[1] = layers[1].at[nodes].add(g_mid)
    # nrn_setup_ext: layer 0's diagonal is the membrane's (cm*cfac + di/dvm), coupled to vi by its negative
    dm = jnp.where(has, d + d_electrode, 0.0)
    sav_g = dm
    mfac0 = jnp.where(has_parent, xg0 + xc0 * cfac, 0.0)
    mfac1 = jnp.where(has_parent, xg1 + xc1 * cfac, 0.0)
    d0 = dm.at[nodes].add(mfac0)
    d1 = jnp.zeros((n,), dtype).at[nodes].add(mfac0 + mfac1)
    d0 = d0.at[nodes].add(-eb[0]).at[par].add(-ea[0])
    d1 = d1.at[nodes].add(-eb[1]).at[par].add(-ea[1])
    off = jnp.zeros((n,), dtype).at[nodes].add(-mfac0)
    d0 = jnp.where(has, d0, 1.0)  # nodes without extracellular: their layers are the identity
    d1 = jnp.where(has, d1, 1.0)
    zero = jnp.zeros((n,), dtype)
    D = jnp.stack([jnp.stack([d, -dm, zero], -1),
                   jnp.stack([-dm, d0, off], -1),
                   jnp.stack([zero, off, d1], -1)], -2)
    R = jnp.stack([rhs_int, jnp.where(has, layers[0], 0.0), jnp.where(has, layers[1], 0.0)], -1)
    A = jnp.stack([a, zero.at[nodes].set(ea[0]), zero.at[nodes].set(ea[1])], -1)
    B = jnp.stack([b, zero.at[nodes].set(eb[0]), zero.at[nodes].set(eb[1])], -1)
    return D, R, A, B, sav_g, sav_rhs


def add_axial(D, R, v, a, b, parent_all, nonroot):
    """The internal axial terms of vm (nrn_rhs's and nrn_lhs's last loops) on the (0, 0) entries."""
    dv = v[parent_all] - v[nonroot]
    R = R.at[nonroot, 0].add(-(b[nonroot] * dv)).at[parent_all, 0].add(a[nonroot] * dv)
    D = D.at[nonroot, 0, 0].add(-b[nonroot]).at[parent_all, 0, 0].add(-a[nonroot])
    return D, R


def block_solve(D, R, A, B, levels):
    """Solve the block tree system: M[i,i] = D_i (3x3), M[i,p] = diag(B_i), M[p,i] = diag(A_i).

    On a CPU in float64 NEURON's node order in one compiled kernel (`bridge.solver.native_block_solve`),
    else `level_solve`; `BRIDGE_TREE_SOLVE=loop|unrolled` picks the level walk. Reverse mode through the
    kernel takes the level walk's derivative (both solve the same system)."""
    if tree_solve._use_native(D, R, A, B):
        from bridge.solver import native_block_solve

        if native_block_solve.available():
            return _native_with_vjp(levels)(D, R, A, B)
    return level_solve(D, R, A, B, levels)


def _native_with_vjp(levels):
    """The compiled block solve, differentiable in reverse mode through `level_solve`'s vjp."""
    from bridge.solver import native_block_solve

    @jax.custom_vjp
    def solve(D, R, A, B):
        return native_block_solve.solve(D, R, A, B, levels.parent)

    def fwd(D, R, A, B):
        return solve(D, R, A, B), (D, R, A, B)

    def bwd(res, g):
        return jax.vjp(lambda *x: level_solve(*x, levels), *res)[1](g)

    solve.defvjp(fwd, bwd)
    return solve


def level_solve(D, R, A, B, levels):
    """`block_solve` a tree level at a time: eliminates from the deepest level up (each node's block folded
    into its parent's), then substitutes back from the roots down (`bridge.solver.tree_solve.TreeLevels`)."""
    n = D.shape[0]
    pad = lambda x, value: jnp.concatenate([x, jnp.full((1,) + x.shape[1:], value, x.dtype)])  # noqa: E731
    D = pad(D, 0.0).at[n].set(jnp.eye(3, dtype=D.dtype))
    R = pad(R, 0.0)
    A = pad(A, 0.0)
    B = pad(B, 0.0)
    child = jnp.asarray(levels.child)
    parent = jnp.asarray(levels.child_parent)
    depth = levels.depth

    def triang(k, carry):
        D, R = carry
        lvl = depth - 1 - k
        c, p = child[lvl], parent[lvl]
        rhs = jnp.concatenate([jax.vmap(jnp.diag)(B[c]), R[c][:, :, None]], axis=2)  # (w, 3, 4)
        X = jnp.linalg.solve(D[c], rhs)
        upd = A[c][:, :, None] * X
        D = D.at[p].add(-upd[:, :, :3])
        R = R.at[p].add(-upd[:, :, 3])
        return D.at[n].set(jnp.eye(3, dtype=D.dtype)), R.at[n].set(0.0)

    D, R = jax.lax.fori_loop(0, depth, triang, (D, R))
    roots = jnp.asarray(levels.roots)
    U = R.at[roots].set(jnp.linalg.solve(D[roots], R[roots][:, :, None])[:, :, 0])

    def bksub(lvl, U):
        c, p = child[lvl], parent[lvl]
        y = jnp.linalg.solve(D[c], (U[c] - B[c] * U[p])[:, :, None])[:, :, 0]
        return U.at[c].set(y).at[n].set(0.0)

    U = jax.lax.fori_loop(0, depth, bksub, U)
    return U[:n]


def update(ext: dict, v, U, sav_g, sav_rhs, has, secondorder: int):
    """fadvance.cpp nrn_update_voltage and extcelln.cpp nrn_update_2d: (v, ext) after the solve."""
    dvi = U[:, 0]
    v = v + (2.0 * dvi if secondorder else dvi)
    dx0 = jnp.where(has, U[:, 1], 0.0)
    dx1 = jnp.where(has, U[:, 2], 0.0)
    vext = ext["vext"] + jnp.stack([dx0, dx1])
    v = v - dx0
    i_membrane = jnp.where(has, sav_g * (dvi - dx0) + sav_rhs, ext["i_membrane"])
    return v, {"vext": vext, "i_membrane": i_membrane}
