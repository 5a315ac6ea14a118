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

RUN = 'run()\n{printf("%%.17g %%.17g\\n", soma.%s(0.5), soma.v(0.5))}\n'


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
    # a read on some path counts too: right of && (APCount's `time`), inside an IF body (`last`)
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
    assert _carried(guarded) == {"time": (6, True), "last": (7, True)}
    # a "done" flag: the set-up under it (GLOBALs, an array read in a loop) is carried with the flag, one C variable
    info = analyze(parse(textwrap.dedent(DONE), "x.mod"))
    assert {c.name: c.range for c in carried(info, initial_sets(info))} == {"done": False, "fr": False, "scale": False}


def _runs(text: str, count: int) -> str:
    """`text` then `count` run()s, each printing (RUN) and kept in its own Vector r1, r2, ... (NEURON's
    `vs` records the last run only)."""
    out = text + "objref " + ", ".join(f"r{k + 1}" for k in range(count)) + "\n"
    for k in range(count):
        out += "%s" + f"r{k + 1} = vs.c\n"
    return out


def _carried_exact(tmp_path: Path, text: str, mod_dir: Path, count: int):
    """NEURON and bridge on `text`: the same printed lines and each run's trace within 1e-9 mV; (NEURON's
    printed lines, the session)."""
    theirs, ref, ours, vecs, hoc = _both(tmp_path, text, tuple(f"r{k + 1}" for k in range(count)), mod_dir=mod_dir)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    return _printed(theirs), hoc


@pytest.mark.neuron
@pytest.mark.parametrize("count", [2, 3])
def test_counter_over_two_and_three_runs(tmp_path, count):
    """NEURON's counter goes on from the last run (n, 2n, 3n) and v differs from run to run: bridge carries n
    into each finitialize() and matches every run's trace and printed n."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = _runs(HOC % ("acount", "0.1"), count) % ((RUN % "n_acount",) * count)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, count)
    n = [float(ln.split()[0]) for ln in printed]
    assert n == [n[0] * (k + 1) for k in range(count)] and printed[1].split()[1] != printed[0].split()[1], printed
    assert set(hoc.live.carry) == {"acount"}


@pytest.mark.neuron
def test_counter_across_finitialize_without_steps(tmp_path):
    """nrn_finitialize evaluates BREAKPOINT's currents once: each finitialize() counts one, with no step between
    them, and run() goes on from there."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = (HOC % ("acount", "0.1") + 'finitialize(-65)\nfinitialize(-65)\n{printf("%.17g\\n", soma.n_acount(0.5))}\n'
            + RUN % "n_acount" + "objref r1\nr1 = vs.c\n")
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 1)
    assert float(printed[0]) == 4.0, printed  # two current evaluations per finitialize() (see below)


@pytest.mark.neuron
def test_last_spike_time_read_in_initial(tmp_path):
    """After a spike NEURON's second run starts with the conductance on (tlast > 0 from the first run): carried,
    exact. Without a spike both runs are the same."""
    mod_dir = _mods(tmp_path, lastspk=LASTSPK)
    for amp in ("0.5", "0.01"):
        text = _runs(HOC % ("lastspk", amp), 2) % ((RUN % "tlast_lastspk",) * 2)
        printed, hoc = _carried_exact(tmp_path, text, mod_dir, 2)
        spiked = float(printed[0].split()[0]) > 0
        assert spiked == (amp == "0.5") and (printed[0] != printed[1]) == spiked, printed
        assert bool(hoc.live.carry) == spiked


# a "done" flag (a file-level LOCAL) read by INITIAL: the set-up runs once, in the first finitialize() (ModelDB's
# cdp `factors_done`, cadifus2 `coord_done`); what it computed (GLOBALs, one an array) from gset is kept after
DONE = """
NEURON {
  SUFFIX doneflag
  RANGE g
  GLOBAL gset, scale, fr
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-4 (S/cm2) gset = 1 }
ASSIGNED { v (mV) i (mA/cm2) scale fr[3] }
LOCAL done
INITIAL {
  if (done == 0) {
    done = 1
    setup()
  }
}
PROCEDURE setup() { LOCAL k
  scale = gset
  FROM k = 0 TO 2 { fr[k] = gset*(k + 1) }
}
BREAKPOINT {
  i = g*scale*(v + 65 + fr[1])
}
"""


@pytest.mark.neuron
def test_done_flag_skips_the_set_up_in_later_runs(tmp_path):
    """gset changes between runs, but NEURON's later runs skip the set-up (done is 1) and keep scale and fr from
    the first: bridge carries done, scale and fr into each finitialize() (three segments: three instances)."""
    mod_dir = _mods(tmp_path, done=DONE)
    base = HOC % ("doneflag", "0.1") + "soma.nseg = 3\n"
    runs = 'run()\n{printf("%.17g\\n", soma.v(0.5))}\n'
    text = _runs(base, 3) % (runs, "gset_doneflag = 3\n" + runs, "gset_doneflag = 5\n" + runs)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 3)
    assert len(set(printed)) == 1, printed  # the set-up ran once: the same three runs in NEURON
    assert set(hoc.live.carry["doneflag"]) == {"done", "fr", "scale"}
    # without the flag carried the later runs would see gset = 3: NEURON's first run with gset = 3 differs
    other = _neuron(tmp_path, base + "gset_doneflag = 3\n" + runs, mod_dir)
    assert other[0] != printed[0], (other, printed)


POINT_COUNTER = """
NEURON {
  POINT_PROCESS PCount
  RANGE n, g
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-4 (uS) }
ASSIGNED { v (mV) i (nA) n }
BREAKPOINT {
  n = n + 1
  i = g*(v + 65)*n*1e-3
}
"""


@pytest.mark.neuron
def test_hoc_assignment_between_runs_wins(tmp_path):
    """HOC writes NEURON's memory: a counter HOC sets between runs (a density mechanism's at one segment, a point
    process's) starts the next run from HOC's value, not from the last run's."""
    mod_dir = _mods(tmp_path, cnt=COUNTER, pcnt=POINT_COUNTER)
    base = HOC % ("acount", "0.1") + "soma.nseg = 3\nobjref pc\nsoma pc = new PCount(0.3)\n"
    show = '{printf("%.17g %.17g %.17g %.17g\\n", soma.n_acount(0.5), soma.n_acount(0.9), pc.n, soma.v(0.5))}\n'
    text = _runs(base, 3) % ("run()\n" + show, "soma.n_acount(0.5) = 5\npc.n = 7\nrun()\n" + show,
                             "soma.n_acount = 0\nrun()\n" + show)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 3)
    first, second, third = ([float(x) for x in ln.split()] for ln in printed)
    assert second[0] == 5 + first[0] and second[1] == 2 * first[1] and second[2] == 7 + first[2], printed
    assert third[0] == third[1] == first[0], printed


@pytest.mark.neuron
def test_nseg_change_between_runs_refused(tmp_path):
    """nseg changed between runs: NEURON moves the counter's values to the new segments (soma(0.5) keeps its
    count); bridge refuses the finitialize(), naming the variable, its .mod line, the reason and the HOC line (a
    first run alone matches NEURON)."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = HOC % ("acount", "0.1") + RUN % "n_acount"
    theirs, ref, ours, vecs, _ = _both(tmp_path, text, ("vs",), mod_dir=mod_dir)
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    err = _bridge_refuses(tmp_path, text + "soma.nseg = 3\n" + RUN % "n_acount", mod_dir)
    msg = str(err)
    assert "acount.n is read before INITIAL assigns it (" in msg and "cnt.mod:10)" in msg, msg
    assert "nseg changed" in msg and "model.hoc:16:" in msg, msg


# a RANGE PARAMETER INITIAL doubles: NEURON's memory holds the doubled value, the next run doubles it again
TWICE = """
NEURON {
  SUFFIX twice
  RANGE gbar
  NONSPECIFIC_CURRENT i
}
PARAMETER { gbar = 1e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
INITIAL { gbar = gbar*2 }
BREAKPOINT { i = gbar*(v + 65) }
"""


@pytest.mark.neuron
def test_assigned_parameter_doubled_each_run(tmp_path):
    """gbar doubles at each finitialize() in NEURON (2, 4, 8 times), and HOC's value set between runs is the next
    start: exact."""
    mod_dir = _mods(tmp_path, twice=TWICE)
    text = _runs(HOC % ("twice", "0.1"), 4) % ((RUN % "gbar_twice",) * 3 + ("soma.gbar_twice = 1e-4\n"
                                                                            + RUN % "gbar_twice",))
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 4)
    g = [float(ln.split()[0]) for ln in printed]
    assert g == [2e-4, 4e-4, 8e-4, 2e-4], printed


@pytest.mark.neuron
def test_counter_reset_by_initial_runs_three_times(tmp_path):
    """A counter INITIAL resets: three runs (the stimulus changed between them) match NEURON."""
    mod_dir = _mods(tmp_path, rcount=RESET)
    text = HOC % ("rcount", "0.1") + RUN % "n_rcount" + "stim.amp = 0.3\n" + RUN % "n_rcount" \
        + "stim.amp = 0.2\n" + RUN % "n_rcount"
    theirs, ref, ours, vecs, ours_session = _both(tmp_path, text, ("vs",), mod_dir=mod_dir)
    printed = _printed(theirs)
    assert len(printed) == 3 and printed[0] != printed[1], theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)
    assert ours_session.live.carry == {}  # nothing carried: each finitialize() as before


@pytest.mark.neuron
def test_handler_assigning_before_initial_refused(tmp_path):
    """An FInitializeHandler of type 0 writes NEURON's memory before INITIAL: the second run's counter starts
    from its 100 in NEURON; bridge does not tell which variable a handler assigned, and refuses."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = (HOC % ("acount", "0.1") + 'objref fih\nfih = new FInitializeHandler(0, "soma.n_acount(0.5) = 100")\n'
            + RUN % "n_acount" * 2)
    lines = _neuron(tmp_path, text, mod_dir)
    assert lines[0] == lines[1] and float(lines[0].split()[0]) > 100, lines  # each run counts on from 100
    msg = str(_bridge_refuses(tmp_path, text, mod_dir))
    assert "acount.n is read before INITIAL assigns it" in msg and "FInitializeHandler" in msg, msg


@pytest.mark.neuron
def test_new_section_and_stimulus_between_runs(tmp_path):
    """A section with the counter and a second IClamp made between runs: NEURON keeps the soma's count and starts
    the new section's from 0; bridge matches each instance by its segment: exact over three runs."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    show = '{printf("%.17g %.17g\\n", soma.n_acount(0.5), soma.v(0.5))}\n'
    grow = ("create dend\nconnect dend(0), soma(1)\ndend { L = 100 diam = 2 nseg = 2 insert acount }\n"
            "objref stim2\nsoma stim2 = new IClamp(0.5)\nstim2.del = 0.5\nstim2.dur = 1\nstim2.amp = 0.05\n")
    show2 = '{printf("%.17g %.17g\\n", dend.n_acount(0.25), dend.v(0.75))}\n'
    text = _runs(HOC % ("acount", "0.1"), 3) % ("run()\n" + show, grow + "run()\n" + show + show2,
                                                "run()\n" + show + show2)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 3)
    n = [float(ln.split()[0]) for ln in printed]
    assert n == [n[0], 2 * n[0], n[0], 3 * n[0], 2 * n[0]], printed  # the new section counts from 0


# an artificial cell that fires ever more slowly, its count kept across runs in NEURON's memory
CELL_COUNTER = """
NEURON {
  ARTIFICIAL_CELL ACount
  RANGE n, tau
}
PARAMETER { tau = 2 (ms) }
ASSIGNED { n }
INITIAL { net_send(tau, 1) }
NET_RECEIVE (w) {
  if (flag == 1) {
    n = n + 1
    net_event(t)
    net_send(tau + 0.25*n, 1)
  }
}
"""

NET = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref cell, syn, nc, vs, stim
cell = new ACount()
soma syn = new ExpSyn(0.5)
syn.tau = 2
nc = new NetCon(cell, syn)
nc.weight = 0.02
nc.delay = 1
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 15
"""


@pytest.mark.neuron
def test_artificial_cell_counter_in_a_network(tmp_path):
    """An ARTIFICIAL_CELL's count goes on from the last run in NEURON, so its spikes come later each run: bridge
    carries it among the network's cell values; every run's trace and printed count exact."""
    mod_dir = _mods(tmp_path, acount=CELL_COUNTER)
    show = 'run()\n{printf("%.17g %.17g\\n", cell.n, soma.v(0.5))}\n'
    text = _runs(NET, 3) % ((show,) * 3)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 3)
    n = [float(ln.split()[0]) for ln in printed]
    assert n[1] > n[0] and n[2] > n[1] and len({ln.split()[1] for ln in printed}) == 3, printed
    assert set(hoc.live.carry) == {"ACount"}


# what HOC does between two runs, and what NEURON's second run starts the counters (acount's n at the soma, PCount's
# n) from: an instance NEURON allocates anew starts from 0, a kept one goes on from the first run's count
_REMADE = {
    # uninsert frees the soma's acount instances; insert allocates new ones (cabcode.cpp mech_uninsert1, mech_insert1)
    "uninsert then insert": ("soma uninsert acount\nsoma insert acount\n", (1, 2)),
    # the old PCount's refcount drops to 0: freed; the new one (PCount[1]) is allocated
    "point process made anew": ("pc = new PCount(0.3)\n", (2, 1)),
    # nseg set to the value it has: NEURON keeps the segments and their memory
    "nseg set to the same value": ("soma.nseg = 1\n", (2, 2)),
    "point process moved": ("soma pc.loc(0.7)\n", (2, 2)),
    # the section made anew (delete_section, or `create` of an existing name), and all on it
    "section deleted and created": ("soma delete_section()\ncreate soma\n", (1, 1)),
    "section created again": ("create soma\n", (1, 1)),
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(_REMADE))
def test_instances_made_anew_between_runs(tmp_path, case):
    """Between two runs HOC uninserts and inserts the counter, makes the point process anew, sets nseg to the value
    it has, moves the point process, or deletes and creates the section: NEURON's second run starts an instance it
    allocated anew from 0 and goes on counting in a kept one; bridge matches each run's trace (1e-9 mV) and count."""
    again, counts = _REMADE[case]
    mod_dir = _mods(tmp_path, cnt=COUNTER, pcnt=POINT_COUNTER)
    made = HOC % ("acount", "0.1") + "objref pc\nsoma pc = new PCount(0.3)\n"
    if "section" in case:  # the soma, its mechanisms, stimulus, point process and recording made again
        again += made[made.index("soma {"):].replace("objref stim, vs\n", "").replace("vs = new Vector()\n", "")
        again = again.replace("objref pc\n", "").replace("tstop = 5\n", "")
    show = '{printf("%.17g %.17g %.17g %.17g\\n", soma.n_acount(0.5), pc.n, stim.i, soma.v(0.5))}\n'
    text = _runs(made, 2) % ("run()\n" + show, again + "run()\n" + show)
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 2)
    first, second = ([float(x) for x in ln.split()] for ln in printed)
    assert (second[0], second[1]) == (counts[0] * first[0], counts[1] * first[1]), printed


@pytest.mark.neuron
@pytest.mark.parametrize("after", ['{printf("%.17g\\n", soma.n_acount(0.5))}\n', "soma.n_acount(0.5) = 5\n"])
def test_reinserted_values_before_finitialize_refused(tmp_path, after):
    """After an uninsert then insert, NEURON's new instances hold 0 until finitialize() (HOC reads 0 there, and a
    value HOC assigns is the next run's start); bridge's live run holds the old instances: HOC's read or assignment
    there is refused, naming the variable and the HOC line."""
    mod_dir = _mods(tmp_path, cnt=COUNTER)
    text = (HOC % ("acount", "0.1") + RUN % "n_acount" + "soma uninsert acount\nsoma insert acount\n" + after
            + RUN % "n_acount")
    lines = _neuron(tmp_path, text, mod_dir)
    first = float(lines[0].split()[0])
    if "printf" in after:
        assert float(lines[1]) == 0 and float(lines[2].split()[0]) == first, lines
    else:
        assert float(lines[1].split()[0]) == 5 + first, lines
    msg = str(_bridge_refuses(tmp_path, text, mod_dir))
    assert "soma.n_acount: acount was uninserted from soma and inserted again" in msg and "model.hoc:17:" in msg, msg


# BEFORE INITIAL runs before INITIAL (fadvance.cpp nrn_finitialize): what it reads first is the last run's, even a
# name INITIAL assigns; what it surely assigns first is fresh for every later block
STEPS = """
NEURON {
  SUFFIX laststeps
  RANGE n, nlast, g
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) n nlast }
BEFORE INITIAL {
  nlast = n
  n = 0
}
INITIAL { n = 0 }
BEFORE STEP { n = n + 1 }
BREAKPOINT { i = g*(v + 65)*nlast*1e-2 }
"""


def test_before_initial_reads_are_carried():
    assert _carried(STEPS) == {"n": (10, True)}
    fresh = STEPS.replace("  nlast = n\n", "").replace("nlast*1e-2", "n*1e-2")
    assert _carried(fresh) == {}  # BEFORE INITIAL resets n before anything reads it


@pytest.mark.neuron
def test_before_initial_counter_over_three_runs(tmp_path):
    """BEFORE INITIAL keeps the last run's step count (nlast = n) and resets the counter: the second and third
    runs differ from the first, as in NEURON."""
    mod_dir = _mods(tmp_path, steps=STEPS)
    text = _runs(HOC % ("laststeps", "0.1"), 3) % ((RUN % "nlast_laststeps",) * 3)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 3)
    assert [ln.split()[0] for ln in printed] == ["0", "201", "201"], printed
    assert set(hoc.live.carry) == {"laststeps"}
