"""What a mechanism's TABLEs were last built from, kept from one run to the next as NEURON keeps it.

nocmodl's `_check_<f>` (the code it generates for each TABLE; parsact.cpp) keeps a static flag
`_maktable` (set at first) and a static copy `_sav_<d>` of each DEPEND value `d`. At each check it
returns at once when `usetable_<suffix>` is 0; otherwise it rebuilds the table when `_maktable` is set or
some `_sav_<d> != d`, from the values the globals, celsius and the instance have then, and saves the
DEPEND values. So a GLOBAL the tabulated code reads but the TABLE does not DEPEND on, changed from HOC
between runs, leaves NEURON on the table built with its old value, until a DEPEND value changes.

The memory of one mechanism is a tuple, one entry per TABLE group (`TranslatedMechanism.table_groups`:
TABLEs with the same DEPEND list are checked together): `{"built": bool, "inputs": {name: value}}`, the
values of the scope entries a build reads that can change between runs (GLOBALs, celsius, dt, the first
instance's RANGE PARAMETERs) as they were at the last build. The first group's entry also has `"held"`
(`{name: value}`) where a tabulated PROCEDURE assigns GLOBALs besides its TABLE names
(`TranslatedMechanism.table_side_globals`): the value NEURON's one C variable holds, which a check that does
not rebuild leaves as it is: the last build's, or what the last run with `usetable_<suffix> = 0` left
(`with_held`, from the run's state). It is a pytree of arrays, so it can be carried through a jitted run and
a `lax.fori_loop`, and a value that changes is data, not a new structure (nothing compiles again).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp


def kept_names(global_names, range_names, s: dict) -> tuple[str, ...]:
    """The scope entries a build reads that HOC can change between runs (`usetable_*` switches excluded:
    they are Python values that choose code, and no build reads them)."""
    names = [k for k in global_names if not k.startswith("usetable")] + ["celsius", "dt"] + list(range_names)
    return tuple(dict.fromkeys(k for k in names if k in s))


def initial(groups, names: tuple[str, ...], s: dict, held: tuple[str, ...] = ()) -> tuple:
    """Nothing built yet (nocmodl's `_maktable = 1`); the `held` GLOBALs at their values in `s`."""
    inputs = {k: _strong(s[k]) for k in names}
    out = tuple({"built": jnp.asarray(False), "inputs": dict(inputs)} for _ in groups)
    if held and out:
        out = ({**out[0], "held": {k: _strong(s[k]) for k in held}}, *out[1:])
    return out


def held(memory: tuple) -> dict:
    """{GLOBAL: the value NEURON's variable holds} kept in `memory` (empty where none is kept)."""
    return dict(memory[0].get("held", {})) if memory else {}


def with_held(memory: tuple, values: dict) -> tuple:
    """`memory` with the kept GLOBALs in `values` ({name: value}) set, each in its kept dtype and shape."""
    if not memory or "held" not in memory[0] or not values:
        return memory
    kept = memory[0]["held"]
    new = {k: (jnp.asarray(values[k], old.dtype).reshape(old.shape) if k in values else old)
           for k, old in kept.items()}
    return ({**memory[0], "held": new}, *memory[1:])


def rebuilt(groups, memory: tuple, s: dict, checked: tuple[bool, ...] | None = None) -> tuple:
    """Per group, whether `check` at the scope `s` rebuilds its tables (a traced bool); `checked`: per group,
    whether NEURON checks it at this moment (None: all; a group not checked is never rebuilt)."""
    out = []
    for k, ((depend, _), m) in enumerate(zip(groups, memory, strict=True)):
        if checked is not None and not checked[k]:
            out.append(jnp.asarray(False))
            continue
        changed: Any = jnp.logical_not(m["built"])
        for d in depend:
            if d in m["inputs"]:
                changed = changed | jnp.any(jnp.asarray(s[d]) != m["inputs"][d])
        out.append(changed)
    return tuple(out)


def check(groups, memory: tuple, s: dict, checked: tuple[bool, ...] | None = None) -> tuple:
    """Each group's memory after nocmodl's `_check_<f>` at the scope `s` (usetable on): the inputs are
    those of `s` where the table is rebuilt (never built, or a DEPEND value differs from its saved copy;
    a NaN always differs, as in C), the saved ones otherwise. `checked` (as `rebuilt`): a group NEURON does
    not check at this moment keeps its memory as it is."""
    out = []
    # a DEPEND on a variable no run can change (a STATE's default) never differs
    for k, (m, changed) in enumerate(zip(memory, rebuilt(groups, memory, s, checked), strict=True)):
        if checked is not None and not checked[k]:
            out.append(m)
            continue
        inputs = {k: jnp.where(changed, jnp.asarray(s[k], old.dtype), old) for k, old in m["inputs"].items()}
        out.append({**m, "built": jnp.asarray(True), "inputs": inputs})
    return tuple(out)


def _strong(value) -> Any:
    """`value` as an array of a fixed dtype (not JAX's weak type of a Python float), so that a carried
    memory keeps its type through `lax.fori_loop`."""
    a = jnp.asarray(value)
    dtype = a.dtype if jnp.issubdtype(a.dtype, jnp.floating) else jnp.result_type(float)
    return jnp.array(a, dtype=dtype)
