"""The data files of scopmath's `stepforce(t, "file")`, read as NEURON reads them (src/scopmath/force.cpp).

NEURON's `init_force` opens the file on the first call, counts its lines with `fgets` into an
81-byte buffer (a line of more than 80 bytes counts as several), takes that count less 6 as the
number of points, skips 6 header lines the same way, reads `%e %e` pairs into C floats until
EOF, sorts them by x (its insertion sort keeps equal x in file order: a stable sort) and computes
spline derivatives it does not use for `stepforce`. bridge reads the file when the `.mod` file is
translated: next to the `.mod` file, inside the read roots (NEURON opens it from its working
directory, the model folder a model's `.mod` files are compiled and run in), as bytes within
`Limits.max_file_size`. Every value is rounded to the nearest C float, as `fscanf("%e")` does.

A file NEURON would read differently from this description is refused with its reason: fewer
than 6 header lines, a token that is not a decimal number, a number of values that is not twice
the number of points (NEURON would read past its arrays), fewer than 3 points or two equal x
(NEURON's spline derivatives then divide by zero), a value a C float cannot hold.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl.syntax import ast
from bridge.readroots import ReadRefused, ReadRoots

FUNCTIONS = frozenset({"stepforce"})  # the scopmath functions whose second argument names a data file
HEADER_LINES = 6  # force.cpp: "Skip first 6 lines of file"
FGETS_CHUNK = 80  # fgets(tmpstr, 81, pfile): at most 80 bytes a read
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def attach_forcing(program: ast.Program, filename: str, roots: ReadRoots | None,
                   sources: list | None = None) -> ast.Program:
    """`program` with the data of every file its `stepforce(t, "file")` calls name (`Program.forcing`:
    (name, x values, y values), x ascending). Calls of another form are left to the analysis, which
    refuses them. `sources`, when given, gets (real path, text) of each file read."""
    names = sorted({c.args[1].value for c in ast.walk(program)
                    if isinstance(c, ast.Call) and c.name in FUNCTIONS and len(c.args) == 2
                    and isinstance(c.args[1], ast.String)})
    if not names or filename.startswith("<"):
        return program
    calls = {c.args[1].value: c for c in ast.walk(program) if isinstance(c, ast.Call) and c.name in FUNCTIONS
             and len(c.args) == 2 and isinstance(c.args[1], ast.String)}
    if roots is None:
        roots = ReadRoots.of([Path(filename).parent])
    data = []
    for name in names:
        call = calls[name]
        try:
            path = roots.resolve(name, [Path(filename).parent], "data")
            if path is None:
                raise SemanticError(f'{call.name}(t, "{name}"): no such file next to {Path(filename).name} '
                                    f"({Path(filename).parent / name}; NEURON: 'Could not open forcing "
                                    "function file')", call.loc)
            raw = roots.read_bytes(path, "data")
        except ReadRefused as err:
            raise SemanticError(f'{call.name}(t, "{name}"): {err.message}', call.loc) from None
        if sources is not None:
            sources.append((path, raw.decode("latin-1")))
        try:
            xs, ys = read_points(raw)
        except ValueError as err:
            raise UnsupportedFeature(f'{call.name}(t, "{name}"): {path.name}: {err} (NEURON reads such a file '
                                     "otherwise or not at all: src/scopmath/force.cpp init_force)",
                                     call.loc) from None
        data.append((name, xs, ys))
    return replace(program, forcing=tuple(data))


def read_points(raw: bytes) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(x, y) of a reference data file as init_force fills them: C floats, sorted by x (stable)."""
    chunks = _chunk_ends(raw)
    if len(chunks) < HEADER_LINES:
        raise ValueError(f"fewer than {HEADER_LINES} header lines")
    npts = len(chunks) - HEADER_LINES
    tokens = raw[chunks[HEADER_LINES - 1]:].split()
    for tok in tokens:
        if not _NUMBER.fullmatch(tok):
            raise ValueError(f"{tok[:40]!r} is not a decimal number")
    if len(tokens) != 2 * npts:
        raise ValueError(f"{len(tokens)} values after the header where its {npts} lines make NEURON expect "
                         f"{2 * npts}")
    if npts < 3:
        raise ValueError(f"{npts} points (bridge needs at least 3)")
    values = [_c_float(t.decode("ascii")) for t in tokens]
    pairs = sorted(zip(values[0::2], values[1::2], strict=True), key=lambda p: p[0])
    xs = tuple(p[0] for p in pairs)
    if any(a == b for a, b in zip(xs, xs[1:], strict=False)):
        raise ValueError("two points with the same x")
    return xs, tuple(p[1] for p in pairs)


def _chunk_ends(raw: bytes) -> list[int]:
    """The end offset of each `fgets(buf, 81, f)` read of `raw`."""
    ends, pos = [], 0
    while pos < len(raw):
        nl = raw.find(b"\n", pos, pos + FGETS_CHUNK)
        pos = nl + 1 if nl >= 0 else min(pos + FGETS_CHUNK, len(raw))
        ends.append(pos)
    return ends


def _c_float(text: str) -> float:
    """The decimal `text` rounded once to the nearest C float (ties to even), as glibc's scanf `%e`
    into a float; as a Python float."""
    exact = Fraction(text)
    near = np.float32(float(exact))  # through a double: may be one float off at a halfway double
    if not np.isfinite(near):
        raise ValueError(f"{text} is beyond a C float")
    best = near
    for cand in (np.nextafter(near, np.float32(-np.inf)), np.nextafter(near, np.float32(np.inf))):
        if not np.isfinite(cand):
            continue
        d_best, d_cand = abs(Fraction(float(best)) - exact), abs(Fraction(float(cand)) - exact)
        if d_cand < d_best or (d_cand == d_best and int(cand.view(np.uint32)) % 2 == 0):
            best = cand
    return float(best)
