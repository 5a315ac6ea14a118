"""The while-loop delivery (`EventSettings(differentiable=False)`) under `vmap` without selecting the carry.

`jax.vmap` of a `lax.while_loop` whose condition differs per member runs the body for every member while any
needs it and then selects, per member, the old or the new carry: the whole state and event buffer on every
pop. A pop is already a no-op for a member with nothing due (bridge.solver.event_delivery `deliver_one`: every
write is masked by `has`, and the block index is refreshed to the values it had), so this batching rule
(`jax.custom_batching.custom_vmap`) runs the loop while any member has an event due and applies the vmapped
pop to all members, with no select. Unbatched, it is the plain while loop; results are the same bits (each
member's pops, in order, are its own: tests/solver/test_events_network.py compares a batch with NEURON).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from bridge.solver.event_context import Context
from bridge.solver.tqueue import due
from bridge.solver.tqueue import overflow as _overflow


def deliver_while(ctx: Context, state: dict, buf: dict, til, deliver_one):
    """NetCvode::deliver_events(til) as a while loop of at most `per_step` pops (`deliver_one(ctx, state, buf,
    til)`), then `overflow` where an event is still due."""
    plan, eplan, dt, so = ctx.plan, ctx.eplan, ctx.dt, ctx.secondorder
    per_step = eplan.settings.per_step

    def context(params, prepared):
        return Context(plan, eplan, params, prepared, dt, so, ctx.plays)

    @jax.custom_batching.custom_vmap
    def run(params, prepared, state, buf, til):
        c = context(params, prepared)

        def more(k):
            return (k[0] < per_step) & due(k[2], til)

        _, st, b = jax.lax.while_loop(more, lambda k: (k[0] + 1, *deliver_one(c, k[1], k[2], til)),
                                      (jnp.asarray(0, jnp.int32), state, buf))
        return st, _overflow(b, due(b, til), til)

    @run.def_vmap
    def run_batched(axis_size, in_batched, params, prepared, state, buf, til):
        b_params, b_prepared, b_state, b_buf, b_til = in_batched

        def full(x, batched):  # the carry is per member
            return x if batched else jnp.broadcast_to(x, (axis_size,) + jnp.shape(x))

        state = jax.tree.map(full, state, b_state)
        buf = jax.tree.map(full, buf, b_buf)
        def axis(batched):
            return jax.tree.map(lambda b: 0 if b else None, batched)

        axes = (axis(b_params), axis(b_prepared), 0, 0, 0 if b_til else None)

        def one(params, prepared, state, buf, til):
            return deliver_one(context(params, prepared), state, buf, til)

        pop = jax.vmap(one, in_axes=axes)
        due_b = jax.vmap(due, in_axes=(0, axes[4]))

        def more(k):
            return (k[0] < per_step) & jnp.any(due_b(k[2], til))

        _, st, b = jax.lax.while_loop(more, lambda k: (k[0] + 1, *pop(params, prepared, k[1], k[2], til)),
                                      (jnp.asarray(0, jnp.int32), state, buf))
        b = jax.vmap(lambda b, t: _overflow(b, due(b, t), t), in_axes=(0, axes[4]))(b, til)
        return (st, b), (jax.tree.map(lambda _: True, st), jax.tree.map(lambda _: True, b))

    return run(ctx.params, ctx.prepared, state, buf, til)
