"""NEURON's MechanismType(0): the density mechanisms by index, as the CellBuilder's membrane
page reads them (`count`, `select(i)` or `select("name")`, `selected(strdef)`).

NEURON numbers its own mechanisms first (nrnoc/init.cpp: morphology, capacitance, pas,
extracellular, fastpas, na_ion, k_ion, hh), then those of the loaded `.mod` files; bridge lists
the model's `.mod` files after NEURON's own (their order only matters to the tool's window).
MechanismType(1): the point processes (the NetBuilder's SynTypeGUI lists the NetCon targets among them).
"""

from __future__ import annotations

from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import StrVar

NEURON_DENSITY = ("morphology", "capacitance", "pas", "extracellular", "fastpas", "na_ion", "k_ion", "hh")


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
            extra = sorted(n for n in catalog.names() if n not in NEURON_DENSITY)
            self.names = list(NEURON_DENSITY) + extra
        self.point = kind == 1
        self.current = -1

    def m_count(self, interp, args, loc):
        return float(len(self.names))

    def m_select(self, interp, args, loc):
        arg = args[0] if args else None
        if isinstance(arg, (str, StrVar)):
            name = arg.value if isinstance(arg, StrVar) else arg
            self.current = self.names.index(name) if name in self.names else -1
        else:
            i = int(number_arg(interp, args, 0, loc, "MechanismType.select"))
            self.current = i if 0 <= i < len(self.names) else -1
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
