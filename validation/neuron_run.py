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
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from bridge.errors import BridgeError

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


def included_files(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """The files the .mod files INCLUDE, found next to the .mod file as nocmodl finds them:
    (the name as written, the file)."""
    out: dict[str, Path] = {}
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace")
        for name in _INCLUDE.findall(text):
            f = p.parent / name
            if Path(name).is_absolute() or ".." in Path(name).parts:
                continue  # kept inside the build folder; nrnivmodl then says what it misses
            if f.is_file() and name not in out:
                out[name] = f
    return list(out.items())


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
spec = json.load(sys.stdin)
for lib in spec["libraries"]:
    h.nrn_load_dll(lib)
h.load_file("stdrun.hoc")
secs = {}
for s in spec["sections"]:
    sec = secs[s["name"]] = h.Section(name=s["name"])
    sec.nseg = s["nseg"]
    sec.L = s["L"]
    sec.Ra = s["Ra"]
    for seg, d in zip(sec, s["diam"]):
        seg.diam = d
    for seg, c in zip(sec, s["cm"]):
        seg.cm = c
for child, child_end, parent, x in spec["connections"]:
    secs[child].connect(secs[parent](x), child_end)
for s in spec["sections"]:
    sec = secs[s["name"]]
    for mech in s["mechanisms"]:
        if not mech.endswith("_ion"):
            sec.insert(mech)
    for mech, values in s["mechanisms"].items():
        for name, per_seg in values.items():
            attr = name if mech.endswith("_ion") else f"{name}_{mech}"
            for seg, val in zip(sec, per_seg):
                if val is not None:
                    setattr(seg, attr, val)
pps = []
for p in spec["point_processes"]:
    obj = getattr(h, p["name"])(secs[p["section"]](p["x"]))
    for k, val in p["params"].items():
        setattr(obj, "delay" if k == "del" else k, val)
    pps.append(obj)
for name, val in spec["globals"].items():
    setattr(h, name, val)
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


def _values(arr) -> list:
    return [None if math.isnan(float(v)) else float(v) for v in arr]


def tree_spec(tree) -> dict:
    """The JSON-able description of a SectionTree (no pt3d: single-mechanism cells do not need it)."""
    sections = []
    for sec in tree:
        if sec.has_pt3d():
            raise BridgeError("validation.neuron_run: pt3d sections are not supported here")
        sections.append({
            "name": sec.name, "nseg": sec.nseg, "L": sec.L, "Ra": sec.Ra,
            "diam": _values(sec.diam), "cm": _values(sec.cm),
            "mechanisms": {m: {k: _values(v) for k, v in vals.items()} for m, vals in sec.mechanisms.items()},
        })
    conns = sorted((s for s in tree if s.parent is not None), key=lambda s: s.connect_serial)
    return {
        "sections": sections,
        "connections": [[s.name, s.child_end, s.parent, s.parent_x] for s in conns],
        "point_processes": [{"name": p.name, "section": p.section, "x": p.x, "params": p.params}
                            for p in tree.point_processes],
    }


def run_neuron(tree, probes: Sequence[tuple[str, float, str]], *, mod_files: Sequence[str | Path] = (),
               tstop: float, dt: float = 0.025, celsius: float = 6.3, v_init: float = -65.0,
               secondorder: int = 0, globals: dict | None = None, timeout: float = 300.0):
    """Run `tree` in NEURON with `mod_files` compiled (built-in names excluded); returns (t, values[nt, nprobe])."""
    libraries = [str(compile_mod_files(mod_files))] if mod_files else []
    spec = {**tree_spec(tree), "probes": [list(p) for p in probes], "tstop": tstop, "dt": dt,
            "secondorder": secondorder, "celsius": celsius, "v_init": v_init, "globals": globals or {},
            "libraries": libraries}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-15:])
        raise BridgeError(f"NEURON run failed:\n{tail}")
    out = json.loads(proc.stdout[proc.stdout.index("{"):])
    return np.array(out["t"]), np.array(out["values"]).T
