"""Errors raised by bridge for bad input, unsupported constructs and failed simulations.

Every error that comes from a model file carries where it happened (file, line,
column) and shows the offending source line with a caret, so a user can fix the
file without reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class SourceLocation:
    """A position in a source file. `line` and `column` are 1-based."""

    filename: str = "<string>"
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}"


EXCERPT_WIDTH = 120  # characters of a long source line shown around the caret


def caret_excerpt(source: str | None, line: int, column: int) -> str:
    """The source line `line` (1-based) followed by a caret under `column`.

    Lines end at `\\n` only, as Lark counts them (readers turn `\\r\\n` and a lone `\\r` into
    `\\n` first); a form feed, `\\x1c`-`\\x1e`, NEL or U+2028 inside a line do not end it.
    Tabs count one column; characters that do not print are shown as `?`; a long line is
    cut to `EXCERPT_WIDTH` characters around the caret."""
    if not source or line < 1:
        return ""
    start = _line_start(source, line)
    if start < 0:
        return ""
    end = source.find("\n", start)
    text = source[start:] if end < 0 else source[start:end]
    if text.endswith("\r"):
        text = text[:-1]
    col = max(column - 1, 0)
    if len(text) > EXCERPT_WIDTH:
        first = max(0, min(col - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
        text, col = text[first:first + EXCERPT_WIDTH], col - first
    text = "".join(c if c.isprintable() else " " if c == "\t" else "?" for c in text)
    return f"    {text}\n    {' ' * col}^"


@lru_cache(maxsize=4)  # keeps up to 4 sources alive (they are the files of recent errors)
def _line_start(source: str, line: int) -> int:
    """Offset where line `line` (1-based) of `source` starts, -1 past the end. Counts newlines
    in blocks (C speed, no copies), so an error at the end of a 64 MB file costs milliseconds,
    and remembers recent answers (a HOC loop of execute1() can raise the same error often)."""
    need, pos, n, block = line - 1, 0, len(source), 1 << 16
    while need and pos < n:
        end = min(pos + block, n)
        found = source.count("\n", pos, end)
        if found >= need:  # the need-th newline is in [pos, end): bisect for it
            lo, hi = pos, end - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if source.count("\n", pos, mid + 1) >= need:
                    hi = mid
                else:
                    lo = mid + 1
            return lo + 1
        need -= found
        pos = end
    return pos if need == 0 else -1


class BridgeError(Exception):
    """Base class of every error bridge raises on purpose.

    `location` (optional) says where in a model file the problem is; `excerpt`
    is the source line with a caret under the column.
    """

    kind = "error"

    def __init__(self, message: str, location: SourceLocation | None = None, source: str | None = None):
        self.message = message
        self.location = location
        self.excerpt = caret_excerpt(source, location.line, location.column) if location else ""
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.location}: {self.kind}: {self.message}" if self.location else f"{self.kind}: {self.message}"
        return f"{head}\n{self.excerpt}" if self.excerpt else head


class NmodlSyntaxError(BridgeError):
    """An NMODL file that does not parse. `expected` lists what would have been valid."""

    kind = "syntax error"

    def __init__(self, message: str, location: SourceLocation, source: str | None = None,
                 expected: tuple[str, ...] = ()):
        self.expected = tuple(expected)
        super().__init__(message, location, source)


class HocSyntaxError(BridgeError):
    """A HOC file that does not parse."""

    kind = "syntax error"

    def __init__(self, message: str, location: SourceLocation, source: str | None = None,
                 expected: tuple[str, ...] = ()):
        self.expected = tuple(expected)
        super().__init__(message, location, source)


class UnsupportedFeature(BridgeError):
    """A construct bridge understands but does not run (VERBATIM, FUNCTION_TABLE, ...)."""

    kind = "unsupported"


class SemanticError(BridgeError):
    """A well-formed file that NEURON would refuse (undefined name, recursion, ...)."""

    kind = "semantic error"


class HocError(BridgeError):
    """A HOC runtime error or an unsupported HOC construct; `stack` is the HOC call stack."""

    kind = "hoc error"

    def __init__(self, message: str, location: SourceLocation | None = None, source: str | None = None,
                 stack: tuple[str, ...] = ()):
        self.stack = tuple(stack)
        super().__init__(message, location, source)

    def _render(self) -> str:
        text = super()._render()
        if self.stack:
            text += "\nHOC call stack (innermost last):\n" + "\n".join(f"  {frame}" for frame in self.stack)
        return text


class HocRefusal(HocError):
    """A HOC construct bridge refuses on purpose: one that runs a command or Python, writes a file,
    reads outside the model's roots, or that bridge does not run. NEURON would have run it, so HOC's
    own error handling (`execute1`) never catches a refusal: the model is refused."""


class SimulationError(BridgeError):
    """A simulation that went wrong (NaN in a voltage, an unstable step, ...)."""

    kind = "simulation error"
