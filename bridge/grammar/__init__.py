"""Lark grammars of NMODL and HOC (also reachable as the top-level `grammar/` folder)."""

from importlib.resources import files


def grammar_text(name: str) -> str:
    """The text of `name` (e.g. "nmodl.lark"), from the source tree or an installed wheel."""
    return (files(__name__) / name).read_text(encoding="utf-8")
