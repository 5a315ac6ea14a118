"""The reference models of docs/numerics.md (section 7) and a branched HH cell, built as SectionTrees
(shared by solver tests and benchmarks)."""

from __future__ import annotations

import numpy as np

from bridge.morphology.tree import SectionTree


def y_cable(pt3d: bool = False) -> SectionTree:
    """Model (a) of docs/numerics.md, section 7 ((c) with pt3d=True): passive Y cable, two IClamps, one
    on the zero-area end d2(1)."""
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20, nseg=1, Ra=100)
    d1 = tree.section("d1", L=200, diam=2, nseg=3, Ra=150, cm=1.2)
    d2 = tree.section("d2", L=150, diam=1.5, nseg=5, Ra=80, cm=0.9)
    if pt3d:  # tapered and bent
        tree.set_pt3d("d2", [[10, 0, 0, 2.0], [40, 15, 0, 1.7], [80, 20, 5, 1.4], [120, 40, 5, 1.2],
                             [150, 70, 10, 0.9]])
    tree.connect(d1, soma, 1.0)
    tree.connect(d2, soma, 1.0)
    for sec, g in ((soma, 2e-4), (d1, 5e-4), (d2, 1e-3)):
        sec.insert("pas", g=g, e=-70.0)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 5.0, "amp": 0.3})
    tree.add_point_process("IClamp", "d2", 1.0, **{"del": 8.0, "dur": 4.0, "amp": -0.05})
    return tree


def hh_soma(amp: float = 0.1) -> SectionTree:
    """Model (b) of docs/numerics.md, section 7: one hh compartment, 18.8 x 18.8 um, IClamp 2-12 ms."""
    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    soma.insert("hh")
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 2.0, "dur": 10.0, "amp": amp})
    return tree


def branched_hh(nsec: int = 60, seed: int = 1, nseg_choices=(1, 2, 3, 5)) -> SectionTree:
    """A random branched cell: hh soma and dendrites (some hh, some pas), children at x=0, interior x
    and x=1 of their parents, one dendrite connected by its 1-end; IClamps at the soma and a dendrite end."""
    rng = np.random.default_rng(seed)
    tree = SectionTree()
    soma = tree.section("soma", L=20, diam=20, nseg=1, Ra=100)
    soma.insert("hh")
    names = ["soma"]
    for k in range(1, nsec):
        name = f"dend{k}"
        sec = tree.section(name, L=float(rng.uniform(20, 150)), diam=float(rng.uniform(0.5, 3)),
                           nseg=int(rng.choice(nseg_choices)), Ra=float(rng.uniform(70, 200)),
                           cm=float(rng.uniform(0.8, 1.5)))
        # prefer recent sections as parents, so the tree gets deep
        parent = names[int(rng.integers(max(0, len(names) - 6), len(names)))]
        x = [1.0, 1.0, 0.0, float(np.round(rng.uniform(0.05, 0.95), 3))][k % 4]
        tree.connect(name, parent, x, child_end=1.0 if k == 7 else 0.0)
        if k % 3 == 0:
            sec.insert("pas", g=float(rng.uniform(1e-4, 1e-3)), e=float(rng.uniform(-75, -60)))
        else:
            sec.insert("hh", gnabar=float(rng.uniform(0.05, 0.15)), gkbar=float(rng.uniform(0.02, 0.05)))
        names.append(name)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": 1.0, "dur": 6.0, "amp": 0.6})
    tree.add_point_process("IClamp", names[-1], 1.0, **{"del": 3.0, "dur": 3.0, "amp": 0.05})
    return tree
