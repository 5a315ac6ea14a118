"""`Vector.play`: a Vector's values driven into a model variable during the run, as NEURON's fixed step does.

Forms (NEURON's src/nrniv/vrecord.cpp `nrn_vecsim_add`):
- `y.play(&var, dt)`: discrete (`VecPlayStep`), y[k] at the event time k*dt (times summed in
  double, event after event: e[k+1] = e[k] + dt);
- `y.play(&var, tvec)` or `y.play(&var, tvec, 0)`: discrete at the times tvec[k];
- `y.play(&var, tvec, 1)`: continuous (`VecPlayContinuous`), interpolated in tvec;
- `y.play(&var, tvec, ivec)`: continuous with discontinuities at the indices ivec[k] of tvec (NEURON then sends
  its events only at tvec[ivec[k]], and between them extrapolates the segment ending at the next one);
- `y.play("var = $1", ...)` (or `"var"`) in any of these forms: as `&var` (`bridge.hoc.play_statement`);
- `y.play_remove()`: the Vector plays no more;
- `y.play(index)`: a statement play of y sets its value y[index] now (`play_index`).
An optional point process first argument is accepted; any other statement and a dt with continuous mode are
refused (the last one as NEURON does).

When NEURON applies the value (src/nrnoc/fadvance.cpp `nrn_fixed_step_thread`,
`nrn_fixed_step_lastpart`; src/nrncvode/netcvode.cpp `deliver_net_events`): a discrete value is an
event, delivered when its time <= t + dt/2 at the start of a step (and <= 0 in finitialize, before
the INITIAL blocks), so the step's currents and state update both see it. A continuous value is set
at t + dt/2 before the currents and again at t + dt before the state update (`fixed_play_continuous`),
interpolated as `VecPlayContinuous::interpolate` does: on the segment of tvec holding tt, or on the
segment ending at the last delivered event's index when tt is at or past that time (NEURON then
extrapolates that segment); in finitialize, each event at a time <= 0 sets the value at its time.

`schedule` turns one play into per-step values (and whether the play sets the variable at all yet)
for a piece of the run; the solver takes them as arrays, so a changed Vector compiles nothing.
Targets: a point process PARAMETER (`&stim.amp`), a density mechanism PARAMETER at a segment
(`&soma.gnabar_hh(0.5)`), a RANGE ASSIGNED that no statement of its mechanism assigns (`&is_xtra(0.5)`: to
the mechanism it is a parameter; the solver passes it with the parameters, `with_played_assigned`), a
mechanism GLOBAL or celsius (`&celsius`), and a segment's cm (`&soma.cm(0.5)`: a parameter of the matrix, cm*cj in
its diagonal at t + dt/2; capacitance.cpp `nrn_cap_jacob`). HOC reading one of these after finitialize() is
refused: bridge does not hand the played value back to HOC.

v of a segment (`&soma.v(0.5)`, the voltage clamp by play) and a STATE of a mechanism or point process
(`&soma.m_hh(0.5)`, `&syn.g`) are variables the step itself moves: NEURON's play writes them in place at its
moments, and the step moves on from there (`ASSIGNS`, `_assigned_step`, `bridge.solver.stepper.assign_played`): a
discrete value when its event is delivered, at the step's start before the currents (events <= t + dt/2) or
after the step's recording (events <= t + dt, nrn_fixed_step_lastpart's `nrn_deliver_events`); a continuous
value at t + dt/2 before the currents, at t + dt after the voltage update and before the state update (so the
recorded v is the played one, a STATE the update's result), and at each of its event times delivered after the
recording. In finitialize the values at t <= 0 change nothing (`setv` and the INITIAL blocks come after them;
finitialize() without v, which would keep a v played at t <= 0, is refused). HOC reads these from the run's
state, which holds them as NEURON does.
Plays into diam (NEURON recomputes area and axial resistances) and into v at a section's end are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bridge.hoc.bindings import CM, DIAM, GlobalVar, MechanismVariable, SegmentVariable
from bridge.hoc.values import PointProcessTarget, RangeTarget, Ref, StrVar, is_number
from bridge.solver.runge_time import after_runge_float


@dataclass(frozen=True)
class PlayTarget:
    """Where a play writes: `kind` "point" (keys: mechanism, label), "range" (mechanism, section, x), "cm"
    ("capacitance", section, x) or "global" (name); `variable` the mechanism's parameter (or the global's name).
    Kinds "v" ("", section, x), "state" (mechanism, section, x) and "pstate" (mechanism, label): a variable the
    model integrates, which the play assigns at its moments in the step (`ASSIGNS`, `step_values`)."""

    kind: str
    keys: tuple
    variable: str


ASSIGNS = ("v", "state", "pstate")  # target kinds the play assigns (the model's own step moves them between)


def describe(target: PlayTarget) -> str:
    """The played variable as HOC names it: `IClamp[0].amp`, `soma(0.5).gnabar_hh`, `celsius`."""
    if target.kind in ("point", "pstate"):
        return f"{target.keys[1]}.{target.variable}"
    if target.kind in ("range", "cm", "v", "state"):
        return f"{target.keys[1]}({target.keys[2]:g}).{target.variable}"
    return target.variable


@dataclass
class Play:
    """One `Vector.play` of `vector` into `target`: discrete with `dt` [ms] or times `tvec` [ms], or
    continuous (interpolated in `tvec`). The Vectors are read when the run starts (finitialize())."""

    vector: object
    target: PlayTarget
    dt: float | None
    tvec: object | None
    continuous: bool
    discon: object | None = None  # the discontinuity index Vector (continuous), or None
    statement: object = None  # the statement form: the variable node it assigns (bridge.hoc.play_statement)


def parse(interp, vector, args, loc) -> Play:
    """`vector.play(...)`'s arguments as a `Play`, or an error naming what bridge does not reproduce."""
    def is_vector(a) -> bool:  # bridge.hoc.vector.Vector (not imported: it imports this module)
        return getattr(a, "cls", None) == "Vector"

    args = list(args)
    if args and hasattr(args[0], "pp") and hasattr(args[0], "info"):  # a PointProcessObject
        args = args[1:]  # NEURON's optional point process (for the thread it lives in)
    statement = None
    if args and isinstance(args[0], (str, StrVar)):
        from bridge.hoc.play_statement import statement_ref, statement_target

        statement = statement_target(interp, args[0].value if isinstance(args[0], StrVar) else args[0], loc)
        args = [statement_ref(interp, statement, loc), *args[1:]]
        if not isinstance(args[0], Ref) or args[0].what is None:
            raise interp.refuse("Vector.play with a statement into a plain HOC variable is not supported (bridge "
                                "plays into a point process or mechanism variable, a GLOBAL or celsius)", loc)
    if not args or is_number(args[0]):
        raise interp.refuse("Vector.play with an index is not supported; play into a variable: "
                            "vec.play(&var, dt) or vec.play(&var, tvec[, continuous])", loc)
    if not isinstance(args[0], Ref) or args[0].what is None:
        raise interp.error("Vector.play needs &var: a point process variable, a range variable or a global", loc)
    target = _target(interp, args[0].what, loc)
    if len(args) < 2:
        raise interp.error("Vector.play(&var, ...) needs a dt or a time Vector", loc)
    dt = tvec = None
    if is_vector(args[1]):
        tvec = args[1]
    elif is_number(args[1]):
        dt = float(args[1])
        if not 1e-9 <= dt <= 1e10:
            raise interp.error(f"Vector.play: dt = {dt:g} is outside [1e-9, 1e10] (NEURON's chkarg)", loc)
    else:
        raise interp.error("Vector.play: the second argument must be a dt or a time Vector", loc)
    continuous, discon = False, None
    if len(args) > 2 and is_vector(args[2]):  # vrecord.cpp nrn_vecsim_add: an index Vector means continuous
        continuous, discon = True, args[2]
    elif len(args) > 2:
        if not is_number(args[2]) or float(args[2]) not in (0.0, 1.0):
            raise interp.error("Vector.play: the third argument must be 0 or 1 (continuous)", loc)
        continuous = float(args[2]) == 1.0
    if continuous and tvec is None:
        raise interp.error("Second argument of Vector.play in continuous mode must be a time vector", loc)
    return Play(vector, target, dt, tvec, continuous, discon, statement)


def _target(interp, what, loc) -> PlayTarget:
    model = interp.model
    if isinstance(what, PointProcessTarget):
        obj, name = what.obj, what.name
        if obj.pp is None:
            raise interp.error(f"Vector.play(&{obj}.{name}): {obj} has no location", loc)
        if name in obj.info.states and name not in obj.info.arrays:  # assigned at the play's moments (ASSIGNS)
            return PlayTarget("pstate", (obj.cls, str(obj)), name)
        if name not in obj.info.parameters and name not in obj.info.unwritten_assigned:
            raise interp.refuse(f"Vector.play into {obj}.{name} is not supported: bridge plays into a point "
                                "process PARAMETER or an ASSIGNED the mechanism never assigns (a STATE or "
                                "current is computed by the mechanism)", loc)
        return PlayTarget("point", (obj.cls, str(obj)), name)
    if isinstance(what, GlobalVar):
        name = what.name
        if name != "celsius" and model.catalog.lookup_global(name) is None:
            raise interp.refuse(f"Vector.play into {name} is not supported: bridge plays into celsius and "
                                "mechanism GLOBALs", loc)
        return PlayTarget("global", (name,), name)
    if isinstance(what, RangeTarget) and isinstance(what.var, MechanismVariable) and not what.var.is_ion:
        var = what.var
        info = model.catalog.get(var.mechanism)
        # an ASSIGNED no statement of the mechanism assigns is, to the mechanism, a parameter: only HOC and the
        # play write its memory (xtra.mod's `is`; runtime.mechanism reads the played value from the params)
        if var.name in info.states and var.name not in info.arrays:  # assigned at the play's moments (ASSIGNS)
            return PlayTarget("state", (var.mechanism, what.sec.name, float(what.x)), var.name)
        if var.name not in info.parameters and var.name not in info.unwritten_assigned:
            raise interp.refuse(f"Vector.play into {var.hoc_name} is not supported: bridge plays into a "
                                "mechanism PARAMETER or an ASSIGNED the mechanism never assigns (a STATE or an "
                                "assigned ASSIGNED is computed)", loc)
        return PlayTarget("range", (var.mechanism, what.sec.name, float(what.x)), var.name)
    if isinstance(what, RangeTarget) and what.var == CM:  # cm enters the matrix as cm*cj (treeset.cpp nrn_lhs)
        return PlayTarget("cm", ("capacitance", what.sec.name, float(what.x)), "cm")
    if isinstance(what, RangeTarget) and what.var == SegmentVariable("v"):  # assigned at the play's moments
        if float(what.x) in (0.0, 1.0):
            raise interp.refuse("Vector.play into v at a section's end (x = 0 or 1, a node of no area: cabcode.cpp "
                                "nrn_rangepointer's node_ptr) is not supported; play into a segment's v", loc)
        return PlayTarget("v", ("", what.sec.name, float(what.x)), "v")
    if isinstance(what, RangeTarget) and what.var == DIAM:
        raise interp.refuse("Vector.play into diam is not supported: NEURON recomputes the segment's area and "
                            "axial resistances from the played diam at the next step (diam_changed, treeset.cpp "
                            "recalc_diam); bridge's geometry is fixed for a run", loc)
    name = getattr(getattr(what, "var", None), "name", None) or type(what).__name__
    raise interp.refuse(f"Vector.play into {name} is not supported (bridge plays into point process and "
                        "mechanism PARAMETERs and STATEs, GLOBALs, celsius, v and cm; not diam or ion "
                        "variables)", loc)


@dataclass(frozen=True)
class Schedule:
    """Values of one play frozen when the run starts: `y`, and event times `events` [ms] (discrete) or
    the time Vector `times` (continuous)."""

    target: PlayTarget
    y: tuple[float, ...]
    events: tuple[float, ...]
    times: tuple[float, ...]
    continuous: bool
    vector: object = None  # the played Vector (play_remove)
    discon: tuple[int, ...] | None = None  # continuous: the discontinuity indices into `times`, or None
    statement: bool = False  # the statement form: NEURON sets hoc_ac_ to each value (bridge.hoc.play_statement)


def freeze(play: Play) -> Schedule:
    """The play with its Vectors' values now (NEURON reads them as the run goes; bridge at finitialize())."""
    y = tuple(float(v) for v in play.vector.data)  # type: ignore[attr-defined]
    if play.continuous:
        times = tuple(float(v) for v in play.tvec.data)  # type: ignore[attr-defined]
        if len(times) != len(y) or not times:
            raise ValueError(f"Vector.play continuous: the time Vector has {len(times)} values and the played "
                             f"Vector {len(y)}; bridge needs the same, non-zero size")
        return Schedule(play.target, y, (), times, True, play.vector, _indices(play.discon, len(times)),
                        play.statement is not None)
    if play.tvec is not None:
        events = tuple(float(v) for v in play.tvec.data)[: len(y)]  # type: ignore[attr-defined]
    else:
        events, e = [], 0.0
        for _ in y:
            events.append(e)
            e = e + play.dt
        events = tuple(events)
    return Schedule(play.target, y, events, (), False, play.vector, None, play.statement is not None)


def _indices(vec, size: int) -> tuple[int, ...] | None:
    """The discontinuity indices of a continuous play (vrecord.cpp `VecPlayContinuous`: `(int) elem(k)`, truncated
    toward zero), each checked to index the time Vector of `size` values (NEURON reads past it unchecked)."""
    if vec is None:
        return None
    out = []
    for v in vec.data:  # type: ignore[attr-defined]
        if not np.isfinite(v) or not 0 <= int(v) < size:
            raise ValueError(f"Vector.play: the discontinuity index {float(v):g} is outside the time Vector "
                             f"(0 to {size - 1})")
        out.append(int(v))
    return tuple(out)


class Cursor:
    """Where a play is in its events (NEURON's `current_index_` / `ubound_index_`, `discon_index_`), carried
    across pieces."""

    def __init__(self, sched: Schedule):
        self.sched = sched
        self.index = 0  # discrete: events delivered; continuous: ubound_index_
        self.pending = bool(sched.times) if sched.continuous else bool(sched.events)  # an event is queued
        self.next_discon = 0  # continuous with discontinuities: discon_index_
        if sched.discon is not None:  # VecPlayContinuous::play_init
            self.index, self.pending = self._next_ubound()
        self.value: float | None = None  # what the play last set (None: nothing yet)
        self.removed = False  # play_remove(): it sets nothing more

    def _next_ubound(self) -> tuple[int, bool]:
        """(ubound_index_, whether an event is sent at its time) after the next discontinuity index is taken."""
        discon = self.sched.discon or ()
        if self.next_discon < len(discon):
            self.next_discon += 1
            return discon[self.next_discon - 1], True
        return len(self.sched.times) - 1, False

    def starts_late(self) -> bool:
        """Its first value comes after finitialize (the variable keeps its own value until then)."""
        s = self.sched
        if s.continuous:
            return not self.pending or s.times[self.index] > 0.0
        return (s.events[0] if s.events else 0.0) > 0.0

    def deliver(self, til: float, set_value: bool = False) -> None:
        """Deliver the events at times <= til (NetCvode::deliver_events)."""
        s = self.sched
        if self.removed:
            return
        if not s.continuous:
            while self.index < len(s.events) and s.events[self.index] <= til:
                self.value = s.y[self.index]
                self.index += 1
            return
        while self.pending and s.times[self.index] <= til:  # VecPlayContinuous::deliver
            te = s.times[self.index]
            if s.discon is not None:
                self.index, self.pending = self._next_ubound()
            elif self.index < len(s.times) - 1:
                self.index += 1
            else:
                self.pending = False
            if set_value:
                self.value = self.interpolate(te)

    def interpolate(self, tt: float) -> float:
        """VecPlayContinuous::interpolate at tt with the events delivered so far."""
        t, y, ub = self.sched.times, self.sched.y, self.index
        if tt >= t[ub]:
            last = ub
            if last == 0:
                return y[0]
        elif tt <= t[0]:
            return y[0]
        else:
            last = int(np.searchsorted(np.asarray(t), tt, side="right"))  # first index with t > tt
        x0, x1, t0, t1 = y[last - 1], y[last], t[last - 1], t[last]
        if t0 == t1:
            return (x0 + x1) / 2.0
        return x0 + (x1 - x0) * ((tt - t0) / (t1 - t0))


def initial_values(cursors: list[Cursor]) -> list[float | None]:
    """finitialize(): the events at t <= 0 delivered, before the INITIAL blocks; each play's value or None."""
    for c in cursors:
        c.deliver(0.0, set_value=True)
    return [c.value for c in cursors]


def step_values(cursors: list[Cursor], t_start: float, steps: int, dt: float, trips: int = 0, secondorder: float = 0):
    """Per-step values for `steps` fixed steps from t_start [ms]: (start, mid, end, on_start, on, ...), each
    (steps, n): the variable's value at the start of the step (what NEURON's `nrn_thread_table_check`
    builds TABLEs from: events <= t delivered at the end of the previous step, fadvance.cpp
    `nrn_fixed_step_lastpart`, not yet those <= t + dt/2), the value the currents see (t + dt/2, after the events
    <= t + dt/2), the one the state update sees (t + dt), and whether the play has set the variable yet
    at the start / in the step (else the model's own value stays); then, for a play into v or a STATE
    (`ASSIGNS`, its on_start and on False), `assign` (steps, n, 3) and `post` (steps, n): whether it assigns
    mid, end and post in the step (`_assigned_step`). `trips`: the runge round trips of t after each step's state
    update (`bridge.hoc.runge_t`)."""
    n = len(cursors)
    out = [np.zeros((steps, n)) for _ in range(4)]
    on_start, on = np.zeros((steps, n), bool), np.zeros((steps, n), bool)
    assign = np.zeros((steps, n, 3), bool)
    half = 0.5 * dt
    t = t_start
    for k in range(steps):
        tm = t + half
        te = tm + half
        for j, c in enumerate(cursors):
            if c.sched.target.kind in ASSIGNS:
                if not c.removed:
                    _assigned_step(c, tm, te, [a[k, j:j + 1] for a in out[1:]], assign[k, j])
                continue
            if c.value is not None:
                out[0][k, j], on_start[k, j] = c.value, True
            c.deliver(tm, set_value=True)
            if c.removed:
                continue
            if c.sched.continuous:
                out[1][k, j] = c.interpolate(tm)
                out[2][k, j] = c.value = c.interpolate(te)
                on[k, j] = True
                c.deliver(te, set_value=True)  # nrn_fixed_step_lastpart: events <= t + dt, after the update
            elif c.value is not None:
                out[1][k, j] = out[2][k, j] = c.value
                on[k, j] = True
            if not c.sched.continuous:  # nrn_fixed_step_lastpart's nrn_deliver_events: events <= t + dt set
                c.deliver(te)  # the value after the step, which the next step's TABLE check sees first
        t = after_runge_float(te, half * 0.5 if secondorder else half, trips) if trips else te
    return out[0], out[1], out[2], on_start, on, assign, out[3]


def _assigned_step(c: Cursor, tm: float, te: float, values: list, assign) -> None:
    """One step of a play into v or a STATE (`ASSIGNS`): `values` (views of one element each) get what it
    assigns before the currents (mid), after the voltage update before the state update (end) and after the
    step's recording (post); `assign` (3,) says which it assigns. fadvance.cpp `nrn_fixed_step_thread`: the
    events <= t + dt/2 (`deliver_net_events`, vrecord.cpp `VecPlayStep::deliver`) and `fixed_play_continuous`
    before `setup_tree_matrix`; `fixed_play_continuous` again after `nrn_update_voltage`, before `nonvint`;
    `nrn_fixed_step_lastpart`'s `nrn_deliver_events` (events <= t + dt) after `fixed_record_continuous`."""
    mid, end, post = values
    before = (c.index, c.pending, c.next_discon)
    c.deliver(tm, set_value=True)
    if c.sched.continuous:
        mid[0], assign[0] = c.interpolate(tm), True
        end[0] = c.value = c.interpolate(te)
        assign[1] = True
    elif before != (c.index, c.pending, c.next_discon):
        mid[0], assign[0] = c.value, True
    before = (c.index, c.pending, c.next_discon)
    c.deliver(te, set_value=True)
    if before != (c.index, c.pending, c.next_discon):
        post[0], assign[2] = c.value, True


def remove(interp, vector, loc) -> None:
    """`vector.play_remove()`: its plays stop. In the present run they stop where HOC calls it (the run is
    simulated up to there), and the variable keeps the last played value, written back to the model as
    NEURON leaves it there."""
    model = interp.model
    mine = [c for c in model.live.cursors if c.sched.vector is vector and not c.removed]
    if mine and model.initialized is not None:
        model.live.flush()
        if any(c is q for c in mine for q in model.live.queued):  # (bridge.hoc.play_events)
            raise interp.refuse("play_remove() of a Vector whose play is on the event queue of a run with NetCons is "
                                "not supported (NEURON 9.0.2 then crashes at the next continuerun)", loc)
        for c in mine:
            c.removed = True
            if c.value is not None:
                _write_back(interp, c.sched.target, c.value, loc)
        model.live.epoch += 1
    model.plays = [p for p in model.plays if p.vector is not vector]
    model.mutations += 1


def record_removes_plays(interp, vector, loc) -> None:
    """`vector.record(...)`: NEURON first removes every play using the Vector (src/nrniv/vrecord.cpp
    `nrn_vecsim_add`: `nrn_vecsim_remove(yvec)`), so its plays stop as `play_remove()` stops them; a play that uses
    it as its time or index Vector (which NEURON removes too) is refused."""
    from bridge.hoc.vector_play_element import stop

    model = interp.model
    if any(vector is p.tvec or vector is p.discon for p in model.plays):
        raise interp.refuse(f"{vector}.record(...) of a Vector that is the time or index Vector of a play is not "
                            "supported (NEURON removes that play)", loc)
    stop(vector)
    if any(p.vector is vector for p in model.plays):
        remove(interp, vector, loc)


def record_removes_records(interp, vector, loc) -> None:
    """`vector.record(...)` also deletes the records that use `vector` as their time Vector (`a.record(&x, vector)`:
    src/nrncvode/vrecitem.h `VecRecordDiscrete::uses` is true for its t_ too, and `nrn_vecsim_remove(yvec)` deletes
    every PlayRecord that uses yvec). Their Vectors record no more and keep what they hold (filled first, after a
    finitialize, with what they recorded until now)."""
    model = interp.model
    for other, rec in _records_at(interp, vector):
        other.check_filled(interp, loc)
        other._recording, other.recording = None, None
        model.recordings = [r for r in model.recordings if r is not rec]
        model.mutations += 1


def _records_at(interp, vector) -> list:
    """(Vector, its Recording) of every other live Vector that records at the times `vector` holds
    (`a.record(&x, vector)`)."""
    found = []
    for other in list(interp.objects.live.get("Vector", {}).values()):
        rec = getattr(other, "_recording", None)
        if other is not vector and rec is not None and rec.record_times is vector:
            found.append((other, rec))
    return found


def play_index(interp, vector, index: float, loc) -> None:
    """`vector.play(index)` (src/nrniv/vrecord.cpp `nrn_vecsim_add`): the first play or record using `vector`
    (NEURON's `playrec_uses`), taken as a `VecPlayStep`; with none it does nothing. The index is checked as
    `chkarg(index, 0, size - 1)`; then only a statement play acts (`StmtInfo::play_one`: hoc_ac_ = y[index] and its
    statement runs, now), a `&var` play does nothing. bridge's statement plays assign one variable
    (`bridge.hoc.play_statement`): it is set now, in a run the play's present value too (the next event of the
    play sets the next). A Vector that NEURON's cast would misread (a continuous play, a time Vector, a record)
    is refused."""
    model = interp.model
    users = [p for p in model.plays if vector in (p.vector, p.tvec, p.discon)]
    if _records_at(interp, vector):  # NEURON's playrec_uses finds that VecRecordDiscrete (vrecitem.h: uses its t_)
        raise interp.refuse(f"{vector}.play(index) is not supported here: NEURON reads the first play or record "
                            "using the Vector as a discrete play (vrecord.cpp nrn_vecsim_add), here a record that "
                            "samples at the times it holds", loc)
    if not users and getattr(vector, "_recording", None) is None:
        return
    play = users[0] if users else None
    if play is None or play.vector is not vector or play.continuous or getattr(vector, "_recording", None):
        raise interp.refuse(f"{vector}.play(index) is not supported here: NEURON reads the first play or record "
                            "using the Vector as a discrete play (vrecord.cpp nrn_vecsim_add), which it is not "
                            "(a continuous play, a time Vector or a record)", loc)
    size = len(vector.data)  # type: ignore[attr-defined]
    if not 0.0 <= index <= size - 1:
        raise interp.error(f"Vector.play({index:g}): arg 1 out of range (0 to {size - 1})", loc)
    if play.statement is None:
        return
    if play.target.kind in ASSIGNS:
        raise interp.refuse(f"{vector}.play(index) of a statement into {describe(play.target)} is not supported "
                            "(bridge assigns v and STATEs only at the play's moments in the run)", loc)
    value = float(vector.data[int(index)])  # type: ignore[attr-defined]
    if model.initialized is not None:
        model.live.flush()
        for c in model.live.cursors:
            if c.sched.vector is vector and c.sched.target == play.target and not c.removed and c.value is not None:
                c.value = value
        model.live.epoch += 1
    _write_back(interp, play.target, value, loc)
    model.set_global("hoc_ac_", value)


def _write_back(interp, target: PlayTarget, value: float, loc) -> None:
    model = interp.model
    if target.kind in ASSIGNS:  # v or a STATE: the run's state holds what the play assigned, moved on since
        return
    if target.kind == "global":
        model.set_global(target.variable, value)
    elif target.kind == "point":
        for obj in model.point_processes:
            if str(obj) == target.keys[1] and obj.pp is not None:
                obj.pp.params[target.variable] = value
                model.mutations += 1
    else:
        mech, sec_name, x = target.keys
        for sec in model.sections:
            if sec.name == sec_name and target.kind == "cm":
                sec.data.cm[sec.data.segment(x)] = value
                model.mutations += 1
            elif sec.name == sec_name:
                sec.data.set_range(mech, target.variable, value, x)
                model.mutations += 1


def refuse_v_played_at_zero(interp, schedules, loc) -> None:
    """finitialize() without v: NEURON delivers the play events at t <= 0 before it would set v (fadvance.cpp
    `nrn_finitialize`, setv 0), so a play into v with a value then starts the run from it; bridge refuses that."""
    for s in schedules:
        if s.target.kind == "v" and initial_values([Cursor(s)])[0] is not None:
            raise interp.refuse(f"finitialize() without v while a Vector plays into {describe(s.target)} from t <= 0 "
                                "is not supported: NEURON starts that node from the played value", loc)


def carry_over(model, schedules, before, interp, loc) -> None:
    """finitialize() with plays, after a run that played: NEURON's variable holds the last played value
    (until the new play's first event, which may come after t = 0); bridge writes it back into the model,
    unless HOC assigned the variable since (`before`: the model the last run started from)."""
    late = {s.target for s in schedules if Cursor(s).starts_late() and s.target.kind not in ASSIGNS}
    for c in model.live.cursors:
        if c.removed or c.value is None or c.sched.target not in late:
            continue
        now, then = _model_value(model, c.sched.target), _model_value(before, c.sched.target)
        if now == then or (now is not None and then is not None and np.isnan(now) and np.isnan(then)):
            _write_back(interp, c.sched.target, c.value, loc)


def _model_value(model, target: PlayTarget):
    """The variable's own value in the ModelState `model` or a frozen model's tree (`bridge.hoc.live.Frozen`);
    NaN for a range value the model never set."""
    tree = getattr(model, "tree", None)
    if target.kind == "global":
        if hasattr(model, "set_globals") or target.variable != "celsius":  # a ModelState, or a mechanism GLOBAL
            return model.globals.get(target.variable)
        return model.celsius
    if target.kind == "point":
        return next((pp.params.get(target.variable) for pp in tree.point_processes if pp.label == target.keys[1]),
                    None)
    mech, sec_name, x = target.keys
    sec = tree[sec_name]
    if target.kind == "cm":
        return float(sec.cm[sec.segment(x)])
    return float(sec.get_range(mech, target.variable, np.nan)[sec.segment(x)])


def check_not_played(model, kind: str, keys: tuple, variable: str, what: str, loc, interp) -> None:
    """Refuse HOC's read of a variable a Vector plays into in the present run (bridge does not hand the
    played value back to HOC, and the model's own value would be a wrong number)."""
    if model.initialized is None:
        return
    if kind == "global" and variable == "hoc_ac_" and any(c.sched.statement and not c.removed
                                                           for c in model.live.cursors):
        raise interp.refuse("hoc_ac_ is read while a Vector plays a statement: NEURON sets it to each played "
                            "value, bridge does not hand the played values back to HOC", loc)
    for c in model.live.cursors:
        t = c.sched.target
        if c.removed or t.kind != kind or t.variable != variable:
            continue
        if kind in ("range", "cm"):
            same = t.keys[0] == keys[0] and t.keys[1] == keys[1] and model.segment_of(keys[1], t.keys[2]) == keys[2]
        else:
            same = t.keys == keys
        if same:
            raise interp.refuse(f"{what} is read while a Vector plays into it: bridge does not hand the played "
                                "value back to HOC (read it before finitialize(), or record it)", loc)


def recheck_statements(interp, plays, loc) -> None:
    """finitialize(): each statement play's variable resolved again; one that now names another variable than at
    play() is refused (NEURON's statement would write into the new one)."""
    from bridge.hoc.play_statement import statement_ref

    for play in plays:
        if play.statement is None:
            continue
        now = _target(interp, statement_ref(interp, play.statement, loc).what, loc)
        if now != play.target:
            raise interp.refuse(f"Vector.play with a statement: it now names {describe(now)}, not "
                                f"{describe(play.target)} as at play(); bridge does not follow that", loc)
