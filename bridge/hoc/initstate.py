"""The values HOC reads after `finitialize()` / `fcurrent()`: the model initialised by bridge's solver.

NEURON users often write their own `proc init()`: set reversal potentials,
`finitialize(v)`, `fcurrent()`, then read currents (`ina(x)`, `i_hd(x)`) or
states to choose parameters (e.g. `e_pas(x) = v(x) + (ina(x) + ik(x))/g_pas(x)`
so the cell rests at v). While HOC runs nothing is simulated, so these reads
need the initialised model: `Snapshot` runs bridge's `finitialize` (v_init on
every node, ion_init, INITIAL blocks, one current evaluation, exactly as
`bridge.solver.step.finitialize`) on the tree as it is at the time of the
`finitialize()` / `fcurrent()` call, and holds every segment's v [mV], ion
variables (`ena` [mV], `nai` [mM], `ina` [mA/cm2]) and mechanism STATEs and kept
ASSIGNED variables (`m_hh`, `i_hd`) under their HOC names.

`fcurrent()` re-evaluates from the tree at the time of the call: a parameter
that an INITIAL block reads and that changed since `finitialize()` gives the
states of a fresh initialisation, not NEURON's older ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bridge.hoc import functable


@dataclass
class Snapshot:
    """Initialised values by (section name, segment index) then HOC name; filled on first use."""

    request: object  # the RunRequest of the finitialize() call (v_init [mV], celsius [degC], dt [ms], ...)
    values: dict[tuple[str, int], dict[str, float]] | None = None
    assigned: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict)

    def get(self, state, sec_name: str, j: int, name: str):
        """The value of `name` at segment j of `sec_name` (None when the initialised model has none)."""
        own = self.assigned.get((sec_name, j), {})
        if name in own:
            return own[name]
        if self.values is None:
            self.values = compute(state, self.request)
        return self.values.get((sec_name, j), {}).get(name)

    def set(self, sec_name: str, j: int, name: str, value: float) -> None:
        """HOC assigned `name` after initialisation: later reads see the assigned value."""
        self.assigned.setdefault((sec_name, j), {})[name] = value


def _mechanisms(state) -> dict:
    """Translations of the model's own .mod files for the mechanisms its tree uses (cached on `state`)."""
    from bridge.nmodl.load import builtin_mechanisms, load_mod  # the translator: only when HOC reads these

    cache = state.translations
    builtin = set(builtin_mechanisms())
    used = set(state.tree.mechanism_names())
    for name in list(used):  # the owners of the GLOBALs an EXTERNAL reads are loaded too
        if name in state.catalog and not name.endswith("_ion"):
            for ext in state.catalog.get(name).externals:
                owner = state.catalog.lookup_global(ext)
                if owner is not None:
                    used.add(owner[0])
    out = {}
    for name, path in state.catalog._files.items():
        if name not in used or name in builtin:
            continue
        if name not in cache:
            cache[name] = load_mod(path, roots=state.catalog.roots)
        out[name] = cache[name]
    return out


def model_tree(state):
    """A copy of the tree HOC built, with per-segment diameters from 3-D points (`HocSession.model`'s tree)."""
    state.sync_sections()
    tree = state.tree.copy()
    for sec in state.sections:
        if sec.points and len(sec.points) >= 2:
            tree[sec.name].diam = state.segment_diams(sec)
    tree.function_tables = functable.resolve(state.function_tables)
    return tree


def compute(state, request) -> dict[tuple[str, int], dict[str, float]]:
    """Run bridge's finitialize on the current tree with the request's settings; values per segment."""
    # JAX and the solver are loaded only when HOC reads initialised values
    from bridge.model import Model, Simulation
    from bridge.solver.step import finitialize, prepare

    tree = model_tree(state)
    model = Model(tree, mechanisms=_mechanisms(state), celsius=request.celsius, dt=request.dt,
                  v_init=request.v_init, tstop=0.0, secondorder=request.secondorder,
                  globals=dict(state.set_globals))
    sim = Simulation(model)
    plan, lay = sim.plan, sim.layout
    params = sim.params()
    prepared = prepare(plan, params, model.dt, model.secondorder)
    init = finitialize(plan, params, prepared, model.dt, model.secondorder)
    v = np.asarray(init["v"])
    node_key = {}
    out: dict[tuple[str, int], dict[str, float]] = {}
    for name in lay.section_names:
        for j, node in enumerate(lay.segment_nodes(name)):
            node_key[int(node)] = (name, j)
            out[(name, j)] = {"v": float(v[node])}
    _add_ions(plan, init, node_key, out)
    _add_mechanism_states(plan, init, node_key, out)
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
