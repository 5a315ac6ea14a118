"""Model text → pieces of Python source that stay in their place.

The generated module of a mechanism is executed, and everything in a .mod file
(its name included) is untrusted. Text from the model reaches the generated
source only through these functions:

- `comment(text)`: the text of a `# ...` comment (one line, whatever `text` holds);
- `docstring(text)`: the text inside a `\"\"\"...\"\"\"` docstring;
- `string(text)`: a str literal (`repr`);
- `number(value)`: a float literal, inf and NaN included (as C reads `1e999`: inf);
- `identifier(name)` / `argument(name, taken)`: an NMODL name as a Python name that
  is never a keyword, a builtin the module uses, or one of the module's own names.

Escaping: every character that is not printable (`str.isprintable`: line and
paragraph separators, NUL, form feed, `\\x85`, ...) becomes `\\xNN`, `\\uNNNN` or
`\\UNNNNNNNN`; a tab becomes a space. In a docstring `\\` and `"` are escaped too, so
the docstring's value is the original text.
"""

from __future__ import annotations

import builtins
import keyword
import math
from collections.abc import Iterable

# Builtins the generated module calls (all it gets: `bridge.nmodl.codegen.sandbox`; never shadowed).
MODULE_BUILTINS = ("dict", "globals", "len", "range")

# Names some generated functions give their own locals (`x`, `x_old` in a KINETIC scheme, `out` in
# make_tables, ...): a FUNCTION of such a name could not be called there.
LOCAL_NAMES = frozenset({"x", "x_old", "k", "dt1", "out", "flag"})

# Names the generated module defines or imports, and the scopes every function has (`s` the
# mechanism's variables, `l` the LOCALs and arguments). `jnp` is kept out too, for readers who
# expect `jax.numpy` under that name.
MODULE_NAMES = frozenset({
    "s", "l", "rt", "jnp", "flow", "arrays", "derivative", "sparse", "equations", "tables",
    "TranslatedMechanism", "initial", "currents", "breakpoint", "advance", "make_tables", "net_receive",
    "net_receive_initial", "MECHANISM", "NAME", "KIND", "SOURCE_FILE", "ELECTRODE_CURRENT", "RANGE_PARAMETERS",
    "GLOBAL_PARAMETERS", "STATE_DEFAULTS", "STATES", "ARRAY_SIZES", "IONS", "ION_READS", "ION_WRITES",
    "ION_CURRENTS", "NONSPECIFIC_CURRENTS", "ELECTRODE_CURRENTS", "CONSTANTS", "GEOMETRY", "ASSIGNED_PARAMETERS",
    "NET_RECEIVE_ARGS", "events", "NET_SEND_SITES", "NET_EVENT_SITES", "EVENT_SITES", "watch_conditions",
    "WATCH_FLAGS", "before_breakpoint", "after_solve", "before_initial", "after_initial", "before_step",
    "POINTER_WRITES", "TABLE_GROUPS",
    "TABLE_SIDE_GLOBALS", "TABLE_GROUP_SIDES", "TABLE_OFF_SHARED",
})

_UNSAFE = (frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
           | MODULE_NAMES | frozenset(MODULE_BUILTINS))


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def comment(text: str) -> str:
    """`text` as the body of a one-line `#` comment: non-printable characters escaped."""
    text = text.replace("\t", " ")
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def docstring(text: str) -> str:
    """`text` for inside a triple-quoted docstring: non-printables, `\\` and `"` escaped."""
    text = text.replace("\t", " ")
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_escape(ch))
    return "".join(out)


def string(text: str) -> str:
    """A Python str literal holding `text`."""
    return repr(str(text))


def number(value: float) -> str:
    """A float literal; a negative one in parentheses; inf as `1e999` (as a C compiler reads it, and
    Python too), NaN as `(1e999 * 0.0)`: plain literals, so the module needs no import for them."""
    value = float(value)
    if math.isnan(value):
        return "(1e999 * 0.0)"
    if math.isinf(value):
        return "1e999" if value > 0 else "(-1e999)"
    text = repr(value)
    return text if not text.startswith("-") else f"({text})"


def strings(names: Iterable[str]) -> str:
    """A tuple literal of str literals."""
    items = [string(n) for n in names]
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def is_safe(name: str, local: bool = False) -> bool:
    """True when NMODL `name` can be used as it is as a Python name in the generated module: as a
    module-level name, or (`local`) as an argument of one FUNCTION or PROCEDURE."""
    return name.isidentifier() and name.isascii() and not name.startswith("_") and not name.endswith("_") \
        and name not in _UNSAFE and (local or name not in LOCAL_NAMES)


def identifier(name: str) -> str:
    """The Python name of an NMODL FUNCTION or PROCEDURE: `name` when safe, else `name_`.

    One to one: a name ending in `_` always gets another, so `s` (a module name) → `s_`
    and `s_` → `s__` never meet. NMODL names start with a letter, so the result never
    starts with `_` (the generated module's own helpers do: `_then3`, `_f_rates`)."""
    if not name.isidentifier() or not name.isascii() or name.startswith("_"):
        raise ValueError(f"not an NMODL name: {name!r}")  # the grammar admits none
    return name if is_safe(name) else name + "_"


def argument(name: str, taken: frozenset[str] | set[str]) -> str:
    """The Python name of a FUNCTION/PROCEDURE/NET_RECEIVE argument: `name` when safe and not one
    of `taken` (the module's FUNCTION and PROCEDURE names, whose Python names must stay callable
    in the body), else `_arg_<name>` (a prefix nothing else in the module uses)."""
    if not name.isidentifier() or not name.isascii() or name.startswith("_"):
        raise ValueError(f"not an NMODL name: {name!r}")
    return name if is_safe(name, local=True) and name not in taken else f"_arg_{name}"
