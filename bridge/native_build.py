"""Build and load bridge's own C++ kernels (XLA FFI custom calls for CPUs), for any layer that has one.

The kernels (`bridge.solver.native_solve`, `native_block_solve`, `bridge.nmodl.runtime.native_exp`, `native_libm`) are
constants of bridge's modules, never anything from a model file. A shared library is kept in `native/` of
bridge's compilation cache folder when `bridge.solver.compile_cache` turned that cache on (it tells this
module: `use_cache_folder`); without it, in a temporary folder removed once the library is loaded, so
nothing is left behind. The file is named after a hash of the source, the compiler flags and jaxlib's
version, renamed into place, and built and loaded only from a folder the user owns that nobody else may
write. Without a compiler (or on any build failure) `load_once` says False and the caller uses its JAX
fallback.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile

FLAGS = ("-O2", "-std=c++17", "-shared", "-fPIC", "-ffp-contract=off", "-fno-fast-math", "-w")

_CACHE: list[str] = []  # bridge's compilation cache folder, once bridge turned that cache on


def use_cache_folder(path: str) -> None:
    """Keep kernels in `path`/native from now on (called by `bridge.solver.compile_cache` when it turns the
    user's cache folder on)."""
    if not _CACHE:
        _CACHE.append(path)


def native_dir() -> str | None:
    """The folder kernels are kept in: `native/` in bridge's compilation cache folder when bridge turned that
    cache on, else None (built in a temporary folder: `BRIDGE_NO_JAX_CACHE=1` or the user's own JAX cache
    folder leave nothing behind)."""
    return os.path.join(_CACHE[0], "native") if _CACHE else None


def _private(path: str) -> bool:
    """The folder is ours and nobody else may write in it (a library loaded from it runs as us)."""
    st = os.stat(path)
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def build(folder: str, source: str, stem: str) -> str | None:
    """The shared library of C++ `source` in `folder` (named `stem` and a digest of the source, the flags and
    jaxlib's version), compiled on first use; None when it cannot be built."""
    cxx = shutil.which("c++") or shutil.which("g++")
    if cxx is None:
        return None
    import jax
    import jaxlib

    key = hashlib.sha256("\0".join((source, *FLAGS, jaxlib.__version__)).encode()).hexdigest()[:20]
    lib = os.path.join(folder, f"{stem}_{key}.so")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _private(folder):
        return None
    if os.path.exists(lib):
        return lib
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        src = os.path.join(tmp, f"{stem}.cc")
        with open(src, "w") as fh:
            fh.write(source)
        out = os.path.join(tmp, f"{stem}.so")
        cmd = [cxx, *FLAGS, "-I", jax.ffi.include_dir(), src, "-o", out]
        proc = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
        if proc.returncode != 0 or not os.path.exists(out):
            return None
        os.replace(out, lib)  # atomic: a concurrent process sees the whole file or none
    return lib


def register(lib: str, symbol: str, target: str) -> None:
    """Load `lib` and register its FFI handler `symbol` as the CPU target `target`."""
    import jax

    handle = ctypes.cdll.LoadLibrary(lib)
    jax.ffi.register_ffi_target(target, jax.ffi.pycapsule(getattr(handle, symbol)), platform="cpu")
    # a batch sharded over devices (Simulation.run_batch): each device computes its own members
    jax.ffi.register_ffi_target_as_batch_partitionable(target)


def _register_all(lib: str, targets: dict[str, str]) -> None:
    for symbol, target in targets.items():
        register(lib, symbol, target)


def load_once(state: dict[str, bool], source: str, stem: str, symbol: str | dict[str, str],
              target: str = "") -> bool:
    """Build and register a kernel once per process (`state` remembers the outcome; call under a lock): its
    handler `symbol` as `target`, or each handler of a dict {symbol: target}."""
    targets = symbol if isinstance(symbol, dict) else {symbol: target}
    if "ok" not in state:
        ok = False
        try:
            folder = native_dir()
            if folder is not None:
                lib = build(folder, source, stem)
                if lib is not None:
                    _register_all(lib, targets)
                    ok = True
            else:
                with tempfile.TemporaryDirectory() as tmp:  # private (0700); the loaded library stays mapped
                    lib = build(os.path.join(tmp, "native"), source, stem)
                    if lib is not None:
                        _register_all(lib, targets)
                        ok = True
        except (OSError, subprocess.SubprocessError, AttributeError, ValueError, RuntimeError):
            ok = False
        state["ok"] = ok
    return state["ok"]
