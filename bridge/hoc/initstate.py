"""Reading a solver state the way HOC names it, and the tree and mechanisms HOC built.

NEURON users often write their own `proc init()`: set reversal potentials,
`finitialize(v)`, `fcurrent()`, then read currents (`ina(x)`, `i_hd(x)`) or
states to choose parameters (e.g. `e_pas(x) = v(x) + (ina(x) + ik(x))/g_pas(x)`
so the cell rests at v), and after `run()` they read v, states and concentrations.
The session's live run (`bridge.hoc.live`) holds the solver state; `state_values`
lays it out per segment: v [mV], ion variables (`ena` [mV], `nai` [mM], `ina`
[mA/cm2]) and mechanism STATEs and kept ASSIGNED variables (`m_hh`, `i_hd`) under
their HOC names. `model_tree` and `mechanisms_of` give what the run simulates.
"""

from __future__ import annotations

import numpy as np

from bridge.hoc import call_memory, functable, ion_carry
from bridge.solver.extracellular import E_KEY


def mechanisms_of(state, tree=None, runtime: dict | None = None) -> dict:
    """Translations of the model's own .mod files for the mechanisms its tree (or `tree`) uses (cached on
    `state`), then the runtime-defined ones (`runtime`: those taken when the model was frozen; default: now)."""
    from bridge.nmodl.load import builtin_mechanisms, load_mod  # the translator: only when HOC reads these

    cache = state.translations
    builtin = set(builtin_mechanisms())
    used = used_mechanisms(state, tree)
    out = {}
    for name, path in state.catalog._files.items():
        if name not in used or name in builtin:
            continue
        if name not in cache:
            cache[name] = load_mod(path, roots=state.catalog.roots)
        out[name] = cache[name]
    out.update(state.catalog.runtime_mechanisms(used) if runtime is None else runtime)  # KSChans: after the
    # compiled ones, as NEURON
    return out


def used_mechanisms(state, tree=None) -> set[str]:
    """The names of the mechanisms the model's tree (or `tree`) and network use, with the owners of the
    GLOBALs their EXTERNALs read (NEURON loads every compiled file; these are the ones a run reads)."""
    used = set((state.tree if tree is None else tree).mechanism_names())
    events = state.event_objects  # the network's artificial cells have no place in the tree
    if events is not None:
        used |= {cell.cls for cell in list(events.cells.values())}
    for name in list(used):  # the owners of the GLOBALs an EXTERNAL reads are loaded too
        if name in state.catalog and not name.endswith("_ion"):
            for ext in state.catalog.get(name).externals:
                owner = state.catalog.lookup_global(ext)
                if owner is not None:
                    used.add(owner[0])
    return used


def mechanism_globals(state, tree=None) -> dict[str, float]:
    """The globals HOC set that the run reads: a GLOBAL of a compiled mechanism the model does not use
    changes nothing in NEURON (`usetable_naf = 0` in a folder whose chosen cell has no naf), so it is left
    out of the run's settings."""
    used = used_mechanisms(state, tree)
    out = {}
    for name, value in state.set_globals.items():
        owner = state.catalog.lookup_global(name)
        if owner is not None and owner[0] in state.catalog._files and owner[0] not in used:
            continue
        out[name] = value
    return out


def model_tree(state):
    """A copy of the tree HOC built, with per-segment diameters from 3-D points (`HocSession.model`'s tree)."""
    state.sync_sections()
    tree = state.tree.copy()
    for sec in state.sections:
        if sec.points and len(sec.points) >= 2:
            tree[sec.name].diam = state.segment_diams(sec)
    tree.function_tables = functable.resolve(state.function_tables)
    tree.mechanism_memory = call_memory.starts(state)  # what HOC's calls left in file LOCALs and GLOBAL arrays
    ion_carry.apply(state, tree)
    return tree


def state_values(plan, state: dict) -> dict[tuple[str, int], dict[str, float]]:
    """Every segment's v [mV], ion variables and density mechanism STATEs / kept ASSIGNED variables in a
    solver state, by (section name, segment index) then HOC name."""
    v = np.asarray(state["v"])
    lay = plan.layout
    node_key = {}
    out: dict[tuple[str, int], dict[str, float]] = {}
    for name in lay.section_names:
        for j, node in enumerate(lay.segment_nodes(name)):
            node_key[int(node)] = (name, j)
            out[(name, j)] = {"v": float(v[node])}
    _add_ions(plan, state, node_key, out)
    _add_mechanism_states(plan, state, node_key, out)
    if "ext" in state:  # NEURON's extracellular: vext[k] and i_membrane (bridge.hoc.extracellular's keys)
        ext = {k: np.asarray(a) for k, a in state["ext"].items()}
        for node, key in node_key.items():
            if plan.extracellular.has[node]:
                out[key].update({"vext0_extracellular": float(ext["vext"][0, node]),
                                 "vext1_extracellular": float(ext["vext"][1, node]),
                                 "i_membrane_extracellular": float(ext["i_membrane"][node])})
    if E_KEY in state["mech"]:  # e_extracellular as POINTERs wrote it (solver.pointer_writes)
        e = np.asarray(state["mech"][E_KEY]["e"])
        for node, key in node_key.items():
            if plan.extracellular.has[node]:
                out[key]["e_extracellular_extracellular"] = float(e[node])
    return out


def _add_ions(plan, init, node_key: dict, out: dict) -> None:
    """Each ion's e [mV], ci and co [mM] and current [mA/cm2] where the ion is, under their HOC names."""
    from bridge.mechanisms import ions as ionlib

    for style in plan.ions:
        names = ionlib.variable_names(style.ion)
        values = init["ions"][style.ion]
        for node, key in node_key.items():
            if not style.present[node]:
                continue
            for k in (names["e"], names["ci"], names["co"], names["cur"]):
                out[key][k] = float(np.asarray(values[k])[node])


def _add_mechanism_states(plan, init, node_key: dict, out: dict) -> None:
    """Each density mechanism's STATEs and kept ASSIGNED variables per segment, as `name_mech`."""
    for inst in plan.mechanisms:
        if inst.mechanism.kind != "density" or inst.size == 0:
            continue
        st = {k: np.asarray(a) for k, a in init["mech"][inst.name].items()}
        for i, node in enumerate(np.asarray(inst.nodes)):
            key = node_key.get(int(node))
            if key is None:
                continue
            for k, a in st.items():
                if a.ndim == 1:
                    out[key][f"{k}_{inst.name}"] = float(a[i])
