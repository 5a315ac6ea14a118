"""Files a model writes, only inside the output folder the user names (`load_hoc(..., output_dir=...)`,
`HocSession(output_dir=...)`).

A relative name (`"data/v.dat"`) is opened inside the output folder; the folders it names are
created there. Absolute names, `..` and symbolic links are refused: every folder on the way is
opened with O_NOFOLLOW relative to the one before it (no name is resolved twice), and the file
itself with O_NOFOLLOW and O_NONBLOCK and must be a regular file. The bytes one session writes
are bounded by `Limits.max_output_bytes`. Without an output folder every write is refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from bridge.errors import HocRefusal

NO_OUTPUT = ("bridge writes a model's files only into an output folder you name: "
             "load_hoc(..., output_dir=DIR) or HocSession(output_dir=DIR)")


class OutputFolder:
    """The folder a session writes into (None: writes refused) and the bytes written so far."""

    def __init__(self, root: str | os.PathLike | None, max_bytes: int):
        self.root = None if root is None else Path(root)
        self.max_bytes = max_bytes
        self.written = 0

    def check_name(self, name: str) -> list[str]:
        """The parts of a relative name without `..`: else a ValueError saying why."""
        if not name:
            raise ValueError("an empty file name")
        if "\0" in name:
            raise ValueError("a file name with a NUL character")
        p = PurePosixPath(name)
        if p.is_absolute() or name.startswith("~"):
            raise ValueError(f"{name!r} is an absolute path; only names relative to the output folder are written")
        parts = [q for q in p.parts if q != "."]
        if ".." in parts:
            raise ValueError(f"{name!r} leads out of the output folder ('..')")
        if not parts:
            raise ValueError(f"{name!r} names a folder, not a file")
        return parts

    def open(self, name: str, append: bool = False) -> OutputFile:
        """The file `name` opened for writing (truncated, or appended to) inside the output folder;
        HocRefusal when there is none or the name leads out of it, OSError when it cannot be opened."""
        if self.root is None:
            raise HocRefusal(f"writing {name!r} is refused: {NO_OUTPUT}")
        try:
            parts = self.check_name(name)
        except ValueError as err:
            raise HocRefusal(f"writing {name!r} is refused: {err}") from None
        self.root.mkdir(parents=True, exist_ok=True)
        flags_dir = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in parts[:-1]:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                try:
                    nxt = os.open(part, flags_dir, dir_fd=fd)
                except OSError:
                    raise HocRefusal(f"writing {name!r} is refused: {part!r} in the output folder is not a "
                                     "folder (a symbolic link or a file)") from None
                os.close(fd)
                fd = nxt
            flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_APPEND if append else 0)
            try:
                out = os.open(parts[-1], flags, 0o644, dir_fd=fd)
            except OSError as err:
                if err.errno in (40, 6):  # ELOOP: a symbolic link; ENXIO: a FIFO with no reader
                    raise HocRefusal(f"writing {name!r} is refused: it is not a regular file in the output "
                                     "folder") from None
                raise
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(out).st_mode):
            os.close(out)
            raise HocRefusal(f"writing {name!r} is refused: it is not a regular file in the output folder")
        if not append:
            os.ftruncate(out, 0)
        return OutputFile(self, name, out)


class OutputFile:
    """One open file in the output folder; every write counts against the folder's byte bound."""

    def __init__(self, folder: OutputFolder, name: str, fd: int):
        self.folder = folder
        self.name = name
        self.fd: int | None = fd

    def write(self, data: bytes) -> None:
        """Write `data`; HocRefusal (nothing written) when it would pass `Limits.max_output_bytes`."""
        folder = self.folder
        if folder.written + len(data) > folder.max_bytes:
            raise HocRefusal(f"writing {self.name!r}: the model writes more than Limits.max_output_bytes = "
                             f"{folder.max_bytes} bytes; raise it with bridge.Limits(max_output_bytes=...) "
                             "if the model really needs more")
        folder.written += len(data)
        view = memoryview(data)
        while view and self.fd is not None:
            n = os.write(self.fd, view)
            view = view[n:]

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self):
        self.close()
