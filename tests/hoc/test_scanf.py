"""bridge.hoc.scanf against the C library's sscanf (glibc, which NEURON's hoc_sscanf calls), case by case
and on random numbers; the HOC side against NEURON is tests/hoc/data/sscanf.hoc (test_builtins_vs_neuron)."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import random
import sys

import pytest

from bridge import HocSession
from bridge.errors import BridgeError
from bridge.hoc.scanf import parse_format, scan

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="compares with glibc's sscanf")


class _Interp:
    def error(self, message, loc):
        return ValueError(message)


def _c_sscanf(text: str, fmt: str, specs) -> tuple[int, list]:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    bufs = []
    for s in specs:
        if isinstance(s, str) or not s.assign:
            continue
        if s.conv in "s[":
            bufs.append(("s", ctypes.create_string_buffer(len(text) + 1)))
        elif s.conv == "c":
            bufs.append(("c", ctypes.c_byte()))
        elif s.conv in "diouxX":
            bufs.append(("n", ctypes.c_long() if s.long else ctypes.c_int()))
        else:
            bufs.append(("n", ctypes.c_double() if s.long else ctypes.c_float()))
    ptrs = [b if kind == "s" else ctypes.byref(b) for kind, b in bufs]
    n = libc.sscanf(text.encode(), fmt.encode(), *ptrs)
    return n, [b.value.decode() if kind == "s" else float(b.value) for kind, b in bufs[:max(n, 0)]]


def _same(a, b) -> bool:
    return a[0] == b[0] and len(a[1]) == len(b[1]) and all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)) for x, y in zip(a[1], b[1]))


CASES = [("1 2 3.5", "%d %d %lf"), ("1 2 3.5", "%d %d %f"), ("soma[3].dend", "%*[^0-9]%*d%*[^0-9]%d"),
         ("abc", "%s"), ("", "%d"), ("   ", "%d"), ("x", "%d"), ("1e", "%f"), ("1ex", "%f"), ("1e+", "%lf"),
         ("infinity", "%lf"), ("infx", "%lf"), ("-nan", "%lf"), ("nan(12)", "%lf"), ("0x1p3", "%lf"), ("0x", "%x"),
         ("0xg", "%x"), ("0xg", "%i"), ("077", "%i"), ("-", "%d"), ("+5", "%u"), ("-1", "%u"),
         ("99999999999", "%d"), ("99999999999", "%ld"), ("0.1", "%f"), ("1.00000005960464477539062", "%f"),
         ("16777217", "%f"), ("1e39", "%f"), ("3.4028236e38", "%f"), ("3.4028235e38", "%f"), ("1e-46", "%f"),
         ("abc def", "%3s%s"), ("12345", "%2d%3d"), ("a b", "%c %c"), ("5%", "%d%%"), ("a]b", "%[]a]%s"),
         ("a-b", "%[a-]%s"), ("x-z", "%[a-z]"), (" 1", "%*d %d"), ("1", "%*d %d"), ("1,2", "%d,%d"),
         ("1 ,2", "%d,%d"), (".5", "%f"), ("5.", "%f"), ("-.e5", "%f"), ("1e400", "%lf"), ("0x1.8p1", "%f"),
         ("1 2", "%d%d%d"), ("", "%s"), ("a", "a%d")]


@pytest.mark.parametrize("text,fmt", CASES)
def test_scan_matches_c_sscanf(text, fmt):
    specs = parse_format(_Interp(), fmt, None)
    assert _same(scan(text, specs), _c_sscanf(text, fmt, specs))


def test_random_numbers_match_c_sscanf():
    rng = random.Random(12)
    for _ in range(3000):
        mant = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 25)))
        dot = rng.randint(0, len(mant))
        text = f"{rng.choice(['', '-', '+'])}{mant[:dot]}.{mant[dot:]}e{rng.randint(-50, 45)}"
        for fmt in ("%f", "%lf", "%d", "%5f", "%i"):
            specs = parse_format(_Interp(), fmt, None)
            assert _same(scan(text, specs), _c_sscanf(text, fmt, specs)), (text, fmt)


@pytest.mark.parametrize("code,message", [
    ('x = 0\nsscanf("1", "%d", x)', "arg 3 must be a pointer"),
    ('x = 0\nsscanf("1", "%s", &x)', "arg 3 must be a string"),
    ('x = 0\nsscanf("1 2", "%d %d", &x)', "missing arg 4"),
    ('x = 0\nsscanf("1", "%5c", &x)', "unknown conversion"),
    ('x = 0\nsscanf("1", "%q", &x)', "unknown conversion"),
])
def test_format_errors_are_refused(code, message):
    with pytest.raises(BridgeError, match=message):
        HocSession()(code)
