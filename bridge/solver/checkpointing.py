"""What reverse mode keeps of the time loop (`bridge.solver.integrate`), and how many nested scans it uses.

Each step is wrapped in `jax.checkpoint` with `STEP_POLICY`: a gradient keeps the step's carry (the state
it starts from) and the tree solve's solution, and recomputes the rest of the step in the backward pass.
Saving every intermediate instead (JAX's default) stored ~74 arrays of the cell's size per step on the
993-compartment hh cell (2.4 GB for 4,000 steps) and made the forward pass of the gradient 4x slower than
a run (writing them); the recomputation costs about one step without its solve
(docs/performance.md, "Gradients").

`levels(checkpoint, nsteps, step_bytes)` chooses the nested scans: a plain scan (one level) while its saved
carries fit `AUTO_BUDGET`, else the fewest levels whose carries (~ k * nsteps**(1/k) of them) do.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from bridge.mechanisms.ions import variable_names
from bridge.solver.tree_solve import SOLUTION

STEP_POLICY = jax.checkpoint_policies.save_only_these_names(SOLUTION)
AUTO_BUDGET = 512 * 2**20  # [bytes] a gradient's saved carries with checkpoint=None (per batch member)
MAX_LEVELS = 4


def lengths(nsteps: int, levels: int) -> tuple[int, ...]:
    """Nested scan lengths whose product covers nsteps: `levels` factors of about nsteps**(1/levels)."""
    if levels <= 1:
        return (nsteps,)
    base = max(1, math.ceil(nsteps ** (1.0 / levels)))
    out = [base] * (levels - 1)
    inner = math.prod(out)
    out.insert(0, max(1, math.ceil(nsteps / inner)))  # outermost first
    return tuple(out)


def levels(checkpoint: int | None, nsteps: int, step_bytes: int, budget: int = AUTO_BUDGET) -> int:
    """The number of nested scans: `checkpoint` when given (1: a plain scan), else (None) the fewest, up to
    MAX_LEVELS, whose saved carries (sum of the scan lengths, `step_bytes` each [bytes]) fit `budget`."""
    if checkpoint is not None:
        return max(1, int(checkpoint))
    for k in range(1, MAX_LEVELS + 1):
        if sum(lengths(nsteps, k)) * step_bytes <= budget:
            return k
    return MAX_LEVELS


def step_bytes(plan, state: dict, extra=()) -> int:
    """What a gradient saves per step [bytes], about: the arrays a step reads from the state it starts from
    (v, the mechanisms' STATEs, the ion concentrations and reversal potentials), the tree solve's solution,
    and `extra` (carried arrays such as the event queue). Shapes as traced: one batch member under jax.vmap.
    An upper bound where an ion variable does not change (JAX keeps a loop-invariant value once)."""
    arrays = [state["v"], state["v"], *extra]
    for inst in plan.mechanisms:
        mine = state["mech"].get(inst.name, {})
        arrays += [mine[k] for k in inst.mechanism.states if k in mine]
    for style in plan.ions:
        names = variable_names(style.ion)
        recomputed = {names["cur"], names["dcurdv"]}  # zeroed and summed again by every step's currents
        arrays += [a for k, a in state["ions"].get(style.ion, {}).items() if k not in recomputed]
    return sum(math.prod(jnp.shape(x)) * jnp.result_type(x).itemsize for x in jax.tree.leaves(arrays))
