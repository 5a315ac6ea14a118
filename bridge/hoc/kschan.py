"""NEURON's `KSChan`, `KSState`, `KSGate` and `KSTrans` (src/nrniv/kschan.cpp, the HOC interface):
channels defined while the HOC runs, as the ChannelBuilder (chanbild.hoc) makes them.

A KSChan keeps NEURON's arrays (states, gates, transitions; HH states first) and edits them
as kschan.cpp does (`add_hhstate`, `add_ksstate`, `add_transition`, `setstructure`, ...). It
is a mechanism of the session's catalog (`Catalog.add_runtime`) from `new KSChan()` on, named
`Chan<index>` until `ks.name(...)`; when the model is built it becomes a `KSChanSpec` and the
solver's `KSChanMechanism` (`bridge.mechanisms.kschan`). A rate function's parameters are the
Vector given to `set_f`, read when the model is frozen for a run (NEURON keeps a reference to it too and reads
it at each evaluation); `set_f`, `KSGate.power`, `KSState.frac` and the Vectors' contents changed once the
channel is inserted, even in the middle of a run, make a new mechanism from the next step on, as in NEURON
(`spec_key`, bridge.hoc.runcheck).

`new KSChan(1)` is a point process (kschan.cpp `KSChan(obj, is_p)`): `new <name>(x)` places one, its
variables without suffix (gmax [uS], GHK pmax [cm3/s], i [nA]); the solver scales its current by
1e2/area as for any point process. `iv_type(2)` is the GHK current (permeability pmax [cm/s], the ion's
concentrations); `iv_type(1)` (NEURON's "Nernst") is ohmic with the reversal potential the ion computes from
its concentrations at finitialize (kschan.cpp `KSChan::alloc`: nrn_promote(ion, 1, 0)).

Refused, naming the call: single channels (`single(1)`: stochastic, NEURON's own random stream), ligand
transitions, HH rate tables (`usetable(1)`), removing states or transitions, and changing the structure or the
default gmax/erev of a channel already inserted (NEURON refuses the first; the second would leave inserted
segments at the old default, which bridge does not record).
"""

from __future__ import annotations

import math

from bridge.hoc.arguments import number_arg, string_arg
from bridge.hoc.catalog import MechanismInfo
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import Ref, is_number
from bridge.hoc.vector import Vector
from bridge.mechanisms.ksrates import rate_at


class _State:
    def __init__(self, name: str, frac: float):
        self.name, self.frac = name, frac
        self.obj: KSState | None = None


class _Gate:
    def __init__(self, sindex: int, nstate: int, power: int):
        self.sindex, self.nstate, self.power = sindex, nstate, power
        self.obj: KSGate | None = None


class _Trans:
    def __init__(self, src: int, target: int):
        self.src, self.target, self.kind = src, target, 0
        self.f: list[tuple[int, Vector, float, float] | None] = [None, None]  # (type, parameters, vmin, vmax)
        self.stoichiometry = 1
        self.obj: KSTrans | None = None


class KSChan(BuiltinObject):
    """`ks = new KSChan()` (a density channel) or `new KSChan(1)` (a point process)."""

    cls = "KSChan"

    def __init__(self, interp, args, loc):
        self.is_point = bool(args and is_number(args[0]) and float(args[0]) != 0.0)
        super().__init__(interp)
        self.catalog = interp.model.catalog
        self.model = interp.model
        self.limits = interp.limits
        self.name = f"Chan{self.index}"
        self.ion = "NonSpecific"
        self.cond_model = 0
        self.gmax = 0.0
        self.erev = 0.0
        self.states: list[_State] = []
        self.gates: list[_Gate] = []
        self.trans: list[_Trans] = []
        self.nhh = 0
        self.catalog.add_runtime(self.name, self)
        self._changed()

    # -- what the catalog and the solver see ------------------------------------------------
    def _names(self) -> dict[str, str]:
        ghk = self.ion != "NonSpecific" and self.cond_model == 2
        p = "p" if ghk else "g"
        names = {"gmax": f"{p}max", "g": p, "i": "i"}
        if self.ion == "NonSpecific":
            names["e"] = "e"
        return names

    def _ion_use(self):
        if self.ion == "NonSpecific":
            return ()
        return ((self.ion, _ion_read(self.ion, self.cond_model), (f"i{self.ion}",), None),)

    def info(self) -> MechanismInfo:
        names = self._names()
        params = {names["gmax"]: self.gmax}
        if "e" in names:
            params["e"] = self.erev
        states = tuple(s.name for s in self.states)
        ranges = tuple(names[k] for k in ("gmax", "e", "g", "i") if k in names) + states
        return MechanismInfo(self.name, "point" if self.is_point else "density", None, params, ranges, {},
                             self._ion_use(), (), states + (names["g"], "i"))

    def spec_key(self) -> tuple:
        """Everything the solver's mechanism is made of, as it is now: the rate functions' Vectors' contents too
        (NEURON reads them at each evaluation, KSChanFunction's gp_), so a change HOC makes to any of them, before
        finitialize() or between steps, makes a new mechanism (`mechanism`) and a new model (runcheck)."""
        def rate(f):
            return None if f is None else (f[0], tuple(float(x) for x in f[1].data), f[2], f[3])

        return (self.name, self.is_point, self.ion, self.cond_model, self.gmax, self.erev,
                tuple((s.name, s.frac) for s in self.states), self.nhh,
                tuple((g.sindex, g.nstate, g.power) for g in self.gates),
                tuple((t.src, t.target, t.kind, rate(t.f[0]), rate(t.f[1])) for t in self.trans))

    def mechanism(self):
        """The solver's mechanism of the channel as it is now (the same object while nothing changed: one compile)."""
        key = self.spec_key()
        kept = getattr(self, "_built", None)
        if kept is None or kept[0] != key:
            kept = (key, self._mechanism())
            self._built = kept
        return kept[1]

    def _mechanism(self):
        from bridge.mechanisms.ions import ion_defaults  # JAX: only when the model is built
        from bridge.mechanisms.kschan import Gate, KSChanMechanism, KSChanSpec, RateFunction, Transition

        def rate(t: _Trans, k: int, i: int) -> RateFunction:
            f = t.f[k]
            if f is None:
                raise self.model_error(f"KSChan {self.name}: transition {i} has no rate function f{k} (set_f)")
            kind, vec, vmin, vmax = f
            return RateFunction(kind, tuple(float(x) for x in vec.data), vmin, vmax)

        valence = ion_defaults(self.ion).valence if self.ion != "NonSpecific" else None
        spec = KSChanSpec(
            self.name, self.ion, self.cond_model, self.gmax, self.erev,
            tuple((s.name, s.frac) for s in self.states), self.nhh,
            tuple(Gate(g.sindex, g.nstate, g.power) for g in self.gates),
            tuple(Transition(t.src, t.target, t.kind, rate(t, 0, i), rate(t, 1, i)) for i, t in enumerate(self.trans)),
            valence, self.is_point)
        return KSChanMechanism(spec)

    def model_error(self, message: str):
        from bridge.errors import HocError

        return HocError(message)

    def _changed(self) -> None:
        """sname_install: each state's range name `<state>_<suffix>`, a name in use gets a number
        (kschan.cpp `KSChan::sname_install`); forget range names HOC looked up."""
        taken = set(self._names().values())
        for s in self.states:
            base, name, j = s.name, s.name, 0
            while name in taken:
                name = f"{base}{j}"
                j += 1
            s.name = name
            taken.add(name)
        self.model._range_cache.clear()

    def _check_size(self, interp, nstate: int, ntrans: int, loc) -> None:
        """Bounded work: at most Limits.max_kinetic_states states (the kinetic solve is unrolled, n^3/3 steps)
        and that many squared transitions."""
        limit = self.limits.max_kinetic_states
        if nstate > limit or ntrans > limit * limit:
            raise interp.error(f"KSChan {self.name}: {nstate} states and {ntrans} transitions, more than "
                               f"Limits.max_kinetic_states = {limit} states (and its square of transitions); "
                               f"{self.limits.raise_hint('max_kinetic_states')}", loc)

    def _inserted(self) -> bool:
        """Whether the channel has instances: inserted in a section, or (a point process) placed."""
        if self.is_point:
            return any(pp.cls == self.name and pp.sec is not None for pp in self.model.point_processes)
        return any(s.alive and self.name in s.data.mechanisms for s in self.model.sections)

    def _check_no_instances(self, interp, what: str, loc) -> None:
        """KSChan::err_if_has_instances."""
        if self._inserted():
            raise interp.error(f"KSChan {self.name}.{what}: the channel has instances (inserted or placed); "
                               "NEURON refuses to change a KSChan that has instances", loc)

    # -- HOC: properties ---------------------------------------------------------------------
    def m_name(self, interp, args, loc):
        if args:
            self._check_no_instances(interp, "name", loc)
            new = string_arg(interp, args, 0, loc, "KSChan.name")
            if not new.isidentifier():
                raise interp.error(f"KSChan.name: {new!r} is not a name", loc)
            if new != self.name:
                self.catalog.remove_runtime(self.name)
                base, i = new, 0
                while new in self.catalog:  # KSChan::setname: "already in use", a number appended
                    interp.write(f"KSChan::setname {new} already in use\n")
                    new = f"{base}{i}"
                    i += 1
                self.name = new
                self.catalog.add_runtime(new, self)
                self._changed()
        return self.name

    def m_ion(self, interp, args, loc):
        if args:
            new = string_arg(interp, args, 0, loc, "KSChan.ion") or "NonSpecific"
            if new != self.ion:
                self._check_no_instances(interp, "ion", loc)
                if new != "NonSpecific" and new not in self.catalog.ions():
                    raise interp.error(f"KSChan.ion: {new} is not an ion (no {new}_ion mechanism)", loc)
                self.ion = new
                self._changed()
        return self.ion

    def m_iv_type(self, interp, args, loc):
        if args:
            self._check_no_instances(interp, "iv_type", loc)
            self.cond_model = _int_arg(interp, args, 0, 0, 2, loc, "KSChan.iv_type")
            self._changed()
        return float(self.cond_model) if self.ion != "NonSpecific" else 0.0

    def m_gmax(self, interp, args, loc):
        if args:
            value = number_arg(interp, args, 0, loc, "KSChan.gmax")
            self._check_default(interp, "gmax", value, self.gmax, loc)
            self.gmax = _checked(interp, value, 0.0, 1e9, loc, "KSChan.gmax")
        return self.gmax

    def m_erev(self, interp, args, loc):
        if args:
            value = number_arg(interp, args, 0, loc, "KSChan.erev")
            self._check_default(interp, "erev", value, self.erev, loc)
            self.erev = _checked(interp, value, -1e9, 1e9, loc, "KSChan.erev")
        return self.erev

    def _check_default(self, interp, what, value, old, loc) -> None:
        if value != old and self._inserted():
            raise interp.refuse(f"KSChan {self.name}.{what}({value:g}) after the channel was inserted is not "
                                f"supported (NEURON keeps the old default in the inserted segments); assign the "
                                f"range variable instead", loc)

    def m_single(self, interp, args, loc):
        """single(0 or 1): NEURON ignores it for a density channel (KSChan::set_single); a point process's
        single-channel (stochastic) mode is refused."""
        if args:
            on = _int_arg(interp, args, 0, 0, 1, loc, "KSChan.single")
            if on and self.is_point:
                raise interp.refuse(f"KSChan {self.name}.single(1): single-channel (stochastic) KSChan point "
                                    "processes are not supported", loc)
        return 0.0

    def m_usetable(self, interp, args, loc):
        if args and isinstance(args[0], Ref):  # usetable(&vmin, &vmax): NEURON's defaults, 200 points
            args[0].set(-100.0)
            if len(args) > 1 and isinstance(args[1], Ref):
                args[1].set(50.0)
            return 200.0
        if args and number_arg(interp, args, 0, loc, "KSChan.usetable") != 0.0 and self.nhh:
            raise interp.refuse("KSChan.usetable(1): HH rate tables of KSChan are not supported", loc)
        return 0.0

    def m_ngate(self, interp, args, loc):
        return float(len(self.gates))

    def m_nstate(self, interp, args, loc):
        return float(len(self.states))

    def m_ntrans(self, interp, args, loc):
        return float(len(self.trans))

    def m_nligand(self, interp, args, loc):
        return 0.0

    def m_is_point(self, interp, args, loc):
        return 1.0 if self.is_point else 0.0

    # -- HOC: structure ----------------------------------------------------------------------
    def _state_index(self, interp, args, i: int, loc, what: str, lo: int = 0) -> int:
        a = args[i] if i < len(args) else None
        if isinstance(a, KSState) and a.chan is self:
            return self.states.index(a.elem)
        return _int_arg(interp, args, i, lo, len(self.states) - 1, loc, what)

    def m_add_hhstate(self, interp, args, loc):
        """KSChan::add_hhstate: a state with its own gate (power 1) and transition, after the HH states."""
        self._check_no_instances(interp, "add_hhstate", loc)
        name = string_arg(interp, args, 0, loc, "KSChan.add_hhstate")
        self._check_size(interp, len(self.states) + 1, len(self.trans) + 1, loc)
        i = self.nhh
        self.states.insert(i, _State(name, 1.0))
        self.gates.insert(i, _Gate(i, 1, 1))
        self.trans.insert(i, _Trans(i, i))
        self.nhh += 1
        for g in self.gates[i + 1:]:
            g.sindex += 1
        for t in self.trans[self.nhh:]:
            t.src += 1
            t.target += 1
        self._changed()
        return self._state_obj(interp, self.states[i])

    def m_add_ksstate(self, interp, args, loc):
        """KSChan::add_ksstate(gate or nil, name): a kinetic state (frac 0) at the end of the gate, or of a new
        gate. The transitions' indices change as kschan.cpp changes them."""
        self._check_no_instances(interp, "add_ksstate", loc)
        gate = args[0] if args else None
        name = string_arg(interp, args, 1, loc, "KSChan.add_ksstate")
        self._check_size(interp, len(self.states) + 1, len(self.trans), loc)
        if gate is None:
            ig = len(self.gates)
        elif isinstance(gate, KSGate) and gate.chan is self:
            ig = self.gates.index(gate.elem)
        else:
            raise interp.error("KSChan.add_ksstate: argument 1 must be a KSGate of this KSChan or nil", loc)
        if ig == len(self.gates):
            i = len(self.states)
            self.gates.append(_Gate(i, 1, 1))
        else:
            g = self.gates[ig]
            i = g.sindex + g.nstate
            g.nstate += 1
        self.states.insert(i, _State(name, 0.0))
        for g in self.gates[ig + 1:]:
            g.sindex += 1
        for t in self.trans[self.nhh:]:  # as kschan.cpp: indices above the new state decrease
            if t.src > i:
                t.src -= 1
            if t.target > i:
                t.target -= 1
        self._changed()
        return self._state_obj(interp, self.states[i])

    def m_add_transition(self, interp, args, loc):
        """KSChan::add_transition(src, target): an alpha/beta transition between kinetic states."""
        self._check_no_instances(interp, "add_transition", loc)
        src = self._state_index(interp, args, 0, loc, "KSChan.add_transition", self.nhh)
        target = self._state_index(interp, args, 1, loc, "KSChan.add_transition", self.nhh)
        if src < self.nhh or target < self.nhh:
            raise interp.error("KSChan.add_transition: both states must be kinetic (add_ksstate) states", loc)
        self._check_size(interp, len(self.states), len(self.trans) + 1, loc)
        t = _Trans(src, target)
        self.trans.append(t)
        self._changed()
        return self._trans_obj(interp, t)

    def m_setstructure(self, interp, args, loc):
        """KSChan::setstructure(vec): the whole structure from the ChannelBuilder's vector."""
        self._check_no_instances(interp, "setstructure", loc)
        vec = args[0] if args else None
        if not isinstance(vec, Vector):
            raise interp.error("KSChan.setstructure: argument 1 must be a Vector", loc)
        x = [float(v) for v in vec.data]
        pos = 0

        def nxt() -> int:
            nonlocal pos
            if pos >= len(x):
                raise interp.error("KSChan.setstructure: the Vector is too short", loc)
            pos += 1
            return int(x[pos - 1])

        cond, ngate, nstate, nhh, ntrans, nligand, ilig = (nxt() for _ in range(7))
        if nligand or ilig != ntrans:
            raise interp.refuse("KSChan.setstructure: ligand-gated transitions are not supported", loc)
        if not (0 <= cond <= 2 and 0 <= nhh <= nstate and 0 <= ngate <= nstate and 0 <= ntrans):
            raise interp.error("KSChan.setstructure: the structure is inconsistent", loc)
        self._check_size(interp, nstate, ntrans, loc)
        old = self.states
        states = [_State(old[i].name if i < len(old) else f"s{i}", 0.0) for i in range(nstate)]
        gates = []
        for _ in range(ngate):
            sindex, ns, power = nxt(), nxt(), nxt()
            if not (0 <= sindex and sindex + ns <= nstate and ns >= 1 and power >= 0):
                raise interp.error("KSChan.setstructure: a gate's states are outside the channel's", loc)
            gates.append(_Gate(sindex, ns, power))
            for k in range(ns):
                pos += 1
                if pos > len(x):
                    raise interp.error("KSChan.setstructure: the Vector is too short", loc)
                states[sindex + k].frac = x[pos - 1]
        trans = []
        for _ in range(ntrans):
            src, target, kind, _lig = nxt(), nxt(), nxt(), nxt()
            if not (0 <= src < nstate and 0 <= target < nstate and kind in (0, 1)):
                raise interp.error("KSChan.setstructure: a transition is inconsistent", loc)
            t = _Trans(src, target)
            t.kind = kind
            trans.append(t)
        for i in range(nhh):
            if gates[i].sindex != i or gates[i].nstate != 1 or trans[i].src != i or trans[i].target != i:
                raise interp.error("KSChan.setstructure: the HH states are inconsistent", loc)
        self.cond_model, self.states, self.gates, self.trans, self.nhh = cond, states, gates, trans, nhh
        self._changed()
        return 1.0

    def m_trans(self, interp, args, loc):
        if len(args) >= 2:
            src = self._state_index(interp, args, 0, loc, "KSChan.trans")
            target = self._state_index(interp, args, 1, loc, "KSChan.trans")
            for t in self.trans:
                if t.src == src and t.target == target:
                    return self._trans_obj(interp, t)
            raise interp.error(f"no transition between state index {src} and {target}", loc)
        return self._trans_obj(interp, self.trans[_int_arg(interp, args, 0, 0, len(self.trans) - 1, loc,
                                                           "KSChan.trans")])

    def m_state(self, interp, args, loc):
        return self._state_obj(interp, self.states[_int_arg(interp, args, 0, 0, len(self.states) - 1, loc,
                                                            "KSChan.state")])

    def m_gate(self, interp, args, loc):
        return self._gate_obj(interp, self.gates[_int_arg(interp, args, 0, 0, len(self.gates) - 1, loc,
                                                          "KSChan.gate")])

    def m_remove_state(self, interp, args, loc):
        raise interp.refuse("KSChan.remove_state is not supported", loc)

    def m_remove_transition(self, interp, args, loc):
        raise interp.refuse("KSChan.remove_transition is not supported", loc)

    # -- element objects (one HOC object per element, as kschan.cpp's temp_objvar) -----------
    def _state_obj(self, interp, s: _State) -> KSState:
        if s.obj is None:
            s.obj = KSState(interp, self, s)
        return s.obj

    def _gate_obj(self, interp, g: _Gate) -> KSGate:
        if g.obj is None:
            g.obj = KSGate(interp, self, g)
        return g.obj

    def _trans_obj(self, interp, t: _Trans) -> KSTrans:
        if t.obj is None:
            t.obj = KSTrans(interp, self, t)
        return t.obj


class _Element(BuiltinObject):
    def __init__(self, interp, chan: KSChan, elem):
        super().__init__(interp)
        self.chan, self.elem = chan, elem


class KSState(_Element):
    cls = "KSState"

    def m_frac(self, interp, args, loc):
        if args:
            self.elem.frac = _checked(interp, number_arg(interp, args, 0, loc, "KSState.frac"), 0.0, 1e9, loc,
                                      "KSState.frac")
        return self.elem.frac

    def m_index(self, interp, args, loc):
        return float(self.chan.states.index(self.elem))

    def m_name(self, interp, args, loc):
        if args:
            self.chan._check_no_instances(interp, "name", loc)
            self.elem.name = string_arg(interp, args, 0, loc, "KSState.name")
            self.chan._changed()
        return self.elem.name

    def m_gate(self, interp, args, loc):
        """KSChan::gate_index: the gate whose states include this one."""
        i = self.chan.states.index(self.elem)
        gates = self.chan.gates
        for k in range(1, len(gates)):
            if i < gates[k].sindex:
                return self.chan._gate_obj(interp, gates[k - 1])
        return self.chan._gate_obj(interp, gates[-1])


class KSGate(_Element):
    cls = "KSGate"

    def m_nstate(self, interp, args, loc):
        return float(self.elem.nstate)

    def m_power(self, interp, args, loc):
        if args:
            self.elem.power = _int_arg(interp, args, 0, 0, 10**6, loc, "KSGate.power")
        return float(self.elem.power)

    def m_sindex(self, interp, args, loc):
        return float(self.elem.sindex)

    def m_index(self, interp, args, loc):
        return float(self.chan.gates.index(self.elem))


class KSTrans(_Element):
    cls = "KSTrans"

    def m_set_f(self, interp, args, loc):
        """set_f(0 or 1, type, parameters [, vmin, vmax]): the Vector itself is kept, as in NEURON."""
        i = _int_arg(interp, args, 0, 0, 1, loc, "KSTrans.set_f")
        kind = _int_arg(interp, args, 1, 0, 7, loc, "KSTrans.set_f")
        vec = args[2] if len(args) > 2 else None
        if not isinstance(vec, Vector):
            raise interp.error("KSTrans.set_f: argument 3 must be a Vector", loc)
        if kind == 0:
            raise interp.refuse("KSTrans.set_f with function type 0 is not supported", loc)
        need = {1: 1, 2: 3, 3: 3, 4: 3, 5: 5, 6: 5, 7: 2}[kind]
        if len(vec.data) < need:
            raise interp.error(f"KSTrans.set_f: function type {kind} needs {need} parameters", loc)
        vmin, vmax = -100.0, 50.0
        if kind == 7 and len(args) > 4:
            vmin = number_arg(interp, args, 3, loc, "KSTrans.set_f")
            vmax = number_arg(interp, args, 4, loc, "KSTrans.set_f")
            if not vmax > vmin:
                raise interp.error("KSTrans.set_f: vmax must exceed vmin", loc)
        self.elem.f[i] = (kind, vec, vmin, vmax)
        return 0.0

    def m_index(self, interp, args, loc):
        return float(self.chan.trans.index(self.elem))

    def m_type(self, interp, args, loc):
        if args:
            kind = _int_arg(interp, args, 0, 0, 3, loc, "KSTrans.type")
            if kind >= 2:
                raise interp.refuse("KSTrans.type(2 or 3): ligand-gated transitions are not supported", loc)
            self.chan._check_no_instances(interp, "type", loc)
            self.elem.kind = kind
        return float(self.elem.kind)

    def m_ftype(self, interp, args, loc):
        f = self.elem.f[_int_arg(interp, args, 0, 0, 1, loc, "KSTrans.ftype")]
        return float(f[0]) if f else -1.0

    def m_parm(self, interp, args, loc):
        f = self.elem.f[_int_arg(interp, args, 0, 0, 1, loc, "KSTrans.parm")]
        if f is None:
            return None
        if f[0] == 7 and len(args) > 2 and isinstance(args[1], Ref) and isinstance(args[2], Ref):
            args[1].set(f[2])
            args[2].set(f[3])
        return f[1]

    def m_src(self, interp, args, loc):
        return self.chan._state_obj(interp, self.chan.states[self.elem.src])

    def m_target(self, interp, args, loc):
        return self.chan._state_obj(interp, self.chan.states[self.elem.target])

    def m_ligand(self, interp, args, loc):
        return ""

    def m_stoichiometry(self, interp, args, loc):
        if args:
            self.elem.stoichiometry = _int_arg(interp, args, 0, 1, 10**9, loc, "KSTrans.stoichiometry")
        return float(self.elem.stoichiometry)

    def m_f(self, interp, args, loc):
        """f(0 or 1, v): the rate function's value at v [mV] (types 5, 6 at the session's celsius)."""
        f = self.elem.f[_int_arg(interp, args, 0, 0, 1, loc, "KSTrans.f")]
        if f is None:
            return 0.0
        v = number_arg(interp, args, 1, loc, "KSTrans.f")
        c = tuple(float(x) for x in f[1].data)
        return float(rate_at(f[0], c, f[2], f[3], v, float(interp.model.globals["celsius"]))[0])


def _ion_read(ion: str, cond_model: int) -> tuple[str, ...]:
    """The ion variables a KSChan reads: e (ohmic); GHK the concentrations; "Nernst" (1) e and the concentrations,
    which promote the ion so that finitialize computes e from them (kschan.cpp KSChan::alloc, nrn_promote(1, 0))."""
    if cond_model == 2:
        return (f"{ion}i", f"{ion}o")
    if cond_model == 1:
        return (f"e{ion}", f"{ion}i", f"{ion}o")
    return (f"e{ion}",)


def _checked(interp, x: float, lo: float, hi: float, loc, what: str) -> float:
    """chkarg(i, lo, hi)."""
    if math.isnan(x) or not lo <= x <= hi:
        raise interp.error(f"{what}: {x:g} is outside [{lo:g}, {hi:g}]", loc)
    return x


def _int_arg(interp, args, i: int, lo: int, hi: int, loc, what: str) -> int:
    return int(_checked(interp, number_arg(interp, args, i, loc, what), lo, hi, loc, what))


def classes() -> dict:
    """`new KSChan(...)`; KSState, KSGate and KSTrans are made only by a KSChan (as in NEURON)."""

    def refused(name):
        def make(interp, args, loc):
            raise interp.error(f"Cannot create a {name} except through KSChan", loc)
        return make

    return {"KSChan": KSChan, "KSState": refused("KSState"), "KSGate": refused("KSGate"),
            "KSTrans": refused("KSTrans")}


__all__ = ["KSChan", "KSGate", "KSState", "KSTrans", "classes"]
