"""stdrun.hoc's setdt prints "Changed dt" when it changes dt (steps_per_ms disagrees with dt), as NEURON 9.0.2:
the printed output of a model that runs with dt values setdt keeps and changes, in NEURON and in bridge, the
same lines (dt printed with %.17g; v compared to 1e-9 mV)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from bridge import HocSession
from bridge.errors import BridgeError

MODEL = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
tstop = 0.5
proc show() { printf("dt %.17g v %.17g\\n", dt, soma.v(.5)) }
steps_per_ms = 40
dt = 0.1
run()
show()
run()
show()
dt = 0.01
run()
show()
steps_per_ms = 10
dt = 0.03
stdinit()
show()
dt = 0.07
setdt()
show()
"""


def _split(text: str) -> tuple[list[str], list[float]]:
    """The printed lines with v taken out, and the v values [mV]."""
    lines, vs = [], []
    for ln in text.splitlines():
        if ln.startswith("dt "):
            words = ln.split()
            vs.append(float(words[3]))
            ln = " ".join(words[:2])
        lines.append(ln)
    return lines, vs


@pytest.mark.neuron
def test_setdt_prints_changed_dt_as_neuron(tmp_path):
    (tmp_path / "m.hoc").write_text(MODEL)
    proc = subprocess.run([sys.executable, "-c", "from neuron import h\nh.load_file('m.hoc')\n"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs, their_v = _split(proc.stdout)
    assert theirs.count("Changed dt") == 4, proc.stdout + proc.stderr  # dt 0.1, 0.01, 0.03 (10/ms), 0.05
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(tmp_path / "m.hoc")
    ours, our_v = _split(out.getvalue())
    assert ours == theirs
    assert max(abs(a - b) for a, b in zip(our_v, their_v, strict=True)) <= 1e-9  # mV


USING_CVODE = """load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
tstop = 0.5
steps_per_ms = 10
dt = 0.015
using_cvode_ = %d
run()
printf("t %%.17g dt %%.17g\\n", t, dt)
"""


@pytest.mark.neuron
def test_using_cvode_set_by_the_model_is_refused(tmp_path):
    """NEURON's stdrun takes CVODE's path while `using_cvode_` is set even with CVODE off (setdt keeps dt 0.015,
    continuerun steps to tstop): t ends elsewhere than with it clear. bridge refuses it by name (was: dt changed)."""
    ends = []
    for flag in (0, 1):
        (tmp_path / f"u{flag}.hoc").write_text(USING_CVODE % flag)
        proc = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file('u{flag}.hoc')\n"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        ends.append(proc.stdout.split("t ")[-1].strip())
    assert ends[0] != ends[1], ends  # the flag changes NEURON's run
    HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "u0.hoc")  # clear: runs
    with pytest.raises(BridgeError, match=r"u1\.hoc:8.*using_cvode_"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "u1.hoc")
