"""A `SUFFIX nothing` library with VERBATIM C: its declared variables and NMODL code without the C.

NEURON registers such a library's GLOBALs (PARAMETERs, ASSIGNEDs) as HOC variables and its FUNCTIONs and
PROCEDUREs as HOC functions whatever its VERBATIM blocks say (nocpout.cpp: `SUFFIX nothing`); the C runs only
when HOC calls a function that holds it, or a Vector method the C installed with `install_vector_method`
(ivocvect.cpp). bridge keeps what it can run and refuses the rest where HOC reaches it:

- top-level VERBATIM blocks (C declarations and static C functions) are left out: HOC reaches them only through
  a function that calls them or a Vector method installed from C (`vector_methods`, refused when called);
- a FUNCTION/PROCEDURE holding a VERBATIM block is left out (`needs_c`, refused when called: the function,
  the .mod, the block's line), as is one that calls it; a block that only installs Vector methods (and sets C
  statics only C reads: `install_vecst()` of the published vecst.mod) is dropped from its procedure, whose
  NMODL statements run;
- a function the translator refuses for another reason is left out and refused when called, with that reason.

A C macro (`#define`, in a VERBATIM block or a header it includes) named like an identifier of the NMODL code
would change what that code compiles to in NEURON: such a library is not reduced (the caller refuses it whole).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import BridgeError
from bridge.nmodl.analysis.refusals import only_comments
from bridge.nmodl.syntax import ast
from bridge.readroots import ReadRoots

_INSTALL_RE = re.compile(r"\binstall_vector_method\s*\(\s*\"([A-Za-z_][A-Za-z_0-9]*)\"\s*,\s*"
                         r"[A-Za-z_][A-Za-z_0-9]*\s*\)\s*;")
_DEFINE_RE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z_0-9]*)", re.M)
_HEADER_RE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*\"([^\"\n]+)\"", re.M)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
# what an install-only block may name besides the methods it installs: C keywords and types, <math.h>
_C_WORDS = frozenset("int unsigned long short double float char const static register for while if else "
                     "pow exp log log10 sqrt floor ceil fabs".split())


@dataclass(frozen=True)
class Reduced:
    """The library without its C. `needs_c`: FUNCTION/PROCEDURE name -> why calling it is refused;
    `vector_methods`: Vector method installed from C -> where (`file:line`)."""

    program: ast.Program
    needs_c: dict[str, str]
    vector_methods: dict[str, str]


def strip_c(text: str) -> str:
    """C text without comments and string/char literals."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", " ", text)


def installed_methods(text: str) -> tuple[str, ...]:
    """The Vector methods a VERBATIM text installs (`install_vector_method("name", fn);`)."""
    return tuple(_INSTALL_RE.findall(re.sub(r"//[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))))


def install_only(text: str, declared: set[str]) -> bool:
    """Whether a VERBATIM block only installs Vector methods and sets C statics: besides the installs, it names
    C keywords, <math.h> functions and C variables (none of the file's NMODL names, no `_`-prefixed name of
    nocmodl's, no other call, no `return`)."""
    rest = strip_c(_INSTALL_RE.sub(" ", re.sub(r"//[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))))
    if not installed_methods(text) or "#" in rest:
        return False
    for m in _IDENT_RE.finditer(rest):
        word = m.group(0)
        if word in _C_WORDS:
            continue
        called = rest[m.end():].lstrip().startswith("(")
        if called or word in declared or word.startswith("_") or word == "return":
            return False
    return True


def macro_names(program: ast.Program, folder: Path, roots: ReadRoots) -> set[str] | None:
    """Names `#define`d by the file's VERBATIM blocks and the local headers they `#include` (read through
    `roots`, nested once per file); None when a header cannot be read (its macros are unknown)."""
    names: set[str] = set()
    texts = [n.text for n in ast.walk(program) if isinstance(n, ast.Verbatim)]
    seen: set[str] = set()
    while texts:
        text = strip_c_comments(texts.pop())
        names.update(_DEFINE_RE.findall(text))
        for header in _HEADER_RE.findall(text):
            if header in seen:
                continue
            seen.add(header)
            try:
                texts.append(roots.read_text(folder / header, "C header"))
            except BridgeError:
                return None
    return names


def strip_c_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))


def _declared(program: ast.Program) -> set[str]:
    names = {d.name for d in (*program.parameters, *program.assigned, *program.states)}
    return names | {b.name for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))}


def _identifiers(program: ast.Program) -> set[str]:
    out = _declared(program)
    for node in ast.walk(program):
        if isinstance(node, (ast.Name, ast.Call)):
            out.add(node.name)
    return out


def _without(node: ast.Node, drop: set[int]):
    """`node` with the statements whose ids are in `drop` removed (at any depth)."""
    changes = {}
    for f in dataclasses.fields(node):
        if f.name == "loc":
            continue
        value = getattr(node, f.name)
        if isinstance(value, tuple) and any(isinstance(v, ast.Node) for v in value):
            new = tuple(_without(v, drop) if isinstance(v, ast.Node) else v for v in value if id(v) not in drop)
            if len(new) != len(value) or any(a is not b for a, b in zip(new, value)):
                changes[f.name] = new
        elif isinstance(value, ast.Node):
            new_node = _without(value, drop)
            if new_node is not value:
                changes[f.name] = new_node
    return dataclasses.replace(node, **changes) if changes else node


def _lines(block: ast.Node) -> tuple[str, int, int] | None:
    locs = [n.loc for n in ast.walk(block) if n.loc is not None]
    if not locs:
        return None
    return locs[0].filename, min(loc.line for loc in locs), max(loc.line for loc in locs)


def reduce_library(program: ast.Program, path: Path, roots: ReadRoots,
                   analyze: Callable[[ast.Program], object]) -> tuple[Reduced, object] | None:
    """The library `program` (INCLUDEs expanded) without its C, and `analyze` of it; None when it cannot be
    reduced (a macro renames its NMODL code, a header is unreadable, or what is left is still refused)."""
    macros = macro_names(program, path.parent, roots)
    if macros is None:
        return None
    declared = _declared(program)
    callables = [b for b in program.items if isinstance(b, (ast.FunctionBlock, ast.ProcedureBlock))]
    needs_c: dict[str, str] = {}
    methods: dict[str, str] = {}
    drop_stmts: set[int] = set()
    for block in callables:
        for node in ast.walk(block):
            if not isinstance(node, ast.Verbatim) or only_comments(node.text):
                continue
            where = f"{node.loc}" if node.loc else str(path)
            if install_only(node.text, declared):
                drop_stmts.add(id(node))
                for name in installed_methods(node.text):
                    methods.setdefault(name, where)
            elif block.name not in needs_c:
                needs_c[block.name] = f"{where}: unsupported: VERBATIM block with C code (bridge cannot run C)"
    for node in program.items:  # top-level C: static functions; the Vector methods it may install too
        if isinstance(node, ast.Verbatim):
            for name in installed_methods(node.text):
                methods.setdefault(name, f"{node.loc}" if node.loc else str(path))
    while True:
        _close_over_calls(callables, needs_c)
        kept = tuple(_without(item, drop_stmts) for item in program.items
                     if not isinstance(item, ast.Verbatim)
                     and not (isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) and item.name in needs_c))
        reduced = dataclasses.replace(program, items=kept)
        if macros & _identifiers(reduced):
            return None
        try:
            info = analyze(reduced)
        except BridgeError as err:
            culprit = _block_at(err, [b for b in callables if b.name not in needs_c])
            if culprit is None:
                return None
            needs_c[culprit.name] = f"{err.location}: {err.kind}: {err.message}"
            continue
        return Reduced(reduced, needs_c, methods), info


def _close_over_calls(callables: list, needs_c: dict[str, str]) -> None:
    """Add to `needs_c` every function that calls one in it (transitively)."""
    changed = True
    while changed:
        changed = False
        for block in callables:
            if block.name in needs_c:
                continue
            for node in ast.walk(block):
                if isinstance(node, ast.Call) and node.name in needs_c and node.name != block.name:
                    needs_c[block.name] = f"it calls {node.name}(): {needs_c[node.name]}"
                    changed = True
                    break


def _block_at(err: BridgeError, blocks: list):
    loc = getattr(err, "location", None)
    if loc is None:
        return None
    for block in blocks:
        span = _lines(block)
        if span is not None and span[0] == loc.filename and span[1] <= loc.line <= span[2]:
            return block
    return None
