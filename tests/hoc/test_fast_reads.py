"""The reads a HOC loop makes most, against NEURON: scalars, numbers, globals, `v(x)` (segment centres, segment
boundaries and ends, `sec.v(x)`, `arr[i].v(x)`), a mechanism's and an ion's value, `ri()` and `area()` at the
segment boundaries of a section connected by its 1-end, read during a run stepped from HOC (the fast paths of
bridge.hoc.names.name_value, calls._call_name / _call_member and live_reads.segment_value; geometry._node_of)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession

DATA = Path(__file__).resolve().parent / "data"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")
TOLERANCE = 1e-9  # [mV] and the sums of products of v: both runs' voltages agree to ~5e-14 mV


def _split(line: str) -> tuple[list[str], list[float]]:
    """A printed line's words (numbers blanked) and its numbers."""
    return NUMBER.sub("#", line).split(), [float(x) for x in NUMBER.findall(line)]


@pytest.mark.neuron
def test_fast_reads_match_neuron():
    path = DATA / "fast_reads.hoc"
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    ours = out.getvalue().splitlines()
    assert len(ours) == len(theirs) and len(ours) > 30
    worst = 0.0
    for a, b in zip(ours, theirs):
        (wa, na), (wb, nb) = _split(a), _split(b)
        assert wa == wb and len(na) == len(nb), (a, b)
        worst = max([worst, *(abs(x - y) for x, y in zip(na, nb))])
    assert worst <= TOLERANCE
