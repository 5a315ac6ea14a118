"""Every device for a batch: CPU cores as JAX devices, a batch sharded over a 1-D mesh.

JAX gives a CPU one device unless told otherwise before its backends start
(`jax_num_cpu_devices`). `use_cpu_cores(n)` (or `BRIDGE_CPU_DEVICES=n|all`, read when
bridge's simulator is imported) asks for n. `run_sharded` runs a vmapped function
on a batch split along its first axis over all devices (`shard_map` over a mesh
with one axis, "batch"; each device runs its slice alone), padding the batch to a multiple of the device count with
copies of its last member and dropping the padding afterwards. Under
`jax.distributed` (several processes) the mesh holds every process's devices, each
process computes its own shards, and the results are gathered so every process
gets the whole batch (docs/performance.md).

On CPUs a vmapped step costs more per member the wider it is, once the members' state no longer fits a
core's L2 cache (the 993-compartment hh cell: 1.0x a single run's CPU time per member at widths 1-4,
1.5-1.8x at 16, 1.7-2.0x at 64; benchmarks/results/batch_cpu_s25_2026-12-07.txt). `cpu_width` picks how
many members each device runs per call from the members' parameter bytes and the L2 size, and
`run_sharded` then runs a larger batch as waves of that many members per device, one call after another.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from bridge.errors import BridgeError

AXIS = "batch"


def use_cpu_cores(n: int | None = None) -> int:
    """Expose `n` CPU cores (default: all, `os.cpu_count()`) as JAX CPU devices; returns n.

    Must come before anything runs JAX in the process (JAX fixes its devices when its backends
    start); afterwards it only succeeds if the process already has n CPU devices."""
    n = (os.cpu_count() or 1) if n is None else int(n)
    if n < 1:
        raise BridgeError(f"use_cpu_cores: n must be >= 1, got {n}")
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except RuntimeError as err:  # JAX's backends already started
        have = len(jax.devices("cpu"))
        if have != n:
            raise BridgeError(f"use_cpu_cores({n}): JAX already runs with {have} CPU device(s); call "
                              "bridge.use_cpu_cores first in the process, or set BRIDGE_CPU_DEVICES "
                              "before starting Python") from err
    return n


def cpu_devices_from_env(environ: dict[str, str] | None = None) -> int | None:
    """Apply `BRIDGE_CPU_DEVICES` ("all" or a count) if set; returns the count or None."""
    value = (os.environ if environ is None else environ).get("BRIDGE_CPU_DEVICES", "").strip()
    if not value:
        return None
    if value == "all":
        return use_cpu_cores(None)
    if not value.isdigit():
        raise BridgeError(f"BRIDGE_CPU_DEVICES must be 'all' or a positive integer, got {value!r}")
    return use_cpu_cores(int(value))


def batch_mesh(devices: list | None = None) -> Mesh:
    """A 1-D mesh (axis "batch") over `devices` (default: every device of every process)."""
    devs = jax.devices() if devices is None else list(devices)
    return Mesh(np.array(devs), (AXIS,))


def batch_size(batch: Any) -> int:
    """The common length of the first axis of every leaf of `batch`."""
    sizes = {int(np.shape(leaf)[0]) if np.ndim(leaf) else -1 for leaf in jax.tree.leaves(batch)}
    if len(sizes) != 1 or -1 in sizes:
        raise BridgeError("a batch needs every parameter with the same leading (batch) axis; got lengths "
                          f"{sorted(sizes)} (-1: a scalar)")
    return sizes.pop()


def padded(batch: Any, multiple: int) -> tuple[Any, int]:
    """`batch` (numpy leaves) padded along axis 0 to a multiple of `multiple` with copies of its last member."""
    n = batch_size(batch)
    total = -(-n // multiple) * multiple

    def pad(leaf):
        leaf = np.asarray(leaf)
        return np.concatenate([leaf, np.repeat(leaf[-1:], total - n, 0)]) if total > n else leaf

    return jax.tree.map(pad, batch), n


def sharded_jit(fn: Callable, mesh: Mesh) -> Callable:
    """jit(fn) with the first axis of every input and output split over `mesh`, each device running
    `fn` on its own slice (`shard_map`), with no communication between devices.

    `fn` is a vmapped run: under `jit` with shardings alone, XLA's partitioner keeps a vmapped
    `while` loop's condition (`any` over the batch) global and joins the devices every iteration;
    on two CPU devices that made a run 2.8x slower per member than one device's
    (benchmarks/results/batch_cpu_s26_2026-12-08.txt)."""
    spec = PartitionSpec(AXIS)
    # check_vma off: the run's scan carries start unsharded (constants) and become per-device
    return jax.jit(jax.shard_map(fn, mesh=mesh, in_specs=spec, out_specs=spec, check_vma=False))


def l2_cache_bytes(default: int = 1 << 20) -> int:
    """The L2 cache of CPU 0 [bytes], from Linux's sysfs (`default` where it cannot be read)."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for index in sorted(os.listdir(base)):
            folder = os.path.join(base, index)
            if not index.startswith("index"):
                continue
            with open(os.path.join(folder, "level")) as f:
                if f.read().strip() != "2":
                    continue
            with open(os.path.join(folder, "size")) as f:
                size = f.read().strip().upper()
            scale = {"K": 1 << 10, "M": 1 << 20}.get(size[-1:], 1)
            return int(size.rstrip("KM")) * scale
    except (OSError, ValueError):
        pass
    return default


def cpu_width(member_bytes: int, cache_bytes: int | None = None) -> int:
    """Members per CPU device per call: as many as have parameters [bytes each] within half the L2 cache.
    Wider, a member's state and temporaries leave the cache (the 993-compartment cell: CPU per member 1.0x a
    single run's at widths 1-4, 1.1x at 8, 1.3x at 16); narrower, the waves' joins idle the devices (batch
    of 200 on 2 CPU devices, NEURON's throughput: 2.58x at width 1, 3.33x at 4, 2.97x at 8;
    benchmarks/results/batch_cpu_s26_2026-12-08.txt)."""
    cache = l2_cache_bytes() if cache_bytes is None else cache_bytes
    return max(1, (cache // 2) // max(1, int(member_bytes)))


def member_bytes(batch: Any) -> int:
    """Bytes of one member's parameters in `batch` (every leaf with a leading batch axis)."""
    leaves = jax.tree.leaves(batch)
    return sum(int(np.size(leaf)) * np.dtype(leaf.dtype).itemsize for leaf in leaves) // max(1, batch_size(batch))


def run_sharded(compiled: Callable, batch: Any, mesh: Mesh, width: int | None = None) -> Any:
    """`compiled(batch)` (from `sharded_jit`) on a batch of any size; outputs cut back to the batch.

    With `width`, a batch of more than `width` members per device runs as waves of `width` members per
    device, one call after another (the last wave padded; one compiled size), concatenated in order.
    Every process passes the whole batch; each places only its own devices' shards
    (`make_array_from_callback`), and with several processes the outputs are gathered to all."""
    ndev = mesh.devices.size
    wave = ndev * width if width and batch_size(batch) > ndev * width else 0
    host, n = padded(jax.device_get(batch), wave or ndev)
    sharding = NamedSharding(mesh, PartitionSpec(AXIS))

    def place(x: np.ndarray) -> jax.Array:
        return jax.make_array_from_callback(x.shape, sharding, x.__getitem__)

    total = batch_size(host)
    step = wave or total
    outs = [compiled(jax.tree.map(lambda x, s=s: place(x[s:s + step]), host)) for s in range(0, total, step)]
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        outs = [multihost_utils.process_allgather(out, tiled=True) for out in outs]
    if len(outs) == 1:
        return jax.tree.map(lambda x: x[:n], outs[0])

    # waves joined on the host (a device-side concatenate of many waves would compile a program per wave count)
    def join(*xs: Any) -> jax.Array:
        return jnp.asarray(np.concatenate(jax.device_get(xs))[:n])

    return jax.tree.map(join, *outs)
