"""A mechanism folder as validation cases: each .mod file in one compartment, two current steps.

`bridge validate mod/` on a folder with .mod files and no HOC file makes, for
each file, the cell of `validation.single_mechanism` (a soma with L = diam =
18.8 um, `pas` with g = 1e-4 S/cm2 and e = -65 mV, and the mechanism: inserted
for a SUFFIX, placed at soma(0.5) for a POINT_PROCESS) and its two protocols
(an IClamp of +0.1 nA at 6.3 degC and of -0.1 nA at 16 degC, 2-22 ms, tstop
30 ms, dt 0.025 ms). Every STATE at the soma is compared, besides v.

Tolerance on max |dV| and STATEs: 1e-9, or 1e-6 where NEURON itself iterates
to a tolerance (derivimplicit, sparse; as `validation.single_mechanism`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from validation.case import Case, IClamp, Protocol, Tolerance, mechanism_name, read_mod_text

SOMA = 18.8  # [um], L and diam
STEPS = (("depolarising", 0.1, 6.3), ("hyperpolarising", -0.1, 16.0))  # name, amp [nA], celsius [degC]
ITERATIVE_TOL = 1e-6

_KIND = re.compile(r"\b(SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+[A-Za-z_]")


def iterative(path: Path) -> bool:
    """Whether NEURON solves the file's ODEs iteratively (derivimplicit, sparse, steady states), as bridge's
    analysis sees it (a cnexp it cannot solve exactly runs as derivimplicit); by a look at the text when
    the file does not translate (its error shows when the case runs)."""
    try:
        from validation.single_mechanism import ITERATIVE, _methods

        return any(m in ITERATIVE for m in _methods(path))
    except Exception:  # noqa: BLE001 - the translation error is the bridge side's to report
        text = read_mod_text(path)
        return bool(re.search(r"METHOD\s+(derivimplicit|sparse)|STEADYSTATE", text))


def _tree(path: Path, name: str, amp: float):
    from bridge.morphology.tree import SectionTree

    tree = SectionTree()
    soma = tree.section("soma", L=SOMA, diam=SOMA)
    soma.insert("pas", g=1e-4, e=-65.0)
    kind = _KIND.search(re.sub(r"COMMENT.*?ENDCOMMENT", "", read_mod_text(path), flags=re.S))
    if kind is not None and kind.group(1) != "SUFFIX":
        tree.add_point_process(name, "soma", 0.5)
    else:
        soma.insert(name)
    return tree


def mechanism_cases(files: Sequence[Path], protocol: Protocol | None = None, tolerance: Tolerance | None = None,
                    bridge_mechanisms: str | Path | None = None, allow_read: Sequence[str | Path] = ()) -> list[Case]:
    """Two cases per .mod file (see the module docstring). `protocol` fields that are set (tstop, dt,
    celsius, stimuli, ...) replace the defaults; `tolerance` replaces the per-method one;
    `bridge_mechanisms` is a folder of ported .mod files bridge runs instead; `allow_read`: folders
    outside the files' folder that they may INCLUDE from. NEURON compiles, per case, only the file
    whose mechanism the case runs, after bridge translated it (`validation.preflight`)."""
    base = protocol or Protocol()
    cases = []
    for path in files:
        name = mechanism_name(path) or path.stem
        tol = tolerance or (Tolerance(max_dv=ITERATIVE_TOL, state=ITERATIVE_TOL) if iterative(path) else Tolerance())
        for label, amp, celsius in STEPS:
            stimuli = base.stimuli or [IClamp("soma", 0.5, delay=2.0, dur=20.0, amp=amp)]
            p = Protocol(tstop=base.tstop if base.tstop is not None else 30.0,
                         dt=base.dt if base.dt is not None else 0.025, v_init=base.v_init,
                         celsius=base.celsius if base.celsius is not None else celsius,
                         secondorder=base.secondorder, stimuli=list(stimuli), recordings=list(base.recordings),
                         globals=dict(base.globals))
            cases.append(Case(f"{path.name}:{label}", tree=_tree(path, name, amp), mechanisms=list(files),
                              bridge_mechanisms=bridge_mechanisms, protocol=p, tolerance=tol, allow_read=allow_read))
    return cases
