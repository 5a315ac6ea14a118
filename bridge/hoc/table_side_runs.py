"""Runs whose TABLE side values bridge does not apply as NEURON does: refused, naming the .mod file.

A tabulated PROCEDURE may assign variables besides its TABLE names (a Mainen-style `tadj`, a GLOBAL, a file
LOCAL, the first instance's ASSIGNEDs: `bridge.nmodl.codegen.tables.side_assigned`).

- `refuse_played_depend`: with a played GLOBAL, NEURON checks the TABLEs at every step (nocmodl's
  `_check_<name>`: at the step's start in `nrn_thread_table_check` for a vectorized mechanism, at the first
  tabulated call otherwise), and each rebuild also runs those assignments. bridge rebuilds the table inside the
  traced step (`bridge.solver.stepper.make_advance`) but applies side values at finitialize() only
  (`bridge.nmodl.runtime.mechanism._table_side`): the run went on with the old value (8 mV off within 4 ms
  for the test's tadj that reads the played `temp`).
- `refuse_table_off_shared`: with `usetable_<suffix>` = 0 the PROCEDURE runs its own code in every instance,
  and a GLOBAL it assigns is one C variable the instances overwrite in turn; where two instances may set it
  differently and a block reads it before assigning it (`analysis.table_points.table_off_shared`), NEURON's
  instances read the last writer's value, bridge's each its own.
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


def refuse_table_off_shared(sim, params: dict, dt: float, secondorder: int) -> None:
    """Raise when a mechanism runs with `usetable_<suffix>` = 0 and has GLOBALs its tabulated PROCEDURE assigns
    that NEURON's instances share but bridge's do not (`TranslatedMechanism.table_off_shared`)."""
    from bridge.solver.step import _table_env

    for inst in sim.plan.mechanisms:
        mech = inst.mechanism
        names = getattr(mech, "table_off_shared", ())
        if not names or inst.size < 2:
            continue
        scope = mech._table_scope(_table_env(sim.plan, inst, params, dt, secondorder))
        if not scope.get(f"usetable_{mech.name}", 1.0):
            raise UnsupportedFeature(
                f"usetable_{mech.name} = 0: the tabulated PROCEDURE of {mech.source_file} assigns {', '.join(names)}, "
                "one variable in NEURON that each instance overwrites and a block reads (the last writer's value "
                "for every instance), which may differ between instances; bridge keeps one per instance")
