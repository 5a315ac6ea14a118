"""NEURON's MechanismType(0): the density mechanisms by index, as the CellBuilder's membrane
page reads them (`count`, `select(i)` or `select("name")`, `selected(strdef)`).

NEURON numbers its own mechanisms first (nrnoc/init.cpp: morphology, capacitance, pas,
extracellular, fastpas, na_ion, k_ion, hh), then those the model's `.mod` files register, file by
file in nrnivmodl's (sorted) order: each file's new ions first (its `_reg` calls `ion_reg` for each
USEION before `register_mech`), then the mechanism if it is a density one (`density`). Bridge's own
point processes and VecStim are NEURON's built-in point processes, not in this list.
MechanismType(1): the point processes (the NetBuilder's SynTypeGUI lists the NetCon targets among them).
"""

from __future__ import annotations

from pathlib import Path

from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import StrVar

NEURON_DENSITY = ("morphology", "capacitance", "pas", "extracellular", "fastpas", "na_ion", "k_ion", "hh")


def density(catalog) -> list[str]:
    """MechanismType(0)'s names in NEURON's order: its own, then per model file its new ions and its
    density mechanism; mechanisms HOC defined while running (KSChan) last, in creation order."""
    from bridge.nmodl.load import BUILTIN_DIR  # imports the translator (JAX): only when asked

    builtin = BUILTIN_DIR.resolve()
    names = list(NEURON_DENSITY)
    for name in catalog.names():
        if name in NEURON_DENSITY:
            continue
        info = catalog.get(name)
        if info.path is not None and Path(info.path).resolve().parent == builtin:
            continue  # bridge's copy of a NEURON built-in (stim.mod's IClamp, netstim.mod, ...)
        for ion, *_ in info.ions:
            if f"{ion}_ion" not in names:
                names.append(f"{ion}_ion")
        if info.kind == "density":
            names.append(name)
    return names


class MechanismType(BuiltinObject):
    """`new MechanismType(0)`: density mechanisms, one of them selected."""

    cls = "MechanismType"

    def __init__(self, interp, args, loc):
        kind = number_arg(interp, args, 0, loc, "MechanismType")
        if kind not in (0, 1):
            raise interp.error(f"MechanismType({kind:g}): the type is 0 (density) or 1 (point processes)", loc)
        super().__init__(interp)
        catalog = interp.model.catalog
        if kind == 1:
            self.names = sorted(n for n in catalog.names() if catalog.get(n).kind in ("point", "artificial"))
        else:
            self.names = density(catalog)
        self.point = kind == 1
        self.current = 0 if self.names else -1  # NEURON: the first type is selected at creation

    def m_count(self, interp, args, loc):
        return float(len(self.names))

    def m_select(self, interp, args, loc):
        arg = args[0] if args else None
        if isinstance(arg, (str, StrVar)):
            name = arg.value if isinstance(arg, StrVar) else arg
            if name in self.names:  # NEURON keeps the selection for a name it does not know
                self.current = self.names.index(name)
        else:
            i = int(number_arg(interp, args, 0, loc, "MechanismType.select"))
            if not 0 <= i < len(self.names):
                raise interp.error(f"MechanismType.select({i}): Arg out of range in user function (NEURON "
                                   f"refuses it too: {len(self.names)} types)", loc)
            self.current = i
        return 0.0

    def m_selected(self, interp, args, loc):
        """`mt.selected()`: the index; `mt.selected(s)` also puts the name in s."""
        if args and isinstance(args[0], StrVar):
            args[0].value = self.names[self.current] if self.current >= 0 else ""
        return float(self.current)

    def m_remove(self, interp, args, loc):
        """`mt.remove()`: uninsert the selected mechanism from the current section."""
        if self.current < 0:
            raise interp.error("MechanismType.remove: no mechanism is selected", loc)
        interp.model.uninsert(interp.model.current(interp, loc), self.names[self.current])
        return 0.0

    def _info(self, interp, args, loc, what):
        i = int(number_arg(interp, args, 0, loc, f"MechanismType.{what}"))
        if not self.point or not 0 <= i < len(self.names):
            raise interp.error(f"MechanismType.{what}({i}): not a point process of this MechanismType(1)", loc)
        return interp.model.catalog.get(self.names[i])

    def m_is_netcon_target(self, interp, args, loc):
        """1 when point process i has a NET_RECEIVE block (NEURON's pnt_receive)."""
        return float(self._info(interp, args, loc, "is_netcon_target").net_receive)

    def m_has_net_event(self, interp, args, loc):
        """1 for an ARTIFICIAL_CELL. A POINT_PROCESS that calls net_event() is answered 0 (it is listed as a
        synapse type in the NetBuilder's menu; nothing a model simulates depends on the answer)."""
        return float(self._info(interp, args, loc, "has_net_event").kind == "artificial")

    def m_menu(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismType.menu", loc)
        return 0.0

    def m_action(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismType.action", loc)
        return 0.0
