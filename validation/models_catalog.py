"""The ModelDB sweep's model list: which folders, their entry files and the statements a model needs.

The list is a TOML file (`validation/models/modeldb.toml`), one table per model:

    [[model]]
    id = "3263"                      # the folder's name under the sweep's DIR (ModelDB accession number)
    why = "CA3 pyramidal cell, 1990s, 10 channels"       # why it is in the sample
    entry = "mosinit.hoc"            # optional: the HOC file to run, relative to the folder
    mechanisms = "mod"               # optional: the folder of .mod files, relative to the folder
    statements = ["tstop = 100"]     # optional: HOC run after the entry file
    reason = "the published run is 10 s"  # required with statements or tstop: why
    tstop = 100                      # optional [ms]: the protocol's tstop

Without `entry` the model's HOC file is found as `bridge validate` finds it (`validation.command.find_hoc`:
mosinit.hoc, init.hoc, main.hoc, else the folder's only .hoc file); without `mechanisms` the .mod files are
those next to the entry file, else those of its one subfolder holding .mod files
(`validation.command.find_mechanisms`), else those of the one folder anywhere in the model folder that holds
.mod files (several such folders: the list must name one).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError

DEFAULT_LIST = Path(__file__).resolve().parent / "models" / "modeldb.toml"
_KEYS = {"id", "why", "entry", "mechanisms", "statements", "reason", "tstop"}


@dataclass(frozen=True)
class ModelEntry:
    """One model of the sweep (see the module docstring); `tstop` [ms] or None for the model's own."""

    id: str
    why: str = ""
    entry: str | None = None
    mechanisms: str | None = None
    statements: tuple[str, ...] = field(default_factory=tuple)
    reason: str = ""
    tstop: float | None = None


def parse_entry(data: dict, where: str) -> ModelEntry:
    """A `[[model]]` table as a ModelEntry; unknown keys, a missing id and statements without a reason are errors."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise BridgeError(f"{where}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise BridgeError(f"{where}: every model needs an id (a string)")
    statements = data.get("statements", [])
    if not isinstance(statements, list) or not all(isinstance(s, str) for s in statements):
        raise BridgeError(f"{where}: statements must be a list of strings")
    tstop = data.get("tstop")
    if tstop is not None and (not isinstance(tstop, (int, float)) or tstop <= 0):
        raise BridgeError(f"{where}: tstop must be a positive number [ms]")
    if (statements or tstop is not None) and not data.get("reason"):
        raise BridgeError(f"{where}: model {data['id']}: statements and tstop need a one-line reason")
    for key in ("entry", "mechanisms"):
        value = data.get(key)
        if value is not None and (Path(value).is_absolute() or ".." in Path(value).parts):
            raise BridgeError(f"{where}: {key} {value!r} must be a path inside the model folder")
    return ModelEntry(id=data["id"], why=data.get("why", ""), entry=data.get("entry"),
                      mechanisms=data.get("mechanisms"), statements=tuple(statements),
                      reason=data.get("reason", ""), tstop=None if tstop is None else float(tstop))


def load_list(path: str | Path = DEFAULT_LIST) -> list[ModelEntry]:
    """The models of a list file, in file order; duplicate ids are an error."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BridgeError(f"{path}: {exc}") from None
    models = [parse_entry(m, f"{path}: model {i + 1}") for i, m in enumerate(data.get("model", []))]
    ids = [m.id for m in models]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        raise BridgeError(f"{path}: duplicate model ids {', '.join(dups)}")
    return models


def select(models: Sequence[ModelEntry], only: Sequence[str] = ()) -> list[ModelEntry]:
    """The models named in `only` (all when empty); an unknown id is an error."""
    if not only:
        return list(models)
    by_id = {m.id: m for m in models}
    missing = [i for i in only if i not in by_id]
    if missing:
        raise BridgeError(f"not in the model list: {', '.join(missing)}")
    return [by_id[i] for i in only]


def discover(folder: Path, model: ModelEntry) -> tuple[Path, Path | None]:
    """The entry HOC file and the .mod folder (None: none) of `model` in `folder` (module docstring rules)."""
    from validation.command import find_hoc, find_mechanisms

    if not folder.is_dir():
        raise BridgeError(f"{folder}: no such model folder")
    if model.entry is not None:
        hoc = folder / model.entry
        if not hoc.is_file():
            raise BridgeError(f"{folder}: entry {model.entry} not found")
    else:
        hoc = find_hoc(folder)
    if model.mechanisms is not None:
        mechanisms = folder / model.mechanisms
        if not mechanisms.is_dir():
            raise BridgeError(f"{folder}: mechanisms folder {model.mechanisms} not found")
        return hoc, mechanisms
    mechanisms = find_mechanisms(hoc.parent)
    if mechanisms is None:
        mechanisms = _only_mod_folder(folder)
    return hoc, mechanisms


def _only_mod_folder(folder: Path) -> Path | None:
    """The one folder anywhere below `folder` that holds .mod files (None: none); several are an error."""
    found = sorted({p.parent for p in folder.rglob("*.mod")})
    if len(found) > 1:
        names = ", ".join(str(f.relative_to(folder)) for f in found[:6])
        raise BridgeError(f"{folder}: .mod files in several folders ({names}): name one as `mechanisms` in the list")
    return found[0] if found else None
