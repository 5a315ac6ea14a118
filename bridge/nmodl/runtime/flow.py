"""Control flow of generated code over arrays of instances: IF, WHILE, FROM (imported as `flow`).

Generated code keeps a mechanism's variables in a dict `s` (one entry per
NMODL name: arrays over instances, or scalars for GLOBALs) and the LOCALs and
arguments of the block being run in a dict `l`. Blocks are pure functions
`(s, l) -> (s, l)`.

- `if_` runs both branches on arrays and merges them with `jnp.where`; each
  branch first sees its inputs through `where(c, x, stop_gradient(x))`, so a
  NaN or inf of the branch not taken (`x/(exp(x/y) - 1)` at x = 0) never leaks
  into a gradient (the "double where" trick). A condition known when tracing
  (a Python bool, a concrete array that is all true or all false) runs one branch.
- `while_` loops until no instance's condition holds, updating only the
  instances whose condition is still true (`lax.while_loop` under `jit`; not
  reverse-differentiable, like every iteration whose count depends on values).
  NEURON would loop forever on a condition that never turns false; bridge stops
  after `Limits.max_loop_iterations`: with an error naming the .mod line when the
  loop runs while tracing, with NaN in the instances still looping under `jit`
  (the simulation's NaN check then stops the run).
- `from_` is nocmodl's FROM loop, `for (i = (int)a; i <= (int)b; i += (int)c)`: unrolled while
  tracing (`from_range`), at most `Limits.max_loop_iterations` iterations, when a, b and c are
  known then and the same for every instance; else (an end that is a RANGE PARAMETER, say) a
  WHILE over instances as `while_` runs it, each instance with its own bounds.
- Nested loops multiply: inside `loop_budget()` (each call of a mechanism's blocks,
  `bridge.nmodl.runtime.mechanism`) all loops share one budget of `max_loop_iterations`:
  iterations unrolled while tracing, and iterations of `lax.while_loop`s nested
  in one another (a traced counter carried from the outer loop into the inner).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError, SimulationError, SourceLocation, UnsupportedFeature
from bridge.limits import DEFAULT_LIMITS

Scope = dict[str, Any]
Block = Callable[[Scope, Scope], tuple[Scope, Scope]]
Where = tuple[str, int, int]  # (.mod file, line, column) of the statement, for errors at run time


def _is_py(x) -> bool:
    return isinstance(x, (float, int)) and not isinstance(x, bool)


def static_truth(cond) -> bool | None:
    """True/False when `cond` is known while tracing and the same for every instance; else None."""
    if isinstance(cond, (bool, np.bool_)):
        return bool(cond)
    if _is_py(cond):
        return bool(cond)
    if isinstance(cond, jax.core.Tracer):
        return None
    arr = np.asarray(cond)
    if arr.size == 0:
        return False
    if arr.all():
        return True
    if not arr.any():
        return False
    return None


def _is_array(x) -> bool:
    return isinstance(x, (jax.Array, np.ndarray)) or isinstance(x, jax.core.Tracer)


def _per_instance(cond, *values):
    """`cond` (one truth per instance) shaped to select whole rows of the values, e.g. of an array
    variable a[2] held as (instances, 2)."""
    nd = max(jnp.ndim(v) for v in values) - jnp.ndim(cond)
    if nd > 0 and jnp.ndim(cond) > 0:
        return jnp.reshape(cond, jnp.shape(cond) + (1,) * nd)
    return cond


def _guard(cond, scope: Scope, taken_when_true: bool) -> Scope:
    """Inputs of one IF branch, with gradients cut where the branch is not taken."""
    out = {}
    for k, x in scope.items():
        if _is_array(x) and jnp.issubdtype(jnp.result_type(x), jnp.floating):
            sg = jax.lax.stop_gradient(x)
            c = _per_instance(cond, x)
            out[k] = jnp.where(c, x, sg) if taken_when_true else jnp.where(c, sg, x)
        else:
            out[k] = x
    return out


def _merge(cond, a: Scope, b: Scope, base: Scope) -> Scope:
    out = {}
    for k in (*a, *(k for k in b if k not in a)):  # a fixed order, not a set's: the same program in every
        # process (the persistent compilation cache's key is the program text; docs/performance.md)
        x = a.get(k, base.get(k))
        y = b.get(k, base.get(k))
        if x is y:
            out[k] = x
        elif x is None or y is None:
            out[k] = x if y is None else y
        elif isinstance(x, dict) or callable(x):
            out[k] = x
        else:
            out[k] = jnp.where(_per_instance(cond, x, y), x, y)
    return out


def if_(cond, then: Block, orelse: Block | None, s: Scope, local: Scope) -> tuple[Scope, Scope]:
    """IF (cond) { then } ELSE { orelse } over instances."""
    known = static_truth(cond)
    if known is True:
        return then(s, local)
    if known is False:
        return orelse(s, local) if orelse is not None else (s, local)
    cond = jnp.asarray(cond)
    if cond.dtype != jnp.bool_:  # C truth: nonzero
        cond = cond != 0
    gs, gl = _guard(cond, s, True), _guard(cond, local, True)
    st, lt = _untouched(then(dict(gs), dict(gl)), (gs, gl), (s, local))  # bodies assign into their dicts
    if orelse is not None:
        gs, gl = _guard(cond, s, False), _guard(cond, local, False)
        se, le = _untouched(orelse(dict(gs), dict(gl)), (gs, gl), (s, local))
    else:
        se, le = s, local
    return _merge(cond, st, se, s), _merge(cond, lt, le, local)


def _untouched(out, guarded, original):
    """A branch's (scope, local) with the values it left as `_guard` gave them put back to the originals: a
    value no branch changed (t, celsius, ...) keeps its own object and shape (inside a lax loop the carry's
    shapes must not change)."""
    return tuple({k: (orig[k] if k in g and k in orig and v is g[k] else v) for k, v in o.items()}
                 for o, g, orig in zip(out, guarded, original))


def refused(message: str, where: Where) -> None:
    """Raise the refusal of a FUNCTION/PROCEDURE whose VERBATIM C bridge cannot run, when it is called (HOC calls
    it: nothing of the run does). `message` names the construct and its place."""
    raise UnsupportedFeature(f"calling a function whose C bridge cannot run: {message}", _location(where))


def _location(where: Where):
    return SourceLocation(*where)


class _Budget(threading.local):
    """Loop iterations spent in the current `loop_budget()` (None: no budget open), and the
    traced iteration count of the `lax.while_loop` body being traced (None: none)."""

    spent: int | None = None
    traced: Any = None


_BUDGET = _Budget()


@contextmanager
def loop_budget():
    """Every loop run inside shares one budget of `max_loop_iterations` (nested: the outer one's)."""
    if _BUDGET.spent is not None:
        yield
        return
    _BUDGET.spent, _BUDGET.traced = 0, None
    try:
        yield
    finally:
        _BUDGET.spent, _BUDGET.traced = None, None


def _spend(where: Where, max_iter: int) -> None:
    """Count one unrolled loop iteration against the open budget."""
    if _BUDGET.traced is not None:  # unrolled inside a lax loop: it runs once per iteration of that loop
        _BUDGET.traced = _BUDGET.traced + 1
    if _BUDGET.spent is None:
        return
    _BUDGET.spent += 1
    if _BUDGET.spent > max_iter:
        raise BridgeError(f"loops ran more than Limits.max_loop_iterations = {max_iter} iterations in one block "
                          f"(nested loops multiply); {DEFAULT_LIMITS.raise_hint('max_loop_iterations')}",
                          _location(where))


def while_(cond_fn: Callable[[Scope, Scope], Any], body: Block, s: Scope, local: Scope,
           where: Where = ("<string>", 0, 0), max_iter: int = DEFAULT_LIMITS.max_loop_iterations):
    """WHILE (cond) { body }: instances whose condition is false stop changing; at most `max_iter`
    iterations (`Limits.max_loop_iterations`; see the module docstring)."""
    cond = cond_fn(s, local)
    if static_truth(cond) is not None or not isinstance(cond, jax.core.Tracer):
        return _while_unrolled(cond_fn, body, s, local, where, max_iter)
    return _while_traced(cond_fn, body, s, local, jnp.shape(cond), max_iter)


def _while_unrolled(cond_fn: Callable[[Scope, Scope], Any], body: Block, s: Scope, local: Scope, where: Where,
                    max_iter: int) -> tuple[Scope, Scope]:
    """WHILE run while tracing: an iteration at a time until no instance's condition holds."""
    count = 0
    while True:
        cond = cond_fn(s, local)
        known = static_truth(cond)
        if known is False:
            return s, local
        if known is None and isinstance(cond, jax.core.Tracer):  # known at first (dx = 1), traced now
            return _while_traced(cond_fn, body, s, local, jnp.shape(cond), max_iter - count)
        if count >= max_iter:
            raise SimulationError(f"WHILE loop still running after {max_iter} iterations (NEURON would loop "
                                  f"forever; Limits.max_loop_iterations)", _location(where))
        _spend(where, max_iter)
        s2, l2 = body(dict(s), dict(local))
        if known is True:
            s, local = s2, l2
        else:
            s, local = _merge(jnp.asarray(cond), s2, s, s), _merge(jnp.asarray(cond), l2, local, local)
        count += 1


def _while_traced(cond_fn: Callable[[Scope, Scope], Any], body: Block, s: Scope, local: Scope,
                  shape: tuple[int, ...], max_iter: int) -> tuple[Scope, Scope]:
    """WHILE on a traced condition: one `lax.while_loop`; instances still looping after `max_iter`
    iterations get NaN."""
    keys_s = [k for k, x in s.items() if _is_array(x) or _is_py(x)]
    keys_l = [k for k, x in local.items() if _is_array(x) or _is_py(x)]

    def pack(s_, l_):
        return ({k: jnp.broadcast_to(jnp.asarray(s_[k], float), shape) if _is_py(s_[k]) else s_[k] for k in keys_s},
                {k: jnp.broadcast_to(jnp.asarray(l_[k], float), shape) if _is_py(l_[k]) else l_[k] for k in keys_l})

    def full(carry):
        cs, cl = carry
        return {**s, **cs}, {**local, **cl}

    def c(carry):
        values, count = carry
        return jnp.any(cond_fn(*full(values))) & (count < max_iter)

    def b(carry):
        values, count = carry
        fs, fl = full(values)
        cnd = cond_fn(fs, fl)
        outer, _BUDGET.traced = _BUDGET.traced, count  # loops nested in the body go on counting from here
        try:
            s2, l2 = body(dict(fs), dict(fl))  # bodies assign into their dicts: fs, fl stay for the merge
            count = _BUDGET.traced
        finally:
            _BUDGET.traced = outer
        ms, ml = _merge(cnd, s2, fs, fs), _merge(cnd, l2, fl, fl)
        return pack(ms, ml), jnp.asarray(count, jnp.int32) + 1

    start = _BUDGET.traced if _BUDGET.traced is not None else 0  # the enclosing lax loop's count
    values, count = jax.lax.while_loop(c, b, _carry_like_body(b, (pack(s, local), jnp.asarray(start, jnp.int32))))
    if _BUDGET.traced is not None:
        _BUDGET.traced = count
    s_out, l_out = full(values)
    endless = jnp.asarray(cond_fn(s_out, l_out)) != 0  # still true after max_iter iterations
    return _poison(endless, s_out, keys_s), _poison(endless, l_out, keys_l)


def _carry_like_body(body: Callable[[Any], Any], carry: Any) -> Any:
    """`carry` broadcast to the shapes (and promoted to the dtypes) the loop's body gives back, which
    `lax.while_loop` requires to be its input's: a LOCAL set to a number before the loop and to a per-instance
    value in it (bg.inc of ModelDB 7400: `hexp_val = 1` then `FROM index = 1 TO hexp { hexp_val = h * hexp_val
    }`) is one value before the first iteration and one per instance after it. The body is traced for its shapes
    only (`jax.eval_shape`; the loop budget it spends is given back), again while a pass widens a shape."""
    for _ in range(8):
        spent = _BUDGET.spent
        try:
            out = jax.eval_shape(body, carry)
        finally:
            _BUDGET.spent = spent
        leaves, tree = jax.tree_util.tree_flatten(carry)
        shapes = jax.tree_util.tree_leaves(out)
        if all(jnp.shape(x) == o.shape and jnp.result_type(x) == o.dtype for x, o in zip(leaves, shapes)):
            return carry
        carry = jax.tree_util.tree_unflatten(tree, [
            jnp.broadcast_to(jnp.asarray(x, jnp.result_type(x, o.dtype)), jnp.broadcast_shapes(jnp.shape(x), o.shape))
            for x, o in zip(leaves, shapes)])
    return carry  # still widening: lax.while_loop names the part whose shape changes


def _poison(bad, scope: Scope, keys) -> Scope:
    """`scope` with NaN in the float values of the instances where `bad` (values shared by all
    instances, such as t, keep their shape and value)."""
    out = dict(scope)
    for k in keys:
        x = out[k]
        if not jnp.issubdtype(jnp.result_type(x), jnp.floating):
            continue
        mask = _per_instance(bad, x)
        if jnp.broadcast_shapes(jnp.shape(mask), jnp.shape(x)) == jnp.shape(x):
            out[k] = jnp.where(mask, jnp.nan, x)
    return out


def _loop_bound(x, what: str, where: Where) -> int:
    """A FROM loop's start, end or step as nocmodl's C has it: `(int)x`, truncated toward zero."""
    if isinstance(x, jax.core.Tracer):
        raise UnsupportedFeature(f"a FROM loop {what} that changes during the run (bridge unrolls FROM loops: "
                                 "use constants, DEFINEs or GLOBALs)", _location(where))
    values = np.asarray(x, dtype=np.float64).reshape(-1)
    if values.size and not (values == values[0]).all():
        raise UnsupportedFeature(f"a FROM loop {what} that differs between instances (bridge unrolls FROM loops)",
                                 _location(where))
    value = float(values[0]) if values.size else 0.0
    if not math.isfinite(value):
        raise SimulationError(f"the FROM loop's {what} is {value}", _location(where))
    return int(value)


def from_range(start, stop, step, where: Where = ("<string>", 0, 0),
               max_iter: int = DEFAULT_LIMITS.max_loop_iterations) -> Iterable[int]:
    """The values of i in nocmodl's `for (i = (int)start; i <= (int)stop; i += (int)step)`, each
    counted against the open `loop_budget()`."""
    a, b, c = (_loop_bound(x, what, where) for x, what in ((start, "start"), (stop, "end"), (step, "step")))
    if a > b:
        return range(0)
    if c <= 0:
        raise SimulationError(f"FROM loop from {a} to {b} BY {c} never ends (NEURON would loop forever)",
                              _location(where))
    count = (b - a) // c + 1
    if count > max_iter:
        raise BridgeError(f"FROM loop of {count} iterations, more than Limits.max_loop_iterations = {max_iter}; "
                          f"{DEFAULT_LIMITS.raise_hint('max_loop_iterations')}", _location(where))
    return _spending(range(a, b + 1, c), where, max_iter)


def _known_bound(x) -> bool:
    """A FROM bound known while tracing and equal for every instance (so the loop can be unrolled)."""
    if isinstance(x, jax.core.Tracer):
        return False
    values = np.asarray(x, dtype=np.float64).reshape(-1)
    return not values.size or bool((values == values[0]).all())


def from_(start, stop, step, body: Block, var: str, s: Scope, local: Scope, where: Where = ("<string>", 0, 0),
          max_iter: int = DEFAULT_LIMITS.max_loop_iterations) -> tuple[Scope, Scope]:
    """FROM var = start TO stop BY step { body }, as nocmodl's C loop runs it (see the module docstring)."""
    if all(_known_bound(x) for x in (start, stop, step)):
        for i in from_range(start, stop, step, where, max_iter):
            local = dict(local)
            local[var] = i
            s, local = body(s, local)
        return s, local
    if not _known_bound(step):
        raise UnsupportedFeature("a FROM loop step that changes during the run or differs between instances "
                                 "(use a constant, a DEFINE or a GLOBAL)", _location(where))
    c = _loop_bound(step, "step", where)
    if c <= 0:  # an instance whose loop runs would never stop; one whose loop is empty is fine
        raise SimulationError(f"FROM loop BY {c} never ends (NEURON would loop forever)", _location(where))
    a, b = jnp.trunc(jnp.asarray(start, dtype=float)), jnp.trunc(jnp.asarray(stop, dtype=float))
    local = dict(local)
    local[var] = a + jnp.zeros(jnp.broadcast_shapes(jnp.shape(a), jnp.shape(b)))

    def cond_fn(s_: Scope, l_: Scope):
        return l_[var] <= b

    def step_body(s_: Scope, l_: Scope) -> tuple[Scope, Scope]:
        s_, l_ = body(s_, l_)
        l_ = dict(l_)
        l_[var] = l_[var] + c
        return s_, l_

    return while_(cond_fn, step_body, s, local, where, max_iter)


def _spending(values: range, where: Where, max_iter: int) -> Iterator[int]:
    for i in values:
        _spend(where, max_iter)
        yield i
