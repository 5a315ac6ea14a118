"""The last resort of the translator: Python's own limits hit while translating one file.

The nesting check (`bridge.nmodl.syntax.nesting`) and the Limits keep a file within what the
translator handles; a file that still makes Python run out of recursion depth (a
user raised `Limits.max_nesting` very far) or of memory is reported as a BridgeError
naming the file, never as a raw RecursionError or MemoryError.
"""

from __future__ import annotations

from contextlib import contextmanager

from bridge.errors import BridgeError


@contextmanager
def translation_guard(filename: str):
    """Turn a RecursionError or MemoryError raised inside the block into a BridgeError naming `filename`."""
    try:
        yield
    except RecursionError:
        raise BridgeError(f"{filename}: too deeply nested for bridge's translator (Python's recursion limit "
                          "was reached); lower Limits.max_nesting or simplify the expressions") from None
    except MemoryError:
        raise BridgeError(f"{filename}: bridge ran out of memory translating this file") from None
