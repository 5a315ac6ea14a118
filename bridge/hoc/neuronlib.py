"""NEURON's own HOC library, run as it is: the GUI builders' files (CellBuild, ...).

A session file saved by one of NEURON's GUI builders (`celbild.hoc`'s CellBuild, ...) holds the
builder's data and calls the builder's own HOC code to make the model (`cexport()`). bridge runs
that code, read at run time from the installed `neuron` package (never a copy in bridge), with
the GUI classes it uses as no-ops (`bridge.hoc.gui`). Only the builder's files are admitted to
the read roots, not NEURON's whole library folder. Without NEURON installed, loading a builder
is an error naming the missing library.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# The builder libraries bridge runs from NEURON's installation: file -> the folder its
# parts live in (opened with xopen relative to the library folder).
NEURON_BUILDERS: dict[str, str | None] = {"celbild.hoc": "celbild", "inserter.hoc": None, "single.hoc": None,
                                          "chanbild.hoc": "chanbild", "netbild.hoc": "netbild",
                                          "netparmpi.hoc": None,  # ParallelNetManager (bridge.hoc.parallel)
                                          "vplay.hoc": None,  # VectorPlay: its con1() calls Vector.play
                                          "electrod.hoc": None,  # Electrode: an IClamp and a VClamp
                                          "lincir.hoc": "lincir"}  # LinearCircuit: its LinearMechanism
# Templates of NEURON's builder libraries refused when made (none now: netbild.hoc's NetGUI and ArtCellGUI run
# as NEURON's code makes their network of artificial cells and NetCons, docs/events.md).
REFUSED_TEMPLATES: dict[str, str] = {}
# Templates of those libraries that NEURON defines once nrngui.hoc (stdgui.hoc) is loaded, which
# bridge's built-in nrngui.hoc does not run: `new Inserter()` loads inserter.hoc first.
LIBRARY_TEMPLATES = {"Inserter": "inserter.hoc"}
# Top-level strdefs of NEURON's stdlib.hoc that the builders name as `external` (bridge's
# built-in stdlib.hoc does not declare them otherwise).
STDLIB_STRDEFS = ("tstr",)


def library_folder() -> Path | None:
    """NEURON's `lib/hoc` folder: `$NEURONHOME/lib/hoc` when set, else the installed `neuron`
    package's (`neuron/.data/share/nrn/lib/hoc`); None when neither exists. The package is
    located, not imported."""
    home = os.environ.get("NEURONHOME")
    candidates = [Path(home) / "lib" / "hoc"] if home else []
    try:
        spec = importlib.util.find_spec("neuron")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            candidates.append(Path(loc) / ".data" / "share" / "nrn" / "lib" / "hoc")
    for folder in candidates:
        if (folder / "stdlib.hoc").is_file():
            return folder
    return None


def builder_paths(name: str) -> tuple[Path, list[Path], list[Path]] | None:
    """For a builder library `name` (a key of NEURON_BUILDERS): its file in NEURON's library and the
    folders and files to admit to the read roots; None when NEURON's library is not installed."""
    folder = library_folder()
    if folder is None or not (folder / name).is_file():
        return None
    sub = NEURON_BUILDERS[name]
    return folder / name, [folder / sub] if sub else [], [folder / name]


def is_builder_file(path: Path) -> bool:
    """Whether the real path `path` is one of the builder files of NEURON's installed library (NEURON's
    own code, which NEURON runs for a session file whatever the model says; not a model file)."""
    folder = library_folder()
    if folder is None:
        return False
    folder = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(path))
    for name, sub in NEURON_BUILDERS.items():
        if real == folder / name or (sub and (folder / sub) in real.parents):
            return True
    return False
