"""Point processes made from HOC: `new IClamp(0.5)` and every POINT_PROCESS of the mechanism folder.

The object places a `bridge.morphology.tree.PointProcess` in the model's tree and reads and
assigns its parameters by name (`stim.amp = 0.1`).
"""

from __future__ import annotations

from bridge.errors import BridgeError
from bridge.hoc import functable, nmodl_calls, randomvars
from bridge.hoc.ion_styles import promote_section
from bridge.hoc.nseg_points import keep_promotion
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.ref_drops import note
from bridge.hoc.values import FuncRef, PointProcessTarget, Sec, Segment, is_number

# bridge's built-in mechanisms that stand for NEURON's array PARAMETERs with one scalar per element:
# VClamp's dur[3] and amp[3] are dur0..dur2 and amp0..amp2 in bridge/mechanisms/builtin/vclmp.mod
ARRAY_PARAMETERS = {"VClamp": {"dur": 3, "amp": 3}}
ARRAY_ELEMENTS = {cls: {f"{name}{k}" for name, n in arrays.items() for k in range(n)}
                  for cls, arrays in ARRAY_PARAMETERS.items()}


def _element(interp, cls: str, name: str, size: int, indices, loc) -> str:
    """The scalar that stands for `cls.name[k]`."""
    if len(indices or ()) != 1 or not is_number(indices[0]):
        raise interp.error(f"{cls}.{name} is an array of {size}: give one index", loc)
    k = int(indices[0])
    if not 0 <= k < size:
        raise interp.error(f"{cls}.{name}[{indices[0]:g}]: subscript out of range (0 to {size - 1})", loc)
    return f"{name}{k}"


def _ions_in_section(model, sec: Sec, ions) -> None:
    """A point process placed for the first time needs its ions at its node: one the section lacks is inserted
    in the whole section (treeset.cpp `need_memb` with `nrn_pnt_sec_for_need_`, `mech_insert1`), so every
    segment of it has the ion's variables (`soma(0.5).cai` with the synapse at soma(0.9)). A point process
    moved by loc() adds the ion at its new node only (point.cpp `prop_update_ion_variables`), as bridge's plan
    has it from the instance's node."""
    have = model.ions_of(sec)
    for ion, *_ in ions:
        if ion not in have and f"{ion}_ion" not in sec.data.mechanisms:
            model.insert(sec, f"{ion}_ion")


class PointProcessObject(BuiltinObject):
    """`new IClamp(0.5)`: a point process at the current section; parameters by name."""

    holds_hoc_objects = False  # its fields hold numbers and its place (bridge.hoc.ref_drops); it is counted itself

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        self.info = interp.model.point_process_kind(name)
        self.pp = None  # its PointProcess in the tree, once it has a location
        self._sec: Sec | None = None
        self.preinit: dict[str, float] = {}  # STATEs/currents HOC set: read back, not given to the model
        if self.info.kind == "artificial":  # (bridge.hoc.calls makes bridge.hoc.netcon's object for these)
            raise interp.error(f"{name} is an ARTIFICIAL_CELL: it has no location", loc)
        if args:
            self._place(interp, args[0], loc)
        interp.model.point_processes.append(self)
        note()  # held by nothing yet: the lifetimes pass looks at it (bridge.hoc.ref_drops)

    @property
    def sec(self) -> Sec | None:
        return self._sec if self.pp is not None else None

    def _place(self, interp, where, loc):
        if isinstance(where, Segment):
            sec, x = where.sec, where.x
        elif is_number(where):
            sec, x = interp.model.current(interp, loc), float(where)
        else:
            raise interp.error(f"{self.cls}: location must be x in [0, 1]", loc)
        if not 0.0 <= x <= 1.0:
            raise interp.error(f"{self.cls}: location {x:g} is outside [0, 1]", loc)
        if x in (0.0, 1.0) and self.info.ions:  # NEURON: treeset.cpp need_memb while disallow_needmemb
            ion = self.info.ions[0][0]
            raise interp.error(f"{self.cls}: a point process that uses an ion cannot be located at position 0 or 1 "
                               f"(NEURON: {ion}_ion can't be inserted in this node)", loc)
        tree = interp.model.tree
        interp.model.mutations += 1
        params = dict(self.pp.params) if self.pp is not None else {}
        pointers = dict(self.pp.pointers) if self.pp is not None else {}
        if self.pp is None:  # NEURON makes the instance, and its RANDOM streams, when first placed
            randomvars.on_place(interp.model, self.info, params)
            _ions_in_section(interp.model, sec, self.info.ions)
        if self.pp is not None:
            tree.point_processes.remove(self.pp)
            if self._sec is not None and self._sec.alive and 0.0 < self.pp.x < 1.0:  # the node it leaves keeps
                keep_promotion(self._sec.data, self._sec.data.segment(self.pp.x), self.info.ions)  # its ion styles
        self.pp = tree.add_point_process(self.cls, sec.name, x, label=str(self), **params)
        self.pp.pointers.update(pointers)  # loc() moves the instance; its POINTERs keep their targets (point.cpp)
        self._sec = sec
        promote_section(sec, self.info.ions)

    def hoc_ref(self, interp, name, indices, loc):
        """`stim.amp`: a parameter, STATE or current of the point process by name."""
        if name in getattr(self.info, "randoms", ()):  # `pp.ranvar`: an NMODLRandom (bridge.hoc.randomvars)
            obj = randomvars.point_random(interp, self, name, loc)

            def assign(v):
                raise interp.error(f"{self}.{name} is a RANDOM variable; it cannot be assigned", loc)
            return FuncRef(lambda: obj, assign)
        if name in self.info.pointers:
            return FuncRef(lambda: self._pointer_use(interp, name, loc), lambda v: self._pointer_use(interp, name, loc),
                           what=PointProcessTarget(self, name))  # for setpointer (bridge.hoc.setpointer)
        arrays = ARRAY_PARAMETERS.get(self.cls, {})
        if name in getattr(self.info, "arrays", {}) and name not in arrays:  # `curr.amp[i]` (ipulse3.mod's amp[1000])
            k = int(_element(interp, self.cls, name, self.info.arrays[name], indices, loc)[len(name):])
            return FuncRef(lambda: self._read_element(interp, name, k, loc),
                           lambda v: self._assign_element(interp, name, k, v, loc))
        if name in arrays:
            name = _element(interp, self.cls, name, arrays[name], indices, loc)
        elif name not in self.info.range_names or name in ARRAY_ELEMENTS.get(self.cls, ()):
            raise interp.error(f"{name} is not a variable of {self.cls}", loc)
        elif indices:
            raise interp.error(f"{self.cls}.{name} is not an array", loc)
        return FuncRef(lambda: self._read(interp, name, loc), lambda v: self._assign(interp, name, v, loc),
                       what=PointProcessTarget(self, name))  # for Vector.record(&clamp.i)

    def _read_element(self, interp, name: str, k: int, loc) -> float:
        """`pp.name[k]` of a RANGE array: after finitialize() the run's value (an ASSIGNED the code may change),
        before it what HOC set, else the default (NEURON's 0 for an ASSIGNED)."""
        model = interp.model
        if self.pp is None:
            raise interp.error(f"{self} has no location; call .loc(x) first", loc)
        if model.initialized is not None:
            try:
                found = model.live.point_value(str(self), self.cls, name, element=k)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if found is not None:
                return found
        values = self.pp.params.get(name)
        return float(values[k]) if values is not None else float(self.info.parameters.get(name, 0.0))

    def _assignable(self, interp, what: str, v, loc):
        """The model, once `v` is a number and the point process has a location (`what` = v is a change)."""
        if not is_number(v):
            raise interp.error(f"{what} must be a number", loc)
        if self.pp is None:
            raise interp.error(f"{self} has no location; call .loc(x) first", loc)
        model = interp.model
        model.mutations += 1
        return model

    def _assign_element(self, interp, name: str, k: int, v, loc) -> None:
        """`pp.name[k] = v`: kept in the tree (a new tuple each time, so frozen copies keep theirs: the value
        of the array when finitialize() starts, solver.plan.assigned_starts) and, after finitialize(), put
        into the run, as NEURON's one array holds it."""
        model = self._assignable(interp, f"{self.cls}.{name}[{k}]", v, loc)
        if name in self.info.recomputed:
            raise interp.refuse(f"{self}.{name}[{k}] = ...: an array STATE set from HOC is not supported", loc)
        if model.initialized is not None:
            try:
                model.live.assign_point(str(self), self.cls, name, float(v), element=k)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
        size = self.info.arrays[name]
        old = self.pp.params.get(name)
        values = list(old) if old is not None else [float(self.info.parameters.get(name, 0.0))] * size
        values[k] = float(v)
        self.pp.params[name] = tuple(values)

    def _pointer_use(self, interp, name: str, loc):
        raise interp.refuse(f"{self}.{name} is a POINTER: reading or assigning it from HOC (the variable it points "
                            "at) is not supported; connect it with setpointer", loc)

    def _read(self, interp, name: str, loc) -> float:
        if interp.model.initialized is not None and interp.model.live.cursors:
            from bridge.hoc.play import check_not_played

            check_not_played(interp.model, "point", (self.cls, str(self)), name, f"{self}.{name}", loc, interp)
        if interp.model.initialized is not None and self.pp is not None and (
                name in self.info.assigned_parameters or name not in self.info.parameters):
            try:  # a PARAMETER its code assigns (Exp2Syn's tau1 in INITIAL), an ASSIGNED: the run's value, as NEURON's
                found = interp.model.live.point_value(str(self), self.cls, name)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if found is not None:
                return found
        if self.pp is not None and name in self.pp.params:
            return self.pp.params[name]
        if name in self.info.parameters:
            return self.info.parameters[name]
        if interp.model.initialized is not None and self.pp is not None:  # the live run's value now
            try:
                found = interp.model.live.point_value(str(self), self.cls, name)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if found is not None:
                return found
            raise interp.error(f"{self}.{name} is computed by {self.cls}, but bridge's run has no value for it "
                               "(it is not one of the mechanism's STATEs or kept ASSIGNED variables)", loc)
        return self.preinit.get(name, 0.0)  # what HOC set, or NEURON's 0 before any finitialize()

    def _assign(self, interp, name: str, v, loc) -> None:
        model = self._assignable(interp, f"{self.cls}.{name}", v, loc)
        if name in self.info.recomputed:  # a STATE or current: finitialize()/BREAKPOINT overwrite it
            if model.initialized is not None:
                model.after_init.append(f"{self}.{name} = ... at {loc}")
                try:
                    model.live.assign_point(str(self), self.cls, name, float(v))
                except BridgeError as err:
                    raise interp.error(str(err), loc) from None
            self.preinit[name] = float(v)
            return
        if model.initialized is not None and (name in self.info.assigned_parameters
                                              or name not in self.info.parameters):
            try:  # NEURON's run holds it (its code assigns it): the run goes on from HOC's value
                model.live.assign_point(str(self), self.cls, name, float(v))
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
        self.pp.params[name] = float(v)

    def hoc_call(self, interp, name, args, loc):
        """`pp.name(args)`: a FUNCTION or PROCEDURE of the mechanism (`bridge.hoc.nmodl_calls`), or a method."""
        if name in self.info.functions:
            return nmodl_calls.call_point(interp, self, name, args, loc)
        if name.startswith("table_"):  # `syn.table_t_table(...)`: the mechanism's FUNCTION_TABLE
            done = functable.call_point(interp, self, name, args, loc)
            if done is not None:
                return done
        return super().hoc_call(interp, name, args, loc)

    def m_loc(self, interp, args, loc):
        if not args:
            raise interp.error("loc(x) needs x", loc)
        self._place(interp, args[0], loc)
        return float(args[0]) if is_number(args[0]) else args[0].x

    def m_get_loc(self, interp, args, loc):
        if self.pp is None:
            raise interp.error(f"{self} has no location", loc)
        interp.model.push(self._sec)
        nseg = self._sec.data.nseg
        x = self.pp.x
        return x if x in (0.0, 1.0) else (self._sec.data.segment(x) + 0.5) / nseg

    def m_has_loc(self, interp, args, loc):
        return float(self.pp is not None)
