"""Suite-wide test settings.

Each test module compiles its own JAX programs; the whole suite in one process compiles thousands
(live HOC runs, translated mechanisms, validation runs). XLA's CPU compiler crashed (a segmentation
fault inside `backend_compile_and_load`) late in full-suite runs, never in a module run alone, so the
compiled programs and tracing caches of a module are dropped when it ends.
"""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True, scope="module")
def _fresh_jax_caches():
    yield
    import jax

    jax.clear_caches()
    gc.collect()
