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
import linecache
from pathlib import Path

from bridge.errors import BridgeError
from bridge.nmodl.analyze import MechanismInfo, analyze
from bridge.nmodl.module import generate
from bridge.nmodl.mechanism import TranslatedMechanism

_CACHE: dict[str, TranslatedMechanism] = {}
BUILTIN_DIR = Path(__file__).parent / "builtin"


def analyze_text(text: str, filename: str = "<string>") -> MechanismInfo:
    """Parse and analyse NMODL text."""
    from bridge.nmodl.include import expand_includes
    from bridge.nmodl.parse import parse

    program = expand_includes(parse(text, filename), filename)
    return analyze(program, text, filename)


def translate(text: str, filename: str = "<string>") -> str:
    """The Python/JAX source of the mechanism in NMODL `text` (what `bridge translate` prints)."""
    return generate(analyze_text(text, filename))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def mechanism_from_source(python: str, key: str) -> TranslatedMechanism:
    """Execute generated source and return its MECHANISM (the source is kept for tracebacks)."""
    name = f"<bridge-nmodl {key[:12]}>"
    linecache.cache[name] = (len(python), None, python.splitlines(True), name)
    ns: dict = {"__name__": f"bridge_nmodl_{key[:12]}", "__source__": python}
    exec(compile(python, name, "exec"), ns)  # noqa: S102  (our own generated code)
    return ns["MECHANISM"]


def load_text(text: str, filename: str = "<string>") -> TranslatedMechanism:
    """Translate NMODL text (cached by content)."""
    key = _digest(text)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    python = translate(text, filename)
    mech = mechanism_from_source(python, key)
    _CACHE[key] = mech
    return mech


def load_mod(path: str | Path) -> TranslatedMechanism:
    """The mechanism of one `.mod` file (SUFFIX or POINT_PROCESS), ready for the solver."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise BridgeError(f"cannot read {path}: {exc.strerror}") from None
    return load_text(text, str(path))


def load_mechanisms(folder: str | Path) -> dict[str, TranslatedMechanism]:
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
        mech = load_mod(path)
        if mech.name in out:
            raise BridgeError(f"{path}: mechanism {mech.name!r} is already defined by {origin[mech.name]}")
        out[mech.name] = mech
        origin[mech.name] = path
    return out


def builtin_mechanisms() -> dict[str, TranslatedMechanism]:
    """bridge's own pas, hh, IClamp, AlphaSynapse and SEClamp (bridge/mechanisms/builtin/*.mod), translated."""
    return load_mechanisms(BUILTIN_DIR)
