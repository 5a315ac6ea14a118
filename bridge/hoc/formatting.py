"""C printf formatting with HOC's arguments: `printf`, `sprint`, and `%s` of any HOC value.

The formatted text's size is reserved in the session's memory (`bridge.hoc.budget`)
before it is made: a width like `%9999999999d` is refused, not allocated.
"""

from __future__ import annotations

import re

from bridge.errors import HocError
from bridge.hoc.arguments import string_arg
from bridge.hoc.budget import STRING_OVERHEAD_BYTES
from bridge.hoc.values import StrVar, is_number

_FORMAT = re.compile(r"%([-+ #0]*(\d*)(?:\.(\d+))?)([a-zA-Z%])|[^%]+|%")


def hoc_format(interp, fmt: str, args, loc) -> str:
    """C printf formatting with HOC's arguments (numbers and strings). The result's size is
    reserved in the session's memory (bridge.hoc.budget) before it is made: a width like
    `%9999999999d` is refused, not allocated."""
    out, i, size = [], 0, 0
    for m in _FORMAT.finditer(fmt):
        if not m.group(0).startswith("%") or m.group(0) == "%":
            out.append(m.group(0))
            size += len(m.group(0))
            continue
        flags, width, precision, conv = m.group(1), m.group(2), m.group(3), m.group(4)
        if conv == "%":
            out.append("%")
            size += 1
            continue
        if i >= len(args):
            raise interp.error(f"format {fmt!r} needs more arguments", loc)
        conv, a = _converted(interp, conv, args[i], loc)
        i += 1
        # the longest the piece can be: its width, its precision, a string's length, and the
        # digits of the largest double (%f of 1e308) or integer
        piece = int(width or 0) + int(precision or 0) + (
            len(a) if isinstance(a, str) else 330 if conv in "feEgG" else len(str(a)) + 2)
        size += piece
        interp.statements += 1  # formatting one value: about a statement's time
        _reserve_text(interp, size, fmt, loc)
        out.append(("%" + flags + conv) % a)
    interp.work(0, loc, size)
    return "".join(out)


_ONE_NUMBER = re.compile(r"[^%]*%[-+ #0]*\d*(?:\.\d+)?([feEgGd])[^%]*")


def number_formatter(interp, fmt: str, first: float, loc):
    """A function formatting one number with `fmt` as hoc_format does (for a Vector's or Matrix's
    elements): `fmt` is checked, and its size reserved, once with `first`; a format of one numeric
    conversion then formats with Python's `%` (C's rules for these conversions)."""
    hoc_format(interp, fmt, [first], loc)
    m = _ONE_NUMBER.fullmatch(fmt)
    if m is None:
        return lambda v: hoc_format(interp, fmt, [v], loc)
    if m.group(1) == "d":
        return lambda v: fmt % int(v)
    return lambda v: fmt % v


def _converted(interp, conv: str, a, loc):
    """(conversion, value) as Python's `%` takes them for HOC's `%conv` of `a` (`%i` is `%d`)."""
    a = a.value if isinstance(a, StrVar) else a
    if conv in "dioxXc":
        if not is_number(a):
            raise interp.error(f"%{conv} needs a number", loc)
        return ("d" if conv == "i" else conv), int(a)
    if conv in "feEgG":
        if not is_number(a):
            raise interp.error(f"%{conv} needs a number", loc)
        return conv, float(a)
    if conv == "s":
        return conv, (interp.show(a) if not isinstance(a, str) else a)
    raise interp.refuse(f"format %{conv} is not supported", loc)


def _reserve_text(interp, size: int, fmt: str, loc) -> None:
    """Refuse a formatted text of `size` characters that the memory budget cannot hold."""
    try:
        interp.memory.need(2 * size + STRING_OVERHEAD_BYTES, f"format {fmt[:40]!r} (up to {size} characters)")
    except HocError as err:
        raise interp.error(err.message, loc) from None


def printf(interp, args, loc):
    text = hoc_format(interp, string_arg(interp, args, 0, loc, "printf"), args[1:], loc)
    interp.write(text)
    return float(len(text))


def sprint(interp, args, loc):
    if not args or not isinstance(args[0], StrVar):
        raise interp.error("sprint: the first argument must be a strdef variable", loc)
    args[0].value = hoc_format(interp, string_arg(interp, args, 1, loc, "sprint"), args[2:], loc)
    return 1.0  # hoc_Sprint (src/oc/fileio.cpp) returns 1
