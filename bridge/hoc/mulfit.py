"""The parameters a MulRunFitter session file restores.

A session file's MulRunFitter (NEURON's mulfit1.hoc) runs, inside `object_push(ocbox_)`:
`fspec = new File("x.ses.ft1")`, `fdat = new File("x.ses.fd1")`, `read_data()`. Its `read_data`
opens both files (when the data file is missing it prints a message and stops) and reads the spec
with eparmlst.hoc `ParmFitness.rfile`: the fitness generators, then after a line naming
`Parameters:` one line per parameter, `"name", val, low, high, doarg, uselog`, read with
`sscanf(line, "%*[^\\"]\\"%[^\\"]\\",%g,%g,%g,%g,%g", ...)` (so `val` goes through a C float), up to
`End ParmFitness`. Each parameter is declared when HOC does not know it (`declare`) and assigned
`val` (`play_one`: `Pointer(&val, name).assign(val)`). The window itself is a GUI no-op in bridge;
the assignments change the model, so bridge makes them, at top level, in file order.

A spec bridge cannot read as NEURON does (no `ParmFitness:` first line, no `Parameters:` or
`End ParmFitness` line, a parameter line that is not the six fields, a name that is not a variable
reference, a value that is not finite) is refused with its file and line.
"""

from __future__ import annotations

import math
import re

from bridge.hoc import loader
from bridge.hoc.scanf import parse_format, scan

_PARAMETER = '%*[^"]"%[^"]",%g,%g,%g,%g,%g'
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]() +\-*/]*")  # a variable reference, no statement separators


def is_mulfit_frame(interp) -> bool:
    """Whether HOC runs inside `object_push()` of a MulRunFitter window (a session file's)."""
    pushed = getattr(interp.frame, "pushed", None)
    return pushed is not None and getattr(pushed[1], "cls", None) == "MulRunFitter"


def read_data(interp, loc) -> None:
    """mulfit1.hoc `read_data()`: the parameters of the spec file `fspec` assigned (see the module docstring)."""
    from bridge.hoc.datafiles import File
    from bridge.hoc.names import lookup

    files = []
    for name in ("fspec", "fdat"):
        var = lookup(interp, name)
        obj = var.data[0] if var is not None and hasattr(var, "data") and len(var.data) else None
        if not isinstance(obj, File):
            raise interp.refuse(f"MulRunFitter read_data(): {name} is not a File", loc)
        files.append(obj)
    spec, data = files
    spec_open = spec.m_ropen(interp, [], loc)
    data_open = data.m_ropen(interp, [], loc)
    if not data_open:  # NEURON prints "missing MulRunFit data file" and reads nothing
        spec.m_close(interp, [], loc)
        return
    if not spec_open:
        raise interp.refuse(f"MulRunFitter read_data(): no spec file {spec.name!r} (NEURON reads a closed file)", loc)
    text, where = spec.stream.text, spec.stream.filename
    spec.m_close(interp, [], loc)
    data.m_close(interp, [], loc)
    for name, value in parameters(interp, text, where, loc):
        loader.run_text(interp, f"{name} = {value!r}\n", where)


def parameters(interp, text: str, where: str, loc) -> list[tuple[str, float]]:
    """(name, val) of each parameter line of a ParmFitness spec `text` (read from file `where`)."""
    lines = text.splitlines()
    interp.work(len(text), loc)

    def refuse(i: int, why: str):
        return interp.refuse(f"MulRunFitter read_data(): {where}:{i + 1}: {why}", loc)

    if not lines or not lines[0].startswith("ParmFitness:"):
        raise refuse(0, "the spec file does not start with 'ParmFitness:'")
    i = 1
    while i < len(lines) and "Parameters" not in lines[i].split(":", 1)[0]:
        i += 1
    if i == len(lines):
        raise refuse(i - 1, "no 'Parameters:' line")
    specs = parse_format(interp, _PARAMETER, loc)
    out = []
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if "End ParmFitness" in line:
            return out
        n, values = scan(line + "\n", specs)
        if n != 6:
            raise refuse(j, 'a parameter line that is not "name", val, low, high, doarg, uselog')
        name, value = str(values[0]).strip(), float(values[1])
        if not _NAME.fullmatch(name) or "$" in name:
            raise refuse(j, f"the parameter name {name!r} is not a variable reference bridge assigns")
        if not math.isfinite(value):
            raise refuse(j, f"the value of {name} is not finite")
        out.append((name, value))
    raise refuse(len(lines) - 1, "no 'End ParmFitness' line")
