"""Run a model in real NEURON, in a subprocess, with .mod files compiled once and cached.

- `compile_mod_files(paths)`: `nrnivmodl` on copies of the files in
  `~/.cache/bridge/nrnivmodl/<sha256 of their contents>/` (reused when present;
  built in a temporary folder and renamed into place, so concurrent runs never
  see half a build). Returns the path of the compiled library.
- `run_neuron(spec)`: a fresh `python -c` subprocess loads the library
  (`nrn_load_dll`), builds the sections, mechanisms and point processes of a
  SectionTree-like spec, runs `finitialize(v_init)` and `continuerun(tstop)`,
  and returns the recorded traces. One subprocess per run keeps NEURON's global
  state, and every loaded mechanism library, out of the calling process.

Needs the `neuron` package (the `validation`/`test` extra); bridge itself does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bridge.errors import BridgeError
from validation.neuron_tree import tree_spec

# Mechanisms NEURON 9 has built in: a .mod file with one of these names is not compiled
# (nrnivmodl would clash); the validation then runs NEURON's own.
NEURON_BUILTINS = frozenset({
    "pas", "hh", "fastpas", "extracellular", "IClamp", "AlphaSynapse", "ExpSyn", "Exp2Syn", "SEClamp",
    "VClamp", "OClamp", "APCount", "NetStim", "IntFire1", "IntFire2", "IntFire4", "PointProcessMark",
    "PatternStim",
})


def cache_root() -> Path:
    return Path(os.environ.get("BRIDGE_CACHE", Path.home() / ".cache" / "bridge")) / "nrnivmodl"


def _nrnivmodl() -> str:
    exe = shutil.which("nrnivmodl") or str(Path(sys.executable).parent / "nrnivmodl")
    if not Path(exe).exists():
        raise BridgeError("nrnivmodl not found: install NEURON (pip install 'bridge-neuron[validation]')")
    return exe


def files_digest(paths: Sequence[str | Path]) -> str:
    """SHA-256 over the contents of the files (sorted by name), the compile cache key."""
    h = hashlib.sha256()
    for p in sorted(Path(p) for p in paths):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _library(folder: Path) -> Path | None:
    for cand in (folder / "x86_64" / ".libs" / "libnrnmech.so", folder / "x86_64" / "libnrnmech.so",
                 folder / "arm64" / ".libs" / "libnrnmech.so", folder / "arm64" / "libnrnmech.so",
                 folder / "aarch64" / ".libs" / "libnrnmech.so", folder / "aarch64" / "libnrnmech.so"):
        if cand.exists():
            return cand
    found = list(folder.glob("*/.libs/libnrnmech.*")) + list(folder.glob("*/libnrnmech.*"))
    return found[0] if found else None


_INCLUDE = re.compile(r'^[ \t]*INCLUDE[ \t]+"([^"]+)"', re.M)
_VERBATIM = re.compile(r"^[ \t]*VERBATIM\b(.*?)^[ \t]*ENDVERBATIM\b", re.M | re.S)
_C_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)
MAX_INCLUDED = 256  # files copied beside the .mod files of one build
MAX_INCLUDED_SIZE = 16 * 2**20  # [bytes] of one such file


def _named_files(text: str, nmodl: bool) -> list[tuple[str, bool]]:
    """The files a text names, each with whether it is NMODL: NMODL's `INCLUDE "x"` and the
    `#include "x.h"` of its VERBATIM blocks, or the `#include "x.h"` of a C header."""
    if not nmodl:
        return [(n, False) for n in _C_INCLUDE.findall(text)]
    return [(n, True) for n in _INCLUDE.findall(text)] + [
        (n, False) for block in _VERBATIM.findall(text) for n in _C_INCLUDE.findall(block)]


def included_files(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """The files the .mod files need in NEURON's build folder, found as `nrnivmodl .` in their folder
    finds them: what they INCLUDE (nocmodl io.cpp `include_open`: first next to the including file, so
    nested INCLUDEs too) and the headers their VERBATIM blocks `#include "..."` (and those headers'
    own). (the name relative to the build folder, the file). Names that are absolute or hold `..`, and
    files whose real path leaves the .mod file's folder, are not copied (nrnivmodl then says what it
    misses)."""
    out: dict[str, Path] = {}
    todo = [(Path(p), "", True, Path(p).resolve().parent) for p in paths]
    while todo:
        f, where, nmodl, root = todo.pop()
        if f.stat().st_size > MAX_INCLUDED_SIZE:
            raise BridgeError(f"{f}: larger than {MAX_INCLUDED_SIZE} bytes; not copied for nrnivmodl")
        for name, is_nmodl in _named_files(f.read_text(encoding="utf-8", errors="replace"), nmodl):
            if Path(name).is_absolute() or ".." in Path(name).parts:
                continue
            src = f.parent / name
            dest = str(Path(where) / name) if where else name
            if dest in out or not src.is_file() or not src.resolve().is_relative_to(root):
                continue
            out[dest] = src
            if len(out) > MAX_INCLUDED:
                raise BridgeError(f"the .mod files include more than {MAX_INCLUDED} files")
            parent = Path(dest).parent
            todo.append((src, "" if parent == Path(".") else str(parent), is_nmodl, root))
    return sorted(out.items())


def compile_mod_files(paths: Sequence[str | Path]) -> Path:
    """Compile .mod files with nrnivmodl (cached by content, INCLUDEd files too); returns the library path."""
    paths = [Path(p) for p in paths]
    includes = included_files(paths)
    key = files_digest(paths + [f for _, f in includes])
    target = cache_root() / key
    lib = _library(target) if target.exists() else None
    if lib is not None:
        return lib
    cache_root().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=cache_root()))
    try:
        for p in paths:
            shutil.copy(p, work / p.name)
        for name, f in includes:  # INCLUDE "x.inc" is read relative to the .mod file
            dest = work / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
        proc = subprocess.run([_nrnivmodl(), "."], cwd=work, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or _library(work) is None:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise BridgeError(f"nrnivmodl failed on {', '.join(p.name for p in paths)}:\n{tail}")
        try:
            work.rename(target)
        except OSError:  # someone else finished first
            shutil.rmtree(work, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    lib = _library(target)
    if lib is None:
        raise BridgeError(f"nrnivmodl cache {target} has no library")
    return lib


_SCRIPT = r"""
import json, sys
from neuron import h
from validation.neuron_tree import build_tree
spec = json.load(sys.stdin)
for lib in spec["libraries"]:
    h.nrn_load_dll(lib)
h.load_file("stdrun.hoc")
built = build_tree(h, spec)
secs, pps = built["sections"], built["point_processes"]
for name, val in spec["globals"].items():
    setattr(h, name, val)
for statement in spec["hoc"]:
    h(statement)
h.dt = spec["dt"]
h.steps_per_ms = 1.0 / spec["dt"]
h.secondorder = spec["secondorder"]
h.celsius = spec["celsius"]
vecs = []
for sec, x, var in spec["probes"]:
    target = pps[int(sec[3:])] if sec.startswith("pp:") else secs[sec](x)
    vecs.append(h.Vector().record(getattr(target, "_ref_" + var)))
tvec = h.Vector().record(h._ref_t)
h.finitialize(spec["v_init"])
h.continuerun(spec["tstop"])
json.dump({"t": list(tvec), "values": [list(v) for v in vecs]}, sys.stdout)
"""


def run_neuron(tree, probes: Sequence[tuple[str, float, str]], *, mod_files: Sequence[str | Path] = (),
               tstop: float, dt: float = 0.025, celsius: float = 6.3, v_init: float = -65.0,
               secondorder: int = 0, globals: dict | None = None, hoc: Sequence[str] = (),
               libraries: Sequence[str | Path] = (), timeout: float = 300.0):
    """Run `tree` in NEURON with `mod_files` compiled (built-in names excluded) or already compiled
    `libraries` loaded; `hoc` statements run after the model is built. Probes are (section, x, var)
    or ("pp:<index>", 0, var) for the index-th point process. Returns (t, values[nt, nprobe])."""
    libs = [str(compile_mod_files(mod_files))] if mod_files else []
    spec = {**tree_spec(tree), "probes": [list(p) for p in probes], "tstop": tstop, "dt": dt,
            "secondorder": secondorder, "celsius": celsius, "v_init": v_init, "globals": globals or {},
            "hoc": list(hoc), "libraries": libs + [str(lib) for lib in libraries]}
    return run_spec(json.dumps(spec), timeout)


def run_spec(spec_json: str, timeout: float = 300.0):
    """`run_neuron` on a spec already written as JSON. Returns (t, values[nt, nprobe])."""
    root = str(Path(__file__).resolve().parent.parent)  # so the subprocess finds validation.neuron_tree
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    # an empty working directory: `import neuron` loads a compiled x86_64/ library found there, and
    # -P keeps the working directory off Python's module path
    with tempfile.TemporaryDirectory(prefix="bridge-neuron-") as tmp:
        proc = subprocess.run([sys.executable, "-P", "-c", _SCRIPT], input=spec_json, capture_output=True,
                              text=True, timeout=timeout, env=env, cwd=tmp)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-15:])
        raise BridgeError(f"NEURON run failed:\n{tail}")
    out = json.loads(proc.stdout[proc.stdout.index("{"):])
    return np.array(out["t"]), np.array(out["values"]).T
