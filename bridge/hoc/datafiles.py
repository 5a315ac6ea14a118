"""NEURON's `File` (src/ivoc/ocfile.cpp): reading data files inside the model's read roots
(`bridge.readroots`: the model folder and the folders named with allow_read), and writing only
into the output folder the user names (`bridge.hoc.outfiles`)."""

from __future__ import annotations

import re

from bridge.errors import HocRefusal
from bridge.hoc import memfiles
from bridge.hoc.formatting import hoc_format
from bridge.hoc.loader import _expand, fscan, getstr, ropen
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.outfiles import OutputFile
from bridge.hoc.values import StrVar

_NON_SPACE = re.compile(r"\S")


class File(BuiltinObject):
    """`new File()`: reading data files inside the model folder (`ropen`, `scanvar`, `gets`,
    `eof`); writing (`wopen`, `aopen`, `printf`, `Vector.printf(f)`) only into the output folder;
    `mkdir`, `unlink` and `vwrite` are refused."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "File"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.stream = None
        self.out: OutputFile | None = None
        self.name = args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else "")

    def hoc_call(self, interp, name, args, loc):
        if name == "unlink" and memfiles.is_memory(interp, str(self.name)):  # (bridge.hoc.memfiles)
            return self.m_unlink(interp, args, loc)
        if name in ("mkdir", "unlink", "vwrite", "seek", "tell", "vread"):
            raise interp.refuse(f"File.{name}() is refused: bridge reads and writes text and Vector.fwrite "
                                "data only, and never deletes files", loc)
        return super().hoc_call(interp, name, args, loc)

    def _open_write(self, interp, args, loc, append: bool) -> float:
        what = "aopen" if append else "wopen"
        if args:
            self.name = args[0].value if isinstance(args[0], StrVar) else args[0]
        self.m_close(interp, [], loc)
        if memfiles.is_memory(interp, str(self.name)):  # NEURON's builder code's temporary file
            self.out = memfiles.open_write(interp, str(self.name), loc)  # type: ignore[assignment]
            return 1.0
        try:
            self.out = interp.files.output.open(_expand(interp, str(self.name), loc), append)
        except HocRefusal as err:
            raise interp.refuse(f"File.{what}({str(self.name)!r}): {err.message}", loc) from None
        except OSError:
            return 0.0  # NEURON: fopen failed, 0
        return 1.0

    def m_wopen(self, interp, args, loc):
        return self._open_write(interp, args, loc, False)

    def m_aopen(self, interp, args, loc):
        return self._open_write(interp, args, loc, True)

    def write(self, interp, text: str, loc) -> None:
        """Write `text` to the file opened with wopen/aopen (an error when none is)."""
        if self.out is None:
            raise interp.error(f"{self}: no file open for writing (File.wopen first)", loc)
        self.write_bytes(interp, text.encode("utf-8", "surrogateescape"), loc)

    def write_bytes(self, interp, data: bytes, loc) -> None:
        if self.out is None:
            raise interp.error(f"{self}: no file open for writing (File.wopen first)", loc)
        try:
            self.out.write(data)
        except HocRefusal as err:
            raise interp.refuse(err.message, loc) from None

    def m_printf(self, interp, args, loc):
        if not args:
            raise interp.error("File.printf(format, ...) needs a format", loc)
        fmt = args[0].value if isinstance(args[0], StrVar) else args[0]
        text = hoc_format(interp, str(fmt), args[1:], loc)
        self.write(interp, text, loc)
        return 0.0  # ocfile.cpp File.printf returns 0

    def m_mktemp(self, interp, args, loc):
        """Only in NEURON's own builder code: a temporary file kept in memory (bridge.hoc.memfiles)."""
        self.name = memfiles.mktemp(interp, loc)
        return 1.0

    def m_unlink(self, interp, args, loc):
        """`fh.unlink` (no parentheses) of a memory file; any other file is refused as by `hoc_call`."""
        if not memfiles.is_memory(interp, str(self.name)):
            return self.hoc_call(interp, "unlink", args, loc)
        return memfiles.unlink(interp, str(self.name))

    def m_flush(self, interp, args, loc):
        return 0.0

    def m_ropen(self, interp, args, loc):
        if args:
            self.name = args[0].value if isinstance(args[0], StrVar) else args[0]
        files = interp.files
        saved = files.ropened
        ok = ropen(interp, self.name, loc, what="File.ropen")
        self.stream = files.ropened if ok else None
        files.ropened = saved
        return ok

    def m_close(self, interp, args, loc):
        self.stream = None
        if self.out is not None:
            self.out.close()
            self.out = None
        return 0.0

    def m_isopen(self, interp, args, loc):
        return float(self.stream is not None or self.out is not None)

    def _with_stream(self, interp, loc, fn):
        if self.stream is None:
            raise interp.error(f"{self}: no file open for reading", loc)
        files = interp.files
        saved = files.ropened
        files.ropened = self.stream
        try:
            return fn()
        finally:
            files.ropened = saved

    def m_scanvar(self, interp, args, loc):
        return self._with_stream(interp, loc, lambda: fscan(interp, loc))

    def m_gets(self, interp, args, loc):
        if not args or not isinstance(args[0], StrVar):
            raise interp.error("File.gets(strdef) needs a strdef", loc)
        if self.stream is not None and self.stream.pos >= len(self.stream.text):
            return -1.0  # ocfile.cpp f_gets: -1 at the end of the file, the strdef unchanged
        args[0].value = self._with_stream(interp, loc, lambda: getstr(interp, loc))
        return float(len(args[0].value))

    def m_scanstr(self, interp, args, loc):
        if not args or not isinstance(args[0], StrVar):
            raise interp.error("File.scanstr(strdef) needs a strdef", loc)

        def word():
            s = self.stream
            text, i = s.text, s.pos
            while i < len(text) and text[i].isspace():
                i += 1
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            s.advance_to(j)
            return text[i:j]

        args[0].value = self._with_stream(interp, loc, word)
        return float(len(args[0].value)) if args[0].value else -1.0

    def m_eof(self, interp, args, loc):
        if self.stream is None:
            return 1.0
        return float(_NON_SPACE.search(self.stream.text, self.stream.pos) is None)

    def m_chooser(self, interp, args, loc):
        """`f.chooser(...)` and `f.chooser()`: a file dialog. NEURON without its GUI (ocfile.cpp `f_chooser` when
        `hoc_usegui` is 0, as in a headless run) shows none, chooses nothing, leaves the File as it was and
        returns 1; so does bridge (the call is listed with the GUI calls)."""
        interp.model.gui_calls.setdefault("File.chooser (no dialog without NEURON's GUI: returns 1)", loc)
        return 1.0

    def m_getname(self, interp, args, loc):
        """The File's name, also put in the strdef given (ocfile.cpp `f_get_name` returns the string)."""
        if args and isinstance(args[0], StrVar):
            args[0].value = str(self.name)
        return str(self.name)
