"""The folders a model may read, and reading a file there: bounded, regular files only.

Model files are untrusted input. Every file a *model* names (`load_file`, `xopen`,
`ropen`, `File.ropen`, `Import3d_SWC_read.input`, NMODL `INCLUDE`) is resolved with
`ReadRoots.resolve`: symlinks followed and `..` normalised, the real path must lie
inside a read root, which is

- the model folder (the folder of `load_hoc`'s file, `HocSession`'s `cwd`, or of the
  top-level `.mod` file),
- the mechanism folders and `.mod` files the user named,
- the folders (or files) the user names with `allow_read=[...]`
  (`bridge validate --allow-read DIR`),
- bridge's own library (`bridge/hoc/library`, `bridge/mechanisms/builtin`).
- once a model loads one, the file(s) of a NEURON GUI builder in NEURON's installed library
  (`celbild.hoc` and `celbild/`, `inserter.hoc`, `single.hoc`: `bridge.hoc.neuronlib`).

A name outside is a `ReadRefused` error that says which option admits it; the file
is never opened, so no error can quote it. `ReadRoots.read_text` opens only regular
files (a FIFO or `/dev/zero` would hang or fill memory) of at most
`Limits.max_file_size` bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError
from bridge.limits import DEFAULT_LIMITS, Limits

_PACKAGE = Path(__file__).resolve().parent
BRIDGE_LIBRARY = (_PACKAGE / "hoc" / "library", _PACKAGE / "mechanisms" / "builtin")

ALLOW_READ_OPTIONS = ("load_hoc(..., allow_read=[...]), HocSession(allow_read=[...]), "
                      "load_mod(..., allow_read=[...]) or bridge validate --allow-read DIR")


class ReadRefused(BridgeError):
    """A model named a file it may not read (outside the read roots, not a regular file, too big)."""

    kind = "read refused"


def real_path(path: str | os.PathLike) -> Path:
    """`path` absolute, with every symlink followed and `..` removed (os.path.realpath)."""
    return Path(os.path.realpath(os.fspath(path)))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class ReadRoots:
    """Real folders (and single files) a model may read, and the bound on one file's size.

    Build with `ReadRoots.of(...)`; `adding(...)` gives a copy with more roots."""

    folders: tuple[Path, ...] = ()
    files: tuple[Path, ...] = ()
    limits: Limits = field(default=DEFAULT_LIMITS)

    @classmethod
    def of(cls, folders: Iterable = (), files: Iterable = (), allow_read: Iterable = (),
           limits: Limits = DEFAULT_LIMITS) -> ReadRoots:
        """Roots from the model's own folders and files, the user's `allow_read` (folders or files,
        which must exist) and bridge's library."""
        if isinstance(allow_read, (str, os.PathLike)):
            allow_read = [allow_read]
        extra_folders, extra_files = [], []
        for item in allow_read:
            p = real_path(item)
            if p.is_dir():
                extra_folders.append(p)
            elif p.is_file():
                extra_files.append(p)
            else:
                raise BridgeError(f"allow_read: {item} is neither a folder nor a file")
        return cls((), (), limits).adding(list(folders) + extra_folders + list(BRIDGE_LIBRARY),
                                          list(files) + extra_files)

    def adding(self, folders: Iterable = (), files: Iterable = ()) -> ReadRoots:
        """A copy that also admits `folders` and `files` (each taken as its real path)."""
        new_folders = tuple(dict.fromkeys(self.folders + tuple(real_path(f) for f in folders)))
        new_files = tuple(dict.fromkeys(self.files + tuple(real_path(f) for f in files)))
        return ReadRoots(new_folders, new_files, self.limits)

    def admits(self, path: Path) -> bool:
        """Whether the real path `path` is a root file or lies inside a root folder."""
        return path in self.files or any(_inside(path, folder) for folder in self.folders)

    def describe(self) -> str:
        """The roots, for error messages (bridge's library left out)."""
        own = [str(p) for p in self.folders if p not in BRIDGE_LIBRARY] + [str(p) for p in self.files]
        shown = ", ".join(own[:4]) + (f" and {len(own) - 4} more" if len(own) > 4 else "")
        return shown or "none"

    def refusal(self, real: Path, kind: str) -> str:
        """Why the real path `real` may not be read, and how a user admits it."""
        return (f"{real} is outside the folders this model may read ({self.describe()}); bridge reads {kind} "
                f"files only inside the model folder and the folders named with allow_read: to admit "
                f"{real.parent}, pass it to {ALLOW_READ_OPTIONS}")

    def resolve(self, name: str, bases: Sequence[str | os.PathLike], kind: str = "model") -> Path | None:
        """The real path of the file `name` names: absolute, or relative to each of `bases` in turn
        (the first that exists wins, as in NEURON); None when none exists. A candidate outside the
        roots raises `ReadRefused` whether or not it exists: refusing only existing files would tell
        a model which paths outside its folder exist. `kind` ("HOC", "data", "NMODL", ...) names the
        files in the message. Folders are not files (passed over)."""
        p = Path(name)
        candidates = [p] if p.is_absolute() else [Path(base) / p for base in bases]
        for cand in candidates:
            try:
                real = real_path(cand)
            except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
                continue
            if not self.admits(real):
                raise ReadRefused(self.refusal(real, kind))
            if os.path.lexists(real) and not real.is_dir():
                return real
        return None

    def admits_folder(self, folder: str | os.PathLike) -> Path | None:
        """The real path of `folder` when it lies inside a root folder, else None."""
        real = real_path(folder)
        return real if any(_inside(real, f) for f in self.folders) else None

    def read_bytes(self, path: str | os.PathLike, kind: str = "model") -> bytes:
        """The bytes of the file `path`: it must lie inside the roots, be a regular file and hold at most
        `limits.max_file_size` bytes (checked before reading; the read stops there too)."""
        real = real_path(path)
        if not self.admits(real):
            raise ReadRefused(self.refusal(real, kind))
        limit = self.limits.max_file_size
        try:
            if not stat.S_ISREG(os.stat(real).st_mode):  # never open a FIFO or a device
                raise ReadRefused(f"{real} is not a regular file (bridge reads only regular {kind} files)")
            # O_NONBLOCK: should the file have become a FIFO since, opening it does not wait
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ReadRefused(f"cannot read {real}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ReadRefused(f"{real} is not a regular file (bridge reads only regular {kind} files)")
            if st.st_size > limit:
                raise ReadRefused(self._too_big(real, f"{st.st_size} bytes, more"))
            data = fh.read(limit + 1)
        if len(data) > limit:  # grew while read, or a file whose size stat does not tell
            raise ReadRefused(self._too_big(real, "more"))
        return data

    def read_text(self, path: str | os.PathLike, kind: str = "model") -> str:
        """`read_bytes` decoded as UTF-8 (undecodable bytes replaced)."""
        return self.read_bytes(path, kind).decode("utf-8", errors="replace")

    def _too_big(self, real: Path, size: str) -> str:
        return (f"{real} holds {size} than Limits.max_file_size = {self.limits.max_file_size} bytes; "
                f"{self.limits.raise_hint('max_file_size')}")

