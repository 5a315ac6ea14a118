"""The tokens of a Neurolucida ASCII file, as NEURON's `Import3d_Neurolucida3.lex` makes them.

Line by line: `;` starts a comment; numbers are C `%lf` (decimal, exponent, hex, inf,
nan); `( ) , | < >`; `set`/`Set`/`SET` and `RGB` words (as `sscanf(" set %[^@]")`, so a
word that merely starts with them counts too); `"strings"`; labels `[A-Za-z0-9_]+`.
Following C `sscanf`, a token counts only if something other than '@' follows it on its
line. Anything else is a `bad text` token (the parser reports it where it meets it).
"""

from __future__ import annotations

import re
from typing import NamedTuple

EOF, NUMBER, LP, RP, COMMA, BAR, SET, RGB, STRING, LABEL, ERR, LSP, RSP = range(13)
_NAMES = ["end of file", "number", "(", ")", ",", "|", "set", "RGB", "string", "label", "bad text", "<", ">"]


class Token(NamedTuple):
    kind: int
    x: float
    s: str
    line: int
    column: int


_NUM = re.compile(r"\s*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
                  r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]))")
_PUNCT = {"(": LP, ")": RP, ",": COMMA, "|": BAR, "<": LSP, ">": RSP}
_WORD = re.compile(r"\s*(set|Set|SET|RGB)\s*")
_STRING = re.compile(r'\s*"([^"]+)"')
_EMPTY_STRING = re.compile(r'\s*""')
_LABEL = re.compile(r"\s*([A-Za-z0-9_]+)")
_SPACE = re.compile(r"\s*")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float.fromhex(text)


def _followed(line: str, pos: int) -> bool:
    """Whether `line[pos:]` starts with something other than '@' (C `sscanf`'s `%[^@]` must match)."""
    return re.match(r"[^@]+", line[pos:]) is not None


def tokens(text: str) -> list[Token]:
    """NEURON's `lex`, line by line: `;` starts a comment, `%lf` numbers, C `sscanf` rules
    (a token must be followed by something other than '@' on its line)."""
    out: list[Token] = []
    lines = text.split("\n")
    lines = [ln + "\n" for ln in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    lineno = 0
    line, start = "", 0  # remaining text of the current line and its column offset
    while True:
        while len(line) <= 1 or re.match(r"\s*;[^@]", line):
            if lineno >= len(lines):
                end = len(lines[-1].rstrip("\n")) + 1 if lines else 1
                out.append(Token(EOF, 0.0, "", lineno, end))
                return out
            line, start = lines[lineno].rstrip() + "\n", 0
            lineno += 1
        space = _SPACE.match(line)
        lead = space.end() if space else 0
        col = start + lead + 1
        tok, pos = None, 0
        m = _NUM.match(line)
        if m and _followed(line, m.end()):
            tok, pos = Token(NUMBER, _number(m.group(1)), "", lineno, col), m.end()
        elif line[lead:lead + 1] in _PUNCT and _followed(line, lead + 1):
            tok, pos = Token(_PUNCT[line[lead]], 0.0, "", lineno, col), lead + 1
        elif (m := _WORD.match(line)) and _followed(line, m.end()):
            tok, pos = Token(RGB if m.group(1) == "RGB" else SET, 0.0, "", lineno, col), m.end()
        elif (m := _STRING.match(line)) and _followed(line, m.end()):
            tok, pos = Token(STRING, 0.0, m.group(1), lineno, col), m.end()
        elif (m := _EMPTY_STRING.match(line)) and _followed(line, m.end()):
            tok, pos = Token(STRING, 0.0, "", lineno, col), m.end()
        elif (m := _LABEL.match(line)) and _followed(line, m.end()):
            tok, pos = Token(LABEL, 0.0, m.group(1), lineno, col), m.end()
        if tok is None:
            out.append(Token(ERR, 0.0, line.strip(), lineno, col))
            out.append(Token(EOF, 0.0, "", lineno, 1))
            return out
        out.append(tok)
        line, start = line[pos:], start + pos


__all__ = ["Token", "tokens", "EOF", "NUMBER", "LP", "RP", "COMMA", "BAR", "SET", "RGB", "STRING", "LABEL", "ERR",
           "LSP", "RSP"]
