"""bridge.sweep (module bridge.param_sweep): a parameter grid in chunks, each saved as it finishes; resumable.

    result = bridge.sweep(sim, {"gnabar_hh": np.linspace(0.08, 0.16, 40), "amp_IClamp": [0.1, 0.2]},
                          out="runs/g_amp", chunk=64)
    result.values          # (80, nsamples, nprobes); result.grid (80, 2) in the order of the names

The grid is the Cartesian product of the values given (the last name varies fastest); each
name is set everywhere with `Simulation.set` (a key `(name, section)` sets it in one section).
Each chunk runs as one `Simulation.run_batch` (sharded over all devices) and is written to
`out/chunk_NNNNNN.npz` (a temporary file renamed into place, so a chunk file is whole or
absent); `out/sweep.json` records the grid, the probes and a fingerprint of the model's
parameters. Run again with the same arguments after an interruption, finished chunks are
skipped; a different grid, chunk size or model is refused. Nothing is written outside `out`.
A tqdm progress bar is shown when tqdm is installed. Under jax.distributed every process runs
the same call and process 0 writes the files.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bridge.errors import BridgeError
from bridge.model import Simulation

MANIFEST = "sweep.json"


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: `grid` (npoints, nnames) in the order of `names`, `t` (nsamples,) [ms],
    `values` (npoints, nsamples, nprobes) in the order of `labels`."""

    names: tuple[str, ...]
    grid: np.ndarray
    t: np.ndarray
    values: np.ndarray
    labels: tuple[str, ...]

    def __getitem__(self, label: str) -> np.ndarray:
        """(npoints, nsamples) values of one probe."""
        return self.values[..., self.labels.index(label)]


def grid_points(param_grid: Mapping[Any, Sequence[float]]) -> tuple[tuple[str, ...], np.ndarray]:
    """(names, (npoints, nnames) float64 Cartesian product, last name fastest); a key (name, section) is
    named "name@section"."""
    if not param_grid:
        raise BridgeError("sweep: the parameter grid is empty")
    names = tuple(k if isinstance(k, str) else f"{k[0]}@{k[1]}" for k in param_grid)
    axes = [np.asarray(v, np.float64).reshape(-1) for v in param_grid.values()]
    if any(a.size == 0 for a in axes):
        raise BridgeError("sweep: every parameter needs at least one value")
    return names, np.array(list(itertools.product(*axes)), np.float64).reshape(-1, len(names))


def _setter(sim: Simulation, names: tuple[str, ...], base: dict) -> Callable:
    def one(row):
        p = base
        for j, name in enumerate(names):
            pname, _, section = name.partition("@")
            p = sim.set(p, pname, row[j], section=section or None)
        return p

    return jax.vmap(one)


def _fingerprint(sim: Simulation, names: tuple[str, ...], grid: np.ndarray, chunk: int, base: dict) -> dict:
    digest = hashlib.sha256()
    for leaf in jax.tree.leaves(jax.device_get(base)):
        digest.update(np.ascontiguousarray(leaf).tobytes())
    digest.update(str(jax.tree.structure(base)).encode())
    return {"version": 1, "names": list(names), "npoints": int(len(grid)), "chunk": int(chunk),
            "grid_sha256": hashlib.sha256(np.ascontiguousarray(grid).tobytes()).hexdigest(),
            "params_sha256": digest.hexdigest(), "labels": list(sim.labels), "nsteps": int(sim.nsteps),
            "dt": float(sim.model.dt), "dtype": str(jnp.dtype(sim.dtype))}


def _chunk_path(out: str, i: int) -> str:
    return os.path.join(out, f"chunk_{i:06d}.npz")


def _write_atomic(path: str, write: Callable[[Any], None]) -> None:
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        write(f)
    os.replace(tmp, path)


def _progress(total: int, done: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, initial=done, unit="chunk", desc="bridge.sweep")


def sweep(sim: Simulation, param_grid: Mapping[Any, Sequence[float]], out: str | os.PathLike, *, chunk: int = 64,
          params: dict | None = None, devices: Sequence[Any] | None = None, progress: bool = True,
          on_chunk: Callable[[int, int], None] | None = None) -> SweepResult:
    """Run `sim` over the grid in chunks of `chunk` points, saving each chunk in folder `out`; resume what
    is there. `params`: the base parameters (default `sim.params()`); `on_chunk(i, nchunks)` is called
    after chunk i is saved. Returns the whole sweep."""
    if not isinstance(sim, Simulation):
        raise BridgeError("sweep: pass a bridge.Simulation (it names the probes to record)")
    if chunk < 1:
        raise BridgeError(f"sweep: chunk must be >= 1, got {chunk}")
    names, grid = grid_points(param_grid)
    base = sim.params() if params is None else params
    out = os.fspath(out)
    meta = _fingerprint(sim, names, grid, chunk, base)
    writer = jax.process_index() == 0
    manifest = os.path.join(out, MANIFEST)
    if os.path.exists(manifest):
        with open(manifest) as f:
            old = json.load(f)
        diff = sorted(k for k in set(old) | set(meta) if old.get(k) != meta.get(k))
        if diff:
            raise BridgeError(f"sweep: {out} holds a different sweep ({', '.join(diff)} differ); "
                              "use another folder or remove it")
    elif writer:
        os.makedirs(out, exist_ok=True)
        _write_atomic(manifest, lambda f: f.write(json.dumps(meta, indent=1).encode()))
    _barrier("bridge.sweep: manifest")  # every process sees the same finished chunks
    nchunks = -(-len(grid) // chunk)
    todo = [i for i in range(nchunks) if not os.path.exists(_chunk_path(out, i))]
    make = _setter(sim, names, base)
    bar = _progress(nchunks, nchunks - len(todo), progress)
    try:
        for i in todo:
            rows = grid[i * chunk:(i + 1) * chunk]
            traces = sim.run_batch(make(jnp.asarray(rows, sim.dtype)), devices=devices)
            values, t = np.asarray(traces.values), np.asarray(traces.t)[0]
            if writer:
                _write_atomic(_chunk_path(out, i), lambda f, v=values, t=t, r=rows: np.savez(f, values=v, t=t, grid=r))
            if bar is not None:
                bar.update(1)
            if on_chunk is not None:
                on_chunk(i, nchunks)
    finally:
        if bar is not None:
            bar.close()
    _barrier("bridge.sweep: written")  # process 0 has written the last chunk
    return load_sweep(out)


def _barrier(name: str) -> None:
    """Wait for every process under jax.distributed (nothing with one process)."""
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def load_sweep(out: str | os.PathLike) -> SweepResult:
    """The sweep saved in folder `out` (every chunk must be there)."""
    out = os.fspath(out)
    with open(os.path.join(out, MANIFEST)) as f:
        meta = json.load(f)
    nchunks = -(-meta["npoints"] // meta["chunk"])
    missing = [i for i in range(nchunks) if not os.path.exists(_chunk_path(out, i))]
    if missing:
        raise BridgeError(f"sweep in {out}: chunks {missing[:5]} of {nchunks} are missing; run bridge.sweep again")
    parts = []
    for i in range(nchunks):
        with np.load(_chunk_path(out, i), allow_pickle=False) as z:
            parts.append((z["grid"], z["t"], z["values"]))
    return SweepResult(tuple(meta["names"]), np.concatenate([p[0] for p in parts]), parts[0][1],
                       np.concatenate([p[2] for p in parts]), tuple(meta["labels"]))
