"""A later finitialize() with a mechanism that reads what the last run left (bridge.hoc.carried_runs).

NEURON's finitialize() runs INITIAL on the memory the last run left: an ASSIGNED that a block reads before
INITIAL assigns it (a counter, a "last spike time") starts the next run from the last run's value. bridge
runs on when that value is the one it starts from, and refuses the finitialize() otherwise. Each model is
our own .mod and HOC file, run by real NEURON 9 and by bridge.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from bridge.nmodl.analysis.analyze import analyze
from bridge.nmodl.analysis.carried import carried
from bridge.nmodl.analysis.hoc_calls import initial_sets
from bridge.nmodl.syntax.parse import parse
from tests.hoc.test_live_run import _NEURON, _both, _same_output, _same_vectors

COUNTER = """
NEURON {
  SUFFIX acount
  RANGE n, g
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-5 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) n }
BREAKPOINT {
  n = n + 1
  i = g*(v + 65)*n*1e-3
}
"""

# the same counter, reset by INITIAL: nothing of the last run reaches the next
RESET = COUNTER.replace("acount", "rcount").replace("BREAKPOINT {", "INITIAL { n = 0 }\nBREAKPOINT {")

# the time of the last crossing of 0 mV, read by INITIAL: a conductance is on in every run after a spike
LASTSPK = """
NEURON {
  SUFFIX lastspk
  RANGE tlast, g
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-3 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) tlast (ms) on }
INITIAL {
  if (tlast > 0) { on = 1 } else { on = 0 }
}
BREAKPOINT {
  if (v > 0) { tlast = t }
  i = g*on*(v + 65)
}
"""

HOC = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh insert %s }
objref stim, vs
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = %s
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 5
"""

RUN = 'run()\nprintf("%%.17g %%.17g\\n", soma.%s(0.5), soma.v(0.5))\n'


def _mods(tmp_path: Path, **texts: str) -> Path:
    mod_dir = tmp_path / "mod"
    mod_dir.mkdir()
    for name, text in texts.items():
        (mod_dir / f"{name}.mod").write_text(text)
    return mod_dir


def _neuron(tmp_path: Path, text: str, mod_dir: Path) -> list[str]:
    """NEURON's printed lines for the HOC `text`."""
    from validation.neuron_run import compile_mod_files

    path = tmp_path / "neuron.hoc"
    path.write_text(textwrap.dedent(text))
    library = str(compile_mod_files(sorted(mod_dir.glob("*.mod"))))
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(path), library], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return _printed(ln for ln in proc.stdout.splitlines() if not ln.startswith("JSON:"))


def _printed(lines) -> list[str]:
    """The lines RUN printed (HOC echoes `Vector[0]` for the record() statement too)."""
    return [ln for ln in lines if ln[:1].isdigit() or ln[:1] == "-"]


def _bridge_refuses(tmp_path: Path, text: str, mod_dir: Path) -> HocRefusal:
    path = tmp_path / "model.hoc"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(HocRefusal) as err:
        HocSession(mod_dir, cwd=tmp_path, stdout=None).load_file(path)
    return err.value


def _carried(text: str) -> dict[str, tuple[int, bool]]:
    info = analyze(parse(textwrap.dedent(text), "x.mod"))
    return {c.name: (c.line, c.init_writes) for c in carried(info, initial_sets(info))}


def test_which_names_are_carried():
    assert _carried(COUNTER) == {"n": (10, True)}
    assert _carried(RESET) == {}
    assert _carried(LASTSPK) == {"tlast": (10, True)}
    # hh: rates(v) in INITIAL assigns minf ... before any read
    hh = Path(__file__).resolve().parents[2] / "bridge" / "mechanisms" / "builtin" / "hh.mod"
    assert _carried(hh.read_text()) == {}
    # INITIAL assigns on both paths of an IF; BREAKPOINT's currents assign g before the SOLVE reads it
    both = """
    NEURON { SUFFIX both RANGE a, g }
    ASSIGNED { v (mV) a g }
    STATE { m }
    INITIAL { if (v > 0) { a = 1 } else { a = 2 } m = a }
    BREAKPOINT { SOLVE states METHOD cnexp g = m*a }
    DERIVATIVE states { m' = -m*g }
    """
    assert _carried(both) == {}
    # a RANGE PARAMETER INITIAL doubles: the next run doubles the doubled value
    twice = """
    NEURON { SUFFIX twice RANGE gbar }
    PARAMETER { gbar = 1 }
    INITIAL { gbar = gbar*2 }
    """
    assert _carried(twice) == {"gbar": (4, True)}
    # only reads every pass makes: right of && (APCount's `time`) or inside an IF body they are left out
    guarded = """
    NEURON { SUFFIX guarded RANGE time, firing }
    ASSIGNED { v (mV) time firing last }
    INITIAL { firing = 0 }
    BREAKPOINT {
      if (firing && t > time) { firing = 0 }
      if (v > 0) { last = last + 1 }
      if (v > 0) { time = t firing = 1 }
    }
    """
    assert _carried(guarded) == {}


@pytest.mark.neuron
def test_counter_over_two_and_three_runs_refused(tmp_path):
    """NEURON's counter goes on from the last run (n, then 2n) and v differs: bridge refuses the second run,
    naming the variable, its .mod line and the HOC line; one run alone matches NEURON."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = HOC % ("acount", "0.1") + RUN % "n_acount"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, ("vs",), mod_dir=mod_dir)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    for runs in (2, 3):
        text = HOC % ("acount", "0.1") + RUN % "n_acount" * runs
        lines = _neuron(tmp_path, text, mod_dir)
        n = [float(ln.split()[0]) for ln in lines]
        assert n[1] == 2 * n[0] and lines[1].split()[1] != lines[0].split()[1], lines  # NEURON carries n
        err = _bridge_refuses(tmp_path, text, mod_dir)
        msg = str(err)
        assert "acount.n is read before INITIAL assigns it" in msg and "cnt.mod:10)" in msg, msg
        assert "model.hoc:15:" in msg, msg  # the second run()


@pytest.mark.neuron
def test_last_spike_time_read_in_initial(tmp_path):
    """After a spike NEURON's second run starts with the conductance on: refused. Without a spike the last
    run leaves tlast at 0, where bridge starts it too: both runs match NEURON."""
    mod_dir = _mods(tmp_path, lastspk=LASTSPK)
    text = HOC % ("lastspk", "0.5") + RUN % "tlast_lastspk" * 2
    lines = _neuron(tmp_path, text, mod_dir)
    assert float(lines[0].split()[0]) > 0 and lines[0].split()[1] != lines[1].split()[1], lines
    err = _bridge_refuses(tmp_path, text, mod_dir)
    assert "lastspk.tlast is read before INITIAL assigns it" in str(err) and "lastspk.mod:10)" in str(err)
    quiet = HOC % ("lastspk", "0.01") + RUN % "tlast_lastspk" * 2
    theirs, ref, ours, vecs, _ = _both(tmp_path, quiet, ("vs",), mod_dir=mod_dir)
    assert float(_printed(theirs)[1].split()[0]) == 0.0, theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_counter_reset_by_initial_runs_three_times(tmp_path):
    """A counter INITIAL resets: three runs (the stimulus changed between them) match NEURON."""
    mod_dir = _mods(tmp_path, rcount=RESET)
    text = HOC % ("rcount", "0.1") + RUN % "n_rcount" + "stim.amp = 0.3\n" + RUN % "n_rcount" \
        + "stim.amp = 0.2\n" + RUN % "n_rcount"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, ("vs",), mod_dir=mod_dir)
    printed = _printed(theirs)
    assert len(printed) == 3 and printed[0] != printed[1], theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
