"""INCLUDE "file": the included file's top-level blocks take the INCLUDE's place, as nocmodl does.

The file is looked up next to the including `.mod` file (nocmodl's first place to look; its other
places, the MODL_INCLUDE folders, are not searched). Included files may include others; a file that
includes itself (directly or not) is an error. Locations in included blocks name the included file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bridge.errors import SemanticError, UnsupportedFeature
from bridge.nmodl import ast


def expand_includes(program: ast.Program, filename: str | None = None, _seen: tuple[str, ...] = ()) -> ast.Program:
    """`program` with every top-level INCLUDE replaced by the items of the file it names."""
    from bridge.nmodl.parse import parse_file

    if not any(isinstance(i, ast.Include) for i in program.items):
        return program
    filename = filename or program.filename
    items: list = []
    for item in program.items:
        if not isinstance(item, ast.Include):
            items.append(item)
            continue
        if not filename or filename.startswith("<"):
            raise UnsupportedFeature(f'INCLUDE "{item.filename}" in text without a file: no folder to find it in',
                                     item.loc)
        path = (Path(filename).parent / item.filename).resolve()
        if not path.is_file():
            raise SemanticError(f'INCLUDE "{item.filename}": no such file next to {Path(filename).name} '
                                f"({path})", item.loc)
        if str(path) in _seen or len(_seen) > 16:
            raise SemanticError(f'INCLUDE "{item.filename}" includes itself', item.loc)
        included = expand_includes(parse_file(path), str(path), _seen + (str(path),))
        items.extend(included.items)
    return replace(program, items=tuple(items))
