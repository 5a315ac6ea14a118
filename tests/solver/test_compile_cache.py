"""JAX's persistent compilation cache: on by default in bridge's folder, off with BRIDGE_NO_JAX_CACHE=1.

The same model run in a second process finds its compiled programs on disk (JAX reports cache hits)
and writes no new entry; nothing is written outside the folder the environment names."""

from __future__ import annotations

import pytest

from bridge.solver.compile_cache import cache_dir
from tests.solver.scale_scripts import CACHE_RUN, LOWERED_EXAMPLE, run_script


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_folder_comes_from_the_environment_only():
    assert cache_dir({"BRIDGE_JAX_CACHE_DIR": "/x/y", "XDG_CACHE_HOME": "/c"}) == "/x/y"
    assert cache_dir({"XDG_CACHE_HOME": "/c"}) == "/c/bridge/jax"
    assert cache_dir({"HOME": "/h"}).endswith("/.cache/bridge/jax")
    assert cache_dir({"BRIDGE_NO_JAX_CACHE": "1", "BRIDGE_JAX_CACHE_DIR": "/x/y"}) is None
    assert cache_dir({"BRIDGE_NO_JAX_CACHE": "0", "BRIDGE_JAX_CACHE_DIR": "/x/y"}) == "/x/y"


@pytest.mark.slow
def test_a_second_process_loads_the_compiled_run(tmp_path):
    home = tmp_path / "home"
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(home)}
    first = run_script(CACHE_RUN, env=env)
    folder = tmp_path / "xdg" / "bridge" / "jax"
    assert first["cache_dir"] == str(folder)
    entries = _files(folder)
    assert any(name.startswith("jit__run") for name in entries), entries
    second = run_script(CACHE_RUN, env=env)
    assert second["hits"] >= 1 and first["hits"] == 0
    assert second["v_end"] == first["v_end"]
    assert _files(folder) == entries  # every program came from the cache
    assert not home.exists()  # nothing anywhere else under the home folder


@pytest.mark.slow
def test_bridge_no_jax_cache_writes_nothing(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "BRIDGE_NO_JAX_CACHE": "1", "HOME": str(tmp_path / "home")}
    out = run_script(CACHE_RUN, env=env)
    assert out["cache_dir"] is None and out["hits"] == 0
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


@pytest.mark.slow
def test_the_users_own_jax_cache_folder_is_kept(tmp_path):
    mine = tmp_path / "mine"
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "JAX_COMPILATION_CACHE_DIR": str(mine)}
    out = run_script(CACHE_RUN, env=env)
    assert out["cache_dir"] == str(mine)
    assert not (tmp_path / "xdg").exists()


@pytest.mark.slow
def test_the_program_is_the_same_in_every_process():
    """The cache key is the program text: no set order (Python's per-process hash seed) may reach it."""
    env = {"BRIDGE_NO_JAX_CACHE": "1"}
    texts = {run_script(LOWERED_EXAMPLE, env={**env, "PYTHONHASHSEED": seed})["sha256"] for seed in ("1", "2", "3")}
    assert len(texts) == 1
