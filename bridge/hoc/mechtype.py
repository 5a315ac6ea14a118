"""NEURON's MechanismType(0): the density mechanisms by index, as the CellBuilder's membrane
page reads them (`count`, `select(i)` or `select("name")`, `selected(strdef)`).

NEURON numbers its own mechanisms first (nrnoc/init.cpp: morphology, capacitance, pas,
extracellular, fastpas, na_ion, k_ion, hh), then those of the loaded `.mod` files; bridge lists
the model's `.mod` files after NEURON's own (their order only matters to the tool's window).
MechanismType(1) (point processes) is refused: no model-building code of NEURON's tools reads it.
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
        if kind != 0:
            raise interp.refuse("MechanismType(1) (the point process types) is not supported", loc)
        super().__init__(interp)
        extra = sorted(n for n in interp.model.catalog.names() if n not in NEURON_DENSITY)
        self.names = list(NEURON_DENSITY) + extra
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

    def m_menu(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismType.menu", loc)
        return 0.0

    def m_action(self, interp, args, loc):
        interp.model.gui_calls.setdefault("MechanismType.action", loc)
        return 0.0
