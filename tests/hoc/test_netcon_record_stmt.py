"""NetCon.record("stmt") (netcvode.cpp PreSyn::record: HOC's t = the spike time, then the statement) against
NEURON 9.0.2: what the statements store, print and change (a stimulus amplitude, `stoprun`, which ends
stdrun's continuerun after the step() it is in), compared line by line with NEURON's printed output
(numbers to 1e-9), for a threshold on v, an artificial cell's net_event and a statement recorded inside a
template (run in that object, as HocCommand does).
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest

from bridge import HocSession
from bridge.errors import HocRefusal

V_SOURCE = """
create soma
soma { L = 20 diam = 20 insert hh }
objref stim, nc, nil, spiketimes, vs, vrec
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 100
stim.amp = 0.2
nc = new NetCon(&soma.v(0.5), nil)
nc.threshold = -10
spiketimes = new Vector()
vs = new Vector()
vrec = new Vector()
vrec.record(&soma.v(0.5))
nspikes = 0
proc foundspike() {
    spiketimes.append(t)
    vs.append(soma.v(0.5))
    nspikes = nspikes + 1
    if (nspikes == 2) stim.amp = 0.35
    if (nspikes == STOP) stoprun = 1
}
nc.record("foundspike()")
steps_per_ms = 10   // 4 fadvance()s per stdrun step() at dt = 0.025
tstop = 100
run()
printf("%d %.17g %.17g %d\\n", nspikes, t, soma.v(0.5), vrec.size())
for i = 0, spiketimes.size() - 1 printf("%.17g %.17g\\n", spiketimes.x[i], vs.x[i])
for (i = 0; i < vrec.size(); i += 37) printf("%.17g\\n", vrec.x[i])
nspikes = 0
run()  // a second run: the statement runs again
printf("%d %.17g\\n", nspikes, t)
"""

ARTIFICIAL = """
create dummy  // bridge needs a section (a model of artificial cells alone is refused)
objref ns, cell, nc, watch, nil, o
ns = new NetStim()
ns.start = 1.0125
ns.interval = 1.3
ns.number = 100
cell = new IntFire1()
cell.tau = 4
nc = new NetCon(ns, cell, 0, 0.5, 0.3)
begintemplate Counter
public n, times, attach
objref times, nc, nil
proc init() { n = 0  times = new Vector() }
proc count() { n += 1  times.append(t) }
proc attach() { nc = new NetCon($o1, nil)  nc.record("count()") }
endtemplate Counter
o = new Counter()
o.attach(ns)  // in the object (HocCommand: hoc_thisobject)
watch = new NetCon(cell, nil)
fired = 0
watch.record("fired += 1  if (fired == 3) stoprun = 1")
tstop = 200
run()
printf("%d %d %.17g\\n", fired, o.n, t)
for i = 0, o.times.size() - 1 printf("%.17g\\n", o.times.x[i])
"""


def _neuron(path) -> list[str]:
    code = f"from neuron import h\nh.load_file('stdrun.hoc')\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=path.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [ln for ln in proc.stdout.splitlines() if ln.strip()]


def _bridge(path) -> list[str]:
    out = io.StringIO()
    HocSession(cwd=path.parent, stdout=out).load_file(path)
    return [ln for ln in out.getvalue().splitlines() if ln.strip()]


def _same(ours: list[str], theirs: list[str]) -> float:
    """The largest difference of the numbers on equal lines (every line has the same words)."""
    assert len(ours) == len(theirs), (ours[:20], theirs[:20])
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        wa, wb = a.split(), b.split()
        assert len(wa) == len(wb), (a, b)
        for x, y in zip(wa, wb, strict=True):
            try:
                worst = max(worst, abs(float(x) - float(y)))
            except ValueError:  # a word (an object's name)
                assert x == y, (a, b)
    return worst


@pytest.mark.neuron
@pytest.mark.parametrize("stop", [4, 99])
def test_statement_at_v_threshold_matches_neuron(tmp_path, stop):
    path = tmp_path / "model.hoc"
    path.write_text(f"STOP = {stop}\n" + textwrap.dedent(V_SOURCE))
    theirs, ours = _neuron(path), _bridge(path)
    assert _same(ours, theirs) <= 1e-9
    counts = [ln.split() for ln in theirs if len(ln.split()) == 4]
    if stop == 4:  # the run stopped after the step() of the 4th spike, before tstop
        assert int(counts[0][0]) == 4 and float(counts[0][1]) < 99
    else:
        assert int(counts[0][0]) >= 5 and float(counts[0][1]) > 99


@pytest.mark.neuron
def test_statement_at_artificial_cell_spikes_matches_neuron(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(ARTIFICIAL))
    theirs, ours = _neuron(path), _bridge(path)
    assert _same(ours, theirs) <= 1e-9
    fired, n, t = next(ln.split() for ln in theirs if len(ln.split()) == 3)
    assert int(fired) == 3 and int(n) >= 3 and float(t) < 200  # stopped at the third spike


def test_statement_that_steps_is_refused(tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(ARTIFICIAL).replace('"fired += 1  if (fired == 3) stoprun = 1"',
                                                         '"fadvance()"'))
    with pytest.raises(HocRefusal, match="advanced the simulation"):
        _bridge(path)
