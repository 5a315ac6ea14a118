"""The parse corpus: real-world `.mod` files from PyPI packages, parsed by bridge and by nocmodl.

`python -m validation corpus-parse [PACKAGE ...]` downloads each package (wheel or
sdist, no dependencies) with pip into `~/.cache/bridge/corpus/<package>/` (kept
between runs; `BRIDGE_CACHE` moves it), unpacks it, finds every `.mod` file and
reports, per package: how many files there are, how many bridge parses, how many
NEURON's `nocmodl` accepts, and how many of those nocmodl accepts bridge parses
(the target is all of them). The files are never copied into the repository.

A file nocmodl refuses (pre-9 VERBATIM C, semantic errors) still counts in
"bridge parses": our parser checks syntax only, so it may accept it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError
from bridge.nmodl import parse_file

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


def nocmodl_accepts(exe: Path, mod: Path) -> tuple[bool, str]:
    """Run nocmodl on a copy of `mod`'s folder (so INCLUDE files resolve); output goes to a temp dir."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(mod.parent, work, ignore=shutil.ignore_patterns("*.cpp", "*.c", "*.o", "x86_64"))
        out = Path(tmp) / "out"
        out.mkdir()
        proc = subprocess.run([str(exe), "-o", str(out), mod.name], cwd=work, capture_output=True, text=True,
                              timeout=120)
        text = (proc.stdout + proc.stderr).strip()
        return proc.returncode == 0, text.splitlines()[-1] if (proc.returncode and text) else ""


def check_package(package: str, root: Path, run_nocmodl: bool = True) -> PackageResult:
    result = PackageResult(package)
    try:
        folder = download(package, root)
    except BridgeError as err:
        result.error = str(err)
        return result
    exe = _nocmodl() if run_nocmodl else None
    for mod in sorted((folder / "src").rglob("*.mod")):
        rel = str(mod.relative_to(folder / "src"))
        try:
            parse_file(mod)
            fr = FileResult(rel, True)
        except BridgeError as err:
            fr = FileResult(rel, False, str(err).splitlines()[0])
        if exe is not None:
            fr.nocmodl_ok, fr.nocmodl_error = nocmodl_accepts(exe, mod)
        result.files.append(fr)
    return result


def format_table(results: list[PackageResult]) -> str:
    head = ("package", "files", "bridge parses", "nocmodl accepts", "bridge parses / nocmodl accepts")
    rows = []
    for r in results:
        if r.error:
            rows.append((r.package, "-", "-", "-", r.error[:60]))
            continue
        c = r.counts()
        rows.append((r.package, str(c["files"]), str(c["bridge_parses"]), str(c["nocmodl_accepts"]),
                     f"{c['bridge_parses_of_nocmodl_accepted']}/{c['nocmodl_accepts']}"))
    tot = [r.counts() for r in results if not r.error]
    rows.append(("total", str(sum(c["files"] for c in tot)), str(sum(c["bridge_parses"] for c in tot)),
                 str(sum(c["nocmodl_accepts"] for c in tot)),
                 f"{sum(c['bridge_parses_of_nocmodl_accepted'] for c in tot)}/{sum(c['nocmodl_accepts'] for c in tot)}"))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    line = lambda row: "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation corpus-parse",
                                 description="parse the .mod files of PyPI packages with bridge and nocmodl")
    ap.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES))
    ap.add_argument("--no-nocmodl", action="store_true", help="do not run NEURON's nocmodl")
    ap.add_argument("--json", type=Path, help="also write every file's result to this JSON file")
    ap.add_argument("--show-failures", action="store_true", help="list files bridge fails on")
    args = ap.parse_args(argv)
    root = cache_root()
    results = []
    for pkg in args.packages:
        print(f"{pkg} ...", file=sys.stderr, flush=True)
        results.append(check_package(pkg, root, not args.no_nocmodl))
    print(format_table(results))
    if args.show_failures:
        for r in results:
            for f in r.files:
                if not f.bridge_ok:
                    print(f"{r.package}: {f.bridge_error}  (nocmodl {'accepts' if f.nocmodl_ok else 'refuses'})")
    if args.json:
        args.json.write_text(json.dumps([{"package": r.package, "error": r.error, "files": [vars(f) for f in r.files]}
                                         for r in results], indent=1))
    missed = sum(f.nocmodl_ok and not f.bridge_ok for r in results for f in r.files)
    return 1 if missed else 0
