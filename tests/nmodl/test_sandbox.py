"""The second line of defence: generated code is checked against the rules of what bridge
generates, and runs with only the builtins it needs."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.nmodl.codegen import sandbox
from bridge.nmodl.load import BUILTIN_DIR, load_mod, translate

GOOD = translate((BUILTIN_DIR / "pas.mod").read_text(), "pas.mod")
HEADER, _, REST = GOOD.partition("from bridge.nmodl.runtime.mechanism import TranslatedMechanism\n")
HEADER += "from bridge.nmodl.runtime.mechanism import TranslatedMechanism\n"


def with_line(line: str) -> str:
    """The pas module with `line` added after its imports."""
    return HEADER + line + "\n" + REST


def test_bridges_own_translation_passes():
    ns = sandbox.run(GOOD, "pas.mod", "k")
    assert ns["MECHANISM"].name == "pas"


@pytest.mark.parametrize("line", [
    "import os",
    "from os import system",
    "from bridge.nmodl import sandbox",
    "X = ().__class__",
    "X = exec('1')",
    "X = open('f')",
    "X = getattr(rt, 'np')",
    "X = rt.np",
    "X = rt.jnp.load",
    "X = kinetic.jax",
    "X = __builtins__",
    "X = [1]",
    "X = lambda: 0",
    "class X: pass",
    "def f(s):\n    global Y\n    return s",
    "def f(s):\n    with s: pass",
    "X = globals()",
    "X = s.__class__",
    "X = s.clear()",
])
def test_code_outside_the_rules_is_an_internal_error_naming_the_mod_file(line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BridgeError, match=r"mine\.mod: .*internal escaping bug"):
        sandbox.run(with_line(line), "mine.mod", "k")


def test_the_last_line_must_be_bridges():
    with pytest.raises(BridgeError, match="internal escaping bug"):
        sandbox.run(GOOD + "X = 1\n", "mine.mod", "k")


def test_generated_code_runs_with_only_the_builtins_it_needs():
    mech = load_mod(BUILTIN_DIR / "hh.mod")
    builtins = mech.functions["initial"].__globals__["__builtins__"]
    assert set(builtins) == {"dict", "globals", "len", "range", "__import__"}
    with pytest.raises(ImportError):
        builtins["__import__"]("os", None, None, ("system",), 0)
    with pytest.raises(ImportError):
        builtins["__import__"]("bridge.nmodl", None, None, ("sandbox",), 0)
