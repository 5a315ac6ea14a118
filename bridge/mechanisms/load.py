"""Loading NMODL files as mechanisms: `load_mod`, `load_mechanisms`, `translate`.

A `.mod` file goes through parse (`bridge.nmodl.parse`) → analysis
(`bridge.nmodl.analyze`) → code generation (`bridge.nmodl.codegen`); the
generated Python is executed in a fresh namespace and its `MECHANISM` returned.
Translations are cached in memory by the SHA-256 of the file's text, so
loading the same file twice costs nothing and two equal files share one
translation. The cache holds immutable mechanisms only (no run state).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bridge.errors import BridgeError
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.analyze import MechanismInfo, analyze
from bridge.nmodl.module import generate
from bridge.nmodl.guard import translation_guard
from bridge.nmodl.mechanism import TranslatedMechanism

_CACHE: dict[tuple[str, Limits], TranslatedMechanism] = {}
BUILTIN_DIR = Path(__file__).parent / "builtin"


def analyze_text(text: str, filename: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> MechanismInfo:
    """Parse and analyse NMODL text (nesting bounded by `limits.max_nesting`)."""
    from bridge.nmodl.include import expand_includes
    from bridge.nmodl.parse import parse

    with translation_guard(filename):
        program = expand_includes(parse(text, filename, limits=limits), filename)
        return analyze(program, text, filename)


def translate(text: str, filename: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The Python/JAX source of the mechanism in NMODL `text` (what `bridge translate` prints)."""
    with translation_guard(filename):
        return generate(analyze_text(text, filename, limits=limits), limits)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def mechanism_from_source(python: str, key: str, filename: str = "<string>") -> TranslatedMechanism:
    """Execute generated source and return its MECHANISM (the source is kept for tracebacks).

    The source is first checked against the rules of generated code and then run with only
    the builtins it needs (`bridge.nmodl.sandbox`); `filename` is the .mod file, for errors."""
    from bridge.nmodl import sandbox

    return sandbox.run(python, filename, key)["MECHANISM"]


def load_text(text: str, filename: str = "<string>", *, limits: Limits = DEFAULT_LIMITS) -> TranslatedMechanism:
    """Translate NMODL text (cached by content and limits)."""
    key = _digest(text)
    cached = _CACHE.get((key, limits))
    if cached is not None:
        return cached
    python = translate(text, filename, limits=limits)
    mech = mechanism_from_source(python, key, filename)
    _CACHE[(key, limits)] = mech
    return mech


def load_mod(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> TranslatedMechanism:
    """The mechanism of one `.mod` file (SUFFIX or POINT_PROCESS), ready for the solver."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise BridgeError(f"cannot read {path}: {exc.strerror}") from None
    return load_text(text, str(path), limits=limits)


def load_mechanisms(folder: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, TranslatedMechanism]:
    """Every `.mod` file of `folder` (sorted by file name), by mechanism name.

    Raises the first file's error; two files defining the same name is an error,
    as it is for nrnivmodl.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BridgeError(f"{folder} is not a folder")
    out: dict[str, TranslatedMechanism] = {}
    origin: dict[str, Path] = {}
    for path in sorted(folder.glob("*.mod")):
        mech = load_mod(path, limits=limits)
        if mech.name in out:
            raise BridgeError(f"{path}: mechanism {mech.name!r} is already defined by {origin[mech.name]}")
        out[mech.name] = mech
        origin[mech.name] = path
    return out


def builtin_mechanisms() -> dict[str, TranslatedMechanism]:
    """bridge's own pas, hh, IClamp, AlphaSynapse and SEClamp (bridge/mechanisms/builtin/*.mod), translated."""
    return load_mechanisms(BUILTIN_DIR)
