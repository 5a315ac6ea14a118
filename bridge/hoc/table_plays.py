"""A Vector.play into a GLOBAL that a TABLE with side values DEPENDs on: refused.

With a played GLOBAL, NEURON checks the TABLEs at every step (nocmodl's `_check_<name>`: at the step's start in
`nrn_thread_table_check` for a vectorized mechanism, at the first tabulated call in `nrn_state` or `nrn_cur`
otherwise), and each rebuild also runs the PROCEDURE's other assignments (a Mainen-style `tadj`, a GLOBAL, a
file LOCAL, the first instance's ASSIGNEDs) at every table point. bridge rebuilds the table inside the traced
step (`bridge.solver.stepper.make_advance`) but applies those side values at finitialize() only
(`bridge.nmodl.runtime.mechanism._table_side`): the run would go on with the old value (8 mV off within 4 ms
for the test's tadj that reads the played `temp`). Until the step applies them at NEURON's moment, such a run is
refused, naming the .mod file and line of the TABLE, the variable and the GLOBAL.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature


def refuse_played_depend(plan, setters: tuple) -> None:
    """Raise when a Vector.play setter (`bridge.hoc.live.play_setters`: kind "global", the GLOBAL's HOC name)
    writes a DEPEND value of a TABLE group whose PROCEDUREs assign side values (`table_group_sides`)."""
    played = {name for kind, name, *_ in setters if kind == "global"}
    if not played:
        return
    for inst in plan.mechanisms:
        mech = inst.mechanism
        for (depend, _), (sides, line) in zip(getattr(mech, "table_groups", ()),
                                              getattr(mech, "table_group_sides", ()), strict=False):
            hit = [d for d in depend if d in played or f"{d}_{mech.name}" in played]
            if sides and hit:
                hoc = hit[0] if hit[0] in played else f"{hit[0]}_{mech.name}"
                raise UnsupportedFeature(
                    f"Vector.play into {hoc}: the TABLE at {mech.source_file}:{line} DEPENDs on it and its PROCEDURE "
                    f"also assigns {', '.join(sides)}; NEURON rebuilds the table during the run and sets "
                    "them at each rebuild, bridge applies them at finitialize() only")
