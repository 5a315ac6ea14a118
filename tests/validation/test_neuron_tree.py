"""validation.neuron_tree: a SectionTree replayed in NEURON keeps each section's child order.

NEURON's child order (`SectionRef.child`, which also orders its nodes) depends on the
history of connects: a new child goes ahead of those at the same position, and connecting
a section by its other end reverses its own child list. The trees here are built with a
history that a replay of the connections alone would not reproduce.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.morphology.tree import SectionTree
from validation.neuron_tree import tree_spec

pytestmark = pytest.mark.neuron

_HISTORY = """
from neuron import h
p, s, a, b, c = (h.Section(name=n) for n in "psabc")
s.connect(p(1), 1)      # s hangs by its 1-end
a.connect(s(0.5))
b.connect(s(0.5))       # s's children: [b, a]
c.connect(p(1))
s.connect(p(1), 0)      # s flips back: its list is reversed to [a, b]; p's is [s, c]
"""

_REPLAY = """
import json, sys
from neuron import h
from validation.neuron_tree import build_tree
built = build_tree(h, json.loads(sys.argv[1]))
out = {n: [c.name() for c in h.SectionRef(sec=sec).child] for n, sec in built["sections"].items()}
print("JSON:" + json.dumps(out))
"""


def _children_in_neuron(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("JSON:")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[5:])


def test_replay_keeps_child_order_after_reconnects():
    tree = SectionTree()
    for name in "psabc":
        tree.section(name)
    tree.connect("s", "p", 1.0, 1.0)
    tree.connect("a", "s", 0.5)
    tree.connect("b", "s", 0.5)
    tree.connect("c", "p", 1.0)
    tree.connect("s", "p", 1.0, 0.0)
    direct = _HISTORY + 'import json\nprint("JSON:" + json.dumps({n.name(): [c.name() for c in ' \
                        'h.SectionRef(sec=n).child] for n in (p, s, a, b, c)}))\n'
    neuron_history = _children_in_neuron(direct)
    assert neuron_history["s"] == ["a", "b"] and neuron_history["p"] == ["s", "c"]
    ours = {name: [c.name for c in tree.children(name)] for name in "psabc"}
    assert ours == neuron_history
    replayed = _children_in_neuron(_REPLAY, json.dumps(tree_spec(tree)))
    assert replayed == neuron_history


def test_replay_keeps_child_order_after_deletes():
    # bmtk's BioAxonStub: the soma's axon is deleted and a new one connected where it was
    tree = SectionTree()
    tree.section("soma")
    for name in ["apic", "d0", "axon_old", "d1", "d2"]:
        tree.section(name)
        tree.connect(name, "soma", 0.5)
    tree.delete("axon_old")
    tree.section("axon")
    tree.connect("axon", "soma", 0.5)
    tree.section("x")
    tree.connect("x", "soma", 0.2)
    expected = ["x", "axon", "d2", "d1", "d0", "apic"]
    assert [c.name for c in tree.children("soma")] == expected
    replayed = _children_in_neuron(_REPLAY, json.dumps(tree_spec(tree)))
    assert replayed["soma"] == expected
