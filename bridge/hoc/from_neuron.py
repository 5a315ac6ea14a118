"""`from_neuron(h)`: the SectionTree of a running NEURON session (for models built in Python).

Sections in NEURON's order (`h.allsec()`), with nseg, L, Ra, per-segment diam and
cm, parent, parent x and child end, 3-D points, inserted mechanisms with every
RANGE PARAMETER per segment, ion variables, and point processes with their
parameters. Sections that share a name (Python's `h.Section(name=...)`) become `name#k`
(`section_names`). NEURON is imported only when this is called.

extracellular's array PARAMETERs (`xraxial[2]`, `xg[2]`, `xc[2]`) are read per layer from the segment
(`seg.xraxial[k]`: its Mechanism object has no such attribute), with `e_extracellular`. A LinearMechanism is
refused: NEURON's Python object does not give back its Matrices and Vectors, and a tree without it would run
another model.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np

from bridge.errors import BridgeError
from bridge.mechanisms.ions import STYLE_MASK
from bridge.morphology.nodes import pt3d_float32
from bridge.morphology.tree import SectionTree
from bridge.solver.extracellular import DEFAULTS as EXT_DEFAULTS
from bridge.solver.extracellular import NAME as EXTRACELLULAR

_ION_SUFFIX = "_ion"


def _mechanism_parameters(h, name: str, point: bool) -> list[str]:
    """RANGE PARAMETERs of mechanism `name` (NEURON's MechanismStandard, vartype 1)."""
    ms = h.MechanismStandard(name, 1)
    out = []
    strdef = h.ref("")
    for i in range(int(ms.count())):
        ms.name(strdef, i)
        full = strdef[0]
        if not point and full.endswith("_" + name):
            full = full[: -len(name) - 1]
        out.append(full)
    return out


def from_neuron(h=None) -> SectionTree:
    """The SectionTree of NEURON's current sections (all cells), read through `h` (section names:
    `section_names`)."""
    if h is None:
        from neuron import h  # noqa: F811 - NEURON is imported only when this is called
    return read_tree(h)[0]


def read_tree(h) -> tuple[SectionTree, _SectionNames]:
    """`from_neuron`'s SectionTree and the bridge name of each NEURON section in it."""
    _refuse_linear_mechanisms(h)
    tree = SectionTree()
    secs = list(h.allsec())
    names = section_names(h)
    params_cache: dict[str, list[str]] = {}
    density = _density_mechanisms(h)
    ion_names = [m for m in density if m.endswith(_ION_SUFFIX)]
    for sec, name in zip(secs, names):
        s = tree.section(name)
        segs = list(sec)
        _read_cable(h, sec, segs, s)
        _read_mechanisms(h, segs, s, params_cache)
        _check_all_read(h, sec, density, {mech.name() for mech in segs[0]})
        _read_ions(h, sec, segs, s, ion_names)
    name_of = _SectionNames(secs, names)
    for sec in secs:
        sref = h.SectionRef(sec=sec)
        if sref.has_parent():
            parent = sref.parent
            tree.connect(name_of(sec), name_of(parent), float(sec.parentseg().x),
                         float(h.section_orientation(sec=sec)))
    _connect_order(h, tree, secs, name_of)
    for sec in secs:
        _read_point_processes(h, sec, name_of(sec), tree, params_cache)
    return tree, name_of


def section_names(h) -> list[str]:
    """bridge's name of each section of `h.allsec()`, in that order: NEURON's `sec.name()`, and for names
    that several sections share (Python's `h.Section(name=...)` allows it: hnn-core names every cell's
    soma alike) `name#k`, k counting those sections from 0 in `h.allsec()` order."""
    names = [sec.name() for sec in h.allsec()]
    count = Counter(names)
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if count[name] == 1:
            out.append(name)
            continue
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(f"{name}#{k}")
    if len(set(out)) != len(out):  # a section already named like bridge's name for a shared one
        clash = sorted(name for name, n in Counter(out).items() if n > 1)
        raise BridgeError(f"from_neuron: section names {', '.join(clash[:3])} clash with bridge's names "
                          "for sections that share a name")
    return out


class _SectionNames:
    """NEURON section -> bridge name (`section_names`), by identity (NEURON's sections compare equal when
    they are the same section)."""

    def __init__(self, secs, names: list[str]):
        self._by_name: dict[str, list] = {}
        for sec, name in zip(secs, names):
            self._by_name.setdefault(sec.name(), []).append((sec, name))

    def __call__(self, sec) -> str:
        for other, name in self._by_name[sec.name()]:
            if other == sec:
                return name
        raise BridgeError(f"from_neuron: section {sec.name()} is not among NEURON's sections")


def _read_cable(h, sec, segs, s) -> None:
    """nseg, Ra, 3-D points (and NEURON's arcs when they differ from the points' own), L, diam, cm."""
    s.set_nseg(int(sec.nseg))
    s.Ra = float(sec.Ra)
    n3d = int(h.n3d(sec=sec))
    if n3d:
        s.pt3d = np.array([[h.x3d(i, sec=sec), h.y3d(i, sec=sec), h.z3d(i, sec=sec), h.diam3d(i, sec=sec)]
                           for i in range(n3d)], dtype=float)
    s.L = float(sec.L)
    if n3d:
        arcs = np.array([h.arc3d(i, sec=sec) for i in range(n3d)], dtype=float)
        if not np.array_equal(arcs, pt3d_float32(s.pt3d)[1]):
            s.arc3d = arcs  # NEURON's arcs differ from the points' own (L changed, define_shape)
    s.diam = np.array([seg.diam for seg in segs], dtype=float)
    s.cm = np.array([seg.cm for seg in segs], dtype=float)


def _read_mechanisms(h, segs, s, params_cache: dict[str, list[str]]) -> None:
    """Each density mechanism of the section with its RANGE PARAMETERs per segment."""
    for mech in segs[0]:
        name = mech.name()
        if name == EXTRACELLULAR:
            _read_extracellular(segs, s)
            continue
        if name not in params_cache:
            params_cache[name] = _mechanism_parameters(h, name, False)
        s.insert(name)
        for p in params_cache[name]:
            values = [_scalar(getattr(getattr(seg, name), p)) for seg in segs]
            if None in values:
                _skipped(f"{name}.{p}")
                continue
            s.mechanisms[name][p] = np.array(values, dtype=float)


def _read_extracellular(segs, s) -> None:
    """extracellular's parameters per segment under bridge's names (bridge.solver.extracellular.DEFAULTS):
    `xraxial0`/`1`, `xg0`/`1`, `xc0`/`1` from the segment's arrays (extcelln.cpp: nlayer 2), `e_extracellular`."""
    s.insert(EXTRACELLULAR)
    values = s.mechanisms[EXTRACELLULAR]
    for key in EXT_DEFAULTS:
        if key == "e_extracellular":
            values[key] = np.array([float(seg.e_extracellular) for seg in segs], dtype=float)
        else:
            array, layer = key[:-1], int(key[-1])
            values[key] = np.array([float(getattr(seg, array)[layer]) for seg in segs], dtype=float)


def _refuse_linear_mechanisms(h) -> None:
    """A LinearMechanism in the session (`h.List("LinearMechanism")` lists every one made and not freed)."""
    count = int(h.List("LinearMechanism").count())
    if count:
        raise BridgeError(f"from_neuron: the NEURON session holds {count} LinearMechanism(s), which NEURON's Python "
                          "interface does not give back (their Matrices and Vectors), so bridge cannot read them; "
                          "build the model in HOC and load it with bridge.load_hoc, which runs LinearMechanisms")


def _read_ions(h, sec, segs, s, ion_names: list[str]) -> None:
    """The ions in the section with their e, ci and co per segment (read directly: sec.psection()
    fails on sections with a KSChan (ChannelBuilder) channel) and their ion_style (eion.cpp bitmap)."""
    for key in ion_names:
        if h.ismembrane(key, sec=sec):
            ion = key[: -len(_ION_SUFFIX)]
            s.insert(key)
            for var in (f"e{ion}", f"{ion}i", f"{ion}o"):
                s.mechanisms[key][var] = np.array([float(getattr(seg, var)) for seg in segs], dtype=float)
            style = int(h.ion_style(key, sec=sec))  # the section's style, promoted or set by ion_style()
            if style >= 0:
                s.ion_styles[ion] = style & STYLE_MASK


def _read_point_processes(h, sec, name: str, tree: SectionTree, params_cache: dict[str, list[str]]) -> None:
    """The point processes of the section with their parameters."""
    for seg in sec:  # a node lists its newest point process first: the tree keeps them in placement order
        for pp in reversed(list(seg.point_processes())):
            mech = pp.hname().split("[")[0]
            if mech not in params_cache:
                params_cache[mech] = _mechanism_parameters(h, mech, True)
            params = {}
            for p in params_cache[mech]:
                value = _scalar(getattr(pp, p))
                if value is None:
                    _skipped(f"{mech}.{p}")
                else:
                    params[p] = value
            tree.add_point_process(mech, name, float(pp.get_loc()), label=pp.hname(), **params)
            h.pop_section()


def _density_mechanisms(h) -> list[str]:
    """Names of every density mechanism NEURON knows (ions included; not its morphology and
    capacitance, which every section has)."""
    mt = h.MechanismType(0)
    name = h.ref("")
    names = []
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        if name[0] not in ("morphology", "capacitance"):
            names.append(name[0])
    return names


def _check_all_read(h, sec, density: list[str], read: set[str]) -> None:
    """A mechanism NEURON has in the section but Python's segment does not list (NEURON's
    Python layer misses e.g. some ChannelBuilder channels) is an error, never dropped."""
    missing = [m for m in density if m not in read and h.ismembrane(m, sec=sec)]
    if missing:
        raise BridgeError(f"from_neuron: {sec.name()} has {', '.join(missing)}, which NEURON's Python interface "
                          "does not list in its segments, so bridge cannot read it (a KSChan channel from the "
                          "ChannelBuilder? bridge does not support those)")


def _scalar(value) -> float | None:
    try:
        return float(value)
    except TypeError:
        return None  # an array PARAMETER (x[3]): SectionTree holds scalars per segment


def _skipped(what: str) -> None:
    # stacklevel: the caller of from_neuron
    warnings.warn(f"from_neuron: {what} is an array and is not read into the SectionTree", stacklevel=4)


def _connect_order(h, tree: SectionTree, secs, name_of) -> None:
    """Children in NEURON's sibling order, as `SectionRef.child` lists them (it depends on
    the history of connects and deletes, which a live session no longer shows)."""
    for sec in secs:
        sref = h.SectionRef(sec=sec)
        kids = [name_of(sref.child[i]) for i in range(int(sref.nchild()))]
        if kids:
            tree.set_child_order(name_of(sec), kids)
