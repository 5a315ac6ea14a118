"""nocmodl's numbering of a KINETIC scheme's states (NEURON 9.0.2 src/nocmodl/kinetic.cpp `massagekinetic`).

The number of a state is its row and column in the Newton matrix; scopmath's sparse solver breaks ties
in its pivot order by it (`bridge.nmodl.runtime.scopmath_sparse`), so the rounding of every step
depends on it:

- first the rows that CONSERVE statements replace: the statements taken last first, each taking its
  last term (terms taken last first) that is a scalar state not numbered yet;
- then the other states of the scheme in nocmodl's symbol-table order (`SYMITER`): by the first
  character of the name ('A' to 'z', ASCII), and within one first character the name the lexer met
  last comes first (`install` puts a symbol at the head of its list); an array takes as many numbers
  as it has elements.

The lexer's order is the order of the file's names (`ast.Program.names`, INCLUDEd files where they
are included). A state named like one of nocmodl's own symbols (installed before the file is read:
`exp`, `sin`, ... of src/nocmodl/extdef.h) would sort after the file's names in its list; bridge
assumes none is.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.syntax import ast


def numbering(block: ast.KineticBlock, used: set[str], info: MechanismInfo) -> tuple[list[str], dict[int, str]]:
    """(the scheme's state names in nocmodl's order, arrays as one name; the state whose row each
    top-level CONSERVE of `block` replaces, by the statement's index in `block.body`)."""
    arrays = {n for n, v in info.variables.items() if v.kind == "state" and v.size}
    first = {name: i for i, (name, _, _) in enumerate(info.program.names)}
    order: list[str] = []
    rows: dict[int, str] = {}
    conserves = [(i, st) for i, st in enumerate(block.body) if isinstance(st, ast.Conserve)]
    for i, st in reversed(conserves):
        row = next((r.name for r in reversed(st.lhs) if r.name in used and r.name not in arrays
                    and r.name not in order), None)
        if row is None:  # nocmodl: "Failed to diagonalize the Kinetic matrix"
            raise UnsupportedFeature("CONSERVE without a scalar STATE of this scheme whose row is still free "
                                     "(nocmodl: failed to diagonalize the kinetic matrix)", info.where(st),
                                     info.source)
        order.append(row)
        rows[i] = row
    rest = sorted((n for n in used if n not in order), key=lambda n: (ord(n[0]), -first.get(n, -1)))
    return order + rest, rows
