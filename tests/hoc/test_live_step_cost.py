"""What a HOC live run rebuilds at every step that changed the model costs little (issue 14, docs/performance.md:
"HOC live runs"): glibc's exp traced once per shape, the built-in mechanisms kept, range values filled and
gathered without per-segment Python objects, parameters put on the device in one call. Each test fails if
its shortcut is removed or changes a value. (The jitted exp equals the C library's bit for bit under parity
arithmetic: tests/nmodl/test_glibc_exp.py.)"""

from __future__ import annotations

import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bridge.model import Model, Simulation
from bridge.morphology.tree import SectionTree, filled, is_set, not_set
from bridge.nmodl import load
from bridge.nmodl.runtime import glibc_exp


def test_glibc_exp_is_traced_once_per_shape_and_copy():
    def f(x):
        for k in range(12):
            x = glibc_exp.exp(x * 0.5 - k, True) + glibc_exp.exp(x, True)
        return x

    before = glibc_exp._exp_jit._cache_size()
    jax.make_jaxpr(f)(jnp.ones(13))
    jax.make_jaxpr(jax.vmap(f))(jnp.ones(13))
    assert glibc_exp._exp_jit._cache_size() - before <= 2  # (13,) float64, and the scalar body vmap batches


def test_builtin_mechanisms_are_read_once_while_their_files_stay(tmp_path, monkeypatch):
    folder = tmp_path / "builtin"
    folder.mkdir()
    shutil.copy(load.BUILTIN_DIR / "pas.mod", folder / "pas.mod")  # bridge's own file
    monkeypatch.setattr(load, "BUILTIN_DIR", folder)
    monkeypatch.setattr(load, "_BUILTIN", {})
    reads = []
    real = load.load_mechanisms
    monkeypatch.setattr(load, "load_mechanisms", lambda f, **kw: reads.append(f) or real(f, **kw))
    first = load.builtin_mechanisms()
    first.pop("pas")  # the caller's dict is its own
    second = load.builtin_mechanisms()
    assert len(reads) == 1 and "pas" in second
    text = (folder / "pas.mod").read_text()
    (folder / "pas.mod").write_text(text.replace("g = 0.001", "g = 0.002") + "\n")  # size changes
    third = load.builtin_mechanisms()
    assert len(reads) == 2 and third["pas"].range_parameters["g"] == pytest.approx(0.002)


@pytest.mark.parametrize("values, default, want", [
    (np.array([1.0, np.nan, 3.0]), 7.0, [1.0, np.nan, 3.0]),  # a plain array: NaN is a value
    (np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False]), 7.0, [1.0, 7.0, 3.0]),
    (np.ma.array([1, 2], mask=[True, False]), 0.5, [0.5, 2.0]),  # integers become doubles
    ([4.0, 5.0], 1.0, [4.0, 5.0]),
])
def test_filled_takes_the_default_only_where_not_set(values, default, want):
    got = filled(values, default)
    assert got.dtype == np.float64 and np.array_equal(got, want, equal_nan=True)
    assert got is not values and not np.shares_memory(got, np.ma.getdata(values))


def test_is_set_and_get_range_of_a_variable_never_set():
    v = not_set(3)
    v[1] = np.nan
    assert is_set(v).tolist() == [False, True, False] and is_set(np.zeros(2)).tolist() == [True, True]
    sec = SectionTree().section("a", L=10.0, diam=1.0, nseg=3)
    sec.insert("pas")
    assert sec.get_range("pas", "g", 0.25).tolist() == [0.25] * 3
    sec.set_range("pas", "g", 0.5, x=0.5)
    assert sec.get_range("pas", "g", 0.25).tolist() == [0.25, 0.5, 0.25]


def test_density_values_follow_node_order_across_sections():
    """Sections whose nodes interleave (a child created before its parent's other children): each instance's
    value is its own segment's, in NEURON's node order."""
    tree = SectionTree()
    for name, parent, nseg, g in (("soma", None, 3, None), ("d1", "soma", 2, 1e-4), ("d2", "soma", 4, None),
                                  ("d3", "d1", 1, 3e-4)):
        tree.section(name, L=50.0, diam=1.0, nseg=nseg)
        if parent is not None:
            tree.connect(name, parent)
        tree[name].insert("pas")
        if g is not None:
            tree[name].set_range("pas", "g", g)
    tree["d2"].set_range("pas", "g", 2e-4, x=0.9)
    sim = Simulation(Model(tree, tstop=0.1))
    inst = sim.plan.instances("pas")
    assert np.all(np.diff(inst.nodes) > 0)
    g = np.asarray(sim.params()["mechanisms"]["pas"]["g"])
    want = [tree[sec].get_range("pas", "g", 0.001)[int(x * tree[sec].nseg)] for sec, x in inst.labels]
    assert g.tolist() == want and sorted(set(want)) == [1e-4, 2e-4, 3e-4, 0.001]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_params_are_device_arrays_of_the_runs_dtype(dtype):
    tree = SectionTree()
    tree.section("soma", L=10.0, diam=10.0)
    tree["soma"].insert("pas")
    tree["soma"].set_range("pas", "g", 1.0 / 3.0)
    sim = Simulation(Model(tree, tstop=0.1), dtype=dtype)
    p = sim.params()
    for leaf in jax.tree.leaves(p):
        assert isinstance(leaf, jax.Array) and leaf.dtype == np.dtype(dtype) and not leaf.weak_type
    assert np.asarray(p["mechanisms"]["pas"]["g"])[0] == np.dtype(dtype).type(1.0 / 3.0)
