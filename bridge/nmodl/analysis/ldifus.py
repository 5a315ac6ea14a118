"""LONGITUDINAL_DIFFUSION statements: which STATEs diffuse, with which rate and COMPARTMENT volume.

nocmodl (kinetic.cpp `massageldifus`) records, for each name of a `LONGITUDINAL_DIFFUSION [i,] rate {names}`
in a KINETIC block, in the file's order, the rate expression and the volume of the first earlier
COMPARTMENT statement that lists the name; it refuses a name that is not a STATE ("must be a (solved)
STATE") or that no COMPARTMENT lists ("must be declared in COMPARTMENT"). A concentration declared as a
STATE (`STATE { nai }`) is the ion's own variable, and NEURON diffuses that.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.syntax import ast


@dataclass(frozen=True)
class Diffused:
    """One diffusing STATE: its array size (0 for a scalar), its statement and its COMPARTMENT."""

    name: str
    size: int
    statement: ast.LongitudinalDiffusion
    compartment: ast.Compartment


def diffused_states(program: ast.Program, variables: dict[str, Variable], report: Reporter) -> tuple[Diffused, ...]:
    """The diffusing STATEs in nocmodl's order (module docstring); refuse what nocmodl refuses."""
    out: list[Diffused] = []
    compartments: list[ast.Compartment] = []
    for item in program.items:
        for node in ast.walk(item):
            if isinstance(node, ast.LongitudinalDiffusion) and not isinstance(item, ast.KineticBlock):
                raise report.error(UnsupportedFeature, "LONGITUDINAL_DIFFUSION outside a KINETIC block", node)
        if not isinstance(item, ast.KineticBlock):
            continue
        for node in ast.walk(item):
            if isinstance(node, ast.Compartment):
                compartments.append(node)
            elif isinstance(node, ast.LongitudinalDiffusion):
                if not any(n is node for n in item.body):
                    raise report.error(UnsupportedFeature, "LONGITUDINAL_DIFFUSION inside a nested statement "
                                       "(nocmodl registers it once, outside any loop or IF)", node)
                for name in node.names:
                    var = variables.get(f"__state__{name}") or variables.get(name)
                    if var is None or var.kind != "state":
                        raise report.error(UnsupportedFeature, f"LONGITUDINAL_DIFFUSION of {name}, which is not a "
                                           "STATE (nocmodl: must be a (solved) STATE)", node)
                    compartment = next((c for c in compartments if name in c.names), None)
                    if compartment is None:
                        raise report.error(UnsupportedFeature, f"LONGITUDINAL_DIFFUSION of {name}, which no earlier "
                                           "COMPARTMENT lists (nocmodl: must be declared in COMPARTMENT)", node)
                    out.append(Diffused(name, int(var.size or 0), node, compartment))
    return tuple(out)
