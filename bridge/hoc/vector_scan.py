"""`Vector.scanf(file[, n][, c, nc])`: numbers from a File opened with ropen (src/ivoc/ivocvect.cpp `v_scanf`).

With n the Vector is first resized to n (n < 0, or no n: emptied) and at most n numbers are read; with c and nc
the file is read as rows of nc numbers and column c (from 1) is kept. Each number is read as `File.scanvar`
reads it (oc/fileio.cpp `hoc_scan`), the reading stops at the end of the file (the check is made before each
number, so a row cut short still counts), and the Vector ends with as many elements as rows were read. The
return value is that count. The file is one the model's read roots admit (`File.ropen`); the Vector's memory
is charged as it grows.
"""

from __future__ import annotations

from bridge.hoc.datafiles import File
from bridge.hoc.values import is_number


def _int(interp, value, loc) -> int:
    if not is_number(value):
        raise interp.error("Vector.scanf: the counts must be numbers", loc)
    return int(float(value))


def scanf(vec, interp, args, loc) -> float:
    f = args[0] if args else None
    if not isinstance(f, File):
        raise interp.error("Vector.scanf(file, ...) needs a File", loc)
    if f.stream is None:
        raise interp.error(f"Vector.scanf: {f} is not open for reading (File.ropen)", loc)
    n, c, nc = -1, 1, 1
    if len(args) >= 4:
        n, c, nc = (_int(interp, a, loc) for a in args[1:4])
    elif len(args) == 3:
        c, nc = (_int(interp, a, loc) for a in args[1:3])
    elif len(args) == 2:
        n = _int(interp, args[1], loc)
    if n >= 0:
        vec._reserve(interp, n, loc)
        data = vec.data[:n] + [0.0] * (n - len(vec.data))
    else:
        data = []

    def eof() -> bool:
        return bool(f.m_eof(interp, [], loc))

    def scan() -> float:
        return float(f.m_scanvar(interp, [], loc))

    i = 0
    while (n < 0 or i < n) and not eof():
        for _ in range(1, c):  # the columns before
            if not eof():
                scan()
        if not eof():
            value = scan()
            if n >= 0:
                data[i] = value
            else:
                vec._reserve(interp, len(data) + 1, loc, made=1)
                data.append(value)
        for _ in range(c, nc):  # the columns after
            if not eof():
                scan()
        i += 1
    vec.data = data[:i] + [0.0] * (i - len(data))
    return float(i)
