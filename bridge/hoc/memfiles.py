"""Temporary HOC files of NEURON's own builder code, kept in memory.

netbild's NetGUI makes its cell types by writing their templates to a temporary file and running it
(netgui.hoc `create1`: `fh.mktemp`, `fh.wopen()`, `save_hoc_templates(fh)`, `xopen(name)`, `fh.unlink`).
bridge lets only NEURON's installed builder files do this (`bridge.hoc.neuronlib.is_builder_file`), and the
file never touches the disk: `mktemp` names a memory file, writes go to it (bounded by
`Limits.max_file_size`), `xopen` of that name runs its text as HOC (interpreted, as any HOC), and `unlink`
forgets it. A model's own code gets `File.mktemp` refused, as before.
"""

from __future__ import annotations

from pathlib import Path

from bridge.errors import HocRefusal
from bridge.hoc import neuronlib

PREFIX = "bridge-memory-file:"  # the names mktemp gives (no real file is looked up for them)


class MemoryOut:
    """A memory file open for writing: the same `write`/`close` as `bridge.hoc.outfiles.OutputFile`."""

    def __init__(self, store: dict[str, bytearray], name: str, limit: int):
        self.store, self.name, self.limit = store, name, limit

    def write(self, data: bytes) -> None:
        buf = self.store.setdefault(self.name, bytearray())
        if len(buf) + len(data) > self.limit:
            raise HocRefusal(f"a temporary file of NEURON's builder code grows past Limits.max_file_size = "
                             f"{self.limit} bytes")
        buf.extend(data)

    def close(self) -> None:
        pass


def store(interp) -> dict[str, bytearray]:
    return interp.files.__dict__.setdefault("memory_files", {})


def allowed(loc) -> bool:
    """Whether the code at `loc` is one of NEURON's installed builder files."""
    return loc is not None and neuronlib.is_builder_file(Path(loc.filename))


def mktemp(interp, loc) -> str:
    """A new memory file's name (`File.mktemp` in NEURON's builder code); refused elsewhere."""
    if not allowed(loc):
        raise interp.refuse("File.mktemp() is refused: bridge writes only into the output folder", loc)
    files = store(interp)
    name = f"{PREFIX}{len(files) + 1}"
    files[name] = bytearray()
    return name


def is_memory(interp, name: str) -> bool:
    return str(name) in store(interp)


def open_write(interp, name: str, loc) -> MemoryOut:
    files = store(interp)
    files[name] = bytearray()
    return MemoryOut(files, name, interp.files.roots.limits.max_file_size)


def text(interp, name: str) -> str:
    return bytes(store(interp)[name]).decode("utf-8", "surrogateescape")


def unlink(interp, name: str) -> float:
    store(interp).pop(name, None)
    return 0.0
