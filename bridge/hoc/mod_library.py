"""`SUFFIX nothing`: a .mod file that is a library of FUNCTIONs and PROCEDUREs, not a mechanism.

nocmodl gives such a file's names no suffix (nocpout.cpp: with `SUFFIX nothing` the mechanism
is not registered and its FUNCTIONs, PROCEDUREs and GLOBALs are HOC names as written: `sq(3)`,
`k1`). Each file is its own library, keyed `nothing[<file name>]` (a key no HOC name can be).
The C functions of all libraries are linked into one shared library, so two files that define
the same FUNCTION or PROCEDURE name make nrnivmodl fail ("multiple definition of `sq(double)'"
at link time, measured with NEURON 9.0.2): bridge refuses that folder when it is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from bridge.errors import BridgeError

LIBRARY_SUFFIX = "nothing"
_CALLABLE_RE = re.compile(r"^\s*(?:FUNCTION|PROCEDURE)\s+([A-Za-z_][A-Za-z_0-9]*)", re.M)
_VERBATIM_RE = re.compile(r"^\s*VERBATIM\b.*?^\s*ENDVERBATIM\b", re.S | re.M)


def library_key(path: Path) -> str:
    """The catalog's key of the library in `path`."""
    return f"{LIBRARY_SUFFIX}[{path.name}]"


def is_library_key(name: str) -> bool:
    return name.startswith(LIBRARY_SUFFIX + "[")


def callable_names(text: str) -> tuple[str, ...]:
    """The FUNCTION and PROCEDURE names a .mod text (its COMMENT blocks removed) declares, outside VERBATIM."""
    return tuple(_CALLABLE_RE.findall(_VERBATIM_RE.sub("", text)))


def index_callables(libraries: dict[str, tuple[Path, tuple[str, ...]]]) -> dict[str, str]:
    """Function name -> library key; a name two libraries define is NEURON's link error, refused here."""
    out: dict[str, str] = {}
    for key, (path, names) in libraries.items():
        for name in names:
            if name in out and out[name] != key:
                other = libraries[out[name]][0]
                raise BridgeError(f"{path}: FUNCTION/PROCEDURE {name} is also defined by {other}; both files say "
                                  f"SUFFIX nothing, so both define the C function {name} and NEURON's nrnivmodl "
                                  "fails to link them (multiple definition)")
            out[name] = key
    return out


def mentions(text: str, name: str) -> bool:
    """Whether `name` occurs as a word in `text` (a library worth parsing for a GLOBAL of that name)."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None
