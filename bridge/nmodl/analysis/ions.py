"""The ion pass: USEION statements → which ion variables the mechanism reads, writes and owns.

nocmodl loads every READ variable, and written concentrations, from the ion before each
block; a written current or reversal potential is the mechanism's own variable, summed
into the ion's after BREAKPOINT. A new species without VALENCE is accepted, as nocmodl
does (it matters only once NEURON needs the Nernst potential; `bridge.mechanisms.ions`
decides then).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.errors import SemanticError
from bridge.mechanisms.protocol import IonUse
from bridge.nmodl.analysis.info import Reporter
from bridge.nmodl.syntax import ast


@dataclass(frozen=True)
class Ions:
    """The USEION statements of one mechanism, resolved."""

    uses: tuple[IonUse, ...]
    of: dict[str, str]  # ion variable name -> ion
    reads: tuple[str, ...]  # loaded from the ion before each block (READ + written concentrations)
    writes: tuple[str, ...]  # written by the mechanism (currents, concentrations, e)

    @property
    def currents(self) -> tuple[str, ...]:
        """Written ion currents (ina, ...), in NEURON's order."""
        ions = {u.ion for u in self.uses}
        return tuple(n for n in self.writes if n.startswith("i") and n[1:] in ions)


def read_ions(neuron: ast.NeuronBlock, report: Reporter) -> Ions:
    """The ions of the NEURON block's USEION statements; a name that is not a variable of its ion is an error."""
    of: dict[str, str] = {}
    reads: list[str] = []
    writes: list[str] = []
    uses: list[IonUse] = []
    for use in neuron.ions:
        uses.append(IonUse(use.ion, tuple(use.read), tuple(use.write), use.valence))
        allowed = {f"e{use.ion}", f"{use.ion}i", f"{use.ion}o", f"i{use.ion}"}
        for n in use.read + use.write:
            if n not in allowed:
                raise report.error(SemanticError, f"USEION {use.ion}: {n!r} is not a variable of ion {use.ion} "
                                   f"(one of {', '.join(sorted(allowed))})", use)
            of[n] = use.ion
        loads = list(use.read) + [n for n in use.write if n in (f"{use.ion}i", f"{use.ion}o")]
        reads += [n for n in dict.fromkeys(loads) if n not in reads]
        writes += [n for n in use.write if n not in writes]
    return Ions(tuple(uses), of, tuple(reads), tuple(writes))
