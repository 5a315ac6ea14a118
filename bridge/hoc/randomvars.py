"""NMODL RANDOM streams as NEURON numbers them, seen from HOC.

NEURON gives every instance of a mechanism with RANDOM variables one stream per variable when it makes
the instance, `nrnran123_newstream()` (src/gnu/nrnran123.cpp): ids (1, 0, n) with n counting every
such stream the process made (nocpout.cpp: the constructor makes them in declaration order). An
`insert` makes a section's instances from its last segment to its first (measured with NEURON 9.0.2:
nseg = 3 gives id3 = 3, 2, 1); a point process makes its own when it is first placed. The streams are
the mechanism's stream parameters (`bridge.nmodl.runtime.randomvars`: `r#c0`, ... per instance).

A changed nseg keeps some instances and clones the others with new streams, as NEURON's node_realloc.
NEURON never resets a stream by itself: a run goes on from where the last one left it, so before each
finitialize() the streams of the last run become the stream parameters. Refused, because bridge would
draw other numbers than NEURON: more segments in a section where two mechanisms have RANDOM variables,
a Random123 global index other than 0 when a model with streams runs, and NMODLRandom calls after
finitialize(). Every instance drawing from scop_random shares NEURON's one value (bridge.solver.scop_shared passes
it on in NEURON's order of types and instances, with bridge.solver.plan keeping them in NEURON's order).
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.random import _chk, model_random, session_random
from bridge.hoc.values import FuncRef, Sec
from bridge.nmodl.streams import random123, randomvars, scoprandom


def _stream_values(model, r: str) -> dict[str, float]:
    state = model_random(model)
    state.streams = (state.streams + 1) & 0xFFFFFFFF
    stream = random123.new_stream(1, 0, state.streams, state.globalindex)
    return dict(zip(randomvars.fields(r), map(float, stream), strict=True))


def on_insert(model, sec, info, was_inserted: bool) -> None:
    """`insert mech` in `sec`: new streams for each segment, last segment first (nothing if already there)."""
    randoms = getattr(info, "randoms", ())
    if was_inserted:
        return
    data = sec.data
    if getattr(info, "scop_random", False):
        data.set_range(info.name, scoprandom.KEY, float(model_random(model).scop_value))
    for j in reversed(range(data.nseg)):
        x = (j + 0.5) / data.nseg
        for r in randoms:
            for key, value in _stream_values(model, r).items():
                data.set_range(info.name, key, value, x)


# NEURON's built-in mechanisms with RANDOM variables (src/nrnoc/*.mod): their instances take stream numbers even
# where bridge's own version of the mechanism has no RANDOM
NEURON_BUILTIN_RANDOMS = {"NetStim": ("ranvar",)}


def on_place(model, info, params: dict) -> None:
    """A point process placed for the first time: its streams, in declaration order, into `params`."""
    randoms = getattr(info, "randoms", ())
    for r in randoms:
        params.update(_stream_values(model, r))
    if not randoms:
        for r in NEURON_BUILTIN_RANDOMS.get(info.name, ()):
            _stream_values(model, r)  # NEURON made the stream: the next one gets the next number
    if getattr(info, "scop_random", False):
        params[scoprandom.KEY] = float(model_random(model).scop_value)


def set_nseg(model, interp, sec, nseg: int, loc) -> None:
    """`sec.nseg = n` with NEURON's streams (solve.cpp node_realloc): fewer segments keep the old instances whose
    segment holds a new centre; more segments keep old instance i at int(n * (i + 0.5) / old) and make the others
    anew (cloned, with new streams) from the first to the last. Refused: more segments in a section where two or
    more mechanisms have RANDOM variables (the order of their new streams is not reproduced)."""
    data = sec.data
    old = data.nseg
    if nseg != old:  # NEURON relocates them in another order than they were placed (scop_check_moved)
        model_random(model).scop_moved.update(id(pp) for pp in model.tree.point_processes
                                              if pp.section == sec.name and model.catalog.scop_random(pp.name))
    mechs = [m for m in data.mechanisms if not m.endswith("_ion") and m in model.catalog.names()
             and getattr(model.catalog.get(m), "randoms", ())]
    if nseg == old or not mechs:
        data.set_nseg(nseg)
        return
    if nseg > old and len(mechs) > 1:
        raise interp.refuse(f"nseg increased in {sec.name}, where {', '.join(mechs)} have RANDOM variables: the order "
                            "in which NEURON makes their new streams is not reproduced by bridge; set nseg before "
                            "insert", loc)
    keys = {m: [k for r in model.catalog.get(m).randoms for k in randomvars.fields(r)] for m in mechs}
    before = {m: {k: data.get_range(m, k, 0.0).copy() for k in keys[m]} for m in mechs}
    data.set_nseg(nseg)
    source: list[int | None] = [None] * nseg
    if nseg < old:
        source = [min(int(old * (j + 0.5) / nseg), old - 1) for j in range(nseg)]
    else:
        for i in range(old):
            source[min(int(nseg * (i + 0.5) / old), nseg - 1)] = i
    for j in range(nseg):
        x = (j + 0.5) / nseg
        for m in mechs:
            i = source[j]
            if i is not None:
                values = {k: float(before[m][k][i]) for k in keys[m]}
            else:
                values = {}
                for r in model.catalog.get(m).randoms:
                    values.update(_stream_values(model, r))
            for k, v in values.items():
                data.set_range(m, k, v, x)


def _scop_instances(model) -> list[tuple[str, str]]:
    """(mechanism, where) of every instance of a mechanism that draws from scop_random."""
    catalog, out = model.catalog, []
    for sec in model.tree:
        out += [(m, f"{m} in {sec.name}") for m in sec.mechanisms if catalog.scop_random(m) for _ in range(sec.nseg)]
    out += [(pp.name, pp.label or pp.name) for pp in model.tree.point_processes if catalog.scop_random(pp.name)]
    events = model.event_objects  # artificial cells sit in no section
    cells = list(events.cells.values()) if events is not None else []
    out += [(cell.cls, str(cell)) for cell in cells if catalog.scop_random(cell.cls)]
    return out


def _check_scop(interp, model, scop: list[tuple[str, str]], loc) -> None:
    """Several instances share NEURON's one generator (bridge.solver.scop_shared): the mechanisms' blocks run
    in NEURON's type order and each type's instances in turn in its Memb_list order (bridge.solver.plan: node
    order, newest first in a node; artificial cells in the order they were made), events in the queue's order
    (docs/events.md); refused where bridge does not know that order."""
    if len(scop) < 2:
        return
    where = f"{len(scop)} instances draw from NEURON's one scop_random generator ({', '.join(w for _, w in scop[:4])}" \
        f"{', ...' if len(scop) > 4 else ''})"
    _check_moved(interp, model, where, loc)


def _check_moved(interp, model, where: str, loc) -> None:
    """Refuse two drawing point processes in one node after an nseg change moved one of them: NEURON's
    relocation (solve.cpp node_realloc) keeps one old node's list and puts the others' in front, one at a time
    (measured: ExpSyn 0, 2 at 0.1, 1 at 0.9, 3 at 0.5, nseg 5 -> 1: the node lists 1, 0, 2, 3), an order bridge
    does not follow."""
    moved = model_random(model).scop_moved
    if not moved:
        return
    nodes: dict[tuple, list] = {}
    for pp in model.tree.point_processes:
        if model.catalog.scop_random(pp.name) and pp.section in model.tree:
            data = model.tree[pp.section]
            key = (pp.section, data.segment(pp.x)) if 0.0 < pp.x < 1.0 else (pp.section, pp.x)
            nodes.setdefault(key, []).append(pp)
    for (sec, _), pps in nodes.items():
        if len(pps) > 1 and any(id(pp) in moved for pp in pps):
            raise interp.refuse(f"{where}: {pps[0].label or pps[0].name} and {pps[1].label or pps[1].name} share a "
                                f"node of {sec}, whose nseg changed after they were placed; NEURON's order among "
                                "them (which draws first) after that change is not reproduced by bridge (set nseg "
                                "before placing them)", loc)


SCOP_KEY = scoprandom.KEY


def scop_value(interp, model, new: int | None = None) -> int:
    """The process's scop_random value as HOC's next run starts from it; `new`: a FUNCTION or PROCEDURE called from
    HOC drew or seeded (set_seed) and left it there."""
    state = model_random(model)
    live = model.live
    if not state.scop_from_hoc and live.started():
        live.flush()
        if live.state is not None:
            left = _scop_left(live.state)
            state.scop_value = state.scop_value if left is None else left
    if new is not None:
        state.scop_value, state.scop_from_hoc = new & 0xFFFFFFFF, True
    return state.scop_value


def _scop_left(state: dict) -> int | None:
    """The generator's value where the last run left it: every drawing instance keeps it, point processes and
    artificial cells (event receivers) alike (bridge.solver.scop_shared); None when nothing draws."""
    for values in state["mech"].values():
        kept = values.get(SCOP_KEY) if isinstance(values, dict) else None
        if kept is not None and getattr(kept, "size", 0):
            return int(kept[-1])
    return None


def _share_scop(model, value: int) -> None:
    """Every drawing instance starts finitialize() from the process's one generator value."""
    catalog = model.catalog
    for sec in model.tree:
        for m in sec.mechanisms:
            if catalog.scop_random(m):
                sec.set_range(m, scoprandom.KEY, float(value))
    for pp in model.tree.point_processes:
        if catalog.scop_random(pp.name):
            pp.params[scoprandom.KEY] = float(value)
    events = model.event_objects
    for cell in events.cells.values() if events is not None else ():
        if catalog.scop_random(cell.cls):
            cell.params[scoprandom.KEY] = float(value)


def check_finitialize(interp, model, loc) -> None:
    """Before finitialize(): the streams where the last run left them become the stream parameters (NEURON
    continues each stream; it never resets one by itself); what bridge would draw differently is refused."""
    state = session_random(interp)
    scop = _scop_instances(model)
    _check_scop(interp, model, scop, loc)
    _continue_streams(interp, model, state, bool(scop), loc)
    if scop:
        _share_scop(model, state.scop_value)
        model.mutations += 1
    state.scop_from_hoc = False


def _continue_streams(interp, model, state, scop: bool, loc) -> None:
    if scop and state.use_mcell_ran4:
        raise interp.refuse("use_mcell_ran4(1) with a mechanism that draws from scop_random is not supported by "
                            "bridge", loc)
    if not state.streams and not scop:
        return
    if state.globalindex != 0 and state.streams:
        raise interp.refuse(f"Random123_globalindex({state.globalindex}) with NMODL RANDOM streams is not "
                            "supported by bridge yet", loc)
    live = model.live
    if not live.started():
        return
    live.flush()
    if live.state is None:
        return
    left = _scop_left(live.state)
    if left is not None and not state.scop_from_hoc:  # NEURON's one generator goes on
        state.scop_value = left
    by_label = {pp.label: pp for pp in model.tree.point_processes}
    for inst in live.plan.mechanisms:
        names = getattr(inst.mechanism, "random_fields", ())
        if not names or inst.size == 0:
            continue
        values = {k: [float(x) for x in live.state["mech"][inst.name][k]] for k in names}
        for i in range(inst.size):
            if inst.point_processes:
                pp = by_label.get(inst.point_processes[i].label)
                if pp is not None:
                    pp.params.update({k: values[k][i] for k in names})
            else:
                sec, x = inst.labels[i]
                if sec in model.tree:
                    for k in names:
                        model.tree[sec].set_range(inst.name, k, values[k][i], x)
    model.mutations += 1


class NMODLRandom(BuiltinObject):
    """`pp.ranvar` / `sec.ranvar_mech(x)`: one instance's stream of a RANDOM variable (src/nrniv/nmodlrandom.cpp):
    `set_ids(id1, id2, id3)`, `set_seq(seq*4 + which)` (both return the object), `get_ids()` (a Vector),
    `get_seq()`, `uniform()`. Only before the first finitialize(): after it NEURON changes the running stream,
    which bridge's run does not take from HOC."""

    cls = "NMODLRandom"

    def __init__(self, interp, r: str, read, write, where: str):
        super().__init__(interp)
        self.r, self._read, self._write, self.where = r, read, write, where

    def _stream(self, interp, loc) -> tuple:
        if interp.model.initialized is not None:
            raise interp.refuse(f"{self.where}: using an NMODL RANDOM stream from HOC after finitialize() is not "
                                "supported by bridge (set ids and sequences before it)", loc)
        return tuple(int(self._read(k)) for k in randomvars.fields(self.r))

    def _store(self, interp, stream) -> None:
        interp.model.mutations += 1
        for k, value in zip(randomvars.fields(self.r), stream, strict=True):
            self._write(k, float(value))

    def m_set_ids(self, interp, args, loc):
        s = self._stream(interp, loc)
        ids = [int(_chk(interp, args, i, 0, 4294967295.0, loc, "NMODLRandom.set_ids")) for i in range(3)]
        self._store(interp, random123.setids(s, *ids))
        return self

    def m_set_seq(self, interp, args, loc):
        s = self._stream(interp, loc)
        x = number_arg(interp, args, 0, loc, "NMODLRandom.set_seq")
        self._store(interp, random123.setseq4which(s, x, session_random(interp).globalindex))
        return self

    def m_get_seq(self, interp, args, loc):
        seq, which = random123.getseq(self._stream(interp, loc))
        return float(seq) * 4.0 + float(which)

    def m_get_ids(self, interp, args, loc):
        from bridge.hoc.vector import Vector

        vec = Vector(interp, [], loc)
        vec.data = [float(x) for x in random123.getids(self._stream(interp, loc))]
        return vec

    def m_uniform(self, interp, args, loc):
        x, s = random123.uniform(self._stream(interp, loc), session_random(interp).globalindex)
        self._store(interp, s)
        return x


def point_random(interp, pp_obj, r: str, loc) -> NMODLRandom:
    """`pp.r` of a point process with RANDOM r."""
    if pp_obj.pp is None:
        raise interp.error(f"{pp_obj}.{r}: the point process has no location", loc)
    params = pp_obj.pp.params
    return NMODLRandom(interp, r, params.__getitem__, params.__setitem__, f"{pp_obj}.{r}")


def density_random_ref(interp, node) -> FuncRef | None:
    """`sec.r_mech(x)` (or `r_mech(x)` in the current section): the NMODLRandom of RANDOM r of density mechanism
    mech at x; None when the call names no RANDOM variable."""
    func = node.func
    name = func.name if isinstance(func, (ast.Name, ast.Member)) else None
    if not name or "_" not in name or len(node.args) != 1:
        return None
    catalog = interp.model.catalog
    r, _, mech = name.partition("_")
    while mech:
        if mech in catalog.names() and r in getattr(catalog.get(mech), "randoms", ()):
            break
        more, _, mech = mech.partition("_")
        r = f"{r}_{more}"
    if not mech:
        return None
    if isinstance(func, ast.Member):
        sec = interp.eval(func.target)
        if not isinstance(sec, Sec):
            return None
    else:
        sec = interp.model.current(interp, node.loc)
    x = interp.number(node.args[0])
    if mech not in sec.data.mechanisms:
        raise interp.error(f"{name}: mechanism {mech} is not inserted in {sec.name}", node.loc)
    data, j = sec.data, sec.data.segment(x)
    defaults = dict(zip(randomvars.fields(r), randomvars.default_stream().values(), strict=True))
    obj = NMODLRandom(interp, r, lambda k: data.get_range(mech, k, defaults[k])[j],
                      lambda k, v: data.set_range(mech, k, v, x), f"{sec.name}.{name}({x:g})")

    def assign(v):
        raise interp.error(f"{name} is a RANDOM variable; it cannot be assigned", node.loc)
    return FuncRef(lambda: obj, assign)
