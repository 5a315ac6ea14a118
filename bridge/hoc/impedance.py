"""NEURON's `Impedance` class (src/nrniv/impedanc.cpp): `imp.loc(x)`, `imp.compute(freq)`, then
`imp.input(x)`, `imp.transfer(x)`, `imp.ratio(x)`, `imp.input_phase(x)`, `imp.transfer_phase(x)` and
`imp.deltafac()`.
Before any finitialize(), the model is linearised at HOC's v with its STATEs and ASSIGNEDs as NEURON allocates
them (0, or HOC's value), as NEURON does (a model with ions is refused then).

`compute(freq)` linearises the membrane of bridge's live run at its present state (the state after
finitialize/run, with the parameters as HOC has them now) and solves the complex tree system in numpy
(`bridge.solver.impedance`); the currents it evaluates stay in the run, as NEURON's `nrn_rhs` leaves them.
Amplitudes are in MOhm, phases in radians. `compute(freq, 1)` (the `extended` linearisation of the gating
states, nonlinz.cpp) is refused.
"""

from __future__ import annotations

import math

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import Segment, is_number
from bridge.solver import impedance as imp


def _before_finitialize(model, interp, loc):
    """`before(plan, params)` for `LiveRun.linearised` when no run started: NEURON then linearises the values
    its mechanisms were allocated with and the v HOC has. A mechanism's STATEs and ASSIGNEDs are allocated 0
    (nocmodl's `nrn_alloc` sets the PARAMETERs only; measured against NEURON 9.0.2 in
    tests/hoc/test_impedance.py) unless HOC assigned one (a kept ASSIGNED such as util.mod's `dist`, held in
    the parameters); ion variables are allocated from the ion's own defaults, which bridge does not build
    here: a model with ions is refused."""
    import jax.numpy as jnp

    from bridge.hoc import kept_v
    from bridge.hoc.initstate import model_tree

    def before(plan, params):
        if plan.ions:
            raise BridgeError("Impedance.compute() before finitialize() in a model with ion concentrations: NEURON "
                              "linearises the values its ions were allocated with, which bridge does not keep; call "
                              "finitialize() first")
        _refuse_hoc_states(model)
        v = kept_v.node_voltages(model, model_tree(model))
        n = plan.layout.nnode
        mech = {}
        for i in plan.mechanisms:
            given = params["mechanisms"].get(i.name, {})
            mech[i.name] = {k: jnp.broadcast_to(jnp.asarray(0.0 if k in i.mechanism.states else given.get(k, d),
                                                            jnp.float64), (i.size,))
                            for k, d in i.mechanism.state_defaults.items()}
        t = jnp.asarray(float(model.globals["t"]), jnp.float64)
        return {"t": t, "v": jnp.broadcast_to(jnp.asarray(v, jnp.float64), (n,)), "mech": mech, "ions": {}}

    return before


def _refuse_hoc_states(model) -> None:
    """A STATE or a computed variable HOC set before finitialize() (`syn.B = 0.01`, `m_hh = 0.1`): NEURON
    linearises with it, bridge keeps it for HOC to read back only (the objects' `preinit`): refused."""
    for pp in model.point_processes:
        if pp.preinit and pp.sec is not None:
            raise BridgeError(f"Impedance.compute() before finitialize() after HOC set {pp}.{min(pp.preinit)}: "
                              "NEURON linearises with that value, bridge does not; call finitialize() first")
    for sec in model.sections:
        for (mech, name), kept in sec.preinit.items():
            if sec.alive and kept:
                raise BridgeError(f"Impedance.compute() before finitialize() after HOC set {name}_{mech} in "
                                  f"{sec.name}: NEURON linearises with that value, bridge does not; call "
                                  "finitialize() first")


class Impedance(BuiltinObject):
    """`new Impedance()`: the stimulus location and the last compute's results (the module's docstring)."""

    cls = "Impedance"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.sec = None  # the stimulus location (impedanc.cpp `sloc_`, `xloc_`)
        self.x = 0.0
        self.layout = None  # the node layout, transfer and input of the last compute
        self.transfer = self.input = None
        self.istim = -1
        self.delta = 0.001  # deltafac_: used by the extended computation only

    def _where(self, interp, args, loc, name: str, low: float = 0.0):
        """`nrn_seg_or_x_arg`: (section, x) from a segment or from x in the currently accessed section."""
        if args and isinstance(args[0], Segment):
            return args[0].sec, float(args[0].x)
        x = number_arg(interp, args, 0, loc, f"Impedance.{name}")
        if not low <= x <= 1.0:
            raise interp.error(f"Impedance.{name}: arg 1 out of range", loc)
        return (interp.model.current(interp, loc) if x >= 0.0 else None), x

    def m_loc(self, interp, args, loc):
        self.sec, self.x = self._where(interp, args, loc, "loc", -1.0)
        return 0.0

    def m_deltafac(self, interp, args, loc):
        if args:
            value = number_arg(interp, args, 0, loc, "Impedance.deltafac")
            if not 1e-10 <= value <= 1.0:
                raise interp.error("Impedance.deltafac: arg 1 out of range", loc)
            self.delta = value
        return self.delta

    def m_compute(self, interp, args, loc):
        from bridge.hoc.stdrun import _freeze

        freq = number_arg(interp, args, 0, loc, "Impedance.compute")
        if len(args) > 1 and is_number(args[1]) and float(args[1]) != 0.0:
            raise interp.refuse("Impedance.compute(freq, 1): the extended impedance (the gating states "
                                "linearised too, NEURON's nonlinz.cpp) is not supported; compute(freq) is", loc)
        if self.sec is None or not self.sec.alive:
            raise interp.error("Impedance stimulus location is not specified.", loc)
        model = interp.model
        before = None if model.initialized is not None else _before_finitialize(model, interp, loc)
        try:
            layout, d, cm = model.live.linearised(_freeze(model), before)
            self.istim = layout.node(self.sec.name, self.x)
        except UnsupportedFeature as err:
            raise interp.refuse(str(err), loc) from None
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        self.layout = layout
        self.transfer, self.input = imp.solve(layout, d, cm, imp.omega_of(freq), self.istim)
        return 0.0

    def _node(self, interp, args, loc, name: str) -> int:
        sec, x = self._where(interp, args, loc, name)
        if self.layout is None:
            raise interp.error(f"Impedance.{name}() before compute()", loc)
        try:
            return self.layout.node(sec.name, x)
        except BridgeError as err:
            raise interp.error(f"Impedance.{name}: {err} when compute() ran", loc) from None

    def m_input(self, interp, args, loc):
        return abs(self.input[self._node(interp, args, loc, "input")])

    def m_transfer(self, interp, args, loc):
        return abs(self.transfer[self._node(interp, args, loc, "transfer")])

    def m_input_phase(self, interp, args, loc):
        z = self.input[self._node(interp, args, loc, "input_phase")]
        return math.atan2(z.imag, z.real)

    def m_transfer_phase(self, interp, args, loc):
        z = self.transfer[self._node(interp, args, loc, "transfer_phase")]
        return math.atan2(z.imag, z.real)

    def m_ratio(self, interp, args, loc):
        i = self._node(interp, args, loc, "ratio")
        return abs(self.transfer[i] / self.input[i])
