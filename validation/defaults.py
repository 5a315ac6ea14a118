"""The default protocol for a model that defines none: current steps at the soma, soma and a distal dendrite recorded.

Pure functions over a list of sections `(name, parent, parent_x, L)` (parent
None for a root), so that the NEURON side and the tests use the same rules:
- the soma-like root: the first section whose own name (after any template
  prefix such as `Cell[0].`) starts with "soma", a root preferred; otherwise
  the first root section;
- the distal dendrite: the section of the soma's cell whose far end is the
  farthest along the tree from the soma (path distance, [um]);
- `DEFAULT_AMPS` [nA] as three IClamp steps, each lasting 20% of tstop,
  starting at 10%, 40% and 70% of tstop;
- tstop: `DEFAULT_TSTOP` [ms] when neither the protocol nor the model set one
  (the model's tstop is NEURON's default 5 ms).
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_AMPS = (0.1, 0.2, 0.4)  # [nA]
DEFAULT_TSTOP = 100.0  # [ms]
NEURON_TSTOP = 5.0  # [ms], NEURON's default tstop

SectionInfo = tuple[str, "str | None", float, float]  # name, parent, parent_x, L [um]


def _own_name(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


def soma_like(sections: Sequence[SectionInfo]) -> str:
    """The soma-like root section's name (see module docstring)."""
    if not sections:
        raise ValueError("the model has no sections")
    somas = [s for s in sections if _own_name(s[0]).startswith("soma")]
    roots = [s for s in somas if s[1] is None]
    if roots or somas:
        return (roots or somas)[0][0]
    return next((s[0] for s in sections if s[1] is None), sections[0][0])


def path_distances(sections: Sequence[SectionInfo], origin: str) -> dict[str, float]:
    """Distance [um] along the tree from the middle of `origin` to the 1 end of every section of
    its cell (x measured from each section's 0 end, as `connect` places it)."""
    info = {s[0]: s for s in sections}

    def chain(name: str) -> list[str]:  # name, its parent, ..., the root
        out = [name]
        while info[out[-1]][1] is not None:
            out.append(info[out[-1]][1])
        return out

    def from_root(name: str, x: float) -> float:
        c = chain(name)
        d = x * info[name][3]
        for kid, parent in zip(c, c[1:]):
            d += info[kid][2] * info[parent][3]
        return d

    def entry(path: list[str], common: str, x: float) -> float:  # where the path to `common` enters it
        i = path.index(common)
        return x if i == 0 else info[path[i - 1]][2]

    o_chain = chain(origin)
    out = {}
    for name in info:
        n_chain = chain(name)
        if n_chain[-1] != o_chain[-1]:
            continue  # another cell
        common = next(s for s in n_chain if s in o_chain)
        xo, xn = entry(o_chain, common, 0.5), entry(n_chain, common, 1.0)
        out[name] = ((from_root(origin, 0.5) - from_root(common, xo)) + (from_root(name, 1.0) - from_root(common, xn))
                     + abs(xo - xn) * info[common][3])
    return out


def distal(sections: Sequence[SectionInfo], soma: str) -> str:
    """The section whose far end is farthest from the soma (the soma itself for a one-section cell)."""
    far = path_distances(sections, soma)
    return max(far, key=lambda name: (far[name], name != soma))


def tstop_for(protocol_tstop: float | None, model_tstop: float, defaults_apply: bool) -> float:
    """The tstop to run [ms]."""
    if protocol_tstop is not None:
        return float(protocol_tstop)
    if defaults_apply and model_tstop == NEURON_TSTOP:
        return DEFAULT_TSTOP
    return float(model_tstop)


def steps(soma: str, tstop: float) -> list[dict[str, float]]:
    """The default IClamp steps at soma(0.5), as IClamp fields."""
    return [{"section": soma, "x": 0.5, "delay": (0.1 + 0.3 * k) * tstop, "dur": 0.2 * tstop, "amp": amp}
            for k, amp in enumerate(DEFAULT_AMPS)]
