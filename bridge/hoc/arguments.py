"""Arguments of built-in functions and methods: `fn(interp, args, loc)` checks each with these,
naming the function (`name`) and the argument's place (1-based) in its error."""

from __future__ import annotations

from bridge.errors import HocError
from bridge.hoc import budget
from bridge.hoc.values import StrVar, is_number


def number_arg(interp, args: list, i: int, loc, name: str) -> float:
    """Argument i (0-based), a number."""
    if i >= len(args) or not is_number(args[i]):
        raise interp.error(f"{name}: argument {i + 1} must be a number", loc)
    return float(args[i])


def string_arg(interp, args: list, i: int, loc, name: str) -> str:
    """Argument i (0-based), a string or a strdef's value."""
    if i >= len(args):
        raise interp.error(f"{name}: argument {i + 1} (a string) is missing", loc)
    v = args[i]
    if isinstance(v, StrVar):
        return v.value
    if isinstance(v, str):
        return v
    raise interp.error(f"{name}: argument {i + 1} must be a string", loc)


def size_arg(interp, args: list, i: int, loc, name: str) -> int:
    """Argument i as a size: a number, not NaN, infinite or negative (bridge.hoc.budget.count)."""
    try:
        return budget.count(number_arg(interp, args, i, loc, name), f"{name}: the size")
    except HocError as err:
        raise interp.error(err.message, loc) from None


def subscript(interp, value: float) -> int:
    """An array subscript as hoc takes it: C's truncation of value + float_epsilon (src/oc/code.cpp
    `hoc_araypt`, matrix.cpp `steer_x`), so a[2.9999999999999] is a[3]."""
    return int(value + float(interp.model.globals["float_epsilon"]))
