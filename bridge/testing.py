"""Helpers for users' own tests: `assert_matches_neuron` runs a model in bridge and in NEURON and compares.

    from bridge.testing import assert_matches_neuron

    @pytest.mark.neuron
    def test_my_cell_matches_neuron():
        assert_matches_neuron("model/init.hoc", {"tstop": 50, "stimuli": [...]},
                              mechanisms="model/mod", statements=["make_cell(0)"], atol=1e-9)

Needs NEURON (the `validation` extra). The comparison is the one `bridge
validate` makes; a failure raises AssertionError with its table row and the
reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def assert_matches_neuron(model: Any, protocol: Any = None, *, atol: float = 1e-9, mechanisms: Any = None,
                          statements: Sequence[str] = (), spike_tol: float | None = None,
                          bridge_mechanisms: str | Path | None = None, out: str | Path | None = None,
                          allow_read: Sequence[str | Path] = (), roundoff: float | None = None) -> Any:
    """Fail unless bridge reproduces NEURON on `model` with `protocol` to `atol` [mV].

    `model`: a HOC file or model folder (found as `bridge validate` finds it), or a
    `SectionTree`. `protocol`: a `validation.case.Protocol`, a dict of its fields
    (tstop [ms], dt [ms], v_init [mV], celsius [degC], secondorder, stimuli: IClamp
    dicts with section, x, delay, dur, amp [nA], recordings: "sec(x).var"), or None
    (the model's own protocol, or the default current steps). `mechanisms`: the
    model's .mod folder or files. `out`: also write the markdown report and plots.
    `allow_read`: folders (or files) outside the model folder that the model may read
    (as `bridge validate --allow-read`). `roundoff`: also accept a max |dV| up to this factor times
    NEURON's own round-off (NEURON runs twice, the second time with v one ulp up; as `bridge validate`
    without `--atol`, whose factor is `validation.case.ROUNDOFF_FACTOR`).
    Returns the `CaseResult` when it passes.
    """
    from validation.case import Case, Protocol, Tolerance
    from validation.command import find_hoc, find_mechanisms
    from validation.report import table, write_report
    from validation.suite import run_case

    if protocol is None:
        protocol = Protocol()
    elif isinstance(protocol, Mapping):
        protocol = Protocol.from_dict(dict(protocol))
    tolerance = Tolerance(max_dv=atol, roundoff=roundoff)
    if spike_tol is not None:
        tolerance.spike_time = spike_tol
    if isinstance(model, (str, Path)):
        hoc = find_hoc(Path(model))
        if mechanisms is None:
            mechanisms = find_mechanisms(hoc.parent)
        case = Case(Path(model).stem or "model", hoc=hoc, mechanisms=mechanisms, statements=statements,
                    bridge_mechanisms=bridge_mechanisms, protocol=protocol, tolerance=tolerance,
                    allow_read=allow_read)
    else:
        if statements:
            raise TypeError("statements= applies to HOC models only")
        case = Case("model", tree=model, mechanisms=mechanisms, bridge_mechanisms=bridge_mechanisms,
                    protocol=protocol, tolerance=tolerance, allow_read=allow_read)
    result = run_case(case)
    if out is not None:
        write_report([result], out)
    if not result.passed:
        lines = [f"bridge does not match NEURON ({result.status}):", table([result])]
        if result.comparison is not None and result.comparison.reasons:
            lines += ["reasons:"] + [f"  - {reason}" for reason in result.comparison.reasons]
        elif result.error:
            lines += [result.error]
        raise AssertionError("\n".join(lines))
    return result
