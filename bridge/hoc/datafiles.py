"""NEURON's `File` for models that read data files: reading only, inside the model's read roots
(`bridge.readroots`: the model folder and the folders named with allow_read)."""

from __future__ import annotations

import re

from bridge.hoc.loader import fscan, getstr, ropen
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import StrVar

_NON_SPACE = re.compile(r"\S")


class File(BuiltinObject):
    """`new File()`: reading data files inside the model folder (`ropen`, `scanvar`, `gets`,
    `eof`); every way of writing (`wopen`, `aopen`, `printf`, ...) is refused."""

    cls = "File"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.stream = None
        self.name = args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else "")

    def _refuse(self, interp, what, loc):
        raise interp.refuse(f"File.{what}() is refused: bridge never writes files for a model", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in ("wopen", "aopen", "printf", "vwrite", "mkdir", "unlink", "flush"):
            self._refuse(interp, name, loc)
        return super().hoc_call(interp, name, args, loc)

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
        return 0.0

    def m_isopen(self, interp, args, loc):
        return float(self.stream is not None)

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

    def m_getname(self, interp, args, loc):
        if args and isinstance(args[0], StrVar):
            args[0].value = str(self.name)
        return 0.0
