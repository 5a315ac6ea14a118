"""Control-flow signals of the HOC interpreter: `break`, `continue`, `return`, `stop`, `quit`.

They are exceptions that travel from the statement that raises them to the loop,
procedure or session that handles them (`bridge.hoc.statements`, `bridge.hoc.calls`,
`bridge.hoc.session`); none of them is an error.
"""

from __future__ import annotations

from typing import Any

from bridge.errors import HocRefusal, SourceLocation


class LoopJump(Exception):
    """`break` or `continue` on its way to the innermost loop; `loc` is where it is."""

    def __init__(self, loc: SourceLocation | None = None):
        super().__init__()
        self.loc = loc


class BreakLoop(LoopJump):
    """`break`: ends the innermost loop."""


class ContinueLoop(LoopJump):
    """`continue`: ends this pass through the innermost loop."""


class IteratorBreak(Exception):
    """A `break` in the body of `for iterator() statement`, on its way out of the iterator's procedure."""


class ReturnFrom(Exception):
    """`return [value]`: ends the running procedure with `value` (None: no value)."""

    def __init__(self, value: Any = None):
        self.value = value


class StopRun(Exception):
    """`stop`: ends what the session runs now (a file, a statement string)."""


class Quit(Exception):
    """`quit()`: ends what the session runs now, as `stop`."""


SIGNALS = (BreakLoop, ContinueLoop, ReturnFrom, StopRun, Quit)  # pass through `Interpreter.exec` untouched


def outside_loop(interp, jump: LoopJump) -> HocRefusal:
    """The refusal for a `break`/`continue` that left its procedure or top-level statement without
    meeting a loop: NEURON then runs on to the end of the procedure and leaves the caller's loop
    (checked with NEURON 9.0.2), which bridge does not reproduce."""
    word = "continue" if isinstance(jump, ContinueLoop) else "break"
    return interp.refuse(f"'{word}' outside a loop (NEURON then runs the rest of the procedure and leaves "
                         "the caller's loop; bridge does not reproduce that)", jump.loc)
