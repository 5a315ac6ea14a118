"""LONGITUDINAL_DIFFUSION: the coefficients NEURON's longitudinal diffusion reads, per STATE and array index.

nocmodl (kinetic.cpp `massageldifus`, nocpout.cpp) lifts each `LONGITUDINAL_DIFFUSION i, D*area[i] {x}`
out of its KINETIC block into a callback `_difcoef<k>(_i, ...)` that returns the rate expression (the
diffusion constant times the cross-section area) and stores the volume of the first COMPARTMENT statement
listing the STATE (its expression with its own index name bound to the same `_i`); `_difusfunc` calls
NEURON's solver once per STATE and array index (`for (_i=0; _i < n; ++_i)`). The KINETIC block itself
runs without them. bridge generates

    LONG_DIFFUSION = (("ca", 4), ("x", 0))  # (STATE, array size; 0 for a scalar), in the file's order
    def long_diffusion(s): ...  # ((rate, volume) per instance, per STATE and index, in that order)

and `bridge.solver.long_diffusion` solves the longitudinal system with them after every mechanism's SOLVE.
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.pytext import string
from bridge.nmodl.codegen.statements import flush
from bridge.nmodl.syntax import ast


def diffused(info: MechanismInfo) -> list[tuple[str, int, ast.LongitudinalDiffusion, ast.Compartment]]:
    """(STATE, array size or 0, its LONGITUDINAL_DIFFUSION, its COMPARTMENT) in nocmodl's order (the file's).

    nocmodl refuses a name that is not a STATE of the block's SOLVE or not in an earlier COMPARTMENT
    ("must be declared in COMPARTMENT"); so does bridge."""
    out: list[tuple[str, int, ast.LongitudinalDiffusion, ast.Compartment]] = []
    compartments: list[ast.Compartment] = []
    for block in info.blocks.values():
        if not isinstance(block, ast.KineticBlock):
            continue
        for node in ast.walk(block):
            if isinstance(node, ast.Compartment):
                compartments.append(node)
            elif isinstance(node, ast.LongitudinalDiffusion):
                if not any(n is node for n in block.body):
                    raise info_error(info, "LONGITUDINAL_DIFFUSION inside a nested statement (nocmodl registers "
                                     "it once, outside any loop or IF)", node)
                for name in node.names:
                    # a concentration declared as a STATE (`STATE { nai }`) is the ion's value: NEURON diffuses
                    # the ion's own variable (nocmodl passes a negative sindex, ldifus.cpp takes its pointer)
                    var = info.variables.get(f"__state__{name}") or info.variables.get(name)
                    if var is None or var.kind != "state":
                        raise info_error(info, f"LONGITUDINAL_DIFFUSION of {name}, which is not a STATE (nocmodl: "
                                         "must be a (solved) STATE)", node)
                    compartment = next((c for c in compartments if name in c.names), None)
                    if compartment is None:
                        raise info_error(info, f"LONGITUDINAL_DIFFUSION of {name}, which no earlier COMPARTMENT "
                                         "lists (nocmodl: must be declared in COMPARTMENT)", node)
                    out.append((name, int(var.size or 0), node, compartment))
    return out


def info_error(info: MechanismInfo, message: str, node: ast.Node) -> UnsupportedFeature:
    return UnsupportedFeature(message, info.where(node), info.source)


def long_diffusion_def(info: MechanismInfo, em: Emitter) -> None:
    """Emit `LONG_DIFFUSION` and, when the file has any, `long_diffusion(s)` (module docstring)."""
    species = diffused(info)
    em.line("LONG_DIFFUSION = (" + "".join(f"({string(n)}, {size}), " for n, size, _, _ in species) + ")")
    em.line()
    if not species:
        return
    first = species[0][2]
    em.line("def long_diffusion(s):", first)
    em.indent()
    em.line('"""LONGITUDINAL_DIFFUSION: (rate, COMPARTMENT volume) per STATE and index (nocmodl\'s _difcoef)."""')
    em.line("l = {}")
    em.line("out = ()")
    for name, size, node, compartment in species:
        ctx = Context(info, em.module, "kinetic")
        ctx.locals |= {i for i in (node.index, compartment.index) if i}
        em.line(f"for _c in range({max(size, 1)}):", node)
        em.indent()
        for index in dict.fromkeys(i for i in (node.index, compartment.index) if i):
            em.line(f"l[{string(index)}] = _c")
        rate = expr(node.rate, ctx)
        volume = expr(compartment.volume, ctx)
        flush(ctx, em, node)
        em.line(f"out = out + (({rate}, {volume}),)", node)
        em.dedent()
    em.line("return out")
    em.dedent()
    em.line()
