"""The translator's layers: syntax ← analysis ← codegen, a runtime that imports none of them, no cycle.

Every import of every module counts, those inside functions and under TYPE_CHECKING too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bridge.nmodl.load import BUILTIN_DIR, translate

ROOT = Path(__file__).resolve().parents[2]
NMODL = ROOT / "bridge" / "nmodl"

# stage -> the stages of the translator it must not import (bridge.nmodl.load runs them all)
FORBIDDEN = {
    "syntax": ("analysis", "codegen", "runtime", "load"),
    "analysis": ("codegen", "runtime", "load"),
    "codegen": ("load",),
    "runtime": ("syntax", "analysis", "codegen", "load"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (`from a import b` counts as a.b and a)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _modules(folder: Path) -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(folder.rglob("*.py"))}


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_a_stage_imports_no_later_stage(stage):
    bad = []
    for module, imports in _modules(NMODL / stage).items():
        for other in FORBIDDEN[stage]:
            target = f"bridge.nmodl.{other}"
            bad += [f"{module} imports {name}" for name in sorted(imports)
                    if name == target or name.startswith(target + ".")]
    assert not bad, "\n".join(bad)


def test_the_runtime_does_not_load_the_translator_through_the_package():
    """`bridge.nmodl` itself imports its public names lazily: importing the runtime loads no parser."""
    tree = ast.parse((NMODL / "__init__.py").read_text(encoding="utf-8"))
    eager = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
             and (n.module or "").startswith("bridge.nmodl")]
    assert not eager


def test_the_grammar_wrapper_depends_on_nothing_of_bridge_but_its_grammars():
    imports = _modules(ROOT / "bridge" / "grammar")
    assert {name for deps in imports.values() for name in deps if name.startswith("bridge")} <= {"bridge.grammar",
                                                                                                 "bridge.grammar.grammar_text"}


def test_no_import_cycle_in_the_translator():
    modules = {**_modules(NMODL), **_modules(ROOT / "bridge" / "grammar")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {m: {t for name in deps if (t := resolve(name)) is not None and t != m} for m, deps in modules.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 2:
            return
        assert state.get(m) != 1, "import cycle: " + " -> ".join(path[path.index(m):] + [m])
        state[m] = 1
        for t in sorted(graph[m]):
            visit(t, path + [m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])


def test_generated_code_imports_only_the_runtime():
    for path in sorted(BUILTIN_DIR.glob("*.mod")):
        tree = ast.parse(translate(path.read_text(), path.name))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(isinstance(n, ast.Import) for n in ast.walk(tree))
        assert all(m == "bridge.nmodl.runtime" or m.startswith("bridge.nmodl.runtime.") for m in imported), \
            (path.name, imported)
