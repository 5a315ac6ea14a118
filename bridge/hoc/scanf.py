"""HOC's `sscanf(string, format, &x, strdef, ...)`: C's sscanf (glibc's rules) as NEURON calls it.

NEURON (src/oc/code2.cpp hoc_vsscanf) checks the format first: each converting `%` needs the next
argument, a pointer to a number (`&x`) or, for `%s`/`%[...]`, a strdef; `%c` takes no width; at most 12
conversions. It then runs C's sscanf into C variables and copies the first n (the return value) to the
arguments: `%d %i %o %u %x` through a C int (a long with `l`), `%e %f %g` through a C float (a double
with `l`), `%c` as the character's code. The return is -1 when the text ends before the first
assignment (glibc's `input_error` with nothing assigned).
"""

from __future__ import annotations

import math
import re
import struct
from fractions import Fraction

from bridge.hoc.arguments import string_arg
from bridge.hoc.values import Ref, StrVar

_SPACE = " \t\n\v\f\r"
_INT_SPECS = "diouxX"
_FLOAT_SPECS = "eEfgGaA"
_MAX_CONVERSIONS = 12  # code2.cpp: sscanf is called with at most 12 pointers


class _Spec:
    """One `%` directive: assigned or not (`*`), its width (None: unlimited), `l`, the conversion letter and,
    for `%[`, the scanset (member test)."""

    def __init__(self, assign: bool, width: int | None, long: bool, conv: str, member=None):
        self.assign, self.width, self.long, self.conv, self.member = assign, width, long, conv, member


def _scanset(fmt: str, i: int, interp, loc):
    """The scanset of `%[` whose text starts at fmt[i] (after '['): (member test, index after ']')."""
    negate = i < len(fmt) and fmt[i] == "^"
    if negate:
        i += 1
    start = i
    if i < len(fmt) and fmt[i] == "]":  # a ']' first is a member
        i += 1
    while i < len(fmt) and fmt[i] != "]":
        i += 1
    if i >= len(fmt):
        raise interp.error("scan error: incomplete format specifier", loc)
    body = fmt[start:i]
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    k = 0
    while k < len(body):  # glibc: 'a-z' is a range when '-' is neither first nor last
        if k + 2 < len(body) and body[k + 1] == "-" and body[k] <= body[k + 2]:
            ranges.append((body[k], body[k + 2]))
            k += 3
        else:
            chars.add(body[k])
            k += 1

    def member(c: str) -> bool:
        inside = c in chars or any(a <= c <= b for a, b in ranges)
        return inside != negate

    return member, i + 1


def parse_format(interp, fmt: str, loc) -> list:
    """The format as a list of literal texts and `_Spec`s, checked as code2.cpp checks it."""
    out: list = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        i += 1
        assign = True
        if i < n and fmt[i] == "*":
            assign = False
            i += 1
        m = re.match(r"\d*", fmt[i:])
        digits = m.group(0) if m else ""
        i += len(digits)
        long = i < n and fmt[i] == "l"
        if long:
            i += 1
        if i >= n:
            raise interp.error("scan error: incomplete format specifier", loc)
        conv = fmt[i]
        i += 1
        width = int(digits) if digits and int(digits) > 0 else None
        if conv == "%":
            out.append(_Spec(False, None, False, "%"))
            continue
        member = None
        if conv == "[":
            if long:
                raise interp.error("scan error: unknown conversion specifier (%l[)", loc)
            member, i = _scanset(fmt, i, interp, loc)
        elif conv == "s" and long or conv == "c" and (long or digits):
            raise interp.error(f"scan error: unknown conversion specifier (%{conv} with a width or l)", loc)
        elif conv not in _INT_SPECS + _FLOAT_SPECS + "sc":
            raise interp.error(f"scan error: unknown conversion specifier %{conv}", loc)
        out.append(_Spec(assign, width, long, conv, member))
    return out


class _Input:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1


class _InputEnd(Exception):
    """glibc input_error: the text ended."""


class _NoMatch(Exception):
    """glibc conv_error: the text does not match."""


def _take(inp: _Input, width: int | None, pattern: re.Pattern) -> str:
    """The longest text at the input that `pattern` matches, within `width` characters."""
    end = len(inp.text) if width is None else min(len(inp.text), inp.pos + width)
    m = pattern.match(inp.text, inp.pos, end)
    return m.group(0) if m else ""


_INT_PATTERNS = {
    10: re.compile(r"[+-]?[0-9]*"), 8: re.compile(r"[+-]?[0-7]*"),
    16: re.compile(r"[+-]?(?:0[xX](?=[0-9a-fA-F]))?[0-9a-fA-F]*"),
    0: re.compile(r"[+-]?(?:0[xX](?=[0-9a-fA-F])[0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)?"),
}
_FLOAT = re.compile(r"[+-]?(?:(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)"
                    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
                    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)", re.IGNORECASE)


def _int_value(text: str, conv: str, long: bool) -> float:
    base = {"d": 10, "u": 10, "o": 8, "x": 16, "X": 16, "i": 0}[conv]
    body = text.lstrip("+-")
    if not body:
        raise _NoMatch
    value = int(body, base) if base else int(body, 16 if body[:2].lower() == "0x" else 8 if body[0] == "0" else 10)
    if text.startswith("-"):
        value = -value
    bits = 64 if long else 32
    if conv in "di":  # strtol: clamped to the long range; stored into an int: its low 32 bits
        value = max(-(1 << 63), min((1 << 63) - 1, value))
    else:  # strtoul: clamped to ULONG_MAX, a '-' negates modulo 2**64
        if abs(value) >= (1 << 64):
            value = (1 << 64) - 1
        value %= 1 << 64
    value %= 1 << bits
    return float(value - (1 << bits) if value >= 1 << (bits - 1) else value)


_F32_OVERFLOW = Fraction(2**128 - 2**103)  # FLT_MAX plus half its ulp


def _to_float32(text: str) -> float:
    """strtof: the float nearest to the decimal text (ties to even), as a double."""
    d = float(text) if not text.lstrip("+-")[:2].lower() == "0x" else float.fromhex(text)
    if math.isnan(d) or math.isinf(d):
        return struct.unpack("f", struct.pack("f", d))[0]
    exact = Fraction(d) if text.lstrip("+-")[:2].lower() == "0x" else Fraction(text.rstrip())
    if abs(exact) >= _F32_OVERFLOW:  # rounds (ties to even) to 2**128: inf
        return math.copysign(math.inf, d)
    try:
        c = struct.unpack("f", struct.pack("f", d))[0]
    except OverflowError:  # d at the threshold, the exact value below it
        c = struct.unpack("f", struct.pack("<i", 0x7F7FFFFF))[0]
    best = None
    for cand in (c, _next_f32(c, -1), _next_f32(c, 1)):
        if not math.isfinite(cand):
            continue
        err = abs(Fraction(cand) - exact)
        if best is None or err < best[0] or (err == best[0] and _even_f32(cand)):
            best = (err, cand)
    assert best is not None
    return best[1]


def _next_f32(x: float, direction: int) -> float:
    bits = struct.unpack("<i", struct.pack("<f", x))[0]
    if x == 0.0:
        return math.copysign(struct.unpack("<f", struct.pack("<i", 1))[0], direction)
    bits += direction if x > 0 else -direction
    try:
        return struct.unpack("<f", struct.pack("<i", bits))[0]
    except struct.error:
        return math.inf


def _even_f32(x: float) -> bool:
    return struct.unpack("<i", struct.pack("<f", x))[0] % 2 == 0


def _float_value(text: str, long: bool) -> float:
    body = text.lstrip("+-").lower()
    if body.startswith(("inf", "nan")):
        value = math.inf if body.startswith("inf") else math.nan
        return -value if text.startswith("-") else value
    if body.startswith("0x"):
        value = float.fromhex(text)
        return value if long else _to_float32(text)
    return float(text) if long else _to_float32(text)


def scan(text: str, specs: list) -> tuple[int, list]:
    """C sscanf(text, format) on the parsed format: (the return value, the values assigned in order:
    floats for numbers, str for strings)."""
    inp, values = _Input(text), []
    try:
        for spec in specs:
            if isinstance(spec, str):
                if spec in _SPACE:
                    inp.skip_space()
                elif not inp.peek():
                    raise _InputEnd
                elif inp.peek() != spec:
                    raise _NoMatch
                else:
                    inp.pos += 1
                continue
            conv = spec.conv
            if conv not in "[c":
                inp.skip_space()
            if not inp.peek():
                raise _InputEnd
            if conv == "%":
                if inp.peek() != "%":
                    raise _NoMatch
                inp.pos += 1
                continue
            if conv == "c":
                value: float | str = float(ord(inp.peek()) if ord(inp.peek()) < 128 else ord(inp.peek()) - 256)
                taken = 1
            elif conv in "s[":
                end = len(inp.text) if spec.width is None else min(len(inp.text), inp.pos + spec.width)
                k = inp.pos
                test = spec.member if conv == "[" else (lambda ch: ch not in _SPACE)
                while k < end and test(inp.text[k]):
                    k += 1
                value, taken = inp.text[inp.pos:k], k - inp.pos
                if not taken:
                    raise _NoMatch
            elif conv in _INT_SPECS:
                base = {"d": 10, "u": 10, "o": 8, "x": 16, "X": 16, "i": 0}[conv]
                word = _take(inp, spec.width, _INT_PATTERNS[base])
                value, taken = _int_value(word, conv, spec.long), len(word)
            else:
                word = _take(inp, spec.width, _FLOAT)
                if not word:
                    raise _NoMatch
                value, taken = _float_value(word, spec.long), len(word)
            inp.pos += taken
            if spec.assign:
                values.append(value)
    except _InputEnd:
        return (len(values) if values else -1), values
    except _NoMatch:
        pass
    return len(values), values


def sscanf(interp, args, loc):
    """`n = sscanf(string, format, ...)`: see the module docstring."""
    text = string_arg(interp, args, 0, loc, "sscanf")
    fmt = string_arg(interp, args, 1, loc, "sscanf")
    specs = parse_format(interp, fmt, loc)
    targets = [s for s in specs if not isinstance(s, str) and s.assign]
    if len(targets) > _MAX_CONVERSIONS:
        raise interp.error(f"scan error: too many ( > {_MAX_CONVERSIONS}) conversions", loc)
    for k, spec in enumerate(targets):
        if k + 2 >= len(args):
            raise interp.error(f"scan error: missing arg {k + 3}", loc)
        want = StrVar if spec.conv in "s[" else Ref
        if not isinstance(args[k + 2], want):
            what = "a string" if want is StrVar else "a pointer to a number"
            raise interp.error(f"scan error: arg {k + 3} must be {what}", loc)
    interp.work(len(text) + len(fmt), loc)
    n, values = scan(text, specs)
    for k, value in enumerate(values[:max(n, 0)]):
        target = args[k + 2]
        if isinstance(target, StrVar):
            target.value = value
        else:
            target.set(value)
    return float(n)
