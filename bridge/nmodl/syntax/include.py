"""INCLUDE "file": the included file's top-level blocks take the INCLUDE's place, as nocmodl does.

The file is looked up next to the including `.mod` file (nocmodl's first place to look; its other
places, the MODL_INCLUDE folders, are not searched). Included files may include others; a file that
includes itself (directly or not) is an error. Locations in included blocks name the included file.

A `.mod` file is untrusted input: the name must resolve (symlinks followed, `..` removed) inside the
read roots (`bridge.readroots`): by default the folder of the top-level `.mod` file; callers add the
mechanism folder the user named and `allow_read`. A file outside is refused without being opened.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bridge.errors import BridgeError, SemanticError, UnsupportedFeature
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.forcing import attach_forcing
from bridge.nmodl.syntax.parse import parse
from bridge.readroots import ReadRefused, ReadRoots

MAX_INCLUDE_DEPTH = 16


def parse_mod_file(path: str | Path, roots: ReadRoots) -> ast.Program:
    """Parse the `.mod` file `path`, read through `roots` (UTF-8, a byte-order mark skipped)."""
    try:
        text = roots.read_text(path, "NMODL")
    except ReadRefused as err:
        raise BridgeError(f"cannot read {path}: {err.message}") from None
    return parse(text.removeprefix("\ufeff"), filename=str(path), limits=roots.limits)


def expand_includes(program: ast.Program, filename: str | None = None, _seen: tuple[str, ...] = (), *,
                    roots: ReadRoots | None = None, sources: list | None = None) -> ast.Program:
    """`program` with every top-level INCLUDE replaced by the items of the file it names.

    `roots`: where included files may lie (default: the folder of `filename`). `sources`, when
    given, gets (real path, text) of every file included, in the order read. The top-level call
    also reads the data files of stepforce() calls (`bridge.nmodl.syntax.forcing`; into `sources` too)."""
    filename = filename or program.filename
    program = _expand(program, filename, _seen, roots, sources)
    if _seen or "stepforce" not in {c.name for c in ast.walk(program) if isinstance(c, ast.Call)}:
        return program
    return attach_forcing(program, filename or "<string>", roots, sources)


def _expand(program: ast.Program, filename: str | None, _seen: tuple[str, ...], roots: ReadRoots | None,
            sources: list | None) -> ast.Program:
    first = next((i for i in program.items if isinstance(i, ast.Include)), None)
    if first is None:
        return program
    if not filename or filename.startswith("<"):
        raise UnsupportedFeature(f'INCLUDE "{first.filename}" in text without a file: no folder to find it in',
                                 first.loc)
    if roots is None:
        roots = ReadRoots.of([Path(filename).parent])
    items: list = []
    names: list[tuple[str, int, int]] = []
    own = list(program.names)  # this file's names, in order; an included file's come where its INCLUDE stands
    for item in program.items:
        if not isinstance(item, ast.Include):
            items.append(item)
            continue
        at = (item.loc.line, item.loc.column) if item.loc else (0, 0)
        while own and (own[0][1], own[0][2]) < at:
            names.append(own.pop(0))
        try:
            path = roots.resolve(item.filename, [Path(filename).parent], "NMODL")
        except ReadRefused as err:
            raise SemanticError(f'INCLUDE "{item.filename}": {err.message}', item.loc) from None
        if path is None:
            raise SemanticError(f'INCLUDE "{item.filename}": no such file next to {Path(filename).name} '
                                f"({Path(filename).parent / item.filename})", item.loc)
        if str(path) in _seen or len(_seen) > MAX_INCLUDE_DEPTH:
            raise SemanticError(f'INCLUDE "{item.filename}" includes itself', item.loc)
        try:
            text = roots.read_text(path, "NMODL").removeprefix("\ufeff")
        except ReadRefused as err:
            raise SemanticError(f'INCLUDE "{item.filename}": {err.message}', item.loc) from None
        if sources is not None:
            sources.append((path, text))
        included = expand_includes(parse(text, filename=str(path), limits=roots.limits), str(path),
                                   _seen + (str(path),), roots=roots, sources=sources)
        items.extend(included.items)
        names += [(n, *at) for n, _, _ in included.names]
    met: dict[str, tuple[str, int, int]] = {}
    for e in names + own:
        met.setdefault(e[0], e)
    return replace(program, items=tuple(items), names=tuple(met.values()))
