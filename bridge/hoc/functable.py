"""HOC's `table_<name>_<suffix>(...)`: the values of an NMODL FUNCTION_TABLE.

The call forms of NEURON's `hoc_spec_table` (src/oc/functabl.cpp):
- `table_tau1_ft(5)`: the constant 5 for every argument;
- `table_tau1_ft(yvec, xvec)`: Vectors of values and abscissae (one argument only);
- `table_tau1_ft(&y[0], n, min, max)` or `table_tau1_ft(&y[0], n, &x[0])`, and for each further
  argument `n2, min2, max2` or `n2, &x2[0]`: values from a HOC array or Vector element on, row
  order, each argument on n points from min to max or at the given abscissae.
NEURON keeps the addresses and reads the values while it runs, so bridge keeps the HOC storage
and reads it when the model is built (`resolve`, called by `initstate.model_tree`); the lookup is
bridge.nmodl.runtime.functable. A POINT_PROCESS's table is set through any of its instances
(`syn.table_t_table(...)`, `call_point`): NEURON's table is one per mechanism, as a density mechanism's.
"""

from __future__ import annotations

import math

import numpy as np

from bridge.errors import BridgeError
from bridge.hoc.values import ElemRef, is_number
from bridge.morphology.tree import FunctionTable


def call(interp, name: str, args: list, loc) -> float | None:
    """Run `table_<f>_<suffix>(args)` when it names a FUNCTION_TABLE of a mechanism; None otherwise."""
    found = _table(interp, name[len("table_"):])
    if found is None:
        return None
    key, nargs = found
    return _specify(interp, name, key, nargs, args, loc)


def call_point(interp, obj, name: str, args: list, loc) -> float | None:
    """Run `pp.table_<f>(args)` when it names a FUNCTION_TABLE of the point process `obj`'s mechanism (its one
    table, "<f>_<mechanism>"); None otherwise."""
    fname = name[len("table_"):]
    tables = obj.info.function_tables
    if not name.startswith("table_") or fname not in tables:
        return None
    return _specify(interp, f"{obj.cls}.{name}", f"{fname}_{obj.cls}", tables[fname], args, loc)


def _specify(interp, name: str, key: str, nargs: int, args: list, loc) -> float:
    """Keep the table `key` ("<f>_<mechanism>") of `nargs` arguments as HOC's call `name(args)` gives it."""
    from bridge.hoc.vector import Vector, VectorElement

    if len(args) == 1 and is_number(args[0]):
        spec: tuple = ("const", float(args[0]))
    elif len(args) >= 2 and isinstance(args[0], Vector) and isinstance(args[1], Vector):
        if nargs > 1:
            raise interp.error(f"{name}: Vector arguments allowed only for functions of one variable", loc)
        if len(args[0].data) != len(args[1].data):
            raise interp.error(f"{name}: Vector arguments not same size", loc)
        spec = ("vectors", args[0], args[1])
    elif args and isinstance(args[0], (ElemRef, VectorElement)):
        rest, dims = list(args[1:]), []
        for _ in range(nargs):
            if not rest or not is_number(rest[0]):
                raise interp.error(f"{name}: expected the size of each argument's table", loc)
            size = float(rest.pop(0))
            if not math.isfinite(size) or size > 2**31:
                raise interp.error(f"{name}: size {size:g} is not a table size", loc)
            n = int(size)
            if n < 1:
                raise interp.error(f"{name}: size arg < 1", loc)
            if len(rest) >= 2 and is_number(rest[0]) and is_number(rest[1]):
                lo, hi = float(rest.pop(0)), float(rest.pop(0))
                if hi < lo:
                    raise interp.error(f"{name}: min > max", loc)
                dims.append((n, None, lo, hi))
            elif rest and isinstance(rest[0], (ElemRef, VectorElement)):
                dims.append((n, rest.pop(0), 0.0, 0.0))
            else:
                raise interp.error(f"{name}: after a size, min and max or a pointer (&x[0]) to the abscissae", loc)
        spec = ("pointer", args[0], tuple(dims))
    else:
        raise interp.refuse(f"{name}(...): bridge takes a constant, two Vectors or a pointer (&y[0]) with sizes "
                            "(NEURON's hoc_spec_table forms)", loc)
    interp.model.mutations += 1
    interp.model.function_tables[key] = (spec, nargs, loc)
    return 0.0


def _table(interp, rest: str) -> tuple[str, int] | None:
    """("<f>_<suffix>", number of arguments) when `rest` names a density mechanism's FUNCTION_TABLE."""
    catalog = interp.model.catalog
    for suffix in catalog.names():
        if rest.endswith("_" + suffix) and len(rest) > len(suffix) + 1:
            info = catalog.get(suffix)
            fname = rest[: -len(suffix) - 1]
            if info.kind == "density" and fname in info.function_tables:
                return rest, info.function_tables[fname]
    return None


def resolve(specs: dict) -> dict[str, FunctionTable]:
    """The tables' values as the HOC storage holds them now."""
    out = {}
    for key, (spec, nargs, loc) in specs.items():
        if spec[0] == "const":
            out[key] = FunctionTable(np.array([spec[1]]), ((1, None, 1e20, 1e20),) * nargs)
        elif spec[0] == "vectors":
            y, x = np.asarray(spec[1].data, float), np.asarray(spec[2].data, float)
            if len(y) != len(x) or len(y) == 0:
                raise BridgeError(f"{loc}: table_{key}: the Vectors' sizes ({len(y)}, {len(x)}) changed after the "
                                  "call; NEURON would read past their data")
            out[key] = FunctionTable(y, ((len(y), x, 0.0, 0.0),))
        else:
            dims = spec[2]
            values = _read(spec[1], math.prod(d[0] for d in dims), key, loc)
            axes = tuple((n, None if ptr is None else _read(ptr, n, key, loc), lo, hi) for n, ptr, lo, hi in dims)
            out[key] = FunctionTable(values, axes)
    return out


def _read(ptr, count: int, key: str, loc) -> np.ndarray:
    """`count` numbers from the element `ptr` points at on (a HOC array's or a Vector's)."""
    if isinstance(ptr, ElemRef):
        data, start = np.asarray(ptr.var.data, float), ptr.i
    else:
        data, start = np.asarray(ptr.vector.data, float), ptr.index
    if start + count > len(data):
        raise BridgeError(f"{loc}: table_{key}: {count} values from element {start} on, but the storage holds "
                          f"{len(data)} (NEURON would read past its end)")
    return data[start:start + count].copy()
