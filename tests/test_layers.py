"""The layer contract of bridge/ and validation/ (docs/architecture.md): who may import whom, and no import cycle.

Every import counts, at the top of a module or inside a function: a lazy import is still a
dependency. A module belongs to the layer with the longest matching prefix (`LAYERS`); a
module may import its own layer and the layers listed for it, nothing else. The checks read
the source files (nothing is imported), so a failure names the file, the line and the rule.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bridge", "validation")

BASE = ("base",)
NMODL_STAGES = ("nmodl.syntax", "nmodl.analysis", "nmodl.codegen", "nmodl.runtime")
BRIDGE = ("base", "grammar", "mechanisms", *NMODL_STAGES, "nmodl", "morphology", "solver", "model", "hoc", "api")

# layer -> (module prefixes, layers it may import besides its own), lowest layer first
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "base": (("bridge.errors", "bridge.limits", "bridge.native_build", "bridge.readroots"), ()),
    "grammar": (("bridge.grammar",), BASE),
    # what a mechanism provides to the solver (protocol, ion rules) and the built-in .mod files
    "mechanisms": (("bridge.mechanisms",), BASE),
    # the translator, by stage: syntax <- analysis <- codegen; runtime (what generated code calls)
    # knows nothing of the translator
    "nmodl.syntax": (("bridge.nmodl.syntax",), ("base", "grammar")),
    "nmodl.analysis": (("bridge.nmodl.analysis",), ("base", "grammar", "nmodl.syntax", "mechanisms")),
    "nmodl.runtime": (("bridge.nmodl.runtime",), ("base", "mechanisms")),
    "nmodl.codegen": (("bridge.nmodl.codegen",),
                      ("base", "grammar", "nmodl.syntax", "nmodl.analysis", "nmodl.runtime", "mechanisms")),
    # the package and the translator's entry point (.mod file -> Mechanism)
    "nmodl": (("bridge.nmodl",), ("base", "grammar", *NMODL_STAGES, "mechanisms")),
    "morphology": (("bridge.morphology",), BASE),
    "solver": (("bridge.solver",), ("base", "morphology", "mechanisms")),
    "model": (("bridge.model", "bridge.param_sweep", "bridge.network_shard"),
              ("base", "morphology", "mechanisms", "solver", "nmodl")),
    "hoc": (("bridge.hoc",),
            ("base", "grammar", "nmodl", "nmodl.syntax", "nmodl.analysis", "morphology", "mechanisms", "solver",
             "model")),
    # bridge/__init__.py: the public API (its other names load lazily, by name)
    "api": (("bridge",), BASE),
    # the entry points that reach into validation, inside functions only (LAZY_ONLY)
    "cli": (("bridge.cli", "bridge.__main__", "bridge.testing"), (*BRIDGE, "validation")),
    "validation": (("validation",), BRIDGE),
}
EXACT = {"api"}  # layers whose prefix names one module, not a package
LAZY_ONLY = {("cli", "validation")}  # (layer, layer it may import only inside functions)

@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module of bridge/ or validation/
    path: Path
    line: int
    lazy: bool  # inside a function (or method)

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_files() -> dict[str, Path]:
    """Module name -> file, for every .py file of bridge/ and validation/."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that importing `name` loads last (`a.b.c` -> `a.b` when c is not a module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the module's package, one level up per extra dot
            package = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" for alias in node.names] or [base]
    found = [_known(name, modules) for name in names if name.split(".")[0] in PACKAGES]
    return sorted({t for t in found if t and t != module})


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import of our modules in `path`, with its line and whether it sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in _targets(child, module, path.name == "__init__.py", modules):
                    out.append(Import(module, target, path, child.lineno, lazy))
            visit(child, lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return out


def layer_of(module: str) -> str | None:
    best, length = None, -1
    for layer, (prefixes, _) in LAYERS.items():
        for prefix in prefixes:
            matches = module == prefix if layer in EXACT else module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > length:
                best, length = layer, len(prefix)
    return best


def all_imports() -> list[Import]:
    modules = module_files()
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def layer_violations(layer: str) -> list[str]:
    """One line per import from a module of `layer` that the contract does not allow."""
    allowed = set(LAYERS[layer][1]) | {layer}
    out = []
    for imp in all_imports():
        if layer_of(imp.source) != layer:
            continue
        target = layer_of(imp.target)
        if target not in allowed:
            out.append(f"{imp.where()}: {imp.source} ({layer}) imports {imp.target} ({target}); "
                       f"{layer} may import only {', '.join(sorted(allowed))}")
        elif (layer, target) in LAZY_ONLY and not imp.lazy:
            out.append(f"{imp.where()}: {imp.source} ({layer}) imports {imp.target} ({target}) at module level; "
                       f"{layer} may import {target} only inside a function")
    return out


def cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    graph: dict[str, set[str]] = {name: set() for name in module_files()}
    for imp in all_imports():
        graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _layer_params() -> list:
    return [pytest.param(layer, id=layer) for layer in LAYERS]


def test_every_module_is_in_a_layer():
    lost = [f"{path.relative_to(ROOT)}" for name, path in module_files().items() if layer_of(name) is None]
    assert not lost, "modules in no layer of the contract (tests/test_layers.py LAYERS): " + ", ".join(lost)


def test_the_translator_is_split_by_stage():
    missing = [stage for stage in NMODL_STAGES
               if not (ROOT / "bridge" / Path(*stage.split(".")) / "__init__.py").is_file()]
    assert not missing, "bridge/nmodl lacks the stage packages " + ", ".join(missing)


@pytest.mark.parametrize("layer", _layer_params())
def test_imports_follow_the_layers(layer):
    violations = layer_violations(layer)
    assert not violations, f"{len(violations)} import(s) break the layer rule:\n" + "\n".join(violations)


def test_no_import_cycle():
    found = cycles()
    assert not found, "import cycles (every import counts, also inside functions):\n" + "\n".join(
        " <-> ".join(component) for component in found)


def test_validation_is_reached_only_lazily_from_bridge():
    """validation depends on bridge; bridge reaches validation only from the CLI and bridge.testing, inside
    functions."""
    bad = [f"{imp.where()}: {imp.source} imports {imp.target}" for imp in all_imports()
           if imp.source.startswith("bridge") and imp.target.startswith("validation")
           and (layer_of(imp.source) != "cli" or not imp.lazy)]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_lazy_relative_and_from_imports(tmp_path):
    """The parser itself: an import inside a function, a relative import and `from package import module`."""
    modules = {"bridge": ROOT / "bridge" / "__init__.py", "bridge.a": tmp_path / "a.py",
               "bridge.b": tmp_path / "b.py", "bridge.c": tmp_path / "c.py"}
    (tmp_path / "a.py").write_text("from bridge import b\n\ndef f():\n    from .c import x\n    import validation\n")
    found = imports_of("bridge.a", tmp_path / "a.py", modules)
    assert [(i.target, i.line, i.lazy) for i in found] == [("bridge.b", 1, False), ("bridge.c", 4, True)]


def test_generated_code_imports_only_the_runtime(tmp_path, capsys):
    """A translated mechanism imports from bridge only `bridge.nmodl.runtime` (checked on the built-in and
    example .mod files, as `bridge translate` prints them)."""
    from bridge.cli import main

    files = sorted((ROOT / "bridge" / "mechanisms" / "builtin").glob("*.mod"))
    files += sorted((ROOT / "examples" / "cell" / "mod").glob("*.mod"))
    bad = []
    for mod in files:
        out = tmp_path / f"{mod.stem}.py"
        assert main(["translate", str(mod), "-o", str(out)]) == 0
        for node in ast.walk(ast.parse(out.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad += [f"{mod.name}: line {node.lineno} imports {name}" for name in names
                    if name.split(".")[0] == "bridge" and not name.startswith("bridge.nmodl.runtime")]
    capsys.readouterr()
    assert not bad, "\n".join(bad)


if __name__ == "__main__":  # a quick report: python tests/test_layers.py
    for layer in LAYERS:
        for line in layer_violations(layer):
            print(line)
    for component in cycles():
        print("cycle:", " <-> ".join(component))
    sys.exit(0)
