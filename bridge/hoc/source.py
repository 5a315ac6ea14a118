"""HOC source text as the interpreter reads it: size bound, decoding, line ends, refused characters.

One rule numbers lines everywhere (HOC and NMODL errors, Lark, `caret_excerpt`): after
`\\r\\n` and a lone `\\r` become `\\n`, a line ends at `\\n` and nowhere else. Characters
that are neither printable ASCII nor space, tab or newline are refused outside strings and
comments by the grammar (NEURON's lexer refuses them too: "character \\035 at position 0 is
not printable"); this module refuses what must not appear even there:

- a NUL byte (NEURON reads lines as C strings: the rest of the line would vanish),
- a UTF-8 byte-order mark (NEURON runs the first line of such a file and drops the rest),
- a lone surrogate (only Python text can hold one; it cannot be printed or encoded).

Bytes that are not valid UTF-8 become U+FFFD, which the grammar refuses outside comments
and strings (Latin-1 author names in comments are common in published models).
"""

from __future__ import annotations

import re
from pathlib import Path

from bridge.errors import HocError, HocSyntaxError, SourceLocation
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.readroots import ReadRefused, ReadRoots

_BOM = b"\xef\xbb\xbf"
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def read_source(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of the HOC file `path` that a user names (`decode_source`): a regular file of at
    most `limits.max_file_size` bytes. Files a model names are read through its read roots."""
    path = Path(path)
    try:
        data = ReadRoots.of(files=[path], limits=limits).read_bytes(path, "HOC")
    except ReadRefused as err:
        raise HocError(err.message) from None
    return decode_source(data, str(path))


def decode_source(data: bytes, filename: str) -> str:
    """HOC source from the bytes of a file: UTF-8 (invalid bytes as U+FFFD), DOS and old-Mac line ends
    as `\\n`, DOS end-of-file marks (^Z) dropped; a UTF-8 byte-order mark is refused."""
    if data.startswith(_BOM):
        text = data[len(_BOM):].decode("utf-8", errors="replace")
        raise HocSyntaxError("the file starts with a UTF-8 byte-order mark, which NEURON does not skip (it runs "
                             "only the first line of such a file); save the file without it",
                             SourceLocation(filename, 1, 1), text)
    text = data.decode("utf-8", errors="replace").replace("\x1a", "")
    return normalize_line_ends(text)


def normalize_line_ends(text: str) -> str:
    """`\\r\\n` (DOS) and a lone `\\r` (classic Mac) as `\\n`."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def check_characters(text: str, filename: str) -> None:
    """Refuse a NUL or a lone surrogate anywhere in `text` (see the module docstring)."""
    m = _REFUSED.search(text)
    if m is None:
        return
    pos = m.start()
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    ch = m.group(0)
    if ch == "\x00":
        message = "a NUL character (a binary file?); NEURON would drop the rest of the line"
    else:
        message = f"a lone surrogate {ch!r} (U+{ord(ch):04X}), which is not a character any file can hold"
    raise HocSyntaxError(message, SourceLocation(filename, line, column), text)
