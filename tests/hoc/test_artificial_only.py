"""A network of artificial cells only (no section at all), run from HOC, against NEURON."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import HocSession

DATA = Path(__file__).resolve().parent / "data"


def _spikes(lines: list[str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    cell = None
    for ln in lines:
        if ln.startswith("cell "):
            cell = ln.split(":")[0]
            out[cell] = []
        elif ln.startswith("t "):
            out["t"] = [float(ln.split()[1])]
        elif cell is not None:
            out[cell].append(float(ln))
    return out


@pytest.mark.neuron
def test_network_of_artificial_cells_alone_runs_as_neuron():
    """NetStim into IntFire1, IntFire2 and IntFire4 with no section: NEURON runs it (fcurrent() too);
    bridge's tree has no node. Spike counts equal, times within 1e-9 ms: HocSession computes with XLA's
    exp/log (library arithmetic, docs/numerics.md section 11), so IntFire2/4's spike-time solutions differ
    from NEURON's glibc results in the last bits."""
    path = DATA / "network" / "artificial_only.hoc"  # not a fuzz seed (tests/fuzz takes data/*.hoc): compiling
    # its event loop takes about 5 s of CPU, the fuzz test's limit per case
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    theirs = _spikes(proc.stdout.splitlines())
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    ours = _spikes(out.getvalue().splitlines())
    assert sorted(ours) == sorted(theirs) == ["cell 0", "cell 1", "cell 2", "t"]
    assert all(len(theirs[k]) >= 3 for k in ("cell 0", "cell 1", "cell 2"))
    for k in theirs:
        assert len(ours[k]) == len(theirs[k]), k
        assert max(abs(a - b) for a, b in zip(ours[k], theirs[k])) <= 1e-9, k
