"""SectionTree.children: NEURON's sibling order (cabcode.cpp), which decides the node order.

The order itself is checked against NEURON's node indices in test_nodes.py; these tests
pin down the rule by hand."""

from __future__ import annotations

from bridge.morphology.tree import SectionTree


def _tree(*names: str) -> SectionTree:
    tree = SectionTree()
    for name in names:
        tree.section(name)
    return tree


def _kids(tree: SectionTree, name: str) -> list[str]:
    return [s.name for s in tree.children(name)]


def test_children_by_position_then_last_connected_first():
    tree = _tree("p", "a", "b", "c", "d")
    tree.connect("a", "p", 1.0)
    tree.connect("b", "p", 0.5)
    tree.connect("c", "p", 1.0)
    tree.connect("d", "p", 0.0)
    assert _kids(tree, "p") == ["d", "b", "c", "a"]


def test_positions_count_from_a_reversed_parents_connection_end():
    tree = _tree("root", "p", "a", "b")
    tree.connect("p", "root", 1.0, child_end=1)
    tree.connect("a", "p", 0.2)  # 0.8 from p's connection end
    tree.connect("b", "p", 0.7)  # 0.3 from it
    assert _kids(tree, "p") == ["b", "a"]


def test_reversing_a_section_reverses_its_children():
    tree = _tree("root", "p", "a", "b", "c")
    tree.connect("a", "p", 1.0)
    tree.connect("b", "p", 1.0)
    tree.connect("c", "p", 0.5)
    assert _kids(tree, "p") == ["c", "b", "a"]
    tree.connect("p", "root", 1.0, child_end=1)  # ties keep their reversed order
    assert _kids(tree, "p") == ["a", "b", "c"]
    tree.connect("p", "root", 0.5, child_end=1)  # same orientation: no second reversal
    assert _kids(tree, "p") == ["a", "b", "c"]


def test_reconnect_disconnect_and_delete_keep_the_lists():
    tree = _tree("p", "q", "a", "b")
    tree.connect("a", "p", 1.0)
    tree.connect("b", "p", 1.0)
    tree.connect("a", "q", 1.0)
    assert _kids(tree, "p") == ["b"] and _kids(tree, "q") == ["a"]
    tree.connect("a", "p", 1.0)  # back: first among its ties again
    assert _kids(tree, "p") == ["a", "b"]
    tree.disconnect("a")
    assert _kids(tree, "p") == ["b"]
    tree.connect("a", "p", 1.0)
    tree.delete("p")
    assert tree["a"].parent is None and tree["b"].parent is None
    assert tree.children("q") == []


def test_children_without_history_fall_back_to_the_rule():
    """Sections whose parent was set directly (not through connect) are still ordered."""
    tree = _tree("p", "a", "b", "c")
    for name, x, serial in [("a", 1.0, 0), ("b", 0.3, 1), ("c", 1.0, 2)]:
        sec = tree[name]
        sec.parent, sec.parent_x, sec.connect_serial = "p", x, serial
    assert _kids(tree, "p") == ["b", "c", "a"]
