"""Morphology plots (a Jaxley `plot_morph` counterpart), optionally coloured by a value per node.

matplotlib is imported only when a plot is made (the optional `plot` extra). Without an
`ax`, figures are drawn on matplotlib's Agg canvas, never through pyplot, so plotting
works headless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bridge.errors import BridgeError
from bridge.morphology.arrays import BranchArrays, branch_arrays, interpolate_xyz
from bridge.morphology.tree import SectionTree


def _matplotlib():
    try:
        import matplotlib  # noqa: F401
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise BridgeError("plotting needs matplotlib: pip install 'bridge-neuron[plot]'") from err
    return Figure, LineCollection


def compartment_values(morph: BranchArrays, values: np.ndarray) -> np.ndarray:
    """`values` per compartment: given per NEURON node (length = number of nodes of the
    `node_layout`, e.g. a voltage error at every node) or already per compartment."""
    values = np.asarray(values, dtype=float).ravel()
    if len(values) == morph.ncomp:
        return values
    if len(values) == len(morph.node_levels):
        return values[morph.comp_nodes]
    raise BridgeError(f"plot_morph: {len(values)} values, expected one per compartment ({morph.ncomp}) "
                      f"or one per NEURON node ({len(morph.node_levels)})")


def _segments(morph: BranchArrays, dims: tuple[int, int], points_per_comp: int) -> list[np.ndarray]:
    """Polyline of every compartment (x from c/nseg to (c+1)/nseg of its branch), in `dims`."""
    out = []
    for b in range(morph.nbranch):
        n = int(morph.nseg[b])
        for c in range(n):
            locs = np.linspace(c / n, (c + 1) / n, points_per_comp)
            xyz = interpolate_xyz(locs, morph.xyzr[b])
            out.append(xyz[:, list(dims)])
    return out


def plot_morph(morph: BranchArrays | SectionTree, values: np.ndarray | None = None, *,
               dims: tuple[int, int] = (0, 1), ax: Any = None, col: str = "k", cmap: str = "viridis",
               vmin: float | None = None, vmax: float | None = None, linewidth: float | None = None,
               colorbar: bool = True, label: str | None = None, log: bool = False) -> Any:
    """Draw the morphology in the plane of `dims` (0=x, 1=y, 2=z), one line per compartment.

    With `values` (per NEURON node or per compartment) the compartments are coloured by
    value with `cmap` (`log=True` for a logarithmic scale, e.g. for |dV| errors) and a
    colour bar labelled `label`; otherwise every line has colour `col`. Line widths follow
    the compartment diameters unless `linewidth` is given. Returns the matplotlib Axes.
    """
    Figure, LineCollection = _matplotlib()
    from matplotlib.colors import LogNorm, Normalize

    if isinstance(morph, SectionTree):
        morph = branch_arrays(morph)
    if len(dims) != 2 or not all(d in (0, 1, 2) for d in dims):
        raise BridgeError(f"plot_morph: dims must be two of 0, 1, 2, got {dims}")
    if ax is None:
        fig = Figure(figsize=(5, 4))
        ax = fig.add_subplot(1, 1, 1)
    segments = _segments(morph, dims, points_per_comp=5)
    if linewidth is None:
        widths = np.clip(2.0 * morph.radii / max(float(np.max(morph.radii)), 1e-12) * 4.0, 0.5, 6.0)
    else:
        widths = np.full(len(segments), float(linewidth))
    lines = LineCollection(segments, linewidths=widths, capstyle="round")
    if values is None:
        lines.set_color(col)
    else:
        v = compartment_values(morph, values)
        norm: Normalize
        if log:
            positive = v[v > 0]
            lo = vmin if vmin is not None else (float(positive.min()) if len(positive) else 1e-16)
            hi = vmax if vmax is not None else max(float(v.max()), lo * 10)
            norm = LogNorm(vmin=lo, vmax=hi)
            v = np.clip(v, lo, None)
        else:
            norm = Normalize(vmin=vmin if vmin is not None else float(v.min()),
                             vmax=vmax if vmax is not None else float(v.max()))
        lines.set_array(v)
        lines.set_cmap(cmap)
        lines.set_norm(norm)
    ax.add_collection(lines)
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    names = "xyz"
    ax.set_xlabel(f"{names[dims[0]]} [um]")
    ax.set_ylabel(f"{names[dims[1]]} [um]")
    if values is not None and colorbar:
        ax.figure.colorbar(lines, ax=ax, label=label or "")
    return ax


def save_morph_png(path: str | Path, morph: BranchArrays | SectionTree, values: np.ndarray | None = None,
                   *, title: str | None = None, dpi: int = 120, **kwargs: Any) -> Path:
    """`plot_morph` into a new figure saved as a PNG at `path` (headless); returns the path."""
    Figure, _ = _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(5, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    plot_morph(morph, values, ax=ax, **kwargs)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path
