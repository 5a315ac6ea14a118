"""What one HOC session may use: work (`Limits.max_statements`) and memory (`Limits.max_memory`).

Work is counted in statements' worth (about a microsecond of CPU each): each statement, loop
iteration, expression evaluated and call is one; a built-in that loops in Python over n
elements (Vector arithmetic, a section list) costs n / ELEMENTS_PER_STATEMENT more, one that
copies, fills or formats n bytes in C n / BYTES_PER_STATEMENT more, printing n bytes
n / OUTPUT_BYTES_PER_STATEMENT more, and parsing a chunk of source `parse_cost(text)`. So a
budget of `Limits.max_statements` ends any run, whatever it spends its time on, after about
as many microseconds.

Memory is the session's live data: Vectors, double/objref/section arrays, strings, List and
SectionList items, sections and their segments. Each container the model can grow holds a
`Charge`, resized *before* it grows (a request over the budget is refused before anything is
allocated) and given back when the container dies (`weakref.finalize`). Sizes are estimates
of CPython's real use (`VECTOR_ELEMENT_BYTES`, ...), on the high side.
"""

from __future__ import annotations

import math
import re
import weakref

from bridge.errors import HocError
from bridge.limits import Limits

ELEMENTS_PER_STATEMENT = 16  # elements a Python-level loop handles in the time of one statement
BYTES_PER_STATEMENT = 1024  # bytes a C-level copy, fill or format handles in that time (~1 GB/s)
OUTPUT_BYTES_PER_STATEMENT = 64  # printed bytes: a budget prints at most ~640 MB

VECTOR_ELEMENT_BYTES = 32  # a list slot (8) and its float object (24)
DOUBLE_BYTES = 8  # an element of `double a[n]` (a NumPy float64 array)
REFERENCE_BYTES = 8  # an element of `objref o[n]`, a List or SectionList item
SECTION_BYTES = 4096  # a section: Sec, tree Section, its name, dicts and per-section arrays
SEGMENT_BYTES = 512  # a segment: diam, cm and up to ~60 range-variable values
STRING_OVERHEAD_BYTES = 64  # a str object's header

MODEL_ITEM_BYTES = 2048  # a point process, recording, run request or pending assignment of the model state
RECOUNT_STATEMENTS = 2**16  # how often the model state's lists are counted

MAX_COUNT = 2**53  # a size beyond any float's exact integers is an error, not a wrap-around


RUN_STATEMENTS = 30  # running a text (a file, execute()): its checks, its stream, its frame
FILE_STATEMENTS = 200  # reading a file: finding, opening and decoding it
PARSE_STATEMENTS = 30  # Lark's fixed cost of one parse (~30 us)
# Built-in functions that look for a file (stat, resolve) even when they read nothing, and
# what a call costs besides its arguments.
FILE_LOOKUP_STATEMENTS = 40
FILE_LOOKUP_BUILTINS = frozenset({"load_file", "xopen", "ropen", "load_proc", "load_func", "load_template",
                                  "chdir"})
TOKEN_STATEMENTS = 8  # and of one token (~8 us: an LALR shift and the reductions of HOC's precedence chain)
# What parse_cost counts as a token: a comment or string is one (a regex match for Lark too),
# a name or number one, any other character one.
_TOKEN = re.compile(r'//[^\n]*+|/\*[\s\S]*?\*/|"(?:[^"\\\n]++|\\[\s\S])*+"|[A-Za-z_0-9.]++|[^\sA-Za-z_0-9.]')


def parse_cost(text: str, most: int) -> int:
    """Statements' worth of work to parse `text` (one chunk): about 1 us each, as for
    statements. Counting stops once the cost passes `most` (the budget left)."""
    cost = PARSE_STATEMENTS
    for _ in _TOKEN.finditer(text):
        cost += TOKEN_STATEMENTS
        if cost > most:
            break
    return cost


def count(value, what: str) -> int:
    """A size or count the model gives (array dimension, Vector size, nseg, format width):
    a finite number in [0, 2^53), truncated toward zero as NEURON's (int) cast."""
    v = float(value)
    if math.isnan(v):
        raise HocError(f"{what} is NaN")
    if v < 0:
        raise HocError(f"{what} is negative ({v:g})")
    if v >= MAX_COUNT:
        raise HocError(f"{what} = {v:g} is too large")
    return int(v)


class MemoryBudget:
    """Bytes of live HOC data against `Limits.max_memory`."""

    def __init__(self, limits: Limits):
        self.limit = limits.max_memory
        self.hint = limits.raise_hint("max_memory")
        self.used = 0
        self.kept = Charge(self)  # the model state's lists (recount)

    def charge(self, owner) -> Charge:
        """A charge of 0 bytes, given back when `owner` dies."""
        return Charge(self).bind(owner)

    def reserve(self, nbytes: int, what: str) -> Charge:
        """A charge of `nbytes` (refused if over the budget), for a container not made yet:
        `bind` it to the container once it exists."""
        c = Charge(self)
        c.resize(nbytes, what)
        return c

    def recount(self, model) -> None:
        """Charge what the model state keeps for good (point processes, Vector.record
        requests, runs, assignments after finitialize()), counted every
        RECOUNT_STATEMENTS statements: none of it is made in bulk, so the count is cheap
        and at most that many statements late."""
        items = len(model.point_processes) + len(model.recordings) + len(model.runs) + len(model.after_init)
        self.kept.resize(items * MODEL_ITEM_BYTES, f"the model state's {items} point processes, recordings and runs")

    def need(self, nbytes: int, what: str) -> None:
        """Refuse `nbytes` more (HocError naming `max_memory`) unless the budget has room."""
        if self.used + nbytes > self.limit:
            raise HocError(f"{what} needs {_size(nbytes)}, and the session already holds {_size(self.used)} of "
                           f"Limits.max_memory = {_size(self.limit)}; {self.hint}")


class Charge:
    """The bytes one container holds (see `MemoryBudget`)."""

    __slots__ = ("budget", "bytes")

    def __init__(self, budget: MemoryBudget):
        self.budget = budget
        self.bytes = 0

    def resize(self, nbytes: int, what: str) -> None:
        """The container will hold `nbytes`: refused (HocError) if that is over the budget."""
        delta = nbytes - self.bytes
        if delta > 0:
            self.budget.need(delta, what)
        self.budget.used += delta
        self.bytes = nbytes

    def bind(self, owner) -> Charge:
        """Give the bytes back when `owner` dies."""
        weakref.finalize(owner, self.release).atexit = False
        return self

    def release(self) -> None:
        self.budget.used -= self.bytes
        self.bytes = 0


def text_bytes(text: str) -> int:
    """Bytes CPython holds for the str `text` (1 per character for ASCII, up to 4 otherwise)."""
    return STRING_OVERHEAD_BYTES + len(text) * (1 if text.isascii() else 4)


def _size(nbytes: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} bytes"
