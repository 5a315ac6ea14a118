"""LONGITUDINAL_DIFFUSION: the coefficients NEURON's longitudinal diffusion reads, per STATE and array index.

nocmodl (kinetic.cpp `massageldifus`, nocpout.cpp; which STATEs: `analysis.ldifus`) lifts each
`LONGITUDINAL_DIFFUSION i, D*area[i] {x}` out of its KINETIC block into a callback
`_difcoef<k>(_i, ...)` that returns the rate expression (the diffusion constant times the
cross-section area) and stores the volume of the first COMPARTMENT statement listing the STATE
(its expression with its own index name bound to the same `_i`); `_difusfunc` calls NEURON's
solver once per STATE and array index (`for (_i=0; _i < n; ++_i)`). The KINETIC block itself
runs without them. bridge generates

    LONG_DIFFUSION = (("ca", 4), ("x", 0))  # (STATE, array size; 0 for a scalar), in the file's order
    def long_diffusion(s): ...  # ((rate, volume) per instance, per STATE and index, in that order)

and `bridge.solver.long_diffusion` solves the longitudinal system with them after every mechanism's SOLVE.
"""

from __future__ import annotations

from bridge.nmodl.analysis.info import MechanismInfo, Reporter
from bridge.nmodl.analysis.ldifus import diffused_states
from bridge.nmodl.codegen.context import Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import expr
from bridge.nmodl.codegen.pytext import string
from bridge.nmodl.codegen.statements import flush


def long_diffusion_def(info: MechanismInfo, em: Emitter) -> None:
    """Emit `LONG_DIFFUSION` and, when the file has any, `long_diffusion(s)` (module docstring)."""
    species = diffused_states(info.program, info.variables, Reporter(info.filename, info.source))
    em.line("LONG_DIFFUSION = (" + "".join(f"({string(d.name)}, {d.size}), " for d in species) + ")")
    em.line()
    if not species:
        return
    first = species[0].statement
    em.line("def long_diffusion(s):", first)
    em.indent()
    em.line('"""LONGITUDINAL_DIFFUSION: (rate, COMPARTMENT volume) per STATE and index (nocmodl\'s _difcoef)."""')
    em.line("l = {}")
    em.line("out = ()")
    for d in species:
        node, compartment = d.statement, d.compartment
        ctx = Context(info, em.module, "kinetic")
        ctx.locals |= {i for i in (node.index, compartment.index) if i}
        em.line(f"for _c in range({max(d.size, 1)}):", node)
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
