"""The translator's entry point: NMODL files as mechanisms (`load_mod`, `load_mechanisms`, `translate`).

A `.mod` file goes through the stages of `bridge.nmodl`: parse and INCLUDE
(`syntax`) → `analysis` → code generation (`codegen.module`); the generated
Python is checked and executed in a fresh namespace (`codegen.sandbox`) and its
`MECHANISM` returned.
Translations are cached in memory by the SHA-256 of the text of every file the
translation read (the `.mod` file and the files it INCLUDEs), so loading the same
file twice costs nothing and two equal files share one translation, but two equal
files that INCLUDE different files do not. The cache holds immutable mechanisms
only (no run state).

A `.mod` file and what it INCLUDEs are read only inside the read roots
(`bridge.readroots`): the folder of the file (or the mechanism folder) and `allow_read`.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path, PurePath

from bridge.errors import BridgeError
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.analysis.analyze import analyze
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen import sandbox
from bridge.nmodl.codegen.module import generate
from bridge.nmodl.runtime.mechanism import TranslatedMechanism
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.guard import translation_guard
from bridge.nmodl.syntax.include import expand_includes
from bridge.nmodl.syntax.parse import parse
from bridge.nmodl.vecevent import is_vecevent
from bridge.readroots import ReadRefused, ReadRoots

_CACHE: dict[tuple[str, Limits], TranslatedMechanism] = {}
# bridge's own pas, hh, IClamp, AlphaSynapse and SEClamp (data files of bridge.mechanisms)
BUILTIN_DIR = Path(__file__).parent.parent / "mechanisms" / "builtin"


def _expanded(text: str, filename: str, roots: ReadRoots | None, limits: Limits,
              sources: list | None = None) -> ast.Program:
    """The parsed program with its INCLUDEs expanded (read inside `roots`, default: the folder of `filename`)."""
    program = parse(text, filename, limits=limits)
    if roots is None and not filename.startswith("<"):
        roots = ReadRoots.of([Path(filename).parent], limits=limits)
    return expand_includes(program, filename, roots=roots, sources=sources)


def analyze_text(text: str, filename: str = "<string>", roots: ReadRoots | None = None, *,
                 limits: Limits = DEFAULT_LIMITS) -> MechanismInfo:
    """Parse and analyse NMODL text (INCLUDEs read inside `roots`; default: the folder of `filename`;
    nesting bounded by `limits.max_nesting`)."""
    with translation_guard(filename):
        return analyze(_expanded(text, filename, roots, limits), text, filename)


def translate(text: str, filename: str = "<string>", roots: ReadRoots | None = None, *,
              limits: Limits = DEFAULT_LIMITS) -> str:
    """The Python/JAX source of the mechanism in NMODL `text` (what `bridge translate` prints)."""
    with translation_guard(filename):
        return generate(analyze_text(text, filename, roots, limits=limits), limits)


def _digest(*texts: str) -> str:
    h = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little") + data)  # lengths: ("ab", "c") is not ("a", "bc")
    return h.hexdigest()


def mechanism_from_source(python: str, key: str, filename: str = "<string>") -> TranslatedMechanism:
    """Execute generated source and return its MECHANISM (the source is kept for tracebacks).

    The source is first checked against the rules of generated code and then run with only
    the builtins it needs (`bridge.nmodl.codegen.sandbox`); `filename` is the .mod file, for errors."""
    return sandbox.run(python, filename, key)["MECHANISM"]


def load_text(text: str, filename: str = "<string>", roots: ReadRoots | None = None, *,
              limits: Limits = DEFAULT_LIMITS) -> TranslatedMechanism:
    """Translate NMODL text (cached by the text of every file the translation reads, and `limits`)."""
    if is_vecevent(text):  # NEURON's vecevent.mod (C reading a Vector): bridge's own VecStim instead
        warnings.warn(f"{filename}: NEURON's vecevent.mod (VecStim) recognised; bridge runs its own VecStim "
                      "(bridge/mechanisms/builtin/vecstim.mod, the same behaviour)", stacklevel=2)
        return load_mod(BUILTIN_DIR / "vecstim.mod")
    # the file's name is part of the key: a file without SUFFIX is named after it (analysis.analyze `unnamed`)
    stem = PurePath(filename).stem
    program, key = None, _digest(stem, text)
    with translation_guard(filename):
        if "INCLUDE" in text or "stepforce" in text:  # NMODL keywords are upper case: without the word there
            # is nothing to include; stepforce() reads a data file (bridge.nmodl.syntax.forcing)
            sources: list = []
            program = _expanded(text, filename, roots, limits, sources)
            key = _digest(stem, text, *(t for _, t in sources))
        cached = _CACHE.get((key, limits))
        if cached is not None:
            return cached
        if program is None:
            program = _expanded(text, filename, roots, limits)
        python = generate(analyze(program, text, filename), limits)
    mech = mechanism_from_source(python, key, filename)
    _CACHE[(key, limits)] = mech
    return mech


def load_program(program: ast.Program, filename: str, *, limits: Limits = DEFAULT_LIMITS) -> TranslatedMechanism:
    """The mechanism of a program already parsed with its INCLUDEs expanded, not cached (`bridge.hoc`
    translates a `SUFFIX nothing` library without its VERBATIM C this way: bridge.hoc.verbatim_library)."""
    with translation_guard(filename):
        python = generate(analyze(program, "", filename), limits)
    return mechanism_from_source(python, _digest(python), filename)


def load_mod(path: str | Path, *, allow_read=(), limits: Limits = DEFAULT_LIMITS,
             roots: ReadRoots | None = None) -> TranslatedMechanism:
    """The mechanism of one `.mod` file (SUFFIX or POINT_PROCESS), ready for the solver.

    The file may INCLUDE files in its folder and in `allow_read` (folders or files); `roots`
    replaces both (`bridge.readroots`), and its limits then apply. At most
    `limits.max_file_size` bytes per file."""
    path = Path(path)
    if roots is None:
        roots = ReadRoots.of([path.parent], [path], allow_read, limits)
    try:
        text = roots.read_text(path, "NMODL")
    except ReadRefused as exc:
        raise BridgeError(f"cannot read {path}: {exc.message}") from None
    return load_text(text.removeprefix("\ufeff"), str(path), roots, limits=roots.limits)


def load_mechanisms(folder: str | Path, *, allow_read=(),
                    limits: Limits = DEFAULT_LIMITS) -> dict[str, TranslatedMechanism]:
    """Every `.mod` file of `folder` (sorted by file name), by mechanism name.

    Raises the first file's error; two files defining the same name is an error,
    as it is for nrnivmodl. The files (and what they INCLUDE) must lie inside `folder`
    or `allow_read`: a file that links out of the folder is refused.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BridgeError(f"{folder} is not a folder")
    roots = ReadRoots.of([folder], allow_read=allow_read, limits=limits)
    out: dict[str, TranslatedMechanism] = {}
    origin: dict[str, Path] = {}
    for path in sorted(folder.glob("*.mod")):
        mech = load_mod(path, roots=roots)
        if mech.name in out:
            raise BridgeError(f"{path}: mechanism {mech.name!r} is already defined by {origin[mech.name]}")
        out[mech.name] = mech
        origin[mech.name] = path
    return out


_BUILTIN: dict[tuple, dict[str, TranslatedMechanism]] = {}


def builtin_mechanisms() -> dict[str, TranslatedMechanism]:
    """bridge's own built-in mechanisms (bridge/mechanisms/builtin/*.mod: pas, hh, IClamp, OClamp, ...), translated.

    Kept while the folder's files keep their names, sizes and modification times: a HOC live run asks for
    them at every step that changed the model, and reading and hashing the files cost ~18 ms each time."""
    key = tuple((p.name, st.st_size, st.st_mtime_ns) for p in sorted(Path(BUILTIN_DIR).glob("*.mod"))
                for st in (p.stat(),))
    mechs = _BUILTIN.get(key)
    if mechs is None:
        mechs = load_mechanisms(BUILTIN_DIR)
        _BUILTIN.clear()
        _BUILTIN[key] = mechs
    return dict(mechs)
