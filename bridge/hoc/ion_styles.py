"""NEURON's `ion_style()` from HOC, per section, as eion.cpp keeps it.

`ion_style("ca_ion", c_style, e_style, einit, eadvance, cinit)` sets the style of the ion on
every node of the currently accessed section that has the ion (eion.cpp `ion_style`); a
mechanism inserted there later promotes it again (`nrn_promote`, called when a mechanism
that uses the ion is allocated). The style is kept in the section's `ion_styles` (the
solver applies it, `bridge.mechanisms.ions.ion_style`). `ion_style("ca_ion")` returns the
style of the section's first node, or -1 where the section has no such ion.
"""

from __future__ import annotations

from bridge.errors import BridgeError
from bridge.hoc.arguments import number_arg, string_arg
from bridge.mechanisms import ions as ionlib


def _uses(model, sec) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(ion, read, write) of every mechanism in `sec`: inserted ones and point processes placed there."""
    uses = []
    for mech in sec.data.mechanisms:
        if not mech.endswith("_ion") and mech in model.catalog:
            uses.extend((ion, read, write) for ion, read, write, _ in model.catalog.get(mech).ions)
    for pp in model.point_processes:
        if pp.sec is sec:
            uses.extend((ion, read, write) for ion, read, write, _ in pp.info.ions)
    for ion, levels in sec.data.ion_promoted.items():  # (bridge.hoc.nseg_points): the first node's
        if levels[0]:
            uses.append((ion, *ionlib.promoted_use(ion, int(levels[0]) % 4, int(levels[0]) // 4)))
    return uses


def current_style(model, sec, ion: str) -> int:
    """The style bitmap of `ion` in `sec` as NEURON would report it; -1 where the ion is absent."""
    uses = [(read, write) for name, read, write in _uses(model, sec) if name == ion]
    if not uses and f"{ion}_ion" not in sec.data.mechanisms:
        return -1
    style = sec.data.ion_styles.get(ion, 0)
    names = ionlib.variable_names(ion)
    for read, write in uses:
        if ion not in sec.data.ion_styles:
            style = ionlib.promote(style, *ionlib.promotion(ion, read, write))
        if names["ci"] in write:
            style |= ionlib.WRITES_CI
        if names["co"] in write:
            style |= ionlib.WRITES_CO
    return style


def promote_section(sec, ions) -> None:
    """A mechanism using `ions` ((ion, read, write, valence) ...) was inserted or placed in `sec`:
    NEURON's `nrn_promote` raises a style the model set with ion_style()."""
    for ion, read, write, _ in ions:
        if ion in sec.data.ion_styles:
            sec.data.ion_styles[ion] = ionlib.promote(sec.data.ion_styles[ion], *ionlib.promotion(ion, read, write))


def hoc_ion_style(interp, args, loc):
    """`ion_style("ca_ion" [, c_style, e_style, einit, eadvance, cinit])`: the previous style (or -1)."""
    name = string_arg(interp, args, 0, loc, "ion_style")
    model = interp.model
    ion = name[: -len("_ion")] if name.endswith("_ion") else ""
    if not ion or ion not in model.catalog.ions():
        raise interp.error(f"ion_style: {name} is not an ion", loc)
    sec = model.current(interp, loc)
    old = current_style(model, sec, ion)
    if len(args) > 1:
        if len(args) != 6:
            raise interp.error("ion_style: give the ion and five styles (c_style, e_style, einit, eadvance, "
                               "cinit)", loc)
        try:
            bits = ionlib.style_bits(*(number_arg(interp, args, i, loc, "ion_style") for i in range(1, 6)))
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        if old >= 0:  # NEURON sets it on the nodes that have the ion, and nowhere else
            sec.data.ion_styles[ion] = bits
            model.mutations += 1
        model.ion_styles[name] = tuple(int(number_arg(interp, args, i, loc, "ion_style")) for i in range(1, 6))
    return float(old)
