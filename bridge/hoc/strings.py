"""HOC strings as objects: stdlib.hoc's `String` and NEURON's `StringFunctions`."""

from __future__ import annotations

import re

from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import StrRef, StrVar


class StringFunctions(BuiltinObject):
    """`new StringFunctions()`: string helpers (len, substr, head, tail, left, right)."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "StringFunctions"

    def __init__(self, interp, args, loc):
        super().__init__(interp)

    @staticmethod
    def _s(interp, args, i, loc):
        if i >= len(args) or not isinstance(args[i], (str, StrVar)):
            raise interp.error(f"StringFunctions: argument {i + 1} must be a string", loc)
        return args[i].value if isinstance(args[i], StrVar) else args[i]

    def m_alias(self, interp, args, loc):
        """`sf.alias(obj, name, &var)`: a name on obj for a variable (`bridge.hoc.aliases`)."""
        from bridge.hoc.aliases import alias

        return alias(interp, args, loc)

    def m_is_point_process(self, interp, args, loc):
        from bridge.hoc.netcon import point_index  # NetCon objects: bridge.hoc.netcon

        return point_index(interp, args[0] if args else None, loc, artificial=False)

    def m_is_artificial(self, interp, args, loc):
        from bridge.hoc.netcon import point_index

        return point_index(interp, args[0] if args else None, loc, artificial=True)

    def m_len(self, interp, args, loc):
        return float(len(self._s(interp, args, 0, loc)))

    def m_substr(self, interp, args, loc):
        text = self._s(interp, args, 0, loc)
        interp.work(0, loc, len(text))
        return float(text.find(self._s(interp, args, 1, loc)))

    def _store(self, interp, args, i, value, loc):
        if i >= len(args) or not isinstance(args[i], StrVar):
            raise interp.error(f"StringFunctions: argument {i + 1} must be a strdef", loc)
        args[i].value = value

    def m_left(self, interp, args, loc):
        text = self._s(interp, args, 0, loc)
        self._store(interp, args, 0, text[: int(number_arg(interp, args, 1, loc, "left"))], loc)
        return 0.0

    def m_right(self, interp, args, loc):
        text = self._s(interp, args, 0, loc)
        self._store(interp, args, 0, text[int(number_arg(interp, args, 1, loc, "right")):], loc)
        return 0.0

    @staticmethod
    def _search(interp, args, loc):
        """The first match of args[1] (a regular expression) in args[0], or None."""
        text, pattern = StringFunctions._s(interp, args, 0, loc), StringFunctions._s(interp, args, 1, loc)
        interp.work(len(text), loc)
        try:
            return text, re.search(pattern, text)
        except re.error as err:
            raise interp.error(f"StringFunctions: bad regular expression {pattern!r}: {err}", loc) from None

    def m_head(self, interp, args, loc):
        text, m = self._search(interp, args, loc)
        self._store(interp, args, 2, text[: m.start()] if m else "", loc)
        return float(m.start()) if m else -1.0

    def m_tail(self, interp, args, loc):
        text, m = self._search(interp, args, loc)
        self._store(interp, args, 2, text[m.end():] if m else "", loc)
        return float(m.end()) if m else -1.0


class HocString(BuiltinObject):
    """stdlib.hoc's `String`: an object holding one string, `.s`."""

    cls = "String"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.s = interp.new_str(args[0].value if args and isinstance(args[0], StrVar) else (args[0] if args else ""))

    def hoc_ref(self, interp, name, indices, loc):
        if name != "s" or indices:
            return super().hoc_ref(interp, name, indices, loc)
        return StrRef(self.s)
