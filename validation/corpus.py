"""The parse corpus: real-world `.mod` files from PyPI packages, parsed by bridge and by nocmodl.

`python -m validation corpus-parse [PACKAGE ...]` downloads each package (wheel or
sdist, no dependencies) with pip into `~/.cache/bridge/corpus/<package>/` (kept
between runs; `BRIDGE_CACHE` moves it), unpacks it, finds every `.mod` file and
reports, per package: how many files there are, how many bridge parses, how many
NEURON's `nocmodl` accepts, how many of those nocmodl accepts bridge parses (the
target is all of them), and for how many nocmodl translates bridge's reprint
(`to_nmodl(parse(file))`) to the same C++ as the file itself. The files are never
copied into the repository.

A file nocmodl refuses (pre-9 VERBATIM C, semantic errors) still counts in
"bridge parses": our parser checks syntax only, so it may accept it.

With `--nmodl` it also parses every file with NEURON's C++ NMODL framework
(`neuron.nmodl`, in a subprocess) and checks that both parsers accept the same files
and find the same declared names (`bridge_facts` / `nmodl_facts`): mechanism name and
kind, RANGE/GLOBAL/... lists, STATE, PARAMETER and ASSIGNED names, USEION reads and
writes, top-level blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError
from bridge.nmodl import ast, parse_file, to_nmodl

# PyPI packages known to ship .mod files (checked 2026: each has some).
DEFAULT_PACKAGES = ("hnn-core", "PyNN", "bmtk", "drgpom", "golding-neuron", "dbbs-catalogue", "pynmodlt")


def cache_root() -> Path:
    return Path(os.environ.get("BRIDGE_CACHE", Path.home() / ".cache" / "bridge")) / "corpus"


@dataclass
class FileResult:
    path: str
    bridge_ok: bool
    bridge_error: str = ""
    nocmodl_ok: bool | None = None  # None: nocmodl not run
    nocmodl_error: str = ""
    printed_same_cpp: bool | None = None  # nocmodl translates to_nmodl(parse(file)) to the same C++
    nmodl_ok: bool | None = None  # neuron.nmodl accepts; None: not run
    nmodl_differences: list[str] = field(default_factory=list)  # fields where bridge and neuron.nmodl disagree


@dataclass
class PackageResult:
    package: str
    files: list[FileResult] = field(default_factory=list)
    error: str = ""

    def counts(self) -> dict:
        n = len(self.files)
        ok = sum(f.bridge_ok for f in self.files)
        noc = [f for f in self.files if f.nocmodl_ok]
        return {
            "package": self.package,
            "files": n,
            "bridge_parses": ok,
            "nocmodl_accepts": len(noc),
            "bridge_parses_of_nocmodl_accepted": sum(f.bridge_ok for f in noc),
            "printed_same_cpp": sum(bool(f.printed_same_cpp) for f in noc),
            "nmodl_compared": sum(f.nmodl_ok is not None for f in self.files),
            "nmodl_agrees": sum(f.nmodl_ok is not None and f.nmodl_ok == f.bridge_ok and not f.nmodl_differences
                                for f in self.files),
        }


def download(package: str, root: Path) -> Path:
    """Fetch and unpack `package` into `root/<package>/` (once); return that folder."""
    dest = root / package
    marker = dest / ".unpacked"
    if marker.exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    dl = dest / "download"
    dl.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":none:", "--dest", str(dl),
           "--quiet", package]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise BridgeError(f"pip download {package} failed: {proc.stderr.strip().splitlines()[-1:]}")
    src = dest / "src"
    src.mkdir(exist_ok=True)
    for archive in dl.iterdir():
        _unpack(archive, src / archive.name)
    marker.write_text("ok")
    return dest


def _unpack(archive: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    name = archive.name
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    elif name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
        with tarfile.open(archive) as tf:
            tf.extractall(into, filter="data")


def _nocmodl() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("neuron")
    if spec is None or spec.origin is None:
        return None
    exe = Path(spec.origin).parent / ".data" / "bin" / "nocmodl"
    return exe if exe.exists() else None


def nocmodl_accepts(exe: Path, mod: Path, printed: str | None = None) -> tuple[bool, str, bool | None]:
    """Run nocmodl on `mod` in a copy of its folder (so INCLUDE files resolve).

    Returns (accepted, last line of the error, same C++): with `printed` (bridge's
    `to_nmodl` of the file), nocmodl also translates that text in place of the file and
    the third value says whether both give the same C++ (see `comparable_cpp`).
    """
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(mod.parent, work, ignore=shutil.ignore_patterns("*.cpp", "*.c", "*.o", "x86_64"))
        cpp = []
        ok, error = False, ""  # set by the first run (i == 0)
        for i, text in enumerate([None, printed]):
            if i == 1:
                if text is None or not ok:
                    return ok, error, None
                (work / mod.name).write_text(text)
            out = Path(tmp) / f"out{i}"
            out.mkdir()
            proc = subprocess.run([str(exe), "-o", str(out), mod.name], cwd=work, capture_output=True, text=True,
                                  timeout=120)
            if i == 0:
                msg = (proc.stdout + proc.stderr).strip()
                ok, error = proc.returncode == 0, (msg.splitlines()[-1] if (proc.returncode and msg) else "")
            elif proc.returncode != 0:
                return ok, error, False
            produced = out / (mod.stem + ".cpp")
            cpp.append(comparable_cpp(produced.read_text(errors="replace")) if produced.exists() else None)
        return ok, error, cpp[0] is not None and cpp[0] == cpp[1]


def comparable_cpp(cpp: str) -> str:
    """nocmodl's C++ without what depends on the .mod text's layout: the embedded source
    text (and its file path), spaces and parentheses (`to_nmodl` prints only the ones
    precedence needs)."""
    cpp = cpp.split("#if NMODL_TEXT")[0]
    cpp = re.sub(r'ivoc_help\(".*?"\);', "", cpp)
    return re.sub(r"[()\s]", "", cpp)


def check_package(package: str, root: Path, run_nocmodl: bool = True, compare_nmodl: bool = False) -> PackageResult:
    result = PackageResult(package)
    try:
        folder = download(package, root)
    except BridgeError as err:
        result.error = str(err)
        return result
    exe = _nocmodl() if run_nocmodl else None
    for mod in sorted((folder / "src").rglob("*.mod")):
        rel = str(mod.relative_to(folder / "src"))
        printed = None
        try:
            printed = to_nmodl(parse_file(mod))
            fr = FileResult(rel, True)
        except BridgeError as err:
            fr = FileResult(rel, False, str(err).splitlines()[0])
        if exe is not None:
            fr.nocmodl_ok, fr.nocmodl_error, fr.printed_same_cpp = nocmodl_accepts(exe, mod, printed)
        result.files.append(fr)
    if compare_nmodl and result.files:
        src = folder / "src"
        items = [{"name": f.path, "text": (src / f.path).read_text(encoding="utf-8", errors="replace")}
                 for f in result.files]
        with tempfile.TemporaryDirectory() as tmp:
            theirs = nmodl_facts(items, Path(tmp))
        for f in result.files:
            t = theirs[f.path]
            f.nmodl_ok = t["accepted"]
            if f.bridge_ok and f.nmodl_ok:
                ours = bridge_facts(parse_file(src / f.path))
                f.nmodl_differences = [k for k in ours if ours[k] != t.get(k)]
    return result


# ----------------------------------------------------------------------------- neuron.nmodl oracle

_NMODL_BLOCK_NAMES = {
    ast.NeuronBlock: "NeuronBlock", ast.UnitsBlock: "UnitBlock", ast.ParameterBlock: "ParamBlock",
    ast.AssignedBlock: "AssignedBlock", ast.StateBlock: "StateBlock", ast.ConstantBlock: "ConstantBlock",
    ast.IndependentBlock: "IndependentBlock", ast.InitialBlock: "InitialBlock", ast.BreakpointBlock: "BreakpointBlock",
    ast.DerivativeBlock: "DerivativeBlock", ast.KineticBlock: "KineticBlock", ast.LinearBlock: "LinearBlock",
    ast.NonLinearBlock: "NonLinearBlock", ast.DiscreteBlock: "DiscreteBlock", ast.ProcedureBlock: "ProcedureBlock",
    ast.FunctionBlock: "FunctionBlock", ast.FunctionTableBlock: "FunctionTableBlock",
    ast.NetReceiveBlock: "NetReceiveBlock", ast.ConstructorBlock: "ConstructorBlock",
    ast.DestructorBlock: "DestructorBlock",
}
# neuron.nmodl's top-level nodes that are not blocks with a counterpart in the comparison
_NMODL_SKIP = {"BlockComment", "LineComment", "Model", "UnitState", "Verbatim", "Define", "Include",
               "LocalListStatement"}


def bridge_facts(prog: ast.Program) -> dict:
    """What a file declares, as bridge reads it, in the shape of `nmodl_facts`."""
    nrn = prog.neuron
    blocks = []
    for item in prog.items:
        if isinstance(item, ast.BeforeAfterBlock):
            blocks.append(["BeforeBlock" if item.when == "BEFORE" else "AfterBlock", ""])
        elif type(item) in _NMODL_BLOCK_NAMES:
            named = isinstance(item, ast.NamedBlock.__args__)
            blocks.append([_NMODL_BLOCK_NAMES[type(item)], item.name if named else ""])
    return {
        "kind": nrn.kind,
        "mechanism": nrn.name,
        "range": list(nrn.range),
        "global": list(nrn.global_),
        "nonspecific": list(nrn.nonspecific_currents),
        "electrode": list(nrn.electrode_currents),
        "pointer": list(nrn.pointers),
        "bbcore_pointer": list(nrn.bbcore_pointers),
        "external": list(nrn.externals),
        "random": list(nrn.randoms),
        "states": [d.name for d in prog.states],
        "parameters": [d.name for d in prog.parameters],
        "assigned": [d.name for d in prog.assigned],
        "ions": [[i.ion, list(i.read), list(i.write)] for i in nrn.ions],
        "blocks": blocks,
    }


def nmodl_facts(items: list[dict], tmp: Path) -> dict[str, dict]:
    """Parse each `{"name", "text"}` with neuron.nmodl in a subprocess; its facts by name.

    Each result has `accepted`, and either `error`, `line`, `column` or the facts of
    `bridge_facts`. NEURON stays out of the calling process.
    """
    out = tmp / "nmodl_facts.json"
    proc = subprocess.run([sys.executable, "-m", "validation.corpus", "--nmodl-worker", str(out)],
                          input=json.dumps(items), capture_output=True, text=True, timeout=1800,
                          cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode != 0:
        raise BridgeError(f"neuron.nmodl is not usable: {proc.stderr.strip()[-500:]}")
    return {r["name"]: r for r in json.loads(out.read_text())}


def _nmodl_worker(out: Path) -> None:
    """The subprocess side of `nmodl_facts`: read items from stdin, write results to `out`."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("neuron")
    os.environ.setdefault("NMODLHOME", str(Path(spec.origin).parent / ".data"))
    from neuron.nmodl import dsl
    from neuron.nmodl.dsl import ast as nast
    from neuron.nmodl.dsl import visitor

    lookup = visitor.AstLookupVisitor()
    T = nast.AstNodeType

    def facts(tree) -> dict:
        def names(kind):
            return [dsl.to_nmodl(n) for n in lookup.lookup(tree, getattr(T, kind))]

        suffix = names("SUFFIX")
        kind, name = suffix[0].split() if suffix else (None, None)
        def first_word(node) -> str:
            return re.split(r"[\s\[=]", dsl.to_nmodl(node).strip())[0]

        parameters = [first_word(d) for d in lookup.lookup(tree, T.PARAM_ASSIGN)]
        assigned = [first_word(d) for b in lookup.lookup(tree, T.ASSIGNED_BLOCK)
                    for d in lookup.lookup(b, T.ASSIGNED_DEFINITION)]

        states = [re.split(r"[\s\[]", dsl.to_nmodl(d).strip())[0]
                  for b in lookup.lookup(tree, T.STATE_BLOCK) for d in b.definitions]
        ions = [[dsl.to_nmodl(u.name), [dsl.to_nmodl(r) for r in u.readlist], [dsl.to_nmodl(w) for w in u.writelist]]
                for u in lookup.lookup(tree, T.USEION)]
        blocks = []
        for b in tree.blocks:
            t = type(b).__name__
            if t in _NMODL_SKIP:
                continue
            try:
                n = b.get_node_name()
            except Exception:  # blocks without a name
                n = ""
            blocks.append([t, n])
        return {"kind": kind, "mechanism": name, "range": names("RANGE_VAR"), "global": names("GLOBAL_VAR"),
                "nonspecific": names("NONSPECIFIC_CUR_VAR"), "electrode": names("ELECTRODE_CUR_VAR"),
                "pointer": names("POINTER_VAR"), "bbcore_pointer": names("BBCORE_POINTER_VAR"),
                "external": names("EXTERN_VAR"), "random": names("RANDOM_VAR"), "states": states,
                "parameters": parameters, "assigned": assigned, "ions": ions,
                "blocks": blocks}

    results = []
    for item in json.load(sys.stdin):
        try:
            tree = dsl.NmodlDriver().parse_string(item["text"])
        except Exception as err:  # the driver raises RuntimeError with "[Location : line.col]"
            msg = str(err)
            m = re.search(r"Location\s*:\s*(\d+)\.(\d+)", msg)
            results.append({"name": item["name"], "accepted": False, "error": msg.splitlines()[0] if msg else "",
                            "line": int(m.group(1)) if m else None, "column": int(m.group(2)) if m else None})
            continue
        results.append({"name": item["name"], "accepted": True, **facts(tree)})
    out.write_text(json.dumps(results))


def format_table(results: list[PackageResult]) -> str:
    head = ("package", "files", "bridge parses", "nocmodl accepts", "bridge parses / nocmodl accepts",
            "printed: same C++", "same as neuron.nmodl")
    rows = []
    for r in results:
        if r.error:
            rows.append((r.package, "-", "-", "-", r.error[:60], "-", "-"))
            continue
        c = r.counts()
        rows.append((r.package, str(c["files"]), str(c["bridge_parses"]), str(c["nocmodl_accepts"]),
                     f"{c['bridge_parses_of_nocmodl_accepted']}/{c['nocmodl_accepts']}",
                     f"{c['printed_same_cpp']}/{c['nocmodl_accepts']}",
                     f"{c['nmodl_agrees']}/{c['nmodl_compared']}" if c["nmodl_compared"] else "-"))
    tot = [r.counts() for r in results if not r.error]
    total = lambda key: sum(c[key] for c in tot)  # noqa: E731
    rows.append(("total", str(total("files")), str(total("bridge_parses")), str(total("nocmodl_accepts")),
                 f"{total('bridge_parses_of_nocmodl_accepted')}/{total('nocmodl_accepts')}",
                 f"{total('printed_same_cpp')}/{total('nocmodl_accepts')}",
                 f"{total('nmodl_agrees')}/{total('nmodl_compared')}" if total("nmodl_compared") else "-"))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    line = lambda row: "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation corpus-parse",
                                 description="parse the .mod files of PyPI packages with bridge and nocmodl")
    ap.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES))
    ap.add_argument("--no-nocmodl", action="store_true", help="do not run NEURON's nocmodl")
    ap.add_argument("--nmodl", action="store_true", help="also compare with neuron.nmodl (accepts, declared names)")
    ap.add_argument("--json", type=Path, help="also write every file's result to this JSON file")
    ap.add_argument("--show-failures", action="store_true", help="list files bridge fails on")
    args = ap.parse_args(argv)
    root = cache_root()
    results = []
    for pkg in args.packages:
        print(f"{pkg} ...", file=sys.stderr, flush=True)
        results.append(check_package(pkg, root, not args.no_nocmodl, args.nmodl))
    print(format_table(results))
    if args.show_failures:
        for r in results:
            for f in r.files:
                if not f.bridge_ok:
                    print(f"{r.package}: {f.bridge_error}  (nocmodl {'accepts' if f.nocmodl_ok else 'refuses'})")
                if f.nmodl_ok is not None and (f.nmodl_ok != f.bridge_ok or f.nmodl_differences):
                    print(f"{r.package}: {f.path}: neuron.nmodl {'accepts' if f.nmodl_ok else 'refuses'},"
                          f" bridge {'accepts' if f.bridge_ok else 'refuses'}; differs in {f.nmodl_differences}")
    if args.json:
        args.json.write_text(json.dumps([{"package": r.package, "error": r.error, "files": [vars(f) for f in r.files]}
                                         for r in results], indent=1))
    missed = sum(f.nocmodl_ok and not f.bridge_ok for r in results for f in r.files)
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--nmodl-worker":
        _nmodl_worker(Path(sys.argv[2]))
    else:
        raise SystemExit(main())
