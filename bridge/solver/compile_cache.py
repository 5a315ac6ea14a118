"""JAX's persistent compilation cache, on by default in bridge's own folder.

The second process that runs the same model loads the compiled program from disk
instead of compiling it again. The folder is, in order: `$BRIDGE_JAX_CACHE_DIR`,
`$XDG_CACHE_HOME/bridge/jax`, `~/.cache/bridge/jax`; `BRIDGE_NO_JAX_CACHE=1` turns it
off. Only the user's environment chooses it: nothing a model file says reaches this
module. A cache folder the user gave JAX itself (`jax_compilation_cache_dir`,
`JAX_COMPILATION_CACHE_DIR`) is left alone, with its thresholds. JAX's cache is
per process, so once on, other JAX programs of the process are cached there too
(docs/performance.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import jax

from bridge import native_build

_ENABLED: list[str] = []  # the folder bridge turned on, once per process


def cache_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """The folder bridge caches compiled programs in, or None when `BRIDGE_NO_JAX_CACHE` is set (not "0"/"")."""
    env = os.environ if environ is None else environ
    if env.get("BRIDGE_NO_JAX_CACHE", "") not in ("", "0"):
        return None
    if env.get("BRIDGE_JAX_CACHE_DIR"):
        return os.path.abspath(os.path.expanduser(env["BRIDGE_JAX_CACHE_DIR"]))
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "bridge", "jax")


def enable_compilation_cache(environ: Mapping[str, str] | None = None) -> str | None:
    """Turn on JAX's persistent cache in `cache_dir()` (idempotent); returns the folder in use, or None.

    Thresholds: every program is cached (min compile time 0 s, min entry size 0 bytes): bridge's
    runs compile in about a second, under JAX's default 1 s threshold. XLA's side cache (GPU
    autotuning, JAX's default) lives in a subfolder of the same folder."""
    if _ENABLED:
        return _ENABLED[0]
    if jax.config.jax_compilation_cache_dir:  # type: ignore[attr-defined]  # the user's own choice
        return None
    path = cache_dir(environ)
    if path is None:
        return None
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:  # a read-only home: run without the cache rather than fail
        return None
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    _ENABLED.append(path)
    native_build.use_cache_folder(path)  # bridge's native kernels are kept there too
    return path
