"""HOC's NetCon and ARTIFICIAL_CELLs (`new NetStim()`): objects that build a `bridge.solver.network.Network`.

As NEURON 9.0.2 (src/nrncvode/netcvode.cpp `cons`, `NetCvode::install_deliver`, `steer_val`, `nc_record`):
- `new NetCon(&sec.v(x), target[, threshold, delay, weight])`, `new NetCon(artcell, target, ...)`,
  `new NetCon(source, nil)` (a spike detector) and `new NetCon(nil, target)`; three to five arguments
  give all three numbers (NEURON reads arguments 3, 4 and 5 together).
- NetCons from the same place share one source (NEURON's PreSyn, keyed by the pointer: v of one
  segment, or the artificial cell): its `threshold` (10 mV for a new one; the argument, when given,
  sets it) and its spike record (`record(vec)`, `record(tvec, idvec[, id])`).
- `weight` has as many elements as the target's NET_RECEIVE arguments (`pnt_receive_size`; 1 with
  no target); `delay` [ms] defaults to 1, weight to 0.
- A NetCon holds no reference to its source or target: a point process HOC dropped leaves it
  (`bridge.hoc.lifetimes`), and so does an artificial cell (with Python's reference count, as every
  built-in object); a NetCon HOC dropped is gone (built-in objects die with their last reference).

`network(events, tree)` turns what is alive into a `Network` (creation order kept), with its list of
recorded sources (`Recorded`) so the spike times can be handed back to HOC's Vectors
(`bridge.hoc.spike_records`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import BridgeError
from bridge.hoc import artcell_values, spike_records
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, RangeTarget, StrVar, is_number
from bridge.solver.network import ArtificialCell, NetCon, Network

DEFAULT_THRESHOLD = 10.0  # [mV] a new PreSyn's (netcvode.cpp PreSyn::PreSyn)
NO_THRESHOLD = -1e9  # NEURON's sentinel: keep the PreSyn's threshold


class PreSyn:
    """A spike source shared by the NetCons from one place: threshold [mV] and spike record Vectors."""

    def __init__(self, kind: str, where: Any, label: str) -> None:
        self.kind = kind  # "v" (where: (Sec, x)), "cell"/"point" (where: a weakref to the object), "gid"
        self.where = where
        self.label = label
        self.threshold = DEFAULT_THRESHOLD
        self.records: list[tuple[Any, Any, float]] = []  # (tvec, idvec or None, id)
        self.statement: tuple[str, Any] | None = None  # NetCon.record("stmt"): (text, object); hoc.record_stmt
        self.gid: int | None = None
        self.seq = 0  # creation order (NEURON's psl_)

    def alive(self) -> bool:
        if self.kind == "cell":
            return self.where() is not None
        if self.kind == "point":
            obj = self.where()
            return obj is not None and obj.pp is not None
        if self.kind == "v":
            return bool(self.where[0].alive)
        return True


@dataclass
class EventObjects:
    """The session's NetCons, artificial cells, sources and ParallelContext gids (the network as HOC built it)."""

    netcons: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    cells: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    presyns: dict = field(default_factory=dict)  # ("v", id(sec), segment) -> PreSyn
    gids: dict = field(default_factory=dict)  # gid -> PreSyn or None (set_gid2node without cell)
    gid_inputs: dict = field(default_factory=dict)  # gid -> PreSyn of a gid that is not owned (never fires)
    all_records: list = field(default_factory=list)  # pc.spike_record(-1, tvec, idvec)
    counter: int = 0
    timeout: int = 20  # ParallelContext.timeout's one value (netpar.cpp `timeout_`; bridge.hoc.parallel)

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def any(self) -> bool:
        return bool(len(self.netcons) or self.gids or self.all_records)


def events_of(model) -> EventObjects:
    """The ModelState's event objects (made on first use)."""
    ev = getattr(model, "event_objects", None)
    if ev is None:
        ev = model.event_objects = EventObjects()
    return ev


class ArtificialCellObject(BuiltinObject):
    """`new NetStim()`: an ARTIFICIAL_CELL instance (no section); its RANGE parameters by name."""

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        self.info = interp.model.point_process_kind(name)
        self.params: dict[str, float] = {}
        self.preinit: dict[str, float] = {}  # STATEs/ASSIGNEDs INITIAL sets that HOC set: read back, not given
        self.presyn: PreSyn | None = None
        self.played = None  # a VecStim's Vector (m_play)
        ev = events_of(interp.model)
        self.seq = ev.next()
        ev.cells[self.seq] = self
        interp.model.mutations += 1

    def hoc_ref(self, interp, name, indices, loc):
        if name not in self.info.range_names:
            return super().hoc_ref(interp, name, indices, loc)
        if indices:
            raise interp.error(f"{self.cls}.{name} is not an array", loc)
        return FuncRef(lambda: self._read(interp, name, loc), lambda v: self._assign(interp, name, v, loc))

    def _plain_parameter(self, name: str, model) -> bool:
        """A PARAMETER HOC's side holds: before any finitialize(), or one the mechanism's code never assigns (an
        assigned one lives in the run's state after finitialize(), as in NEURON's instance data)."""
        return name in self.info.parameters and (model.initialized is None
                                                 or name not in self.info.assigned_parameters)

    def _read(self, interp, name, loc) -> float:
        model = interp.model
        if self._plain_parameter(name, model):
            return self.params.get(name, self.info.parameters[name])
        if model.initialized is not None:  # a STATE, ASSIGNED or a PARAMETER its code assigns: the live run's value now
            # (bridge.hoc.artcell_values), as NEURON reads the instance's data
            try:
                found = artcell_values.read(model.live, str(self), self.cls, name)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if found is not None:
                return found
            if name in self.info.parameters:  # the run keeps it as a parameter (no block changes it in a step)
                return self.params.get(name, self.info.parameters[name])
            raise interp.refuse(f"{self}.{name} is computed by the run, but bridge's run has no value for it "
                                "(the cell is not in the run, or the variable is not kept)", loc)
        return self.preinit.get(name, self.params.get(name, 0.0))  # what HOC set, or NEURON's 0

    def _assign(self, interp, name, v, loc) -> None:
        if not is_number(v):
            raise interp.error(f"{self.cls}.{name} must be a number", loc)
        model = interp.model
        model.mutations += 1
        if self._plain_parameter(name, model):
            self.params[name] = float(v)
            return
        if model.initialized is not None:  # NEURON's next NET_RECEIVE sees it: into the live run
            try:
                done = artcell_values.assign(model.live, str(self), self.cls, name, float(v))
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if not done and name not in self.info.parameters:  # (a PARAMETER the run does not keep: a parameter)
                raise interp.refuse(f"{self}.{name} = ...: bridge's run has no value for it to assign (the cell is "
                                    "not in the run, or the variable is not kept)", loc)
            if name in self.info.recomputed:  # a run from finitialize() again would not have it
                model.after_init.append(f"{self}.{name} = ... at {loc}")
        if name in self.info.parameters:  # a PARAMETER its code assigns (a NET_RECEIVE's counter): the run's too
            self.params[name] = float(v)
        elif name in self.info.recomputed:  # finitialize() overwrites it: kept for HOC to read back
            self.preinit[name] = float(v)
        else:  # an ASSIGNED no code assigns first: the value INITIAL starts from (solver.plan.assigned_starts)
            self.params[name] = float(v)

    def m_has_loc(self, interp, args, loc):
        return 0.0

    def m_get_loc(self, interp, args, loc):
        """As NEURON's point_process get_loc (nrn/src/nrnoc/point.cpp) for an ARTIFICIAL_CELL: an error."""
        raise interp.error("ARTIFICIAL_CELLs are not located in a section", loc)

    def m_play(self, interp, args, loc):
        """`vs.play(vec)` of bridge's VecStim (NEURON's vecevent.mod): the cell fires at the Vector's times,
        read when the run starts (as vecevent.mod reads its Vector during the run); `vs.play()` forgets them."""
        from bridge.hoc.vector import Vector
        from bridge.nmodl.load import BUILTIN_DIR

        path = getattr(self.info, "path", None)
        if self.cls != "VecStim" or path is None or path.resolve().parent != BUILTIN_DIR.resolve():
            raise interp.refuse(f"{self.cls}.play() is not supported by bridge (only bridge's own VecStim)", loc)
        if len(args) > 1 or (args and not isinstance(args[0], Vector)):
            raise interp.error("VecStim.play(vec) takes one Vector (or none)", loc)
        self.played = args[0] if args else None
        interp.model.mutations += 1
        return 0.0


# NEURON 9.0.2's point-process index of its built-in point processes (ctemplate->is_point_; measured with
# StringFunctions.is_point_process in NEURON 9.0.2): what is_point_process returns, and is_artificial for the
# ARTIFICIAL_CELLs (src/ivoc/strfun.cpp l_is_point, l_is_artificial). A model's own point processes come after
# them in nrnivmodl's order, which bridge does not number.
NEURON_POINT_INDEX = {"IClamp": 1, "AlphaSynapse": 2, "ExpSyn": 3, "Exp2Syn": 4, "SEClamp": 5, "VClamp": 6,
                      "OClamp": 7, "APCount": 8, "NetStim": 9, "IntFire1": 10, "IntFire2": 11, "IntFire4": 12,
                      "PointProcessMark": 13, "PatternStim": 14}


def point_index(interp, obj, loc, artificial: bool) -> float:
    """`StringFunctions.is_point_process(obj)` / `is_artificial(obj)`: 0 for other objects (and for point
    processes that are not artificial cells, with `artificial`), else NEURON's point-process index."""
    if obj is None or not (_is_point(obj) or isinstance(obj, ArtificialCellObject)):
        return 0.0
    if artificial and not isinstance(obj, ArtificialCellObject):
        return 0.0
    from bridge.nmodl.load import BUILTIN_DIR

    path = getattr(obj.info, "path", None)
    builtin = path is not None and path.resolve().parent == BUILTIN_DIR.resolve()
    if obj.cls in NEURON_POINT_INDEX and builtin:
        return float(NEURON_POINT_INDEX[obj.cls])
    raise interp.refuse(f"StringFunctions.is_{'artificial' if artificial else 'point_process'}({obj}): NEURON's "
                        "index of a model's own point process is not known to bridge", loc)


def _is_point(obj) -> bool:
    from bridge.hoc.point_process import PointProcessObject

    return isinstance(obj, PointProcessObject)


def _ref(obj):
    return None if obj is None else weakref.ref(obj)


def _presyn_of(interp, src, loc) -> PreSyn | None:
    """The shared source of `new NetCon(src, ...)` (install_deliver), made on first use."""
    ev = events_of(interp.model)
    if src is None:
        return None
    if isinstance(src, ArtificialCellObject):
        if src.presyn is None:
            src.presyn = PreSyn("cell", weakref.ref(src), str(src))
            src.presyn.seq = ev.next()
        return src.presyn
    if _is_point(src):  # fires through net_event in its NET_RECEIVE (bridge.solver.events refuses one without)
        if src.pp is None:
            raise interp.error(f"new NetCon({src}, ...): {src} has no location", loc)
        ps = getattr(src, "presyn", None)
        if ps is None:
            ps = PreSyn("point", weakref.ref(src), str(src))
            ps.seq = ev.next()
            src.presyn = ps
        return ps
    what = getattr(src, "what", None)
    if not isinstance(what, RangeTarget):
        raise interp.error("NetCon: the source must be &section.v(x), an ARTIFICIAL_CELL or nil", loc)
    name = getattr(what.var, "name", "")
    if name != "v":
        raise interp.refuse(f"new NetCon(&{what.sec.name}.{name}({what.x:g}), ...): a threshold on a variable "
                            "other than v is not supported", loc)
    sec = what.sec
    seg = sec.data.segment(float(what.x)) if 0.0 < float(what.x) < 1.0 else (-1 if float(what.x) == 0.0 else -2)
    key = ("v", id(sec), seg)
    ps = ev.presyns.get(key)
    if ps is None or ps.where[0] is not sec:
        ps = PreSyn("v", (sec, float(what.x)), f"{sec.name}({float(what.x):g}).v")
        ps.seq = ev.next()
        ev.presyns[key] = ps
    return ps


def receive_size(target) -> int:
    """NEURON's `pnt_receive_size`: the target's NET_RECEIVE arguments (1 with no target)."""
    return max(1, int(getattr(target.info, "net_receive_args", 1))) if target is not None else 1


class NetConObject(BuiltinObject):
    """`new NetCon(source, target[, threshold, delay, weight])` (netcvode.cpp `cons`)."""

    cls = "NetCon"

    def __init__(self, interp, args, loc, presyn: PreSyn | None = None, target=None):
        super().__init__(interp)
        model = interp.model
        if presyn is None and target is None:  # from HOC; ParallelContext.gid_connect passes both
            if len(args) < 2:
                raise interp.error("NetCon needs a source and a target (nil for none)", loc)
            src, target = args[0], args[1]
            if target is not None and not (_is_point(target) or isinstance(target, ArtificialCellObject)):
                raise interp.error("NetCon: arg 2 must be a point process or nil", loc)
            presyn = _presyn_of(interp, src, loc)
            if presyn is None and target is None:
                raise interp.error("NetCon: the source and the target cannot both be nil", loc)
            threshold, delay, weight = NO_THRESHOLD, 1.0, 0.0
            if len(args) > 2:
                if len(args) != 5 or not all(is_number(a) for a in args[2:]):
                    raise interp.error("NetCon(source, target, threshold, delay, weight): give all three numbers", loc)
                threshold, delay, weight = (float(a) for a in args[2:5])
                if not 0.0 <= delay <= 1e15:
                    raise interp.error(f"NetCon: delay {delay:g} is outside [0, 1e15]", loc)
            if presyn is not None and threshold != NO_THRESHOLD:
                presyn.threshold = threshold
        else:
            delay, weight = 1.0, 0.0
        if target is not None and not getattr(target.info, "net_receive", True):
            raise interp.error(f"NetCon: {target} has no NET_RECEIVE block (it cannot receive events)", loc)
        self.presyn = presyn
        self._target = _ref(target)
        self.had_target = target is not None
        self.weight = [weight] + [0.0] * (receive_size(target) - 1)
        self.delay = delay
        self.active = True
        ev = events_of(model)
        self.seq = ev.next()
        ev.netcons[self.seq] = self
        model.mutations += 1

    @property
    def target(self):
        t = self._target() if self._target is not None else None
        if t is not None and _is_point(t) and t.pp is None:
            return None  # a point process HOC dropped: its NetCons lost their target (ObjObservable::Detach)
        return t

    # -- members -----------------------------------------------------------------------
    def hoc_ref(self, interp, name, indices, loc):
        if name == "weight":
            k = int(indices[0]) if indices else 0
            if indices and (len(indices) != 1 or not is_number(indices[0])):
                raise interp.error("NetCon.weight takes one index", loc)
            if not 0 <= k < len(self.weight):
                raise interp.error(f"NetCon.weight[{k}]: subscript out of range (size {len(self.weight)})", loc)
            return FuncRef(lambda: self._weight(interp, k, loc), lambda v: self._set_weight(interp, k, v, loc))
        if indices:
            raise interp.error(f"NetCon.{name} is not an array", loc)
        if name == "delay":
            self._source(interp, loc)
            return FuncRef(lambda: self.delay, lambda v: self._set_delay(interp, v, loc))
        if name == "threshold":
            ps = self._source(interp, loc)
            return FuncRef(lambda: ps.threshold, lambda v: self._set_threshold(interp, ps, v, loc))
        if name == "x":
            raise interp.refuse("NetCon.x (the source variable's value) is not supported", loc)
        return super().hoc_ref(interp, name, indices, loc)

    def _source(self, interp, loc) -> PreSyn:
        if self.presyn is None:
            raise interp.error(f"{self} has no source", loc)  # NetCon::chksrc
        return self.presyn

    def _number(self, interp, v, loc) -> float:
        if not is_number(v):
            raise interp.error("NetCon: a number is needed", loc)
        return float(v)

    def _weight(self, interp, k: int, loc) -> float:
        """`nc.weight[k]`: after finitialize() NEURON's weight_ array is NET_RECEIVE's argument array (its
        INITIAL, or the zeroing of the arguments after the first, and what NET_RECEIVE assigns): the live run's."""
        live = interp.model.live
        if interp.model.initialized is not None and live.started():
            from bridge.errors import BridgeError

            try:
                row = live.netcon_args(str(self))
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if row is not None:
                return float(row[k])
        return self.weight[k]

    def _set_weight(self, interp, k, v, loc) -> None:
        self.weight[k] = self._number(interp, v, loc)
        interp.model.mutations += 1

    def _set_delay(self, interp, v, loc) -> None:
        d = self._number(interp, v, loc)
        if not d >= 0:
            raise interp.error(f"NetCon.delay must be >= 0, got {d:g}", loc)
        self.delay = d
        interp.model.mutations += 1

    def _set_threshold(self, interp, ps, v, loc) -> None:
        ps.threshold = self._number(interp, v, loc)
        interp.model.mutations += 1

    # -- methods -----------------------------------------------------------------------
    def m_active(self, interp, args, loc):
        was = self.active
        if args and self.target is not None:
            self.active = bool(self._number(interp, args[0], loc))
            interp.model.mutations += 1
        return float(was)

    def m_valid(self, interp, args, loc):
        return float(self.presyn is not None and self.presyn.alive() and self.target is not None)

    def m_wcnt(self, interp, args, loc):
        return float(len(self.weight))

    def m_srcgid(self, interp, args, loc):
        return float(self.presyn.gid) if self.presyn is not None and self.presyn.gid is not None else -1.0

    def m_pre(self, interp, args, loc):
        if self.presyn is not None and self.presyn.kind == "cell":
            return self.presyn.where()
        return None

    def m_syn(self, interp, args, loc):
        return self.target

    def m_record(self, interp, args, loc):
        from bridge.hoc.vector import Vector

        ps = self._source(interp, loc)
        if not args:
            ps.records = []  # PreSyn::record(nullptr): the Vector only; a statement stays
            return 0.0
        if len(args) == 1 and isinstance(args[0], (str, StrVar)):  # PreSyn::record_stmt (bridge.hoc.record_stmt)
            text = str(args[0].value if isinstance(args[0], StrVar) else args[0])
            if len(text) > 250:  # HocCommand::execute formats "{%s}\n" into char buf[256]
                raise interp.refuse(f"NetCon.record(stmt) with a statement of {len(text)} characters (NEURON "
                                    "formats it into 256 bytes: HocCommand::execute)", loc)
            ps.statement = (text, interp.frame.obj) if text else None  # run in this object (HocCommand)
            interp.model.mutations += 1
            return 0.0
        if not isinstance(args[0], Vector) or (len(args) > 1 and not isinstance(args[1], Vector)):
            raise interp.refuse("NetCon.record(...) with a Python callable or a non-Vector argument is not "
                                "supported", loc)
        idvec = args[1] if len(args) > 1 else None
        rid = float(args[2]) if len(args) > 2 else float(self.index)
        ps.records = [(args[0], idvec, rid)]  # PreSyn::record replaces what it recorded into
        spike_records.mark_spike_vectors(interp, [args[0]] + ([idvec] if idvec is not None else []))
        interp.model.mutations += 1
        return 0.0

    def m_event(self, interp, args, loc):
        """`nc.event(td[, flag])` (netcvode.cpp `nc_event`; bridge.hoc.netcon_event): returns `active()`."""
        from bridge.errors import BridgeError
        from bridge.hoc.netcon_event import queue_event

        if not args or len(args) > 2 or not all(is_number(a) for a in args):
            raise interp.error("NetCon.event(t[, flag]) takes one or two numbers", loc)
        if not self.active:
            return 0.0
        target = self.target
        if target is None:
            raise interp.error(f"{self} has no target", loc)  # NetCon::chktar
        if len(args) == 2 and not isinstance(target, ArtificialCellObject):
            raise interp.error("Can only send fake self-events to ARTIFICIAL_CELLs", loc)
        if interp.model.initialized is None or not interp.model.live.started():
            raise interp.refuse(f"{self}.event() before finitialize() (NEURON's finitialize clears the queue)", loc)
        try:
            queue_event(interp.model.live, str(self), float(args[0]), float(args[1]) if len(args) == 2 else None)
        except BridgeError as err:
            raise interp.refuse(str(err), loc) from None
        return 1.0

    def m_setpost(self, interp, args, loc):
        raise interp.refuse("NetCon.setpost() is not supported", loc)


# -- the Network --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recorded:
    """A recorded source's row in `Traces.spikes`, with the HOC Vectors (tvec, idvec, id) it fills."""

    row: int
    label: str
    records: tuple
    gid: int | None = None
    shift: float = 0.0  # [ms] added to the recorded times (an APCount's: bridge.hoc.apcount)
    compared: bool = True  # whether `bridge validate` compares it (a NetCon source) or not (an APCount's record)


def network(events: EventObjects | None, state) -> tuple[Network | None, tuple[Recorded, ...]]:
    """The live NetCons and artificial cells as a `Network` (None when there are none), and the recorded
    sources in the order of their rows in `Traces.spikes`."""
    if events is None or not events.any():
        return None, ()
    pps = state.tree.point_processes
    pp_index = {id(pp): i for i, pp in enumerate(pps)}
    ncs = [events.netcons[k] for k in sorted(events.netcons.keys())]
    ncs = [nc for nc in ncs if nc is not None and (nc.presyn is None or nc.presyn.alive())]
    cells = [c for _, c in sorted(events.cells.items())]
    cell_pos = {id(c): i for i, c in enumerate(cells)}
    out = []
    sources: dict[int, int] = {}  # id(presyn) -> first NetCon index
    for nc in ncs:
        src = _end_of_source(nc.presyn, cell_pos, pp_index)
        if nc.presyn is not None and src is None:
            continue  # an input gid that no cell owns: never fires (one process)
        target = nc.target
        if nc.had_target and target is None:
            continue  # its target point process is gone
        tgt = None
        if target is not None:
            tgt = ("cell", cell_pos[id(target)]) if isinstance(target, ArtificialCellObject) else \
                ("point", pp_index[id(target.pp)])
        thr = nc.presyn.threshold if nc.presyn is not None else DEFAULT_THRESHOLD
        if nc.presyn is not None:
            sources.setdefault(id(nc.presyn), len(out))
        out.append(NetCon(src, tgt, tuple(nc.weight), nc.delay, thr, nc.active, False, str(nc)))
    recorded_ps = _recorded_presyns(events, ncs)
    rows: list[Recorded] = []
    for ps in recorded_ps:
        src = _end_of_source(ps, cell_pos, pp_index)
        if src is None:
            continue
        k = sources.get(id(ps))
        if k is None:  # every NetCon of it is gone, its record is not (NEURON keeps the PreSyn)
            out.append(NetCon(src, None, (0.0,), 1.0, ps.threshold, True, True, f"record of {ps.label}"))
            sources[id(ps)] = len(out) - 1
        else:
            first = out[k]
            out[k] = NetCon(first.source, first.target, first.weight, first.delay, first.threshold, first.active,
                            True, first.label)
    order = sorted(recorded_ps, key=lambda ps: sources.get(id(ps), 1 << 30))
    for row, ps in enumerate(p for p in order if id(p) in sources):
        rows.append(Recorded(row, ps.label, tuple(ps.records), ps.gid, getattr(ps, "time_shift", 0.0),
                             not hasattr(ps, "time_shift") and bool(ps.records or ps.gid is not None)))
    arts = tuple(ArtificialCell(c.cls, {**c.params, **_played(c)}, str(c)) for c in cells)
    return Network(arts, tuple(out)), tuple(rows)


def _played(cell: ArtificialCellObject) -> dict:
    """A VecStim's times from its played Vector (none: it never fires), as `vecstim_cell` gives them."""
    if cell.cls != "VecStim":
        return {}
    from bridge.solver.vecstim import vecstim_cell

    vec = getattr(cell, "played", None)
    return dict(vecstim_cell(() if vec is None else [float(x) for x in vec.data]).params)


def _end_of_source(ps: PreSyn | None, cell_pos: dict, pp_index: dict):
    if ps is None:
        return None
    end = getattr(ps, "end_of_source", None)  # an APCount's record (bridge.hoc.apcount)
    if end is not None:
        return end(pp_index)
    if ps.kind == "cell":
        obj = ps.where()
        return None if obj is None else ("cell", cell_pos[id(obj)])
    if ps.kind == "v":
        sec, x = ps.where
        return ("v", sec.name, x)
    if ps.kind == "point":
        obj = ps.where()
        if obj is None or obj.pp is None or id(obj.pp) not in pp_index:
            return None
        return ("point", pp_index[id(obj.pp)])
    return None


def _recorded_presyns(events: EventObjects, ncs) -> list[PreSyn]:
    found: dict[int, PreSyn] = {}
    for nc in ncs:
        if nc.presyn is not None and (nc.presyn.records or nc.presyn.statement):
            found.setdefault(id(nc.presyn), nc.presyn)
    for ps in list(events.presyns.values()) + [c.presyn for c in events.cells.values() if c.presyn is not None]:
        if (ps.records or ps.statement) and ps.alive():
            found.setdefault(id(ps), ps)
    for ps in events.gids.values():
        if ps is not None and (ps.records or events.all_records):
            found.setdefault(id(ps), ps)
    return sorted(found.values(), key=lambda p: p.seq)
