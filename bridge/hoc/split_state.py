"""What HOC reads of the cells' topology while ParallelComputeTool.multisplit(1) holds (bridge.hoc.parcom).

parcom.hoc's split() disconnects each cell's sections and joins the pieces by split ids (NEURON 9.0.2:
`topology()` then prints every piece as a root), and unsplit() connects them back, each piece as its parent's
last child. bridge keeps every cell whole, which solves the same equations; what HOC would read of the pieces
(parents, children, roots, distances, orientation) is refused while the split holds.
"""

from __future__ import annotations


def refuse_while_split(interp, what: str, loc) -> None:
    """Refuse `what` (a topology read) while the cells are split by ParallelComputeTool.multisplit(1)."""
    if getattr(interp.model, "cells_split", False):
        raise interp.refuse(f"{what} while ParallelComputeTool.multisplit(1) holds is not supported: NEURON then "
                            "has each cell cut into disconnected pieces (parcom.hoc split()), bridge keeps it whole",
                            loc)
