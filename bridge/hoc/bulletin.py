"""ParallelContext's bulletin board in one process (NEURON run without MPI): messages by key, pack and unpack.

As NEURON 9.0.2's src/parallel/bbslocal.cpp (`BBSLocal`), bbslsrv.cpp (`BBSLocalServer`, `MessageValue`) and
ocbbs.cpp (`pack_help`, `unpack_help`, `post`, `look`, `look_take`, `take`, `upkscalar`, `upkstr`, `upkvec`):

- a message is a list of items with one read position. A number is one item (a double), a string two (its
  length, an int, then its text), a Vector two (its size, then its elements). `look(key)` hands out the posted
  message itself without taking it, so a second `look` reads on where the first stopped, and so does a later
  `take` of it (measured in NEURON 9.0.2). Messages under one key are taken in the order they were posted.
- `pack(args)` adds to the message being built; `post(key, args)` adds its own arguments and posts it (a
  number as key is written with "%g"); `submit` and `context` start a new message (`bridge.hoc.bulletin_jobs`).
- reading past a message's last item, an item of another kind, or with no message taken is NEURON's error
  ("BBSLocal error in upkdouble", ...: NEURON's own past-the-end read is undefined behaviour; bridge stops).
- `take(key)` of a key no message has runs queued jobs (`bridge.hoc.bulletin_jobs`) until one posts it; with
  none left it is NEURON's error "BBSLocal error in take blocking" (one process: nothing else will post it).
Python objects (`upkpyobj`, `pyret`, a Python callable or object packed) are refused. Every message's items
count against the session's memory (`Limits.max_memory`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from bridge.errors import HocError
from bridge.hoc import budget
from bridge.hoc.values import Ref, StrVar, is_number

ITEM_BYTES = 64  # one item of a message: a tuple, its kind and its value (numbers; strings and Vectors more)


class Message:
    """NEURON's `MessageValue`: items (kind, value), kind "int", "double", "vec" or "str", read from `pos`."""

    def __init__(self, interp):
        self.items: list[tuple[str, object]] = []
        self.pos = 0
        self._bytes = 0
        self._charge = interp.memory.charge(self)

    def add(self, interp, kind: str, value, loc) -> None:
        size = ITEM_BYTES + (len(value) * budget.DOUBLE_BYTES if kind == "vec" else 0)
        size += budget.text_bytes(value) if kind == "str" else 0
        try:
            self._charge.resize(self._bytes + size, f"a ParallelContext message of {len(self.items) + 1} items")
        except HocError as err:
            raise interp.error(err.message, loc) from None
        self._bytes += size
        interp.work(0, loc, size)
        self.items.append((kind, value))


@dataclass
class Board:
    """The session's one board: NEURON's static `BBSLocalServer` (messages; jobs: `bridge.hoc.bulletin_jobs`),
    BBSLocal's `posting_` and `taking_`, and ocbbs.cpp's `posting_` flag (`packing`: pack() has begun a
    message that post/submit/context will finish)."""

    messages: dict[str, deque[Message | None]] = field(default_factory=dict)
    posting: Message | None = None
    taking: Message | None = None
    packing: bool = False
    # jobs (BBSLocalServer's work_, todo_, results_, next_id_): bridge.hoc.bulletin_jobs
    work: dict = field(default_factory=dict)
    todo: list = field(default_factory=list)
    results: dict = field(default_factory=dict)
    next_id: int = 1
    depth: int = 0  # jobs running inside each other (working() or take() inside a job)


def board_of(interp) -> Board:
    """The session's board (made on first use): one for every ParallelContext, as NEURON's server is static."""
    board = getattr(interp.model, "bulletin_board", None)
    if board is None:
        board = interp.model.bulletin_board = Board()
    return board


def bbs_error(interp, what: str, loc):
    """NEURON's `BBSLocal::perror`: hoc_execerror("BBSLocal error in ", what)."""
    return interp.error(f"BBSLocal error in {what}", loc)


# -- packing (BBSLocal::pkbegin, pkint, ...) -------------------------------------------------------------
def pkbegin(interp, board: Board) -> None:
    board.posting = Message(interp)


def pk(interp, board: Board, kind: str, value, loc) -> None:
    """One item into the message being built (none: NEURON's "BBSLocal error in pk..." error)."""
    if board.posting is None:
        raise bbs_error(interp, {"int": "pkint", "double": "pkdouble", "vec": "pkdouble", "str": "pkstr length"}[kind],
                        loc)
    board.posting.add(interp, kind, value, loc)


def pkstr(interp, board: Board, text: str, loc) -> None:
    pk(interp, board, "int", len(text.encode()), loc)
    pk(interp, board, "str", text, loc)


def pack_values(interp, board: Board, args: list, loc, what: str) -> None:
    """ocbbs.cpp `pack_help`: numbers, strings and Vectors into the message being built (begun here unless
    pack() began it)."""
    from bridge.hoc.vector import Vector

    if not board.packing:
        pkbegin(interp, board)
        board.packing = True
    for k, a in enumerate(args):
        if is_number(a):
            pk(interp, board, "double", float(a), loc)
        elif isinstance(a, (str, StrVar)):
            pkstr(interp, board, a.value if isinstance(a, StrVar) else a, loc)
        elif isinstance(a, Vector):
            pk(interp, board, "int", len(a.data), loc)
            pk(interp, board, "vec", tuple(a.data), loc)
        elif isinstance(a, Ref):
            raise interp.error(f"ParallelContext.{what}: argument {k + 1} is a pointer; a number, string or Vector "
                               "is packed", loc)
        else:
            raise interp.refuse(f"ParallelContext.{what}: argument {k + 1} ({interp.describe(a)}) would be packed "
                                "as a pickled Python object, which bridge does not do (a number, string or Vector "
                                "is packed)", loc)


def key_of(interp, args: list, loc, what: str) -> str:
    """ocbbs.cpp `key_help`: a string, or a number written with "%g"."""
    if not args:
        raise interp.error(f"ParallelContext.{what}: a key (a string or number) is needed", loc)
    a = args[0]
    if is_number(a):
        return f"{float(a):g}"
    if isinstance(a, (str, StrVar)):
        return a.value if isinstance(a, StrVar) else a
    raise interp.error(f"ParallelContext.{what}: the key must be a string or a number", loc)


# -- unpacking (BBSLocal::upkint, ...) ---------------------------------------------------------------------
def upk(interp, board: Board, kind: str, loc, what: str):
    """The next item of the message taken, of `kind`; NEURON's error `what` if there is none of that kind."""
    m = board.taking
    if m is None or m.pos >= len(m.items) or m.items[m.pos][0] != kind:
        raise bbs_error(interp, what, loc)
    value = m.items[m.pos][1]
    m.pos += 1
    return value


def upkint(interp, board: Board, loc) -> int:
    return int(upk(interp, board, "int", loc, "upkint"))  # type: ignore[call-overload]


def upkdouble(interp, board: Board, loc) -> float:
    return float(upk(interp, board, "double", loc, "upkdouble"))  # type: ignore[arg-type]


def upkstr(interp, board: Board, loc) -> str:
    upk(interp, board, "int", loc, "upkstr length")
    return str(upk(interp, board, "str", loc, "upkstr string"))


def upkvec(interp, board: Board, loc) -> list[float]:
    n = upkint(interp, board, loc)
    values = upk(interp, board, "vec", loc, "upkdouble")  # (NEURON's upkvec names its error so)
    return [float(x) for x in values[:n]]  # type: ignore[index]


def unpack_into(interp, board: Board, args: list, loc) -> None:
    """ocbbs.cpp `unpack_help`: each argument in turn, `&x` a number, a strdef a string, a Vector its
    elements (resized)."""
    from bridge.hoc.vector import Vector

    for a in args:
        if isinstance(a, Ref):
            a.set(upkdouble(interp, board, loc))
        elif isinstance(a, StrVar):
            a.value = upkstr(interp, board, loc)
        elif isinstance(a, str):  # a literal: NEURON writes into its own copy, which nothing reads
            upkstr(interp, board, loc)
        elif isinstance(a, Vector):
            values = upkvec(interp, board, loc)
            a._reserve(interp, len(values), loc)
            a.data = values
        else:
            raise interp.error("pc.unpack can only unpack str, scalar, or Vector. use pc.upkpyobj to unpack a "
                               "Python Object", loc)


# -- the board's messages (BBSLocalServer::post, look, look_take) -------------------------------------------
def post(board: Board, key: str) -> None:
    board.messages.setdefault(key, deque()).append(board.posting)
    board.posting = None


def look(board: Board, key: str, take: bool) -> bool:
    """`look` (the message stays) or `look_take` (taken): the first message under `key` becomes the one read."""
    board.taking = None
    queue = board.messages.get(key)
    if not queue:
        return False
    board.taking = queue.popleft() if take else queue[0]
    if take and not queue:
        del board.messages[key]
    return True
