"""NEURON's top-level file output, `wopen("name")` and `fprint(format, ...)` (src/oc/fileio.cpp
`wopen`, `Fprint`): into the output folder only (`bridge.hoc.outfiles`)."""

from __future__ import annotations

from bridge.errors import HocRefusal
from bridge.hoc.arguments import string_arg
from bridge.hoc.formatting import hoc_format
from bridge.hoc.loader import _expand


def wopen(interp, args, loc):
    """wopen("name"): fprint writes to it from now on (1, or 0 when it cannot be opened);
    wopen("") or wopen() closes it and fprint writes to stdout again."""
    files = interp.files
    name = string_arg(interp, args, 0, loc, "wopen") if args else ""
    if files.fout is not None:
        files.fout.close()
        files.fout = None
    if not name:
        return 1.0
    try:
        files.fout = files.output.open(_expand(interp, name, loc))
    except HocRefusal as err:
        raise interp.refuse(f"wopen({name!r}): {err.message}", loc) from None
    except OSError:
        return 0.0
    return 1.0


def fprint(interp, args, loc):
    """fprint(format, ...): printf into the file wopen opened (stdout when none is)."""
    text = hoc_format(interp, string_arg(interp, args, 0, loc, "fprint"), args[1:], loc)
    fout = interp.files.fout
    if fout is None:
        interp.write(text)
    else:
        try:
            fout.write(text.encode("utf-8", "surrogateescape"))
        except HocRefusal as err:
            raise interp.refuse(err.message, loc) from None
    return float(len(text))
